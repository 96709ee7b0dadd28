"""Call positions from CPython's parser agree with libcst's PositionProvider, call by call.

``ModuleAnalysis`` takes where calls start and end from ``ast`` (many times cheaper than
PositionProvider over the whole module); every diagnostic and most fix edits use them. This
compares both for every unparenthesized call of the fixtures and of CPython's ``asyncio``,
including non-ASCII lines, where CPython counts bytes and libcst characters.
"""

from __future__ import annotations

import sysconfig
from pathlib import Path

import libcst as cst
import pytest

from flake8_asyncloop.engine.analysis import ModuleAnalysis
from flake8_asyncloop.engine.versions import parse_target_versions
from tests.fixture_support import fixture_files

STDLIB_ASYNCIO = Path(sysconfig.get_paths()["stdlib"]) / "asyncio"
NON_ASCII = (
    "import asyncio\n"
    "naïve = 'ünïcödé'; loop = asyncio.new_event_loop()  # 🎉\n"
    "text = '\u2028'; asyncio.get_event_loop().run_until_complete(f(\n"
    "    'é'))\n"
)


def _spans_agree(source: str) -> int:
    module = cst.parse_module(source)
    targets = parse_target_versions(">=3.7")
    fast, slow = ModuleAnalysis(module, targets, source=source), ModuleAnalysis(module, targets)
    calls = [call for call in fast.index.calls_in_source_order if not call.lpar]
    assert [fast.span(call) for call in calls] == [slow.span(call) for call in calls]
    # Class statements (ELP106 and ELP107 report subclasses there) come from CPython's tree too,
    # and their diagnostics end where the name does, read on the class line.
    classes = list(fast.index.classes)
    assert [fast.position(node) for node in classes] == [slow.span(node)[0] for node in classes]
    assert [fast.extent(node) for node in classes] == [
        (slow.span(node)[0], slow.span(node.name)[1]) for node in classes
    ]
    assert [slow.extent(node) for node in classes] == [fast.extent(node) for node in classes]
    return len(calls)


def test_non_ascii_lines() -> None:
    assert _spans_agree(NON_ASCII) == 4


def test_decorated_nested_and_non_ascii_classes() -> None:
    _spans_agree(
        "import asyncio\n@decorate\nclass Policy(asyncio.DefaultEventLoopPolicy):\n"
        "    class Inner:\n        pass\nx = 'é'; y = 1\nclass Après: pass\n"
        "class \\\n  Continued: pass\nclass  Spaced  (Policy): pass\nclass Policy2(Policy): pass\n"
    )


@pytest.mark.parametrize("path", fixture_files(), ids=lambda p: p.name)
def test_fixtures(path: Path) -> None:
    _spans_agree(path.read_text(encoding="utf-8"))


@pytest.mark.skipif(not STDLIB_ASYNCIO.is_dir(), reason="no asyncio sources here")
def test_stdlib_asyncio() -> None:
    assert sum(_spans_agree(path.read_text(encoding="utf-8")) for path in sorted(STDLIB_ASYNCIO.glob("*.py"))) > 1000
