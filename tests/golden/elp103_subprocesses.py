# asyncloop-target-version: >=3.7
"""ELP103 (targets include 3.7): a new loop starts subprocesses with no child watcher attached.

On 3.7 such a loop fails with "RuntimeError: Cannot add child handler, the child watcher does not
have a loop attached" unless it is installed (set_event_loop) or attached (attach_loop) in the
main thread. ELP102 stays silent: nothing here looks the current loop up after making a loop, and
without a lookup an uninstalled loop only matters to the child watcher.
"""
import asyncio
import contextlib
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from asyncio.subprocess import create_subprocess_shell
from asyncio import create_subprocess_exec as spawn_exec


async def spawn():
    process = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    return await process.wait()


async def spawn_shell_by_name():
    process = await create_subprocess_shell("true")
    return await process.wait()


async def spawn_exec_by_alias():
    process = await spawn_exec("true")
    return await process.wait()


async def spawn_through_helper():
    return await spawn()


async def spawn_two_levels_down():
    return await spawn_through_helper()


# -- run_until_complete / create_task with a coroutine of this module ----------------------------


def run_coroutine():
    loop = asyncio.new_event_loop()  # error: ELP103
    if sys.version_info < (3, 8):
        asyncio.get_child_watcher().attach_loop(loop)
    try:
        return loop.run_until_complete(spawn())
    finally:
        loop.close()


def run_coroutine_by_imported_name():
    loop = asyncio.new_event_loop()  # error: ELP103, ELP108
    if sys.version_info < (3, 8):
        asyncio.get_child_watcher().attach_loop(loop)
    try:
        return loop.run_until_complete(spawn_shell_by_name())
    finally:
        loop.close()


def run_coroutine_by_alias():
    loop = asyncio.new_event_loop()  # error: ELP103, ELP108
    if sys.version_info < (3, 8):
        asyncio.get_child_watcher().attach_loop(loop)
    try:
        return loop.run_until_complete(spawn_exec_by_alias())
    finally:
        loop.close()


def run_transitively():
    loop = asyncio.new_event_loop()  # error: ELP103, ELP108
    if sys.version_info < (3, 8):
        asyncio.get_child_watcher().attach_loop(loop)
    try:
        return loop.run_until_complete(spawn_two_levels_down())
    finally:
        loop.close()


def run_wrapped_coroutine():
    loop = asyncio.new_event_loop()  # error: ELP103, ELP108
    if sys.version_info < (3, 8):
        asyncio.get_child_watcher().attach_loop(loop)
    try:
        return loop.run_until_complete(asyncio.wait_for(spawn(), timeout=5))
    finally:
        loop.close()


def run_as_task():
    loop = asyncio.new_event_loop()  # error: ELP103, ELP108
    if sys.version_info < (3, 8):
        asyncio.get_child_watcher().attach_loop(loop)
    try:
        task = loop.create_task(spawn())
        task.add_done_callback(lambda _: loop.stop())
        loop.run_forever()
    finally:
        loop.close()


# -- loop.subprocess_exec / subprocess_shell ------------------------------------------------------


def run_protocol_exec():
    loop = asyncio.new_event_loop()  # error: ELP103, ELP108
    if sys.version_info < (3, 8):
        asyncio.get_child_watcher().attach_loop(loop)
    try:
        return loop.run_until_complete(loop.subprocess_exec(asyncio.SubprocessProtocol, "true"))
    finally:
        loop.close()


def run_protocol_shell():
    loop = asyncio.new_event_loop()  # error: ELP103, ELP108
    if sys.version_info < (3, 8):
        asyncio.get_child_watcher().attach_loop(loop)
    try:
        return loop.run_until_complete(loop.subprocess_shell(asyncio.SubprocessProtocol, "true"))
    finally:
        loop.close()


# -- other ways to make the loop ------------------------------------------------------------------


def run_on_selector_loop():
    loop = asyncio.new_event_loop()  # error: ELP100, ELP103, ELP108
    if sys.version_info < (3, 8):
        asyncio.get_child_watcher().attach_loop(loop)
    try:
        return loop.run_until_complete(spawn())
    finally:
        loop.close()


def run_in_closing():
    with contextlib.closing(asyncio.new_event_loop()) as loop:  # error: ELP103
        return loop.run_until_complete(spawn())


def run_chained():
    return asyncio.new_event_loop().run_until_complete(spawn())  # error: ELP103, ELP108  # ok: ELP102


# -- a loop served by a thread of its own, fed with run_coroutine_threadsafe ----------------------


def run_on_nested_server():
    loop = asyncio.new_event_loop()  # error: ELP103  # ok: ELP102
    if sys.version_info < (3, 8):
        asyncio.get_child_watcher().attach_loop(loop)

    def serve():
        loop.run_forever()

    threading.Thread(target=serve, daemon=True).start()
    return asyncio.run_coroutine_threadsafe(spawn(), loop).result()


def run_on_loop_thread():
    # Thread(target=loop.run_forever) does not attach anything: 3.7 fails exactly as above
    # (fixtures/runtime/elp103_loop_in_thread.py shows it).
    loop = asyncio.new_event_loop()  # error: ELP103
    if sys.version_info < (3, 8):
        asyncio.get_child_watcher().attach_loop(loop)
    threading.Thread(target=loop.run_forever, daemon=True).start()
    return asyncio.run_coroutine_threadsafe(spawn(), loop).result()


class ProcessRunner:
    def __init__(self):
        self.loop = asyncio.new_event_loop()  # error: ELP103, ELP108
        if sys.version_info < (3, 8):
            asyncio.get_child_watcher().attach_loop(self.loop)

    async def _spawn_all(self):
        return await asyncio.gather(spawn(), spawn_shell_by_name())

    def run(self):
        return self.loop.run_until_complete(self._spawn_all())


# -- created in a worker thread: installing or attaching there cannot help on 3.7 -----------------


def thread_installs_loop():
    loop = asyncio.new_event_loop()  # error: ELP103
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(spawn())
    finally:
        loop.close()


def thread_installs_and_attaches():
    loop = asyncio.new_event_loop()  # error: ELP103, ELP108
    asyncio.set_event_loop(loop)
    try:
        if sys.version_info < (3, 8):
            asyncio.get_child_watcher().attach_loop(loop)  # error: ELP106
        loop.run_until_complete(spawn())
    finally:
        loop.close()


def thread_attaches_only():
    loop = asyncio.new_event_loop()  # error: ELP103, ELP108
    try:
        if sys.version_info < (3, 8):
            asyncio.get_child_watcher().attach_loop(loop)  # error: ELP106
        loop.run_until_complete(spawn())
    finally:
        loop.close()


def thread_helper_makes_loop():
    loop = asyncio.new_event_loop()  # error: ELP103, ELP108
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(spawn_through_helper())
    finally:
        loop.close()


def thread_calls_helper():
    thread_helper_makes_loop()


def start_threads():
    threading.Thread(target=thread_installs_loop).start()
    threading.Thread(target=thread_installs_and_attaches).start()
    threading.Thread(target=thread_attaches_only).start()
    threading.Thread(target=thread_calls_helper).start()


class SubprocessThread(threading.Thread):
    def run(self):
        self.loop = asyncio.new_event_loop()  # error: ELP103, ELP108
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(spawn())


def pool_task_makes_loop():
    loop = asyncio.new_event_loop()  # error: ELP103, ELP108
    asyncio.set_event_loop(loop)
    try:
        return loop.run_until_complete(spawn())
    finally:
        loop.close()


def start_pool_task():
    with ThreadPoolExecutor() as pool:
        pool.submit(pool_task_makes_loop)


# -- made in the main thread, but installed or attached only in the worker thread that runs it ----
# On 3.7 set_event_loop() attaches the watcher only in the main thread, and attach_loop() fails
# anywhere else (fixtures/runtime/elp103_installed_in_worker.py shows both).


def installed_only_in_worker():
    loop = asyncio.new_event_loop()  # error: ELP103
    if sys.version_info < (3, 8):
        asyncio.get_child_watcher().attach_loop(loop)

    def serve():
        asyncio.set_event_loop(loop)
        loop.run_until_complete(spawn())

    threading.Thread(target=serve).start()


def attached_only_in_worker():
    loop = asyncio.new_event_loop()  # error: ELP103  # ok: ELP102
    if sys.version_info < (3, 8):
        asyncio.get_child_watcher().attach_loop(loop)

    def serve():
        if sys.version_info < (3, 8):
            asyncio.get_child_watcher().attach_loop(loop)  # error: ELP106
        loop.run_until_complete(spawn())

    threading.Thread(target=serve).start()


class LoopServer:
    def __init__(self):
        self.loop = asyncio.new_event_loop()  # error: ELP103, ELP108
        if sys.version_info < (3, 8):
            asyncio.get_child_watcher().attach_loop(self.loop)
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self):
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(spawn())


# -- asyncio.run() in a worker thread: its loop cannot get a child watcher on 3.7 --------------


def spawn_with_asyncio_run_in_thread():
    asyncio.run(spawn())  # error: ELP103


def start_asyncio_run_thread():
    threading.Thread(target=spawn_with_asyncio_run_in_thread).start()
