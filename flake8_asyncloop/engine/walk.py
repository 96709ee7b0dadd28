"""A read-only walk of a libcst tree, several times faster than ``CSTNode.visit``.

libcst's ``visit`` rebuilds (and re-validates) every node it passes, because its visitors may
replace children; our visitors only read, and that rebuilding was most of the analysis's time.
``TreeVisitor.walk`` calls the same methods in the same order as ``CSTNode.visit`` with a
``CSTVisitor``: ``visit_<Type>`` (returning False skips the children, ``leave_<Type>`` still
runs), ``visit_<Type>_<field>`` / ``leave_<Type>_<field>`` around each field, children in source
order. It does not descend into whitespace, parentheses, commas and operators, which hold no
code and which no visitor of this package reads.

Per visitor class and node class the walk is one generated function, straight-line code that
calls the hooks the visitor defines and reads only the fields that matter: those whose declared
type can hold a walked node that the visitor has a hook for or that has children of its own
(``Attribute.attr``, a ``Name``, is not read by a visitor without ``Name`` hooks). Nothing is
asked per node that the classes already answer.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Sequence
from typing import Any, Callable, Literal, Optional

import libcst as cst

_Walker = Callable[[Any, Any], None]
# How a field holds walked nodes: one node (or None), a sequence of them, or either of the two
# (``ImportFrom.names``: aliases or ``*``; an f-string's format spec: its parts or None).
_FieldKind = Literal["node", "sequence", "either"]


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


# What holds no code: whitespace, comments, blank lines, operators, punctuation and brackets.
# Skipping them is only faster: a walk into one would call the same hooks libcst's visit does.
_HOLDING_NO_CODE = (
    cst.BaseParenthesizableWhitespace, cst.Comment, cst.EmptyLine, cst.Newline, cst.TrailingWhitespace,
    cst.BaseAugOp, cst.BaseBinaryOp, cst.BaseBooleanOp, cst.BaseCompOp, cst.BaseUnaryOp,
    cst.AssignEqual, cst.Colon, cst.Comma, cst.Dot, cst.ImportStar, cst.Semicolon,
    cst.LeftParen, cst.RightParen, cst.LeftSquareBracket, cst.RightSquareBracket, cst.LeftCurlyBrace,
    cst.RightCurlyBrace,
)


def _holds_no_code(node_class: type) -> bool:
    # Read from the class's MRO: issubclass() on libcst's abstract classes fills ABC caches, a
    # quarter of the plugin's import (libcst registers no virtual subclasses).
    return any(base in _HOLDING_NO_CODE for base in node_class.__mro__)


# The node classes a walk descends into.
_WALKED = frozenset(node_class for node_class in _all_subclasses(cst.CSTNode) if not _holds_no_code(node_class))


def _walked_by_base() -> dict[type, frozenset[type]]:
    """Per class, the walked classes that are it or derive from it: what a field declared as it can hold."""
    by_base: dict[type, set[type]] = {}
    for node_class in _WALKED:
        for base in node_class.__mro__:
            by_base.setdefault(base, set()).add(node_class)
    return {base: frozenset(node_classes) for base, node_classes in by_base.items()}


_WALKED_BY_BASE = _walked_by_base()

# libcst calls the hooks of an f-string's format spec only when there is one.
_HOOKED_WHEN_PRESENT = frozenset({"format_spec"})
# Per node class, its fields in source order, and whether libcst calls the field's hooks.
_FIELD_ORDER: dict[type, tuple[tuple[str, bool], ...]] = {}


class _FieldRecorder(cst.CSTVisitor):
    """Notes the fields libcst visits on one node, in its order (the order of the source)."""

    def __init__(self, node: cst.CSTNode) -> None:
        super().__init__()
        self._node = node
        self.fields: list[str] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        return node is self._node  # its own fields, not its children's

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        if attribute not in self.fields:
            self.fields.append(attribute)


def _field_order(node: cst.CSTNode) -> tuple[tuple[str, bool], ...]:
    node_class = type(node)
    order = _FIELD_ORDER.get(node_class)
    if order is None:
        recorder = _FieldRecorder(node)
        node.visit(recorder)  # rebuilds the node once per class: the price of asking publicly
        # Fields this node did not show: strings (no hooks) and an absent format spec.
        missing = [field.name for field in dataclasses.fields(node) if field.name not in recorder.fields]
        order = (
            *((name, True) for name in recorder.fields),
            *((name, name in _HOOKED_WHEN_PRESENT) for name in missing),
        )
        _FIELD_ORDER[node_class] = order
    return order


@dataclasses.dataclass(frozen=True)
class _FieldShape:
    """What a field can hold, by its declared type."""

    kind: Optional[_FieldKind]  # None: never a walked node
    classes: frozenset[type]  # the walked classes its nodes can be of


class UnknownFieldType(TypeError):
    """A libcst node class declares a field type the walk cannot read. Reading it as "no
    nodes" would silently skip what the field holds (a whole body, say): the walker is not made."""


# Per node class, the shape of each field.
_FIELD_SHAPES: dict[type, dict[str, _FieldShape]] = {}


def _field_shapes(node_class: type) -> dict[str, _FieldShape]:
    shapes = _FIELD_SHAPES.get(node_class)
    if shapes is None:
        # Resolved, not as written: a libcst module under ``from __future__ import annotations``
        # would declare every field type as a string.
        try:
            declared = typing.get_type_hints(node_class)
        except Exception as error:  # a name the defining module does not bind at run time
            raise UnknownFieldType(f"libcst.{node_class.__name__}: {error!r}") from error
        shapes = _FIELD_SHAPES[node_class] = {
            field.name: _shape(declared[field.name], f"libcst.{node_class.__name__}.{field.name}")
            for field in dataclasses.fields(node_class)
        }
    return shapes


def _shape(declared: Any, where: str) -> _FieldShape:
    """``Name``, ``Optional[BaseExpression]``, ``Sequence[Arg]``, ``Union[Sequence[ImportAlias], ImportStar]``..."""
    alternatives = _union_members(declared)
    singles: frozenset[type] = frozenset()
    elements: frozenset[type] = frozenset()
    for alternative in alternatives:
        if typing.get_origin(alternative) is Sequence:
            for element in _union_members(typing.get_args(alternative)[0]):
                elements |= _walked_classes(element, where)
        else:
            singles |= _walked_classes(alternative, where)
    if elements:
        return _FieldShape("sequence" if len(alternatives) == 1 else "either", singles | elements)
    return _FieldShape("node" if singles else None, singles)


def _union_members(declared: Any) -> tuple[Any, ...]:
    return typing.get_args(declared) if typing.get_origin(declared) is typing.Union else (declared,)


def _is_literal(origin: Any) -> bool:
    # libcst before 1.5 declares typing_extensions.Literal, a class of its own on Python 3.9.
    return origin is Literal or getattr(origin, "_name", None) == "Literal"


def _walked_classes(declared: Any, where: str) -> frozenset[type]:
    """The walked classes a value of the declared type can be of."""
    if _is_literal(typing.get_origin(declared)):
        return frozenset()  # a choice of strings
    if not isinstance(declared, type) or typing.get_origin(declared) is not None:
        raise UnknownFieldType(f"{where}: {declared!r}")
    return _WALKED_BY_BASE.get(declared, frozenset())


def _skip(visitor: Any, node: Any) -> None:
    """The walk of what it does not descend into: None, a sentinel, whitespace, a node calling nothing."""


class _Walkers(dict[type, _Walker]):
    """One visitor class's walker per node class, made when a node of that class is first met."""

    def __init__(self, visitor_class: type) -> None:
        super().__init__()
        self._visitor_class = visitor_class
        # The node class names it has hooks for: from "visit_If_body", every part before an
        # underscore ("If", "If_body"), since a class name may hold one.
        hooked = [name.split("_", 1)[1] for name in dir(visitor_class) if name.startswith(("visit_", "leave_"))]
        self._hooked_names = frozenset(
            name[:end] for name in hooked for end in (len(name), *(i for i, c in enumerate(name) if c == "_"))
        )
        self._inert: dict[type, bool] = {}

    def __missing__(self, node_class: type) -> _Walker:
        if node_class not in _WALKED:
            self[node_class] = _skip
            return _skip

        def first_walk(visitor: Any, node: cst.CSTNode) -> None:
            # The order of the fields is read from libcst on a node of the class.
            walker = self[node_class] = self._make(node)
            walker(visitor, node)

        self[node_class] = first_walk
        return first_walk

    def _is_inert(self, node_class: type) -> bool:
        """Walking a node of ``node_class`` calls nothing: the visitor has no hook for the class
        or its fields, and no field of the class can hold a walked node."""
        inert = self._inert.get(node_class)
        if inert is None:
            inert = self._inert[node_class] = node_class.__name__ not in self._hooked_names and all(
                shape.kind is None for shape in _field_shapes(node_class).values()
            )
        return inert

    def _make(self, node: cst.CSTNode) -> _Walker:
        """The function that walks a node of ``node``'s class, written as source code: one straight
        line of the hooks that exist and the fields that matter, no loop asking per node."""
        name = type(node).__name__
        shapes = _field_shapes(type(node))
        namespace: dict[str, Any] = {"walkers": self}

        def hook(method: str, hooked: bool) -> Optional[str]:
            found = getattr(self._visitor_class, method, None) if hooked else None
            if found is None:
                return None
            namespace[method] = found
            return method

        body: list[str] = []
        for field, hooked in _field_order(node):
            enter, exit_ = hook(f"visit_{name}_{field}", hooked), hook(f"leave_{name}_{field}", hooked)
            kind, classes = shapes[field].kind, shapes[field].classes
            if all(self._is_inert(child_class) for child_class in classes):
                kind = None
            when_present = f"if node.{field} is not None: " if field in _HOOKED_WHEN_PRESENT else ""
            if enter is not None:
                body.append(f"{when_present}{enter}(visitor, node)")
            if kind == "node":
                body += [f"child = node.{field}", "walkers[type(child)](visitor, child)"]
            elif kind == "sequence":
                body += [f"for child in node.{field}:", "    walkers[type(child)](visitor, child)"]
            elif kind == "either":
                body += [
                    f"children = node.{field}",
                    "if type(children) is tuple or type(children) is list:",
                    "    for child in children:",
                    "        walkers[type(child)](visitor, child)",
                    "else:",
                    "    walkers[type(children)](visitor, children)",
                ]
            if exit_ is not None:
                body.append(f"{when_present}{exit_}(visitor, node)")
        visit, leave = hook(f"visit_{name}", True), hook(f"leave_{name}", True)
        lines = [f"def walk_{name}(visitor, node):"]
        if visit is None:
            lines += [f"    {line}" for line in body]
        elif body:
            lines += [f"    if {visit}(visitor, node) is not False:", *(f"        {line}" for line in body)]
        else:
            lines.append(f"    {visit}(visitor, node)")
        if leave is not None:
            lines.append(f"    {leave}(visitor, node)")
        if len(lines) == 1:
            return _skip
        exec("\n".join(lines), namespace)  # made above from class, field and method names only
        walker: _Walker = namespace[f"walk_{name}"]
        return walker


class TreeVisitor:
    """Base class of the read-only visitors: define ``visit_<Type>`` etc. as for ``CSTVisitor``."""

    _walkers: _Walkers

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._walkers = _Walkers(cls)

    def walk(self, node: cst.CSTNode) -> None:
        self._walkers[type(node)](self, node)
