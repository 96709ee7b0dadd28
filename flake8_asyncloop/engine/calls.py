"""Small questions about one call node, asked by every layer."""

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
    return call.func.attr.value if isinstance(call.func, cst.Attribute) else None


def is_none(expr: Optional[cst.BaseExpression]) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "None"
