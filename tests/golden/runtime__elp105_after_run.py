"""Runtime evidence for ELP105: get_event_loop() after asyncio.run() returned.

asyncio.run() resets the current loop to None when it closes, so the lookup after it raises
RuntimeError on every Python version; tests/test_runtime_elp105.py runs this program and its
fixed form (tests/golden/runtime__elp105_after_run.py) on every pyenv Python it finds.
"""
# asyncloop-target-version: >=3.7
import asyncio


async def warm_up():
    await asyncio.sleep(0)
    return "warm"


async def answer():
    await asyncio.sleep(0)
    return 42


def main():
    print("first:", asyncio.run(warm_up()))
    loop = asyncio.new_event_loop()  # error: ELP105
    asyncio.set_event_loop(loop)
    try:
        print("second:", loop.run_until_complete(answer()))
    finally:
        loop.close()


if __name__ == "__main__":
    main()
