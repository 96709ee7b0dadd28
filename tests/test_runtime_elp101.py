"""Runtime evidence for ELP101: get_event_loop() in a worker thread raises, the fix does not.

The programs are fixtures (fixtures/runtime/), so the same lines are linted by test_fixtures.py:
the failing lookup is annotated ``# error: ELP101`` and the fixed one ``# ok: ELP101``.
"""

from __future__ import annotations

import functools
import glob
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.fixture_support import FIXTURES, ROOT, annotations

RUNTIME = FIXTURES / "runtime"
BROKEN = RUNTIME / "elp101_thread_lookup.py"
FIXED = RUNTIME / "elp101_thread_own_loop.py"
NO_LOOP = "RuntimeError: There is no current event loop in thread 'elp101-worker'"
VERSIONS = [f"3.{minor}" for minor in range(7, 15)]
# A CPython 3.14 to use before pyenv's and the one scripts/fetch_python314.py leaves in its cache.
PYTHON314_VARIABLE = "FLAKE8_ASYNCLOOP_PYTHON314"


def run(python: str, script: Path) -> subprocess.CompletedProcess[str]:
    # -I: ignore PYTHON* variables and user site-packages (another interpreter may run this);
    # -W ignore: deprecation warnings differ between versions and are not what is checked.
    return subprocess.run(
        [python, "-I", "-W", "ignore", str(script)], capture_output=True, text=True, timeout=10, cwd=RUNTIME
    )


def pyenv_pythons(first_minor: int = 7) -> dict[str, str]:
    """Every CPython 3.<first_minor>-3.14 interpreter pyenv has, as {"3.7": path}."""
    roots = [os.path.expanduser("~/.pyenv")]
    if shutil.which("pyenv"):
        try:
            found = subprocess.run(["pyenv", "root"], capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            found = ""
        if found:
            roots.insert(0, found)
    pythons: dict[str, str] = {}
    for minor in range(first_minor, 15):
        for root in roots:
            candidates = sorted(glob.glob(os.path.join(root, "versions", f"3.{minor}.*", "bin", "python")))
            if candidates and f"3.{minor}" not in pythons:
                pythons[f"3.{minor}"] = candidates[-1]
    return pythons


@functools.lru_cache(maxsize=None)
def fetch_script() -> ModuleType:
    """scripts/fetch_python314.py as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("fetch_python314", ROOT / "scripts" / "fetch_python314.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def python314() -> str | None:
    """CPython 3.14: $FLAKE8_ASYNCLOOP_PYTHON314, else pyenv's, else Debian's that
    scripts/fetch_python314.py unpacked into its default cache folder."""
    python = os.environ.get(PYTHON314_VARIABLE) or pyenv_pythons().get("3.14")
    if python:
        return python
    script = fetch_script()
    fetched = script.built_interpreter(script.default_cache_dir())
    return None if fetched is None else str(fetched)


def runtime_python(version: str) -> str:
    """The interpreter of CPython ``version`` ("3.12"); the test is skipped without one."""
    if version == "3.14":
        python = python314()
        where = f"run scripts/fetch_python314.py, or set {PYTHON314_VARIABLE} to a CPython 3.14"
    else:
        python = pyenv_pythons().get(version)
        where = "not under pyenv"
    if python is None:
        pytest.skip(f"no CPython {version} ({where})")
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


@pytest.mark.parametrize("minor", VERSIONS)
def test_same_on_every_installed_python(minor: str) -> None:
    python = runtime_python(minor)
    broken = run(python, BROKEN)
    assert NO_LOOP in broken.stderr, broken.stderr
    fixed = run(python, FIXED)
    assert fixed.stdout.splitlines() == ["job done", "main finished"], fixed.stderr


@pytest.mark.parametrize("minor", VERSIONS)
def test_lookup_in_a_thread_pool_task_raises(minor: str) -> None:
    """A task of ``multiprocessing.pool.ThreadPool`` runs in a worker thread, as an executor's."""
    python = runtime_python(minor)
    script = RUNTIME / "elp101_thread_pool.py"
    annotated_line(script, "error")
    result = run(python, script)
    assert "RuntimeError: There is no current event loop in thread" in result.stdout, result.stderr
