"""The fixes, shown at run time: each program fails before the fix and works after it.

The fixed programs are the runtime fixtures with their golden diffs (tests/golden/) applied, the
fixer's output; here they are run next to the originals.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from flake8_asyncloop.engine.fixer import fix_source, reported
from flake8_asyncloop.engine.versions import parse_target_versions
from flake8_asyncloop.rules import ALL_RULES
from tests.fixture_support import FIXTURES
from tests.snapshot_support import fixed_text
from tests.test_runtime_elp101 import runtime_python

RUNTIME = FIXTURES / "runtime"


def fixed_program(name: str, directory: Path) -> Path:
    """The runtime fixture ``name`` as the fixer leaves it (its golden diff applied), in ``directory``."""
    program = directory / name
    program.write_bytes(fixed_text(RUNTIME / name).encode("utf-8"))
    return program


def run(python: str, program: Path, *args: str, warnings: str = "ignore") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [python, "-I", "-W", warnings, str(program), *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=program.parent,
    )


def _python(version: str) -> str:
    """The interpreter running the tests ("running"), or CPython ``version`` (skipped without one)."""
    return sys.executable if version == "running" else runtime_python(version)


@pytest.mark.parametrize("version", ["running", "3.14"])
def test_elp101_fix_gives_the_thread_a_loop_that_works(version: str, tmp_path: Path) -> None:
    python = _python(version)
    before = run(python, RUNTIME / "elp101_thread_lookup.py")
    assert "RuntimeError: There is no current event loop in thread 'elp101-worker'" in before.stderr
    assert "job done" not in before.stdout
    after = run(python, fixed_program("elp101_thread_lookup.py", tmp_path))
    assert after.returncode == 0, after.stderr
    assert after.stdout == "job done\nmain finished\n" and after.stderr == ""


@pytest.mark.parametrize("version", ["running", "3.14"])
def test_elp102_fix_makes_the_lookups_see_the_loop(version: str, tmp_path: Path) -> None:
    python = _python(version)
    before = run(python, RUNTIME / "elp102_not_installed.py")
    # Up to 3.13 the main thread's lookup hands back another loop; 3.14 raises instead.
    raises = version == "3.14" or sys.version_info >= (3, 14)
    assert ("main: get_event_loop() raised RuntimeError" if raises else "main: get_event_loop() is loop -> False") in (
        before.stdout
    )
    after = run(python, fixed_program("elp102_not_installed.py", tmp_path), warnings="error")
    assert after.returncode == 0, after.stderr
    assert "get_event_loop() is loop -> False" not in after.stdout and "raised" not in after.stdout
    assert "is loop -> True" in after.stdout


@pytest.mark.parametrize("version", ["3.7", "3.9", "3.11", "3.12", "3.13", "3.14"])
def test_elp104_fix_in_a_helper_run_inside_the_loop_changes_nothing(version: str, tmp_path: Path) -> None:
    """get_running_loop() in a private function that only coroutines call returns what
    get_event_loop() did: the same output, and no warning, before and after."""
    python = runtime_python(version)
    before = run(python, RUNTIME / "elp104_sync_helper.py", warnings="error")
    after = run(python, fixed_program("elp104_sync_helper.py", tmp_path), warnings="error")
    assert before.returncode == after.returncode == 0, (before.stderr, after.stderr)
    assert before.stdout == after.stdout == "same loop: True\ndeadline ok: True\n"
    assert "get_running_loop" in (tmp_path / "elp104_sync_helper.py").read_text()


@pytest.mark.parametrize("version", ["3.7", "3.8", "3.12", "3.14"])
def test_elp103_fixes_run_subprocesses_on_every_version(version: str, tmp_path: Path) -> None:
    """On 3.7 the fix is what makes it work; elsewhere it must change nothing (no warning, and on
    3.14, where the child-watcher API is gone, no AttributeError: the fix's call is guarded)."""
    python = runtime_python(version)
    programs = {"elp103_unattached_loop.py": (), "elp103_installed_in_worker.py": ("install",)}
    for name, args in programs.items():
        before = run(python, RUNTIME / name, *args)
        after = run(python, fixed_program(name, tmp_path), *args, warnings="error::DeprecationWarning")
        if version == "3.7":
            assert "Cannot add child handler" in before.stdout + before.stderr, name
        assert after.returncode == 0, (name, after.stdout, after.stderr)
        assert "Cannot add child handler" not in after.stdout + after.stderr


@pytest.mark.parametrize("version", ["3.8", "3.9", "3.10", "3.11", "3.12", "3.13"])
def test_elp106_deleting_the_attach_changes_nothing_on_38_and_later(version: str, tmp_path: Path) -> None:
    """The attach alone in an if body and a watcher kept in a name only to attach: deleted (the
    if with it), the program prints the same, and on 3.12-3.13 no longer warns."""
    python = runtime_python(version)
    name = "elp106_attach_shapes.py"
    fixed = fixed_program(name, tmp_path)
    assert "get_child_watcher" not in fixed.read_text() and "if sys.platform" not in fixed.read_text()
    before = run(python, RUNTIME / name)
    after = run(python, fixed, warnings="error::DeprecationWarning")
    assert before.returncode == after.returncode == 0, (before.stderr, after.stderr)
    assert before.stdout == after.stdout == "attaching\nexit status 0\n"
    strict = run(python, RUNTIME / name, warnings="error::DeprecationWarning")
    assert (strict.returncode != 0) == (version in ("3.12", "3.13")), strict.stderr


@pytest.mark.parametrize("version", ["3.8", "3.9", "3.11", "3.12", "3.13"])
def test_elp106_an_installed_watcher_keeps_its_attach(version: str, tmp_path: Path) -> None:
    """SafeChildWatcher installed and attached in one function (pyshark's shape): no fix, safe
    or unsafe, deletes the attach, without which no subprocess starts on 3.8-3.13; the advice,
    both under ``sys.version_info < (3, 12)``, works on each and no longer warns on 3.12-3.13."""
    python = runtime_python(version)
    name = "elp106_attach_installed_watcher.py"
    source = (RUNTIME / name).read_text()
    assert fix_source(source, parse_target_versions(">=3.8"), ALL_RULES, unsafe=True).applied == 0
    before = run(python, RUNTIME / name)
    assert before.returncode == 0 and before.stdout == "exit status 0\n", before.stderr
    install = "    asyncio.set_child_watcher(asyncio.SafeChildWatcher())  # error: ELP106, ELP106\n"
    attach = "    asyncio.get_child_watcher().attach_loop(loop)  # error: ELP106\n"
    assert install + attach in source
    deleted = tmp_path / "deleted.py"
    deleted.write_text(source.replace(attach, ""))
    without = run(python, deleted)
    assert "get_child_watcher() is not activated" in without.stderr, without.stderr
    guarded = tmp_path / "guarded.py"
    under_guard = "    if sys.version_info < (3, 12):\n    " + install + "    " + attach
    guarded.write_text(source.replace(install + attach, under_guard))
    advised = run(python, guarded, warnings="error::DeprecationWarning")
    assert advised.returncode == 0 and advised.stdout == "exit status 0\n", advised.stderr


def test_elp106_an_attach_where_another_function_installs_a_watcher_is_fixed_only_on_request() -> None:
    """The attach may be of the watcher installed elsewhere in the module, which needs it on
    3.8-3.13 (the test above): putting it under ``sys.version_info < (3, 8)`` is unsafe."""
    source = (
        "import asyncio\n\n\n"
        "def install():\n    asyncio.set_child_watcher(asyncio.SafeChildWatcher())\n\n\n"
        "def attach(loop):\n    asyncio.get_child_watcher().attach_loop(loop)\n"
    )
    targets = parse_target_versions(">=3.7")
    attach = [d for d in reported(source, targets, ALL_RULES, fixes=True) if d.line == 9]
    assert [(d.fix.description, d.fix.safe) for d in attach if d.fix is not None] == [
        ("Run it only before Python 3.8", False)
    ]
    assert fix_source(source, targets, ALL_RULES).applied == 0
    assert "version_info < (3, 8)" in fix_source(source, targets, ALL_RULES, unsafe=True).source


@pytest.mark.parametrize("version", ["3.7", "3.8", "3.11", "3.12", "3.13"])
def test_elp106_guarding_a_watcher_kept_in_a_name_keeps_37_working(version: str, tmp_path: Path) -> None:
    """Where 3.7 is a target the watcher kept in a name and its attach go under a version guard
    together: 3.7, whose loop is not installed, still gets it attached (without it, starting the
    subprocess fails there); later versions skip it and do not warn."""
    python = runtime_python(version)
    name = "elp106_attach_by_name.py"
    before = run(python, RUNTIME / name)
    after = run(python, fixed_program(name, tmp_path), warnings="error::DeprecationWarning")
    assert before.returncode == after.returncode == 0, (before.stderr, after.stderr)
    assert before.stdout == after.stdout == "exit status 0\n"
    deleted = tmp_path / "deleted.py"
    source = (RUNTIME / name).read_text()
    attach = "    watcher = asyncio.get_child_watcher()  # error: ELP106\n    watcher.attach_loop(loop)\n"
    assert attach in source
    deleted.write_text(source.replace(attach, ""))
    without = run(python, deleted)
    assert ("Cannot add child handler" in without.stderr) == (version == "3.7"), without.stderr
