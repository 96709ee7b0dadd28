"""Every fixture, through the real flake8: what its comments expect, nothing missing, nothing extra."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

import pytest

from flake8_asyncloop.rules import ALL_RULES
from tests.fixture_support import annotations, fixture_files, fixture_params, fixture_target, run_flake8

MINIMUM_CASES_PER_RULE = 8


@pytest.fixture(scope="session")
def flake8_results() -> dict[Path, set[tuple[int, str]]]:
    by_target: dict[str, list[Path]] = defaultdict(list)
    for path in fixture_files():
        by_target[fixture_target(path)].append(path)
    results: dict[Path, set[tuple[int, str]]] = {}
    for target, paths in by_target.items():
        results.update(run_flake8(paths, target))
    return results


@pytest.mark.parametrize("path", fixture_params())
def test_fixture_matches_inline_expectations(path: Path, flake8_results: dict[Path, set[tuple[int, str]]]) -> None:
    expected, negatives = annotations(path)
    found = flake8_results.get(path.resolve(), set())
    assert not expected & negatives, "a line cannot both expect and forbid the same code"
    missing = sorted(expected - found)
    extra = sorted(found - expected)
    assert not missing and not extra, f"missing: {missing}; unexpected: {extra}"


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
