# asyncloop-target-version: >=3.7
"""ELP104 look-alikes: get_event_loop names that are not asyncio's, asyncio's get_event_loop
outside any coroutine body, and the policy's get_event_loop(), which is a different call.

Each look-alike sits next to the real problem it resembles.
"""
import asyncio
import logging

log = logging.getLogger(__name__)


def get_event_loop():
    """This module's own get_event_loop, not asyncio's."""
    return None


# -- get_event_loop methods of other objects ---------------------------------------------------------


class Service:
    def __init__(self, loop):
        self._loop = loop

    def get_event_loop(self):
        return self._loop

    async def tick(self):
        return self.get_event_loop().time()  # ok: ELP104

    async def tick_wrongly(self):
        return asyncio.get_running_loop().time()  # error: ELP104


async def handle(request):
    app_loop = request.app.get_event_loop()  # ok: ELP104
    running = asyncio.get_running_loop()  # error: ELP104
    return app_loop is running


async def ask_the_module_function():
    return get_event_loop()  # ok: ELP104


async def ask_a_nested_function():
    def get_event_loop():
        return "not asyncio's"

    return get_event_loop()  # ok: ELP104


# -- the policy's get_event_loop: a different call with different semantics ------------------------


async def through_the_policy():
    # Not this rule; the policy API itself is ELP107 on targets that reach 3.14.
    return asyncio.get_event_loop_policy().get_event_loop()  # error: ELP107  # ok: ELP104


async def next_to_the_policy():
    policy_loop = asyncio.get_event_loop_policy()  # error: ELP107  # ok: ELP104
    return policy_loop, asyncio.get_running_loop()  # error: ELP104


# -- text and comments --------------------------------------------------------------------------------


async def explain():
    log.info("asyncio.get_event_loop() is deprecated here")  # ok: ELP104
    # loop = asyncio.get_event_loop()
    hint = """use asyncio.get_running_loop() instead of asyncio.get_event_loop()"""  # ok: ELP104
    return hint


# -- not the body of a coroutine: sync code, class bodies, parameter defaults -------------------------


def on_timeout():
    # A callback scheduled with call_later: sync code that the loop runs.
    asyncio.get_event_loop().stop()  # ok: ELP104


class Defaults:
    loop = asyncio.new_event_loop()  # error: ELP105  # ok: ELP104
    asyncio.set_event_loop(loop)

    async def now(self):
        return asyncio.get_running_loop().time()  # error: ELP104


async def wait_on(future, loop=asyncio.get_event_loop()):  # error: ELP105  # ok: ELP104
    # The default is evaluated once, when the module is imported, not in the coroutine.
    return await asyncio.wait_for(future, 1)


async def wait_on_right(future):
    loop = asyncio.get_running_loop()  # ok: ELP104
    return await asyncio.wait_for(future, 1), loop


async def run_later(delay):
    handle = asyncio.get_running_loop().call_later(
        delay,
        lambda: asyncio.get_event_loop().stop(),  # ok: ELP104
    )
    return handle
