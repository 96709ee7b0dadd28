"""ELP105: asyncio.get_event_loop() after asyncio.run() returned, or after set_event_loop(None)."""
# asyncloop-target-version: >=3.7
import asyncio
import unittest


async def setup():
    await asyncio.sleep(0)


def run_then_look_up():
    asyncio.run(setup())
    loop = asyncio.new_event_loop()  # error: ELP105
    asyncio.set_event_loop(loop)
    return loop


def run_then_chain():
    asyncio.run(setup())
    return asyncio.run(setup())  # error: ELP105


def uninstall_then_look_up():
    asyncio.set_event_loop(None)
    return asyncio.get_event_loop()  # error: ELP105


def run_in_branch(fast):
    if fast:
        asyncio.run(setup())
    return asyncio.get_event_loop()  # ok: ELP105 (asyncio.run() may not have run)


def run_then_install():
    asyncio.run(setup())
    loop = asyncio.new_event_loop()  # ok: ELP108 (installed for later code, not run here)
    asyncio.set_event_loop(loop)
    return asyncio.get_event_loop()  # ok: ELP105 (installed again)


def run_with_factory():
    asyncio.run(setup(), loop_factory=asyncio.new_event_loop)
    return asyncio.get_event_loop()  # ok: ELP105 (a loop factory sets nothing, resets nothing)


def look_up_first():
    loop = asyncio.get_event_loop()  # ok: ELP105 (before asyncio.run())
    asyncio.run(setup())
    return loop


def lookup_expected_to_fail():
    asyncio.run(setup())
    try:
        asyncio.get_event_loop()  # ok: ELP105 (the RuntimeError is caught)
    except RuntimeError:
        pass


class PolicyTests(unittest.TestCase):
    def test_no_loop_after_run(self):
        asyncio.run(setup())
        with self.assertRaises(RuntimeError):
            asyncio.get_event_loop()  # ok: ELP105 (the test expects the error)

    def test_after_run(self):
        asyncio.run(setup())
        self.assertIsNotNone(asyncio.get_event_loop())  # error: ELP105


async def in_a_coroutine():
    return asyncio.get_running_loop()  # error: ELP104
