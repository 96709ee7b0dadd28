"""The building blocks fixes are made of: edits worked out on libcst's nodes (``text.py`` applies them).

Fixes are text edits rather than rewritten trees: every byte outside an edit stays as it was
(comments, quotes, CRLF, tabs), the same edits serve the command, the codemod and an editor's
quick fix, and applying them needs no second code generator.
"""

from __future__ import annotations

from typing import Callable, Optional, Sequence

import libcst as cst

from flake8_asyncloop.engine.diagnostics import Edit
from flake8_asyncloop.engine.index import Scope
from flake8_asyncloop.engine.text import SourceLines, Span, apply_edits, difference
from flake8_asyncloop.engine import cpython


def closing_try(body: Sequence[cst.BaseStatement], loop_name: str) -> cst.Try:
    """``try: <body> finally: <loop_name>.close()``: the recipe's way to close a loop."""
    close = cst.parse_statement(f"{loop_name}.close()\n")
    return cst.Try(body=cst.IndentedBlock(body=body), finalbody=cst.Finally(body=cst.IndentedBlock(body=[close])))


class FixBuilder:
    """Edits expressed on a module's nodes, for the rules' fixes."""

    def __init__(self, module: cst.Module, text: Optional[str], span: Callable[[cst.CSTNode], Span]) -> None:
        """``text``: what ``module`` was parsed from, when the caller has it (regenerating it
        costs a walk); ``span``: where a node of ``module`` is in that text."""
        self._module = module
        self._span = span
        self.lines = SourceLines(text if text is not None else module.code)

    def replace(self, node: cst.CSTNode, text: str) -> Edit:
        start, end = self._span(node)
        return Edit(start[0], start[1], end[0], end[1], text)

    def rewrite(self, old: cst.CSTNode, new: cst.CSTNode) -> Edit:
        """The one edit that turns ``old`` into ``new``, found by regenerating the module.

        libcst regenerates every untouched byte exactly, so the new code differs from the old
        only where ``new`` does; the edit is that difference, with common text trimmed off both
        ends. Moving statements into a new block this way re-indents them without touching the
        inside of multi-line strings, which a line-by-line text edit would change.
        """
        replaced = self._module.deep_replace(old, new)
        assert isinstance(replaced, cst.Module)
        return difference(self.lines, replaced.code)

    def still_parses(self, edits: Sequence[Edit]) -> bool:
        """Whether the module with ``edits`` applied is still valid Python (a deleted statement
        must not leave an empty block)."""
        try:
            cpython.parse(apply_edits(self.lines.code, edits))
        except (SyntaxError, ValueError):
            return False
        return True

    def indentation_of(self, statement: cst.CSTNode) -> Optional[str]:
        """The whitespace before ``statement`` on its line, or None if code precedes it there."""
        (line, column), _ = self._span(statement)
        prefix = self.lines.line(line)[:column]
        return prefix if not prefix.strip() else None

    def insert_after(self, statement: cst.SimpleStatementLine, code: str) -> Optional[Edit]:
        """A new line ``code`` after ``statement``, with its indentation and line break."""
        indentation = self.indentation_of(statement)
        if indentation is None:
            return None  # "if x: loop = ..." keeps its one-line form; no fix
        _, (end_line, _) = self._span(statement)
        line_break = self.lines.line_break(end_line)
        if line_break:
            return Edit(end_line + 1, 0, end_line + 1, 0, f"{indentation}{code}{line_break}")
        end_column = len(self.lines.line(end_line))
        newline = self._module.default_newline
        return Edit(end_line, end_column, end_line, end_column, f"{newline}{indentation}{code}")

    def insert_before(self, statement: cst.CSTNode, code: str) -> Optional[Edit]:
        indentation = self.indentation_of(statement)
        if indentation is None:
            return None
        (line, column), _ = self._span(statement)
        line_break = self.lines.line_break(line) or self._module.default_newline
        return Edit(line, column, line, column, f"{code}{line_break}{indentation}")

    def delete_statement(self, statement: cst.CSTNode, collapse_blank_lines: bool = True) -> Optional[Edit]:
        """Remove ``statement`` with its whole line(s); None where code shares its line or its
        block would be left empty. ``collapse_blank_lines``: between two blank lines, one goes too."""
        if self.indentation_of(statement) is None:
            return None
        (start_line, _), (end_line, _) = self._span(statement)
        last = end_line + 1 if self.lines.line_break(end_line) else end_line
        end_column = 0 if last > end_line else len(self.lines.line(end_line))
        between_blank_lines = start_line > 1 and self._is_blank(start_line - 1) and self._is_blank(last)
        if collapse_blank_lines and end_line < last < len(self.lines.starts) and between_blank_lines:
            last += 1  # one blank line stays, not two
        deletion = Edit(start_line, 0, last, end_column, "")
        return deletion if self.still_parses([deletion]) else None

    def _is_blank(self, line: int) -> bool:
        return not self.lines.line(line).strip()

    def module_reference(self, module_name: str, scope: Scope) -> Optional[tuple[str, tuple[Edit, ...]]]:
        """How code in ``scope`` can name ``module_name``, and the import to add if none exists.

        An existing ``import asyncio as aio`` is reused as ``aio``; otherwise ``import asyncio``
        is added after the module's leading imports, unless the name is taken in ``scope``.
        """
        module_scope = scope.module
        for name, bindings in module_scope.bindings.items():
            if all(b.kind == "import" and b.qualified == module_name for b in bindings):
                if scope.lookup(name) is bindings:
                    return name, ()
        if scope.lookup(module_name) is not None:
            return None
        edit = self._import_edit(f"import {module_name}")
        return (module_name, (edit,)) if edit is not None else None

    def _import_edit(self, statement: str) -> Optional[Edit]:
        module = self._module
        anchor: Optional[cst.SimpleStatementLine] = None
        for index, node in enumerate(module.body):
            if not isinstance(node, cst.SimpleStatementLine):
                break
            small = node.body
            is_docstring = index == 0 and len(small) == 1 and isinstance(small[0], cst.Expr) and isinstance(
                small[0].value, (cst.SimpleString, cst.ConcatenatedString)
            )
            if is_docstring or all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in small):
                anchor = node
            else:
                break
        if anchor is not None:
            return self.insert_after(anchor, statement)
        if module.body:
            return self.insert_before(module.body[0], statement)
        return None
