"""Runtime evidence for ELP103 on CPython 3.7: a loop with no child watcher cannot run subprocesses.

The programs are fixtures (fixtures/runtime/), linted by test_fixtures.py at >=3.7: a loop marked
``# error: ELP103`` fails on 3.7, one marked ``# ok: ELP103`` works; from 3.8 all of them work,
until 3.14, where each call of the child-watcher API (ELP106) raises AttributeError (run on 3.14
where one is found: scripts/fetch_python314.py).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.fixture_support import FIXTURES, annotations
from tests.test_runtime_elp101 import runtime_python

RUNTIME = FIXTURES / "runtime"
UNATTACHED = RUNTIME / "elp103_unattached_loop.py"
INSTALLED = RUNTIME / "elp103_installed_loop.py"
ATTACHED = RUNTIME / "elp103_attached_loop.py"
WORKER = RUNTIME / "elp103_worker_thread_loop.py"
LOOP_THREAD = RUNTIME / "elp103_loop_in_thread.py"
INSTALLED_IN_WORKER = RUNTIME / "elp103_installed_in_worker.py"

NO_WATCHER_LOOP = "RuntimeError: Cannot add child handler, the child watcher does not have a loop attached"
NOT_MAIN_THREAD = "set_wakeup_fd only works in main thread"
REMOVED = "AttributeError: module 'asyncio' has no attribute 'get_child_watcher'"


def run(interpreter: str, script: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [interpreter, "-I", "-W", "ignore", str(script), *args],
        capture_output=True,
        text=True,
        timeout=10,
        cwd=RUNTIME,
    )


def elp103_kinds(script: Path) -> set[str]:
    """How the fixture annotates ELP103: {"error"}, {"ok"}, or both."""
    errors, oks = annotations(script)
    return {kind for kind, marks in (("error", errors), ("ok", oks)) if any(c == "ELP103" for _, c in marks)}


def test_the_programs_are_annotated_as_the_evidence_says() -> None:
    assert elp103_kinds(UNATTACHED) == {"error"}
    assert elp103_kinds(INSTALLED) == {"ok"}
    assert elp103_kinds(ATTACHED) == {"ok"}
    assert elp103_kinds(WORKER) == {"error"}
    assert elp103_kinds(LOOP_THREAD) == {"error", "ok"}
    assert elp103_kinds(INSTALLED_IN_WORKER) == {"error", "ok"}


def test_unattached_uninstalled_loop_fails_on_37() -> None:
    result = run(runtime_python("3.7"), UNATTACHED)
    assert result.returncode != 0
    assert NO_WATCHER_LOOP in result.stderr, result.stderr


@pytest.mark.parametrize("script", [INSTALLED, ATTACHED], ids=["installed", "attached"])
def test_installed_or_attached_loop_works_on_37(script: Path) -> None:
    result = run(runtime_python("3.7"), script)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["exit status 0"]


def test_loop_installed_in_worker_thread_fails_on_37() -> None:
    result = run(runtime_python("3.7"), WORKER, "install")
    assert NO_WATCHER_LOOP in result.stderr, result.stderr
    assert "exit status" not in result.stdout


def test_attach_from_worker_thread_fails_on_37() -> None:
    result = run(runtime_python("3.7"), WORKER, "attach")
    assert NOT_MAIN_THREAD in result.stderr, result.stderr
    assert "exit status" not in result.stdout


def test_loop_served_by_thread_fails_on_37_unless_attached_in_main_thread() -> None:
    # Thread(target=loop.run_forever) hands over a bound method, not the loop: nothing attaches it.
    unattached = run(runtime_python("3.7"), LOOP_THREAD)
    assert unattached.returncode != 0
    assert NO_WATCHER_LOOP in unattached.stderr, unattached.stderr
    attached = run(runtime_python("3.7"), LOOP_THREAD, "attach")
    assert attached.returncode == 0, attached.stderr
    assert attached.stdout.splitlines() == ["exit status 0"]


@pytest.mark.parametrize(
    ("mode", "failure"), [("install", NO_WATCHER_LOOP), ("attach", NOT_MAIN_THREAD)], ids=["install", "attach"]
)
def test_main_thread_loop_installed_or_attached_in_worker_fails_on_37(mode: str, failure: str) -> None:
    # Installing or attaching counts only in the main thread, wherever the loop was created.
    result = run(runtime_python("3.7"), INSTALLED_IN_WORKER, mode)
    assert failure in result.stderr, result.stderr
    assert "exit status" not in result.stdout


def test_main_thread_loop_attached_in_main_thread_works_in_worker_on_37() -> None:
    result = run(runtime_python("3.7"), INSTALLED_IN_WORKER, "main")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stdout.splitlines() == ["exit status 0"]


@pytest.mark.parametrize(
    "script", [UNATTACHED, INSTALLED, ATTACHED, LOOP_THREAD], ids=["unattached", "installed", "attached", "loop-thread"]
)
def test_every_variant_works_on_38(script: Path) -> None:
    result = run(runtime_python("3.8"), script)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["exit status 0"]


@pytest.mark.parametrize("mode", ["install", "attach"])
def test_worker_thread_loop_works_on_38(mode: str) -> None:
    result = run(runtime_python("3.8"), WORKER, mode)
    assert result.stdout.splitlines() == ["exit status 0", "main finished"], result.stderr


@pytest.mark.parametrize("mode", ["install", "attach", "main"])
def test_main_thread_loop_run_by_worker_works_on_38(mode: str) -> None:
    result = run(runtime_python("3.8"), INSTALLED_IN_WORKER, mode)
    assert result.stdout.splitlines() == ["exit status 0"], result.stderr


@pytest.mark.parametrize(
    ("script", "mode"),
    [(UNATTACHED, None), (INSTALLED, None), (LOOP_THREAD, None), (WORKER, "install"), (INSTALLED_IN_WORKER, "install")],
    ids=["unattached", "installed", "loop-thread", "worker-install", "installed-in-worker"],
)
def test_variants_without_the_watcher_api_work_on_314(script: Path, mode: str | None) -> None:
    result = run(runtime_python("3.14"), script, *([mode] if mode else []))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "exit status 0", result.stderr


@pytest.mark.parametrize(
    ("script", "mode"),
    [(ATTACHED, None), (LOOP_THREAD, "attach"), (WORKER, "attach"), (INSTALLED_IN_WORKER, "attach"),
     (INSTALLED_IN_WORKER, "main")],
    ids=["attached", "loop-thread-attach", "worker-attach", "installed-in-worker-attach", "attached-in-main"],
)
def test_the_watcher_api_is_gone_on_314(script: Path, mode: str | None) -> None:
    """What ELP106 says of get_child_watcher(): AttributeError on 3.14 (the attach is 3.7's remedy)."""
    result = run(runtime_python("3.14"), script, *([mode] if mode else []))
    assert REMOVED in result.stderr, result.stderr
    assert "exit status" not in result.stdout
