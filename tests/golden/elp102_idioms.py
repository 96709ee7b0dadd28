"""ELP102 in common idioms: the get-or-create fallback, test helpers, fixtures, thread lambdas."""
# asyncloop-target-version: >=3.7
import asyncio
import sys
import threading
import unittest
from asyncio import set_event_loop as install_loop


async def job():
    await asyncio.sleep(0)


def get_or_create_not_installed():
    try:
        loop = asyncio.get_event_loop()
    except RuntimeError:
        loop = asyncio.new_event_loop()  # error: ELP102, ELP108
        asyncio.set_event_loop(loop)
    return loop.run_until_complete(asyncio.gather(job(), job()))


def get_or_create_run_directly():
    # The made loop only runs job(), which looks nothing up before it is running.
    try:
        loop = asyncio.get_event_loop()
    except RuntimeError:
        loop = asyncio.new_event_loop()  # error: ELP108  # ok: ELP102
    return loop.run_until_complete(job())


def get_or_create_installed():
    try:
        loop = asyncio.get_event_loop()
    except RuntimeError:
        loop = asyncio.new_event_loop()  # error: ELP108  # ok: ELP102
        asyncio.set_event_loop(loop)
    return loop.run_until_complete(job())


def lookup_guarded_against_runtime_error():
    loop = asyncio.new_event_loop()  # error: ELP102
    asyncio.set_event_loop(loop)
    try:
        current = asyncio.get_event_loop()  # a different loop on 3.7-3.13
    except RuntimeError:
        current = None
    loop.close()
    return current


def installed_through_an_imported_alias():
    loop = asyncio.new_event_loop()  # error: ELP108  # ok: ELP102
    install_loop(loop)
    try:
        loop.run_until_complete(asyncio.gather(job(), job()))
    finally:
        loop.close()


def installed_through_a_policy_variable():
    policy = asyncio.get_event_loop_policy()  # error: ELP107
    loop = policy.new_event_loop()
    policy.set_event_loop(loop)
    loop.run_until_complete(job())
    other = asyncio.new_event_loop()  # ok: ELP102
    policy.set_event_loop(other)
    asyncio.ensure_future(job())
    other.run_forever()


def looked_up_through_a_policy_variable():
    loop = asyncio.new_event_loop()  # error: ELP102
    asyncio.set_event_loop(loop)
    policy = asyncio.get_event_loop_policy()  # error: ELP107
    current = policy.get_event_loop()  # the policy's loop, not `loop`
    current.run_until_complete(job())
    loop.close()


def run_by_a_thread_lambda():
    # Run only by the thread's lambda, like Thread(target=loop.run_forever).
    loop = asyncio.new_event_loop()  # ok: ELP102
    threading.Thread(target=lambda: loop.run_forever(), daemon=True).start()


def run_by_a_thread_lambda_installing():
    loop = asyncio.new_event_loop()  # ok: ELP102
    threading.Thread(target=lambda: (asyncio.set_event_loop(loop), loop.run_forever()), daemon=True).start()


def chained_uvloop():
    import uvloop

    # Used once, straight from the call: no variable, no later lookup that could mean it.
    return uvloop.new_event_loop().run_until_complete(job())  # error: ELP108  # ok: ELP102


def chained_forever():
    asyncio.new_event_loop().run_forever()  # error: ELP108  # ok: ELP102


def fixture_style_generator():
    loop = asyncio.new_event_loop()  # ok: ELP102
    loop.run_until_complete(job())
    yield loop
    loop.close()


class LoopTestCase(unittest.TestCase):
    def setUp(self):
        self.loop = asyncio.new_event_loop()  # ok: ELP102
        self.set_event_loop(self.loop)

    def set_event_loop(self, loop):
        asyncio.set_event_loop(loop)
        self.addCleanup(loop.close)

    def test_job(self):
        self.loop.run_until_complete(job())


class BareLoopTestCase(unittest.TestCase):
    # Each test runs its coroutine on self.loop; setUp looks nothing up.
    def setUp(self):
        self.loop = asyncio.new_event_loop()  # ok: ELP102
        self.addCleanup(self.loop.close)

    def test_job(self):
        self.loop.run_until_complete(job())


class QueueTestCase(unittest.TestCase):
    def setUp(self):
        self.loop = asyncio.new_event_loop()  # error: ELP102
        asyncio.set_event_loop(self.loop)
        self.addCleanup(self.loop.close)
        self.queue = asyncio.Queue()  # bound to another loop on 3.7-3.9

    def test_put_then_get(self):
        self.loop.run_until_complete(self.queue.put("item"))
        self.assertEqual(self.loop.run_until_complete(self.queue.get()), "item")


class QueueWithLoopArgumentTestCase(unittest.TestCase):
    # The 3.7-era spelling: loop= binds the queue to self.loop (the argument is gone in 3.10).
    def setUp(self):
        self.loop = asyncio.new_event_loop()  # ok: ELP102
        self.addCleanup(self.loop.close)
        if sys.version_info < (3, 10):
            self.queue = asyncio.Queue(loop=self.loop)
        else:
            self.queue = asyncio.Queue()

    def test_put_then_get(self):
        self.loop.run_until_complete(self.queue.put("item"))
        self.assertEqual(self.loop.run_until_complete(self.queue.get()), "item")
