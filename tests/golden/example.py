"""A small program with one of each problem flake8-asyncloop finds (see the README)."""
# asyncloop-target-version: >=3.7
import asyncio
import threading


async def compress(path):
    process = await asyncio.create_subprocess_exec("gzip", "-k", path)
    await process.wait()


def compress_all(paths):
    loop = asyncio.new_event_loop()  # error: ELP100, ELP102, ELP103, ELP108
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(asyncio.gather(*(compress(path) for path in paths)))
    finally:
        loop.close()


def report_progress(message):
    loop = asyncio.get_event_loop()  # error: ELP101
    loop.call_soon_threadsafe(print, message)


def main():
    threading.Thread(target=report_progress, args=("started",)).start()
    compress_all(["data.csv", "log.txt"])
