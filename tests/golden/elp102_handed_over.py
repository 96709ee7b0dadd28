"""ELP102 look-alikes: the loop leaves the function, where it may be installed and run, so a later
lookup of the current loop may well find it."""
# asyncloop-target-version: >=3.7
import asyncio
import functools
import threading


async def job():
    await asyncio.sleep(0)


def setup(loop):
    asyncio.set_event_loop(loop)


def passed_to_a_helper():
    loop = asyncio.new_event_loop()  # ok: ELP102
    setup(loop)
    loop.run_until_complete(asyncio.gather(job(), job()))


def returned():
    loop = asyncio.new_event_loop()  # ok: ELP102
    loop.run_until_complete(asyncio.gather(job(), job()))
    return loop


def returns_only_the_result():
    loop = asyncio.new_event_loop()  # error: ELP102, ELP108
    asyncio.set_event_loop(loop)
    try:
        return loop.run_until_complete(asyncio.gather(job(), job()))
    finally:
        loop.close()


class Holder:
    def adopt(self):
        loop = asyncio.new_event_loop()  # ok: ELP102
        self.x = loop
        self.ready = asyncio.Future()
        loop.run_until_complete(job())


def stored_in_a_registry(registry):
    loop = asyncio.new_event_loop()  # ok: ELP102
    registry["main"] = loop
    loop.run_until_complete(asyncio.ensure_future(job()))


def thread_args_tuple():
    def run(loop):
        asyncio.set_event_loop(loop)
        loop.run_forever()

    loop = asyncio.new_event_loop()  # ok: ELP102
    thread = threading.Thread(target=run, args=(loop,), daemon=True)
    thread.start()
    loop.run_until_complete(job())
    return thread


def bound_method_as_thread_target():
    loop = asyncio.new_event_loop()  # ok: ELP102
    threading.Thread(target=loop.run_forever, daemon=True).start()
    return asyncio.run_coroutine_threadsafe(job(), loop)


def bound_method_as_thread_target_then_lookup():
    # The loop runs in its own thread; this thread's current loop is meant to be another one.
    loop = asyncio.new_event_loop()  # ok: ELP102
    threading.Thread(target=loop.run_forever, daemon=True).start()
    return asyncio.wrap_future(asyncio.run_coroutine_threadsafe(job(), loop))


def partial_of_a_helper():
    loop = asyncio.new_event_loop()  # ok: ELP102
    threading.Thread(target=functools.partial(setup, loop)).start()
    loop.run_until_complete(asyncio.gather(job(), job()))


def handed_to_asyncio_only():
    loop = asyncio.new_event_loop()  # error: ELP102, ELP108
    asyncio.set_event_loop(loop)
    try:
        asyncio.run_coroutine_threadsafe(job(), loop)
        threading.Thread(target=print, args=("started",)).start()
        heartbeat = asyncio.ensure_future(job())
        loop.run_forever()
        return heartbeat
    finally:
        loop.close()


def loop_factory_for_run():
    asyncio.run(job(), loop_factory=asyncio.new_event_loop)  # ok: ELP102


def loop_factory_for_runner():
    with asyncio.Runner(loop_factory=lambda: asyncio.new_event_loop()) as runner:  # ok: ELP102
        runner.run(job())


def debug_loop_factory():
    loop = asyncio.new_event_loop()  # ok: ELP102
    loop.set_debug(True)
    return loop


def runner_with_local_factory():
    with asyncio.Runner(loop_factory=debug_loop_factory) as runner:
        runner.run(job())
