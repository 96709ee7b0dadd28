# asyncloop-target-version: >=3.7
"""Runtime evidence for ELP103: a main-thread loop served by Thread(target=loop.run_forever).

``python elp103_loop_in_thread.py``: nothing attaches the child watcher to the loop, so on 3.7
the subprocess fails with "Cannot add child handler, the child watcher does not have a loop
attached". ``python elp103_loop_in_thread.py attach``: the main thread attaches the watcher
before starting the thread, and it works on 3.7. On 3.8+ both print "exit status 0".
"""
import asyncio
import sys
import threading


async def spawn():
    process = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    return await process.wait()


def serve_unattached():
    loop = asyncio.new_event_loop()  # error: ELP103
    if sys.version_info < (3, 8):
        asyncio.get_child_watcher().attach_loop(loop)
    thread = threading.Thread(target=loop.run_forever, name="loop-thread")
    thread.start()
    try:
        print("exit status", asyncio.run_coroutine_threadsafe(spawn(), loop).result(timeout=5))
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()


def serve_attached():
    loop = asyncio.new_event_loop()  # ok: ELP103
    if sys.version_info < (3, 8):
        asyncio.get_child_watcher().attach_loop(loop)  # error: ELP106
    thread = threading.Thread(target=loop.run_forever, name="loop-thread")
    thread.start()
    try:
        print("exit status", asyncio.run_coroutine_threadsafe(spawn(), loop).result(timeout=5))
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()


if __name__ == "__main__":
    if sys.argv[1:] == ["attach"]:
        serve_attached()
    else:
        serve_unattached()
