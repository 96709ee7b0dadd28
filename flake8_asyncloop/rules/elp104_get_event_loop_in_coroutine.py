from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Iterator, Optional

import libcst as cst
from libcst.helpers import get_full_name_for_node

from flake8_asyncloop.engine import apis
from flake8_asyncloop.engine.diagnostics import Finding, Fix
from flake8_asyncloop.engine.reads import Reads
from flake8_asyncloop.engine.walk import TreeVisitor
from flake8_asyncloop.engine.timeline import Effect, every_version
from flake8_asyncloop.rules.advice import GET_RUNNING_LOOP, since, some_older
from flake8_asyncloop.rules.base import Example, Rule, register

if TYPE_CHECKING:
    from flake8_asyncloop.engine.analysis import ModuleAnalysis
    from flake8_asyncloop.engine.index import CallSite, FunctionInfo


_HAS_GET_RUNNING_LOOP = range(GET_RUNNING_LOOP, 100)


@register
class GetEventLoopInCoroutine(Rule):
    code = "ELP104"
    name = "get-event-loop-in-coroutine"
    summary = (
        "asyncio.get_event_loop() is called inside a coroutine, or in a function only coroutines call, instead of "
        "asyncio.get_running_loop()."
    )
    why = (
        "Inside a coroutine there is always a running loop, and asyncio.get_running_loop() (3.7+) "
        "returns exactly it. get_event_loop() returns the same loop there, but says something else: "
        "outside a coroutine it may create a loop (before 3.14), warn (3.10-3.13) or raise, and "
        "code copied out of the coroutine takes that behaviour with it. Its policy lookup is "
        "deprecated with the policy system in 3.14. The same holds in a sync function that only "
        "ever runs inside a running loop: a private or nested function that its module calls "
        "only from coroutines (or from such functions), and uses in no other way."
    )
    how_to_fix = "Call asyncio.get_running_loop() instead."
    versions = "3.7+ (get_running_loop() is new in 3.7)"
    timeline = every_version(Effect.ADVICE, "works; get_running_loop() is the recipe")
    fix_availability = "sometimes"
    fix_safety = "mixed"
    fix_details = (
        "Safe: inside the coroutine itself, and in a function every call of which runs inside a "
        "running loop, both calls return the running loop. Unsafe inside an "
        "`assert` or an assert*() call, where a test may be checking get_event_loop() itself. No "
        "fix when the call has arguments."
    )
    # ``located``: the callers of a sync function that looks the loop up are kept on flake8's path.
    reads = Reads(names=apis.GET_EVENT_LOOP, located=apis.GET_EVENT_LOOP)
    invalid = (
        Example(
            "import asyncio\nasync def main():\n    loop = asyncio.get_event_loop()\n",
            expected_message=(
                "asyncio.get_event_loop() inside a coroutine: use asyncio.get_running_loop(), which returns the "
                "running loop and never creates one"
            ),
            expected_replacement="import asyncio\nasync def main():\n    loop = asyncio.get_running_loop()\n",
        ),
        Example(
            "from asyncio import get_event_loop\nasync def main():\n    return get_event_loop().time()\n",
            expected_message=(
                "get_event_loop() inside a coroutine: use asyncio.get_running_loop(), which returns the running loop "
                "and never creates one"
            ),
            # The name imported from asyncio has no use left: its import goes.
            expected_replacement="import asyncio\nasync def main():\n    return asyncio.get_running_loop().time()\n",
        ),
        Example(
            "import asyncio\n"
            "def _now():\n"
            "    return asyncio.get_event_loop().time()\n"
            "async def tick():\n"
            "    return _now()\n",
            expected_message=(
                "asyncio.get_event_loop() in _now(), which runs only inside a running loop (called from tick() on "
                "line 5): use asyncio.get_running_loop(), which returns the running loop and never creates one"
            ),
            expected_replacement=(
                "import asyncio\n"
                "def _now():\n"
                "    return asyncio.get_running_loop().time()\n"
                "async def tick():\n"
                "    return _now()\n"
            ),
        ),
    )
    valid = (
        Example("import asyncio\nasync def main():\n    loop = asyncio.get_running_loop()\n"),
        Example(
            "import asyncio\n"
            "def _now():\n"
            "    return asyncio.get_event_loop().time()\n"
            "async def tick():\n"
            "    return _now()\n"
            "def sync_tick():\n"
            "    return _now()\n"
        ),
        Example(
            "import asyncio\n"
            "async def main():\n"
            "    def later():\n"
            "        return asyncio.get_event_loop()\n"
            "    return later\n"
        ),
    )

    def check(self, analysis: "ModuleAnalysis") -> Iterator[Finding]:
        for site in analysis.index.calls:
            function = site.function
            if function is None or analysis.callee(site) not in apis.GET_EVENT_LOOP:
                continue
            if not analysis.reach(site.node).includes(_HAS_GET_RUNNING_LOOP):
                continue  # only 3.6 runs it, which has no get_running_loop()
            written = analysis.source(site.node.func)
            if function.is_async:
                where = "inside a coroutine"
            else:
                # A nested def or lambda is its own function: it may run anywhere, later.
                caller = _running_caller(analysis, function)
                if caller is None:
                    continue
                line = analysis.position(caller.node)[0]
                where = (
                    f"in {function.name}(), which runs only inside a running loop (called from "
                    f"{caller.function.name if caller.function else '?'}() on line {line})"
                )
            minors = analysis.minors_reaching(site.node)
            advice = (
                f"use {since('asyncio.get_running_loop()', GET_RUNNING_LOOP, minors)}, which returns the running "
                "loop and never creates one"
            )
            if some_older(minors, GET_RUNNING_LOOP):
                # 3.6 has no get_running_loop(): the call stays right there, and has no fix.
                yield Finding(site.node, f"{written}() {where}: {advice}; before 3.7: keep it, the only way there")
                continue
            yield Finding(site.node, f"{written}() {where}: {advice}", partial(self._fix, analysis, site))

    @staticmethod
    def _fix(analysis: "ModuleAnalysis", site: "CallSite") -> Optional[Fix]:
        """Safe: directly inside a coroutine both calls return the running loop.

        Unsafe where a test asserts on the call (``assert get_event_loop() is loop``,
        ``self.assertIs(get_event_loop(), loop)``, as uvloop's tests do): there get_event_loop()
        is the subject, and the test would go on passing while checking nothing.
        """
        if site.node.args:
            return None
        reference = analysis.fixes.module_reference("asyncio", site.scope)
        if reference is None:
            return None
        name, import_edits = reference
        edit = analysis.fixes.replace(site.node, f"{name}.get_running_loop()")
        return Fix(f"Use {name}.get_running_loop()", (edit, *import_edits), not _asserted(site))


def _running_caller(analysis: "ModuleAnalysis", function: "FunctionInfo") -> Optional["CallSite"]:
    """A call of ``function`` when every run of it is inside a running loop
    (``LoopStates.running_caller``). Asked only for a private function (``_name``) or one
    nested in another: an importer may call a public one from code with no loop running."""
    nested = function.outer_scope.kind == "function"
    private = function.name.startswith("_") and not function.name.endswith("__")
    return analysis.loop_states.running_caller(function) if nested or private else None


class _AssertedCall(TreeVisitor):
    """Whether ``target`` is in the test of an ``assert`` or an argument of an ``assert*()`` call."""

    def __init__(self, target: cst.Call) -> None:
        super().__init__()
        self.target = target
        self.asserting = 0  # how many asserts enclose the node being visited
        self.found = False

    def visit_Assert(self, node: cst.Assert) -> None:
        self.asserting += 1

    def leave_Assert(self, original_node: cst.Assert) -> None:
        self.asserting -= 1

    def visit_Call(self, node: cst.Call) -> bool:
        if node is self.target:
            self.found |= self.asserting > 0
            return False
        if _is_assertion(node):
            self.asserting += 1
        return True

    def leave_Call(self, original_node: cst.Call) -> None:
        if original_node is not self.target and _is_assertion(original_node):
            self.asserting -= 1


def _is_assertion(call: cst.Call) -> bool:
    """``self.assertIs(...)``, ``assertEqual(...)``, ``case.assert_equal(...)``."""
    name = get_full_name_for_node(call.func)
    return name is not None and name.rsplit(".", 1)[-1].startswith("assert")


def _asserted(site: "CallSite") -> bool:
    if site.statement is None:
        return False
    visitor = _AssertedCall(site.node)
    visitor.walk(site.statement)
    return visitor.found
