"""ELP109: a sync function runs the loop that asyncio.get_event_loop() gives it, for callers the
module cannot see: with no loop set by them, the lookup warns on 3.12-3.13 and raises on 3.14+."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator, Optional

import libcst as cst

from flake8_asyncloop.engine import apis, loopstate, threads
from flake8_asyncloop.engine.diagnostics import Finding
from flake8_asyncloop.engine.loopstate import Callers, Kind
from flake8_asyncloop.engine.reads import Reads
from flake8_asyncloop.engine.timeline import NO_LOOP_WARNS_THEN_RAISES
from flake8_asyncloop.rules.advice import ASYNCIO_RUN, RUNNER, since
from flake8_asyncloop.rules.base import Example, Rule, register

if TYPE_CHECKING:
    from flake8_asyncloop.engine.analysis import ModuleAnalysis
    from flake8_asyncloop.engine.index import CallSite, FunctionInfo
    from flake8_asyncloop.engine.loopstate import State


@register
class GetEventLoopInSyncWrapper(Rule):
    code = "ELP109"
    name = "get-event-loop-in-sync-wrapper"
    summary = (
        "A sync function runs the loop asyncio.get_event_loop() gives it, for callers the module "
        "cannot see, who may have set no loop."
    )
    why = (
        "A sync wrapper such as `def fetch(): return asyncio.get_event_loop().run_until_complete(go())` "
        "cannot be called from a running loop (run_until_complete() raises there), so it runs where "
        "get_event_loop() returns the loop set in the thread. Its callers (code using the library, a "
        "command-line entry point) usually set none: get_event_loop() warns then on 3.12-3.13 "
        "(DeprecationWarning, an error in test suites that turn warnings into errors) and raises "
        "RuntimeError from 3.14. CPython found this shape all over published code "
        "(python/cpython#126353). ELP105 reports the lookups that run with no loop set for certain; "
        "this rule, those whose callers the module cannot see: a public function or method, the "
        "function a decorator returns, a click command, and what they call, including a lookup kept "
        "as `self.loop = loop or asyncio.get_event_loop()` that another method runs. It stays silent "
        "where the callers are code the function is handed to (a callback, a thread or process "
        "target, a registering decorator), and where the module or another module of its package "
        "may leave a loop set (`set_event_loop(loop)`, `nest_asyncio.apply()`, a custom policy): a "
        "caller may have run that first."
    )
    how_to_fix = (
        "Run the coroutine with asyncio.run(go()) (3.7+), or keep one asyncio.Runner (3.11+) for "
        "several calls; where a loop must outlive the call, create it once with "
        "asyncio.new_event_loop(), keep it, and close it when done. There is no automatic fix: "
        "asyncio.run() closes its loop after each call, which breaks objects that callers keep "
        "bound to one loop between calls, so which rewrite is right depends on them."
    )
    versions = "3.12-3.13 (DeprecationWarning), 3.14+ (RuntimeError), when the caller has set no loop"
    timeline = NO_LOOP_WARNS_THEN_RAISES
    fix_availability = "never"
    fix_safety = "none"
    fix_details = ""
    # A lookup kept as ``self.loop`` is followed as a made loop is, to the methods that run it.
    reads = threads.READS | loopstate.READS | Reads(
        names=apis.GET_EVENT_LOOP, creations=apis.GET_EVENT_LOOP, loop_methods=apis.LOOP_RUN_METHODS
    )
    invalid = (
        Example(
            "import asyncio\n"
            "async def fetch():\n"
            "    await asyncio.sleep(0)\n"
            "def fetch_sync():\n"
            "    return asyncio.get_event_loop().run_until_complete(fetch())\n",
            ">=3.9",
            expected_message=(
                "asyncio.get_event_loop() in fetch_sync(), which runs the loop it gets, for callers "
                "outside this module: where they have set no loop, it warns on 3.12-3.13 and raises "
                "RuntimeError on 3.14+; run the coroutine with asyncio.run() or an asyncio.Runner (3.11+), or keep "
                "a loop of its own made with asyncio.new_event_loop()"
            ),
            expected_replacement=None,
        ),
        Example(
            "import asyncio\n"
            "class Client:\n"
            "    def __init__(self, loop=None):\n"
            "        self.loop = loop or asyncio.get_event_loop()\n"
            "    def close(self):\n"
            "        self.loop.run_until_complete(self.aclose())\n"
            "    async def aclose(self):\n"
            "        pass\n",
            ">=3.14",
            expected_message=(
                "asyncio.get_event_loop() (used when no loop is passed) in __init__(), whose loop close() "
                "runs on line 6, for callers outside this module: where they have set no loop, it raises "
                "RuntimeError on 3.14+; run the coroutine with asyncio.run() or an asyncio.Runner, or keep "
                "a loop of its own made with asyncio.new_event_loop()"
            ),
            expected_replacement=None,
        ),
    )
    valid = (
        Example(
            "import asyncio\n"
            "def loop_for_later():\n"
            "    return asyncio.get_event_loop()\n",
            ">=3.9",
        ),
        Example(
            "import asyncio\n"
            "def fetch_sync(coro):\n"
            "    loop = asyncio.new_event_loop()\n"
            "    asyncio.set_event_loop(loop)\n"
            "    return asyncio.get_event_loop().run_until_complete(coro)\n",
            ">=3.9",
        ),
        Example(
            "import asyncio\n"
            "def fetch_sync(coro):\n"
            "    return asyncio.get_event_loop().run_until_complete(coro)\n",
            ">=3.7,<3.12",
        ),
    )

    def check(self, analysis: "ModuleAnalysis") -> Iterator[Finding]:
        for site in analysis.index.calls:
            function = site.function
            if function is None or function.is_async or function.is_generator:
                continue  # module level and coroutines: ELP105 and ELP104
            if site.guarded_by_runtime_error or not analysis.is_get_event_loop(site):
                continue
            if analysis.threads.start_of(function) is not None:
                continue  # ELP101's
            relation = _relation(analysis, site, function)
            consequence = analysis.no_loop_consequence(site.node)
            if relation is None or consequence is None:
                continue
            audience = _audience(analysis, site, consequence)
            if audience is None:
                continue
            subject = "asyncio.get_event_loop() (used when no loop is passed)" if site.parameter_fallback else (
                "asyncio.get_event_loop()"
            )
            minors = analysis.minors_reaching(site.node)
            run = since("asyncio.run()", ASYNCIO_RUN, minors)
            runner = since("asyncio.Runner", RUNNER, minors)
            yield Finding(
                site.node,
                f"{subject} in {function.name}(), {relation}, {audience}; run the coroutine with {run} "
                f"or an {runner}, or keep a loop of its own made with asyncio.new_event_loop()",
            )


def _relation(analysis: "ModuleAnalysis", site: "CallSite", function: "FunctionInfo") -> Optional[str]:
    """How the loop the lookup gets is run (which no code inside a running loop can do), if it is:
    in the same function, ``get_event_loop().run_until_complete(x)`` or ``loop = ...`` and later
    ``loop.run_forever()``; or kept as ``self.loop`` and run by a method of the class."""
    holder = _assigned_to(site)
    if _runs_here(analysis, site, function, holder):
        return "which runs the loop it gets"
    owner = function.owner_class
    if holder is None or owner is None or function.self_name is None or not holder.startswith(function.self_name + "."):
        return None
    attribute = holder.partition(".")[2]
    for method in owner.methods.values():
        for other in method.calls:
            runs = _run_loop(other)
            if runs is not None and _names_attribute(analysis, method, runs, f"{method.self_name}.{attribute}"):
                return f"whose loop {method.name}() runs on line {analysis.position(other.node)[0]}"
    return None


def _names_attribute(
    analysis: "ModuleAnalysis", method: "FunctionInfo", expr: cst.BaseExpression, written: str
) -> bool:
    """``expr`` is ``self.loop`` (``written``), or a local name bound only to it (``loop =
    self.loop``, then ``loop.run_forever()``)."""
    if analysis.source(expr) == written:
        return True
    bindings = method.scope.bindings.get(expr.value, []) if isinstance(expr, cst.Name) else []
    return bool(bindings) and all(
        binding.kind == "alias" and binding.value is not None and analysis.source(binding.value) == written
        for binding in bindings
    )


def _runs_here(analysis: "ModuleAnalysis", site: "CallSite", function: "FunctionInfo", holder: Optional[str]) -> bool:
    after = False
    for other in function.calls:
        if other is site:
            after = True
            continue
        runs = _run_loop(other)
        if runs is site.node or (runs is not None and after and analysis.source(runs) == holder):
            return True
    return False


def _run_loop(site: "CallSite") -> Optional[cst.BaseExpression]:
    """The loop ``site`` runs (``x.run_until_complete(...)``, ``x.run_forever()``): ``x``."""
    func = site.node.func
    return func.value if isinstance(func, cst.Attribute) and func.attr.value in apis.LOOP_RUN_METHODS else None


def _assigned_to(site: "CallSite") -> Optional[str]:
    """The code of the name or attribute ``loop = get_event_loop()`` assigns, if that is the
    statement (``loop = loop or get_event_loop()`` too)."""
    statement = site.statement
    if statement is None or len(statement.body) != 1:
        return None
    small = statement.body[0]
    value = small.value if isinstance(small, (cst.Assign, cst.AnnAssign)) else None
    if isinstance(value, cst.BooleanOperation) and isinstance(value.operator, cst.Or):
        value = value.right
    if isinstance(value, cst.IfExp) and site.node in (value.body, value.orelse):
        value = site.node  # ``get_event_loop() if loop is None else loop``
    if isinstance(small, cst.AnnAssign) and value is site.node:
        target = small.target  # ``self.loop: AbstractEventLoop = get_event_loop()``
    elif isinstance(small, cst.Assign) and value is site.node and len(small.targets) == 1:
        target = small.targets[0].target
    else:
        return None
    if isinstance(target, cst.Name):
        return target.value
    if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name):
        return f"{target.value.value}.{target.attr.value}"
    return None


def _audience(analysis: "ModuleAnalysis", site: "CallSite", consequence: str) -> Optional[str]:
    """Who runs the lookup with what they may have set, and what then happens; None where
    something the analysis sees may have set a loop, or the callers are code it is handed to."""
    unseen = _unseen_callers(analysis.loop_states.before(site))
    if unseen and analysis.project_loop_states is not None:
        unseen = _unseen_callers(analysis.project_loop_states.before(site))
    if not unseen or analysis.may_install_a_loop():
        return None
    kinds = [(analysis.loop_states.unseen_callers(function), function) for function in unseen]
    if any(kind is Callers.HANDED for kind, _ in kinds):
        return None
    kind, function = min(kinds, key=lambda pair: analysis.position(pair[1].node))
    line = analysis.position(function.node)[0]
    if kind is Callers.CLICK:
        return f"for the click command {function.name}() on line {line}: run with no loop set, it {consequence}"
    if kind is Callers.RETURNED:
        maker = next((f for f in analysis.index.functions.values() if f.scope is function.outer_scope), None)
        made_by = f"{maker.name}() returns" if maker is not None else "its enclosing function returns"
        audience = f"for the callers of the {function.name}() {made_by} (line {line}), outside this module"
    elif function is site.function:
        audience = "for callers outside this module"
    else:
        audience = f"for the callers of {function.name}() on line {line}, outside this module"
    return f"{audience}: where they have set no loop, it {consequence}"


def _unseen_callers(state: "State") -> list["FunctionInfo"]:
    """The functions whose unseen callers reach the lookup with what they set, each on a path where
    nothing the analysis sees sets a loop (what ``state`` holds from other paths does not matter:
    on this one, a caller with no loop set makes it warn or raise)."""
    return [value.callers_of for value in state if value.kind is Kind.UNSEEN and value.callers_of is not None]
