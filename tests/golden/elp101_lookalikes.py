# asyncloop-target-version: >=3.7
"""ELP101 look-alikes: code that runs in a worker thread and says ``get_event_loop`` but is safe,
or that says ``asyncio.get_event_loop()`` but does not run in a worker thread.

Each look-alike sits next to the real problem it resembles.
"""
import asyncio
import multiprocessing
import threading


async def job():
    return 1


def get_event_loop():
    """This module's own get_event_loop, not asyncio's."""
    return None


# -- get_event_loop names that are not asyncio's --------------------------------------------------


class EventBus:
    def __init__(self, loop):
        self._loop = loop

    def get_event_loop(self):
        return self._loop

    def _dispatch(self):
        self.get_event_loop().call_soon_threadsafe(print)  # ok: ELP101

    def _dispatch_wrongly(self):
        asyncio.get_event_loop().call_soon_threadsafe(print)  # error: ELP101

    def start(self):
        threading.Thread(target=self._dispatch).start()
        threading.Thread(target=self._dispatch_wrongly).start()


def worker_calls_module_function():
    return get_event_loop()  # ok: ELP101


def worker_calls_other_object(bus):
    return bus.get_event_loop()  # ok: ELP101


def worker_with_shadowing_parameter(asyncio):
    return asyncio.get_event_loop()  # ok: ELP101


def worker_with_relative_import():
    from .compat import get_event_loop as compat_get_event_loop

    return compat_get_event_loop()  # ok: ELP101


def worker_with_local_function():
    def get_event_loop():
        return None

    return get_event_loop()  # ok: ELP101


def worker_mentions_it_in_text():
    print("asyncio.get_event_loop() is not called here")  # ok: ELP101
    return asyncio.get_event_loop_policy()  # ok: ELP101  # error: ELP107


def worker_really_calls_it():
    return asyncio.get_event_loop()  # error: ELP101


def start_name_look_alikes(bus):
    threading.Thread(target=worker_calls_module_function).start()
    threading.Thread(target=worker_calls_other_object, args=(bus,)).start()
    threading.Thread(target=worker_with_shadowing_parameter, args=(None,)).start()
    threading.Thread(target=worker_with_relative_import).start()
    threading.Thread(target=worker_with_local_function).start()
    threading.Thread(target=worker_mentions_it_in_text).start()
    threading.Thread(target=worker_really_calls_it).start()


# -- not a worker thread: coroutines, loop callbacks, processes, never started --------------------


async def coroutine_target():
    return asyncio.get_running_loop()  # ok: ELP101  # error: ELP104


def callback_on_the_loop():
    return asyncio.get_event_loop().time()  # ok: ELP101


def process_target():
    return asyncio.get_event_loop()  # ok: ELP101


def defined_but_never_started():
    return asyncio.get_event_loop()  # ok: ELP101


def thread_target_next_to_them():
    return asyncio.get_event_loop()  # error: ELP101


def start_context_look_alikes(loop):
    threading.Thread(target=coroutine_target).start()  # the coroutine is created, never run
    loop.call_soon_threadsafe(callback_on_the_loop)
    multiprocessing.Process(target=process_target).start()
    threading.Thread(target=thread_target_next_to_them).start()
    return asyncio.get_event_loop()  # ok: ELP101


# -- installing None is not installing a loop; lookups after else/finally are not guarded ---------


def worker_installs_none():
    asyncio.set_event_loop(None)
    return asyncio.get_event_loop()  # error: ELP101


def worker_lookup_in_else_clause():
    try:
        value = 1
    except RuntimeError:
        return None
    else:
        return asyncio.get_event_loop(), value  # error: ELP101


def worker_lookup_in_finally_clause():
    try:
        pass
    except RuntimeError:
        pass
    finally:
        asyncio.get_event_loop()  # error: ELP101


def start_unguarded_workers():
    threading.Thread(target=worker_installs_none).start()
    threading.Thread(target=worker_lookup_in_else_clause).start()
    threading.Thread(target=worker_lookup_in_finally_clause).start()
