"""Nesting that CPython 3.11's parser refuses, refused on 3.9 and 3.10 too.

The engine lets CPython's parser go first: its nesting limits keep libcst, whose parser slows
down steeply with depth (measured on 3.11: 1 s at 2,000 nested calls, 21 s at 5,000), away from
code no one writes by hand. From 3.11 CPython refuses trees deeper than about 3,000 levels; 3.9
and 3.10 build trees of 10,000 nested calls, attributes or operators, which would hold libcst
for minutes. There the same bound is applied to CPython's tree, so every Python analyses the
same files.
"""

from __future__ import annotations

import ast
import sys

# The deepest tree CPython 3.11's parser builds, measured: 2,988 levels for nested calls,
# attributes, `not`, binary and unary operators, and `elif` chains.
DEEPEST_TREE = 3_000
_PARSER_LIMITS_NESTING = sys.version_info >= (3, 11)


def beyond_parser_limits(tree: ast.AST) -> bool:
    """Whether ``tree`` is deeper than CPython 3.11 would build (never, where it built it)."""
    if _PARSER_LIMITS_NESTING:
        return False
    pending = [(tree, 0)]
    children = ast.iter_child_nodes
    while pending:
        node, depth = pending.pop()
        if depth > DEEPEST_TREE:
            return True
        depth += 1
        pending.extend([(child, depth) for child in children(node)])
    return False
