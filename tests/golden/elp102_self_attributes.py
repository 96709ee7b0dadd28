"""ELP102: self.<attr> = new_event_loop() in one method, run in another method of the class, with
the current loop looked up in the creating method after the loop is made."""
# asyncloop-target-version: >=3.7
import asyncio
import threading


async def handle():
    await asyncio.sleep(0)


class Server:
    def __init__(self):
        self.loop = asyncio.new_event_loop()  # error: ELP102, ELP108
        asyncio.set_event_loop(self.loop)
        self.connections = asyncio.Queue()  # bound to another loop on 3.7-3.9

    def serve(self):
        self.loop.create_task(handle())
        self.loop.run_forever()


class PlainServer:
    # __init__ makes the loop and nothing else; serve() runs it, as asyncio.run() would.
    def __init__(self):
        self.loop = asyncio.new_event_loop()  # error: ELP108  # ok: ELP102

    def serve(self):
        self.loop.create_task(handle())
        self.loop.run_forever()


class InstalledServer:
    def __init__(self):
        self.loop = asyncio.new_event_loop()  # error: ELP108  # ok: ELP102
        asyncio.set_event_loop(self.loop)
        self.connections = asyncio.Queue()

    def serve(self):
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()


class Client:
    def start(self):
        self.event_loop = asyncio.new_event_loop()  # error: ELP102, ELP108
        asyncio.set_event_loop(self.event_loop)
        self.request_lock = asyncio.Lock()  # bound to another loop on 3.7-3.9

    def request(self):
        return self.event_loop.run_until_complete(handle())


class InstalledClient:
    def start(self):
        self.event_loop = asyncio.new_event_loop()  # error: ELP108  # ok: ELP102
        asyncio.set_event_loop(self.event_loop)
        self.request_lock = asyncio.Lock()

    def request(self):
        return self.event_loop.run_until_complete(handle())


class WrongAttributeInstalled:
    def __init__(self):
        self.loop = asyncio.new_event_loop()  # error: ELP102, ELP108
        asyncio.set_event_loop(self.loop)
        self.spare_loop = None
        self.stopped = asyncio.Event()

    def run(self):
        asyncio.set_event_loop(self.spare_loop)
        self.loop.run_until_complete(handle())


class BackgroundThread:
    def __init__(self):
        self.loop = asyncio.new_event_loop()  # ok: ELP102
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        # This thread's own loop, on purpose: results are awaited there, not on self.loop.
        self.results = asyncio.Queue()

    def submit(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self.loop)


class BackgroundThreadInstalling:
    def __init__(self):
        self.loop = asyncio.new_event_loop()  # error: ELP108  # ok: ELP102
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()


class BackgroundThreadNotInstalling:
    def __init__(self):
        # Run only by the thread's own method: a background-thread loop.
        self.loop = asyncio.new_event_loop()  # error: ELP108  # ok: ELP102
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        self.loop.run_forever()


class NeverRun:
    def __init__(self):
        self.loop = asyncio.new_event_loop()  # ok: ELP102

    def close(self):
        self.loop.close()


class UsesTheLegacyLookup:
    def setup(self):
        self.loop = asyncio.new_event_loop()  # error: ELP102, ELP108
        asyncio.set_event_loop(self.loop)
        self.queue_loop = asyncio.get_event_loop()


class LooksUpBeforeCreating:
    def setup(self):
        # Made before the new loop exists: it belongs to the loop that was current, as intended.
        self.ready = asyncio.Future()
        self.loop = asyncio.new_event_loop()  # error: ELP108  # ok: ELP102
        self.loop.run_until_complete(handle())


class BindsWithLoopArgument:
    def setup(self):
        self.loop = asyncio.new_event_loop()  # error: ELP108  # ok: ELP102
        self.ready = asyncio.Future(loop=self.loop)
        self.loop.call_soon(self.ready.set_result, None)
        self.loop.run_until_complete(self.ready)


class MakesTheLoopInACoroutine:
    async def spawn_worker(self):
        # In a coroutine, Event() and gather() bind to the running loop, which awaits them.
        self.worker_loop = asyncio.new_event_loop()  # error: ELP108  # ok: ELP102
        self.started = asyncio.Event()
        await asyncio.gather(handle(), self.started.wait())
