"""ELP102: a module-level loop run from the module or its functions, with module-level code after it
that looks the current loop up (a queue made at import time, gather() in the script part)."""
# asyncloop-target-version: >=3.7
import asyncio
import sys


async def main():
    await asyncio.sleep(0)


async def consume():
    await jobs.put("start")
    return await jobs.get()


def installed_in_a_function():
    asyncio.set_event_loop(shared_loop)
    shared_loop.run_forever()


def runs_the_module_loop():
    loop.run_until_complete(consume())


def has_its_own_loop(loop):
    # A parameter, not the module-level loop below.
    asyncio.set_event_loop(loop)


def queue_in_a_function():
    # Made when called, not at import time: the module-level loop is no reason to flag it.
    return asyncio.Queue()


shared_loop = asyncio.new_event_loop()  # ok: ELP102
loop = asyncio.new_event_loop()  # error: ELP102
asyncio.set_event_loop(loop)
jobs = asyncio.Queue()  # bound at import time to get_event_loop()'s loop on 3.7-3.9, not `loop`

if __name__ == "__main__":
    runs_the_module_loop()
    cli_loop = asyncio.new_event_loop()  # error: ELP102, ELP108
    asyncio.set_event_loop(cli_loop)
    cli_loop.run_until_complete(asyncio.gather(main(), main()))
    fixed_loop = asyncio.new_event_loop()  # error: ELP108  # ok: ELP102
    asyncio.set_event_loop(fixed_loop)
    sys.exit(fixed_loop.run_until_complete(asyncio.gather(main(), main())))
