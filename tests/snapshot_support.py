"""Stored expectations: files that hold exactly what users see, compared exactly.

Two kinds, both named after their fixture (``runtime/x.py`` -> ``runtime__x``):

- ``tests/snapshots/<fixture>.txt``: what ``flake8 --select ELP`` prints for the fixture, without
  the path (``line:col: CODE message``, in flake8's order); empty when it prints nothing
  (tests/test_fixtures.py);
- ``tests/golden/<fixture>.diff``: what ``flake8-asyncloop fix --diff --unsafe-fixes`` prints for
  it, the unified diff from the fixture to its fixed form (tests/test_golden_fixes.py).

A rule change then shows in review as a change to these files, as ruff's snapshots do. To accept
one, rewrite them and read the diff (``cargo insta review``, in git)::

    python -m pytest tests/test_fixtures.py tests/test_golden_fixes.py --update-snapshots
    git diff tests/snapshots tests/golden

(``FLAKE8_ASYNCLOOP_UPDATE_SNAPSHOTS=1`` does the same as ``--update-snapshots``.) Rewriting also
deletes the stored files no fixture produces any more.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.fixture_support import FIXTURES, ROOT

SNAPSHOTS = ROOT / "tests" / "snapshots"
GOLDEN = ROOT / "tests" / "golden"
UPDATE_OPTION = "--update-snapshots"
UPDATE_VARIABLE = "FLAKE8_ASYNCLOOP_UPDATE_SNAPSHOTS"
_HUNK = re.compile(r"@@ -(?P<start>\d+)(?:,(?P<length>\d+))? \+\d+(?:,\d+)? @@")


def stored_name(fixture: Path, suffix: str) -> str:
    """The name of a file made from ``fixture``: its path below fixtures/, flattened."""
    return fixture.relative_to(FIXTURES).with_suffix(suffix).as_posix().replace("/", "__")


def snapshot_path(fixture: Path) -> Path:
    return SNAPSHOTS / stored_name(fixture, ".txt")


def golden_path(fixture: Path) -> Path:
    return GOLDEN / stored_name(fixture, ".diff")


def fixed_text(fixture: Path) -> str:
    """``fixture`` fixed: its golden diff applied to it."""
    return apply_diff(fixture.read_text(encoding="utf-8"), golden_path(fixture).read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Snapshots:
    """Compares what a test produced with its stored file, or rewrites the file when asked."""

    update: bool
    test_file: str  # the asking test module, for the command that rewrites its files

    def _how_to_update(self) -> str:
        return f"run `python -m pytest {self.test_file} {UPDATE_OPTION}` and review `git diff`"

    def assert_matches(self, stored: Path, actual: str) -> None:
        if self.update:
            if not stored.exists() or stored.read_bytes() != actual.encode("utf-8"):
                stored.parent.mkdir(parents=True, exist_ok=True)
                stored.write_bytes(actual.encode("utf-8"))
            return
        name = stored.relative_to(ROOT).as_posix()
        if not stored.exists():
            pytest.fail(f"{name} does not exist: to create it, {self._how_to_update()}", pytrace=False)
        current = stored.read_bytes().decode("utf-8")
        if current != actual:
            changes = difflib.unified_diff(
                current.splitlines(True), actual.splitlines(True), name, "what the test produced"
            )
            advice = f"{name} is out of date: if the change is right, {self._how_to_update()}\n"
            pytest.fail(advice + "".join(changes), pytrace=False)

    def assert_none_stale(self, stored: list[Path], wanted: set[Path]) -> None:
        """Every stored file in ``stored`` is one a test produces (``wanted``); rewriting deletes
        the others."""
        stale = sorted(path for path in stored if path not in wanted)
        if self.update:
            for path in stale:
                path.unlink()
            return
        if stale:
            names = ", ".join(path.relative_to(ROOT).as_posix() for path in stale)
            pytest.fail(f"no fixture produces {names}: to delete them, {self._how_to_update()}", pytrace=False)


def update_requested(config: pytest.Config) -> bool:
    return bool(config.getoption(UPDATE_OPTION)) or os.environ.get(UPDATE_VARIABLE) == "1"


def apply_diff(original: str, diff: str) -> str:
    """``original`` with a unified ``diff`` of it applied; every context and removed line must
    be the original's, so a diff made from another text fails instead of applying."""
    old = original.splitlines(keepends=True)
    new: list[str] = []
    taken = 0  # lines of ``old`` consumed
    lines = diff.splitlines(keepends=True)
    assert len(lines) >= 2 and lines[0].startswith("--- ") and lines[1].startswith("+++ "), "not a unified diff"
    for line in lines[2:]:
        hunk = _HUNK.match(line)
        if hunk:
            # A hunk that removes nothing starts after its line; others start at it.
            start = int(hunk["start"]) - (0 if hunk["length"] == "0" else 1)
            new += old[taken:start]
            taken = start
            continue
        kind, text = line[0], line[1:]
        assert kind in " -+", f"not a line of a hunk: {line!r}"
        if kind in " -":
            assert taken < len(old) and old[taken] == text, f"line {taken + 1} is not {text!r}"
            taken += 1
        if kind in " +":
            new.append(text)
    return "".join(new + old[taken:])
