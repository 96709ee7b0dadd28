"""ELP100: a module-level alias chosen by platform or by an optional import is still a loop class."""
# asyncloop-target-version: >=3.7
import asyncio
import asyncio.unix_events as ue
import sys

if sys.platform == "win32":
    PlatformLoop = asyncio.ProactorEventLoop
else:
    PlatformLoop = asyncio.SelectorEventLoop

try:
    from uvloop import Loop as FastLoop
except ImportError:
    FastLoop = asyncio.SelectorEventLoop


def platform_loop():
    loop = asyncio.new_event_loop()  # error: ELP100
    asyncio.set_event_loop(loop)
    return loop


def platform_loop_as_factory(main):
    with asyncio.Runner(loop_factory=PlatformLoop) as runner:  # ok: ELP100
        return runner.run(main())


def fast_loop():
    return FastLoop()  # error: ELP100


def fast_loop_as_factory(main):
    return asyncio.run(main(), loop_factory=FastLoop)  # ok: ELP100


def submodule_imported_as():
    return asyncio.new_event_loop()  # error: ELP100


def submodule_policy():
    return ue.DefaultEventLoopPolicy()  # ok: ELP100  # error: ELP107
