from __future__ import annotations

from typing import TYPE_CHECKING, Iterator, Optional

from flake8_asyncloop.engine import apis
from flake8_asyncloop.engine.diagnostics import Finding, Fix
from flake8_asyncloop.rules.base import Example, Rule

if TYPE_CHECKING:
    from flake8_asyncloop.engine.analysis import ModuleAnalysis
    from flake8_asyncloop.engine.index import CallSite


class GetEventLoopInCoroutine(Rule):
    code = "ELP104"
    name = "get-event-loop-in-coroutine"
    summary = "asyncio.get_event_loop() is called inside a coroutine instead of asyncio.get_running_loop()."
    why = (
        "Inside a coroutine there is always a running loop, and asyncio.get_running_loop() (3.7+) "
        "returns exactly it. get_event_loop() returns the same loop there, but says something else: "
        "outside a coroutine it may create a loop (before 3.14), warn (3.10-3.13) or raise, and "
        "code copied out of the coroutine takes that behaviour with it. Its policy lookup is "
        "deprecated with the policy system in 3.14."
    )
    how_to_fix = "Call asyncio.get_running_loop() instead."
    invalid = (
        Example("import asyncio\nasync def main():\n    loop = asyncio.get_event_loop()\n"),
        Example("from asyncio import get_event_loop\nasync def main():\n    return get_event_loop().time()\n"),
    )
    valid = (
        Example("import asyncio\nasync def main():\n    loop = asyncio.get_running_loop()\n"),
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
            if site.function is None or not site.function.is_async:
                continue  # a nested def or lambda is its own function: it may run anywhere, later
            if analysis.callee(site) not in apis.GET_EVENT_LOOP:
                continue
            written = analysis.source(site.node.func)
            yield Finding(
                site.node,
                f"{written}() inside a coroutine: use asyncio.get_running_loop(), which returns the "
                "running loop and never creates one",
                self._fix(analysis, site) if analysis.want_fixes else None,
            )

    @staticmethod
    def _fix(analysis: "ModuleAnalysis", site: "CallSite") -> Optional[Fix]:
        """Safe: directly inside a coroutine both calls return the running loop."""
        if site.node.args:
            return None
        reference = analysis.fixes.module_reference("asyncio", site.scope)
        if reference is None:
            return None
        name, import_edits = reference
        edit = analysis.fixes.replace(site.node, f"{name}.get_running_loop()")
        return Fix(f"Use {name}.get_running_loop()", (edit, *import_edits), True)
