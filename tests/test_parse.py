"""``libcst_private``: parsing without libcst's re-validation of its own parser's nodes, and only that.

The tree must equal libcst's validated parse on every fixture and on CPython's ``asyncio``, and
validation must be back for every node built afterwards (the fixes build nodes). When the check
at import fails, the engine takes libcst's public path, with the same diagnostics.
"""

from __future__ import annotations

import ast
import sysconfig
from pathlib import Path

import libcst as cst
import pytest

from flake8_asyncloop.engine import checker, libcst_private, process
from flake8_asyncloop.engine.versions import parse_target_versions
from flake8_asyncloop.rules import ALL_RULES
from tests.fixture_support import fixture_files, fixture_target, parses_here


def test_the_installed_libcst_validates_in_post_init_only() -> None:
    # When a libcst release changes __post_init__, parsing validates again: this says so.
    assert libcst_private.USABLE


def test_parse_without_validation_gives_libcst_s_tree() -> None:
    paths = [*fixture_files(), *sorted((Path(sysconfig.get_paths()["stdlib"]) / "asyncio").glob("*.py"))]
    for path in paths:
        code = path.read_text(encoding="utf-8")
        fast = process.run_deep(lambda: libcst_private.parse_module_unvalidated(code))
        assert fast.deep_equals(cst.parse_module(code)), path
        assert fast.code == code, path


def test_validation_is_back_after_parsing() -> None:
    libcst_private.parse_module_unvalidated("x = 1\n")
    with pytest.raises(cst.CSTValidationError):
        cst.Name("not a name")


def test_validation_is_back_after_a_syntax_error() -> None:
    with pytest.raises(cst.ParserSyntaxError):
        libcst_private.parse_module_unvalidated("x = (\n")
    with pytest.raises(cst.CSTValidationError):
        cst.Name("not a name")


def _all_diagnostics() -> list[object]:
    """Per fixture, the whole module's diagnostics with their fixes, and flake8's path's."""
    found: list[object] = []
    for path in filter(parses_here, fixture_files()):  # newer syntax than this Python: flake8 says E999
        source = path.read_text(encoding="utf-8")
        tree, targets = ast.parse(source), parse_target_versions(fixture_target(path))
        found += [path, checker.check_source(source, targets, ALL_RULES, tree=tree, fixes=True, process=process.OWNER)]
        found += [checker.check_focused(source, tree, targets, ALL_RULES, process=process.OWNER)]
    return found


def test_without_the_private_path_the_diagnostics_are_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    fast = _all_diagnostics()

    def must_not_run(node: cst.CSTNode) -> None:
        raise AssertionError("validation was switched off")

    # As when the check at import fails: __post_init__ is left alone, every node is validated.
    monkeypatch.setattr(libcst_private, "USABLE", False)
    monkeypatch.setattr(libcst_private, "_no_validation", must_not_run)
    assert _all_diagnostics() == fast
