"""ELP102: every way of looking the current loop up after making a loop that is not installed.

get_event_loop() returns another loop; gather(), ensure_future(), shield(), wrap_future() and
Future() bind what they make to that other loop on every version; queues, locks and events do on
3.7-3.9 (the targets here include them). Each lookup is also shown spelled through an alias, and
next to look-alikes that are fine: before the loop exists, inside the coroutine or a callback the
loop runs, with loop=, or code under a 3.10+ guard.
"""
# asyncloop-target-version: >=3.7
import asyncio
import asyncio.queues
import concurrent.futures
import sys
from asyncio import BoundedSemaphore, Condition, LifoQueue, PriorityQueue, Semaphore
from asyncio import Event as AsyncEvent
from asyncio import Queue as AsyncQueue
from asyncio import gather
from asyncio.futures import Future
from asyncio.locks import Lock
from asyncio.tasks import ensure_future as schedule
from asyncio.tasks import shield


async def job():
    await asyncio.sleep(0)
    return 42


async def worker(queue):
    while True:
        item = await queue.get()
        queue.task_done()
        if item is None:
            return


async def contend(primitive, holders=2):
    """More holders than the primitive admits: the later ones wait, on the primitive's loop."""

    async def hold():
        async with primitive:
            await asyncio.sleep(0.01)

    await asyncio.gather(*(hold() for _ in range(holders)))


def blocking_work():
    return 42


# -- the lookups, each one after a loop that is not installed ---------------------------------


def get_event_loop_after_creating():
    loop = asyncio.new_event_loop()  # error: ELP102
    asyncio.set_event_loop(loop)
    current = asyncio.get_event_loop()
    current.run_until_complete(job())
    loop.close()


def gather_from_an_import():
    loop = asyncio.new_event_loop()  # error: ELP102
    asyncio.set_event_loop(loop)
    try:
        return loop.run_until_complete(gather(job(), job(), return_exceptions=True))
    finally:
        loop.close()


def ensure_future_through_an_alias():
    loop = asyncio.new_event_loop()  # error: ELP102
    asyncio.set_event_loop(loop)
    task = schedule(job())
    try:
        return loop.run_until_complete(task)
    finally:
        loop.close()


def shield_a_coroutine():
    loop = asyncio.new_event_loop()  # error: ELP102
    asyncio.set_event_loop(loop)
    try:
        return loop.run_until_complete(shield(job()))
    finally:
        loop.close()


def shield_through_the_module():
    loop = asyncio.new_event_loop()  # error: ELP102
    asyncio.set_event_loop(loop)
    try:
        return loop.run_until_complete(asyncio.shield(job()))
    finally:
        loop.close()


def wrap_a_thread_pool_future():
    loop = asyncio.new_event_loop()  # error: ELP102
    asyncio.set_event_loop(loop)
    with concurrent.futures.ThreadPoolExecutor() as pool:
        try:
            return loop.run_until_complete(asyncio.wrap_future(pool.submit(blocking_work)))
        finally:
            loop.close()


def future_from_the_futures_module():
    loop = asyncio.new_event_loop()  # error: ELP102
    asyncio.set_event_loop(loop)
    done = Future()
    loop.call_soon(done.set_result, 42)
    try:
        return loop.run_until_complete(done)
    finally:
        loop.close()


def queue_through_an_alias():
    loop = asyncio.new_event_loop()  # error: ELP102
    asyncio.set_event_loop(loop)
    queue = AsyncQueue()
    loop.call_later(0.01, queue.put_nowait, None)
    try:
        loop.run_until_complete(worker(queue))
    finally:
        loop.close()


def queue_from_the_queues_module():
    loop = asyncio.new_event_loop()  # error: ELP102
    asyncio.set_event_loop(loop)
    queue = asyncio.queues.Queue()
    loop.call_later(0.01, queue.put_nowait, None)
    try:
        loop.run_until_complete(worker(queue))
    finally:
        loop.close()


def lifo_queue():
    loop = asyncio.new_event_loop()  # error: ELP102
    asyncio.set_event_loop(loop)
    recent = LifoQueue()
    loop.call_later(0.01, recent.put_nowait, None)
    try:
        loop.run_until_complete(worker(recent))
    finally:
        loop.close()


def priority_queue():
    loop = asyncio.new_event_loop()  # error: ELP102
    asyncio.set_event_loop(loop)
    urgent = PriorityQueue()
    try:
        loop.run_until_complete(asyncio.wait_for(urgent.get(), timeout=0.01))
    except asyncio.TimeoutError:
        pass
    finally:
        loop.close()


def lock_from_the_locks_module():
    loop = asyncio.new_event_loop()  # error: ELP102
    asyncio.set_event_loop(loop)
    lock = Lock()
    try:
        loop.run_until_complete(contend(lock))
    finally:
        loop.close()


def event_through_an_alias():
    loop = asyncio.new_event_loop()  # error: ELP102
    asyncio.set_event_loop(loop)
    stopped = AsyncEvent()
    loop.call_later(0.01, stopped.set)
    try:
        loop.run_until_complete(stopped.wait())
    finally:
        loop.close()


def condition():
    loop = asyncio.new_event_loop()  # error: ELP102
    asyncio.set_event_loop(loop)
    ready = Condition()
    try:
        loop.run_until_complete(contend(ready))
    finally:
        loop.close()


def semaphore():
    loop = asyncio.new_event_loop()  # error: ELP102
    asyncio.set_event_loop(loop)
    slots = Semaphore(2)
    try:
        loop.run_until_complete(contend(slots, holders=3))
    finally:
        loop.close()


def bounded_semaphore():
    loop = asyncio.new_event_loop()  # error: ELP102
    asyncio.set_event_loop(loop)
    connections = BoundedSemaphore(2)
    try:
        loop.run_until_complete(contend(connections, holders=3))
    finally:
        loop.close()


def lock_through_the_module():
    loop = asyncio.new_event_loop()  # error: ELP102
    asyncio.set_event_loop(loop)
    lock = asyncio.Lock()
    try:
        loop.run_until_complete(contend(lock))
    finally:
        loop.close()


def lookup_inside_a_with_block():
    loop = asyncio.new_event_loop()  # error: ELP102
    asyncio.set_event_loop(loop)
    with concurrent.futures.ThreadPoolExecutor() as pool:
        pending = [asyncio.wrap_future(pool.submit(blocking_work)) for _ in range(3)]
    try:
        return loop.run_until_complete(asyncio.gather(*pending))
    finally:
        loop.close()


def lookup_under_a_pre_310_guard():
    loop = asyncio.new_event_loop()  # error: ELP102
    asyncio.set_event_loop(loop)
    if sys.version_info < (3, 10):
        queue = asyncio.Queue()  # bound to another loop on exactly the versions that reach it
        loop.call_later(0.01, queue.put_nowait, None)
        loop.run_until_complete(worker(queue))
    loop.close()


# -- look-alikes: the same calls where they are fine ------------------------------------------


def lookups_before_creating():
    # Made for the loop that is current now; the new loop is for something else.
    queue = asyncio.Queue()
    pending = asyncio.ensure_future(job())
    loop = asyncio.new_event_loop()  # ok: ELP102
    loop.close()
    return queue, pending


async def gather_inside():
    return await asyncio.gather(job(), job())


def lookup_inside_the_coroutine_it_runs():
    loop = asyncio.new_event_loop()  # ok: ELP102
    try:
        return loop.run_until_complete(gather_inside())
    finally:
        loop.close()


def lookup_in_a_callback_it_runs():
    # A callback runs inside the loop: ensure_future() there finds the running loop.
    loop = asyncio.new_event_loop()  # ok: ELP102
    loop.call_soon(schedule, job())
    loop.call_soon(lambda: asyncio.ensure_future(job()))
    try:
        loop.run_until_complete(asyncio.sleep(0.01))
    finally:
        loop.close()


def lookup_in_a_nested_function():
    loop = asyncio.new_event_loop()  # ok: ELP102

    async def both():
        return await asyncio.gather(job(), job())

    try:
        return loop.run_until_complete(both())
    finally:
        loop.close()


def lookups_with_loop_argument():
    loop = asyncio.new_event_loop()  # ok: ELP102
    done = asyncio.Future(loop=loop)
    task = asyncio.ensure_future(job(), loop=loop)
    with concurrent.futures.ThreadPoolExecutor() as pool:
        wrapped = asyncio.wrap_future(pool.submit(blocking_work), loop=loop)
        loop.call_soon(done.set_result, None)
        try:
            loop.run_until_complete(done)
            return loop.run_until_complete(task), loop.run_until_complete(wrapped)
        finally:
            loop.close()


def gather_unpacked_with_loop_argument(coroutines):
    # Before 3.10 gather() takes loop=; after *coroutines it is still the keyword that counts.
    loop = asyncio.new_event_loop()  # ok: ELP102
    try:
        return loop.run_until_complete(asyncio.gather(*coroutines, loop=loop))
    finally:
        loop.close()


def queue_with_loop_argument_before_310():
    # The compatibility shim: loop= where it exists, and 3.10+ binds the queue on first use.
    loop = asyncio.new_event_loop()  # ok: ELP102
    if sys.version_info < (3, 10):
        queue = asyncio.Queue(loop=loop)
    else:
        queue = asyncio.Queue()
    queue.put_nowait(None)
    try:
        loop.run_until_complete(worker(queue))
    finally:
        loop.close()


def queue_under_a_310_guard():
    # 3.10+ queues and locks bind to the loop that first waits on them, inside run_until_complete.
    loop = asyncio.new_event_loop()  # ok: ELP102
    if sys.version_info >= (3, 10):
        queue = asyncio.Queue()
        lock = asyncio.Lock()
        queue.put_nowait(None)
        loop.run_until_complete(worker(queue))
        loop.run_until_complete(lock.acquire())
    loop.close()


def gather_shadowed_by_a_local_function():
    def gather(*coroutines):
        return list(coroutines)

    loop = asyncio.new_event_loop()  # ok: ELP102
    try:
        return [loop.run_until_complete(coroutine) for coroutine in gather(job(), job())]
    finally:
        loop.close()


def gather_shadowed_by_a_parameter(gather=list):
    loop = asyncio.new_event_loop()  # ok: ELP102
    try:
        return gather(loop.run_until_complete(job()) for _ in range(2))
    finally:
        loop.close()


def gather_in_a_string_and_a_comment():
    loop = asyncio.new_event_loop()  # ok: ELP102
    # asyncio.gather(job(), job()) here would bind to another loop, so the jobs run one by one.
    message = "use asyncio.gather() only inside the coroutine"
    try:
        return [loop.run_until_complete(job()) for _ in range(2)], message
    finally:
        loop.close()


def futures_of_this_loop():
    # create_future() and create_task() belong to the loop they are called on.
    loop = asyncio.new_event_loop()  # ok: ELP102
    done = loop.create_future()
    task = loop.create_task(job())
    loop.call_soon(done.set_result, None)
    try:
        loop.run_until_complete(done)
        return loop.run_until_complete(task)
    finally:
        loop.close()


def concurrent_futures_future():
    loop = asyncio.new_event_loop()  # ok: ELP102
    handle = concurrent.futures.Future()
    handle.set_result(loop.run_until_complete(job()))
    loop.close()
    return handle
