"""A read-only walk of a libcst tree, several times faster than ``CSTNode.visit``.

libcst's ``visit`` rebuilds (and re-validates) every node it passes, because its visitors may
replace children; our visitors only read, and that rebuilding was most of the analysis's time.
``TreeVisitor.walk`` calls the same methods in the same order as ``CSTNode.visit`` with a
``CSTVisitor``: ``visit_<Type>`` (returning False skips the children, ``leave_<Type>`` still
runs), ``visit_<Type>_<field>`` / ``leave_<Type>_<field>`` around each field, children in source
order. It does not descend into whitespace, parentheses, commas and operators, which hold no
code and which no visitor of this package reads.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, Optional

import libcst as cst
from libcst._nodes import op as _op_nodes
from libcst._nodes import whitespace as _whitespace_nodes

_Hook = Optional[Callable[[Any, cst.CSTNode], Any]]
# Per node class: its visit and leave hooks, and per field its name and its two hooks.
_Plan = tuple[_Hook, _Hook, tuple[tuple[str, _Hook, _Hook], ...]]


def _all_subclasses(base: type) -> set[type]:
    found: set[type] = set()
    pending = [base]
    while pending:
        subclass: type
        for subclass in pending.pop().__subclasses__():
            if subclass not in found:
                found.add(subclass)
                pending.append(subclass)
    return found


def _holds_no_code(node_class: type) -> bool:
    return node_class.__module__ in (_op_nodes.__name__, _whitespace_nodes.__name__) or node_class in (
        cst.LeftParen, cst.RightParen, cst.LeftSquareBracket, cst.RightSquareBracket, cst.LeftCurlyBrace,
        cst.RightCurlyBrace,
    )


# The node classes a walk descends into. A set lookup on the exact class: ``isinstance`` with
# libcst's abstract base classes is slow.
_WALKED = frozenset(node_class for node_class in _all_subclasses(cst.CSTNode) if not _holds_no_code(node_class))

# libcst calls the hooks of an f-string's format spec only when there is one.
_HOOKED_WHEN_PRESENT = frozenset({"format_spec"})
# Per node class, its fields in source order, and whether libcst calls the field's hooks.
_FIELD_ORDER: dict[type, tuple[tuple[str, bool], ...]] = {}


class _FieldRecorder(cst.CSTVisitor):
    """Notes the fields libcst visits on one node, in its order (the order of the source)."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[str] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        return False  # only the node's own fields

    def on_leave(self, original_node: cst.CSTNode) -> None:
        pass

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        if attribute not in self.fields:
            self.fields.append(attribute)

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        pass


def _field_order(node: cst.CSTNode) -> tuple[tuple[str, bool], ...]:
    node_class = type(node)
    order = _FIELD_ORDER.get(node_class)
    if order is None:
        recorder = _FieldRecorder()
        node._visit_and_replace_children(recorder)
        # Fields this node did not show: strings (no hooks) and an absent format spec.
        missing = [field.name for field in dataclasses.fields(node) if field.name not in recorder.fields]
        order = (
            *((name, True) for name in recorder.fields),
            *((name, name in _HOOKED_WHEN_PRESENT) for name in missing),
        )
        _FIELD_ORDER[node_class] = order
    return order


def _hook(visitor_class: type, method: str, field: str, hooked: bool) -> _Hook:
    hook: _Hook = getattr(visitor_class, method, None) if hooked else None
    if hook is None or field not in _HOOKED_WHEN_PRESENT:
        return hook
    present_hook = hook

    def when_present(visitor: Any, node: cst.CSTNode) -> Any:
        return present_hook(visitor, node) if getattr(node, field) is not None else None

    return when_present


class TreeVisitor:
    """Base class of the read-only visitors: define ``visit_<Type>`` etc. as for ``CSTVisitor``."""

    _plans: dict[type, _Plan]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._plans = {}

    def _plan(self, node: cst.CSTNode) -> _Plan:
        visitor_class, name = type(self), type(node).__name__
        fields = tuple(
            (field, _hook(visitor_class, f"visit_{name}_{field}", field, hooked),
             _hook(visitor_class, f"leave_{name}_{field}", field, hooked))
            for field, hooked in _field_order(node)
        )
        plan = (getattr(visitor_class, f"visit_{name}", None), getattr(visitor_class, f"leave_{name}", None), fields)
        visitor_class._plans[type(node)] = plan
        return plan

    def walk(self, node: cst.CSTNode) -> None:
        plan = self._plans.get(type(node)) or self._plan(node)
        visit, leave, fields = plan
        if visit is None or visit(self, node) is not False:
            for field, enter, exit_ in fields:
                if enter is not None:
                    enter(self, node)
                value = getattr(node, field)
                value_class = type(value)
                if value_class in _WALKED:
                    self.walk(value)
                elif value_class is tuple or value_class is list:
                    for child in value:
                        if type(child) in _WALKED:
                            self.walk(child)
                if exit_ is not None:
                    exit_(self, node)
        if leave is not None:
            leave(self, node)
