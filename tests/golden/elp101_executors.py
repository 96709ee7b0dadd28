# asyncloop-target-version: >=3.7
"""ELP101: get_event_loop() in executor workers: ThreadPoolExecutor submit/map/initializer,
loop.run_in_executor, asyncio.to_thread.

Look-alikes: process pools (a worker process's main thread), ``.submit`` on an object not known
to be a thread pool, and workers that only use the loop handed to them.
"""
import asyncio
import concurrent.futures
import functools
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor


async def job():
    return 1


# -- with ThreadPoolExecutor() as pool: pool.submit / pool.map -----------------------------------


def submitted():
    return asyncio.get_event_loop().run_until_complete(job())  # error: ELP101


def mapped(item):
    return asyncio.get_event_loop(), item  # error: ELP101


def submitted_with_loop(loop):
    return asyncio.run_coroutine_threadsafe(job(), loop).result()


def use_context_managed_pool():
    loop = asyncio.get_event_loop()  # ok: ELP101
    with ThreadPoolExecutor(max_workers=2) as pool:
        pool.submit(submitted)
        list(pool.map(mapped, range(3)))
        pool.submit(submitted_with_loop, loop)


# -- pool = ThreadPoolExecutor(); fully qualified class; partial ---------------------------------


def submitted_through_partial(count):
    return asyncio.get_event_loop(), count  # error: ELP101


def submitted_guarded():
    try:
        return asyncio.get_event_loop()  # ok: ELP101
    except RuntimeError:
        return None


def use_assigned_pool():
    pool = concurrent.futures.ThreadPoolExecutor()
    try:
        pool.submit(functools.partial(submitted_through_partial, 2))
        pool.submit(submitted_guarded)
    finally:
        pool.shutdown()


# -- initializer= ---------------------------------------------------------------------------------


def init_worker():
    asyncio.get_event_loop()  # error: ELP101


def init_worker_with_own_loop():
    asyncio.set_event_loop(asyncio.new_event_loop())
    asyncio.get_event_loop()  # ok: ELP101


def use_initializers():
    with ThreadPoolExecutor(initializer=init_worker) as pool:
        pool.submit(print)
    with ThreadPoolExecutor(4, "init", init_worker_with_own_loop) as pool:
        pool.submit(print)


# -- self.pool = ThreadPoolExecutor() ------------------------------------------------------------


class Downloader:
    def __init__(self):
        self.pool = ThreadPoolExecutor()
        self.processes = ProcessPoolExecutor()

    def _fetch(self, url):
        return asyncio.get_event_loop(), url  # error: ELP101

    def _fetch_in_process(self, url):
        return asyncio.get_event_loop(), url  # ok: ELP101

    def fetch(self, url):
        return self.pool.submit(self._fetch, url)

    def fetch_in_process(self, url):
        return self.processes.submit(self._fetch_in_process, url)


# -- loop.run_in_executor -------------------------------------------------------------------------


def blocking_default_executor():
    return asyncio.get_event_loop().time()  # error: ELP101


def blocking_thread_executor(delay):
    return asyncio.get_event_loop().time() + delay  # error: ELP101


def blocking_process_executor():
    return asyncio.get_event_loop().time()  # ok: ELP101


def blocking_with_loop(loop):
    return loop.time()


async def use_run_in_executor():
    loop = asyncio.get_running_loop()  # ok: ELP101  # error: ELP104
    await loop.run_in_executor(None, blocking_default_executor)
    await loop.run_in_executor(None, blocking_with_loop, loop)
    with ThreadPoolExecutor() as threads:
        await loop.run_in_executor(threads, functools.partial(blocking_thread_executor, 1.0))
    with ProcessPoolExecutor() as processes:
        await loop.run_in_executor(processes, blocking_process_executor)


# -- asyncio.to_thread (3.9+) ---------------------------------------------------------------------


def to_thread_worker():
    return asyncio.get_event_loop()  # error: ELP101


def to_thread_worker_with_loop(loop):
    return loop.call_soon_threadsafe(print)


async def use_to_thread():
    await asyncio.to_thread(to_thread_worker)
    await asyncio.to_thread(to_thread_worker_with_loop, asyncio.get_running_loop())


# -- look-alikes: process pools, unknown .submit receivers ---------------------------------------


def process_worker():
    return asyncio.get_event_loop()  # ok: ELP101


def unknown_pool_worker():
    return asyncio.get_event_loop()  # ok: ELP101


def use_look_alike_pools(scheduler):
    with ProcessPoolExecutor() as pool:
        pool.submit(process_worker)
    scheduler.submit(unknown_pool_worker)
