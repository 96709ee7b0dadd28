"""ELP102: loops made by new_event_loop() in a function, never installed, then the current loop is
looked up in the same function: the lookup gets another loop, not the one made here."""
# asyncloop-target-version: >=3.7
import asyncio
import asyncio as aio
import contextlib
from asyncio import gather
from asyncio import new_event_loop as make_loop


async def job():
    await asyncio.sleep(0)
    return 42


async def drain(queue):
    while not queue.empty():
        await queue.get()


def run_once():
    # The asyncio.run() pattern by hand: nothing looks the loop up, so it needs no install.
    loop = asyncio.new_event_loop()  # ok: ELP102
    try:
        return loop.run_until_complete(job())
    finally:
        loop.close()


def run_together():
    loop = asyncio.new_event_loop()  # error: ELP102
    asyncio.set_event_loop(loop)
    try:
        return loop.run_until_complete(asyncio.gather(job(), job()))
    finally:
        loop.close()


def run_together_installed():
    loop = asyncio.new_event_loop()  # ok: ELP102
    asyncio.set_event_loop(loop)
    try:
        return loop.run_until_complete(asyncio.gather(job(), job()))
    finally:
        loop.close()


def serve_forever():
    loop = aio.new_event_loop()  # error: ELP102, ELP108
    asyncio.set_event_loop(loop)
    try:
        aio.ensure_future(job())
        loop.run_forever()
    finally:
        loop.close()


def serve_forever_with_create_task():
    # loop.create_task() schedules on this loop: no lookup of the current loop.
    loop = aio.new_event_loop()  # error: ELP108  # ok: ELP102
    try:
        loop.create_task(job())
        loop.run_forever()
    finally:
        loop.close()


def serve_forever_installed_later():
    loop = aio.new_event_loop()  # error: ELP108  # ok: ELP102
    try:
        loop.run_until_complete(job())
        aio.set_event_loop(loop)
        aio.ensure_future(job())
        loop.run_forever()
    finally:
        loop.close()


def run_with_imported_name():
    loop = make_loop()  # error: ELP102
    asyncio.set_event_loop(loop)
    loop.run_until_complete(gather(job(), job()))
    loop.close()


def run_with_policy_install():
    loop = make_loop()  # ok: ELP102
    asyncio.get_event_loop_policy().set_event_loop(loop)  # error: ELP107
    loop.run_until_complete(gather(job(), job()))


def annotated_loop():
    loop: asyncio.AbstractEventLoop = asyncio.new_event_loop()  # error: ELP102, ELP108
    asyncio.set_event_loop(loop)
    try:
        done = asyncio.Future()
        loop.call_soon(done.set_result, 42)
        return loop.run_until_complete(done)
    finally:
        loop.close()


def annotated_loop_with_its_own_future():
    # loop.create_future() belongs to this loop whatever is installed.
    loop: asyncio.AbstractEventLoop = asyncio.new_event_loop()  # error: ELP108  # ok: ELP102
    try:
        done = loop.create_future()
        loop.call_soon(done.set_result, 42)
        return loop.run_until_complete(done)
    finally:
        loop.close()


def closing_loop():
    with contextlib.closing(asyncio.new_event_loop()) as loop:  # error: ELP102
        return loop.run_until_complete(asyncio.gather(job(), job()))


def closing_loop_without_lookup():
    # Made, run and closed by the with block: nothing asks for the current loop.
    with contextlib.closing(asyncio.new_event_loop()) as loop:  # ok: ELP102
        return loop.run_until_complete(job())


def closing_loop_installed():
    with contextlib.closing(asyncio.new_event_loop()) as loop:  # ok: ELP102
        asyncio.set_event_loop(loop)
        return loop.run_until_complete(asyncio.gather(job(), job()))


def chained_run():
    # No variable holds the loop, and nothing can look it up again.
    return asyncio.new_event_loop().run_until_complete(job())  # error: ELP108  # ok: ELP102


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


def gathered_before_creating():
    # gather() ran before this loop existed: it meant the loop that was current then.
    pending = asyncio.gather(job(), job())
    loop = asyncio.new_event_loop()  # ok: ELP102
    loop.close()
    return pending


def never_run():
    loop = asyncio.new_event_loop()  # ok: ELP102
    loop.set_debug(True)
    loop.close()


def future_bound_with_loop_argument():
    # loop= binds the task to this loop: nothing is looked up.
    loop = asyncio.new_event_loop()  # error: ELP108  # ok: ELP102
    try:
        task = asyncio.ensure_future(job(), loop=loop)
        return loop.run_until_complete(task)
    finally:
        loop.close()


def future_bound_to_the_current_loop():
    loop = asyncio.new_event_loop()  # error: ELP102, ELP108
    asyncio.set_event_loop(loop)
    try:
        task = asyncio.ensure_future(job())
        return loop.run_until_complete(task)
    finally:
        loop.close()


def submitted_threadsafe():
    # run_coroutine_threadsafe() takes the loop as an argument and looks nothing up.
    loop = asyncio.new_event_loop()  # error: ELP108  # ok: ELP102
    try:
        future = asyncio.run_coroutine_threadsafe(job(), loop)
        loop.call_soon(loop.stop)
        loop.run_forever()
        return future
    finally:
        loop.close()


def class_constructed_loop():
    loop = asyncio.new_event_loop()  # error: ELP100, ELP102, ELP108
    asyncio.set_event_loop(loop)
    try:
        queue = asyncio.Queue()  # bound to the current loop on 3.7-3.9
        queue.put_nowait("item")
        return loop.run_until_complete(drain(queue))
    finally:
        loop.close()


def class_constructed_loop_without_lookup():
    loop = asyncio.new_event_loop()  # error: ELP100, ELP108  # ok: ELP102
    try:
        return loop.run_until_complete(job())
    finally:
        loop.close()


def uvloop_loop():
    import uvloop

    loop = uvloop.new_event_loop()  # error: ELP102, ELP108
    asyncio.set_event_loop(loop)
    try:
        waiter = asyncio.Future()
        loop.call_later(0.01, waiter.set_result, None)
        loop.run_until_complete(waiter)
    finally:
        loop.close()


def uvloop_loop_installed():
    import uvloop

    loop = uvloop.new_event_loop()  # error: ELP108  # ok: ELP102
    asyncio.set_event_loop(loop)
    try:
        waiter = asyncio.Future()
        loop.call_later(0.01, waiter.set_result, None)
        loop.run_until_complete(waiter)
    finally:
        loop.close()


async def gather_jobs():
    # Inside the coroutine, gather() finds the loop that runs it.
    return await asyncio.gather(job(), job())


def lookup_inside_the_coroutine():
    loop = asyncio.new_event_loop()  # ok: ELP102
    try:
        return loop.run_until_complete(gather_jobs())
    finally:
        loop.close()


def coroutine_helpers_only():
    # wait_for(), sleep() and wait() make coroutines; the lookup happens inside, on this loop.
    loop = asyncio.new_event_loop()  # ok: ELP102
    try:
        loop.run_until_complete(asyncio.wait_for(job(), timeout=1))
        loop.run_until_complete(asyncio.sleep(0))
    finally:
        loop.close()
