"""Applying fixes until nothing fixable is left: the one fixing loop every adapter uses."""

from __future__ import annotations

import ast
from typing import Iterable, Literal, Optional, Union

from flake8_asyncloop.engine.checker import Rule, check_focused, check_source, libcst_reads
from flake8_asyncloop.engine.diagnostics import Diagnostic, Edit, FixResult
from flake8_asyncloop.engine.text import EditConflict, SourceLines, apply_edits
from flake8_asyncloop.engine.imports import newly_unused, removal_edits
from flake8_asyncloop.engine.noqa import file_is_exempt, is_suppressed
from flake8_asyncloop.engine.process import GUEST, Process
from flake8_asyncloop.engine.versions import TargetVersions
from flake8_asyncloop.engine import cpython

# One fix can expose another (installing a loop settles its child watcher, a new import makes
# room for the next fix); a handful of passes reaches the fixpoint in practice.
MAX_PASSES = 10


def reported(
    source: str,
    targets: TargetVersions,
    rules: Iterable[Rule],
    fixes: bool,
    *,
    tree: Optional[ast.Module] = None,
    process: Process = GUEST,
    path: Optional[str] = None,
) -> list[Diagnostic]:
    """The diagnostics of ``source`` that no ``# noqa`` comment silences (none where a
    ``# flake8: noqa`` line exempts the whole file).

    ``tree``: CPython's tree of ``source``, when the caller has it. Without fixes, only the
    statements that can matter are then given to libcst (flake8's path, ``check_focused``).
    ``process``: ``OWNER`` only from an adapter that owns its process (``process.py``).
    ``path``: the file's path, for its project's other modules (``check_source``).
    """
    if file_is_exempt(source):
        return []
    lines = SourceLines(source)
    if tree is not None and not fixes:
        found = check_focused(source, tree, targets, rules, process=process, path=path)
    else:
        found = check_source(source, targets, rules, fixes=fixes, tree=tree, process=process, path=path)
    return [d for d in found if not is_suppressed(d, lines)]


def fix_source(
    source: str,
    targets: TargetVersions,
    rules: Iterable[Rule],
    *,
    unsafe: bool = False,
    tree: Optional[ast.Module] = None,
    process: Process = GUEST,
    path: Optional[str] = None,
) -> FixResult:
    """Apply every applicable fix, pass after pass, until none is left.

    ``tree``: CPython's tree of ``source``, when the caller has parsed it already.
    ``process``: ``OWNER`` only from an adapter that owns its process (``process.py``).
    ``path``: the file's path, for its project's other modules (``check_source``).

    Fixes whose edits overlap wait for the next pass, when they are recomputed on the new text.
    A pass whose result would not parse is dropped (and fixing stops): a fix that breaks the
    program is a bug, and the file must stay as it was rather than be damaged.
    """
    rules = tuple(rules)
    applied = 0
    diagnostics = reported(source, targets, rules, fixes=True, tree=tree, process=process, path=path)
    previous_tree = tree if tree is not None else cpython.tree_or_none(source)
    # Syntax newer than this Python (libcst reads it, CPython does not): each pass is checked
    # with libcst's parser, and no tree is at hand to look for unused imports.
    newer_syntax = previous_tree is None
    for _ in range(MAX_PASSES):
        edits: list[Edit] = []
        chosen = 0
        for diagnostic in diagnostics:
            fix = diagnostic.fix
            if fix is None or not (fix.safe or unsafe):
                continue
            try:
                apply_edits(source, edits + list(fix.edits))
            except EditConflict:
                continue
            edits.extend(fix.edits)
            chosen += 1
        if not chosen:
            break
        candidate = apply_edits(source, edits)
        candidate_tree = _parsed(candidate, newer_syntax, process)
        if candidate_tree is False:
            break
        if candidate_tree is not None and previous_tree is not None:
            candidate, candidate_tree = _without_newly_unused_imports(previous_tree, candidate, candidate_tree)
        previous_tree = candidate_tree
        source = candidate
        applied += chosen
        diagnostics = reported(source, targets, rules, fixes=True, tree=candidate_tree, process=process, path=path)
    return FixResult(source, applied, diagnostics)


def _without_newly_unused_imports(before: ast.Module, candidate: str, tree: ast.Module) -> tuple[str, ast.Module]:
    """``candidate`` without the imports the pass left unused (``imports.py``), when that parses."""
    unused = newly_unused(before, tree)
    if not unused:
        return candidate, tree
    cleaned = apply_edits(candidate, removal_edits(candidate, tree, unused))
    try:
        return cleaned, cpython.parse(cleaned)
    except SyntaxError:
        return candidate, tree


def _parsed(candidate: str, newer_syntax: bool, process: Process) -> Union[ast.Module, None, Literal[False]]:
    """CPython's tree of a pass's result; for newer syntax None when libcst reads it; False when
    the result does not parse (a broken fix: the pass is dropped)."""
    if not newer_syntax:
        tree = cpython.tree_or_none(candidate)
        return False if tree is None else tree
    return None if process.run(lambda: libcst_reads(candidate)) else False
