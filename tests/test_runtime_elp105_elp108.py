"""ELP105 and ELP108 at run time: each program misbehaves before its fix and not after it.

The fixed programs are the runtime fixtures with their golden diffs (tests/golden/) applied, the
fixer's output; they run on every pyenv Python found, and on CPython 3.14 where one is found
(scripts/fetch_python314.py); tests skip the versions that are missing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_runtime_elp101 import runtime_python
from tests.test_runtime_fixes import RUNTIME, fixed_program, run

VERSIONS = ["3.7", "3.9", "3.11", "3.12", "3.13", "3.14"]
NO_LOOP = "RuntimeError: There is no current event loop in thread 'MainThread'"


@pytest.mark.parametrize("version", VERSIONS)
def test_elp105_get_event_loop_after_asyncio_run_raises_until_fixed(version: str, tmp_path: Path) -> None:
    python = runtime_python(version)
    before = run(python, RUNTIME / "elp105_after_run.py")
    assert NO_LOOP in before.stderr
    assert "second:" not in before.stdout
    after = run(python, fixed_program("elp105_after_run.py", tmp_path), warnings="error")
    assert after.returncode == 0, after.stderr
    assert after.stdout == "first: warm\nsecond: 42\n"


@pytest.mark.parametrize("version", ["3.7", "3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "3.14"])
@pytest.mark.parametrize("shape", ["main", "module"])
def test_elp105_script_lookups_warn_or_raise_until_fixed(version: str, shape: str, tmp_path: Path) -> None:
    """With nothing set, the lookup is a DeprecationWarning on 3.12-3.13 (an error here, as in test
    suites that turn warnings into errors), a RuntimeError on 3.14 with no warning before it, and
    silent before 3.12. The fixes, ``asyncio.run(answer())`` in main() and ``new_event_loop()`` plus
    ``set_event_loop()`` at module level, run the same on every version, without a warning."""
    python = runtime_python(version)
    before = run(python, RUNTIME / "elp105_script.py", shape, warnings="error::DeprecationWarning")
    if version in ("3.12", "3.13"):
        assert "DeprecationWarning: There is no current event loop" in before.stderr
    elif version == "3.14":
        assert before.stderr.rstrip().endswith(NO_LOOP + "."), before.stderr
        assert "Warning" not in before.stderr and before.stdout == ""
    else:
        assert before.returncode == 0, before.stderr
        assert before.stdout == f"{shape}: 42\n"
    after = run(python, fixed_program("elp105_script.py", tmp_path), shape, warnings="error")
    assert after.returncode == 0, after.stderr
    assert after.stdout == f"{shape}: 42\n"


@pytest.mark.parametrize("version", VERSIONS)
def test_asyncio_run_cannot_run_the_loops_future(version: str, tmp_path: Path) -> None:
    """Why ELP105 rewrites ``get_event_loop().run_until_complete(x)`` to ``asyncio.run(x)`` only when
    x calls an ``async def`` (fixtures/elp105_fix_shapes.py, ``run_a_future``): given a future of
    the looked-up loop, which run_until_complete() ran, asyncio.run() raises. Up to 3.13 it takes
    only a coroutine (ValueError); 3.14 takes any awaitable (gh-120284) and awaits the future in its
    own new loop, which fails as the future belongs to the other one (RuntimeError)."""
    python = runtime_python(version)
    program = tmp_path / "run_a_future.py"
    program.write_text(
        "import asyncio\n"
        "loop = asyncio.new_event_loop()\n"
        "done = loop.create_future()\n"
        "loop.call_soon(done.set_result, 42)\n"
        "print(loop.run_until_complete(done))\n"
        "asyncio.run(loop.create_future())\n"
    )
    result = run(python, program)
    assert result.stdout == "42\n"
    if version == "3.14":
        assert "got Future <Future pending> attached to a different loop" in result.stderr, result.stderr
    else:
        assert "ValueError: a coroutine was expected, got <Future pending" in result.stderr, result.stderr


@pytest.mark.parametrize("version", ["3.9", "3.10", "3.11", "3.12", "3.13", "3.14"])
def test_code_after_asyncio_coroutine_never_runs_where_the_lookup_would_warn(version: str, tmp_path: Path) -> None:
    """Why ELP105 leaves a module-level lookup after ``@asyncio.coroutine`` alone (F13 in
    docs/real-code-triage.md): from 3.11 the decorator raises AttributeError, so the lookup runs
    only on 3.9-3.10, where it neither warns nor raises."""
    python = runtime_python(version)
    program = tmp_path / "old_style.py"
    program.write_text(
        "import asyncio\n"
        "@asyncio.coroutine\n"
        "def old_style():\n"
        "    yield from asyncio.sleep(0)\n"
        "print(asyncio.get_event_loop().run_until_complete(old_style()))\n"
    )
    result = run(python, program, warnings="always")
    assert "There is no current event loop" not in result.stderr
    if version in ("3.9", "3.10"):
        assert result.returncode == 0 and result.stdout == "None\n", result.stderr
    else:
        assert "AttributeError: module 'asyncio' has no attribute 'coroutine'" in result.stderr


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("shape", ["direct", "helper", "policy", "fallback", "kept"])
def test_elp108_unclosed_loops_leak_until_fixed(version: str, shape: str, tmp_path: Path) -> None:
    """Each way of making a loop leaks it unclosed; the fix closes it, except for a parameter's
    fallback (``loop or new_event_loop()``) and a loop an object keeps, which have no fix and
    still leak after fixing."""
    python = runtime_python(version)
    before = run(python, RUNTIME / "elp108_unclosed.py", shape, warnings="always::ResourceWarning")
    assert "ResourceWarning: unclosed event loop" in before.stderr
    assert "descriptors still open after 20 runs: 0" not in before.stdout
    after = run(python, fixed_program("elp108_unclosed.py", tmp_path), shape, warnings="always::ResourceWarning")
    assert after.returncode == 0, after.stderr
    assert after.stdout.startswith("result: 42\n")
    if shape in ("fallback", "kept"):
        assert "ResourceWarning: unclosed event loop" in after.stderr
        return
    assert "unclosed event loop" not in after.stderr
    assert "descriptors still open after 20 runs: 0\n" in after.stdout
