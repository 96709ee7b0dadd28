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
    loop = asyncio.new_event_loop()  # error: ELP102
    asyncio.set_event_loop(loop)

    def worker():
        loop = asyncio.new_event_loop()  # ok: ELP102
        asyncio.set_event_loop(loop)
        loop.run_until_complete(job())

    threading.Thread(target=worker).start()
    loop.run_until_complete(job())


def installed_by_a_callback():
    loop = asyncio.new_event_loop()  # ok: ELP102
    install = lambda: asyncio.set_event_loop(loop)  # noqa: E731
    install()
    loop.run_until_complete(job())


def same_name_in_two_functions_a():
    loop = asyncio.new_event_loop()  # error: ELP102
    asyncio.set_event_loop(loop)
    loop.run_forever()


def same_name_in_two_functions_b():
    loop = asyncio.new_event_loop()  # ok: ELP102
    asyncio.set_event_loop(loop)
