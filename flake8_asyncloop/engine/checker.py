"""The one entry point every adapter calls: source text in, diagnostics out."""

from __future__ import annotations

from typing import Iterable, Optional

import libcst as cst

from flake8_asyncloop.engine.analysis import ModuleAnalysis
from flake8_asyncloop.engine.diagnostics import Diagnostic
from flake8_asyncloop.engine.precheck import mentions_loop_api
from flake8_asyncloop.engine.versions import TargetVersions
from flake8_asyncloop.rules import ALL_RULES, Rule


def parse(source: str) -> Optional[cst.Module]:
    """The libcst module, or None for source libcst cannot parse (flake8 reports E999 itself)."""
    try:
        return cst.parse_module(source)
    except (cst.ParserSyntaxError, RecursionError, ValueError):
        return None


def check_source(source: str, targets: TargetVersions, rules: Iterable[Rule] = ALL_RULES) -> list[Diagnostic]:
    """Every diagnostic of ``rules`` in ``source``, sorted by position."""
    if not mentions_loop_api(source):
        return []
    module = parse(source[1:] if source.startswith("\ufeff") else source)
    if module is None:
        return []
    analysis = ModuleAnalysis(module, targets)
    diagnostics = set()
    for rule in rules:
        for finding in rule.check(analysis):
            line, column = analysis.position(finding.node)
            diagnostics.add(Diagnostic(line, column, rule.code, finding.message))
    return sorted(diagnostics)
