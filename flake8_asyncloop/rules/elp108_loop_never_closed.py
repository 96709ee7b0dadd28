from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Iterator, Optional

import libcst as cst

from flake8_asyncloop.engine import apis, loops
from flake8_asyncloop.engine.diagnostics import Finding, Fix
from flake8_asyncloop.engine.edits import closing_try
from flake8_asyncloop.engine.reads import Reads
from flake8_asyncloop.engine.timeline import Effect, every_version
from flake8_asyncloop.rules.advice import ASYNCIO_RUN, since, some_older
from flake8_asyncloop.rules.base import Example, Rule, register

if TYPE_CHECKING:
    from flake8_asyncloop.engine.analysis import ModuleAnalysis
    from flake8_asyncloop.engine.loops import LoopCreation


@register
class LoopNeverClosed(Rule):
    code = "ELP108"
    name = "loop-never-closed"
    summary = "An event loop this code created is never closed."
    why = (
        "A loop holds a selector, a self-pipe (two sockets) and, once used, a default thread pool. "
        "An unclosed loop leaks them until the garbage collector finds it, and its destructor "
        "emits 'ResourceWarning: unclosed event loop' (shown under -X dev and by pytest); in a "
        "long-running program that creates loops repeatedly, file descriptors run out. Every "
        "version is affected. Loops are followed however they are made: new_event_loop(), a loop "
        "class, the policy's new_event_loop(), `loop or new_event_loop()` (made when none is "
        "passed), an assignment expression, and a function of the module or of another module of "
        "the project that returns a new loop (its caller owns it); and into a class of the module "
        "that keeps the loop it is given (`self.loop = loop`) when nothing in the module closes "
        "that attribute. A loop made in a "
        "child process's main (a function handed to Process(target=...), also through a function "
        "or class of the project that hands it there, or by another module of the project) lives "
        "as long as the process: not reported. "
        "Nor is one made under a test's patch (`with patch(...):`, `@patch.object(...)`), where "
        "what the code calls may return a mock."
    )
    how_to_fix = (
        "Close the loop when done: try/finally with loop.close(), contextlib.closing(), a close "
        "in tearDown/close/__exit__, or asyncio.run() / asyncio.Runner, which close their loop."
    )
    versions = "every version"
    timeline = every_version(Effect.MISBEHAVES, "leaks the loop (ResourceWarning)")
    fix_availability = "sometimes"
    fix_safety = "mixed"
    fix_details = (
        "For a local variable assigned directly in a function's body, the rest of the body moves "
        "into try: with loop.close() in finally:. Safe unless a nested function uses the loop or the "
        "loop was installed with set_event_loop(), where code running after the function may still "
        "use it. None for a parameter's fallback (closing it would close the caller's loop too) or a "
        "loop an object keeps (the object may outlive the function)."
    )
    # ``Process(target=...)``: a loop made in a child process's main is not reported.
    reads = loops.READS | Reads(names=apis.ABSTRACT_LOOP_CLASSES | apis.SET_EVENT_LOOP, context=frozenset({"Process"}))
    invalid = (
        Example(
            "import asyncio\n"
            "def main():\n"
            "    loop = asyncio.new_event_loop()\n"
            "    loop.run_until_complete(serve())\n",
            expected_message=(
                "event loop 'loop' is never closed; close it when done (try/finally: loop.close(), or asyncio.run(), "
                "which closes its loop)"
            ),
            expected_replacement=(
                "import asyncio\n"
                "def main():\n"
                "    loop = asyncio.new_event_loop()\n"
                "    try:\n"
                "        loop.run_until_complete(serve())\n"
                "    finally:\n"
                "        loop.close()\n"
            ),
        ),
        Example(
            "import asyncio\n"
            "class Worker:\n"
            "    def start(self):\n"
            "        self.loop = asyncio.new_event_loop()\n"
            "    def run(self):\n"
            "        self.loop.run_forever()\n",
            expected_message=(
                "event loop 'self.loop' is never closed; close it when done (try/finally: self.loop.close(), or "
                "asyncio.run(), which closes its loop)"
            ),
            expected_replacement=None,
        ),
    )
    valid = (
        Example(
            "import asyncio\n"
            "def main():\n"
            "    loop = asyncio.new_event_loop()\n"
            "    try:\n"
            "        loop.run_until_complete(serve())\n"
            "    finally:\n"
            "        loop.close()\n"
        ),
        Example(
            "import asyncio, contextlib\n"
            "with contextlib.closing(asyncio.new_event_loop()) as loop:\n"
            "    loop.run_until_complete(serve())\n"
        ),
        Example(
            "import asyncio\n"
            "class Worker:\n"
            "    def start(self):\n"
            "        self.loop = asyncio.new_event_loop()\n"
            "    def __exit__(self, *exc_info):\n"
            "        self.loop.close()\n"
        ),
        Example(
            "import asyncio\n"
            "def make_loop():\n"
            "    loop = asyncio.new_event_loop()\n"
            "    return loop\n"
        ),
    )

    def check(self, analysis: "ModuleAnalysis") -> Iterator[Finding]:
        loops = analysis.loops
        for creation in loops.creations:
            if creation.closed or creation.escapes or creation.runs_elsewhere or creation.run_by_nested_function:
                continue  # closed, or owned by whoever receives it or runs it (a thread)
            if creation.installed and not creation.runs:
                continue  # made to be the current loop (tornado's IOLoop.current()), for later use
            if creation.installed and loops.closes_installed_loop:
                continue  # closed through get_event_loop().close()
            if any(analysis.callee(site) not in apis.SET_EVENT_LOOP for site in creation.installs):
                continue  # installed by a helper (a test case's set_event_loop), which may close it
            if analysis.callee_of(creation.call) in apis.ABSTRACT_LOOP_CLASSES:
                continue  # no resources to release
            if _mocked(analysis, creation):
                continue  # a test's patch may make what it calls return a mock
            if analysis.runs_as_process_main(creation.function):
                continue  # a child process's main: the loop lives as long as the process
            if creation.kept_by:
                name = f"'{creation.target}'" if creation.target else "made here"
                message = (
                    f"event loop {name} is kept by {creation.kept_by.split('.')[0]} "
                    f"(self.{creation.kept_by.split('.')[1]}), which never closes it; close it when "
                    "the object is done with it"
                )
            elif creation.fallback:
                message = (
                    f"event loop '{creation.target}' made when none is passed is never closed; remember "
                    f"whether it was made here and close only that one (try/finally: {creation.target}.close())"
                )
            else:
                message = _never_closed(creation, analysis.minors_reaching(creation.call))
            yield Finding(creation.call, message, partial(self._fix, analysis, creation))

    @staticmethod
    def _fix(analysis: "ModuleAnalysis", creation: "LoopCreation") -> Optional[Fix]:
        """The rest of the function after ``loop = ...`` goes into ``try:``, with ``loop.close()``
        in ``finally``. Only for a local variable assigned directly in a function's body.

        Safe unless something may use the loop after the function returns: a nested function
        (a callback, a thread target) that uses it, or the global slot it was installed in
        (a later ``get_event_loop()`` would get a closed loop).
        """
        function = creation.function
        if function is None or "." in creation.target or not creation.target or creation.fallback or creation.kept_by:
            return None  # (a fallback's close() would close the caller's loop; a kept one, the object's)
        definition = function.node
        if not isinstance(definition, cst.FunctionDef) or not isinstance(definition.body, cst.IndentedBlock):
            return None
        statements = list(definition.body.body)
        if creation.statement not in statements:
            return None
        index = statements.index(creation.statement)
        if index + 1 < len(statements) and analysis.statement_installs(statements[index + 1], creation.target):
            index += 1  # set_event_loop(loop) right after the creation stays before the try
        rest = statements[index + 1 :]
        safe = not (creation.used_in_nested_function or creation.installed)
        description = f"Close the loop in a finally block: {creation.target}.close()"
        if not rest:
            last = statements[index]
            if not isinstance(last, cst.SimpleStatementLine):
                return None
            edit = analysis.fixes.insert_after(last, f"{creation.target}.close()")
            return Fix(description, (edit,), safe) if edit is not None else None
        new_body = definition.body.with_changes(body=[*statements[: index + 1], closing_try(rest, creation.target)])
        return Fix(description, (analysis.fixes.rewrite(definition.body, new_body),), safe)


def _never_closed(creation: "LoopCreation", minors: frozenset[int]) -> str:
    """The message for a loop nothing closes: close it, or let asyncio.run() (3.7+) do it."""
    run = since("asyncio.run()", ASYNCIO_RUN, minors)
    if creation.target:
        return (
            f"event loop '{creation.target}' is never closed; close it when done "
            f"(try/finally: {creation.target}.close(), or {run}, which closes its loop)"
        )
    message = f"event loop created and run in one expression is never closed; use {run} instead"
    if some_older(minors, ASYNCIO_RUN):
        message += "; before 3.7: keep it in a variable and close it when done (try/finally: loop.close())"
    return message


def _mocked(analysis: "ModuleAnalysis", creation: "LoopCreation") -> bool:
    site = analysis.index.call_sites.get(creation.call)
    return site is not None and analysis.mocked_around(site)
