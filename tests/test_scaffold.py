"""``scripts/new_rule.py`` writes a rule that is found, runs, and flags its own example."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.fixture_support import ROOT

SCRIPT = ROOT / "scripts" / "new_rule.py"

_PROBE = """
from flake8_asyncloop.engine.checker import check_source
from flake8_asyncloop.engine.versions import parse_target_versions
from flake8_asyncloop.rules import RULES_BY_CODE
rule = RULES_BY_CODE["ELP199"]
for kind, examples in (("invalid", rule.invalid), ("valid", rule.valid)):
    for example in examples:
        found = check_source(example.code, parse_target_versions(example.target_version), [rule])
        print(kind, [d.code for d in found], tuple(d.message for d in found) == example.expected_messages)
"""


def _scaffold(root: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *arguments, "--root", str(root)], capture_output=True, text=True, check=False
    )


def _project_copy(tmp_path: Path) -> Path:
    package = ROOT / "flake8_asyncloop"
    shutil.copytree(package, tmp_path / "flake8_asyncloop", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "fixtures").mkdir()
    return tmp_path


def test_the_scaffolded_rule_is_found_and_flags_its_example(tmp_path: Path) -> None:
    root = _project_copy(tmp_path)
    result = _scaffold(root, "ELP199", "loop-closed-twice")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:2] == [
        "wrote flake8_asyncloop/rules/elp199_loop_closed_twice.py",
        "wrote fixtures/elp199_loop_closed_twice.py",
    ]
    probe = subprocess.run(  # in the copy: ``-c`` puts the working directory first on sys.path
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    assert probe.returncode == 0, probe.stderr
    # Its examples hold, the message of the flagged one included.
    assert probe.stdout.splitlines() == ["invalid ['ELP199'] True", "valid [] True"]
    lint = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--max-line-length", "120", "--select", "E,F,W",
         str(root / "flake8_asyncloop" / "rules" / "elp199_loop_closed_twice.py")],
        capture_output=True, text=True,
    )
    assert lint.stdout == ""


def test_a_taken_code_is_refused_and_nothing_is_overwritten(tmp_path: Path) -> None:
    root = _project_copy(tmp_path)
    existing = root / "flake8_asyncloop" / "rules" / "elp104_get_event_loop_in_coroutine.py"
    before = existing.read_text()
    result = _scaffold(root, "ELP104", "another-rule")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == f"new_rule.py: ELP104 is taken: {existing.relative_to(root)}\n"
    assert existing.read_text() == before


def test_a_malformed_code_or_name_is_a_usage_error(tmp_path: Path) -> None:
    assert _scaffold(tmp_path, "ELP12", "a-name").returncode == 2
    assert "a rule name is lowercase words" in _scaffold(tmp_path, "ELP120", "Bad_Name").stderr
