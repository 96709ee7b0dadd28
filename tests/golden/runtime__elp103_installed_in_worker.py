# asyncloop-target-version: >=3.7
"""Runtime evidence for ELP103: a loop made in the main thread, installed/attached in the worker
thread that runs it.

``install``: the worker calls set_event_loop(loop); on 3.7 that attaches nothing outside the
main thread, and the subprocess fails with "Cannot add child handler, the child watcher does not
have a loop attached". ``attach``: the worker also calls attach_loop(loop), which fails on 3.7 with
"set_wakeup_fd only works in main thread". ``main``: the main thread attaches the watcher before
handing the loop over, which works on 3.7 (the loop is closed in the main thread too, which
removes its SIGCHLD handler). On 3.8+ all three print "exit status 0".
"""
import asyncio
import sys
import threading


async def spawn():
    process = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    return await process.wait()


def install_in_worker():
    loop = asyncio.new_event_loop()  # error: ELP103
    if sys.version_info < (3, 8):
        asyncio.get_child_watcher().attach_loop(loop)

    def serve():
        asyncio.set_event_loop(loop)
        print("exit status", loop.run_until_complete(spawn()))

    thread = threading.Thread(target=serve, name="loop-thread")
    thread.start()
    thread.join()
    loop.close()  # in the main thread: on 3.7 an attached loop removes its SIGCHLD handler here


def attach_in_worker():
    loop = asyncio.new_event_loop()  # error: ELP103
    if sys.version_info < (3, 8):
        asyncio.get_child_watcher().attach_loop(loop)

    def serve():
        asyncio.set_event_loop(loop)
        if sys.version_info < (3, 8):
            asyncio.get_child_watcher().attach_loop(loop)  # error: ELP106
        print("exit status", loop.run_until_complete(spawn()))

    thread = threading.Thread(target=serve, name="loop-thread")
    thread.start()
    thread.join()
    loop.close()  # in the main thread: on 3.7 an attached loop removes its SIGCHLD handler here


def attach_in_main():
    loop = asyncio.new_event_loop()  # ok: ELP103
    if sys.version_info < (3, 8):
        asyncio.get_child_watcher().attach_loop(loop)  # error: ELP106

    def serve():
        asyncio.set_event_loop(loop)
        print("exit status", loop.run_until_complete(spawn()))

    thread = threading.Thread(target=serve, name="loop-thread")
    thread.start()
    thread.join()
    loop.close()  # in the main thread: on 3.7 an attached loop removes its SIGCHLD handler here


if __name__ == "__main__":
    {"install": install_in_worker, "attach": attach_in_worker, "main": attach_in_main}[sys.argv[1]]()
