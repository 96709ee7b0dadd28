from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from flake8_asyncloop.engine import apis
from flake8_asyncloop.engine.diagnostics import Finding
from flake8_asyncloop.rules.base import Example, Rule

if TYPE_CHECKING:
    from flake8_asyncloop.engine.analysis import ModuleAnalysis

_FROM_314 = range(14, 100)
# What replaces each policy API, in the loop_factory world of 3.12+ (Runner: 3.11+).
_INSTEAD = {
    "install": "uvloop.run(main()) or asyncio.run(main(), loop_factory=uvloop.new_event_loop)",
    "EventLoopPolicy": "asyncio.run(main(), loop_factory=uvloop.new_event_loop)",
    "WindowsSelectorEventLoopPolicy": "asyncio.run(main(), loop_factory=asyncio.SelectorEventLoop)",
    "WindowsProactorEventLoopPolicy": "asyncio.run(main(), loop_factory=asyncio.ProactorEventLoop)",
}
_DEFAULT_INSTEAD = "asyncio.run(main(), loop_factory=...) or asyncio.Runner(loop_factory=...)"


class EventLoopPolicyApi(Rule):
    code = "ELP107"
    name = "event-loop-policy-api"
    summary = "An event-loop policy API is used on targets that reach Python 3.14, where it is deprecated."
    why = (
        "Python 3.14 deprecated the event-loop policy system (get/set_event_loop_policy, the "
        "*EventLoopPolicy classes) for removal in 3.16; uvloop.install() warns from 3.12 and only "
        "sets a policy. The replacement is the loop factory: asyncio.run(main(), loop_factory=...) "
        "(3.12+) and asyncio.Runner(loop_factory=...) (3.11+), or uvloop.run()."
    )
    how_to_fix = (
        "Pass the loop class or factory to asyncio.run() or asyncio.Runner() as loop_factory "
        "(asyncio.SelectorEventLoop for WindowsSelectorEventLoopPolicy, uvloop.new_event_loop for "
        "uvloop), or call uvloop.run(main())."
    )
    invalid = (
        Example(
            "import asyncio\n"
            "asyncio.set_event_loop_policy(asyncio.WindowsSelectorEventLoopPolicy())\n"
            "asyncio.run(main())\n",
            ">=3.12",
        ),
        Example("import uvloop\nuvloop.install()\n", ">=3.10"),
    )
    valid = (
        Example("import asyncio\nasyncio.run(main(), loop_factory=asyncio.SelectorEventLoop)\n", ">=3.12"),
        Example("import asyncio\nasyncio.set_event_loop_policy(None)\n", ">=3.8,<3.14"),
    )

    def check(self, analysis: "ModuleAnalysis") -> Iterator[Finding]:
        if not analysis.targets.includes_from(14):
            return
        flagged: dict[int, str] = {}  # id(call) -> the API's short name
        for site in analysis.index.calls:
            names = analysis.possible_callees(site)
            if names and names <= apis.POLICY_APIS and analysis.reach(site.node).includes(_FROM_314):
                flagged[id(site.node)] = next(iter(names)).rsplit(".", 1)[1]
        # set_event_loop_policy(uvloop.EventLoopPolicy()) is one problem: reported once, on the
        # outer call, with the advice for the policy it installs.
        inner = {
            id(arg.value): id(site.node)
            for site in analysis.index.calls
            if id(site.node) in flagged
            for arg in site.node.args
            if id(arg.value) in flagged
        }
        for site in analysis.index.calls:
            key = id(site.node)
            if key not in flagged or key in inner:
                continue
            advised = next((flagged[i] for i, outer in inner.items() if outer == key), flagged[key])
            instead = _INSTEAD.get(advised, _DEFAULT_INSTEAD)
            written = analysis.source(site.node.func)
            yield Finding(
                site.node,
                f"{written}() is deprecated from Python 3.14 (the policy system goes in 3.16); use {instead}",
            )
