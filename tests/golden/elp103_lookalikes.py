# asyncloop-target-version: >=3.7
"""ELP103 look-alikes (targets include 3.7): loops that start subprocesses safely, and new loops
that do not start any, each next to the problem it resembles.

Installing the loop in the main thread is enough on 3.7 (the policy attaches its child watcher to
the installed loop); so is attach_loop(). ELP102 is about later lookups of the current loop, not
subprocesses, and nothing here looks the loop up.
"""
import asyncio
import contextlib
import subprocess
import sys
import threading
from concurrent.futures import ProcessPoolExecutor

from mypackage.jobs import spawn_elsewhere


async def spawn():
    process = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    return await process.wait()


async def no_subprocess():
    await asyncio.sleep(0)


async def blocking_subprocess():
    return subprocess.run(["true"], check=False).returncode


async def create_subprocess_exec(*args):
    """This module's own coroutine, not asyncio's."""
    return args


async def calls_own_namesake():
    return await create_subprocess_exec("true")


def configure(loop):
    if sys.version_info < (3, 8):
        asyncio.get_child_watcher().attach_loop(loop)  # error: ELP106


# -- installed or attached in the main thread, next to one that is neither -----------------------


def installed():
    loop = asyncio.new_event_loop()  # error: ELP108  # ok: ELP103
    asyncio.set_event_loop(loop)
    try:
        return loop.run_until_complete(spawn())
    finally:
        loop.close()


def attached():
    loop = asyncio.new_event_loop()  # error: ELP108  # ok: ELP103
    try:
        if sys.version_info < (3, 8):
            asyncio.get_child_watcher().attach_loop(loop)  # error: ELP106
        return loop.run_until_complete(spawn())
    finally:
        loop.close()


def attached_through_variable():
    loop = asyncio.new_event_loop()  # error: ELP108  # ok: ELP103
    try:
        watcher = asyncio.get_child_watcher()  # error: ELP106
        watcher.attach_loop(loop)
        return loop.run_until_complete(spawn())
    finally:
        loop.close()


def installed_through_policy():
    loop = asyncio.new_event_loop()  # ok: ELP103
    asyncio.get_event_loop_policy().set_event_loop(loop)  # error: ELP107
    return loop.run_until_complete(loop.subprocess_exec(asyncio.SubprocessProtocol, "true"))


def installed_in_closing():
    with contextlib.closing(asyncio.new_event_loop()) as loop:  # ok: ELP103
        asyncio.set_event_loop(loop)
        return loop.run_until_complete(spawn())


def neither():
    loop = asyncio.new_event_loop()  # error: ELP103, ELP108
    if sys.version_info < (3, 8):
        asyncio.get_child_watcher().attach_loop(loop)
    try:
        return loop.run_until_complete(spawn())
    finally:
        loop.close()


class InstalledRunner:
    def __init__(self):
        self.loop = asyncio.new_event_loop()  # error: ELP108  # ok: ELP103
        asyncio.set_event_loop(self.loop)

    def run(self):
        return self.loop.run_until_complete(spawn())


class AttachedRunner:
    def __init__(self):
        self.loop = asyncio.new_event_loop()  # error: ELP108  # ok: ELP103
        if sys.version_info < (3, 8):
            asyncio.get_child_watcher().attach_loop(self.loop)  # error: ELP106

    def run(self):
        return self.loop.run_until_complete(spawn())


# -- the loop is handed to another function, which may attach it ---------------------------------


def handed_over():
    loop = asyncio.new_event_loop()  # ok: ELP103
    configure(loop)
    return loop.run_until_complete(spawn())


# -- no asyncio subprocess that this module can see -----------------------------------------------


def imported_coroutine():
    loop = asyncio.new_event_loop()  # error: ELP108  # ok: ELP103
    try:
        return loop.run_until_complete(spawn_elsewhere())
    finally:
        loop.close()


def coroutine_from_parameter(make_coroutine):
    loop = asyncio.new_event_loop()  # error: ELP108  # ok: ELP103
    try:
        return loop.run_until_complete(make_coroutine())
    finally:
        loop.close()


def no_subprocesses():
    loop = asyncio.new_event_loop()  # error: ELP108  # ok: ELP103
    try:
        return loop.run_until_complete(no_subprocess())
    finally:
        loop.close()


def plain_subprocess_module():
    loop = asyncio.new_event_loop()  # error: ELP108  # ok: ELP103
    try:
        return loop.run_until_complete(blocking_subprocess())
    finally:
        loop.close()


def own_namesake():
    loop = asyncio.new_event_loop()  # error: ELP108  # ok: ELP103
    try:
        return loop.run_until_complete(calls_own_namesake())
    finally:
        loop.close()


def subprocess_in_executor():
    loop = asyncio.new_event_loop()  # error: ELP108  # ok: ELP103
    try:
        return loop.run_until_complete(loop.run_in_executor(None, subprocess.call, ["true"]))
    finally:
        loop.close()


# -- asyncio.run() installs its loop; a worker thread's loop that starts no subprocess -----------


def main_with_asyncio_run():
    return asyncio.run(spawn())  # ok: ELP103


def thread_loop_without_subprocesses():
    loop = asyncio.new_event_loop()  # ok: ELP103
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(no_subprocess())
    finally:
        loop.close()


def start_thread():
    threading.Thread(target=thread_loop_without_subprocesses).start()


# -- attached in the main thread, then run by a worker thread; made in a worker process ----------


def attached_in_main_then_served_by_thread():
    loop = asyncio.new_event_loop()  # ok: ELP103
    if sys.version_info < (3, 8):
        asyncio.get_child_watcher().attach_loop(loop)  # error: ELP106

    def serve():
        asyncio.set_event_loop(loop)
        loop.run_until_complete(spawn())

    thread = threading.Thread(target=serve)
    thread.start()
    thread.join()
    loop.close()


def process_task_makes_loop():
    loop = asyncio.new_event_loop()  # error: ELP108  # ok: ELP103
    asyncio.set_event_loop(loop)
    try:
        return loop.run_until_complete(spawn())
    finally:
        loop.close()


def start_process_task():
    with ProcessPoolExecutor() as pool:
        return pool.submit(process_task_makes_loop).result()


# -- loops that do not use asyncio's Unix child watcher ---------------------------------------


def uvloop_reaps_its_own_children():
    import uvloop

    loop = uvloop.new_event_loop()  # error: ELP108  # ok: ELP103
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(spawn())
    finally:
        loop.close()


def proactor_loop_is_windows_only():
    loop = asyncio.new_event_loop()  # error: ELP100, ELP108  # ok: ELP103
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(spawn())
    finally:
        loop.close()


async def abstract_loop_cannot_spawn():
    loop = asyncio.AbstractEventLoop()  # error: ELP100  # ok: ELP103
    await loop.subprocess_exec(asyncio.SubprocessProtocol, "true")


def runs_a_coroutine_that_spawns_on_another_loop():
    # The coroutine's loop.subprocess_exec() is on a loop it made itself, not on this one.
    loop = asyncio.new_event_loop()  # error: ELP108  # ok: ELP103
    try:
        loop.run_until_complete(abstract_loop_cannot_spawn())
    finally:
        loop.close()
