"""ELP105: asyncio.get_event_loop() where no loop is set: module level and script entry points."""
# asyncloop-target-version: >=3.9
import asyncio
import asyncio as aio
import sys
from asyncio import get_event_loop


async def serve():
    await asyncio.sleep(0)


loop = asyncio.new_event_loop()  # error: ELP105
asyncio.set_event_loop(loop)
aio.get_event_loop().run_until_complete(serve())  # error: ELP105
policy_loop = asyncio.new_event_loop()  # error: ELP105, ELP107
asyncio.set_event_loop(policy_loop)
imported_name_loop = asyncio.new_event_loop()  # error: ELP105
asyncio.set_event_loop(imported_name_loop)

if sys.version_info >= (3, 12):
    guarded_new = asyncio.new_event_loop()  # error: ELP102, ELP108 (the lookup in the try below gets another loop)
    asyncio.set_event_loop(guarded_new)
else:
    guarded_old = asyncio.get_event_loop()  # ok: ELP105 (only 3.9-3.11 run this line)

try:
    handled = asyncio.get_event_loop()  # ok: ELP105 (RuntimeError is handled below)
except RuntimeError:
    handled = None

text = "asyncio.get_event_loop()"  # ok: ELP105 (a string)


def main():
    loop = asyncio.new_event_loop()  # error: ELP105
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(serve())
    finally:
        loop.close()


def script_entry():
    return asyncio.get_event_loop()  # error: ELP105


def library_helper():
    # Called by importers, maybe from a coroutine, where the lookup finds the running loop.
    return asyncio.get_event_loop()  # ok: ELP105


def called_from_a_coroutine_too():
    return asyncio.get_event_loop()  # ok: ELP105 (also called from ping(), under a running loop)


async def ping():
    called_from_a_coroutine_too()
    return asyncio.get_running_loop()  # error: ELP104


def get_event_loop_shadowed():
    def get_event_loop():
        return None

    return get_event_loop()  # ok: ELP105 (a local function)


if __name__ == "__main__":
    main()
    script_entry()
    called_from_a_coroutine_too()
