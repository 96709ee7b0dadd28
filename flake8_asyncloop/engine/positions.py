"""Where nodes are: (line, column) as flake8 reports them, from CPython's parser for calls (many
times cheaper) and from libcst's PositionProvider for anything else, computed on first use."""

from __future__ import annotations

import ast
import functools
import re
from typing import Iterable, Optional

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from flake8_asyncloop.engine.text import SourceLines, Span
from flake8_asyncloop.engine.focus import Focused
from flake8_asyncloop.engine.index import ModuleIndex
from flake8_asyncloop.engine import cpython


def _called_name(func: "ast.expr | cst.BaseExpression") -> Optional[str]:
    """The last name in what a call calls (``b`` in ``a.b()``), in either parser's tree."""
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, cst.Attribute):
        return func.attr.value
    if isinstance(func, cst.Name):
        return func.value
    return None


def _characters(line: str, byte_offset: int) -> int:
    """CPython counts columns in UTF-8 bytes; flake8 and libcst count characters."""
    return byte_offset if line.isascii() else len(line.encode("utf-8")[:byte_offset].decode("utf-8", "replace"))


# A class statement's line: its indentation, then ``class Name``.
_CLASS_LINE = re.compile(r"([ \t]*)class\s+([^\W\d]\w*)")


class Positions:
    """Positions of the nodes of ``module``, parsed from ``source_text`` when the caller has it
    (``tree``: CPython's tree of it, when parsed already). On flake8's path ``module`` holds only
    the statements that matter (``focused``), and positions are told in the file's lines."""

    def __init__(
        self,
        module: cst.Module,
        index: ModuleIndex,
        source_text: Optional[str],
        focused: Optional[Focused],
        tree: Optional[ast.Module],
    ) -> None:
        self.module = module
        self.index = index
        self.source_text = source_text
        self._focused = focused
        self._tree = tree

    @functools.cached_property
    def _positions(self) -> "dict[cst.CSTNode, CodeRange]":
        # Computed only when a rule reports something: most modules never pay for it.
        wrapper = MetadataWrapper(self.module, unsafe_skip_copy=True)
        return dict(wrapper.resolve(PositionProvider))

    def position(self, node: cst.CSTNode) -> tuple[int, int]:
        """(line, column) of ``node``: line 1-based, column 0-based, as flake8 reports them."""
        if isinstance(node, cst.ClassDef):
            found = self._class_starts.get(node)
            if found is not None:
                return found
        return self.span(node)[0]

    @functools.cached_property
    def _class_starts(self) -> dict[cst.ClassDef, tuple[int, int]]:
        """Where each class statement starts (its ``class`` keyword), without libcst's costly
        PositionProvider: from CPython's tree, or on flake8's path from the focused code's class
        lines (it keeps headers without their nodes). Both must list the same classes, in the
        same order, with the same names, or nothing is taken."""
        ours = list(self.index.classes)
        if self._focused is not None:
            numbers = self._focused.line_numbers
            theirs = [
                (match.group(2), numbers[number], len(match.group(1)))
                for number, line in enumerate(self._focused.code.splitlines())
                for match in [_CLASS_LINE.match(line)]
                if match is not None
            ]
        elif self.source_text is not None:
            theirs = self._cpython_classes(self.source_text)
        else:
            return {}
        if len(theirs) != len(ours) or any(name != mine.name.value for (name, _, _), mine in zip(theirs, ours)):
            return {}
        return {mine: (line, column) for (_, line, column), mine in zip(theirs, ours)}

    @functools.cached_property
    def _cpython_tree(self) -> Optional[ast.Module]:
        """CPython's tree of ``source_text``: the caller's, or parsed once for calls and classes."""
        if self._tree is not None or self.source_text is None:
            return self._tree
        return cpython.tree_or_none(self.source_text)

    def _cpython_classes(self, text: str) -> list[tuple[str, int, int]]:
        """(name, line, column) of each class statement in ``text``, in order, by CPython's parser."""
        tree = self._cpython_tree
        if tree is None:
            return []
        lines = SourceLines(text)
        found = (node for node in cpython.nodes(tree) if type(node) is ast.ClassDef)
        classes = sorted(found, key=lambda node: (node.lineno, node.col_offset))
        return [(n.name, n.lineno, _characters(lines.line(n.lineno), n.col_offset)) for n in classes]

    def extent(self, node: cst.CSTNode) -> Span:
        """Where a diagnostic about ``node`` starts and ends: a class statement from its ``class``
        keyword to the end of its name (not through its body), any other node as ``span``."""
        if isinstance(node, cst.ClassDef):
            return self.position(node), self._class_name_end(node)
        return self.span(node)

    def _class_name_end(self, node: cst.ClassDef) -> tuple[int, int]:
        """Where the class's name ends: read on its ``class`` line, else (a line continuation
        between the keyword and the name, a module without its text) from libcst's positions."""
        line, column = self.position(node)
        if self._text_lines is not None:
            header = re.compile(rf"class\s+{re.escape(node.name.value)}(?!\w)")
            found = header.match(self._text_lines.line(line), column)
            if found is not None:
                return line, found.end()
        return self.span(node.name)[1]

    @functools.cached_property
    def _text_lines(self) -> Optional[SourceLines]:
        """The file's lines, when its text is at hand (on flake8's path, the focused code's file)."""
        text = self._focused.source if self._focused is not None else self.source_text
        return SourceLines(text) if text is not None else None

    def span(self, node: cst.CSTNode) -> Span:
        """Start and end (line, column) of ``node``, without surrounding whitespace or comments."""
        if isinstance(node, cst.Call) and not node.lpar:
            found = self._call_spans.get(node)
            if found is not None:
                return found
        code_range = self._positions[node]
        start, end = code_range.start, code_range.end
        if self._focused is None:
            return (start.line, start.column), (end.line, end.column)
        line_numbers = self._focused.line_numbers
        return (line_numbers[start.line - 1], start.column), (line_numbers[end.line - 1], end.column)

    @functools.cached_property
    def _call_spans(self) -> dict[cst.Call, Span]:
        """Where each call starts and ends, from CPython's parser: many times cheaper than
        libcst's PositionProvider, which walks and regenerates the whole module.

        Both parsers see the same calls; ordered by where they start (an outer call before
        the calls inside it, which start at the same place), the n-th of one is the n-th of
        the other. Each pair must also call the same name, or nothing is taken from CPython.
        """
        if self._focused is not None:
            # flake8's own tree of the file has them: no second parse.
            found: Iterable[ast.Call] = self._focused.calls()
            text = self._focused.source
        elif self.source_text is not None:
            tree = self._cpython_tree
            if tree is None:
                return {}
            found = (node for node in cpython.nodes(tree) if type(node) is ast.Call)
            text = self.source_text
        else:
            return {}
        calls = sorted(
            found, key=lambda call: (call.lineno, call.col_offset, -(call.end_lineno or 0), -(call.end_col_offset or 0))
        )
        ours = self.index.calls_in_source_order
        if len(calls) != len(ours):
            return {}
        lines = SourceLines(text)
        spans = {}
        for theirs, mine in zip(calls, ours):
            if _called_name(theirs.func) != _called_name(mine.func) or theirs.end_lineno is None:
                return {}
            start = (theirs.lineno, _characters(lines.line(theirs.lineno), theirs.col_offset))
            end = (theirs.end_lineno, _characters(lines.line(theirs.end_lineno), theirs.end_col_offset or 0))
            spans[mine] = (start, end)
        return spans
