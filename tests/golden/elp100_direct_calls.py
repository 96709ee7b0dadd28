"""ELP100: event-loop classes called directly, next to the calls that are fine."""
# asyncloop-target-version: >=3.7
import asyncio


async def main():
    await asyncio.sleep(0)


def selector_loop():
    loop = asyncio.new_event_loop()  # error: ELP100
    asyncio.set_event_loop(loop)
    return loop


def policy_loop():
    loop = asyncio.new_event_loop()  # ok: ELP100
    asyncio.set_event_loop(loop)
    return loop


def proactor_loop():
    # Windows only, but a call all the same.
    return asyncio.new_event_loop()  # error: ELP100


def base_loop_for_tests():
    return asyncio.BaseEventLoop()  # error: ELP100


def abstract_loop_placeholder():
    return asyncio.AbstractEventLoop()  # error: ELP100


def default_loop_313():
    return asyncio.new_event_loop()  # error: ELP100


def loop_from_policy():
    return asyncio.get_event_loop_policy().new_event_loop()  # ok: ELP100  # error: ELP107


class Service:
    def __init__(self):
        self.loop = asyncio.new_event_loop()  # error: ELP100
        self.factory = asyncio.SelectorEventLoop  # ok: ELP100

    def is_selector(self):
        return isinstance(self.loop, asyncio.SelectorEventLoop)  # ok: ELP100

    def is_base(self, loop):
        return issubclass(type(loop), asyncio.BaseEventLoop)  # ok: ELP100

    def describe(self, loop: asyncio.AbstractEventLoop) -> str:  # ok: ELP100
        return type(loop).__name__


def run_with_factory():
    with asyncio.Runner(loop_factory=asyncio.SelectorEventLoop) as runner:  # ok: ELP100
        runner.run(main())


def run_with_factory_312():
    asyncio.run(main(), loop_factory=asyncio.EventLoop)  # ok: ELP100


def documented():
    hint = "do not call asyncio.SelectorEventLoop() directly"  # ok: ELP100
    # asyncio.SelectorEventLoop() would ignore the policy.
    return hint  # was: loop = asyncio.ProactorEventLoop()  # ok: ELP100
