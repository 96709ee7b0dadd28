"""ELP102: loops made by new_event_loop() in a function, run there, never installed."""
# asyncloop-target-version: >=3.7
import asyncio
import asyncio as aio
import contextlib
from asyncio import new_event_loop as make_loop


async def job():
    await asyncio.sleep(0)
    return 42


def run_once():
    loop = asyncio.new_event_loop()  # error: ELP102
    asyncio.set_event_loop(loop)
    try:
        return loop.run_until_complete(job())
    finally:
        loop.close()


def run_once_installed():
    loop = asyncio.new_event_loop()  # ok: ELP102
    asyncio.set_event_loop(loop)
    try:
        return loop.run_until_complete(job())
    finally:
        loop.close()


def serve_forever():
    loop = aio.new_event_loop()  # error: ELP102
    asyncio.set_event_loop(loop)
    loop.create_task(job())
    loop.run_forever()


def serve_forever_installed_later():
    loop = aio.new_event_loop()  # ok: ELP102
    loop.run_until_complete(job())
    aio.set_event_loop(loop)
    loop.run_forever()


def run_with_imported_name():
    loop = make_loop()  # error: ELP102
    asyncio.set_event_loop(loop)
    loop.run_until_complete(job())
    loop.close()


def run_with_policy_install():
    loop = make_loop()  # ok: ELP102
    asyncio.get_event_loop_policy().set_event_loop(loop)  # error: ELP107
    loop.run_until_complete(job())


def annotated_loop():
    loop: asyncio.AbstractEventLoop = asyncio.new_event_loop()  # error: ELP102
    asyncio.set_event_loop(loop)
    loop.run_until_complete(job())


def closing_loop():
    with contextlib.closing(asyncio.new_event_loop()) as loop:  # error: ELP102
        return loop.run_until_complete(job())


def closing_loop_installed():
    with contextlib.closing(asyncio.new_event_loop()) as loop:  # ok: ELP102
        asyncio.set_event_loop(loop)
        return loop.run_until_complete(job())


def chained_run():
    return asyncio.new_event_loop().run_until_complete(job())  # error: ELP102


def chained_install():
    asyncio.set_event_loop(asyncio.new_event_loop())  # ok: ELP102
    return asyncio.get_event_loop().run_until_complete(job())


def looked_up_again():
    loop = asyncio.new_event_loop()  # error: ELP102
    asyncio.set_event_loop(loop)
    legacy_loop = asyncio.get_event_loop()  # not the loop made above
    legacy_loop.call_soon(print, "scheduled")
    loop.close()


def looked_up_before_creating():
    previous = asyncio.get_event_loop()
    loop = asyncio.new_event_loop()  # ok: ELP102
    loop.close()
    return previous


def never_run():
    loop = asyncio.new_event_loop()  # ok: ELP102
    loop.set_debug(True)
    loop.close()


def future_bound_with_loop_argument():
    loop = asyncio.new_event_loop()  # error: ELP102
    asyncio.set_event_loop(loop)
    task = asyncio.ensure_future(job(), loop=loop)
    return loop.run_until_complete(task)


def submitted_threadsafe():
    loop = asyncio.new_event_loop()  # error: ELP102
    asyncio.set_event_loop(loop)
    future = asyncio.run_coroutine_threadsafe(job(), loop)
    loop.call_soon(loop.stop)
    loop.run_forever()
    return future


def class_constructed_loop():
    loop = asyncio.new_event_loop()  # error: ELP100, ELP102
    asyncio.set_event_loop(loop)
    return loop.run_until_complete(job())


def uvloop_loop():
    import uvloop

    loop = uvloop.new_event_loop()  # error: ELP102
    asyncio.set_event_loop(loop)
    loop.run_until_complete(job())


def uvloop_loop_installed():
    import uvloop

    loop = uvloop.new_event_loop()  # ok: ELP102
    asyncio.set_event_loop(loop)
    loop.run_until_complete(job())
