# asyncloop-target-version: >=3.7
"""ELP101: get_event_loop() in threads started by threading.Thread, Thread subclasses, Timer, _thread.

Each started function is paired with a look-alike that must stay silent: the thread installs its
own loop first, the lookup is guarded by ``except RuntimeError``, or the thread only uses a loop
handed to it.
"""
import _thread
import asyncio
import functools
import threading
from threading import Thread, Timer


async def job():
    return 1


# -- threading.Thread(target=f) -----------------------------------------------------------------


def target_plain():
    asyncio.get_event_loop().run_until_complete(job())  # error: ELP101


def target_installs_first():
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        asyncio.get_event_loop().run_until_complete(job())  # ok: ELP101
    finally:
        loop.close()


def start_plain_targets():
    threading.Thread(target=target_plain).start()
    threading.Thread(target=target_installs_first).start()


# -- target as the second positional argument, the class imported by name -----------------------


def target_positional(name):
    return asyncio.get_event_loop(), name  # error: ELP101


def target_positional_guarded(name):
    try:
        return asyncio.get_event_loop(), name  # ok: ELP101
    except RuntimeError:
        return None, name


def start_positional_targets():
    Thread(None, target_positional, "worker", ("a",)).start()
    Thread(None, target_positional_guarded, "worker", ("b",)).start()


# -- the lookup after asyncio.run() / before set_event_loop() still has no loop ----------------


def target_after_asyncio_run():
    asyncio.run(job())
    return asyncio.get_event_loop()  # error: ELP101


def target_looks_up_before_installing():
    loop = asyncio.new_event_loop()  # error: ELP101
    asyncio.set_event_loop(loop)


def target_uses_asyncio_run_only():
    return asyncio.run(job())


def start_ordering_targets():
    Thread(target=target_after_asyncio_run, daemon=True).start()
    Thread(target=target_looks_up_before_installing, daemon=True).start()
    Thread(target=target_uses_asyncio_run_only, daemon=True).start()


# -- guards: which handlers count ----------------------------------------------------------------


def target_guarded_by_exception():
    try:
        loop = asyncio.get_event_loop()  # ok: ELP101
    except Exception:
        loop = None
    return loop


def target_guarded_by_bare_except():
    try:
        loop = asyncio.get_event_loop()  # ok: ELP101
    except:  # noqa: E722
        loop = None
    return loop


def target_guarded_by_tuple():
    try:
        loop = asyncio.get_event_loop()  # ok: ELP101
    except (ValueError, RuntimeError):
        loop = None
    return loop


def target_wrong_handler():
    try:
        loop = asyncio.get_event_loop()  # error: ELP101
    except ValueError:
        loop = None
    return loop


def target_try_finally_only():
    try:
        return asyncio.get_event_loop()  # error: ELP101
    finally:
        pass


def target_lookup_in_handler():
    try:
        value = int("x")
    except ValueError:
        value = asyncio.get_event_loop()  # error: ELP101
    return value


def target_fallback_idiom():
    try:
        loop = asyncio.get_event_loop()  # ok: ELP101
    except RuntimeError:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
    return loop


def start_guarded_targets():
    Thread(target=target_guarded_by_exception).start()
    Thread(target=target_guarded_by_bare_except).start()
    Thread(target=target_guarded_by_tuple).start()
    Thread(target=target_wrong_handler).start()
    Thread(target=target_try_finally_only).start()
    Thread(target=target_lookup_in_handler).start()
    Thread(target=target_fallback_idiom).start()


# -- lambdas and functools.partial ----------------------------------------------------------------


def start_lambda_targets(loop):
    threading.Thread(target=lambda: asyncio.get_event_loop().time()).start()  # error: ELP101
    threading.Thread(target=lambda: loop.time()).start()


def target_with_argument(count, loop=None):
    if loop is None:
        loop = asyncio.get_event_loop()  # error: ELP101
    return count, loop


def target_with_loop_argument(count, loop):
    return asyncio.run_coroutine_threadsafe(job(), loop).result(count)


def start_partial_targets():
    threading.Thread(target=functools.partial(target_with_argument, 3)).start()
    main_loop = asyncio.get_event_loop()  # ok: ELP101
    threading.Thread(target=functools.partial(target_with_loop_argument, 3, main_loop)).start()


# -- methods as targets ---------------------------------------------------------------------------


class Service:
    def __init__(self):
        self.loop = None

    def _serve(self):
        self.loop = asyncio.get_event_loop()  # error: ELP101
        self.loop.run_forever()

    def _serve_own_loop(self):
        self.loop = asyncio.new_event_loop()  # error: ELP108
        asyncio.set_event_loop(self.loop)
        asyncio.get_event_loop().run_forever()  # ok: ELP101

    def start(self):
        threading.Thread(target=self._serve, daemon=True).start()
        threading.Thread(target=self._serve_own_loop, daemon=True).start()


# -- Thread subclasses ----------------------------------------------------------------------------


class Worker(threading.Thread):
    def run(self):
        asyncio.get_event_loop().run_until_complete(job())  # error: ELP101


class BaseWorker(Thread):
    pass


class DerivedWorker(BaseWorker):
    def run(self):
        asyncio.get_event_loop_policy().get_event_loop().run_until_complete(job())  # error: ELP101, ELP107


class LoopOwningWorker(threading.Thread):
    def run(self):
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            asyncio.get_event_loop().run_until_complete(job())  # ok: ELP101
        finally:
            loop.close()


class NotAThread:
    def run(self):
        return asyncio.get_event_loop()  # ok: ELP101


class LoopLookupMixin:
    def run(self):
        return asyncio.get_event_loop()  # error: ELP101


class MixedWorker(LoopLookupMixin, threading.Thread):
    """No run() of its own: the mixin's run() is what the started thread executes."""


class JobMixin:
    def run(self):
        return asyncio.get_event_loop()  # ok: ELP101


class PlainJob(JobMixin):
    """Not a thread: run() is called in whatever thread calls it."""


# -- threading.Timer and _thread.start_new_thread ------------------------------------------------


def on_timer():
    asyncio.get_event_loop().call_soon(print)  # error: ELP101


def on_timer_keyword():
    asyncio.get_event_loop().stop()  # error: ELP101


def on_timer_with_loop(loop):
    loop.call_soon_threadsafe(loop.stop)


def start_timers():
    threading.Timer(1.0, on_timer).start()
    Timer(interval=2.0, function=on_timer_keyword).start()
    loop = asyncio.get_event_loop()  # ok: ELP101
    Timer(3.0, on_timer_with_loop, args=(loop,)).start()


def low_level_thread(tag):
    return asyncio.get_event_loop(), tag  # error: ELP101


def low_level_thread_guarded(tag):
    try:
        return asyncio.get_event_loop(), tag  # ok: ELP101
    except RuntimeError:
        return None, tag


def start_low_level_threads():
    _thread.start_new_thread(low_level_thread, ("x",))
    _thread.start_new_thread(low_level_thread_guarded, ("y",))
