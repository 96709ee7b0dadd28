"""ELP100 look-alikes: same names, but not asyncio's loop classes being called."""
# asyncloop-target-version: >=3.7
import asyncio
from asyncio import SelectorEventLoop


class LoggingLoop(asyncio.SelectorEventLoop):  # ok: ELP100
    def __init__(self):
        asyncio.SelectorEventLoop.__init__(self)  # ok: ELP100
        self.calls = []


class QuietLoop(SelectorEventLoop):  # ok: ELP100
    def __init__(self):
        super().__init__()  # ok: ELP100


def make_logging_loop():
    loop = LoggingLoop()  # ok: ELP100
    asyncio.set_event_loop(loop)
    return loop


def make_imported_loop():
    loop = asyncio.new_event_loop()  # error: ELP100
    asyncio.set_event_loop(loop)
    return loop


def local_class_with_the_same_name():
    class SelectorEventLoop:
        def close(self):
            pass

    return SelectorEventLoop()  # ok: ELP100


def local_function_with_the_same_name():
    def ProactorEventLoop():
        return asyncio.new_event_loop()

    return ProactorEventLoop()  # ok: ELP100


def parameter_shadows_the_module(asyncio):
    return asyncio.SelectorEventLoop()  # ok: ELP100


def relative_import():
    from . import events

    return events.AbstractEventLoop()  # ok: ELP100


def relative_import_of_the_class():
    from .loops import SelectorEventLoop

    return SelectorEventLoop()  # ok: ELP100


def factory_held_in_a_variable(factory=asyncio.SelectorEventLoop):  # ok: ELP100
    return factory()  # ok: ELP100


def named_in_a_string():
    return getattr(asyncio, "SelectorEventLoop")  # ok: ELP100


def really_called():
    return asyncio.new_event_loop()  # error: ELP100
