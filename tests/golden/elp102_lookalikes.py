"""ELP102 look-alikes: names that are not asyncio's new_event_loop, and installs that count."""
# asyncloop-target-version: >=3.7
import asyncio


async def job():
    await asyncio.sleep(0)


def new_event_loop():
    """A project helper that installs the loop it makes."""
    loop = asyncio.new_event_loop()  # ok: ELP102
    asyncio.set_event_loop(loop)
    return loop


def uses_the_helper():
    loop = new_event_loop()  # ok: ELP102
    loop.run_until_complete(job())


def uses_asyncio_directly():
    loop = asyncio.new_event_loop()  # error: ELP102
    asyncio.set_event_loop(loop)
    loop.run_until_complete(job())


def local_factory_function():
    def new_event_loop():
        return asyncio.new_event_loop()

    loop = new_event_loop()  # ok: ELP102
    loop.run_forever()


def parameter_shadows_the_module(asyncio):
    loop = asyncio.new_event_loop()  # ok: ELP102
    loop.run_until_complete(job())


def installed_with_a_keyword():
    loop = asyncio.new_event_loop()  # ok: ELP102
    asyncio.set_event_loop(loop=loop)
    loop.run_until_complete(job())


def installed_none_is_not_an_install():
    # set_event_loop(None) beside a private loop: keeping it out of the global slot is deliberate.
    loop = asyncio.new_event_loop()  # ok: ELP102
    asyncio.set_event_loop(None)
    loop.run_until_complete(job())


def run_in_a_loop_of_its_own():
    for _ in range(3):
        loop = asyncio.new_event_loop()  # error: ELP102
        asyncio.set_event_loop(loop)
        loop.run_until_complete(job())
        loop.close()


def runner_instead():
    with asyncio.Runner() as runner:
        return runner.run(job())


def run_instead():
    return asyncio.run(job())  # ok: ELP102
