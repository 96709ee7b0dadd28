"""Golden fixes: every fixture with a fix, fixed (unsafe fixes included), byte for byte.

Each is stored as what ``flake8-asyncloop fix --diff --unsafe-fixes`` prints for its fixture
(``tests/golden/<fixture>.diff``, see tests/snapshot_support.py), so that a review shows only what
the fixes changed. The test compares the real command's diff with it exactly, applies it to the
fixture and requires exactly the engine's fixed text, and checks that text: it parses, it is a
fixpoint, and it has no diagnostic the fixture lacked. After a deliberate change, rewrite the
diffs and review them (``FLAKE8_ASYNCLOOP_UPDATE_SNAPSHOTS=1`` does the same)::

    python -m pytest tests/test_golden_fixes.py --update-snapshots
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from flake8_asyncloop.engine.fixer import fix_source, reported
from flake8_asyncloop.engine.versions import parse_target_versions
from flake8_asyncloop.rules import ALL_RULES
from tests.fixture_support import FIXTURES, ROOT, fixture_files, fixture_target, parses_here, run_flake8
from tests.snapshot_support import GOLDEN, Snapshots, fixed_text, golden_path, stored_name


def _fixable_fixtures() -> list[Path]:
    fixable = []
    for path in fixture_files():
        targets = parse_target_versions(fixture_target(path))
        found = reported(path.read_text(encoding="utf-8"), targets, ALL_RULES, True, path=str(path))
        if any(d.fix is not None for d in found):
            fixable.append(path)
    return fixable


FIXABLE = _fixable_fixtures()


def _command_diffs(paths: list[Path], target: str) -> dict[Path, str]:
    """What ``flake8-asyncloop fix --diff --unsafe-fixes`` prints, per file (run from the
    checkout, so the diffs name ``fixtures/...``)."""
    names = {path.relative_to(ROOT).as_posix(): path for path in paths}
    command = ["fix", "--diff", "--unsafe-fixes", "--quiet", "--target-version", target, *names]
    result = subprocess.run([sys.executable, "-m", "flake8_asyncloop", *command], capture_output=True, cwd=ROOT)
    assert result.returncode in (0, 1) and b"Traceback" not in result.stderr, result.stderr.decode()
    lines = result.stdout.decode("utf-8").splitlines(keepends=True)
    diffs: dict[Path, str] = defaultdict(str)
    current = None
    for number, line in enumerate(lines):
        name = line[len("--- ") :].rstrip("\n")
        if line.startswith("--- ") and name in names and lines[number + 1 : number + 2] == [f"+++ {name}\n"]:
            current = names[name]  # each file's diff starts with its two header lines
        assert current is not None, f"unexpected output: {line!r}"
        diffs[current] += line
    return diffs


@pytest.fixture(scope="session")
def command_diffs() -> dict[Path, str]:
    """The command's diff of every fixable fixture, one run per target range."""
    by_target: dict[str, list[Path]] = defaultdict(list)
    for path in FIXABLE:
        by_target[fixture_target(path)].append(path)
    diffs: dict[Path, str] = {}
    for target, paths in by_target.items():
        diffs.update(_command_diffs(paths, target))
    return diffs


@pytest.mark.parametrize("path", FIXABLE, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixed_fixture_matches_golden_diff(path: Path, command_diffs: dict[Path, str], snapshots: Snapshots) -> None:
    snapshots.assert_matches(golden_path(path), command_diffs.get(path, ""))
    targets = parse_target_versions(fixture_target(path))
    source = path.read_text(encoding="utf-8")
    # With the path, as the command calls it: a module of a package reads its neighbours.
    result = fix_source(source, targets, ALL_RULES, unsafe=True, path=str(path))
    assert fixed_text(path) == result.source  # the stored diff gives exactly the engine's fixed text
    ast.parse(result.source)  # the output parses
    again = fix_source(result.source, targets, ALL_RULES, unsafe=True, path=str(path))
    assert again.source == result.source and again.applied == 0  # a fixpoint
    before = Counter(d.code for d in reported(source, targets, ALL_RULES, True, path=str(path)))
    after = Counter(d.code for d in result.remaining)
    assert not after - before, "a fix introduced a new diagnostic"
    assert sum(before.values()) - sum(after.values()) >= 1


def test_flake8_on_fixed_fixtures_reports_only_what_had_no_fix(tmp_path: Path) -> None:
    """flake8 on the fixed files (the golden diffs applied): every code left is one the fixer
    reported as remaining. A package's modules are left out: a copy of one alone does not see
    its neighbours (the test above runs the command on them where they are)."""
    by_target: dict[str, list[tuple[Path, Path]]] = defaultdict(list)
    for path in FIXABLE:
        if (path.parent / "__init__.py").is_file():
            continue
        fixed = tmp_path / stored_name(path, ".py")
        fixed.write_bytes(fixed_text(path).encode("utf-8"))
        by_target[fixture_target(path)].append((path, fixed))
    for target, pairs in by_target.items():
        found = run_flake8([fixed for _, fixed in pairs], target)
        for path, fixed in pairs:
            source = path.read_text(encoding="utf-8")
            remaining = fix_source(source, parse_target_versions(target), ALL_RULES, unsafe=True).remaining
            assert found.get(fixed.resolve(), set()) == {(d.line, d.code) for d in remaining}, path.name


def test_fixes_leave_no_import_unused(tmp_path: Path) -> None:
    """pyflakes (flake8's F401) on each fixture and its fixed text: a fix never leaves behind an
    import that the fixture used (``engine/imports.py``); what was unused before may stay."""
    pairs = []
    for path in FIXABLE:
        fixed = tmp_path / stored_name(path, ".py")
        fixed.write_bytes(fixed_text(path).encode("utf-8"))
        pairs.append((path, fixed))
    command = [sys.executable, "-m", "flake8", "--isolated", "--select", "F401", "--format", "%(path)s:%(text)s"]
    result = subprocess.run(command + [str(p) for pair in pairs for p in pair], capture_output=True, text=True)
    unused: dict[str, set[str]] = defaultdict(set)
    for line in result.stdout.splitlines():
        where, _, text = line.partition(":")
        unused[str(Path(where).resolve())].add(text)
    for path, fixed in pairs:
        new = unused[str(fixed.resolve())] - unused[str(path.resolve())]
        assert not new, f"{path.name}: the fixes left {sorted(new)}"


def test_every_golden_diff_belongs_to_a_fixture(snapshots: Snapshots) -> None:
    # A fixture in syntax newer than this Python is not checked here (the engine starts from
    # CPython's parser, as flake8 does), so whether it has fixes is unknown: its diff may stay.
    unknown = {golden_path(path) for path in fixture_files() if not parses_here(path)}
    snapshots.assert_none_stale(sorted(GOLDEN.glob("*.diff")), unknown | {golden_path(path) for path in FIXABLE})
