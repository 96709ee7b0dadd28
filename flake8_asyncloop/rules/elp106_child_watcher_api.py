from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Iterator, Optional

import libcst as cst

from flake8_asyncloop.engine import apis
from flake8_asyncloop.engine.diagnostics import Finding, Fix
from flake8_asyncloop.engine.reads import Reads
from flake8_asyncloop.engine.timeline import RAISES_REMOVED, WARNS_DEPRECATED, Effect, from_version
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


def _consequence(reach: "Reach", attaches: bool) -> str:
    """What the call does on the versions that reach it.

    Only ``get_child_watcher()`` (there to attach a loop) is a no-op on 3.8+. Choosing a watcher
    (a watcher class, set_child_watcher) changes which watcher asyncio uses up to 3.13, so for it
    only the deprecation (3.12) and the removal (3.14) are problems.
    """
    effects = []
    if reach.includes(_REMOVED):
        effects.append("raises AttributeError on {}3.14+ (removed)")
    if reach.includes(_DEPRECATED):
        effects.append("warns on {}3.12-3.13 (deprecated)")
    if attaches and reach.includes(_NO_OP):
        effects.append("does nothing on {}3.8+")
    if effects == ["does nothing on {}3.8+"]:
        effects[0] += ", whose default child watcher needs no loop"
    written = [effect.format("Python " if number == 0 else "") for number, effect in enumerate(effects)]
    return written[0] if len(written) == 1 else f"{', '.join(written[:-1])} and {written[-1]}"


def _only_attaches(site: "CallSite") -> bool:
    """The statement is ``get_child_watcher()`` or ``get_child_watcher().attach_loop(...)``."""
    statement = site.statement
    if statement is None or len(statement.body) != 1 or not isinstance(statement.body[0], cst.Expr):
        return False
    expression = statement.body[0].value
    return expression is site.node or (
        isinstance(expression, cst.Call)
        and isinstance(expression.func, cst.Attribute)
        and expression.func.attr.value == "attach_loop"
        and expression.func.value is site.node
    )


def _attach_advice(reach: "Reach") -> str:
    """Delete the attaching statement, or where a version before 3.8 runs it, guard it."""
    if reach.includes(_NEEDED_BEFORE):
        return f"guard it with {version_guard(_LATER.start)}, for the versions before 3.8 that need it"
    return "delete it"


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
        "get_child_watcher().attach_loop() is a no-op; 3.12 deprecated the whole child-watcher API "
        "and 3.14 removed it, so the same line raises AttributeError there. Choosing a watcher (a "
        "watcher class, set_child_watcher()) does change which one runs up to 3.11, so it is "
        "reported only where 3.12+ runs it; `hasattr(asyncio, ...)` on these names guards like "
        "`sys.version_info < (3, 14)`. A class that subclasses a watcher class warns where it is "
        "defined on 3.12-3.13, and importing its module raises AttributeError on 3.14+."
    )
    how_to_fix = (
        "Delete the call when every target is 3.8 or newer; when 3.7 is still a target, put it "
        "under `if sys.version_info < (3, 8):`."
    )
    versions = "3.8+ (a no-op); deprecated in 3.12, removed in 3.14"
    timeline = from_version(
        (12, Effect.WARNS, WARNS_DEPRECATED), (14, Effect.REMOVED, RAISES_REMOVED)
    )
    fix_availability = "sometimes"
    fix_safety = "mixed"
    fix_details = (
        "Safe when the statement is put under `if sys.version_info < (3, 8):` (3.7 is a target); "
        "deleting it (every target 3.8+) is unsafe when the module installs its own watcher. Only "
        "a statement that is nothing but the watcher call is fixed."
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
        custom_watcher = any(analysis.callee(site) not in apis.GET_CHILD_WATCHER for site in watcher_sites)
        for site in watcher_sites:
            reach = analysis.reach(site.node)
            # Only a statement that just attaches is a no-op on 3.8+: code that keeps or uses
            # the watcher (CPython's tests clear its callbacks) gets it as before.
            attaches = analysis.callee(site) in apis.GET_CHILD_WATCHER and _only_attaches(site)
            if attaches:
                if not reach.includes(_LATER):
                    continue
                advice = _attach_advice(reach)
            else:
                # A chosen watcher is in effect up to 3.11 (uvloop's tests pick SafeChildWatcher).
                if not reach.includes(_DEPRECATED_OR_REMOVED):
                    continue
                advice = "delete it to keep the default watcher"
                if reach.includes(range(_DEPRECATED.start)):
                    advice = f"guard it with {version_guard(_DEPRECATED.start)}, or {advice}"
            written = analysis.source(site.node.func)
            yield Finding(
                site.node,
                f"{written}() {_consequence(reach, attaches)}; {advice}",
                partial(self._fix, analysis, site, reach, custom_watcher),
                _ATTACH_TIMELINE if attaches else None,
            )

    @staticmethod
    def _fix(analysis: "ModuleAnalysis", site: "CallSite", reach: "Reach", custom_watcher: bool) -> Optional[Fix]:
        """For a statement that is only ``get_child_watcher()`` or ``get_child_watcher().attach_loop(x)``.

        Guarding it is safe (3.7 keeps it, nothing else runs it). Deleting it, when no target
        needs it, is safe with the default watcher; unsafe when the module installs its own
        (set_child_watcher or a watcher class), whose attach may matter.
        """
        statement = site.statement
        if statement is None or not _only_attaches(site):
            return None
        if analysis.callee(site) not in apis.GET_CHILD_WATCHER:
            return None  # set_child_watcher(...) and watcher classes change which watcher runs
        fixes = analysis.fixes
        indentation = fixes.indentation_of(statement)
        if indentation is None:
            return None
        if reach.includes(_NEEDED_BEFORE):
            sys_reference = fixes.module_reference("sys", site.scope)
            if sys_reference is None:
                return None
            _, (end_line, _) = analysis.span(statement)
            newline = fixes.lines.line_break(end_line) or analysis.module.default_newline
            guarded = (
                f"if {sys_reference[0]}.version_info < (3, 8):{newline}"
                f"{indentation}{analysis.module.default_indent}{analysis.source(statement.body[0]).rstrip('; ')}"
            )
            edit = fixes.replace(statement.body[0], guarded)
            return Fix("Run it only on Python 3.7", (edit, *sys_reference[1]), True)
        deletion = fixes.delete_statement(statement, collapse_blank_lines=False)
        if deletion is None:
            return None  # the only statement of its block
        return Fix("Delete the child-watcher call", (deletion,), not custom_watcher)
