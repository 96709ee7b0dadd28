"""Runtime evidence for ELP102: what an uninstalled loop does, on the interpreter running the tests.

fixtures/runtime/elp102_not_installed.py creates loops with new_event_loop(), runs them and never
calls set_event_loop(). Its comments say where ELP102 must fire, and running it shows why: in the
main thread asyncio.get_event_loop() hands back a different loop (3.7-3.13), so a future made with
ensure_future() outside a coroutine belongs to that other loop and run_until_complete() rejects it
with ValueError; in a worker thread get_event_loop() raises RuntimeError. The fixed program,
elp102_installed.py, installs each loop, runs cleanly, and gets no report. Both run on the
interpreter running the tests and on CPython 3.14 where one is found (scripts/fetch_python314.py),
where the main thread's lookup raises too.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixture_support import FIXTURES, annotations, fixture_target, run_flake8
from tests.test_runtime_elp101 import runtime_python

NOT_INSTALLED = FIXTURES / "runtime" / "elp102_not_installed.py"
INSTALLED = FIXTURES / "runtime" / "elp102_installed.py"
# The interpreter running the tests, and 3.14 (skipped where there is none).
PYTHONS = ["running", "3.14"]


def _python(version: str) -> str:
    return sys.executable if version == "running" else runtime_python(version)


def _raises_on_main_thread(version: str) -> bool:
    return version == "3.14" or (version == "running" and sys.version_info >= (3, 14))


def _run(program: Path, python: str) -> list[str]:
    # -W ignore: get_event_loop() warns on some versions (3.10.0-3.10.8, 3.11.0-3.11.1, 3.12+).
    result = subprocess.run(
        [python, "-I", "-W", "ignore", str(program)], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", result.stderr
    return result.stdout.splitlines()


def _reported(program: Path) -> set[tuple[int, str]]:
    return run_flake8([program], fixture_target(program)).get(program.resolve(), set())


def test_linter_flags_the_uninstalled_loops() -> None:
    expected, _ = annotations(NOT_INSTALLED)
    assert {code for _, code in expected} == {"ELP102"} and len(expected) == 2
    assert _reported(NOT_INSTALLED) == expected


@pytest.mark.parametrize("version", PYTHONS)
def test_uninstalled_loop_is_not_the_current_loop(version: str) -> None:
    lines = _run(NOT_INSTALLED, _python(version))
    assert lines[0] == "main: run_until_complete -> 42"
    if _raises_on_main_thread(version):
        # 3.14 no longer creates a loop on demand: the lookup fails outright instead.
        assert lines[1] == (
            "main: get_event_loop() raised RuntimeError: There is no current event loop in thread 'MainThread'."
        )
        worker_lines = lines[2:]
    else:
        assert lines[1:4] == [
            "main: get_event_loop() is loop -> False",
            "main: run_until_complete(future) raised ValueError: "
            "The future belongs to a different loop than the one specified as the loop argument",
            "main: future ran on the other loop -> 42",
        ]
        worker_lines = lines[4:]
    assert worker_lines == [
        "worker: run_until_complete -> 42",
        "worker: get_event_loop() raised RuntimeError: There is no current event loop in thread 'worker'.",
    ]


@pytest.mark.parametrize("version", PYTHONS)
def test_installed_loop_runs_cleanly(version: str) -> None:
    assert _run(INSTALLED, _python(version)) == [
        "main: run_until_complete -> 42",
        "main: get_event_loop() is loop -> True",
        "main: run_until_complete(future) -> 42",
        "worker: run_until_complete -> 42",
        "worker: get_event_loop() is loop -> True",
    ]


def test_installed_loop_is_not_reported() -> None:
    expected, negatives = annotations(INSTALLED)
    assert not expected and {code for _, code in negatives} == {"ELP102"}
    assert _reported(INSTALLED) == set()
