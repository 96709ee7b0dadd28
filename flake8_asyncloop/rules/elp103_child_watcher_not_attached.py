from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Iterator, Optional

from flake8_asyncloop.engine import apis, loops
from flake8_asyncloop.engine.diagnostics import Finding, Fix
from flake8_asyncloop.engine.reads import Reads
from flake8_asyncloop.engine.timeline import Effect, from_version
from flake8_asyncloop.rules.base import Example, Rule, register

if TYPE_CHECKING:
    from flake8_asyncloop.engine.analysis import ModuleAnalysis
    from flake8_asyncloop.engine.loops import LoopCreation


_UVLOOP_POLICY_APIS = apis.UVLOOP_INSTALL | apis.UVLOOP_POLICIES
_LATER = range(8, 100)  # the versions whose default child watcher needs no loop


@register
class ChildWatcherNotAttached(Rule):
    code = "ELP103"
    name = "child-watcher-not-attached"
    summary = "On Python 3.7, a new loop starts subprocesses with no child watcher attached to it."
    why = (
        "Python 3.7's Unix child watcher (SafeChildWatcher) must be attached to the loop that "
        "starts subprocesses; asyncio attaches it only to the loop installed in the main thread. "
        "A loop that is neither installed nor attached fails with RuntimeError: Cannot add child "
        "handler, the child watcher does not have a loop attached. In a worker thread attaching "
        "is impossible (set_wakeup_fd only works in main thread). From 3.8 the default "
        "ThreadedChildWatcher needs nothing, so the rule is silent unless the targets include 3.7."
    )
    how_to_fix = (
        "In the main thread, install the loop with asyncio.set_event_loop(loop) or call "
        "asyncio.get_child_watcher().attach_loop(loop) before starting subprocesses. From a worker "
        "thread, start subprocesses on the main thread's loop (asyncio.run_coroutine_threadsafe), "
        "or require Python 3.8+."
    )
    versions = "3.7 only (silent unless the targets include 3.7)"
    timeline = from_version(
        (0, Effect.MISBEHAVES, "cannot run subprocesses (no child watcher attached)"), (8, Effect.FINE, "")
    )
    fix_availability = "sometimes"
    fix_safety = "safe"
    fix_details = (
        "Safe: attach_loop(loop) after the loop is made, under `if sys.version_info < (3, 8):` unless "
        "every target is 3.7. No fix in a worker thread, where attaching cannot work."
    )
    reads = loops.READS | Reads(names=apis.NEW_EVENT_LOOP | apis.UVLOOP_INSTALL | apis.UVLOOP_POLICIES)
    invalid = (
        Example(
            "import asyncio\n"
            "async def main():\n"
            "    await asyncio.create_subprocess_exec('true')\n"
            "loop = asyncio.new_event_loop()\n"
            "loop.run_until_complete(main())\n",
            expected_message=(
                "'loop' starts subprocesses but no child watcher is attached to it, which fails on Python 3.7; in the "
                "main thread, call asyncio.set_event_loop(loop) or `if sys.version_info < (3, 8): "
                "asyncio.get_child_watcher().attach_loop(loop)` first"
            ),
            expected_replacement=(
                "import asyncio\n"
                "import sys\n"
                "async def main():\n"
                "    await asyncio.create_subprocess_exec('true')\n"
                "loop = asyncio.new_event_loop()\n"
                "if sys.version_info < (3, 8):\n"
                "    asyncio.get_child_watcher().attach_loop(loop)\n"
                "loop.run_until_complete(main())\n"
            ),
        ),
    )
    valid = (
        Example(
            "import asyncio\n"
            "async def main():\n"
            "    await asyncio.create_subprocess_exec('true')\n"
            "loop = asyncio.new_event_loop()\n"
            "asyncio.get_child_watcher().attach_loop(loop)\n"
            "loop.run_until_complete(main())\n"
        ),
        Example(
            "import asyncio\n"
            "async def main():\n"
            "    await asyncio.create_subprocess_exec('true')\n"
            "loop = asyncio.new_event_loop()\n"
            "loop.run_until_complete(main())\n",
            ">=3.8",
        ),
    )

    def check(self, analysis: "ModuleAnalysis") -> Iterator[Finding]:
        if not analysis.targets.includes_below(8):
            return
        threads = analysis.threads
        # uvloop.install() or its policy: new_event_loop() makes uvloop loops, which need no
        # watcher. Looked for once a creation asks (most modules create no loop).
        uvloop_policy: Optional[bool] = None
        for creation in analysis.loops.creations:
            if uvloop_policy is None:
                uvloop_policy = any(analysis.callee(site) in _UVLOOP_POLICY_APIS for site in analysis.index.calls)
            if uvloop_policy and analysis.callee_of(creation.call) in apis.NEW_EVENT_LOOP:
                continue
            if not analysis.reach(creation.call).includes(range(8), "unix"):
                continue  # guarded to 3.8+ or to Windows, where no child watcher is involved
            # uvloop reaps its children itself, the proactor is Windows-only, the abstract and
            # base classes cannot start subprocesses; a loop handed away may be attached elsewhere.
            if not creation.spawns_subprocesses or not creation.uses_child_watcher or creation.escapes:
                continue
            if creation.target:
                name = f"'{creation.target}'"
            elif creation.installed:
                name = "asyncio.run()"
            else:
                name = "the loop"
            thread = threads.start_of(creation.function)
            if thread is not None:
                started_on, _ = analysis.position(thread.origin)
                yield Finding(
                    creation.call,
                    f"subprocesses started from {name} in a worker thread (started on line {started_on}) "
                    "fail on Python 3.7, where no child watcher can attach outside the main thread; start "
                    "them on the main thread's loop, or require Python 3.8+",
                )
                continue
            # Installing or attaching counts only from the main thread (3.7 refuses elsewhere).
            set_up = [site for site in creation.installs + creation.attaches if threads.start_of(site.function) is None]
            if not set_up:
                variable = creation.target or "loop"
                attach = f"asyncio.get_child_watcher().attach_loop({variable})"
                if analysis.reach(creation.call).includes(_LATER):
                    # 3.12 deprecated the child-watcher API and 3.14 removed it: 3.7 alone runs it.
                    attach = f"`if sys.version_info < (3, 8): {attach}`"
                yield Finding(
                    creation.call,
                    f"{name} starts subprocesses but no child watcher is attached to it, which fails on "
                    f"Python 3.7; in the main thread, call asyncio.set_event_loop({variable}) or {attach} first",
                    partial(self._fix, analysis, creation),
                )

    @staticmethod
    def _fix(analysis: "ModuleAnalysis", creation: "LoopCreation") -> Optional[Fix]:
        """Attach the watcher on the line after the loop is made, guarded when targets go past 3.7.

        The attach is needed on 3.7 only; from 3.12 it warns and 3.14 removed it, so unless every
        target is older than 3.8 it goes under ``if sys.version_info < (3, 8):``. Safe: on 3.7 in
        the main thread this is the recipe, and no other version runs it.
        """
        if creation.statement is None or not creation.target:
            return None
        fixes = analysis.fixes
        asyncio_ref = fixes.module_reference("asyncio", creation.scope)
        if asyncio_ref is None:
            return None
        attach = f"{asyncio_ref[0]}.get_child_watcher().attach_loop({creation.target})"
        import_edits = list(asyncio_ref[1])
        if analysis.reach(creation.call).includes(_LATER):
            sys_ref = fixes.module_reference("sys", creation.scope)
            indentation = fixes.indentation_of(creation.statement)
            if sys_ref is None or indentation is None:
                return None
            import_edits.extend(sys_ref[1])
            newline = fixes.lines.line_break(analysis.span(creation.statement)[1][0]) or analysis.module.default_newline
            inner = indentation + analysis.module.default_indent
            attach = f"if {sys_ref[0]}.version_info < (3, 8):{newline}{inner}{attach}"
        edit = fixes.insert_after(creation.statement, attach)
        if edit is None:
            return None
        return Fix("Attach the child watcher to the loop (Python 3.7)", (edit, *import_edits), True)
