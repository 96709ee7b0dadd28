"""The whole standard library of the running interpreter, as real code nobody here wrote."""

from __future__ import annotations

import sysconfig
import tokenize
from pathlib import Path

import pytest

from flake8_asyncloop.engine.checker import check_source
from flake8_asyncloop.engine.versions import parse_target_versions
from tests.fixture_support import run_flake8

STDLIB = Path(sysconfig.get_paths()["stdlib"])


def _python_files() -> list[Path]:
    return sorted(p for p in STDLIB.rglob("*.py") if "site-packages" not in p.parts)


def test_engine_never_raises_on_the_standard_library() -> None:
    """Every file, straight into the engine (no flake8 in between to catch anything)."""
    checked = 0
    for path in _python_files():
        try:
            with tokenize.open(path) as stream:
                source = stream.read()
        except (SyntaxError, UnicodeDecodeError, OSError):
            continue  # deliberately broken test files: flake8 reports E902/E999 for them
        check_source(source, parse_target_versions(">=3.7"))
        checked += 1
    assert checked > 1000


@pytest.mark.skipif(not (STDLIB / "test" / "test_asyncio").is_dir(), reason="no test_asyncio here")
def test_flake8_on_asyncio_and_its_tests() -> None:
    """Every diagnostic here was read and judged (see docs/stdlib-triage.md); none is an ELP101."""
    found = run_flake8([STDLIB / "asyncio", STDLIB / "test" / "test_asyncio"], ">=3.8")
    codes = {code for diagnostics in found.values() for _, code in diagnostics}
    assert codes <= {"ELP100", "ELP102"}
    # asyncio's own modules import each other relatively: nothing there resolves to the public API.
    assert not any(STDLIB / "asyncio" in path.parents for path in found)
