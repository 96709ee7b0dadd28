"""ELP102 in a script: module-level loops looked up again with get_event_loop() after creation."""
# asyncloop-target-version: >=3.7
import asyncio


async def main():
    await asyncio.sleep(0)


if __name__ == "__main__":
    startup_loop = asyncio.new_event_loop()  # error: ELP105
    asyncio.set_event_loop(startup_loop)
    startup_loop.close()
    cleanup_loop = asyncio.new_event_loop()  # ok: ELP102
    asyncio.set_event_loop(cleanup_loop)
    loop = asyncio.new_event_loop()  # error: ELP102
    asyncio.set_event_loop(loop)
    queue_loop = asyncio.get_event_loop()  # the installed cleanup_loop, not `loop`
    queue_loop.run_until_complete(main())
    loop.close()
