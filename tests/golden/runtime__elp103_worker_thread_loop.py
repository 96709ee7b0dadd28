# asyncloop-target-version: >=3.7
"""Runtime evidence for ELP103 in a worker thread: installing or attaching does not help on 3.7.

``python elp103_worker_thread_loop.py install``: the thread installs its loop; on 3.7 the
subprocess fails with "Cannot add child handler, the child watcher does not have a loop attached".
``python elp103_worker_thread_loop.py attach``: the thread also attaches the watcher; on 3.7 that
fails with "set_wakeup_fd only works in main thread". On 3.8+ both print "exit status 0".
"""
import asyncio
import sys
import threading


async def spawn():
    process = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    return await process.wait()


def install_only():
    loop = asyncio.new_event_loop()  # error: ELP103
    asyncio.set_event_loop(loop)
    try:
        print("exit status", loop.run_until_complete(spawn()))
    finally:
        asyncio.set_event_loop(None)
        loop.close()


def install_and_attach():
    loop = asyncio.new_event_loop()  # error: ELP103
    asyncio.set_event_loop(loop)
    try:
        if sys.version_info < (3, 8):
            asyncio.get_child_watcher().attach_loop(loop)  # error: ELP106
        print("exit status", loop.run_until_complete(spawn()))
    finally:
        asyncio.set_event_loop(None)
        loop.close()


def main(mode):
    if mode == "attach":
        thread = threading.Thread(target=install_and_attach, name="elp103-worker")
    else:
        thread = threading.Thread(target=install_only, name="elp103-worker")
    thread.start()
    thread.join()
    print("main finished")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "install")
