# asyncloop-target-version: >=3.7
"""Runtime evidence for ELP103, fix 2: attach the child watcher to the loop in the main thread.

The loop is not installed (nothing looks it up, so ELP102 is silent), but subprocesses work on 3.7: prints
"exit status 0" on every version that still has get_child_watcher (removed in 3.14).
"""
import asyncio
import sys


async def spawn():
    process = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    return await process.wait()


def main():
    loop = asyncio.new_event_loop()  # ok: ELP103
    if sys.version_info < (3, 8):
        asyncio.get_child_watcher().attach_loop(loop)  # error: ELP106
    try:
        print("exit status", loop.run_until_complete(spawn()))
    finally:
        loop.close()


if __name__ == "__main__":
    main()
