# asyncloop-target-version: >=3.10
"""ELP102 when every target is 3.10 or newer: queues, locks and events no longer look the loop up
when made (they bind to the loop that first waits on them, inside run_until_complete), so they are
fine after an uninstalled loop; gather(), ensure_future(), Future() and get_event_loop() still
look it up on every version."""
import asyncio
from asyncio import Event, Queue


async def job():
    await asyncio.sleep(0)
    return 42


async def worker(queue):
    while True:
        item = await queue.get()
        queue.task_done()
        if item is None:
            return


def queue_after_creating():
    loop = asyncio.new_event_loop()  # ok: ELP102
    queue = asyncio.Queue()
    queue.put_nowait(None)
    try:
        loop.run_until_complete(worker(queue))
    finally:
        loop.close()


def imported_queue_and_event():
    loop = asyncio.new_event_loop()  # ok: ELP102
    queue = Queue()
    stopped = Event()
    queue.put_nowait(None)
    loop.call_later(0.01, stopped.set)
    try:
        loop.run_until_complete(worker(queue))
        loop.run_until_complete(stopped.wait())
    finally:
        loop.close()


def locks_and_semaphores():
    loop = asyncio.new_event_loop()  # ok: ELP102
    lock = asyncio.Lock()
    ready = asyncio.Condition()
    slots = asyncio.Semaphore(2)
    connections = asyncio.BoundedSemaphore(10)
    try:
        for primitive in (lock, ready, slots, connections):
            loop.run_until_complete(primitive.acquire())
    finally:
        loop.close()


class Consumer:
    def __init__(self):
        self.loop = asyncio.new_event_loop()  # error: ELP108  # ok: ELP102
        self.inbox = asyncio.LifoQueue()
        self.outbox = asyncio.PriorityQueue()

    def run(self):
        self.inbox.put_nowait(None)
        self.loop.run_until_complete(worker(self.inbox))


def gather_still_binds():
    loop = asyncio.new_event_loop()  # error: ELP102
    asyncio.set_event_loop(loop)
    try:
        return loop.run_until_complete(asyncio.gather(job(), job()))
    finally:
        loop.close()


def ensure_future_still_binds():
    loop = asyncio.new_event_loop()  # error: ELP102
    asyncio.set_event_loop(loop)
    task = asyncio.ensure_future(job())
    try:
        return loop.run_until_complete(task)
    finally:
        loop.close()


def future_still_binds():
    loop = asyncio.new_event_loop()  # error: ELP102
    asyncio.set_event_loop(loop)
    done = asyncio.Future()
    loop.call_soon(done.set_result, 42)
    try:
        return loop.run_until_complete(done)
    finally:
        loop.close()


def get_event_loop_still_returns_another_loop():
    loop = asyncio.new_event_loop()  # error: ELP102
    asyncio.set_event_loop(loop)
    current = asyncio.get_event_loop()
    try:
        return current is loop
    finally:
        loop.close()


def queue_then_gather():
    # The queue is fine on 3.10+, the gather() after it is not.
    loop = asyncio.new_event_loop()  # error: ELP102
    asyncio.set_event_loop(loop)
    queue = asyncio.Queue()
    queue.put_nowait(None)
    try:
        loop.run_until_complete(asyncio.gather(worker(queue), job()))
    finally:
        loop.close()


async def drain_one():
    queue = asyncio.Queue()
    queue.put_nowait(None)
    await worker(queue)


def run_instead():
    # The recipe: asyncio.run() makes, installs and closes its loop.
    asyncio.run(drain_one())  # ok: ELP102
