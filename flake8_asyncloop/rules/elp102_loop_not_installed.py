from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Iterator, Optional

from flake8_asyncloop.engine import apis, loops
from flake8_asyncloop.engine.diagnostics import Finding, Fix
from flake8_asyncloop.engine.reads import Reads
from flake8_asyncloop.engine.timeline import Effect, every_version
from flake8_asyncloop.rules.base import Example, Rule, register

if TYPE_CHECKING:
    from flake8_asyncloop.engine.analysis import ModuleAnalysis
    from flake8_asyncloop.engine.loops import LoopCreation


@register
class LoopNotInstalled(Rule):
    code = "ELP102"
    name = "loop-never-installed"
    summary = "A loop from new_event_loop() is never installed, yet later code looks the current loop up."
    why = (
        "Outside a running loop, asyncio.get_event_loop() returns the installed loop, not the new "
        "one (RuntimeError in a worker thread, and on 3.14+ wherever none is set). "
        "asyncio.gather(), ensure_future(), shield(), wrap_future() and Future() bind what they "
        "make to that other loop on every version, so running it on the new loop raises "
        "'ValueError: The future belongs to a different loop' (measured on 3.7-3.13); on 3.7-3.9 "
        "queues, locks and events made there fail the same way once waited on. A loop that "
        "nothing looks up needs no install, as asyncio.run() shows, and is not reported."
    )
    how_to_fix = (
        "Call asyncio.set_event_loop(loop) right after creating the loop, in the thread that runs "
        "it; on Python 3.8+ prefer asyncio.run(main()), which manages the loop for you."
    )
    versions = "every version; more breaks on 3.7-3.9"
    timeline = every_version(Effect.MISBEHAVES, "binds work to another loop")
    fix_availability = "sometimes"
    fix_safety = "mixed"
    fix_details = (
        "Safe when the loop is a variable run in the function that creates it; unsafe for an "
        "attribute (self.loop) or a loop run from a nested function, which may run in another thread."
    )
    reads = loops.READS | Reads(names=apis.GET_EVENT_LOOP)
    invalid = (
        Example(
            "import asyncio\n"
            "loop = asyncio.new_event_loop()\n"
            "loop.run_until_complete(asyncio.gather(first(), second()))\n",
            expected_message=(
                "event loop 'loop' is never installed, so asyncio.gather() on line 3 binds to another loop, and "
                "awaiting the result on this one raises ValueError; call asyncio.set_event_loop(loop) after creating it"
            ),
            expected_replacement=(
                "import asyncio\n"
                "loop = asyncio.new_event_loop()\n"
                "asyncio.set_event_loop(loop)\n"
                "loop.run_until_complete(asyncio.gather(first(), second()))\n"
            ),
        ),
        Example(
            "import asyncio\n"
            "class Worker:\n"
            "    def start(self):\n"
            "        self.loop = asyncio.new_event_loop()\n"
            "        self.ready = asyncio.Future()\n",
            expected_message=(
                "event loop 'self.loop' is never installed, so asyncio.Future() on line 5 binds to another loop, and "
                "awaiting the result on this one raises ValueError; call asyncio.set_event_loop(self.loop) after "
                "creating it"
            ),
            expected_replacement=(
                "import asyncio\n"
                "class Worker:\n"
                "    def start(self):\n"
                "        self.loop = asyncio.new_event_loop()\n"
                "        asyncio.set_event_loop(self.loop)\n"
                "        self.ready = asyncio.Future()\n"
            ),
        ),
        Example(
            "import asyncio\n"
            "def main():\n"
            "    loop = asyncio.new_event_loop()\n"
            "    queue = asyncio.Queue()\n"
            "    loop.run_until_complete(consume(queue))\n",
            ">=3.8",
            expected_message=(
                "event loop 'loop' is never installed, so asyncio.Queue() on line 4 binds to another loop, and "
                "awaiting the result on this one raises ValueError; call asyncio.set_event_loop(loop) after creating it"
            ),
            expected_replacement=(
                "import asyncio\n"
                "def main():\n"
                "    loop = asyncio.new_event_loop()\n"
                "    asyncio.set_event_loop(loop)\n"
                "    queue = asyncio.Queue()\n"
                "    loop.run_until_complete(consume(queue))\n"
            ),
        ),
    )
    valid = (
        Example(
            "import asyncio\n"
            "loop = asyncio.new_event_loop()\n"
            "asyncio.set_event_loop(loop)\n"
            "loop.run_until_complete(main())\n"
        ),
        Example(
            "import asyncio\n"
            "with asyncio.Runner(loop_factory=asyncio.new_event_loop) as runner:\n"
            "    runner.run(main())\n",
            ">=3.11",
        ),
        Example(
            "import asyncio, threading\n"
            "loop = asyncio.new_event_loop()\n"
            "threading.Thread(target=loop.run_forever, daemon=True).start()\n"
        ),
        Example(
            "import asyncio\n"
            "loop = asyncio.new_event_loop()\n"
            "loop.run_until_complete(main())\n"
        ),
        Example(
            "import asyncio\n"
            "def main():\n"
            "    loop = asyncio.new_event_loop()\n"
            "    queue = asyncio.Queue()\n"
            "    loop.run_until_complete(consume(queue))\n",
            ">=3.10",
        ),
    )

    def check(self, analysis: "ModuleAnalysis") -> Iterator[Finding]:
        for creation in analysis.loops.creations:
            if creation.installed or creation.escapes or creation.runs_elsewhere:
                continue
            if creation.deliberately_uninstalled or not creation.lookups or not creation.target:
                continue
            # A loop nobody looks up needs no install (asyncio.run() does not install its loop
            # either): only a later lookup makes the missing install a bug.
            lookup = creation.lookups[0]
            line, _ = analysis.position(lookup)
            looked_up = f"{analysis.source(lookup.func)}()"
            site = analysis.index.call_sites.get(lookup)
            if site is not None and analysis.is_get_event_loop(site):
                consequence = "returns another loop (or raises RuntimeError in a worker thread)"
            else:
                consequence = "binds to another loop, and awaiting the result on this one raises ValueError"
            message = (
                f"event loop '{creation.target}' is never installed, so {looked_up} on line {line} "
                f"{consequence}; call asyncio.set_event_loop({creation.target}) after creating it"
            )
            yield Finding(creation.call, message, partial(self._fix, analysis, creation))

    @staticmethod
    def _fix(analysis: "ModuleAnalysis", creation: "LoopCreation") -> Optional[Fix]:
        """``asyncio.set_event_loop(loop)`` on the line after the loop is made.

        Safe when the loop is a variable run in the function that makes it: it is installed in
        the thread that runs it, which is the recipe. A ``self`` attribute may be run by another
        method in another thread, and a loop run from a nested function may run elsewhere:
        unsafe.
        """
        if creation.statement is None or not creation.target:
            return None
        reference = analysis.fixes.module_reference("asyncio", creation.scope)
        if reference is None:
            return None
        asyncio_name, import_edits = reference
        edit = analysis.fixes.insert_after(creation.statement, f"{asyncio_name}.set_event_loop({creation.target})")
        if edit is None:
            return None
        run_here = all(
            site is not None and site.function is creation.function
            for site in (analysis.index.call_sites.get(run) for run in creation.runs)
        )
        safe = "." not in creation.target and run_here
        description = f"Install the loop with {asyncio_name}.set_event_loop({creation.target})"
        return Fix(description, (edit, *import_edits), safe)
