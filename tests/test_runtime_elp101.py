"""Runtime evidence for ELP101: get_event_loop() in a worker thread raises, the fix does not.

The programs are fixtures (fixtures/runtime/), so the same lines are linted by test_fixtures.py:
the failing lookup is annotated ``# error: ELP101`` and the fixed one ``# ok: ELP101``.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixture_support import FIXTURES, annotations

RUNTIME = FIXTURES / "runtime"
BROKEN = RUNTIME / "elp101_thread_lookup.py"
FIXED = RUNTIME / "elp101_thread_own_loop.py"
NO_LOOP = "RuntimeError: There is no current event loop in thread 'elp101-worker'"


def run(python: str, script: Path) -> subprocess.CompletedProcess[str]:
    # -I: ignore PYTHON* variables and user site-packages (another interpreter may run this);
    # -W ignore: deprecation warnings differ between versions and are not what is checked.
    return subprocess.run(
        [python, "-I", "-W", "ignore", str(script)], capture_output=True, text=True, timeout=10, cwd=RUNTIME
    )


def pyenv_pythons() -> dict[str, str]:
    """Every CPython 3.7-3.13 interpreter pyenv has, as {"3.7": path}."""
    roots = [os.path.expanduser("~/.pyenv")]
    if shutil.which("pyenv"):
        try:
            found = subprocess.run(["pyenv", "root"], capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            found = ""
        if found:
            roots.insert(0, found)
    pythons: dict[str, str] = {}
    for minor in range(7, 14):
        for root in roots:
            candidates = sorted(glob.glob(os.path.join(root, "versions", f"3.{minor}.*", "bin", "python")))
            if candidates and f"3.{minor}" not in pythons:
                pythons[f"3.{minor}"] = candidates[-1]
    return pythons


def pyenv_python(version: str) -> str:
    """The pyenv interpreter of CPython ``version`` ("3.12"); the test is skipped without one."""
    python = pyenv_pythons().get(version)
    if python is None:
        pytest.skip(f"no CPython {version} under pyenv")
    return python


def annotated_line(script: Path, kind: str) -> int:
    errors, oks = annotations(script)
    lines = [line for line, code in (errors if kind == "error" else oks) if code == "ELP101"]
    assert len(lines) == 1, f"{script.name}: expected one '# {kind}: ELP101' line, found {lines}"
    return lines[0]


def test_lookup_in_worker_thread_raises() -> None:
    result = run(sys.executable, BROKEN)
    assert NO_LOOP in result.stderr, result.stderr
    # The frame that raised is the very line the fixture marks "# error: ELP101".
    assert f'{BROKEN.name}", line {annotated_line(BROKEN, "error")}, in work' in result.stderr, result.stderr
    assert "main finished" in result.stdout


def test_thread_that_installs_its_own_loop_runs_cleanly() -> None:
    annotated_line(FIXED, "ok")
    result = run(sys.executable, FIXED)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stdout.splitlines() == ["job done", "main finished"]


@pytest.mark.parametrize("minor", [f"3.{m}" for m in range(7, 14)])
def test_same_on_every_installed_python(minor: str) -> None:
    python = pyenv_pythons().get(minor)
    if python is None:
        pytest.skip(f"no CPython {minor} under pyenv")
    broken = run(python, BROKEN)
    assert NO_LOOP in broken.stderr, broken.stderr
    fixed = run(python, FIXED)
    assert fixed.stdout.splitlines() == ["job done", "main finished"], fixed.stderr


@pytest.mark.parametrize("minor", [f"3.{m}" for m in range(7, 14)])
def test_lookup_in_a_thread_pool_task_raises(minor: str) -> None:
    """A task of ``multiprocessing.pool.ThreadPool`` runs in a worker thread, as an executor's."""
    python = pyenv_python(minor)
    script = RUNTIME / "elp101_thread_pool.py"
    annotated_line(script, "error")
    result = run(python, script)
    assert "RuntimeError: There is no current event loop in thread" in result.stdout, result.stderr
