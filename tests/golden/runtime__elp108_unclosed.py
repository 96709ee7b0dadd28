"""Runtime evidence for ELP108: a loop that is never closed.

Its destructor warns "ResourceWarning: unclosed event loop" (visible with -W always or -X dev);
tests/test_runtime_elp108.py runs this program and its fixed form
(tests/golden/runtime__elp108_unclosed.py) and compares the warnings and open descriptors.
"""
# asyncloop-target-version: >=3.7
import asyncio
import gc
import os


async def answer():
    await asyncio.sleep(0)
    return 42


def run_once():
    loop = asyncio.new_event_loop()  # error: ELP108
    try:
        return loop.run_until_complete(answer())
    finally:
        loop.close()


def open_descriptors():
    return len(os.listdir(f"/proc/{os.getpid()}/fd")) if os.path.isdir("/proc") else -1


if __name__ == "__main__":
    before = open_descriptors()
    for _ in range(20):
        run_once()
    leaked = open_descriptors() - before
    print("result:", run_once())
    print("descriptors still open after 20 runs:", leaked)
    gc.collect()
