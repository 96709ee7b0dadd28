"""``fix --unsafe-fixes`` on CPython's own test_asyncio, then its tests, before and after.

Two copies of ``Lib/test/test_asyncio`` under the same package name in two directories; one is
fixed. Each changed module's tests run with the running interpreter in both copies (helpers
still come from the real ``test.test_asyncio``): no test that passed before the fix fails after.
"""

from __future__ import annotations

import filecmp
import re
import shutil
import subprocess
import sys
import sysconfig
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from flake8_asyncloop.rules import ALL_RULES

TEST_ASYNCIO = Path(sysconfig.get_paths()["stdlib"]) / "test" / "test_asyncio"
PACKAGE = "test_asyncio_copy"
# "test_name (package.module.Class.test_name) ... ok", as unittest -v prints each outcome.
OUTCOME = re.compile(
    r"^(\w+) \(([\w.]+)\)(?:\n.*?)? \.\.\. (ok|FAIL|ERROR|skipped.*|expected failure|unexpected success|hung)$",
    re.MULTILINE,
)
# In the default run, the changed modules with the most fixes in them; all with --long-reliability.
QUICK_MODULES = ("test_events", "test_base_events", "test_subprocess", "test_unix_events")

pytestmark = pytest.mark.skipif(not TEST_ASYNCIO.is_dir(), reason="this Python has no test_asyncio")


def _outcomes(root: Path, module: str, timeout: float) -> tuple[dict[str, str], float]:
    """Each test's outcome ("hung" for the one running at the timeout), and the seconds taken."""
    started = time.monotonic()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "unittest", "-v", f"{PACKAGE}.{module}"],
            cwd=root,
            capture_output=True,
            timeout=timeout,
        )
        output = result.stderr.decode(errors="replace")
    except subprocess.TimeoutExpired as expired:
        output = (expired.stderr or b"").decode(errors="replace") + "hung\n"  # after "test (where) ... "
    outcomes = {f"{name} ({where})": outcome for name, where, outcome in OUTCOME.findall(output)}
    if not outcomes and "SkipTest" in output:
        outcomes = {f"{module} (whole module)": "skipped"}  # Windows-only modules skip on import
    assert outcomes, output[-3000:]
    return outcomes, time.monotonic() - started


def _passes_alone(root: Path, test: str, attempts: int = 2) -> bool:
    """Whether ``test`` ("name (package.module.Class.name)") passes when run by itself."""
    dotted = test[test.index("(") + 1 : -1]
    for _ in range(attempts):
        result = subprocess.run(
            [sys.executable, "-m", "unittest", dotted], cwd=root, capture_output=True, timeout=300
        )
        if result.returncode == 0:
            return True
    return False


def _before_and_after(roots: dict[str, Path], module: str) -> tuple[dict[str, str], dict[str, str]]:
    # A fix that makes a test hang must fail this test, not stall the suite: the fixed copy
    # gets a few times what the unfixed one took.
    before, seconds = _outcomes(roots["unfixed"], module, timeout=600)
    after, _ = _outcomes(roots["fixed"], module, timeout=3 * seconds + 30)
    return before, after


def test_fixed_test_asyncio_passes_what_it_passed(tmp_path: Path, long_run: bool) -> None:
    copies = {side: tmp_path / side / PACKAGE for side in ("unfixed", "fixed")}
    for copy in copies.values():
        shutil.copytree(TEST_ASYNCIO, copy, ignore=shutil.ignore_patterns("__pycache__"))
    fix = subprocess.run(
        [sys.executable, "-m", "flake8_asyncloop", "fix", "--unsafe-fixes", "--quiet", "."],
        cwd=copies["fixed"],
        capture_output=True,
        text=True,
    )
    assert fix.returncode in (0, 1) and "Traceback" not in fix.stderr, fix.stderr
    changed = sorted(
        path.stem
        for path in copies["fixed"].glob("test_*.py")
        if not filecmp.cmp(path, copies["unfixed"] / path.name, shallow=False)
    )
    assert changed
    modules = changed if long_run else [module for module in changed if module in QUICK_MODULES]
    assert modules

    started = time.monotonic()
    roots = {side: copy.parent for side, copy in copies.items()}
    before: dict[str, str] = {}
    after: dict[str, str] = {}
    with ThreadPoolExecutor(max_workers=2) as pool:  # two modules at once
        for module_before, module_after in pool.map(lambda module: _before_and_after(roots, module), modules):
            before.update(module_before)
            after.update(module_after)
    passed_before = {test for test, outcome in before.items() if outcome == "ok"}
    passed_after = {test for test, outcome in after.items() if outcome == "ok"}
    print(
        f"{len(changed)} modules changed by the fix; ran {len(modules)} in {time.monotonic() - started:.0f} s: "
        f"{len(before)} tests, {len(passed_before)} passed before the fix, {len(passed_after)} after"
    )
    # Timing-sensitive tests of test_asyncio can fail once on a loaded machine: a regression
    # must fail again when run on its own, twice.
    # A test that fails on its own in the unfixed copy too depends on its neighbours or the
    # machine, not on the fix.
    regressions = [
        test
        for test in passed_before - passed_after
        if not _passes_alone(roots["fixed"], test) and _passes_alone(roots["unfixed"], test)
    ]
    # A test lost or renamed by the fix would count here too: it passed before and has no
    # outcome after. (Outcomes are parsed from unittest's output, where a test's own prints
    # can hide one: comparing the two sets would fail on that noise.)
    assert sorted(f"{test}: {after.get(test)}" for test in regressions) == []


def test_abstract_event_loop_is_not_made_a_real_loop() -> None:
    """The minimal reproducer: AbstractEventLoop() raises NotImplementedError from run_forever();
    new_event_loop() runs forever."""
    from flake8_asyncloop.engine.fixer import fix_source
    from flake8_asyncloop.engine.versions import parse_target_versions

    source = "import asyncio\nloop = asyncio.AbstractEventLoop()\nloop.run_forever()\n"
    assert fix_source(source, parse_target_versions(">=3.10"), ALL_RULES, unsafe=True).source == source
