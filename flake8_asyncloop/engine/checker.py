"""The one entry point every adapter calls: source text in, diagnostics out."""

from __future__ import annotations

import ast
import threading
from typing import Iterable, Optional

import libcst as cst

from flake8_asyncloop.engine.analysis import ModuleAnalysis
from flake8_asyncloop.engine.diagnostics import Diagnostic
from flake8_asyncloop.engine.precheck import mentions_loop_api
from flake8_asyncloop.engine.versions import TargetVersions
from flake8_asyncloop.rules import ALL_RULES, Rule


# libcst's native parser recurses on the C stack: thousands of nested brackets or operators
# overflow the main thread's 8 MiB and kill the process. A parser thread with a large stack
# turns that into a clean failure; the memory is reserved, and only touched when used.
_PARSER_STACK_BYTES = 512 * 1024 * 1024


def parse(source: str, syntax_checked: bool = False) -> Optional[cst.Module]:
    """The libcst module, or None for source that is not valid Python (flake8 reports E999).

    Unless the caller already parsed ``source`` with CPython (flake8 has, for its ``ast`` tree),
    CPython's parser goes first: its nesting limits (a few thousand levels) keep libcst away from
    input that would take it minutes and gigabytes, and it is several times faster than libcst.
    """
    if not syntax_checked:
        try:
            ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
    parsed: list[cst.Module] = []

    def parse_in_thread() -> None:
        try:
            parsed.append(cst.parse_module(source))
        except (cst.ParserSyntaxError, RecursionError, MemoryError, ValueError):
            pass

    previous = threading.stack_size(_PARSER_STACK_BYTES)
    try:
        parser = threading.Thread(target=parse_in_thread, name="flake8-asyncloop-parser")
        parser.start()
    finally:
        threading.stack_size(previous)
    parser.join()
    return parsed[0] if parsed else None


def check_source(
    source: str,
    targets: TargetVersions,
    rules: Iterable[Rule] = ALL_RULES,
    *,
    syntax_checked: bool = False,
    fixes: bool = False,
) -> list[Diagnostic]:
    """Every diagnostic of ``rules`` in ``source``, sorted by position.

    ``syntax_checked``: the caller has parsed ``source`` with CPython already (as flake8 has).
    ``fixes``: attach each rule's fix, where it has one.
    """
    if not mentions_loop_api(source):
        return []
    module = parse(source[1:] if source.startswith("\ufeff") else source, syntax_checked)
    if module is None:
        return []
    diagnostics = set()
    try:
        analysis = ModuleAnalysis(module, targets, want_fixes=fixes)
        for rule in rules:
            for finding in rule.check(analysis):
                line, column = analysis.position(finding.node)
                diagnostics.add(Diagnostic(line, column, rule.code, finding.message, finding.fix))
    except RecursionError:
        # Expressions nested thousands deep (valid for CPython, never written by hand) exceed
        # the tree walkers' recursion; such a file gets no diagnostics rather than a crash.
        return []
    return sorted(diagnostics)
