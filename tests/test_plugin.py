"""The flake8 adapter, driven through the real flake8 the way editors and CI call it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from flake8_asyncloop.engine.internal import RAISE_VARIABLE
from flake8_asyncloop.plugin import AsyncLoopChecker
from flake8_asyncloop.rules import ALL_RULES

THREADED = (
    "import asyncio\n"
    "import threading\n"
    "\n"
    "def work():\n"
    "\tloop = asyncio.get_event_loop()  # héllo, tabs and non-ASCII\n"
    "\n"
    "threading.Thread(target=work).start()\n"
)


def flake8(*args: str, stdin: str | bytes | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    data = stdin.encode() if isinstance(stdin, str) else stdin
    result = subprocess.run(
        [sys.executable, "-m", "flake8", *args], input=data, capture_output=True, cwd=cwd
    )
    return subprocess.CompletedProcess(
        result.args, result.returncode, result.stdout.decode(), result.stderr.decode(errors="replace")
    )


def test_standard_input_as_editors_call_it(tmp_path: Path) -> None:
    result = flake8("--select", "ELP", "--stdin-display-name=src/app.py", "-", stdin=THREADED, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    # flake8 counts a tab as one column, as the editors' LSP clients do.
    assert result.stdout.startswith("src/app.py:5:9: ELP101 asyncio.get_event_loop() runs in a worker thread")
    assert "started on line 7" in result.stdout


def test_noqa_silences_only_the_named_code(tmp_path: Path) -> None:
    source = (
        "import asyncio\n"
        "a = asyncio.SelectorEventLoop()  # noqa: ELP100\n"
        "b = asyncio.SelectorEventLoop()  # noqa: ELP101\n"
        "c = asyncio.SelectorEventLoop()  # noqa\n"
        "a.close(), b.close(), c.close()\n"
    )
    result = flake8("--select", "ELP", "-", stdin=source, cwd=tmp_path)
    assert result.stdout.splitlines() == [
        "stdin:3:5: ELP100 asyncio.SelectorEventLoop() bypasses the event-loop policy; "
        "create the loop with asyncio.new_event_loop()"
    ]


def test_target_version_from_requires_python(tmp_path: Path) -> None:
    source = (
        "import asyncio\n"
        "async def main():\n"
        "    await asyncio.create_subprocess_exec('true')\n"
        "def run():\n"
        "    loop = asyncio.new_event_loop()\n"
        "    asyncio.set_event_loop(None)\n"
        "    loop.run_until_complete(main())\n"
    )
    (tmp_path / "mod.py").write_text(source)
    assert "ELP103" not in flake8("--select", "ELP", "mod.py", cwd=tmp_path).stdout  # default >=3.10
    (tmp_path / "pyproject.toml").write_text('[project]\nrequires-python = ">=3.7"\n')
    assert "ELP103" in flake8("--select", "ELP", "mod.py", cwd=tmp_path).stdout
    # The option (command line or flake8 config) wins over requires-python.
    assert "ELP103" not in flake8("--select", "ELP", "--asyncloop-target-version=>=3.8", "mod.py", cwd=tmp_path).stdout
    (tmp_path / "setup.cfg").write_text("[flake8]\nasyncloop-target-version = >=3.8\n")
    assert "ELP103" not in flake8("--select", "ELP", "mod.py", cwd=tmp_path).stdout


@pytest.mark.parametrize("where", ["command line", "config"])
def test_malformed_target_version_is_one_clear_line(tmp_path: Path, where: str) -> None:
    (tmp_path / "mod.py").write_text("import asyncio\n")
    args = ["--select", "ELP", "mod.py"]
    if where == "config":
        (tmp_path / "setup.cfg").write_text("[flake8]\nasyncloop-target-version = three point nine\n")
    else:
        args.insert(0, "--asyncloop-target-version=three point nine")
    result = flake8(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "flake8: error: --asyncloop-target-version: cannot read target version 'three point nine': "
        "expected a range such as '>=3.9' or '>=3.8,<3.13'"
    ]


@pytest.mark.parametrize(
    "content",
    [
        b"import asyncio\nloop = asyncio.SelectorEventLoop(\n",  # syntax error
        b"import asyncio\nloop = asyncio.SelectorEventLoop()\nprint 'python 2'\n",
        b"# -*- coding: latin-1 -*-\nimport asyncio\nx = 'caf\xe9'\nasyncio.SelectorEventLoop()\n",
        b"import asyncio\nx = '\xff\xfe'\nasyncio.SelectorEventLoop()\n",  # undecodable as UTF-8
        b"import asyncio\x00\nasyncio.SelectorEventLoop()\n",
        b"",
        b"\xef\xbb\xbfimport asyncio\r\nasyncio.SelectorEventLoop()\r\n",
    ],
    ids=["syntax-error", "python2", "latin1-cookie", "undecodable", "null-byte", "empty", "bom-crlf"],
)
def test_flake8_never_shows_a_traceback(tmp_path: Path, content: bytes) -> None:
    if b"\x00" in content and sys.version_info < (3, 11):
        pytest.skip("flake8 itself crashes here: ast.parse raises ValueError for null bytes before 3.11")
    (tmp_path / "mod.py").write_bytes(content)
    result = flake8("--select", "ELP,E9", "mod.py", cwd=tmp_path)
    assert result.returncode in (0, 1)
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout


def test_bom_and_crlf_keep_positions(tmp_path: Path) -> None:
    (tmp_path / "mod.py").write_bytes(b"\xef\xbb\xbfimport asyncio\r\nx = asyncio.SelectorEventLoop()\r\n")
    result = flake8("--select", "ELP", "mod.py", cwd=tmp_path)
    assert result.stdout.startswith("mod.py:2:5: ELP100")


def test_plugin_reports_internal_errors(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """An engine bug is ELP900 on the file and a logged traceback, never an exception in flake8
    (tests/test_internal_errors.py runs the real flake8)."""
    def explode(*args: object, **kwargs: object) -> list[object]:
        raise AssertionError("engine bug")

    from flake8_asyncloop.engine import checker

    monkeypatch.setattr(checker, "check_source", explode)  # the plugin imports it when it runs
    monkeypatch.setattr(checker, "check_focused", explode)
    monkeypatch.delenv(RAISE_VARIABLE)  # as for users
    lines = ["import asyncio\n", "asyncio.get_event_loop()\n"]
    plugin_checker = AsyncLoopChecker(None, "x.py", lines)  # type: ignore[arg-type]
    ((line, column, text, kind),) = plugin_checker.run()
    assert (line, column, kind) == (1, 0, AsyncLoopChecker)
    assert text.startswith("ELP900 flake8-asyncloop internal error (AssertionError: engine bug); please report it")
    assert "internal error on x.py" in caplog.text and "Traceback" in caplog.text


@pytest.mark.parametrize(
    "lines",
    [
        # CPython accepts 2,500 nested operators (flake8 hands such a file over); libcst's
        # parser and the tree walkers must not crash on them.
        ["import asyncio\n", "x = " + "not " * 2500 + "asyncio.SelectorEventLoop()\n"],
        ["import asyncio\n", "x = " + "(" * 199 + "asyncio.SelectorEventLoop()" + ")" * 199 + "\n"],
        ["import asyncio\n"] + ["loop = asyncio.new_event_loop()\n", "loop.run_forever()\n"] * 5000,
        ["import asyncio\n", "\x00\x0c\n"],
    ],
    ids=["deep-operators", "deep-brackets", "10k-lines", "control-characters"],
)
def test_plugin_never_raises_on_extreme_input(lines: list[str]) -> None:
    checker = AsyncLoopChecker(None, "x.py", lines)  # type: ignore[arg-type]  # not parsed by CPython yet
    for line, column, text, kind in checker.run():
        assert line >= 1 and column >= 0 and text.startswith("ELP")


def test_long_elif_chains_keep_their_diagnostics() -> None:
    """Hundreds of elif branches nest hundreds deep in the tree: the analysis still runs."""
    branches = "".join(f"    elif x == {number}:\n        return {number}\n" for number in range(1, 1000))
    source = (
        "import asyncio\nloop = asyncio.new_event_loop()\nloop.run_forever()\n"
        f"def f(x):\n    if x == 0:\n        return 0\n{branches}"
    )
    checker = AsyncLoopChecker(ast.parse(source), "x.py", source.splitlines(keepends=True))
    assert [text[:6] for _, _, text, _ in checker.run()] == ["ELP108"]
    import threading

    assert threading.stack_size() == 0  # the large stack of the analysis thread is not left behind


def test_self_referencing_class_bases_do_not_explode() -> None:
    import time

    from flake8_asyncloop.engine.checker import check_source
    from flake8_asyncloop.engine.versions import parse_target_versions

    started = time.monotonic()
    source = "# event_loop\nclass A(" + ", ".join(["A"] * 30) + "):\n    pass\n"
    check_source(source, parse_target_versions(">=3.10"), ALL_RULES)
    assert time.monotonic() - started < 5
