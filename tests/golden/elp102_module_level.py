"""ELP102: a module-level loop run from the module or its functions."""
# asyncloop-target-version: >=3.7
import asyncio
import sys


async def main():
    await asyncio.sleep(0)


def installed_in_a_function():
    asyncio.set_event_loop(shared_loop)
    shared_loop.run_forever()


def runs_the_module_loop():
    loop.run_until_complete(main())


def has_its_own_loop(loop):
    # A parameter, not the module-level loop below.
    asyncio.set_event_loop(loop)


shared_loop = asyncio.new_event_loop()  # ok: ELP102
idle_loop = asyncio.new_event_loop()  # ok: ELP102
loop = asyncio.new_event_loop()  # error: ELP102
asyncio.set_event_loop(loop)

if __name__ == "__main__":
    runs_the_module_loop()
    cli_loop = asyncio.new_event_loop()  # error: ELP102
    asyncio.set_event_loop(cli_loop)
    cli_loop.run_until_complete(main())
    fixed_loop = asyncio.new_event_loop()  # ok: ELP102
    asyncio.set_event_loop(fixed_loop)
    sys.exit(fixed_loop.run_until_complete(main()))
