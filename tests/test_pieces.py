"""libcst parses flake8's focused code in pieces (``engine/pieces.py``): put together, they are
the focused code exactly, and the diagnostics do not change.

Every test here cuts at every place ``focus.py`` allows (pieces of one character or more), so
each fixture and each module of CPython's ``asyncio`` and ``test_asyncio`` is put together from
as many pieces as it can be.
"""

from __future__ import annotations

import ast
import sysconfig
from pathlib import Path
from typing import Callable

import libcst as cst
import pytest

from flake8_asyncloop.engine import checker, pieces
from flake8_asyncloop.engine.checker import check_focused, reads_of
from flake8_asyncloop.engine.focus import Focused, focus
from flake8_asyncloop.engine.versions import parse_target_versions
from flake8_asyncloop.rules import ALL_RULES
from tests.fixture_support import fixture_files, fixture_target, parses_here

STDLIB = Path(sysconfig.get_paths()["stdlib"])
ALL_READS = reads_of(ALL_RULES)


def _focused(source: str) -> Focused:
    found = focus(source, ast.parse(source), ALL_READS)
    assert found is not None
    return found


def _recording() -> tuple[list[str], Callable[[str], cst.Module]]:
    parsed: list[str] = []

    def parse(code: str) -> cst.Module:
        parsed.append(code)
        return cst.parse_module(code)

    return parsed, parse


def _put_together(focused: Focused) -> tuple[cst.Module, list[str]]:
    parsed, parse = _recording()
    return pieces.parse_focused(focused, parse, piece_characters=1), parsed


def _corpus() -> list[Path]:
    stdlib = [*(STDLIB / "asyncio").rglob("*.py"), *(STDLIB / "test" / "test_asyncio").rglob("*.py")]
    return [*fixture_files(), *sorted(stdlib)]


def test_every_module_cut_everywhere_is_its_focused_code() -> None:
    differ, parsed_whole, cut = [], [], 0
    for path in _corpus():
        try:
            source = path.read_text(encoding="utf-8")
            tree = ast.parse(source)
        except (SyntaxError, UnicodeDecodeError, ValueError):
            continue  # flake8 runs no plugin on it
        focused = focus(source, tree, ALL_READS)
        if focused is None or len(focused.cuts) < 2 or "\f" in focused.code:
            continue
        try:
            module, parsed = _put_together(focused)
        except cst.ParserSyntaxError:
            continue  # syntax this libcst does not parse: flake8's path reports nothing on it either
        cut += 1
        if module.code != focused.code or not module.deep_equals(cst.parse_module(focused.code)):
            differ.append(path)  # flake8's path sees the tree a single parse makes
        if parsed[-1] == focused.code:
            parsed_whole.append(path)  # the pieces did not fit together
    assert cut > 100
    assert differ == []
    assert parsed_whole == []


def test_fixtures_cut_everywhere_give_the_same_diagnostics(monkeypatch: pytest.MonkeyPatch) -> None:
    """flake8's path with every fixture cut at every place gives what it gives parsed whole."""
    paths = [path for path in fixture_files() if parses_here(path)]
    whole = {path: _diagnostics(path) for path in paths}
    monkeypatch.setattr(pieces, "PIECE_CHARACTERS", 1)
    monkeypatch.setattr(checker, "parse_focused", _cut_everywhere)
    cut = {path: _diagnostics(path) for path in paths}
    assert {path: found for path, found in cut.items() if found != whole[path]} == {}
    assert sum(map(len, whole.values())) > 100


def _diagnostics(path: Path) -> list[tuple[int, int, str, str, object]]:
    text = path.read_text(encoding="utf-8")
    targets = parse_target_versions(fixture_target(path))
    found = check_focused(text, ast.parse(text), targets, ALL_RULES, path=str(path))
    return [(d.line, d.column, d.code, d.message, d.end) for d in found]


def _cut_everywhere(focused: Focused, parse: Callable[[str], cst.Module]) -> cst.Module:
    return pieces.parse_focused(focused, parse, piece_characters=1)


# Layouts that put lines where a piece could lose them: comments at every depth between
# statements and at the end, decorators, a class that ends the file or a piece, statements
# sharing a line, no final line break.
LAYOUTS = {
    "comments": (
        "import asyncio\n# leading\n\n\nclass A:\n    # before the first\n    def f(self):\n        pass\n"
        "        # deep, after f\n    # between\n\n# at column 0 inside the class\n    @staticmethod\n"
        "    def g():\n        asyncio.set_event_loop(None)\n    # end of A\n# after A\n\n\n"
        "def h():\n    loop = asyncio.new_event_loop()\n    # end of h\n\n# end of file\n"
    ),
    "class ends the file": (
        "import asyncio\nclass A:\n    def f(self):\n        self.loop = asyncio.new_event_loop()\n"
        "    def g(self):\n        self.loop.run_forever()\n        # trailing"
    ),
    "class and its comments end the file": (
        "import asyncio\nclass A:\n    def f(self):\n        self.loop = asyncio.new_event_loop()\n"
        "    def g(self):\n        self.loop.run_forever()\n    # the class's last line\n# the module's\n"
    ),
    "shared lines": (
        "import asyncio; import sys\nclass A:\n    x = 1; y = asyncio.new_event_loop()\n    def f(self): pass\n"
    ),
    "crlf": "import asyncio\r\nclass A:\r\n    def f(self):\r\n        asyncio.new_event_loop()\r\n\r\n"
    "    def g(self):\r\n        pass\r\nasyncio.set_event_loop(None)\r\n",
    "tabs": "import asyncio\nclass A:\n\tdef f(self):\n\t\tasyncio.new_event_loop()\n\tdef g(self):\n\t\tpass\nx = 1\n",
    "two spaces": "import asyncio\nx = 1\nclass A:\n  def f(self):\n    asyncio.new_event_loop()\n  def g(self):\n"
    "    pass\ny = 2\n",
    "nested class": (
        "import asyncio\nclass A:\n    class B:\n        def f(self):\n            asyncio.new_event_loop()\n"
        "    def g(self):\n        asyncio.set_event_loop(None)\nif __name__ == '__main__':\n    A()\n"
    ),
}


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_layouts_cut_everywhere_are_their_focused_code(name: str) -> None:
    focused = _focused(LAYOUTS[name])
    module, parsed = _put_together(focused)
    assert module.code == focused.code
    assert module.code == cst.parse_module(focused.code).code


def test_pieces_fit_together_or_the_code_is_parsed_whole() -> None:
    """Where each piece is parsed inside the class it continues, but the pieces were written
    with other indentation than the first (a piece with no block at all infers four spaces),
    putting them together could write a block wrongly: the code is parsed whole instead."""
    focused = _focused(LAYOUTS["tabs"])
    module, parsed = _put_together(focused)
    assert module.code == focused.code
    assert parsed[-1] == focused.code
    assert len(parsed) > 1


def test_the_dense_modules_are_cut_into_pieces() -> None:
    """What the pieces are for: the large test modules are parsed in several pieces, each far
    smaller than the whole."""
    source = (STDLIB / "test" / "test_asyncio" / "test_base_events.py").read_text(encoding="utf-8")
    focused = _focused(source)
    parsed, parse = _recording()
    module = pieces.parse_focused(focused, parse)
    assert module.code == focused.code
    assert len(parsed) > 5
    assert max(map(len, parsed)) < len(focused.code) / 4


# The adapters that read whole modules (fixes, the command, the language server) parse them in
# pieces too (``pieces.parse_whole``): the tree must be libcst's own, node for node, since fixes
# replace its nodes and regenerate the code.
LARGE_TEST_MODULES = (
    "test_events.py", "test_base_events.py", "test_tasks.py", "test_unix_events.py", "test_streams.py"
)


def _parsed_whole_everywhere(source: str) -> cst.Module:
    return pieces.parse_whole(source, ast.parse(source), cst.parse_module, piece_characters=1)


def test_fixtures_and_layouts_parsed_whole_in_pieces_are_libcst_s_tree() -> None:
    sources = [path.read_text(encoding="utf-8") for path in fixture_files() if parses_here(path)]
    sources += list(LAYOUTS.values())
    differ = [
        source[:60] for source in sources if not _parsed_whole_everywhere(source).deep_equals(cst.parse_module(source))
    ]
    assert differ == []
    assert len(sources) > 50


@pytest.mark.parametrize("name", LARGE_TEST_MODULES)
def test_large_modules_parsed_whole_in_pieces_are_libcst_s_tree(name: str) -> None:
    source = (STDLIB / "test" / "test_asyncio" / name).read_text(encoding="utf-8")
    parsed, parse = _recording()
    module = pieces.parse_whole(source, ast.parse(source), parse)
    assert len(parsed) > 10
    assert module.deep_equals(cst.parse_module(source))


def test_blank_lines_indented_before_the_first_statement_still_allow_pieces() -> None:
    """No block precedes the first statement: lines before it never stop the cut at 0, without
    which the module would be parsed whole."""
    source = "    \n    # an indented comment\n" + (STDLIB / "test" / "test_asyncio" / "test_unix_events.py").read_text(
        encoding="utf-8"
    )
    parsed, parse = _recording()
    module = pieces.parse_whole(source, ast.parse(source), parse)
    assert len(parsed) > 10
    assert module.deep_equals(cst.parse_module(source))
