from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Iterator, Optional

import libcst as cst

from flake8_asyncloop.engine import apis, loopstate, threads
from flake8_asyncloop.engine.calls import argument, method_name
from flake8_asyncloop.engine.index import ImportSite
from flake8_asyncloop.engine.loopstate import Kind
from flake8_asyncloop.engine.diagnostics import Finding, Fix
from flake8_asyncloop.engine.reads import Reads
from flake8_asyncloop.engine.timeline import (
    NO_LOOP_RAISES_FROM_314,
    NO_LOOP_WARNS_THEN_RAISES,
    RAISES_RUNTIME_ERROR,
    Effect,
    every_version,
)
from flake8_asyncloop.rules.base import Example, Rule, register

if TYPE_CHECKING:
    from flake8_asyncloop.engine.analysis import ModuleAnalysis
    from flake8_asyncloop.engine.index import CallSite
    from flake8_asyncloop.engine.loopstate import Site, State


@register
class GetEventLoopWithoutLoop(Rule):
    code = "ELP105"
    name = "get-event-loop-without-loop"
    summary = "asyncio.get_event_loop() is called in sync code where no event loop is set."
    why = (
        "With no loop set and none running, asyncio.get_event_loop() warns (DeprecationWarning) on "
        "3.12-3.13 and raises RuntimeError from 3.14. After asyncio.run() returns it raises on "
        "every version: asyncio.run() sets the loop to None when it closes. Module-level code, "
        "script entry points (functions the module itself calls at import or under "
        "`if __name__ == '__main__':`) and code after asyncio.run() have no loop set."
    )
    how_to_fix = (
        "Run the coroutine with asyncio.run(main()) (or asyncio.Runner() on 3.11+ for several "
        "calls); where the loop is needed as an object, create and install it explicitly: "
        "loop = asyncio.new_event_loop(); asyncio.set_event_loop(loop)."
    )
    versions = "3.12-3.13 (DeprecationWarning), 3.14+ (RuntimeError); every version after asyncio.run()"
    timeline = NO_LOOP_WARNS_THEN_RAISES
    fix_availability = "sometimes"
    fix_safety = "mixed"
    fix_details = (
        "loop = asyncio.get_event_loop() becomes loop = asyncio.new_event_loop() plus "
        "asyncio.set_event_loop(loop), which is what get_event_loop() did with nothing set: safe "
        "after asyncio.run() or set_event_loop(None), unsafe elsewhere (an importer may have set a "
        "loop). asyncio.get_event_loop().run_until_complete(x) becomes asyncio.run(x) where x calls "
        "an async def of the module (asyncio.run() takes nothing but a coroutine) and nothing else "
        "in the statement looks the loop up: unsafe, since asyncio.run() also closes its loop and "
        "cancels what is still running."
    )
    reads = threads.READS | loopstate.READS | Reads(names=apis.GET_EVENT_LOOP, context=frozenset({"loop_factory"}))
    invalid = (
        Example(
            "import asyncio\n"
            "loop = asyncio.get_event_loop()\n"
            "loop.run_until_complete(main())\n",
            ">=3.9",
            expected_message=(
                "asyncio.get_event_loop() with no event loop set warns on 3.12-3.13 and raises RuntimeError on 3.14+; "
                "run coroutines with asyncio.run(), or create and install a loop with asyncio.new_event_loop() and "
                "asyncio.set_event_loop()"
            ),
            expected_replacement=(
                "import asyncio\n"
                "loop = asyncio.new_event_loop()\n"
                "asyncio.set_event_loop(loop)\n"
                "loop.run_until_complete(main())\n"
            ),
        ),
        Example(
            "import asyncio\n"
            "async def serve():\n"
            "    await asyncio.sleep(1)\n"
            "def main():\n"
            "    asyncio.get_event_loop().run_until_complete(serve())\n"
            "if __name__ == '__main__':\n"
            "    main()\n",
            ">=3.12",
            expected_message=(
                "asyncio.get_event_loop() with no event loop set warns on 3.12-3.13 and raises RuntimeError on 3.14+; "
                "run coroutines with asyncio.run(), or create and install a loop with asyncio.new_event_loop() and "
                "asyncio.set_event_loop()"
            ),
            expected_replacement=(
                "import asyncio\n"
                "async def serve():\n"
                "    await asyncio.sleep(1)\n"
                "def main():\n"
                "    asyncio.run(serve())\n"
                "if __name__ == '__main__':\n"
                "    main()\n"
            ),
        ),
        Example(
            "import asyncio\n"
            "def main():\n"
            "    asyncio.run(setup())\n"
            "    loop = asyncio.get_event_loop()\n",
            ">=3.7",
            expected_message=(
                "asyncio.get_event_loop() after asyncio.run() on line 3 raises RuntimeError on every Python version, "
                "since no event loop is set any more; run coroutines with asyncio.run(), or create and install a loop "
                "with asyncio.new_event_loop() and asyncio.set_event_loop()"
            ),
            expected_replacement=(
                "import asyncio\n"
                "def main():\n"
                "    asyncio.run(setup())\n"
                "    loop = asyncio.new_event_loop()\n"
                "    asyncio.set_event_loop(loop)\n"
            ),
        ),
    )
    valid = (
        Example(
            "import asyncio\n"
            "loop = asyncio.new_event_loop()\n"
            "asyncio.set_event_loop(loop)\n"
            "assert asyncio.get_event_loop() is loop\n",
            ">=3.9",
        ),
        Example(
            "import asyncio\n"
            "loop = asyncio.get_event_loop()\n",
            ">=3.7,<3.12",
        ),
        Example(
            "import asyncio\n"
            "def helper():\n"
            "    return asyncio.get_event_loop()\n",
            ">=3.9",
        ),
        Example(
            "import asyncio\n"
            "try:\n"
            "    loop = asyncio.get_event_loop()\n"
            "except RuntimeError:\n"
            "    loop = asyncio.new_event_loop()\n"
            "    asyncio.set_event_loop(loop)\n",
            ">=3.9",
        ),
    )

    def check(self, analysis: "ModuleAnalysis") -> Iterator[Finding]:
        for site in analysis.index.calls:
            if not analysis.is_get_event_loop(site) or site.guarded_by_runtime_error or site.parameter_fallback:
                continue
            function = site.function
            if function is not None and function.is_async:
                continue  # a coroutine's lookup finds the running loop (ELP104's concern)
            if analysis.threads.start_of(function) is not None:
                continue  # runs in a worker thread: ELP101's concern
            # What may be set here on 3.14+, and on 3.12-3.13 (a caught lookup sets a loop there):
            # from the module alone, then, where that says nothing, with the project's modules.
            state = analysis.loop_states.before(site)
            if _nothing_from_314(state) and analysis.project_loop_states is not None:
                state = analysis.project_loop_states.before(site)
            if not _nothing_from_314(state):
                continue  # never run, or a loop may be set (or code we cannot see ran first)
            cleared = [value.cleared_by for value in state if value.cleared and value.cleared_by is not None]
            if len(cleared) == len(state):
                yield self._after_clear(analysis, site, min(cleared, key=lambda s: analysis.position(s.node)))
                continue
            # Where a value holds only before 3.14 (a caught lookup set a loop), 3.12-3.13 do not warn.
            finding = self._nothing_set(analysis, site, warns=all(value.holds_on(14) for value in state))
            if finding is not None:
                yield finding

    def _after_clear(self, analysis: "ModuleAnalysis", site: "CallSite", cleared_by: "Site") -> Finding:
        """The lookup follows ``set_event_loop(None)`` or ``asyncio.run()`` (or a call or import
        of ours that ran one) on every path: it raises on every version."""
        line, _ = analysis.position(cleared_by.node)
        if isinstance(cleared_by, ImportSite):
            after = f"the import on line {line}, which runs asyncio.run() or set_event_loop(None),"
        else:
            arguments = "(None)" if analysis.uninstalls_loop(cleared_by) else "()"
            after = f"{analysis.source(cleared_by.node.func)}{arguments} on line {line}"
        message = (
            f"asyncio.get_event_loop() after {after} "
            "raises RuntimeError on every Python version, since no event loop is set any more; "
            + _advice(analysis)
        )
        timeline = every_version(Effect.RAISES, RAISES_RUNTIME_ERROR)
        return Finding(site.node, message, partial(self._fix, analysis, site, safe=True), timeline)

    def _nothing_set(self, analysis: "ModuleAnalysis", site: "CallSite", warns: bool) -> Optional[Finding]:
        """Nothing was ever set: the lookup warns on 3.12-3.13 and raises from 3.14 (with
        ``warns`` False, a loop is set on 3.12-3.13, and it only raises from 3.14)."""
        consequence = analysis.no_loop_consequence(site.node, warns)
        if consequence is None:
            return None
        message = f"asyncio.get_event_loop() with no event loop set {consequence}; " + _advice(analysis)
        timeline = NO_LOOP_WARNS_THEN_RAISES if warns else NO_LOOP_RAISES_FROM_314
        return Finding(site.node, message, partial(self._fix, analysis, site, safe=False), timeline)

    @staticmethod
    def _fix(analysis: "ModuleAnalysis", site: "CallSite", safe: bool) -> Optional[Fix]:
        """``asyncio.get_event_loop().run_until_complete(x)`` becomes ``asyncio.run(x)``; ``loop =
        asyncio.get_event_loop()`` becomes ``new_event_loop()`` plus ``set_event_loop(loop)``.

        The second is what get_event_loop() did on 3.7-3.13 with nothing set, so it is safe where
        nothing can be set (after asyncio.run()); at module level an importer may have set a
        loop, which the new code would replace: unsafe there. asyncio.run() also closes the loop
        and cancels what is left running: always unsafe.
        """
        if site.statement is None or len(site.statement.body) != 1:
            return None
        reference = analysis.fixes.module_reference("asyncio", site.scope)
        if reference is None:
            return None
        asyncio_name, import_edits = reference
        small = site.statement.body[0]
        if isinstance(small, cst.Assign) and small.value is site.node and len(small.targets) == 1:
            target = small.targets[0].target
            if not isinstance(target, cst.Name):
                return None
            created = analysis.fixes.replace(site.node, f"{asyncio_name}.new_event_loop()")
            installed = analysis.fixes.insert_after(site.statement, f"{asyncio_name}.set_event_loop({target.value})")
            if installed is None:
                return None
            description = f"Create and install the loop with {asyncio_name}.new_event_loop() and set_event_loop()"
            return Fix(description, (created, installed, *import_edits), safe)
        run = _chained_run(small, site.node)
        if run is None or analysis.targets.includes_below(7):
            return None
        coroutine = argument(run, 0, "future")
        if coroutine is None or len(run.args) != 1 or not _is_coroutine_call(analysis, coroutine, site):
            # Only a coroutine: before 3.14 asyncio.run() raises ValueError for a future or task;
            # 3.14 takes any awaitable, but a future of the looked-up loop raises RuntimeError there.
            return None
        if _other_lookups(analysis, site):
            return None  # the argument's own lookup would find another loop than asyncio.run()'s
        edit = analysis.fixes.replace(run, f"{asyncio_name}.run({analysis.source(coroutine)})")
        return Fix(f"Run the coroutine with {asyncio_name}.run()", (edit, *import_edits), False)


def _chained_run(small: cst.BaseSmallStatement, lookup: cst.Call) -> Optional[cst.Call]:
    """The ``<lookup>.run_until_complete(x)`` call that ``small`` consists of, as an expression
    statement, a return value or an assigned value."""
    value: Optional[cst.BaseExpression] = None
    if isinstance(small, (cst.Expr, cst.Return)):
        value = small.value
    elif isinstance(small, cst.Assign):
        value = small.value
    if (
        isinstance(value, cst.Call)
        and isinstance(value.func, cst.Attribute)
        and value.func.value is lookup
        and method_name(value) == "run_until_complete"
    ):
        return value
    return None


def _nothing_from_314(state: "State") -> bool:
    """Whether ``state`` (of a code that runs) holds nothing but "no loop" on 3.14+."""
    from_314 = [value for value in state if value.holds_on(14)]
    return bool(from_314) and all(value.kind is Kind.NOTHING for value in from_314)


def _is_coroutine_call(analysis: "ModuleAnalysis", expr: cst.BaseExpression, site: "CallSite") -> bool:
    """``expr`` calls an ``async def`` of this module (and only such): it makes a coroutine."""
    if not isinstance(expr, cst.Call):
        return False
    functions = analysis.resolver.functions(expr.func, site.scope)
    return bool(functions) and all(function.is_async and not function.is_generator for function in functions)


def _other_lookups(analysis: "ModuleAnalysis", site: "CallSite") -> bool:
    """Whether another call of ``site``'s statement looks the current loop up."""
    body = site.function.calls if site.function is not None else analysis.index.calls
    return any(
        other is not site and other.statement is site.statement and analysis.looks_up_loop(other) for other in body
    )


def _advice(analysis: "ModuleAnalysis") -> str:
    if analysis.targets.includes_below(7):
        return "create and install a loop with asyncio.new_event_loop() and asyncio.set_event_loop()"
    return (
        "run coroutines with asyncio.run(), or create and install a loop with asyncio.new_event_loop() "
        "and asyncio.set_event_loop()"
    )
