"""ELP105 and ELP108 at run time: each program misbehaves before its fix and not after it.

The fixed programs are the runtime fixtures with their golden diffs (tests/golden/) applied, the
fixer's output; they run on every pyenv Python found (tests skip the versions that are missing).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_runtime_elp101 import pyenv_pythons
from tests.test_runtime_fixes import RUNTIME, fixed_program, run

VERSIONS = ["3.7", "3.9", "3.11", "3.12", "3.13"]


def _python(version: str) -> str:
    python = pyenv_pythons().get(version)
    if python is None:
        pytest.skip(f"no CPython {version} here")
    return python


@pytest.mark.parametrize("version", VERSIONS)
def test_elp105_get_event_loop_after_asyncio_run_raises_until_fixed(version: str, tmp_path: Path) -> None:
    python = _python(version)
    before = run(python, RUNTIME / "elp105_after_run.py")
    assert "RuntimeError: There is no current event loop in thread 'MainThread'" in before.stderr
    assert "second:" not in before.stdout
    after = run(python, fixed_program("elp105_after_run.py", tmp_path), warnings="error")
    assert after.returncode == 0, after.stderr
    assert after.stdout == "first: warm\nsecond: 42\n"


@pytest.mark.parametrize("version", VERSIONS)
def test_elp108_unclosed_loops_leak_until_fixed(version: str, tmp_path: Path) -> None:
    python = _python(version)
    before = run(python, RUNTIME / "elp108_unclosed.py", warnings="always::ResourceWarning")
    assert "ResourceWarning: unclosed event loop" in before.stderr
    assert "descriptors still open after 20 runs: 0" not in before.stdout
    after = run(python, fixed_program("elp108_unclosed.py", tmp_path), warnings="always::ResourceWarning")
    assert after.returncode == 0, after.stderr
    assert "unclosed event loop" not in after.stderr
    assert "descriptors still open after 20 runs: 0\n" in after.stdout
