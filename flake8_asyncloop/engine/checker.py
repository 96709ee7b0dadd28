"""The one entry point every adapter calls: source text in, diagnostics out."""

from __future__ import annotations

import ast
import contextlib
import gc
import sys
import threading
from typing import Callable, Iterable, Iterator, Optional, TypeVar

import libcst as cst

from flake8_asyncloop.engine import libcst_private
from flake8_asyncloop.engine.analysis import ModuleAnalysis
from flake8_asyncloop.engine.diagnostics import Diagnostic
from flake8_asyncloop.engine.edits import SourceLines
from flake8_asyncloop.engine.focus import Focused, focus
from flake8_asyncloop.engine.nesting import beyond_parser_limits
from flake8_asyncloop.engine.precheck import mentions_loop_api
from flake8_asyncloop.engine.versions import TargetVersions
from flake8_asyncloop.rules import ALL_RULES, Rule


# libcst's native parser recurses on the C stack, and the tree walkers recurse in Python: an
# `elif` chain of a few hundred branches or thousands of nested operators exceed the main thread's
# 8 MiB stack or the default recursion limit. The work runs in a thread with a large stack (the
# memory is reserved, and only touched when used) and a raised recursion limit.
_DEEP_STACK_BYTES = 512 * 1024 * 1024
_DEEP_RECURSION_LIMIT = 50_000
# Both settings are process-wide: one deep run at a time, and each restored afterwards.
_DEEP_LOCK = threading.Lock()

T = TypeVar("T")


def run_deep(work: Callable[[], T]) -> T:
    """``work()``, where deep trees fit; in the calling thread if no large stack can be had."""
    results: list[T] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            with _collector_paused():
                results.append(work())
        except BaseException as error:  # handed to the caller below
            errors.append(error)

    with _DEEP_LOCK:
        limit = sys.getrecursionlimit()
        try:
            previous_stack = threading.stack_size(_DEEP_STACK_BYTES)
        except (ValueError, RuntimeError):
            previous_stack = None
        thread = threading.Thread(target=target, name="flake8-asyncloop-deep")
        sys.setrecursionlimit(max(limit, _DEEP_RECURSION_LIMIT))
        try:
            thread.start()
            started = True
        except (RuntimeError, MemoryError):
            started = False  # no memory for the stack (a ulimit, a 32-bit process)
        finally:
            if previous_stack is not None:
                threading.stack_size(previous_stack)
        try:
            if started:
                thread.join()
        finally:
            sys.setrecursionlimit(limit)
    if not started:
        with _collector_paused():
            return work()
    if errors:
        raise errors[0]
    return results[0]


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """The work allocates hundreds of thousands of tree nodes: the cyclic garbage collector's
    passes over them while they are in use find nothing, and in flake8's process (a larger heap)
    they cost a quarter of the plugin's time. What the work leaves in cycles (the analysis holds
    the tree through some) is collected once, after it."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _cpython_tree(source: str) -> Optional[ast.Module]:
    """CPython's tree of ``source``, or None if it does not parse. Its nesting limits (a few
    thousand levels) keep libcst away from input that would take it minutes and gigabytes, and
    it is several times faster."""
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def check_source(
    source: str,
    targets: TargetVersions,
    rules: Iterable[Rule] = ALL_RULES,
    *,
    tree: Optional[ast.Module] = None,
    fixes: bool = False,
) -> list[Diagnostic]:
    """Every diagnostic of ``rules`` in ``source``, sorted by position.

    ``tree``: CPython's tree of ``source`` (without a BOM), when the caller has parsed it already.
    ``fixes``: attach each rule's fix, where it has one.
    """
    if not mentions_loop_api(source):
        return []
    text = source[1:] if source.startswith("\ufeff") else source
    checked = tree if tree is not None else _cpython_tree(text)
    if checked is None or beyond_parser_limits(checked):
        return []
    try:
        return run_deep(lambda: _check(text, checked, targets, tuple(rules), fixes))
    except RecursionError:
        # Even the raised limit is not enough (tens of thousands of levels, never written by
        # hand): such a file gets no diagnostics rather than a crash.
        return []


def check_focused(
    source: str, tree: ast.Module, targets: TargetVersions, rules: Iterable[Rule] = ALL_RULES
) -> list[Diagnostic]:
    """``check_source(source, targets, rules, tree=tree)``, faster, for flake8.

    ``tree`` is CPython's tree of ``source``, which flake8 has built. It tells which statements
    can matter (``focus.py``); libcst parses only those, each line as it is in the file, and
    the same analysis and rules run on them. Without fixes: the fixing adapters need the whole
    module, and call ``check_source``.
    """
    if not mentions_loop_api(source):
        return []
    text = source[1:] if source.startswith("\ufeff") else source
    focused = None if beyond_parser_limits(tree) else focus(text, tree)
    if focused is None:
        return []  # nothing in the module names an API any rule reports
    try:
        return run_deep(lambda: _check_focused(focused, tree, targets, tuple(rules)))
    except RecursionError:
        return []  # as in check_source


def _check_focused(
    focused: Focused, tree: ast.Module, targets: TargetVersions, rules: tuple[Rule, ...]
) -> list[Diagnostic]:
    try:
        module = libcst_private.parse_module_unvalidated(focused.code)
    except (cst.ParserSyntaxError, MemoryError, ValueError):
        module = None  # a statement shared a line with a dropped one
    if module is None or ("\f" in focused.code and module.code != focused.code):
        # The whole module gives the same answer, more slowly; form feeds move libcst's columns
        # (see _diagnose), which is rare enough to take that way.
        return _check(focused.source, tree, targets, rules, False)
    analysis = ModuleAnalysis(module, targets, focused=focused)
    return sorted(
        {
            Diagnostic(*analysis.position(finding.node), rule.code, finding.message)
            for rule in rules
            for finding in rule.check(analysis)
        }
    )


def _check(
    source: str, tree: ast.Module, targets: TargetVersions, rules: tuple[Rule, ...], fixes: bool
) -> list[Diagnostic]:
    try:
        module = libcst_private.parse_module_unvalidated(source)
    except (cst.ParserSyntaxError, MemoryError, ValueError):
        return []
    return _diagnose(module, source, tree, targets, rules, fixes)


def _diagnose(
    module: cst.Module,
    source: str,
    tree: ast.Module,
    targets: TargetVersions,
    rules: tuple[Rule, ...],
    fixes: bool,
) -> list[Diagnostic]:
    """The rules' findings on ``module``, parsed from ``source`` (CPython's ``tree``), as
    positioned diagnostics."""
    # libcst drops the whitespace before a module-level statement when it holds a form feed:
    # its columns on that line are short by the whitespace, and its edits, made on its own
    # text, would land in the wrong place in ours. Columns move back; such a module gets no fixes.
    dropped = _dropped_columns(source, module.code) if "\f" in source and module.code != source else None
    # With the source, positions come from CPython's parser, which counts the dropped columns.
    analysis = ModuleAnalysis(
        module, targets, want_fixes=fixes, source=source if dropped is None else None, tree=tree
    )
    diagnostics = set()
    for rule in rules:
        for finding in rule.check(analysis):
            line, column = analysis.position(finding.node)
            if dropped is None:
                diagnostics.add(Diagnostic(line, column, rule.code, finding.message, finding.fix))
            else:
                diagnostics.add(Diagnostic(line, column + dropped.get(line, 0), rule.code, finding.message))
    return sorted(diagnostics)


def _dropped_columns(source: str, regenerated: str) -> dict[int, int]:
    """Per line, how many leading characters of ``source`` libcst's ``regenerated`` code lacks."""
    original, shortened = SourceLines(source), SourceLines(regenerated)
    if len(original.starts) != len(shortened.starts):
        return {}
    dropped = {}
    for number in range(1, len(original.starts) + 1):
        old, new = original.line(number), shortened.line(number)
        if old != new and old.endswith(new):
            dropped[number] = len(old) - len(new)
    return dropped
