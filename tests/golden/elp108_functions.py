"""ELP108: loops this code creates and never closes, in functions and at module level."""
# asyncloop-target-version: >=3.9
import asyncio
import atexit
import contextlib
from asyncio import new_event_loop as make_loop

import uvloop


async def serve():
    await asyncio.sleep(0)


def run_and_forget():
    loop = asyncio.new_event_loop()  # error: ELP108
    try:
        loop.run_until_complete(serve())
    finally:
        loop.close()


def run_with_alias():
    loop = make_loop()  # error: ELP108
    try:
        loop.run_until_complete(serve())
        return "done"
    finally:
        loop.close()


def uvloop_forever():
    loop = uvloop.new_event_loop()  # error: ELP108
    try:
        loop.run_forever()
    finally:
        loop.close()


def class_constructed():
    loop = asyncio.new_event_loop()  # error: ELP100, ELP108
    try:
        loop.run_until_complete(serve())
    finally:
        loop.close()


def one_expression():
    asyncio.new_event_loop().run_until_complete(serve())  # error: ELP108


def close_only_on_error():
    loop = asyncio.new_event_loop()  # ok: ELP108 (closed on one path is closed somewhere)
    try:
        loop.run_until_complete(serve())
    except Exception:
        loop.close()
        raise


def closed_in_finally():
    loop = asyncio.new_event_loop()  # ok: ELP108
    try:
        loop.run_until_complete(serve())
    finally:
        loop.close()


def closed_by_contextlib():
    with contextlib.closing(asyncio.new_event_loop()) as loop:  # ok: ELP108
        loop.run_until_complete(serve())


def closed_at_exit():
    loop = asyncio.new_event_loop()  # ok: ELP108 (atexit closes it)
    atexit.register(loop.close)
    loop.run_until_complete(serve())


def handed_to_the_caller():
    loop = asyncio.new_event_loop()  # ok: ELP108 (the caller owns it)
    return loop


def handed_to_a_helper(register):
    loop = asyncio.new_event_loop()  # ok: ELP108 (the helper may close it)
    register(loop)


def closed_in_a_callback():
    loop = asyncio.new_event_loop()  # ok: ELP108
    loop.call_soon(lambda: loop.close())


def asyncio_run_closes_its_loop():
    asyncio.run(serve())  # ok: ELP108


def installed_and_closed_through_lookup():
    loop = asyncio.new_event_loop()  # ok: ELP108 (closed via get_event_loop() below)
    asyncio.set_event_loop(loop)
    loop.run_until_complete(serve())


def teardown():
    asyncio.get_event_loop().close()


def abstract_loop():
    return asyncio.AbstractEventLoop()  # error: ELP100


class FakeLoop:
    def close(self):
        pass


def fake_loop():
    loop = FakeLoop()  # ok: ELP108 (not an event loop)
    loop.close()


script_loop = asyncio.new_event_loop()  # error: ELP108
script_loop.run_until_complete(serve())
