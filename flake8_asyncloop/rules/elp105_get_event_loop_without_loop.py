from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Iterator, Optional

import libcst as cst

from flake8_asyncloop.engine import apis, threads
from flake8_asyncloop.engine.calls import argument, keyword_argument, method_name
from flake8_asyncloop.engine.diagnostics import Finding, Fix
from flake8_asyncloop.engine.reads import Reads
from flake8_asyncloop.rules.base import Example, Rule, register

if TYPE_CHECKING:
    from flake8_asyncloop.engine.analysis import ModuleAnalysis
    from flake8_asyncloop.engine.index import CallSite, FunctionInfo

_FROM_312 = range(12, 100)
_FROM_314 = range(14, 100)


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
    fix_availability = "sometimes"
    fix_safety = "mixed"
    fix_details = (
        "loop = asyncio.get_event_loop() becomes loop = asyncio.new_event_loop() plus "
        "asyncio.set_event_loop(loop), which is what get_event_loop() did with nothing set: safe "
        "after asyncio.run() or set_event_loop(None), unsafe elsewhere (an importer may have set a "
        "loop). asyncio.get_event_loop().run_until_complete(x) becomes asyncio.run(x): unsafe, since "
        "asyncio.run() also closes its loop and cancels what is still running."
    )
    reads = threads.READS | Reads(
        names=apis.GET_EVENT_LOOP | apis.SET_EVENT_LOOP | apis.SET_EVENT_LOOP_POLICY,
        incidental=apis.ASYNCIO_RUN,
        context=frozenset({"loop_factory"}),
        located=apis.GET_EVENT_LOOP,
    )
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
        module_sites = [site for site in analysis.index.calls if site.function is None]
        bodies: list[tuple[Optional["FunctionInfo"], list["CallSite"]]] = [(None, module_sites)]
        bodies += [(function, function.calls) for function in analysis.index.functions.values()]
        # What module-level code does, worked out once a function body needs it.
        entries: Optional[set["FunctionInfo"]] = None
        module_installs = False
        for function, sites in bodies:
            if function is not None and function.is_async:
                continue  # a coroutine's lookup finds the running loop (ELP104's concern)
            if analysis.threads.start_of(function) is not None:
                continue  # runs in a worker thread: ELP101's concern
            if not any(analysis.is_get_event_loop(site) for site in sites):
                continue  # every finding is on a lookup, and most bodies have none
            nothing_set = True
            if function is not None:
                if entries is None:
                    entries = _entry_functions(analysis, module_sites)
                    module_installs = any(_sets_loop_or_policy(analysis, site) for site in module_sites)
                nothing_set = function in entries and not module_installs
            yield from self._check_body(analysis, sites, nothing_set)

    def _check_body(self, analysis: "ModuleAnalysis", sites: list["CallSite"], nothing_set: bool) -> Iterator[Finding]:
        """Read one body's calls in order: installs, asyncio.run() returning, and lookups."""
        installed = False
        cleared_by: Optional["CallSite"] = None  # an asyncio.run() or set_event_loop(None)
        for site in sites:
            if _sets_loop_or_policy(analysis, site):
                installed, cleared_by = True, None
            elif _clears_loop(analysis, site):
                installed, cleared_by = False, site
            elif analysis.is_get_event_loop(site) and not (site.guarded_by_runtime_error or site.parameter_fallback):
                if cleared_by is not None and cleared_by.always_runs_before(site):
                    line, _ = analysis.position(cleared_by.node)
                    arguments = "(None)" if analysis.uninstalls_loop(cleared_by) else "()"
                    message = (
                        f"asyncio.get_event_loop() after {analysis.source(cleared_by.node.func)}{arguments} "
                        f"on line {line} "
                        "raises RuntimeError on every Python version, since no event loop is set any more; "
                        + _advice(analysis)
                    )
                    yield Finding(site.node, message, partial(self._fix, analysis, site, safe=True))
                elif nothing_set and not installed and cleared_by is None:
                    reach = analysis.reach(site.node)
                    if not reach.includes(_FROM_312):
                        continue
                    if reach.includes(_FROM_314):
                        consequence = "raises RuntimeError on 3.14+"
                        if reach.includes(range(12, 14)):
                            consequence = "warns on 3.12-3.13 and raises RuntimeError on 3.14+"
                    else:
                        consequence = "warns on 3.12-3.13 (DeprecationWarning) and raises RuntimeError from 3.14"
                    message = f"asyncio.get_event_loop() with no event loop set {consequence}; " + _advice(analysis)
                    yield Finding(site.node, message, partial(self._fix, analysis, site, safe=False))

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
        if coroutine is None or len(run.args) != 1:
            return None
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


def _entry_functions(analysis: "ModuleAnalysis", module_sites: list["CallSite"]) -> set["FunctionInfo"]:
    """Sync functions (not methods) that module-level code calls by name, and that nothing else
    mentions: a script's ``main()``, which runs before anything has set a loop. A function that
    other code calls or hands around may run under a loop."""
    module_calls: dict["FunctionInfo", int] = {}  # a function -> module-level calls by name
    for site in module_sites:
        if not isinstance(site.node.func, cst.Name):
            continue
        for function in analysis.resolver.functions(site.node.func, site.scope):
            if function.owner_class is None and isinstance(function.node, cst.FunctionDef) and not function.is_async:
                module_calls[function] = module_calls.get(function, 0) + 1
    return {
        function
        for function, calls in module_calls.items()
        if analysis.index.name_counts[function.name] == calls + 1  # the definition and these calls
    }


def _sets_loop_or_policy(analysis: "ModuleAnalysis", site: "CallSite") -> bool:
    # A policy may create loops on demand (tornado's AnyThreadEventLoopPolicy): nothing to say.
    return analysis.installs_loop(site) or analysis.callee(site) in apis.SET_EVENT_LOOP_POLICY


def _clears_loop(analysis: "ModuleAnalysis", site: "CallSite") -> bool:
    """``set_event_loop(None)``, or ``asyncio.run()`` without a loop factory (which sets its own
    loop and resets it to None when it returns; with a factory it sets nothing)."""
    if analysis.uninstalls_loop(site):
        return True
    return analysis.callee(site) in apis.ASYNCIO_RUN and keyword_argument(site.node, "loop_factory") is None


def _advice(analysis: "ModuleAnalysis") -> str:
    if analysis.targets.includes_below(7):
        return "create and install a loop with asyncio.new_event_loop() and asyncio.set_event_loop()"
    return (
        "run coroutines with asyncio.run(), or create and install a loop with asyncio.new_event_loop() "
        "and asyncio.set_event_loop()"
    )
