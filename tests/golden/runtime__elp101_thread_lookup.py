# asyncloop-target-version: >=3.7
"""Runtime evidence for ELP101: a worker thread looks up a loop it never installed.

Run it: the thread dies with "RuntimeError: There is no current event loop in thread ...",
on every Python version (tests/test_runtime_elp101.py checks this).
"""
import asyncio
import threading


async def job():
    return "job done"


def work():
    loop = asyncio.new_event_loop()  # error: ELP101
    asyncio.set_event_loop(loop)
    try:
        print(loop.run_until_complete(job()))
    finally:
        loop.close()


def main():
    thread = threading.Thread(target=work, name="elp101-worker")
    thread.start()
    thread.join()
    print("main finished")


if __name__ == "__main__":
    main()
