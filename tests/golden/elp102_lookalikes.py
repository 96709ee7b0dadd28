"""ELP102 look-alikes: names that are not asyncio's new_event_loop or its lookups, and installs
that count."""
# asyncloop-target-version: >=3.7
import asyncio


async def job():
    await asyncio.sleep(0)


def new_event_loop():
    """A project helper that installs the loop it makes."""
    loop = asyncio.new_event_loop()  # ok: ELP102
    asyncio.set_event_loop(loop)
    return loop


def uses_the_helper():
    loop = new_event_loop()  # ok: ELP102
    loop.run_until_complete(asyncio.gather(job(), job()))


def uses_asyncio_directly():
    loop = asyncio.new_event_loop()  # error: ELP102, ELP108
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(asyncio.gather(job(), job()))
    finally:
        loop.close()


def local_factory_function():
    def new_event_loop():
        return asyncio.new_event_loop()

    loop = new_event_loop()  # ok: ELP102
    asyncio.ensure_future(job())
    loop.run_forever()


def parameter_shadows_the_module(asyncio):
    loop = asyncio.new_event_loop()  # ok: ELP102
    loop.run_until_complete(asyncio.gather(job(), job()))


def installed_with_a_keyword():
    loop = asyncio.new_event_loop()  # error: ELP108  # ok: ELP102
    asyncio.set_event_loop(loop=loop)
    try:
        loop.run_until_complete(asyncio.gather(job(), job()))
    finally:
        loop.close()


def installed_none_is_not_an_install():
    # set_event_loop(None) beside a private loop: keeping it out of the global slot is deliberate,
    # and the code passes loop= wherever it must (CPython's own tests do this).
    loop = asyncio.new_event_loop()  # error: ELP108  # ok: ELP102
    try:
        asyncio.set_event_loop(None)
        loop.run_until_complete(asyncio.ensure_future(job(), loop=loop))
    finally:
        loop.close()


def run_in_a_loop_of_its_own():
    for _ in range(3):
        loop = asyncio.new_event_loop()  # error: ELP102
        asyncio.set_event_loop(loop)
        loop.run_until_complete(asyncio.gather(job(), job()))
        loop.close()


def run_in_a_loop_of_its_own_without_lookup():
    # asyncio.run() in a loop, spelled out: nothing looks any of the loops up.
    for _ in range(3):
        loop = asyncio.new_event_loop()  # ok: ELP102
        loop.run_until_complete(job())
        loop.close()


def gather(*coroutines):
    """A project helper with asyncio's name: it looks no loop up."""
    return list(coroutines)


def uses_the_gather_helper():
    loop = asyncio.new_event_loop()  # ok: ELP102
    for coroutine in gather(job(), job()):
        loop.run_until_complete(coroutine)
    loop.close()


def gather_mentioned_in_a_string():
    loop = asyncio.new_event_loop()  # ok: ELP102
    print("asyncio.gather(job(), job()) would bind to another loop here; run them one by one")
    loop.run_until_complete(job())
    loop.run_until_complete(job())
    loop.close()


def gather_method_of_another_object(collector):
    loop = asyncio.new_event_loop()  # ok: ELP102
    results = collector.gather(loop.run_until_complete(job()))
    loop.close()
    return results


def future_of_another_library(concurrent_futures):
    loop = asyncio.new_event_loop()  # ok: ELP102
    pending = concurrent_futures.Future()
    loop.run_until_complete(job())
    loop.close()
    return pending


def queue_from_the_queue_module():
    import queue

    loop = asyncio.new_event_loop()  # ok: ELP102
    results = queue.Queue()
    results.put(loop.run_until_complete(job()))
    loop.close()
    return results


def lock_from_threading():
    import threading

    loop = asyncio.new_event_loop()  # ok: ELP102
    with threading.Lock():
        loop.run_until_complete(job())
    loop.close()


def runner_instead():
    with asyncio.Runner() as runner:
        return runner.run(job())


def run_instead():
    return asyncio.run(job())  # ok: ELP102
