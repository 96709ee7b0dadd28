from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Iterator, Optional

import libcst as cst

from flake8_asyncloop.engine import apis
from flake8_asyncloop.engine.diagnostics import Edit, Finding, Fix, FixFactory
from flake8_asyncloop.engine.reads import Reads
from flake8_asyncloop.engine.removal import delete_statements
from flake8_asyncloop.engine.timeline import RAISES_REMOVED, WARNS_DEPRECATED, Effect, from_version
from flake8_asyncloop.engine.walk import TreeVisitor
from flake8_asyncloop.rules.advice import version_guard
from flake8_asyncloop.rules.base import Example, Rule, register

if TYPE_CHECKING:
    from flake8_asyncloop.engine.analysis import ModuleAnalysis
    from flake8_asyncloop.engine.guards import Reach
    from flake8_asyncloop.engine.index import CallSite

_NEEDED_BEFORE = range(0, 8)  # 3.7 and older need the attach
_LATER = range(8, 100)
_NO_OP = range(8, 14)  # attaching is not needed, and the API still exists
_DEPRECATED = range(12, 14)
_DEPRECATED_OR_REMOVED = range(12, 100)
_REMOVED = range(14, 100)
_DEPRECATED_OR_REMOVED_SET = frozenset(_DEPRECATED_OR_REMOVED)


def _consequence(reach: "Reach", no_op: bool) -> str:
    """What the call does on the versions that reach it.

    Only ``get_child_watcher()`` there to attach a loop to the default watcher is a no-op on
    3.8+. Choosing a watcher (a watcher class, set_child_watcher), and attaching one the module
    chose, changes which watcher asyncio uses up to 3.13, so there only the deprecation (3.12) and
    the removal (3.14) are problems.
    """
    effects = []
    if reach.includes(_REMOVED):
        effects.append("raises AttributeError on {}3.14+ (removed)")
    if reach.includes(_DEPRECATED):
        effects.append("warns on {}3.12-3.13 (deprecated)")
    if no_op and reach.includes(_NO_OP):
        effects.append("does nothing on {}3.8+")
    if effects == ["does nothing on {}3.8+"]:
        effects[0] += ", whose default child watcher needs no loop"
    written = [effect.format("Python " if number == 0 else "") for number, effect in enumerate(effects)]
    return written[0] if len(written) == 1 else f"{', '.join(written[:-1])} and {written[-1]}"


def _attach_statements(analysis: "ModuleAnalysis", site: "CallSite") -> Optional[tuple[cst.SimpleStatementLine, ...]]:
    """The statements that only attach a loop with ``site`` (a ``get_child_watcher()`` call):
    ``get_child_watcher()`` or ``get_child_watcher().attach_loop(x)`` alone, or ``w =
    get_child_watcher()`` followed by ``w.attach_loop(x)``, when ``w`` is used nowhere else."""
    statement = site.statement
    if statement is None or len(statement.body) != 1:
        return None
    small = statement.body[0]
    if isinstance(small, cst.Expr) and (small.value is site.node or _attach_call_on(small.value, site.node)):
        return (statement,)
    if not isinstance(small, cst.Assign) or small.value is not site.node or len(small.targets) != 1:
        return None
    target = small.targets[0].target
    following = _next_statement(analysis, site, statement)
    if not isinstance(target, cst.Name) or following is None or len(following.body) != 1:
        return None
    attach = following.body[0]
    if not isinstance(attach, cst.Expr) or not _attach_call_on(attach.value, target.value):
        return None
    owner = site.function.node if site.function is not None else analysis.module
    return (statement, following) if _name_count(owner, target.value) == 2 else None


def _attach_call_on(expression: cst.BaseExpression, receiver: "cst.BaseExpression | str") -> bool:
    """``expression`` is ``<receiver>.attach_loop(...)`` (``receiver``: the node, or a name)."""
    if not isinstance(expression, cst.Call) or not isinstance(expression.func, cst.Attribute):
        return False
    value = expression.func.value
    named = isinstance(receiver, str) and isinstance(value, cst.Name) and value.value == receiver
    return expression.func.attr.value == "attach_loop" and (value is receiver or named)


def _next_statement(
    analysis: "ModuleAnalysis", site: "CallSite", statement: cst.SimpleStatementLine
) -> Optional[cst.SimpleStatementLine]:
    """The statement line right after ``statement`` in its block, if it is one."""
    block = site.blocks[-1] if site.blocks else analysis.module
    body = list(block.body) if isinstance(block, (cst.IndentedBlock, cst.Module)) else []
    position = next((number for number, other in enumerate(body) if other is statement), None)
    if position is None or position + 1 >= len(body):
        return None
    following = body[position + 1]
    return following if isinstance(following, cst.SimpleStatementLine) else None


class _NameCount(TreeVisitor):
    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.count = 0

    def visit_Name(self, node: cst.Name) -> None:
        self.count += node.value == self.name


def _name_count(node: cst.CSTNode, name: str) -> int:
    """How often ``name`` occurs in ``node`` as a Name: bound, read, as an attribute or keyword."""
    counter = _NameCount(name)
    counter.walk(node)
    return counter.count


# Attaching a loop to the default watcher does nothing from 3.8: advice there, until the API goes.
_ATTACH_TIMELINE = from_version(
    (8, Effect.ADVICE, "does nothing (the default child watcher needs no loop)"),
    (12, Effect.WARNS, WARNS_DEPRECATED),
    (14, Effect.REMOVED, RAISES_REMOVED),
)


@register
class ChildWatcherApi(Rule):
    code = "ELP106"
    name = "child-watcher-api"
    summary = "A child-watcher API is used where the target Pythons do not need it (3.8+)."
    why = (
        "Only Python 3.7's SafeChildWatcher needs to be attached to a loop. From 3.8 the default "
        "ThreadedChildWatcher (PidfdChildWatcher on 3.12+ where available) works for every loop, so "
        "get_child_watcher().attach_loop() is a no-op (also written `watcher = get_child_watcher()` then "
        "`watcher.attach_loop(loop)`, the name used for nothing else); 3.12 deprecated the whole child-watcher API "
        "and 3.14 removed it, so the same line raises AttributeError there. Choosing a watcher (a "
        "watcher class, set_child_watcher()) does change which one runs up to 3.11, so it is "
        "reported only where 3.12+ runs it; `hasattr(asyncio, ...)` on these names guards like "
        "`sys.version_info < (3, 14)`. A class that subclasses a watcher class warns where it is "
        "defined on 3.12-3.13, and importing its module raises AttributeError on 3.14+."
    )
    how_to_fix = (
        "Delete the attaching code when every target is 3.8 or newer; when 3.7 is still a target, put it "
        "under `if sys.version_info < (3, 8):`. Keep a chosen watcher only where 3.12+ does not run it "
        "(`if sys.version_info < (3, 12):`), or delete it with the code that uses it."
    )
    versions = "3.8+ (a no-op); deprecated in 3.12, removed in 3.14"
    timeline = from_version(
        (12, Effect.WARNS, WARNS_DEPRECATED), (14, Effect.REMOVED, RAISES_REMOVED)
    )
    fix_availability = "sometimes"
    fix_safety = "mixed"
    fix_details = (
        "For the attaching statements only: `get_child_watcher()` or `get_child_watcher().attach_loop(x)` "
        "alone, or `watcher = get_child_watcher()` followed by `watcher.attach_loop(x)`. Where 3.7 is a "
        "target they go under `if sys.version_info < (3, 8):`; where every target is 3.8+ they are "
        "deleted; both unsafe when the module installs its own watcher. Not in the function (or module "
        "body) that installs its own watcher: SafeChildWatcher and FastChildWatcher need the attach on every "
        "version, so it is reported as the watcher is, to be guarded or deleted with it. An `if` left with "
        "nothing in it "
        "goes too when its test only reads (a version or platform test, a name) and names no local "
        "variable; otherwise, or in a block of its own, `pass` takes their place. A watcher kept in "
        "a module-level name is a global other modules may read: unsafe."
    )
    reads = Reads(names=apis.CHILD_WATCHER_APIS | apis.CHILD_WATCHER_BASE_CLASSES)
    invalid = (
        Example(
            "import asyncio\nloop = asyncio.new_event_loop()\nasyncio.get_child_watcher().attach_loop(loop)\n",
            ">=3.8",
            expected_message=(
                "asyncio.get_child_watcher() raises AttributeError on Python 3.14+ (removed), warns on 3.12-3.13 "
                "(deprecated) and does nothing on 3.8+; delete it"
            ),
            expected_replacement="import asyncio\nloop = asyncio.new_event_loop()\n",
        ),
        Example(
            "import asyncio, sys\n"
            "def attach(loop):\n"
            "    print('attaching')\n"
            "    if sys.platform != 'win32':\n"
            "        asyncio.get_child_watcher().attach_loop(loop)\n",
            ">=3.8",
            expected_message=(
                "asyncio.get_child_watcher() raises AttributeError on Python 3.14+ (removed), warns on 3.12-3.13 "
                "(deprecated) and does nothing on 3.8+; delete it"
            ),
            # The if has nothing left to do: it goes, and the imports only it used.
            expected_replacement="def attach(loop):\n    print('attaching')\n",
        ),
        Example(
            "import asyncio\n"
            "def attach(loop):\n"
            "    watcher = asyncio.get_child_watcher()\n"
            "    watcher.attach_loop(loop)\n",
            ">=3.7",
            expected_message=(
                "asyncio.get_child_watcher() raises AttributeError on Python 3.14+ (removed), warns on 3.12-3.13 "
                "(deprecated) and does nothing on 3.8+; guard it and the attach_loop() call after it with "
                "`if sys.version_info < (3, 8):`, for the versions before 3.8 that need it"
            ),
            expected_replacement=(
                "import asyncio\n"
                "import sys\n"
                "def attach(loop):\n"
                "    if sys.version_info < (3, 8):\n"
                "        watcher = asyncio.get_child_watcher()\n"
                "        watcher.attach_loop(loop)\n"
            ),
        ),
        Example(
            "import asyncio\nasyncio.set_child_watcher(asyncio.ThreadedChildWatcher())\n",
            ">=3.9",
            expected_message=(
                "asyncio.set_child_watcher() raises AttributeError on Python 3.14+ (removed) and warns on 3.12-3.13 "
                "(deprecated); guard it with `if sys.version_info < (3, 12):`, or delete it to keep the default "
                "watcher",
                "asyncio.ThreadedChildWatcher() raises AttributeError on Python 3.14+ (removed) and warns on "
                "3.12-3.13 (deprecated); guard it with `if sys.version_info < (3, 12):`, or delete it to keep the "
                "default watcher",
            ),
            expected_replacement=None,
        ),
        Example(
            "import asyncio\n"
            "def start(loop):\n"
            "    asyncio.set_child_watcher(asyncio.SafeChildWatcher())\n"
            "    asyncio.get_child_watcher().attach_loop(loop)\n",
            ">=3.9",
            expected_message=(
                "asyncio.set_child_watcher() raises AttributeError on Python 3.14+ (removed) and warns on 3.12-3.13 "
                "(deprecated); guard it with `if sys.version_info < (3, 12):`, or delete it to keep the default "
                "watcher",
                "asyncio.SafeChildWatcher() raises AttributeError on Python 3.14+ (removed) and warns on 3.12-3.13 "
                "(deprecated); guard it with `if sys.version_info < (3, 12):`, or delete it to keep the default "
                "watcher",
                # The watcher installed here needs its attach on every version: not a no-op, not deleted.
                "asyncio.get_child_watcher() raises AttributeError on Python 3.14+ (removed) and warns on 3.12-3.13 "
                "(deprecated); guard it and the watcher it attaches with `if sys.version_info < (3, 12):`, or "
                "delete both to keep the default watcher",
            ),
            expected_replacement=None,
        ),
        Example(
            "import asyncio\nclass NullWatcher(asyncio.AbstractChildWatcher):\n    pass\n",
            ">=3.9",
            expected_message=(
                "class NullWatcher subclasses asyncio.AbstractChildWatcher, which warns on 3.12-3.13 (deprecated) "
                "and is removed in 3.14, where defining the class raises AttributeError; define it only under "
                "`if sys.version_info < (3, 12):`, or delete it with the code that installs it, to keep the "
                "default watcher"
            ),
            expected_replacement=None,
        ),
    )
    valid = (
        Example(
            "import asyncio, sys\n"
            "loop = asyncio.new_event_loop()\n"
            "if sys.version_info < (3, 8):\n"
            "    asyncio.get_child_watcher().attach_loop(loop)\n",
            ">=3.7",
        ),
        Example("import asyncio\nasyncio.get_child_watcher().attach_loop(loop)\n", "<3.8"),
    )

    def check(self, analysis: "ModuleAnalysis") -> Iterator[Finding]:
        yield from self._calls(analysis)
        yield from self._subclasses(analysis)

    @staticmethod
    def _subclasses(analysis: "ModuleAnalysis") -> Iterator[Finding]:
        """``class W(asyncio.AbstractChildWatcher):`` warns where it is defined on 3.12-3.13 and
        raises AttributeError on 3.14+: importing the module fails there."""
        for info, base in analysis.subclasses_of(apis.CHILD_WATCHER_BASE_CLASSES):
            if not analysis.minors_reaching(info.node) & _DEPRECATED_OR_REMOVED_SET:
                continue
            advice = "delete it with the code that installs it, to keep the default watcher"
            if any(minor < _DEPRECATED.start for minor in analysis.minors_reaching(info.node)):
                advice = f"define it only under {version_guard(_DEPRECATED.start)}, or {advice}"
            yield Finding(
                info.node,
                f"class {info.name} subclasses {analysis.source(base)}, which warns on 3.12-3.13 (deprecated) "
                f"and is removed in 3.14, where defining the class raises AttributeError; {advice}",
            )

    def _calls(self, analysis: "ModuleAnalysis") -> Iterator[Finding]:
        watcher_sites = [site for site in analysis.index.calls if analysis.callee(site) in apis.CHILD_WATCHER_APIS]
        choosing = [site for site in watcher_sites if analysis.callee(site) not in apis.GET_CHILD_WATCHER]
        custom_watcher = bool(choosing)
        for site in watcher_sites:
            reach = analysis.reach(site.node)
            # Only statements that just attach are a no-op on 3.8+ (with the default watcher):
            # code that keeps or uses the watcher (CPython's tests clear its callbacks) gets it
            # as before, and the function (or module body) that installs its own watcher
            # attaches that one: SafeChildWatcher and FastChildWatcher start no subprocess
            # without it ("not activated", on 3.8 as on 3.13).
            statements = _attach_statements(analysis, site) if analysis.callee(site) in apis.GET_CHILD_WATCHER else None
            installs_here = any(other.function is site.function for other in choosing)
            if statements is not None and not installs_here:
                if not reach.includes(_LATER):
                    continue
                advice, no_op = _attach_advice(reach, statements), True
                fix: Optional[FixFactory] = partial(self._fix, analysis, site, statements, reach, custom_watcher)
            else:
                # A chosen watcher is in effect up to 3.11 (uvloop's tests pick SafeChildWatcher).
                if not reach.includes(_DEPRECATED_OR_REMOVED):
                    continue
                advice, no_op = _chosen_watcher_advice(reach, attaches=statements is not None), False
                fix = None
            written = analysis.source(site.node.func)
            yield Finding(
                site.node,
                f"{written}() {_consequence(reach, no_op)}; {advice}",
                fix,
                _ATTACH_TIMELINE if no_op else None,
            )

    @staticmethod
    def _fix(
        analysis: "ModuleAnalysis", site: "CallSite", statements: tuple[cst.SimpleStatementLine, ...], reach: "Reach",
        custom_watcher: bool,
    ) -> Optional[Fix]:
        """For ``statements``, which only attach a loop (``_attach_statements``), where their
        function installs no watcher.

        Guarding them (where 3.7 is a target: 3.7 keeps them, nothing else runs them) and deleting
        them (where no target needs them) are safe with the default watcher; unsafe when the
        module installs its own elsewhere (set_child_watcher or a watcher class), which may be the
        one attached. At module level a watcher kept in a variable is a global importers may
        read: unsafe too.
        """
        imported_name = len(statements) > 1 and site.function is None
        if reach.includes(_NEEDED_BEFORE):
            return _guarded(analysis, site, statements, not (custom_watcher or imported_name))
        function = site.function
        local_names = frozenset(function.scope.bindings) - function.parameters if function is not None else frozenset()
        edits = delete_statements(analysis.fixes, analysis.index, statements, site.blocks, local_names)
        if edits is None:
            return None
        return Fix("Delete the child-watcher call", tuple(edits), not (custom_watcher or imported_name))


def _chosen_watcher_advice(reach: "Reach", attaches: bool) -> str:
    """Keep a chosen watcher (or the attach it needs) only where the API is not deprecated, or
    drop it for the default watcher; an attach goes with the watcher it attaches."""
    subject, deleted = ("it and the watcher it attaches", "both") if attaches else ("it", "it")
    advice = f"delete {deleted} to keep the default watcher"
    if reach.includes(range(_DEPRECATED.start)):
        advice = f"guard {subject} with {version_guard(_DEPRECATED.start)}, or {advice}"
    return advice


def _attach_advice(reach: "Reach", statements: tuple[cst.SimpleStatementLine, ...]) -> str:
    """Delete the attaching statements, or where a version before 3.8 runs them, guard them."""
    subject = "it" if len(statements) == 1 else "it and the attach_loop() call after it"
    if reach.includes(_NEEDED_BEFORE):
        return f"guard {subject} with {version_guard(_LATER.start)}, for the versions before 3.8 that need it"
    return f"delete {subject}"


def _guarded(
    analysis: "ModuleAnalysis", site: "CallSite", statements: tuple[cst.SimpleStatementLine, ...], safe: bool
) -> Optional[Fix]:
    """``statements`` under ``if sys.version_info < (3, 8):``, the lines between them (comments)
    moved in with them."""
    fixes = analysis.fixes
    indentation = fixes.indentation_of(statements[0])
    sys_reference = fixes.module_reference("sys", site.scope)
    if indentation is None or sys_reference is None:
        return None
    (start_line, start_column), _ = analysis.span(statements[0].body[0])
    _, (end_line, end_column) = analysis.span(statements[-1].body[0])
    lines = fixes.lines
    code = lines.code[lines.offset(start_line, start_column) : lines.offset(end_line, end_column)].rstrip("; ")
    inner = indentation + analysis.module.default_indent
    newline = lines.line_break(start_line) or analysis.module.default_newline
    moved = "".join(
        f"{inner}{line[len(indentation):]}" if number and line.startswith(indentation) else line
        for number, line in enumerate(code.splitlines(keepends=True))
    )
    guarded = f"if {sys_reference[0]}.version_info < (3, 8):{newline}{inner}{moved}"
    edit = Edit(start_line, start_column, end_line, end_column, guarded)
    return Fix("Run it only before Python 3.8", (edit, *sys_reference[1]), safe)
