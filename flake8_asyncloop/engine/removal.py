"""Deleting statements without leaving their block empty.

A fix that deletes every statement of a block cannot only delete them: an empty block is a
syntax error. An ``if`` with no ``else`` whose body that empties goes too, when its test only
reads (``guards.only_reads``), names no local variable (which would be left unused) and the
``if`` holds no comment of its own (only those on the deleted lines go, as a deletion's do);
the same then holds for the block around it. Otherwise ``pass`` takes the statements' place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence, Union

import libcst as cst

from flake8_asyncloop.engine.diagnostics import Edit
from flake8_asyncloop.engine.edits import FixBuilder
from flake8_asyncloop.engine.guards import only_reads
from flake8_asyncloop.engine.index import ModuleIndex
from flake8_asyncloop.engine.walk import TreeVisitor

Block = Union[cst.BaseSuite, cst.Module]


@dataclass(frozen=True)
class Removal:
    """Where statements are deleted: the module's edits and index, the names an ``if`` test must
    not use (the function's local variables), and the comments that may go with them."""

    fixes: FixBuilder
    index: ModuleIndex
    local_names: frozenset[str]
    deleted_comments: tuple[cst.Comment, ...]


def delete_statements(
    fixes: FixBuilder,
    index: ModuleIndex,
    statements: Sequence[cst.SimpleStatementLine],
    blocks: tuple[cst.BaseSuite, ...],
    local_names: frozenset[str],
) -> Optional[list[Edit]]:
    """The edits that delete ``statements`` (consecutive, in the innermost of ``blocks``, the
    enclosing blocks outermost first; none at module level); None where that cannot be done
    cleanly (code shares their line, a one-line block)."""
    comments = tuple(s.trailing_whitespace.comment for s in statements if s.trailing_whitespace.comment)
    removal = Removal(fixes, index, local_names, comments)
    edits = _delete(removal, list(statements), blocks)
    return edits if edits is not None and fixes.still_parses(edits) else None


def _delete(
    removal: Removal, statements: list[cst.BaseStatement], blocks: tuple[cst.BaseSuite, ...]
) -> Optional[list[Edit]]:
    block: Block = blocks[-1] if blocks else removal.index.module
    if isinstance(block, cst.SimpleStatementSuite):
        return None
    if len(block.body) > len(statements):
        return _deleted_lines(removal.fixes, statements)
    idle = _idle_if(removal, block)
    if idle is not None:
        return _delete(removal, [idle], blocks[:-1])
    first, *rest = statements
    replaced = first.body[0] if isinstance(first, cst.SimpleStatementLine) and len(first.body) == 1 else first
    others = _deleted_lines(removal.fixes, rest)
    return None if others is None else [removal.fixes.replace(replaced, "pass"), *others]


def _deleted_lines(fixes: FixBuilder, statements: Sequence[cst.BaseStatement]) -> Optional[list[Edit]]:
    edits = []
    for statement in statements:
        deletion = fixes.delete_statement(statement, collapse_blank_lines=False)
        if deletion is None:
            return None
        edits.append(deletion)
    return edits


def _idle_if(removal: Removal, block: Block) -> Optional[cst.If]:
    """The ``if`` (no ``else``) whose body is ``block``, when it can go with its body."""
    if isinstance(block, cst.Module) or block not in removal.index.branches:
        return None
    statement, _ = removal.index.branches[block]
    if not isinstance(statement, cst.If) or statement.body is not block or statement.orelse is not None:
        return None
    if not only_reads(statement.test) or _names_read(statement.test) & removal.local_names:
        return None
    if any(all(comment is not deleted for deleted in removal.deleted_comments) for comment in _comments_in(statement)):
        return None
    return statement


class _Comments(cst.CSTVisitor):
    """The comments under a node (``TreeVisitor`` skips whitespace, where they are). libcst's own
    walk rebuilds what it passes: fine for the one small ``if`` a fix asks about."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[cst.Comment] = []

    def visit_Comment(self, node: cst.Comment) -> None:
        self.found.append(node)


def _comments_in(statement: cst.If) -> list[cst.Comment]:
    """The comments of ``statement`` itself: not those on the lines above it."""
    collector = _Comments()
    statement.with_changes(leading_lines=()).visit(collector)
    return collector.found


class _ReadNames(TreeVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.attributes: set[int] = set()
        self.names: set[str] = set()

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.attributes.add(id(node.attr))

    def visit_Name(self, node: cst.Name) -> None:
        if id(node) not in self.attributes:
            self.names.add(node.value)


def _names_read(test: cst.BaseExpression) -> set[str]:
    """The variables ``test`` reads (not the attribute names after a dot)."""
    reader = _ReadNames()
    reader.walk(test)
    return reader.names
