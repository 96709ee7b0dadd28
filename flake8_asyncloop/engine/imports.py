"""Imports a fix leaves unused: a fix must not create a new warning (flake8's F401).

When ``SelectorEventLoop()`` becomes ``asyncio.new_event_loop()``, ``from asyncio import
SelectorEventLoop`` may lose its last use. The fixer asks pyflakes (flake8's F401, so the answer
is flake8's, shadowing and ``__all__`` included) which imports are unused before a pass and
after it, and removes exactly those the pass left unused: an import that was already unused is
the user's business, not ours. A statement with a ``# noqa`` comment, one that shares its line
with other code, and the only statement of a block are left alone.
"""

from __future__ import annotations

import ast
import re
from typing import Optional, Sequence, Union

import libcst as cst

from flake8_asyncloop.engine import cpython
from flake8_asyncloop.engine.diagnostics import Edit
from flake8_asyncloop.engine.text import SourceLines

_NOQA = re.compile(r"#\s*noqa", re.IGNORECASE)
_BLOCK_FIELDS = ("body", "orelse", "finalbody")
ImportNode = Union[ast.Import, ast.ImportFrom]
# An unused import as pyflakes names it ("asyncio.get_event_loop as gel"), and its statement's line.
Unused = tuple[str, int]


def _bound_name(alias: ast.alias) -> str:
    """The name an import alias binds: ``b`` for ``a as b``, ``a`` for ``import a.x``."""
    return alias.asname or alias.name.partition(".")[0]


def _described(statement: ImportNode, alias: ast.alias) -> str:
    """The alias as pyflakes names it in its message."""
    name = cpython.imported_as_written(statement, alias) if isinstance(statement, ast.ImportFrom) else alias.name
    return f"{name} as {alias.asname}" if alias.asname else name


def unused_imports(tree: ast.Module) -> set[Unused]:
    """The module's unused imports, by pyflakes."""
    # Imported here: only fixing asks, and the flake8 plugin's path loads this module too.
    from pyflakes.checker import Checker  # type: ignore[import-untyped]
    from pyflakes.messages import UnusedImport  # type: ignore[import-untyped]

    messages = Checker(tree, filename="<fixed>").messages
    return {(str(message.message_args[0]), message.lineno) for message in messages if isinstance(message, UnusedImport)}


def newly_unused(before: ast.Module, after: ast.Module) -> set[Unused]:
    """The imports unused in ``after`` (a pass's result) that were used in ``before``."""
    already = {name for name, _ in unused_imports(before)}
    return {(name, line) for name, line in unused_imports(after) if name not in already}


def removal_edits(source: str, tree: ast.Module, unused: set[Unused]) -> list[Edit]:
    """Edits that take the ``unused`` imports out of their statements in ``source`` (``tree``)."""
    lines = SourceLines(source)
    by_statement: dict[ImportNode, list[ast.alias]] = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if (_described(node, alias), node.lineno) in unused:
                    by_statement.setdefault(node, []).append(alias)
    alone = _alone_in_block(tree)
    edits = []
    for statement, aliases in by_statement.items():
        edit = _removal(lines, statement, aliases, statement in alone)
        if edit is not None:
            edits.append(edit)
    return edits


def _alone_in_block(tree: ast.Module) -> set[ast.stmt]:
    """Statements that are their block's only statement: deleting one would empty the block."""
    alone: set[ast.stmt] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module):
            continue
        for field in _BLOCK_FIELDS:
            block = getattr(node, field, None)
            if isinstance(block, list) and len(block) == 1 and isinstance(block[0], ast.stmt):
                alone.add(block[0])
    return alone


def _removal(lines: SourceLines, statement: ImportNode, aliases: Sequence[ast.alias], alone: bool) -> Optional[Edit]:
    start_line, end_line = statement.lineno, statement.end_lineno or statement.lineno
    text = [lines.line(number) for number in range(start_line, end_line + 1)]
    start_column = _column(text[0], statement.col_offset)
    end_column = _column(text[-1], statement.end_col_offset or 0)
    if any(_NOQA.search(line) for line in text):
        return None
    after = text[-1][end_column:].strip()
    if text[0][:start_column].strip() or (after and not after.startswith("#")):
        return None  # shares its line (``import a; b()``): left as it is
    if len(aliases) == len(statement.names):
        return None if alone else _deletion(lines, start_line, end_line)
    code = lines.code[lines.offset(start_line, start_column) : lines.offset(end_line, end_column)]
    rewritten = _without_aliases(code, {_bound_name(alias) for alias in aliases})
    return None if rewritten is None else Edit(start_line, start_column, end_line, end_column, rewritten)


def _deletion(lines: SourceLines, start_line: int, end_line: int) -> Edit:
    """The statement's whole lines, their line break included."""
    if end_line < len(lines.starts):
        return Edit(start_line, 0, end_line + 1, 0, "")
    return Edit(start_line, 0, end_line, len(lines.line(end_line)), "")


def _column(line: str, byte_offset: int) -> int:
    """The character column of a UTF-8 byte offset on ``line`` (ast counts bytes)."""
    return len(line.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore"))


def _without_aliases(code: str, names: set[str]) -> Optional[str]:
    """The import statement ``code`` without the aliases binding ``names``, formatting kept."""
    try:
        line = cst.parse_statement(code + "\n")
    except cst.ParserSyntaxError:
        return None
    node = line.body[0] if isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1 else None
    if not isinstance(node, (cst.Import, cst.ImportFrom)) or isinstance(node.names, cst.ImportStar):
        return None
    kept = [alias for alias in node.names if _cst_bound_name(alias) not in names]
    if not kept:
        return None
    # The new last alias takes the old last one's comma: a trailing comma stays, none appears.
    kept[-1] = kept[-1].with_changes(comma=node.names[-1].comma)
    return cst.Module(body=[]).code_for_node(node.with_changes(names=kept))


def _cst_bound_name(alias: cst.ImportAlias) -> str:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    name: cst.BaseExpression = alias.name
    while isinstance(name, cst.Attribute):
        name = name.value
    return name.value if isinstance(name, cst.Name) else ""
