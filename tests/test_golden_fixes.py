"""Golden tests: every fixture with a fix, fixed (unsafe fixes included), byte for byte.

Regenerate with ``UPDATE_GOLDEN=1 python -m pytest tests/test_golden_fixes.py`` and read the diff.
"""

from __future__ import annotations

import ast
import os
from collections import Counter
from pathlib import Path

import pytest

from flake8_asyncloop.engine.fixer import fix_source, reported
from flake8_asyncloop.engine.versions import parse_target_versions
from flake8_asyncloop.rules import ALL_RULES
from tests.fixture_support import FIXTURES, fixture_files, fixture_target, parses_here, run_flake8

GOLDEN = Path(__file__).parent / "golden"


def _fixable_fixtures() -> list[Path]:
    fixable = []
    for path in fixture_files():
        targets = parse_target_versions(fixture_target(path))
        if any(d.fix is not None for d in reported(path.read_text(encoding="utf-8"), targets, ALL_RULES, True)):
            fixable.append(path)
    return fixable


FIXABLE = _fixable_fixtures()


def _golden_path(path: Path) -> Path:
    return GOLDEN / path.relative_to(FIXTURES).as_posix().replace("/", "__")


@pytest.mark.parametrize("path", FIXABLE, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixed_fixture_matches_golden_file(path: Path) -> None:
    targets = parse_target_versions(fixture_target(path))
    source = path.read_text(encoding="utf-8")
    result = fix_source(source, targets, unsafe=True)
    golden = _golden_path(path)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.write_bytes(result.source.encode("utf-8"))
    assert result.source.encode("utf-8") == golden.read_bytes()
    ast.parse(result.source)  # the output parses
    again = fix_source(result.source, targets, unsafe=True)
    assert again.source == result.source and again.applied == 0  # a fixpoint
    before = Counter(d.code for d in reported(source, targets, ALL_RULES, True))
    after = Counter(d.code for d in result.remaining)
    assert not after - before, "a fix introduced a new diagnostic"
    assert sum(before.values()) - sum(after.values()) >= 1


def test_flake8_on_golden_files_reports_only_what_had_no_fix() -> None:
    """flake8 on the fixed files: every code left is one the fixer reported as remaining."""
    for path in FIXABLE:
        target = fixture_target(path)
        remaining = fix_source(path.read_text(encoding="utf-8"), parse_target_versions(target), unsafe=True).remaining
        found = run_flake8([_golden_path(path)], target).get(_golden_path(path).resolve(), set())
        assert found == {(d.line, d.code) for d in remaining}, path.name


def test_every_golden_file_belongs_to_a_fixture() -> None:
    # A fixture in syntax newer than this Python is not checked here (the engine starts from
    # CPython's parser, as flake8 does), so whether it has fixes is unknown.
    unknown = {_golden_path(p).name for p in fixture_files() if not parses_here(p)}
    assert sorted(p.name for p in GOLDEN.glob("*.py") if p.name not in unknown) == sorted(
        _golden_path(p).name for p in FIXABLE if _golden_path(p).name not in unknown
    )
