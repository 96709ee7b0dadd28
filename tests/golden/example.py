"""A small program with one of each problem flake8-asyncloop finds (see the README)."""
# asyncloop-target-version: >=3.7
import asyncio
import threading


async def compress(path):
    process = await asyncio.create_subprocess_exec("gzip", "-k", path)
    await process.wait()


def compress_in_background(path):
    loop = asyncio.new_event_loop()  # error: ELP100, ELP102, ELP103
    asyncio.set_event_loop(loop)
    loop.run_until_complete(compress(path))


def report_progress(message):
    loop = asyncio.get_event_loop()  # error: ELP101
    loop.call_soon_threadsafe(print, message)


def main():
    threading.Thread(target=report_progress, args=("started",)).start()
    compress_in_background("data.csv")
