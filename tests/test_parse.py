"""``checker.parse_module`` skips libcst's re-validation of its own parser's nodes, and only that.

The tree must equal libcst's validated parse on every fixture and on CPython's ``asyncio``, and
validation must be back for every node built afterwards (the fixes build nodes).
"""

from __future__ import annotations

import sysconfig
from pathlib import Path

import libcst as cst
import pytest

from flake8_asyncloop.engine import checker
from tests.fixture_support import fixture_files


def test_the_installed_libcst_validates_in_post_init_only() -> None:
    # When a libcst release changes __post_init__, parsing validates again: this says so.
    assert checker.CAN_SKIP_VALIDATION


def test_parse_without_validation_gives_libcst_s_tree() -> None:
    paths = [*fixture_files(), *sorted((Path(sysconfig.get_paths()["stdlib"]) / "asyncio").glob("*.py"))]
    for path in paths:
        code = path.read_text(encoding="utf-8")
        fast = checker.run_deep(lambda: checker.parse_module(code))
        assert fast.deep_equals(cst.parse_module(code)), path
        assert fast.code == code, path


def test_validation_is_back_after_parsing() -> None:
    checker.run_deep(lambda: checker.parse_module("x = 1\n"))
    with pytest.raises(cst.CSTValidationError):
        cst.Name("not a name")


def test_validation_is_back_after_a_syntax_error() -> None:
    with pytest.raises(cst.ParserSyntaxError):
        checker.run_deep(lambda: checker.parse_module("x = (\n"))
    with pytest.raises(cst.CSTValidationError):
        cst.Name("not a name")
