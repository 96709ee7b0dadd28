"""The plugin never raises inside flake8, whatever the file: the whole standard library and
every class of hostile input, read by flake8's own file reader and handed over as flake8 does."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Callable

import pytest
from flake8.checker import FileChecker
from flake8.options.parse_args import parse_args
from flake8.plugins.finder import Checkers

from flake8_asyncloop.plugin import AsyncLoopChecker

STDLIB = Path(sysconfig.get_paths()["stdlib"])
LOOP_CODE = "import asyncio\nloop = asyncio.SelectorEventLoop()\n"
# Generated and deliberately odd code makes CPython's compiler warn (invalid escapes, "1()").
pytestmark = [
    pytest.mark.filterwarnings("ignore::SyntaxWarning"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]


def _stdlib_files() -> list[Path]:
    return sorted(path for path in STDLIB.rglob("*.py") if "site-packages" not in path.parts)


def _run_like_flake8(path: Path) -> list[tuple[str, int, int]]:
    """(code, line, column) of what flake8 reports on ``path`` with only this plugin loaded.

    flake8's FileChecker reads the file (its encoding fallbacks, E902 for unreadable files),
    builds the tree and runs the plugin, re-raising whatever it raises; only the token-based
    checks of the other plugins are left out, which is where flake8 spends its time."""
    checker = FileChecker(filename=str(path), plugins=_ONLY_THIS_PLUGIN, options=_OPTIONS)
    if checker.processor is not None:
        try:
            checker.processor.build_ast()
        except (RecursionError, MemoryError, ValueError):
            # flake8 7 itself stops with a traceback here, before any plugin runs (its run_checks
            # catches SyntaxError only); the plugin gets such files without a tree in the test below.
            # ValueError: null bytes before Python 3.11.4, a SyntaxError since.
            return [("flake8 cannot build a tree", 0, 0)]
        except SyntaxError:
            pass  # reported as E999 just below, by run_ast_checks
        try:
            checker.run_ast_checks()
        except SyntaxError as error:  # flake8 turns these into E999, as run_checks does
            checker.report("E999", 1, 0, f"SyntaxError: {error}")
    return [(code, line, column) for code, line, column, _, _ in checker.results]


_PLUGINS, _OPTIONS = parse_args(["--select", "ELP,E9"])
_ONLY_THIS_PLUGIN = Checkers(
    tree=[plugin for plugin in _PLUGINS.checkers.tree if plugin.plugin.package == "flake8-asyncloop"],
    logical_line=[],
    physical_line=[],
)


def test_the_plugin_is_what_runs() -> None:
    assert [plugin.obj for plugin in _ONLY_THIS_PLUGIN.tree] == [AsyncLoopChecker]


def test_every_file_of_the_standard_library() -> None:
    """All of Lib/, test/ and its deliberately broken files included (FLAKE8_ASYNCLOOP_RAISE_INTERNAL_ERRORS
    makes any internal error fail here instead of being logged)."""
    files = _stdlib_files()
    assert len(files) > 1000
    codes: dict[str, int] = {}
    for path in files:
        for code, _, _ in _run_like_flake8(path):
            codes[code] = codes.get(code, 0) + 1
    assert any(code.startswith("ELP") for code in codes)
    assert set(codes) <= {"E902", "E999"} | {code for code in codes if code.startswith("ELP")}


@pytest.mark.long
def test_real_flake8_on_the_whole_standard_library() -> None:
    """The same, through the real command with every plugin flake8 has (minutes)."""
    result = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "ELP,E9", "--exclude", "site-packages", "-j", "2", str(STDLIB)],
        capture_output=True,
        text=True,
        errors="replace",
    )
    assert result.returncode == 1 and "ELP1" in result.stdout, result.stderr[-2000:]
    assert not result.stderr, result.stderr[-2000:]


def _deep(depth: int) -> dict[str, str]:
    """Nesting ``depth`` deep, in every form the grammar allows."""
    return {
        "parentheses": f"x = {'(' * depth}loop{')' * depth}\n",
        "not": f"x = {'not ' * depth}loop\n",
        "unary-minus": f"x = {'-' * depth}1\n",
        "binary-operators": f"x = {' + '.join(['loop'] * depth)}\n",
        "attributes": f"x = loop{'.a' * depth}\n",
        "calls": f"x = asyncio.get_event_loop{'()' * depth}\n",
        "lambdas": f"x = {'lambda: ' * depth}asyncio.get_event_loop()\n",
        "elif-chain": "if x == 0:\n    pass\n"
        + "".join(f"elif x == {n}:\n    asyncio.SelectorEventLoop()\n" for n in range(1, depth)),
    }


PYTHON2 = {
    "print-statement": b"import asyncio\nprint 'hello', asyncio.get_event_loop()\n",
    "except-comma": b"import asyncio\ntry:\n    asyncio.get_event_loop()\nexcept RuntimeError, error:\n    pass\n",
    "backticks-exec": b"import asyncio\nx = `asyncio.get_event_loop()`\nexec 'print 1'\n",
    "octal-long-ur": b"import asyncio\nx = 0777 + 10L\ny = ur'text'\nloop = asyncio.SelectorEventLoop()\n",
    "tabs-and-spaces": b"import asyncio\nif True:\n        x = 1\n\ty = asyncio.SelectorEventLoop()\n",
}

HOSTILE: dict[str, Callable[[], bytes]] = {
    "empty": lambda: b"",
    "only-a-bom": lambda: b"\xef\xbb\xbf",
    "only-comments": lambda: b"# asyncio.get_event_loop()\n" * 10,
    "syntax-error": lambda: LOOP_CODE.encode() + b"def f(:\n",
    "unterminated-string": lambda: LOOP_CODE.encode() + b"x = '''never closed\n",
    "null-bytes": lambda: LOOP_CODE.encode() + b"x = 1\x00\x00\n",
    "undecodable-utf8": lambda: LOOP_CODE.encode() + b"x = '\xff\xfe\xc3'\n",
    "wrong-cookie-ascii": lambda: b"# -*- coding: ascii -*-\n" + LOOP_CODE.encode() + "x = 'é'\n".encode(),
    "unknown-cookie": lambda: b"# coding: uft-8\n" + LOOP_CODE.encode(),
    "bom-and-latin1-cookie": lambda: b"\xef\xbb\xbf# coding: latin-1\n" + LOOP_CODE.encode(),
    "latin1-cookie": lambda: b"# -*- coding: latin-1 -*-\n" + LOOP_CODE.encode() + b"x = 'caf\xe9'\n",
    "utf16-with-bom": lambda: ("\ufeff" + LOOP_CODE).encode("utf-16"),
    "bom-crlf": lambda: b"\xef\xbb\xbf" + LOOP_CODE.replace("\n", "\r\n").encode(),
    "cr-only": lambda: LOOP_CODE.replace("\n", "\r").encode(),
    "mixed-line-endings": lambda: b"import asyncio\r\nx = 1\rloop = asyncio.SelectorEventLoop()\nloop.close()\r\n",
    "no-final-newline": lambda: LOOP_CODE.rstrip("\n").encode(),
    "tabs": lambda: b"import asyncio\nclass A:\n\tdef f(self):\n\t\tloop = asyncio.new_event_loop()\n\t\tloop.close()\n"
    b"\tdef g(self):\n\t    \tpass\n",
    "form-feeds": lambda: b"import asyncio\n\x0c\n\x0cdef f():\n\x0c    loop = asyncio.SelectorEventLoop()\n"
    b"\x0cx = \x0c asyncio.SelectorEventLoop()\n",
    "control-characters": lambda: LOOP_CODE.encode() + b"x = '\x01\x1b[31m\x7f'\n\x0b\n",
    "unicode-identifiers": lambda: "import asyncio\nпетля = asyncio.SelectorEventLoop()\nループ = 1\n".encode(),
    "surrogate-escapes": lambda: LOOP_CODE.encode() + b"x = '\\ud800'\n",
    "very-long-line": lambda: LOOP_CODE.encode() + b"x = [" + b"1, " * 30_000 + b"]\n",
    # libcst needs about a second per 5,000 lines here: the 100,000-line files are in the long run.
    "20k-lines": lambda: (LOOP_CODE + "loop.run_forever()\n" * 20_000).encode(),
    **{f"python2-{name}": (lambda source=source: source) for name, source in PYTHON2.items()},
    **{
        f"10k-deep-{name}": (lambda code=code: (LOOP_CODE + code).encode())
        for name, code in _deep(10_000).items()
    },
    # As deep as CPython's parser accepts (flake8 hands these to the plugin): libcst must cope.
    **{
        f"1000-deep-{name}": (lambda code=code: (LOOP_CODE + code).encode())
        for name, code in _deep(1_000).items()
        if name != "parentheses"  # CPython allows 200 levels of brackets
    },
}


def _null_bytes_crash_flake8() -> bool:
    """Whether CPython's parser raises ValueError on a null byte (before 3.11.4; a SyntaxError
    since), which flake8 does not catch: it stops with a traceback before any plugin runs."""
    try:
        ast.parse("x = 1\0\n")
    except ValueError:
        return True
    except SyntaxError:
        return False
    return False


# Files that reach CPython's parser with null bytes (a UTF-16 file is read as Latin-1).
NULL_BYTE_FILES = ("null-bytes", "utf16-with-bom") if _null_bytes_crash_flake8() else ()


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_input_in_flake8(tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.py"
    path.write_bytes(HOSTILE[name]())
    results = _run_like_flake8(path)
    if name.startswith("10k-deep"):
        # CPython refuses it (3.11+: a RecursionError or E999), or builds it (3.9, 3.10: calls,
        # attributes, operators) and the engine refuses it as 3.11 would (engine/nesting.py).
        codes = [code for code, _, _ in results]
        assert results == [("flake8 cannot build a tree", 0, 0)] or codes == ["E999"] or (
            sys.version_info < (3, 11) and results == []
        ), results
        return
    if name in NULL_BYTE_FILES:
        assert results == [("flake8 cannot build a tree", 0, 0)]
        return
    lines = len(path.read_bytes().splitlines()) + 1
    for code, line, column in results:
        assert code.startswith(("ELP", "E9")) and 0 <= line <= lines and column >= -1, (code, line, column)


@pytest.mark.parametrize(
    "content",
    # Plain code takes about 10 s (flake8's path blanks what cannot matter before libcst);
    # 100,000 uses of the module's loop are all kept and parsed: about 35 s, a long run.
    ["x = 1\n", pytest.param("loop.run_forever()\n", marks=pytest.mark.long)],
)
def test_a_100k_line_file(tmp_path: Path, content: str) -> None:
    path = tmp_path / "big.py"
    path.write_text(LOOP_CODE + content * 100_000)
    assert ("ELP100", 2, 7) in _run_like_flake8(path)


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_input_handed_over_unparsed(name: str) -> None:
    """Plugins may get lines without a tree (flake8 builds it lazily); the plugin parses itself."""
    text = HOSTILE[name]().decode("utf-8", errors="surrogateescape")
    checker = AsyncLoopChecker(None, f"{name}.py", text.splitlines(keepends=True))  # type: ignore[arg-type]
    for line, column, message, _ in checker.run():
        assert line >= 1 and column >= 0 and message.startswith("ELP")


def test_real_flake8_on_the_small_hostile_files(tmp_path: Path) -> None:
    """One real flake8 process over the small files, every plugin loaded: no traceback."""
    for name, make in HOSTILE.items():
        if not name.startswith(("20k", "10k", "1000", "very-long")) and name not in NULL_BYTE_FILES:
            (tmp_path / f"{name}.py").write_bytes(make())
    result = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "ELP,E9", "."], cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode == 1 and not result.stderr, result.stderr[-3000:]
    assert "Traceback" not in result.stdout
    assert re.search(r"python2-print-statement\.py:2:\d+: E999 SyntaxError: ", result.stdout)  # wording varies


@pytest.mark.parametrize(
    "source",
    [
        "import asyncio\n\x0cloop = asyncio.SelectorEventLoop()\n",
        "import asyncio\n\x0c  \x0cloop = asyncio.SelectorEventLoop()\n",
        "import asyncio\ndef f():\n    pass\n\x0cx = 1; loop = asyncio.SelectorEventLoop()\n",
        "import asyncio\nif True:\n\x0c    loop = asyncio.SelectorEventLoop()\n",
        "import asyncio\nx = (1,\n\x0c     asyncio.SelectorEventLoop())\n",
        "import asyncio\nx = 1 \x0c + 1; loop = asyncio.SelectorEventLoop()\n",
    ],
    ids=["module-level", "two-form-feeds", "after-a-block", "indented", "continuation-line", "mid-line"],
)
def test_columns_after_a_form_feed_match_flake8s(tmp_path: Path, source: str) -> None:
    """flake8 (and CPython) count a form feed as a column; libcst's positions skip the whitespace
    of a module-level line that holds one. Every reported column is CPython's."""
    expected = sorted(
        (node.lineno, node.col_offset)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "asyncio.SelectorEventLoop"
    )
    path = tmp_path / "mod.py"
    path.write_text(source)
    reported = sorted((line, column) for code, line, column in _run_like_flake8(path) if code == "ELP100")
    assert reported == expected
    # The command reports the same, 1-based, as flake8 prints it; a fix it cannot place is withheld.
    result = subprocess.run(
        [sys.executable, "-m", "flake8_asyncloop", "fix", "--unsafe-fixes", "--select", "ELP100", "mod.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    fixed = path.read_text()
    ast.parse(fixed)
    assert "SelectorEventLoop" not in fixed or [f"mod.py:{line}:{column + 1}:" for line, column in expected] == [
        line.split(" ")[0] for line in result.stdout.splitlines()
    ], result.stdout
