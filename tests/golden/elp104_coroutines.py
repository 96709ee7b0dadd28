# asyncloop-target-version: >=3.7
"""ELP104: asyncio.get_event_loop() in the body of a coroutine, where asyncio.get_running_loop()
(3.7+) says what is meant; next to code in the same coroutines that runs later or elsewhere
(nested sync functions, lambdas, parameter defaults) and to the spelling that is already right.
"""
import asyncio
import functools
import socket
import time


def blocking_resolve(host):
    return socket.gethostbyname(host)


# -- straight in the body --------------------------------------------------------------------------


async def resolve(host, port):
    loop = asyncio.get_running_loop()  # error: ELP104
    return await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)


async def resolve_right(host, port):
    loop = asyncio.get_running_loop()  # ok: ELP104
    return await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)


async def sleep_until(deadline):
    now = asyncio.get_running_loop().time()  # error: ELP104
    await asyncio.sleep(max(0.0, deadline - now))


async def sleep_until_right(deadline):
    now = asyncio.get_running_loop().time()  # ok: ELP104
    await asyncio.sleep(max(0.0, deadline - now))


async def resolve_in_executor(host):
    return await asyncio.get_running_loop().run_in_executor(None, blocking_resolve, host)  # error: ELP104


async def wait_for_wakeup(register):
    waiter = asyncio.get_running_loop().create_future()  # error: ELP104
    register(waiter)
    return await waiter


# -- control flow inside the coroutine -------------------------------------------------------------


async def connect_with_retries(host, port, attempts=3):
    for attempt in range(attempts):
        try:
            return await asyncio.open_connection(host, port)
        except OSError:
            if attempt == attempts - 1:
                raise
            started = asyncio.get_running_loop().time()  # error: ELP104
            await asyncio.sleep(0.1 * 2 ** attempt)
            print("retried after", asyncio.get_running_loop().time() - started)  # ok: ELP104
    return None


async def drain_until_idle(queue, idle_seconds):
    last_item = None
    while True:
        try:
            last_item = await asyncio.wait_for(queue.get(), idle_seconds)
        except asyncio.TimeoutError:
            break
        finally:
            asyncio.get_running_loop().call_soon(print, "drained", last_item)  # error: ELP104
    return last_item


async def maybe_debug(enabled):
    if enabled:
        asyncio.get_running_loop().set_debug(True)  # error: ELP104
    else:
        asyncio.get_running_loop().set_debug(False)  # ok: ELP104


# -- async with, async for, async generators ---------------------------------------------------------


async def timed_section(lock):
    async with lock:
        return asyncio.get_running_loop().time()  # error: ELP104


async def forward(source, sink):
    async for chunk in source:
        asyncio.get_running_loop().call_soon(sink.write, chunk)  # error: ELP104


async def ticks(interval):
    loop = asyncio.get_running_loop()  # error: ELP104
    while True:
        yield loop.time()
        await asyncio.sleep(interval)


async def ticks_right(interval):
    loop = asyncio.get_running_loop()  # ok: ELP104
    while True:
        yield loop.time()
        await asyncio.sleep(interval)


# -- methods and nested coroutines ---------------------------------------------------------------------


class Connection:
    def __init__(self, reader, writer):
        self.reader = reader
        self.writer = writer
        self._closer = None

    async def close_after(self, delay):
        self._closer = asyncio.get_running_loop().call_later(delay, self.writer.close)  # error: ELP104

    async def close_after_right(self, delay):
        self._closer = asyncio.get_running_loop().call_later(delay, self.writer.close)  # ok: ELP104

    def cancel_close(self):
        if self._closer is not None:
            self._closer.cancel()


async def supervise(workers):
    async def heartbeat():
        loop = asyncio.get_running_loop()  # error: ELP104
        while True:
            print("alive at", loop.time())
            await asyncio.sleep(1)

    beat = asyncio.ensure_future(heartbeat())
    try:
        await asyncio.gather(*workers)
    finally:
        beat.cancel()


def make_handler(prefix):
    async def handler(request):
        started = asyncio.get_running_loop().time()  # error: ELP104
        return prefix, request, started

    return handler


# -- code in a coroutine that does not run in its body -------------------------------------------


async def schedule_report(delay):
    loop = asyncio.get_running_loop()

    def report():
        # A callback the loop runs later, in its own thread: not the coroutine's body.
        print("loop time", asyncio.get_event_loop().time())  # ok: ELP104

    loop.call_later(delay, report)
    loop.call_soon(lambda: print("scheduled at", asyncio.get_event_loop().time()))  # ok: ELP104


async def offload(path):
    loop = asyncio.get_running_loop()

    def read_and_check():
        # Runs in the default executor's worker thread, where get_event_loop() raises (ELP101).
        with open(path, "rb") as handle:
            data = handle.read()
        asyncio.get_event_loop()  # error: ELP101  # ok: ELP104
        return data

    return await loop.run_in_executor(None, read_and_check)


async def offload_with_partial(host):
    loop = asyncio.get_running_loop()
    lookup = functools.partial(blocking_resolve, host)
    return await loop.run_in_executor(None, lookup)


def sync_helper_called_from_the_loop():
    # A plain function; whether a loop runs here is not this rule's question.
    return asyncio.get_event_loop().time()  # ok: ELP104


async def measure(coroutine):
    started = time.monotonic()
    result = await coroutine
    return result, time.monotonic() - started, asyncio.get_running_loop()  # ok: ELP104
