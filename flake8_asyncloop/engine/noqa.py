"""``# noqa`` comments, read as flake8 reads them, for the adapters that are not flake8."""

from __future__ import annotations

import re

from flake8_asyncloop.engine.diagnostics import Diagnostic
from flake8_asyncloop.engine.text import SourceLines

# flake8's own pattern: "# noqa" alone silences every code, "# noqa: ELP101,E501" those codes
# (and codes they prefix).
_NOQA = re.compile(r"#\s*noqa(?::[\s]?(?P<codes>[A-Z][0-9]+(?:[,\s]+[A-Z][0-9]+)*))?", re.IGNORECASE)
_CODE_SEPARATOR = re.compile(r"[,\s]+")
# flake8's file-level comment (its NOQA_FILE, matched at the start of a line): ``# flake8: noqa``
# skips the whole file, also with codes after it, which flake8 does not read.
_FILE_NOQA = re.compile(r"^[^\S\r\n]*# flake8[:=][^\S\r\n]*noqa", re.IGNORECASE | re.MULTILINE)


def file_is_exempt(source: str) -> bool:
    """Whether ``source`` has a ``# flake8: noqa`` line, which makes flake8 skip the file: every
    other adapter reports nothing in it and fixes nothing, as flake8 would."""
    return _FILE_NOQA.search(source) is not None


def is_suppressed(diagnostic: Diagnostic, lines: SourceLines) -> bool:
    if diagnostic.line > len(lines.starts):
        return False
    match = _NOQA.search(lines.line(diagnostic.line))
    if match is None:
        return False
    codes = match.group("codes")
    if codes is None:
        return True
    return any(diagnostic.code.startswith(code.upper()) for code in _CODE_SEPARATOR.split(codes.strip()) if code)
