"""ELP102: self.<attr> = new_event_loop() in one method, run in another method of the class."""
# asyncloop-target-version: >=3.7
import asyncio
import threading


async def handle():
    await asyncio.sleep(0)


class Server:
    def __init__(self):
        self.loop = asyncio.new_event_loop()  # error: ELP102
        asyncio.set_event_loop(self.loop)

    def serve(self):
        self.loop.create_task(handle())
        self.loop.run_forever()


class InstalledServer:
    def __init__(self):
        self.loop = asyncio.new_event_loop()  # ok: ELP102

    def serve(self):
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()


class Client:
    def start(self):
        self.event_loop = asyncio.new_event_loop()  # error: ELP102
        asyncio.set_event_loop(self.event_loop)

    def request(self):
        return self.event_loop.run_until_complete(handle())


class InstalledClient:
    def start(self):
        self.event_loop = asyncio.new_event_loop()  # ok: ELP102
        asyncio.set_event_loop(self.event_loop)

    def request(self):
        return self.event_loop.run_until_complete(handle())


class WrongAttributeInstalled:
    def __init__(self):
        self.loop = asyncio.new_event_loop()  # error: ELP102
        asyncio.set_event_loop(self.loop)
        self.spare_loop = None

    def run(self):
        asyncio.set_event_loop(self.spare_loop)
        self.loop.run_until_complete(handle())


class BackgroundThread:
    def __init__(self):
        self.loop = asyncio.new_event_loop()  # ok: ELP102
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def submit(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self.loop)


class BackgroundThreadInstalling:
    def __init__(self):
        self.loop = asyncio.new_event_loop()  # ok: ELP102
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()


class BackgroundThreadNotInstalling:
    def __init__(self):
        # Run only by the thread's own method: a background-thread loop.
        self.loop = asyncio.new_event_loop()  # ok: ELP102
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
        self.loop = asyncio.new_event_loop()  # error: ELP102
        asyncio.set_event_loop(self.loop)
        self.queue_loop = asyncio.get_event_loop()
