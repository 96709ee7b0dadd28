"""ELP109 at run time: a sync facade whose lookup runs its loop misbehaves for a caller that has
set no loop, on the versions the message names, and the remedy the rule gives does not.

The library is fixtures/runtime/elp109_sync_facade.py; the caller is written here, since a caller
in the same module would be seen (ELP105's case). Each runs on every pyenv Python found, and on
CPython 3.14 where one is found (scripts/fetch_python314.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_runtime_elp101 import runtime_python
from tests.test_runtime_fixes import RUNTIME, run

VERSIONS = ["3.7", "3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "3.14"]
CALLS = {
    "function": "lib.answer_sync()",
    "kept": "lib.Client().answer()",
    "remedy": "lib.answer_with_asyncio_run()",
    "caller-sets-a-loop": "(asyncio.set_event_loop(asyncio.new_event_loop()), lib.answer_sync())[1]",
}


def _caller(directory: Path, shape: str) -> Path:
    program = directory / "caller.py"
    program.write_text(
        "import asyncio, sys\n"
        f"sys.path.insert(0, {str(RUNTIME)!r})\n"
        "import elp109_sync_facade as lib\n"
        f"print({CALLS[shape]})\n"
    )
    return program


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("shape", ["function", "kept"])
def test_elp109_lookups_warn_or_raise_for_a_caller_with_no_loop(version: str, shape: str, tmp_path: Path) -> None:
    python = runtime_python(version)
    result = run(python, _caller(tmp_path, shape), warnings="error::DeprecationWarning")
    if version in ("3.12", "3.13"):
        assert "DeprecationWarning: There is no current event loop" in result.stderr
    elif version == "3.14":
        # No warning first: under error::DeprecationWarning one would have been raised instead.
        assert result.stderr.rstrip().endswith(
            "RuntimeError: There is no current event loop in thread 'MainThread'."
        ), result.stderr
    else:
        assert result.returncode == 0, result.stderr
        assert result.stdout == "42\n"


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("shape", ["remedy", "caller-sets-a-loop"])
def test_elp109_remedy_and_a_caller_that_sets_a_loop_run_everywhere(version: str, shape: str, tmp_path: Path) -> None:
    python = runtime_python(version)
    result = run(python, _caller(tmp_path, shape), warnings="error")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "42\n"
