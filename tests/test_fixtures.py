"""Every fixture, through the real flake8: what its comments expect, nothing missing, nothing extra,
and exactly what flake8 prints for it (columns and messages), as stored in tests/snapshots/.

The comments say the intent next to the code; the snapshot pins the rest. Both are compared with
the same flake8 run, so they agree: the snapshot's (line, code) pairs are the comments' errors.
After a deliberate change to what flake8 prints, rewrite the snapshots and review them as a diff
(tests/snapshot_support.py; ``FLAKE8_ASYNCLOOP_UPDATE_SNAPSHOTS=1`` does the same)::

    python -m pytest tests/test_fixtures.py --update-snapshots
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

import pytest

from flake8_asyncloop.rules import ALL_RULES
from tests.fixture_support import (
    annotations,
    fixture_files,
    fixture_params,
    fixture_target,
    flake8_output,
    line_and_code,
)
from tests.snapshot_support import SNAPSHOTS, Snapshots, snapshot_path

MINIMUM_CASES_PER_RULE = 8


@pytest.fixture(scope="session")
def flake8_printed() -> dict[Path, list[str]]:
    """What flake8 prints for every fixture, one flake8 run per target range."""
    by_target: dict[str, list[Path]] = defaultdict(list)
    for path in fixture_files():
        by_target[fixture_target(path)].append(path)
    printed: dict[Path, list[str]] = {}
    for target, paths in by_target.items():
        printed.update(flake8_output(paths, target))
    return printed


@pytest.mark.parametrize("path", fixture_params())
def test_fixture_matches_inline_expectations(path: Path, flake8_printed: dict[Path, list[str]]) -> None:
    expected, negatives = annotations(path)
    found = {line_and_code(line) for line in flake8_printed.get(path.resolve(), [])}
    assert not expected & negatives, "a line cannot both expect and forbid the same code"
    missing = sorted(expected - found)
    extra = sorted(found - expected)
    assert not missing and not extra, f"missing: {missing}; unexpected: {extra}"


@pytest.mark.parametrize("path", fixture_params())
def test_fixture_output_matches_snapshot(
    path: Path, flake8_printed: dict[Path, list[str]], snapshots: Snapshots
) -> None:
    printed = "".join(f"{line}\n" for line in flake8_printed.get(path.resolve(), []))
    snapshots.assert_matches(snapshot_path(path), printed)


def test_every_snapshot_belongs_to_a_fixture(snapshots: Snapshots) -> None:
    # A fixture in syntax newer than this Python is not run here, but its snapshot is not stale.
    snapshots.assert_none_stale(sorted(SNAPSHOTS.glob("*.txt")), {snapshot_path(p) for p in fixture_files()})


@pytest.mark.parametrize("code", [rule.code for rule in ALL_RULES])
def test_each_rule_has_enough_positive_and_negative_fixtures(code: str) -> None:
    positives: Counter[str] = Counter()
    negatives: Counter[str] = Counter()
    for path in fixture_files():
        errors, oks = annotations(path)
        positives.update(c for _, c in errors)
        negatives.update(c for _, c in oks)
    assert positives[code] >= MINIMUM_CASES_PER_RULE, f"{code}: {positives[code]} positive fixtures"
    assert negatives[code] >= MINIMUM_CASES_PER_RULE, f"{code}: {negatives[code]} negative fixtures"
