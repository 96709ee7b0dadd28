from __future__ import annotations

from typing import TYPE_CHECKING, Iterator, Optional

import libcst as cst

from flake8_asyncloop.engine.diagnostics import Finding, Fix
from flake8_asyncloop.rules.base import Example, Rule

if TYPE_CHECKING:
    from flake8_asyncloop.engine.analysis import ModuleAnalysis
    from flake8_asyncloop.engine.loops import LoopCreation


class LoopNotInstalled(Rule):
    code = "ELP102"
    name = "loop-never-installed"
    summary = "A loop from new_event_loop() is run but never installed with asyncio.set_event_loop()."
    why = (
        "Code that looks the loop up (asyncio.get_event_loop(), and on Python 3.7-3.9 "
        "asyncio.Future(), Queue(), Lock() and ensure_future() made outside a coroutine) gets a "
        "different loop than the one being run, or RuntimeError in a worker thread. On 3.7 the "
        "child watcher attaches only to the installed loop, so subprocesses fail too."
    )
    how_to_fix = (
        "Call asyncio.set_event_loop(loop) right after creating the loop, in the thread that runs "
        "it; on Python 3.8+ prefer asyncio.run(main()), which manages the loop for you."
    )
    invalid = (
        Example(
            "import asyncio\n"
            "loop = asyncio.new_event_loop()\n"
            "loop.run_until_complete(main())\n"
        ),
        Example(
            "import asyncio\n"
            "class Worker:\n"
            "    def start(self):\n"
            "        self.loop = asyncio.new_event_loop()\n"
            "    def serve(self):\n"
            "        self.loop.run_forever()\n"
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
    )

    def check(self, analysis: "ModuleAnalysis") -> Iterator[Finding]:
        modern = "" if analysis.targets.includes_below(8) else ", or use asyncio.run()"
        for creation in analysis.loops.creations:
            if creation.installed or creation.escapes or creation.runs_elsewhere:
                continue
            if creation.deliberately_uninstalled:
                continue
            runs_here = [run for run in creation.runs if not _in_another_thread(analysis, creation, run)]
            if not creation.looks_up_again and not runs_here:
                continue  # run only by a thread's own function: "loop in a background thread"
            if not (creation.runs or creation.looks_up_again):
                continue
            if not creation.target:
                message = (
                    "event loop created and run in one expression is never installed; assign it and "
                    f"call asyncio.set_event_loop() on it{modern}"
                )
            elif creation.runs:
                message = (
                    f"event loop '{creation.target}' is run but never installed; call "
                    f"asyncio.set_event_loop({creation.target}) after creating it{modern}"
                )
            else:
                message = (
                    f"event loop '{creation.target}' is never installed, so asyncio.get_event_loop() "
                    f"later in this function returns a different loop; call "
                    f"asyncio.set_event_loop({creation.target}) after creating it"
                )
            yield Finding(creation.call, message, self._fix(analysis, creation) if analysis.want_fixes else None)

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
            for site in (analysis.index.call_sites.get(id(run)) for run in creation.runs)
        )
        safe = "." not in creation.target and run_here
        description = f"Install the loop with {asyncio_name}.set_event_loop({creation.target})"
        return Fix(description, (edit, *import_edits), safe)


def _in_another_thread(analysis: "ModuleAnalysis", creation: "LoopCreation", run: cst.Call) -> bool:
    site = analysis.index.call_sites.get(id(run))
    function = site.function if site is not None else None
    return function is not creation.function and analysis.threads.start_of(function) is not None
