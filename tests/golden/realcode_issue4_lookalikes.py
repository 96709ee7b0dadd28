# asyncloop-target-version: >=3.9
"""False positives found by the issue-4 re-run on published asyncio code (docs/real-code-triage.md,
"Re-run with the engine of issue 4": F6b and F9b, the corpus forms of F6 and F9 that are still
reported, the new F10-F13, and F14 from CPython's own tests), each reduced to its shape, next to
the closest shape that is rightly reported. A line the engine still reports although it should
not is annotated `# error:` with FALSE POSITIVE, so the suite stays green; the day it goes
silent, the annotation becomes `# ok:`."""
import asyncio
import contextlib
import os
import threading
import unittest
from concurrent.futures import ThreadPoolExecutor

from tornado.ioloop import IOLoop


async def serve():
    await asyncio.sleep(0)


# -- F10 (ELP108): closing() applied to a loop that is already in a variable ----------------------------


def run_on_exit_stack():
    # F10, aiohttp tests/test_client_session.py test_connector_loop: the ExitStack closes the loop.
    with contextlib.ExitStack() as stack:
        another_loop = asyncio.new_event_loop()  # ok: ELP108 (F10: the ExitStack closes it)
        stack.enter_context(contextlib.closing(another_loop))
        another_loop.run_until_complete(serve())


def run_in_closing_block():
    # F10 in a with statement: closing(loop) closes it when the block ends.
    loop = asyncio.new_event_loop()  # ok: ELP108 (F10: closing() closes it)
    with contextlib.closing(loop):
        loop.run_until_complete(serve())


def run_in_closing_of_the_call():
    # The form the engine already knows: closing() around the creating call.
    with contextlib.closing(asyncio.new_event_loop()) as loop:  # ok: ELP108
        loop.run_until_complete(serve())


def run_with_unused_closing():
    # The other side of F10: a closing() object that is never entered closes nothing.
    loop = asyncio.new_event_loop()  # error: ELP108
    try:
        contextlib.closing(loop)
        loop.run_until_complete(serve())
    finally:
        loop.close()


# -- F11 (ELP108): the loop is closed through a wrapper that adopted it ---------------------------------


class IOLoopThread(threading.Thread):
    # F11, jupyter_client 8.6.3 threaded.py: IOLoop.current() inside the running loop returns a
    # tornado IOLoop wrapping *this* loop, and IOLoop.close() closes the asyncio loop
    # (tornado/platform/asyncio.py, BaseAsyncIOLoop.close). The close is in tornado, which the
    # file cannot see.
    ioloop = None
    exiting = False

    def run(self):
        loop = asyncio.new_event_loop()  # error: ELP108  FALSE POSITIVE (see docs/real-code-triage.md F11)
        asyncio.set_event_loop(loop)
        try:

            async def assign_ioloop():
                self.ioloop = IOLoop.current()

            loop.run_until_complete(assign_ioloop())
            loop.run_until_complete(self.wait_for_exit())
        finally:
            loop.close()

    async def wait_for_exit(self):
        while not self.exiting:
            await asyncio.sleep(1)

    def stop(self):
        self.exiting = True
        self.join()
        if self.ioloop is not None:
            self.ioloop.close(all_fds=True)


# -- F12 (ELP108): a forked worker's loop, and the process ends in os._exit() -------------------------------


class DirtyWorker:
    # F12, gunicorn 27.0.1 dirty/worker.py: the loop lives as long as the forked process, which
    # the arbiter (another module in gunicorn) ends with os._exit(): nothing leaks past it, and no
    # destructor runs to warn. Reduced here to one file.
    def run(self):
        try:
            self._loop = asyncio.new_event_loop()  # error: ELP108  FALSE POSITIVE (see docs/real-code-triage.md F12)
            asyncio.set_event_loop(self._loop)
            self._loop.run_until_complete(serve())
        finally:
            self._cleanup()

    def _cleanup(self):
        print("worker exiting")


def spawn_worker():
    if os.fork() == 0:
        DirtyWorker().run()
        os._exit(0)


# -- F9b (ELP106): the hasattr test for the removed API is in a helper method -------------------------------


class _Policy(asyncio.AbstractEventLoopPolicy):
    # F9b, asynctest 0.13.0 case.py: the inline `if not hasattr(...)` form of F9 is understood
    # (realcode_lookalikes.py); through a helper the message still says "raises AttributeError on
    # Python 3.14+", where _check_unix() raises NotImplementedError first. The 3.12-3.13
    # deprecation it also names is right, so the line stays reported; its wording is the FP.
    def __init__(self, loop):
        self.loop = loop
        self.watcher = None

    def _check_unix(self):
        if not hasattr(asyncio, "SafeChildWatcher"):
            raise NotImplementedError

    def get_child_watcher(self):
        self._check_unix()
        if self.watcher is None:
            self.watcher = asyncio.SafeChildWatcher()  # error: ELP106  FALSE POSITIVE (see docs/real-code-triage.md F9b)
            self.watcher.attach_loop(self.loop)
        return self.watcher


# -- F14 (ELP106): get_child_watcher() used to reach the installed watcher, not to attach a loop ---------


def clear_fast_watcher_callbacks():
    # F14, CPython 3.11 Lib/test/test_asyncio/test_subprocess.py:619: the test installed a
    # FastChildWatcher, and this reaches it to clear its callbacks. That is not the 3.7 attach
    # that "does nothing on 3.8+"; the 3.12 deprecation and the 3.14 removal it also names are
    # right, so the line stays reported; its wording is the FP.
    asyncio.get_child_watcher()._callbacks.clear()  # error: ELP106 (F14 fixed: reported only as deprecated, not as a no-op)


# -- F6b (ELP101): the earlier task that installs the loop is a library's, tornado's IOLoop.current ---------


class ThreadAccessorTest(unittest.TestCase):
    # F6b, tornado's asyncio_test.py: the one worker ran IOLoop.current() first, which creates and
    # installs a loop in that thread, so get_event_loop() returns it. With an installer defined in
    # the module (realcode_lookalikes.py, test_same_worker) nothing is reported.
    # (tornado's task closes the loop it gets; .time() here, since a get_event_loop().close()
    # anywhere in a module counts as closing every installed loop for ELP108, and F11/F12 are above.)
    def setUp(self):
        self.executor = ThreadPoolExecutor(1)

    def tearDown(self):
        self.executor.shutdown()

    def test_tornado_accessor(self):
        self.executor.submit(IOLoop.current).result()
        self.executor.submit(lambda: asyncio.get_event_loop().time()).result()  # error: ELP101  FALSE POSITIVE (see docs/real-code-triage.md F6b)


# -- F13 (ELP105): a module-level lookup that 3.12+ never reaches ------------------------------------------


@asyncio.coroutine  # removed in 3.11: on 3.11+ the import of this module stops here (AttributeError)
def old_style():
    yield from asyncio.sleep(0)


# F13, aiomysql 0.3.2 examples/example_simple_sa_oldstyle.py: on the versions the message names
# (3.12+) the line is never reached; on 3.9-3.10, which reach it, it neither warns nor raises. The
# other side is its five sibling *_oldstyle.py examples, whose `loop = asyncio.get_event_loop()`
# comes before the first @asyncio.coroutine: 3.12+ runs it, and it is rightly reported.
asyncio.run(old_style())  # error: ELP105  FALSE POSITIVE (see docs/real-code-triage.md F13)
