"""Runtime evidence for ELP102: loops made with new_event_loop() and never installed, then the
current loop is looked up (get_event_loop(), ensure_future()) and is another one.

Run with ``python -W ignore fixtures/runtime/elp102_not_installed.py``; tests/test_runtime_elp102.py
asserts on what it prints. The fixed program is elp102_installed.py next to this file.
"""
# asyncloop-target-version: >=3.7
import asyncio
import threading


async def answer():
    await asyncio.sleep(0)
    return 42


def in_main_thread():
    loop = asyncio.new_event_loop()  # error: ELP102
    asyncio.set_event_loop(loop)
    try:
        print("main: run_until_complete ->", loop.run_until_complete(answer()))
        try:
            current = asyncio.get_event_loop()
        except RuntimeError as error:  # Python 3.14+: no loop is created on demand
            print("main: get_event_loop() raised RuntimeError:", error)
            return
        print("main: get_event_loop() is loop ->", current is loop)
        future = asyncio.ensure_future(answer())  # bound to get_event_loop()'s loop, not to `loop`
        try:
            print("main: run_until_complete(future) ->", loop.run_until_complete(future))
        except ValueError as error:
            print("main: run_until_complete(future) raised ValueError:", error)
        # Let the loop the future really belongs to finish it, so nothing is left pending.
        print("main: future ran on the other loop ->", current.run_until_complete(future))
        current.close()
    finally:
        loop.close()


def worker(lines):
    loop = asyncio.new_event_loop()  # error: ELP102
    asyncio.set_event_loop(loop)
    try:
        value = loop.run_until_complete(answer())
        lines.append(f"worker: run_until_complete -> {value}")
        try:
            current = asyncio.get_event_loop()
        except RuntimeError as error:
            lines.append(f"worker: get_event_loop() raised RuntimeError: {error}")
        else:
            lines.append(f"worker: get_event_loop() is loop -> {current is loop}")
    finally:
        loop.close()


def in_worker_thread():
    lines = []
    thread = threading.Thread(target=worker, args=(lines,), name="worker")
    thread.start()
    thread.join()
    for line in lines:
        print(line)


if __name__ == "__main__":
    in_main_thread()
    in_worker_thread()
