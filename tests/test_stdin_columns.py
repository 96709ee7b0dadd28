"""flake8 on standard input, as editors call it: the columns it prints are the flagged call's real
column, whatever tabs, non-ASCII text, a byte-order mark or CRLF line ends come before it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

CALL = "asyncio.SelectorEventLoop()"

SOURCES = {
    "tabs": "import asyncio\n\n\ndef f():\n\tif True:\n\t\tloops = [1, \tasyncio.SelectorEventLoop()]\n",
    "non_ascii": (
        "import asyncio\n\n"
        "x = 'é€'; y = asyncio.SelectorEventLoop()\n"
        "z = '日本語😀😀'; w = [asyncio.SelectorEventLoop()]\n"
        "def f(a='\u00e9'):\n\tn = '😀'; return asyncio.SelectorEventLoop()\n"
    ),
    "bom_first_line": "\ufeffimport asyncio; x = asyncio.SelectorEventLoop()\n",
    "crlf": "import asyncio\r\n\r\nx = 'é'\r\nif x:\r\n\ty = asyncio.SelectorEventLoop()\r\n",
}


def _expected(source: str) -> list[tuple[int, int]]:
    """(line, 1-based character column) of every call, as an editor places its cursor."""
    text = source.lstrip("\ufeff")
    positions = []
    for number, line in enumerate(re.split(r"\r\n|\r|\n", text), start=1):
        positions += [(number, match.start() + 1) for match in re.finditer(re.escape(CALL), line)]
    return positions


def _flake8(arguments: list[str], data: bytes, cwd: Path) -> list[tuple[int, int]]:
    result = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select", "ELP100", *arguments],
        input=data, capture_output=True, cwd=cwd, timeout=120,
    )
    assert result.returncode in (0, 1), result.stderr.decode()
    found = re.findall(rb"^[^:]+:(\d+):(\d+): ELP100 ", result.stdout, flags=re.MULTILINE)
    return [(int(line), int(column)) for line, column in found]


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_stdin_columns_are_the_calls_columns(name: str, tmp_path: Path) -> None:
    source = SOURCES[name]
    data = source.encode("utf-8")
    expected = _expected(source)
    assert expected  # the case has something to flag
    (tmp_path / "module.py").write_bytes(data)
    from_stdin = _flake8(["--stdin-display-name=module.py", "-"], data, tmp_path)
    assert from_stdin == expected
    assert _flake8(["module.py"], b"", tmp_path) == expected
