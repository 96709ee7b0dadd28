"""ELP100 under aliases: import-as, from-import-as, module-level alias assignments."""
# asyncloop-target-version: >=3.7
import asyncio
import asyncio as aio
from asyncio import ProactorEventLoop
from asyncio import SelectorEventLoop as SEL

LoopClass = asyncio.SelectorEventLoop
DefaultLoop = aio.BaseEventLoop


def aliased_module():
    loop = asyncio.new_event_loop()  # error: ELP100
    aio.set_event_loop(loop)
    return loop


def aliased_module_new_loop():
    loop = aio.new_event_loop()  # ok: ELP100
    aio.set_event_loop(loop)
    return loop


def aliased_class():
    return asyncio.new_event_loop()  # error: ELP100


def imported_class():
    return asyncio.new_event_loop()  # error: ELP100


def module_level_alias():
    return asyncio.new_event_loop()  # error: ELP100


def module_level_alias_of_alias():
    return DefaultLoop()  # error: ELP100


def alias_is_only_passed_on():
    return aio.Runner(loop_factory=LoopClass)  # ok: ELP100


def alias_checked_with_isinstance(loop):
    return isinstance(loop, SEL)  # ok: ELP100


def parameter_default(loop_class=SEL):  # ok: ELP100
    # Whatever the caller passes: not known to be a loop class.
    return loop_class()  # ok: ELP100
