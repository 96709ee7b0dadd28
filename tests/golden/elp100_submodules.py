"""ELP100: loop classes reached through asyncio's submodules."""
# asyncloop-target-version: >=3.7
import asyncio
import asyncio.base_events
import asyncio.selector_events
import asyncio.unix_events
from asyncio import events
from asyncio import unix_events
from asyncio.windows_events import ProactorEventLoop as WinLoop


def unix_selector_loop():
    return asyncio.new_event_loop()  # error: ELP100


def unix_selector_loop_from_module():
    return asyncio.new_event_loop()  # error: ELP100


def unix_new_loop_from_module():
    # The submodule's policy is what new_event_loop() would consult.
    return unix_events.DefaultEventLoopPolicy().new_event_loop()  # ok: ELP100  # error: ELP107


def windows_proactor_loop():
    return asyncio.new_event_loop()  # error: ELP100


def windows_proactor_loop_aliased():
    return asyncio.new_event_loop()  # error: ELP100


def base_loop():
    return asyncio.base_events.BaseEventLoop()  # error: ELP100


def base_selector_loop():
    return asyncio.selector_events.BaseSelectorEventLoop()  # error: ELP100


def abstract_loop_from_events():
    return events.AbstractEventLoop()  # error: ELP100


def new_loop_from_events():
    return events.new_event_loop()  # ok: ELP100


class UnixLoop(asyncio.unix_events.SelectorEventLoop):  # ok: ELP100
    def __init__(self):
        asyncio.unix_events.SelectorEventLoop.__init__(self)  # ok: ELP100


class WindowsLoop(WinLoop):  # ok: ELP100
    pass


def make_local_subclass():
    return UnixLoop()  # ok: ELP100


def make_local_windows_subclass():
    return WindowsLoop()  # ok: ELP100
