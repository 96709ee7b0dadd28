"""Small questions about one call node, asked by every layer.

Node classes are tested exactly (``type(x) is cst.Attribute``; no libcst node class used here has
subclasses): a failing ``isinstance`` goes through libcst's abstract base classes, several times
slower, and these run for every call, many times over.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst


def argument(call: cst.Call, position: int, keyword: Optional[str] = None) -> Optional[cst.BaseExpression]:
    """The argument at ``position`` (counting positional ones only) or passed as ``keyword``."""
    positional = 0
    for arg in call.args:
        if arg.keyword is not None:
            if keyword is not None and arg.keyword.value == keyword:
                return arg.value
            continue
        if arg.star:
            return None  # *args hides which position holds what
        if positional == position:
            return arg.value
        positional += 1
    return None


def keyword_argument(call: cst.Call, keyword: str) -> Optional[cst.BaseExpression]:
    """The argument passed as ``keyword=``, wherever it stands (``*args`` before it included)."""
    return next((arg.value for arg in call.args if arg.keyword is not None and arg.keyword.value == keyword), None)


def method_name(call: cst.Call) -> Optional[str]:
    """``name`` for a call of the form ``<expr>.name(...)``."""
    func = call.func
    return func.attr.value if type(func) is cst.Attribute else None


def is_none(expr: Optional[cst.BaseExpression]) -> bool:
    return type(expr) is cst.Name and expr.value == "None"
