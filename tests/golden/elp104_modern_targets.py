# asyncloop-target-version: >=3.12
"""ELP104 on modern targets: inside a coroutine get_event_loop() still returns the running loop
on every version, so the rule and its fix do not depend on the target; get_running_loop() is
the spelling. Modern code (TaskGroup, asyncio.timeout, loop_factory) next to the old habit."""
import asyncio
import contextlib
import sys


async def fetch_all(urls, fetch):
    results = {}
    async with asyncio.TaskGroup() as group:
        for url in urls:
            results[url] = group.create_task(fetch(url))
        started = asyncio.get_running_loop().time()  # error: ELP104
    print("fetched in", asyncio.get_running_loop().time() - started)  # ok: ELP104
    return {url: task.result() for url, task in results.items()}


async def with_deadline(coroutine, seconds):
    deadline = asyncio.get_running_loop().time() + seconds  # error: ELP104
    async with asyncio.timeout_at(deadline):
        return await coroutine


async def with_deadline_right(coroutine, seconds):
    deadline = asyncio.get_running_loop().time() + seconds  # ok: ELP104
    async with asyncio.timeout_at(deadline):
        return await coroutine


async def read_lines(stream):
    async for line in stream:
        match line.split():
            case ["QUIT"]:
                asyncio.get_running_loop().stop()  # error: ELP104
            case [command, *arguments]:
                yield command, arguments


@contextlib.asynccontextmanager
async def eager_tasks():
    loop = asyncio.get_running_loop()  # error: ELP104
    previous = loop.get_task_factory()
    loop.set_task_factory(asyncio.eager_task_factory)
    try:
        yield loop
    finally:
        loop.set_task_factory(previous)


@contextlib.asynccontextmanager
async def eager_tasks_right():
    loop = asyncio.get_running_loop()  # ok: ELP104
    previous = loop.get_task_factory()
    loop.set_task_factory(asyncio.eager_task_factory)
    try:
        yield loop
    finally:
        loop.set_task_factory(previous)


class Watchdog:
    def __init__(self, timeout):
        self.timeout = timeout
        self.handle = None

    async def arm(self):
        self.handle = asyncio.get_running_loop().call_later(self.timeout, self.fire)  # error: ELP104

    def fire(self):
        # Runs as a loop callback; sync code is outside this rule.
        print("watchdog fired at", asyncio.get_event_loop().time())  # ok: ELP104

    async def __aenter__(self):
        await self.arm()
        return self

    async def __aexit__(self, *exc_info):
        if self.handle is not None:
            self.handle.cancel()
        return False


async def spawn_logged(coroutine):
    task = asyncio.get_running_loop().create_task(coroutine)  # ok: ELP104

    def log_done(finished):
        # A done callback: called by the loop later, not in this coroutine's body.
        print(finished.get_name(), "done at", asyncio.get_event_loop().time())  # ok: ELP104

    task.add_done_callback(log_done)
    return task


async def main():
    async with Watchdog(5):
        await with_deadline(asyncio.sleep(0.1), 1)


if __name__ == "__main__":
    if sys.platform == "win32":
        asyncio.run(main(), loop_factory=asyncio.SelectorEventLoop)
    else:
        asyncio.run(main(), loop_factory=asyncio.new_event_loop)
