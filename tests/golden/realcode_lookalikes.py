# asyncloop-target-version: >=3.9
"""False positives found on published asyncio code (docs/real-code-triage.md, F3, F4 and F6-F9),
each reduced to its shape and kept silent, next to the closest shape that is still reported.
F5 (a custom policy) is in realcode_custom_policy.py, F9 at targets where the watcher API is
gone in realcode_removed_apis.py."""
import asyncio
import sys
import unittest
from concurrent.futures import ThreadPoolExecutor


async def serve():
    await asyncio.sleep(0)


# -- F3 (ELP100): a class the policy would not make, picked on purpose for one platform ---------------


def make_service_loop():
    # F3, ipykernel: service threads need add_reader, which the Windows default (the Proactor)
    # lacks, so on Windows the policy's loop is exactly what this code avoids.
    if sys.platform == "win32":
        return asyncio.SelectorEventLoop()  # ok: ELP100
    return asyncio.new_event_loop()


def make_service_ioloop(make_ioloop):
    # F3 as ipykernel 7.4.0 writes it: the other platforms get the default inside make_ioloop().
    if sys.platform == "win32":
        return make_ioloop(asyncio_loop=asyncio.SelectorEventLoop())  # ok: ELP100
    return make_ioloop()


def make_proactor_loop():
    # The other side of F3: the Proactor has been the Windows default since 3.8, so the class picks
    # what new_event_loop() gives (pytest-asyncio 0.24's 3.7-era workaround for subprocesses).
    if sys.platform == "win32":
        return asyncio.new_event_loop()  # error: ELP100
    return None


def make_proactor_loop_with_else():
    # The other side of F3: the same with new_event_loop() for the other platforms.
    if sys.platform == "win32":
        return asyncio.new_event_loop()  # error: ELP100
    return asyncio.new_event_loop()


def make_unix_loop():
    # The other side of F3: on Unix the policy makes a selector loop anyway; calling the class
    # only bypasses a policy such as uvloop's.
    if sys.platform != "win32":
        return asyncio.new_event_loop()  # error: ELP100
    return asyncio.new_event_loop()


def make_loop(fast):
    # The other side of F3: a test that is not about the platform picks nothing on purpose.
    if fast:
        return asyncio.new_event_loop()  # error: ELP100
    return asyncio.new_event_loop()


# -- F4 (ELP100): a class called only where loop_factory= is the recipe (3.12+) ------------------------


def plain_loop():
    # F4, anyio: on 3.13+ calling the class is loop_factory= by hand, for code that needs the
    # loop object itself; the policy it bypasses is deprecated in 3.14.
    if sys.version_info >= (3, 13):
        return asyncio.EventLoop()  # ok: ELP100
    return asyncio.new_event_loop()


def selector_loop_from_311():
    # The other side of F4: 3.11 still runs it, where the policy is the way to make a loop (the
    # message offers asyncio.Runner(loop_factory=), new in 3.11).
    if sys.version_info >= (3, 11):
        return asyncio.new_event_loop()  # error: ELP100
    return asyncio.new_event_loop()


# -- F6 (ELP101): the worker has a loop installed by the pool's initializer or by an earlier task ------


def install():
    asyncio.set_event_loop(asyncio.new_event_loop())


def report_name():
    print("worker started")


def work():
    # F6: every worker of the pool below runs install() first.
    return asyncio.get_event_loop().run_until_complete(serve())  # ok: ELP101


def work_in_bare_pool():
    # The other side of F6: the pool's initializer installs nothing.
    return asyncio.get_event_loop().run_until_complete(serve())  # error: ELP101


def run_with_initializer():
    with ThreadPoolExecutor(1, initializer=install) as executor:
        executor.submit(work).result()
    with ThreadPoolExecutor(initializer=report_name) as bare_pool:
        bare_pool.submit(work_in_bare_pool).result()


def run_in_either_pool(pool_with_loops):
    # The other side of F6: the name may hold a pool without the initializer, and only the lookup
    # in the last task decides which.
    executor = ThreadPoolExecutor(initializer=install)
    if not pool_with_loops:
        executor = ThreadPoolExecutor()
    return executor.submit(lambda: asyncio.get_event_loop().time()).result()  # error: ELP101


def test_same_worker():
    # F6, tornado: one worker runs both tasks in order, and the first installs a loop.
    executor = ThreadPoolExecutor(max_workers=1)
    executor.submit(install).result()
    executor.submit(lambda: asyncio.get_event_loop().close()).result()  # ok: ELP101
    executor.shutdown()


def test_two_workers():
    # The other side of F6: with two workers the second task may run on the other thread.
    executor = ThreadPoolExecutor(2)
    executor.submit(install).result()
    executor.submit(lambda: asyncio.get_event_loop().close()).result()  # error: ELP101
    executor.shutdown()


def test_installed_after():
    # The other side of F6: the installing task comes after the lookup.
    executor = ThreadPoolExecutor(1)
    executor.submit(lambda: asyncio.get_event_loop().close()).result()  # error: ELP101
    executor.submit(install).result()
    executor.shutdown()


# -- F7 (ELP104): the test's subject is get_event_loop() itself ----------------------------------------
# Both are still reported, with an unsafe fix only (tests/test_realcode_precision.py checks it).


def test_get_event_loop_returns_running_loop():
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    async def func():
        assert asyncio.get_running_loop() is loop  # error: ELP104

    loop.run_until_complete(func())
    asyncio.set_event_loop(None)
    loop.close()


class GetEventLoopTest(unittest.IsolatedAsyncioTestCase):
    async def test_running_loop(self):
        self.assertIs(asyncio.get_running_loop(), asyncio.get_running_loop())  # error: ELP104


# -- F8 (ELP106): a non-default watcher chosen on purpose below 3.12 ------------------------------------


def set_up(loop):
    # F8, uvloop's tests: on 3.9-3.11 this replaces ThreadedChildWatcher with SafeChildWatcher,
    # so it is not a no-op; the guard keeps it off 3.12+, where the API is deprecated.
    if sys.version_info < (3, 12):
        watcher = asyncio.SafeChildWatcher()  # ok: ELP106
        watcher.attach_loop(loop)
        asyncio.set_child_watcher(watcher)  # ok: ELP106


def tear_down():
    if sys.version_info < (3, 12):
        asyncio.set_child_watcher(None)  # ok: ELP106


def set_up_to_313(loop):
    # The other side of F8: 3.12 and 3.13 run it, where the whole API is deprecated.
    if sys.version_info < (3, 14):
        watcher = asyncio.SafeChildWatcher()  # error: ELP106
        watcher.attach_loop(loop)
        asyncio.set_child_watcher(watcher)  # error: ELP106


def attach_default_watcher(loop):
    # The other side of F8: attaching the default watcher does nothing on 3.8+, guard or not.
    if sys.version_info < (3, 12):
        asyncio.get_child_watcher().attach_loop(loop)  # error: ELP106


# -- F9 (ELP106): a policy whose get_child_watcher() tests for the API with hasattr ----------------------


class _Policy(asyncio.AbstractEventLoopPolicy):
    def __init__(self, loop):
        self.loop = loop
        self.watcher = None

    def get_child_watcher(self):
        if not hasattr(asyncio, "SafeChildWatcher"):
            raise NotImplementedError
        if self.watcher is None:
            # F9, asynctest: the hasattr test keeps this off 3.14+ (no AttributeError), and it is
            # the watcher asyncio uses, not a no-op. Still reported for 3.12-3.13 (deprecated).
            self.watcher = asyncio.SafeChildWatcher()  # error: ELP106
            self.watcher.attach_loop(self.loop)
        return self.watcher

    def set_child_watcher(self, watcher):
        if hasattr(asyncio, "SafeChildWatcher") and sys.version_info < (3, 12):
            # F9 with a version test as well: nothing that reaches it deprecates it.
            self.watcher = watcher or asyncio.SafeChildWatcher()  # ok: ELP106
