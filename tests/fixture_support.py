"""Reading fixtures: real Python files whose comments say what flake8 must report.

``# error: ELP101`` (or ``# error: ELP102, ELP103``) on a line: flake8 reports exactly those codes
there. ``# ok: ELP101`` marks a look-alike line that must stay silent; it is counted as a negative
case. A ``# asyncloop-target-version: >=3.7`` comment in the first lines sets the targets the file
is checked for (default ``>=3.7``, so version-dependent rules are exercised).
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
DEFAULT_FIXTURE_TARGET = ">=3.7"

_EXPECT = re.compile(r"#\s*(error|ok):\s*(ELP\d{3}(?:\s*,\s*ELP\d{3})*)")
_TARGET = re.compile(r"#\s*asyncloop-target-version:\s*(\S+)")
_FLAKE8_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>ELP\d{3}) (?P<message>.*)$")


def fixture_files() -> list[Path]:
    return sorted(FIXTURES.rglob("*.py"))


def parses_here(path: Path) -> bool:
    """Whether the running Python parses ``path``: a fixture for modern targets may use newer
    syntax (``match`` on 3.9), which flake8 there reports as E999, and no plugin sees."""
    try:
        ast.parse(path.read_bytes())
    except SyntaxError:
        return False
    return True


def fixture_params() -> list[object]:
    """``fixture_files()`` as test parameters, those in syntax newer than this Python skipped."""
    newer = pytest.mark.skip(reason=f"syntax newer than Python {sys.version_info[0]}.{sys.version_info[1]}")
    return [
        pytest.param(path, id=str(path.relative_to(FIXTURES)), marks=() if parses_here(path) else newer)
        for path in fixture_files()
    ]


def fixture_target(path: Path) -> str:
    for line in path.read_text(encoding="utf-8").splitlines()[:5]:
        match = _TARGET.search(line)
        if match:
            return match.group(1)
    return DEFAULT_FIXTURE_TARGET


def annotations(path: Path) -> tuple[set[tuple[int, str]], set[tuple[int, str]]]:
    """(expected errors, declared negatives) as sets of (line, code)."""
    errors: set[tuple[int, str]] = set()
    negatives: set[tuple[int, str]] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        for kind, codes in _EXPECT.findall(line):
            bucket = errors if kind == "error" else negatives
            bucket.update((number, code.strip()) for code in codes.split(","))
    return errors, negatives


def flake8_output(paths: list[Path], target: str, *extra: str) -> dict[Path, list[str]]:
    """Run the real flake8 with only our codes selected: per file, the lines it printed, in its
    order, without the path (``line:col: CODE message``)."""
    command = [sys.executable, "-m", "flake8", "--select", "ELP", "--asyncloop-target-version", target, *extra]
    environment = {**os.environ, "FLAKE8_ASYNCLOOP_RAISE_INTERNAL_ERRORS": "1"}
    result = subprocess.run(
        command + [str(p) for p in paths], capture_output=True, text=True, cwd=ROOT, env=environment
    )
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    printed: dict[Path, list[str]] = defaultdict(list)
    for line in result.stdout.splitlines():
        match = _FLAKE8_LINE.match(line)
        assert match, f"unexpected flake8 output: {line!r}"
        printed[(ROOT / match.group("path")).resolve()].append(line[len(match.group("path")) + 1 :])
    return printed


def line_and_code(printed: str) -> tuple[int, str]:
    """(line, code) of one line of ``flake8_output``."""
    line, _, rest = printed.split(":", 2)
    return int(line), rest.split()[0]


def run_flake8(paths: list[Path], target: str, *extra: str) -> dict[Path, set[tuple[int, str]]]:
    """Run the real flake8 with only our codes selected; diagnostics per file as (line, code)."""
    return {
        path: {line_and_code(printed) for printed in lines}
        for path, lines in flake8_output(paths, target, *extra).items()
    }
