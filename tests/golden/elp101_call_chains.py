# asyncloop-target-version: >=3.7
"""ELP101: the lookup sits in a function the thread calls, not in the thread's entry itself.

Calls are followed through module functions, ``self.method()`` and nested functions, in order:
a loop installed earlier in the thread (directly or by a helper) makes later lookups safe.
"""
import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor


async def job():
    return 1


def install_loop():
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    return loop


def install_loop_indirectly():
    return install_loop()


# -- one and several levels deep ------------------------------------------------------------------


def current_loop():
    return asyncio.get_event_loop()  # error: ELP101


def run_job():
    return current_loop().run_until_complete(job())


def level_three():
    return asyncio.get_event_loop().time()  # error: ELP101


def level_two():
    return level_three()


def level_one():
    return level_two()


def start_chains():
    threading.Thread(target=run_job).start()
    threading.Thread(target=level_one).start()


# -- a helper installs the loop first -------------------------------------------------------------


def lookup_after_helper_installed():
    return asyncio.get_event_loop()  # ok: ELP101


def worker_installs_through_helper():
    install_loop()
    return lookup_after_helper_installed()


def lookup_after_nested_install():
    return asyncio.get_event_loop()  # ok: ELP101


def worker_installs_through_two_helpers():
    install_loop_indirectly()
    return lookup_after_nested_install()


def lookup_before_install():
    return asyncio.get_event_loop()  # error: ELP101


def worker_installs_too_late():
    lookup_before_install()
    install_loop()


def start_install_order():
    threading.Thread(target=worker_installs_through_helper).start()
    threading.Thread(target=worker_installs_through_two_helpers).start()
    threading.Thread(target=worker_installs_too_late).start()


# -- nested functions -----------------------------------------------------------------------------


def worker_with_nested_helper():
    def inner():
        return asyncio.get_event_loop()  # error: ELP101

    return inner()


def worker_with_unused_nested_helper():
    def never_called():
        return asyncio.get_event_loop()  # ok: ELP101

    return never_called


def start_with_captured_loop():
    loop = asyncio.get_event_loop()  # ok: ELP101

    def worker():
        loop.call_soon_threadsafe(loop.stop)

    threading.Thread(target=worker).start()


def start_nested_workers():
    threading.Thread(target=worker_with_nested_helper).start()
    threading.Thread(target=worker_with_unused_nested_helper).start()


# -- self.method() calls, inherited methods -------------------------------------------------------


class Poller:
    def _loop(self):
        return asyncio.get_event_loop()  # error: ELP101

    def _poll(self):
        self._loop().run_until_complete(job())

    def _loop_when_installed(self):
        return asyncio.get_event_loop()  # ok: ELP101

    def _poll_with_own_loop(self):
        asyncio.set_event_loop(asyncio.new_event_loop())
        self._loop_when_installed().run_until_complete(job())

    def start(self):
        threading.Thread(target=self._poll).start()
        threading.Thread(target=self._poll_with_own_loop).start()


class BasePump:
    def pump_loop(self):
        return asyncio.get_event_loop()  # error: ELP101


class Pump(BasePump):
    def _run(self):
        self.pump_loop().run_forever()

    def start(self):
        threading.Thread(target=self._run, daemon=True).start()


class PumpThread(threading.Thread):
    def _prepare(self):
        return asyncio.get_event_loop()  # error: ELP101

    def run(self):
        self._prepare()


# -- reached from an executor, and from both a thread and the main thread -------------------------


def shared_lookup():
    return asyncio.get_event_loop()  # error: ELP101


def pool_task():
    return shared_lookup()


def main_thread_only_lookup():
    return asyncio.get_event_loop()  # ok: ELP101


def main():
    main_thread_only_lookup()
    shared_lookup()
    with ThreadPoolExecutor() as pool:
        pool.submit(pool_task)


# -- a coroutine the thread runs with asyncio.run() looks the running loop up --------------------


async def coroutine_lookup():
    return asyncio.get_running_loop()  # ok: ELP101  # error: ELP104


def worker_running_coroutine():
    return asyncio.run(coroutine_lookup())


def start_coroutine_worker():
    threading.Thread(target=worker_running_coroutine).start()
