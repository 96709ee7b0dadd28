"""ELP102: closures and thread functions that share the loop variable with the creating function."""
# asyncloop-target-version: >=3.7
import asyncio
import threading


async def job():
    await asyncio.sleep(0)


def start_background_installed():
    loop = asyncio.new_event_loop()  # ok: ELP102

    def run():
        asyncio.set_event_loop(loop)
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def start_background_not_installed():
    # Run only by the thread's own function: the loop-in-a-background-thread pattern.
    loop = asyncio.new_event_loop()  # ok: ELP102

    def run():
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def inner_function_has_its_own_loop():
    loop = asyncio.new_event_loop()  # error: ELP102, ELP108
    asyncio.set_event_loop(loop)
    try:

        def worker():
            loop = asyncio.new_event_loop()  # error: ELP108  # ok: ELP102
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(asyncio.gather(job(), job()))
            finally:
                loop.close()

        threading.Thread(target=worker).start()
        loop.run_until_complete(asyncio.gather(job(), job()))
    finally:
        loop.close()


def installed_by_a_callback():
    loop = asyncio.new_event_loop()  # error: ELP108  # ok: ELP102
    try:
        install = lambda: asyncio.set_event_loop(loop)  # noqa: E731
        install()
        loop.run_until_complete(job())
    finally:
        loop.close()


def same_name_in_two_functions_a():
    loop = asyncio.new_event_loop()  # error: ELP102, ELP108
    asyncio.set_event_loop(loop)
    try:
        asyncio.ensure_future(job())
        loop.run_forever()
    finally:
        loop.close()


def same_name_in_two_functions_b():
    loop = asyncio.new_event_loop()  # error: ELP108  # ok: ELP102
    asyncio.set_event_loop(loop)
    try:
        asyncio.ensure_future(job())
        loop.run_forever()
    finally:
        loop.close()


def scheduled_from_a_lambda():
    # The lambda runs inside the loop, where ensure_future() finds the running loop.
    loop = asyncio.new_event_loop()  # ok: ELP102
    loop.call_soon(lambda: asyncio.ensure_future(job()))
    loop.run_until_complete(asyncio.sleep(0.01))
    loop.close()


def scheduled_from_a_nested_function():
    # schedule() is a callback of the loop: inside it the running loop is the current one.
    loop = asyncio.new_event_loop()  # ok: ELP102

    def schedule():
        asyncio.ensure_future(job())
        loop.call_soon(loop.stop)

    loop.call_soon(schedule)
    loop.run_forever()
    loop.close()


def lookup_in_the_callback_and_in_the_body():
    loop = asyncio.new_event_loop()  # error: ELP102, ELP108
    asyncio.set_event_loop(loop)
    try:
        loop.call_soon(lambda: asyncio.ensure_future(job()))
        ticker = asyncio.ensure_future(job())
        loop.run_until_complete(asyncio.sleep(0.01))
        return ticker
    finally:
        loop.close()


def start_background_with_a_queue():
    # The queue is made in the thread's own function, after the loop is installed there.
    loop = asyncio.new_event_loop()  # ok: ELP102

    def run():
        asyncio.set_event_loop(loop)
        inbox = asyncio.Queue()
        loop.run_until_complete(inbox.put("started"))

    threading.Thread(target=run, daemon=True).start()
