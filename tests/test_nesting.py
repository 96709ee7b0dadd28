"""Every Python analyses the same files: what CPython 3.11's parser refuses for its nesting is
refused on 3.9 and 3.10 too, whose parser builds such trees (engine/nesting.py)."""

from __future__ import annotations

import ast
import sys

import pytest

from flake8_asyncloop.engine.checker import check_focused, check_source
from flake8_asyncloop.engine.nesting import DEEPEST_TREE, beyond_parser_limits
from flake8_asyncloop.engine.process import OWNER
from flake8_asyncloop.engine.versions import parse_target_versions
from flake8_asyncloop.rules import ALL_RULES

LOOP_CODE = "import asyncio\nloop = asyncio.SelectorEventLoop()\n"
DEEP = {
    "calls": lambda depth: f"x = asyncio.get_event_loop{'()' * depth}\n",
    "attributes": lambda depth: f"x = loop{'.a' * depth}\n",
    "operators": lambda depth: f"x = {' + '.join(['loop'] * depth)}\n",
}


@pytest.mark.parametrize("form", sorted(DEEP))
def test_deeper_than_311_accepts_is_refused_everywhere(form: str) -> None:
    source = LOOP_CODE + DEEP[form](10_000)
    try:
        tree = ast.parse(source)
    except (RecursionError, MemoryError, SyntaxError):
        assert sys.version_info >= (3, 11), "3.9 and 3.10 build this tree"
        return
    assert beyond_parser_limits(tree)
    targets = parse_target_versions(">=3.7")
    # Without the bound, libcst would take minutes here.
    assert check_source(source, targets, ALL_RULES) == [] and check_focused(source, tree, targets, ALL_RULES) == []


def test_what_311_accepts_is_analysed() -> None:
    source = LOOP_CODE + DEEP["calls"](DEEPEST_TREE - 1000)
    tree = ast.parse(source)
    assert not beyond_parser_limits(tree)
    # As the plugin runs it: the deep run (a guest's stack and recursion limit stop sooner).
    found = check_focused(source, tree, parse_target_versions(">=3.7"), ALL_RULES, process=OWNER)
    codes = {diagnostic.code for diagnostic in found}
    assert "ELP100" in codes
