from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Iterator, Optional

import libcst as cst

from flake8_asyncloop.engine import apis, threads
from flake8_asyncloop.engine.diagnostics import Finding, Fix
from flake8_asyncloop.engine.edits import closing_try
from flake8_asyncloop.engine.reads import Reads
from flake8_asyncloop.engine.walk import TreeVisitor
from flake8_asyncloop.engine.timeline import Effect, every_version
from flake8_asyncloop.rules.base import Example, Rule, register

if TYPE_CHECKING:
    from flake8_asyncloop.engine.analysis import ModuleAnalysis
    from flake8_asyncloop.engine.index import CallSite


@register
class GetEventLoopInThread(Rule):
    code = "ELP101"
    name = "get-event-loop-in-worker-thread"
    summary = "asyncio.get_event_loop() runs in a worker thread that has no event loop set."
    why = (
        "Only the main thread gets a loop created on demand (and only before Python 3.14). In "
        "any other thread, get_event_loop() with no loop set raises RuntimeError: There is no "
        "current event loop in thread '...', on every Python version. Threads started with "
        "threading.Thread, Timer, executors, run_in_executor, asyncio.to_thread and the tasks of "
        "multiprocessing's ThreadPool (and multiprocessing.dummy.Pool) all qualify. "
        "A pool whose initializer installs a loop, an earlier task on the same single-worker pool "
        "that did, or a policy of the module's own set before the thread starts gives it one."
    )
    how_to_fix = (
        "Capture the loop in the caller with asyncio.get_running_loop() and pass it in (then use "
        "asyncio.run_coroutine_threadsafe or loop.call_soon_threadsafe), or let the thread own a "
        "loop: loop = asyncio.new_event_loop(); asyncio.set_event_loop(loop); close it in finally."
    )
    versions = "every version"
    timeline = every_version(Effect.RAISES, "raises RuntimeError")
    fix_availability = "sometimes"
    fix_safety = "unsafe"
    fix_details = (
        "Unsafe: `loop = asyncio.get_event_loop()` in the thread's function becomes a new loop, "
        "installed and closed in `finally`, on every call. No fix when the code posts to the "
        "caller's loop (call_soon_threadsafe, run_coroutine_threadsafe): that loop must be passed in."
    )
    reads = threads.READS | Reads(names=apis.GET_EVENT_LOOP, located=apis.GET_EVENT_LOOP)
    invalid = (
        Example(
            "import asyncio, threading\n"
            "def work():\n"
            "    asyncio.get_event_loop().run_until_complete(job())\n"
            "threading.Thread(target=work).start()\n",
            expected_message=(
                "asyncio.get_event_loop() runs in a worker thread (started on line 4) with no event loop set and "
                "raises RuntimeError there; pass the caller's loop in, or create and install one in the thread with "
                "new_event_loop() and set_event_loop()"
            ),
            expected_replacement=None,
        ),
        Example(
            "import asyncio\n"
            "from concurrent.futures import ThreadPoolExecutor\n"
            "def work():\n"
            "    return asyncio.get_event_loop()\n"
            "with ThreadPoolExecutor() as pool:\n"
            "    pool.submit(work)\n",
            expected_message=(
                "asyncio.get_event_loop() runs in a worker thread (started on line 6) with no event loop set and "
                "raises RuntimeError there; pass the caller's loop in, or create and install one in the thread with "
                "new_event_loop() and set_event_loop()"
            ),
            expected_replacement=None,
        ),
        Example(
            "import asyncio, threading\n"
            "def work():\n"
            "    loop = asyncio.get_event_loop()\n"
            "    loop.run_until_complete(job())\n"
            "threading.Thread(target=work).start()\n",
            expected_message=(
                "asyncio.get_event_loop() runs in a worker thread (started on line 5) with no event loop set and "
                "raises RuntimeError there; pass the caller's loop in, or create and install one in the thread with "
                "new_event_loop() and set_event_loop()"
            ),
            expected_replacement=(
                "import asyncio, threading\n"
                "def work():\n"
                "    loop = asyncio.new_event_loop()\n"
                "    asyncio.set_event_loop(loop)\n"
                "    try:\n"
                "        loop.run_until_complete(job())\n"
                "    finally:\n"
                "        loop.close()\n"
                "threading.Thread(target=work).start()\n"
            ),
        ),
    )
    valid = (
        Example(
            "import asyncio, threading\n"
            "def work():\n"
            "    loop = asyncio.new_event_loop()\n"
            "    asyncio.set_event_loop(loop)\n"
            "    asyncio.get_event_loop().run_until_complete(job())\n"
            "threading.Thread(target=work).start()\n"
        ),
        Example(
            "import asyncio, threading\n"
            "def work(loop):\n"
            "    asyncio.run_coroutine_threadsafe(job(), loop)\n"
            "threading.Thread(target=work, args=(asyncio.get_event_loop(),)).start()\n"
        ),
    )

    def check(self, analysis: "ModuleAnalysis") -> Iterator[Finding]:
        for found in analysis.threads.lookups_without_loop:
            if _set_on_the_way(analysis, found.site):
                continue
            written = analysis.source(found.site.node.func)
            started_on, _ = analysis.position(found.start.origin)
            yield Finding(
                found.site.node,
                f"{written}() runs in a worker thread (started on line {started_on}) with no event loop "
                "set and raises RuntimeError there; pass the caller's loop in, or create and install "
                "one in the thread with new_event_loop() and set_event_loop()",
                partial(self._fix, analysis, found.site),
            )
        yield from self._imported_targets(analysis)

    @staticmethod
    def _imported_targets(analysis: "ModuleAnalysis") -> Iterator[Finding]:
        """Threads that run a function of another module of the project, which looks the loop up
        before any is set: reported where the thread starts (the other module cannot tell)."""
        for start, name, installed in analysis.threads.imported_targets:
            reached = None if installed else analysis.imported_thread_lookup(name)
            if reached is None:
                continue
            looking, path, line = reached
            yield Finding(
                start.node,
                f"the worker thread started here runs {name.rpartition('.')[2]}(), which reaches "
                f"asyncio.get_event_loop() in {looking}() ({path}, line {line}) with no event loop set: it "
                "raises RuntimeError there; pass the caller's loop in, or create and install one in the "
                "thread with new_event_loop() and set_event_loop()",
            )

    @staticmethod
    def _fix(analysis: "ModuleAnalysis", site: "CallSite") -> Optional[Fix]:
        """Give the thread its own loop: new_event_loop(), set_event_loop(), close in finally.

        Only for ``loop = asyncio.get_event_loop()`` directly in the body of the function the
        thread starts in; the code after it moves into ``try``. Not when that code hands work to
        the loop with ``call_soon_threadsafe`` or ``run_coroutine_threadsafe``: it means the
        caller's loop, which must be passed in (a new loop would never run that work).
        Unsafe: the function now makes a new loop on every call, also if something else calls
        it from a thread that has a loop set.
        """
        function = site.function
        if function is None or function not in analysis.threads.entry_functions:
            return None
        definition = function.node
        if not isinstance(definition, cst.FunctionDef) or not isinstance(definition.body, cst.IndentedBlock):
            return None
        statements = list(definition.body.body)
        for index, statement in enumerate(statements):
            if (
                isinstance(statement, cst.SimpleStatementLine)
                and len(statement.body) == 1
                and isinstance(statement.body[0], cst.Assign)
                and statement.body[0].value is site.node
                and len(statement.body[0].targets) == 1
                and isinstance(statement.body[0].targets[0].target, cst.Name)
            ):
                break
        else:
            return None
        assign = statement.body[0]
        target = assign.targets[0].target
        assert isinstance(assign, cst.Assign) and isinstance(target, cst.Name)
        name = target.value
        rest = statements[index + 1 :]
        if _uses_loop_threadsafe(rest, name):
            return None  # it posts to the caller's loop: the loop must be passed in, not replaced
        reference = analysis.fixes.module_reference("asyncio", function.scope)
        if reference is None:
            return None
        asyncio_name, import_edits = reference
        created = statement.with_changes(
            body=[assign.with_changes(value=cst.parse_expression(f"{asyncio_name}.new_event_loop()"))]
        )
        replacement: list[cst.BaseStatement] = [created]
        if rest and analysis.statement_installs(rest[0], name):
            replacement.append(rest.pop(0))  # the function installs it already
        else:
            replacement.append(cst.parse_statement(f"{asyncio_name}.set_event_loop({name})\n"))
        if rest:
            replacement.append(closing_try(rest, name))
        new_body = definition.body.with_changes(body=[*statements[:index], *replacement])
        edit = analysis.fixes.rewrite(definition.body, new_body)
        return Fix("Give the thread its own event loop", (edit, *import_edits), False)


class _ThreadsafeUse(TreeVisitor):
    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.found = False

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute):
            receiver = func.value
            if func.attr.value == "call_soon_threadsafe" and isinstance(receiver, cst.Name):
                self.found |= receiver.value == self.name
            if func.attr.value == "run_coroutine_threadsafe":
                self.found |= any(isinstance(a.value, cst.Name) and a.value.value == self.name for a in node.args)
        elif isinstance(func, cst.Name) and func.value == "run_coroutine_threadsafe":
            self.found |= any(isinstance(a.value, cst.Name) and a.value.value == self.name for a in node.args)


def _uses_loop_threadsafe(statements: list[cst.BaseStatement], name: str) -> bool:
    visitor = _ThreadsafeUse(name)
    for statement in statements:
        visitor.walk(statement)
    return visitor.found


def _set_on_the_way(analysis: "ModuleAnalysis", site: "CallSite") -> bool:
    """Whether code before the lookup in its body may have set a loop, as the loop-state analysis
    sees it with the project's modules: a call of the project's code that sets one (``Client()``
    whose ``__init__`` installs a loop), or that it cannot see through."""
    states = analysis.project_loop_states
    return states is not None and states.set_earlier_in_body(site)
