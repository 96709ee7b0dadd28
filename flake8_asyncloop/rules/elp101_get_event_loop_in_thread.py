from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from flake8_asyncloop.engine.diagnostics import Finding
from flake8_asyncloop.rules.base import Example, Rule

if TYPE_CHECKING:
    from flake8_asyncloop.engine.analysis import ModuleAnalysis


class GetEventLoopInThread(Rule):
    code = "ELP101"
    name = "get-event-loop-in-worker-thread"
    summary = "asyncio.get_event_loop() runs in a worker thread that has no event loop set."
    why = (
        "Only the main thread gets a loop created on demand (and only before Python 3.14). In "
        "any other thread, get_event_loop() with no loop set raises RuntimeError: There is no "
        "current event loop in thread '...', on every Python version. Threads started with "
        "threading.Thread, Timer, executors, run_in_executor and asyncio.to_thread all qualify."
    )
    how_to_fix = (
        "Capture the loop in the caller with asyncio.get_running_loop() and pass it in (then use "
        "asyncio.run_coroutine_threadsafe or loop.call_soon_threadsafe), or let the thread own a "
        "loop: loop = asyncio.new_event_loop(); asyncio.set_event_loop(loop); close it in finally."
    )
    invalid = (
        Example(
            "import asyncio, threading\n"
            "def work():\n"
            "    asyncio.get_event_loop().run_until_complete(job())\n"
            "threading.Thread(target=work).start()\n"
        ),
        Example(
            "import asyncio\n"
            "from concurrent.futures import ThreadPoolExecutor\n"
            "def work():\n"
            "    return asyncio.get_event_loop()\n"
            "with ThreadPoolExecutor() as pool:\n"
            "    pool.submit(work)\n"
        ),
    )
    valid = (
        Example(
            "import asyncio, threading\n"
            "def work():\n"
            "    loop = asyncio.new_event_loop()\n"
            "    asyncio.set_event_loop(loop)\n"
            "    asyncio.get_event_loop().run_until_complete(job())\n"
            "threading.Thread(target=work).start()\n"
        ),
        Example(
            "import asyncio, threading\n"
            "def work(loop):\n"
            "    asyncio.run_coroutine_threadsafe(job(), loop)\n"
            "threading.Thread(target=work, args=(asyncio.get_event_loop(),)).start()\n"
        ),
    )

    def check(self, analysis: "ModuleAnalysis") -> Iterator[Finding]:
        for found in analysis.threads.lookups_without_loop:
            written = analysis.source(found.site.node.func)
            started_on, _ = analysis.position(found.start.origin)
            yield Finding(
                found.site.node,
                f"{written}() runs in a worker thread (started on line {started_on}) with no event loop "
                "set and raises RuntimeError there; pass the caller's loop in, or create and install "
                "one in the thread with new_event_loop() and set_event_loop()",
            )
