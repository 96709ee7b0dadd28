# asyncloop-target-version: >=3.8
"""ELP103 is silent when no target is older than 3.8: from 3.8 the default ThreadedChildWatcher
needs no attach, in any thread. These are the shapes elp103_subprocesses.py flags at >=3.7.
Nothing here looks the current loop up after making a loop, so ELP102 is silent too.
"""
import asyncio
import contextlib
import sys
import threading


async def spawn():
    process = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    return await process.wait()


async def spawn_shell():
    process = await asyncio.create_subprocess_shell("true")
    return await process.wait()


async def spawn_through_helper():
    return await spawn()


def run_coroutine():
    loop = asyncio.new_event_loop()  # error: ELP108  # ok: ELP103
    try:
        return loop.run_until_complete(spawn())
    finally:
        loop.close()


def run_shell_coroutine():
    loop = asyncio.new_event_loop()  # error: ELP108  # ok: ELP103
    try:
        return loop.run_until_complete(spawn_shell())
    finally:
        loop.close()


def run_transitively():
    loop = asyncio.new_event_loop()  # error: ELP108  # ok: ELP103
    try:
        return loop.run_until_complete(spawn_through_helper())
    finally:
        loop.close()


def run_as_task():
    loop = asyncio.new_event_loop()  # error: ELP108  # ok: ELP103
    try:
        loop.create_task(spawn())
        loop.run_forever()
    finally:
        loop.close()


def run_protocol_exec():
    loop = asyncio.new_event_loop()  # error: ELP108  # ok: ELP103
    try:
        return loop.run_until_complete(loop.subprocess_exec(asyncio.SubprocessProtocol, "true"))
    finally:
        loop.close()


def run_protocol_shell():
    loop = asyncio.new_event_loop()  # error: ELP108  # ok: ELP103
    try:
        return loop.run_until_complete(loop.subprocess_shell(asyncio.SubprocessProtocol, "true"))
    finally:
        loop.close()


def run_on_selector_loop():
    loop = asyncio.new_event_loop()  # error: ELP100, ELP108  # ok: ELP103
    try:
        return loop.run_until_complete(spawn())
    finally:
        loop.close()


def run_in_closing():
    with contextlib.closing(asyncio.new_event_loop()) as loop:  # ok: ELP103
        return loop.run_until_complete(spawn())


def run_chained():
    return asyncio.new_event_loop().run_until_complete(spawn())  # error: ELP108  # ok: ELP102, ELP103


def run_on_loop_thread():
    loop = asyncio.new_event_loop()  # ok: ELP103
    threading.Thread(target=loop.run_forever, daemon=True).start()
    return asyncio.run_coroutine_threadsafe(spawn(), loop).result()


class ProcessRunner:
    def __init__(self):
        self.loop = asyncio.new_event_loop()  # error: ELP108  # ok: ELP103

    def run(self):
        return self.loop.run_until_complete(spawn_shell())


def thread_installs_loop():
    loop = asyncio.new_event_loop()  # ok: ELP103
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(spawn())
    finally:
        loop.close()


def thread_installs_and_attaches():
    loop = asyncio.new_event_loop()  # error: ELP108  # ok: ELP103
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(spawn())
    finally:
        loop.close()


def start_threads():
    threading.Thread(target=thread_installs_loop).start()
    threading.Thread(target=thread_installs_and_attaches).start()
