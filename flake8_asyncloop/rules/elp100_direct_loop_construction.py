from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from flake8_asyncloop.engine import apis
from flake8_asyncloop.engine.diagnostics import Finding
from flake8_asyncloop.rules.base import Example, Rule

if TYPE_CHECKING:
    from flake8_asyncloop.engine.analysis import ModuleAnalysis


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
        for site in analysis.index.calls:
            callees = analysis.possible_callees(site)
            if not callees or not callees <= apis.LOOP_CLASSES:
                continue
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
            yield Finding(site.node, message)
