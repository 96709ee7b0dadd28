# asyncloop-target-version: >=3.7
"""Runtime evidence for ELP103: a new loop, neither installed nor attached, starts a subprocess.

On Python 3.7 this fails with "RuntimeError: Cannot add child handler, the child watcher does
not have a loop attached"; on 3.8+ (ThreadedChildWatcher) it prints "exit status 0".
"""
import asyncio
import sys


async def spawn():
    process = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    return await process.wait()


def main():
    loop = asyncio.new_event_loop()  # error: ELP103
    if sys.version_info < (3, 8):
        asyncio.get_child_watcher().attach_loop(loop)
    try:
        print("exit status", loop.run_until_complete(spawn()))
    finally:
        loop.close()


if __name__ == "__main__":
    main()
