"""The whole standard library of the running interpreter, as real code nobody here wrote."""

from __future__ import annotations

import sysconfig
from pathlib import Path

import pytest

from tests.fixture_support import run_flake8

STDLIB = Path(sysconfig.get_paths()["stdlib"])


# Every file of the standard library through flake8 and the plugin: tests/test_reliability_plugin.py.


@pytest.mark.skipif(not (STDLIB / "test" / "test_asyncio").is_dir(), reason="no test_asyncio here")
def test_flake8_on_asyncio_and_its_tests() -> None:
    """Every diagnostic here was read and judged (see docs/stdlib-triage.md); none is an ELP101 or
    ELP103 (no thread looks up a loop it lacks; no 3.7 subprocess loop goes unattached). The one
    ELP105 (3.10+) is test_events.py's lookup under a new DefaultEventLoopPolicy, which warns on
    3.12-3.13 and raises on 3.14 (CPython changed the test for each)."""
    found = run_flake8([STDLIB / "asyncio", STDLIB / "test" / "test_asyncio"], ">=3.8")
    codes = {code for diagnostics in found.values() for _, code in diagnostics}
    assert codes <= {"ELP100", "ELP104", "ELP105", "ELP106", "ELP107", "ELP108"}
    lookups = [path.name for path, diagnostics in found.items() for _, code in diagnostics if code == "ELP105"]
    assert lookups in ([], ["test_events.py"])
    # asyncio's own modules import each other relatively: nothing there resolves to the public API.
    assert not any(STDLIB / "asyncio" in path.parents for path in found)


@pytest.mark.skipif(not (STDLIB / "test" / "test_asyncio").is_dir(), reason="no test_asyncio here")
def test_fix_on_a_copy_of_asyncio_and_its_tests(tmp_path: Path) -> None:
    """``fix --unsafe-fixes`` on CPython's own asyncio code: everything still compiles, a second
    run is a no-op, and every changed test module still imports."""
    import filecmp
    import shutil
    import subprocess
    import sys

    copy = tmp_path / "copy"
    shutil.copytree(STDLIB / "asyncio", copy / "asyncio", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(
        STDLIB / "test" / "test_asyncio", copy / "test_asyncio", ignore=shutil.ignore_patterns("__pycache__")
    )
    command = [sys.executable, "-m", "flake8_asyncloop", "fix", "--unsafe-fixes", "--target-version", ">=3.8", "."]
    first = subprocess.run(command, cwd=copy, capture_output=True, text=True)
    assert first.returncode in (0, 1) and "Traceback" not in first.stderr, first.stderr

    def original(path: Path) -> Path:
        return STDLIB / ("test" if path.parts[-2] == "test_asyncio" else "") / path.relative_to(copy)

    changed = [path for path in sorted(copy.rglob("*.py")) if not filecmp.cmp(path, original(path), shallow=False)]
    assert changed, first.stderr
    for path in copy.rglob("*.py"):
        compile(path.read_bytes(), str(path), "exec")
    second = subprocess.run(command, cwd=copy, capture_output=True, text=True)
    assert ", 0 fixed," in second.stderr, second.stderr
    # The changed test modules import (they import their helpers as test.test_asyncio.*).
    modules = [path for path in changed if path.parts[-2] == "test_asyncio"]
    script = (
        "import importlib.util, sys, unittest\n"
        "for path in sys.argv[1:]:\n"
        "    spec = importlib.util.spec_from_file_location('fixed_' + path.rsplit('/', 1)[1][:-3], path)\n"
        "    try:\n"
        "        spec.loader.exec_module(importlib.util.module_from_spec(spec))\n"
        "    except unittest.SkipTest:\n"
        "        pass  # a platform-specific module (Windows only) skips itself on import\n"
        "print(len(sys.argv) - 1, 'imported')\n"
    )
    imported = subprocess.run([sys.executable, "-c", script, *map(str, modules)], capture_output=True, text=True)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout == f"{len(modules)} imported\n"
