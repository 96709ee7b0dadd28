"""Source text by lines, and edits applied to it: what every adapter needs, the command's
files with nothing to fix included, without loading libcst (``edits.py`` builds fixes on its
trees)."""

from __future__ import annotations

import bisect
import re
from typing import Sequence

from flake8_asyncloop.engine.diagnostics import Edit

# Python's line breaks; str.splitlines() would also split on form feeds and U+2028.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


# Where a node starts and ends: ((line, column), (line, column)), lines 1-based, columns 0-based.
Span = tuple[tuple[int, int], tuple[int, int]]


class SourceLines:
    def __init__(self, code: str) -> None:
        self.code = code
        self.starts = [0] + [match.end() for match in _LINE_BREAK.finditer(code)]

    def offset(self, line: int, column: int) -> int:
        return self.starts[line - 1] + column

    def position(self, offset: int) -> tuple[int, int]:
        """(line, column) of a character offset."""
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1]

    def line(self, line: int) -> str:
        """Line ``line`` without its line break."""
        start = self.starts[line - 1]
        end = self.starts[line] if line < len(self.starts) else len(self.code)
        return self.code[start:end].rstrip("\r\n")

    def line_break(self, line: int) -> str:
        """The break that ends line ``line`` ('' for a last line without one)."""
        start = self.starts[line - 1] + len(self.line(line))
        end = self.starts[line] if line < len(self.starts) else len(self.code)
        return self.code[start:end]


class EditConflict(ValueError):
    """Two edits overlap."""


def apply_edits(code: str, edits: Sequence[Edit]) -> str:
    """Apply non-overlapping edits (identical duplicates, such as one import, count once)."""
    lines = SourceLines(code)
    spans = sorted(
        {(lines.offset(e.start_line, e.start_column), lines.offset(e.end_line, e.end_column), e.text) for e in edits}
    )
    for (start, end, _), (next_start, _, _) in zip(spans, spans[1:]):
        if next_start < end or (next_start == start == end):
            raise EditConflict(f"edits overlap at offset {next_start}")
    for start, end, text in reversed(spans):
        code = code[:start] + text + code[end:]
    return code


def difference(old: SourceLines, new: str) -> Edit:
    """The one edit that turns ``old``'s code into ``new``: the span between their common prefix
    and their common suffix."""
    old_code = old.code
    prefix = 0
    limit = min(len(old_code), len(new))
    while prefix < limit and old_code[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old_code[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    start = old.position(prefix)
    end = old.position(len(old_code) - suffix)
    return Edit(start[0], start[1], end[0], end[1], new[prefix : len(new) - suffix])
