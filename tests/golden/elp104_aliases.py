# asyncloop-target-version: >=3.7
"""ELP104 under aliases: import-as, from-import, from-import-as; next to names that shadow them
(parameters, relative imports, local definitions), which are not asyncio's get_event_loop."""
import asyncio as aio
from asyncio import get_event_loop
from asyncio import get_event_loop as gel
from asyncio import get_running_loop


async def read_frame(reader):
    header = await reader.readexactly(4)
    received_at = aio.get_running_loop().time()  # error: ELP104
    body = await reader.readexactly(int.from_bytes(header, "big"))
    return received_at, body


async def read_frame_right(reader):
    header = await reader.readexactly(4)
    received_at = aio.get_running_loop().time()  # ok: ELP104
    body = await reader.readexactly(int.from_bytes(header, "big"))
    return received_at, body


async def start_server(handler, port):
    loop = aio.get_running_loop()  # error: ELP104
    server = await loop.create_server(handler, "127.0.0.1", port)
    return server


async def start_server_right(handler, port):
    loop = get_running_loop()  # ok: ELP104
    server = await loop.create_server(handler, "127.0.0.1", port)
    return server


async def ping(writer, interval):
    while not writer.is_closing():
        writer.write(b"PING\r\n")
        aio.get_running_loop().call_later(interval, writer.write, b"\r\n")  # error: ELP104
        await aio.sleep(interval)


class Pool:
    def __init__(self, size):
        self.size = size
        self.waiters = []

    async def acquire(self):
        waiter = aio.get_running_loop().create_future()  # error: ELP104
        self.waiters.append(waiter)
        return await waiter

    async def acquire_with_timeout(self, timeout):
        waiter = aio.get_running_loop().create_future()  # error: ELP104
        self.waiters.append(waiter)
        return await aio.wait_for(waiter, timeout)

    def release(self):
        if self.waiters:
            self.waiters.pop(0).set_result(None)


# -- the same names bound to something else -----------------------------------------------------------


async def with_injected_module(aio):
    # A parameter named like the alias: whatever the caller passes in.
    return aio.get_event_loop()  # ok: ELP104


async def with_injected_function(get_event_loop):
    return get_event_loop()  # ok: ELP104


async def with_compat_layer():
    from .compat import get_event_loop as gel

    return gel()  # ok: ELP104


async def with_local_helper(pool):
    def gel():
        return pool

    return gel()  # ok: ELP104


async def with_asyncio_next_to_it():
    # The shadowing above is local to those coroutines: here the alias is asyncio again.
    return aio.get_running_loop()  # error: ELP104
