"""libcst's parse of flake8's focused code (``focus.py``), or of a whole module, a piece at a time.

libcst's parser needs memory and time that grow faster than the code it is given. Parsed whole,
the kept code of ``test_base_events.py`` (1.3k lines) raises the process's peak memory by 22 MB,
nearly all of it the parser's own, freed when it returns; in flake8 the plugin's peak is that of
its largest module. Cut where ``focus.py`` allows (``Cut``) into pieces of about
``PIECE_CHARACTERS``, the same code needs next to no memory beyond its tree, and parses faster:
flake8 on the dense corpus (``benchmarks/bench.py``) went from 1.70x bare flake8's peak memory
to 1.32x, and from 1.39x its time to 1.33x.

The pieces' statements are put together into one module whose code is the focused code,
character for character (``tests/test_pieces.py`` cuts every fixture at every place it may), so
the analysis and libcst's positions see what a single parse shows. A piece that continues a
class body is parsed inside a stand-in ``class _:`` line, and its statements join the class's
body. Where pieces would not fit together as one parse does (one infers another indentation or
line break, a piece leaves lines after its last statement, a piece does not parse), the code is
parsed whole.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Callable, Optional, Sequence

import libcst as cst

from flake8_asyncloop.engine.focus import Focused, every_statement

# About 50 lines: smaller pieces save no more memory (nor time), and each parse has a fixed cost.
PIECE_CHARACTERS = 2_000
_LINE_BREAK = re.compile(r"\r\n|\r|\n")

Parse = Callable[[str], cst.Module]


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    in_class: bool  # continues the body of the class the pieces before it end with


def parse_focused(focused: Focused, parse: Parse, piece_characters: int = PIECE_CHARACTERS) -> cst.Module:
    """``parse(focused.code)``, in pieces of at least ``piece_characters`` where it can be cut."""
    spans = _spans(focused, piece_characters)
    if len(spans) > 1 and "\f" not in focused.code:  # form feeds: see ``checker._check_focused``
        try:
            module = _put_together(focused.code, spans, parse)
        except cst.ParserSyntaxError:
            module = None
        if module is not None:
            return module
    return parse(focused.code)


def parse_whole(source: str, tree: ast.Module, parse: Parse, piece_characters: int = PIECE_CHARACTERS) -> cst.Module:
    """``parse(source)``, in pieces as ``parse_focused`` does, for the adapters that read whole
    modules; ``tree`` is CPython's tree of ``source``. The command's peak memory on CPython's
    asyncio and its tests went from 127-145 MB to 56 MB, and its time down 6%."""
    whole = every_statement(source, tree)
    if whole.code != source:
        return parse(source)
    return parse_focused(whole, parse, piece_characters)


def _spans(focused: Focused, piece_characters: int) -> list[_Span]:
    """The pieces: each runs from a cut to the first cut at least ``piece_characters`` after it."""
    chosen = list(focused.cuts[:1])
    for cut in focused.cuts[1:]:
        if cut.offset - chosen[-1].offset >= piece_characters:
            chosen.append(cut)
    ends = [cut.offset for cut in chosen[1:]] + [len(focused.code)]
    return [_Span(cut.offset, end, cut.in_class) for cut, end in zip(chosen, ends)]


def _put_together(code: str, spans: list[_Span], parse: Parse) -> Optional[cst.Module]:
    if spans[0].start != 0 or spans[0].in_class:
        return None
    assembly = _Assembly(parse(code[: spans[0].end]))
    for span in spans[1:]:
        text = code[span.start : span.end]
        if span.in_class:
            line_break = _LINE_BREAK.search(text)
            added = assembly.add_members(parse(f"class _:{line_break.group() if line_break else ''}{text}"))
        else:
            added = assembly.add_statements(parse(text))
        if not added:
            return None
    return assembly.module()


class _Assembly:
    """The module being put together from its pieces, in order."""

    def __init__(self, first: cst.Module) -> None:
        self.first = first
        self.statements: list[cst.BaseStatement] = list(first.body)
        self.members: list[cst.BaseStatement] = []  # continuing the body of the last statement, a class
        self.block_footer: Sequence[cst.EmptyLine] = ()  # after the last of ``members``
        self.last = first

    def add_statements(self, piece: cst.Module) -> bool:
        if not (self._continues(piece) and piece.body and self._close_class()):
            return False
        body = list(piece.body)
        if piece.header:
            # A module's leading comments and blank lines are its header: here they lead up to its first statement.
            body[0] = body[0].with_changes(leading_lines=(*piece.header, *body[0].leading_lines))
        self.statements.extend(body)
        self.last = piece
        return True

    def add_members(self, piece: cst.Module) -> bool:
        """A piece parsed in the stand-in class: its body continues the class the pieces so far
        end with; statements after it (the piece runs past the class's end) follow the class."""
        stand_in = piece.body[0] if piece.body else None
        if not (self._continues(piece) and not piece.header and _open_class(stand_in) and self.statements
                and _open_class(self.statements[-1])):
            return False
        assert isinstance(stand_in, cst.ClassDef) and isinstance(stand_in.body, cst.IndentedBlock)
        self.members.extend(stand_in.body.body)
        self.block_footer = stand_in.body.footer
        self.last = piece
        if len(piece.body) > 1:
            if not self._close_class():
                return False
            self.statements.extend(piece.body[1:])
        return True

    def module(self) -> Optional[cst.Module]:
        if not self._close_class():
            return None
        return self.first.with_changes(
            body=tuple(self.statements), footer=self.last.footer, has_trailing_newline=self.last.has_trailing_newline
        )

    def _continues(self, piece: cst.Module) -> bool:
        """Whether ``piece`` can follow the pieces so far: they end with a statement (what
        follows a statement leads up to the next one, in the next piece), and it was parsed with
        the indentation and line break of the first (a block or a line break that keeps the
        module's default is written without its own)."""
        ended = not self.last.footer and not self.block_footer
        first = self.first
        return ended and (piece.default_indent, piece.default_newline) == (first.default_indent, first.default_newline)

    def _close_class(self) -> bool:
        """The class the pieces so far end with, with the members that continue its body."""
        if not self.members:
            return True
        last = self.statements[-1]
        assert isinstance(last, cst.ClassDef) and isinstance(last.body, cst.IndentedBlock)
        if last.body.footer:
            return False
        body = last.body.with_changes(body=(*last.body.body, *self.members), footer=self.block_footer)
        self.statements[-1] = last.with_changes(body=body)
        self.members, self.block_footer = [], ()
        return True


def _open_class(statement: Optional[cst.CSTNode]) -> bool:
    return isinstance(statement, cst.ClassDef) and isinstance(statement.body, cst.IndentedBlock)
