from __future__ import annotations

from typing import TYPE_CHECKING, Iterator, Optional

from flake8_asyncloop.engine import apis
from flake8_asyncloop.engine.diagnostics import Finding, Fix
from flake8_asyncloop.rules.base import Example, Rule

if TYPE_CHECKING:
    from flake8_asyncloop.engine.analysis import ModuleAnalysis
    from flake8_asyncloop.engine.index import CallSite


class DirectLoopConstruction(Rule):
    code = "ELP100"
    name = "direct-loop-construction"
    summary = "An event-loop class is called directly instead of asyncio.new_event_loop()."
    why = (
        "asyncio.new_event_loop() asks the installed event-loop policy for a loop, so uvloop, "
        "Windows policies and test policies take effect. Calling SelectorEventLoop() (or "
        "uvloop.Loop()) silently ignores them; BaseEventLoop() has no I/O implementation and "
        "fails when run, and AbstractEventLoop() raises NotImplementedError on use."
    )
    how_to_fix = (
        "Create the loop with asyncio.new_event_loop() (uvloop.new_event_loop() for uvloop.Loop()). "
        "On Python 3.12+ a specific loop class is chosen by passing it as loop_factory= to "
        "asyncio.run() or asyncio.Runner() (3.11+)."
    )
    invalid = (
        Example("import asyncio\nloop = asyncio.SelectorEventLoop()\n"),
        Example("from asyncio import unix_events\nloop = unix_events.SelectorEventLoop()\n"),
        Example("import uvloop as uv\nloop = uv.Loop()\n"),
    )
    valid = (
        Example("import asyncio\nloop = asyncio.new_event_loop()\n"),
        Example("import asyncio\nasyncio.run(main(), loop_factory=asyncio.SelectorEventLoop)\n", ">=3.12"),
        Example("import asyncio\nclass MyLoop(asyncio.SelectorEventLoop):\n    pass\n"),
        Example("class SelectorEventLoop:\n    pass\nloop = SelectorEventLoop()\n"),
    )

    def check(self, analysis: "ModuleAnalysis") -> Iterator[Finding]:
        factories = _loop_factories(analysis)
        for site in analysis.index.calls:
            callees = analysis.possible_callees(site)
            if not callees or not callees <= apis.LOOP_CLASSES:
                continue
            if site.node.args:
                continue  # SelectorEventLoop(selector): new_event_loop() cannot say that
            if site.function is not None and id(site.function.node) in factories:
                continue  # the loop factory itself, which is where a class is called
            written = analysis.source(site.node.func)
            if callees <= apis.UVLOOP_CLASSES:
                instead = "uvloop.new_event_loop()"
            elif callees & apis.UVLOOP_CLASSES:
                instead = "uvloop.new_event_loop() or asyncio.new_event_loop()"
            else:
                instead = "asyncio.new_event_loop()"
            message = f"{written}() bypasses the event-loop policy; create the loop with {instead}"
            if not analysis.targets.includes_below(12):
                message += f", or pass loop_factory={written} to asyncio.run()"
            elif not analysis.targets.includes_below(11):
                message += f", or use asyncio.Runner(loop_factory={written})"
            fix = self._fix(analysis, site, callees) if analysis.want_fixes else None
            yield Finding(site.node, message, fix)

    @staticmethod
    def _fix(analysis: "ModuleAnalysis", site: "CallSite", callees: frozenset[str]) -> Optional[Fix]:
        """``new_event_loop()`` of the same library in place of the class call.

        Safe where the policy's default loop is that very class on every platform:
        ``uvloop.Loop`` (uvloop.new_event_loop() returns one) and ``asyncio.EventLoop`` (the
        default loop by definition). Unsafe for the others: SelectorEventLoop is not the default
        on Windows since 3.8, ProactorEventLoop not on 3.7, and the base and abstract classes do
        not work at all, so the class the program gets can change.
        """
        if site.node.args:
            return None  # new_event_loop() takes no arguments: a selector or proactor stays
        if callees <= apis.UVLOOP_CLASSES:
            module, safe = "uvloop", True
        elif not callees & apis.UVLOOP_CLASSES:
            module, safe = "asyncio", callees <= apis.DEFAULT_LOOP_CLASSES
        else:
            return None  # uvloop or asyncio, decided at run time
        reference = analysis.fixes.module_reference(module, site.scope)
        if reference is None:
            return None
        name, import_edits = reference
        edit = analysis.fixes.replace(site.node, f"{name}.new_event_loop()")
        return Fix(f"Create the loop with {name}.new_event_loop()", (edit, *import_edits), safe)


def _loop_factories(analysis: "ModuleAnalysis") -> set[int]:
    """Functions that are loop factories: a policy's ``new_event_loop`` method, and lambdas or
    functions passed as ``loop_factory=`` (asyncio.run, asyncio.Runner)."""
    factories: set[int] = set()
    for info in analysis.index.functions.values():
        if info.owner_class is not None and info.name in ("new_event_loop", "_loop_factory"):
            factories.add(id(info.node))
    for site in analysis.index.calls:
        for arg in site.node.args:
            if arg.keyword is not None and arg.keyword.value == "loop_factory":
                factories.update(id(f.node) for f in analysis.resolver.functions(arg.value, site.scope))
    return factories
