"""``TreeVisitor.walk`` calls a visitor's methods exactly as libcst's ``CSTNode.visit`` does.

Both walks record every hook they would call (``visit_<Type>``, ``visit_<Type>_<field>``, the
``leave_`` ones) on every fixture and on CPython's ``asyncio`` package; the sequences must be equal
once libcst's events inside whitespace, parentheses and operators (which ``walk`` skips) are
left out. The same holds for a visitor with a few hooks only, whose walk leaves out the fields
that cannot lead to one. One case checks that a ``visit_<Type>`` returning False skips the
children only. The walk learns everything through libcst's public API: which classes hold no
code (by public base classes, checked against the modules libcst defines them in), each class's
field order (by ``visit``) and field types (resolved, and refused when not understood).
"""

from __future__ import annotations

import dataclasses
import sysconfig
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Optional

import libcst as cst
import pytest

from flake8_asyncloop.engine import walk
from flake8_asyncloop.engine.walk import TreeVisitor
from tests.fixture_support import fixture_files

Event = tuple[str, str, int]  # (hook name, node type, id of the node)


class _LibcstRecorder(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.events: list[Event] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        if type(node) in walk._WALKED:
            self.events.append((f"visit_{type(node).__name__}", "", id(node)))
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        if type(original_node) in walk._WALKED:
            self.events.append((f"leave_{type(original_node).__name__}", "", id(original_node)))

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        if type(node) in walk._WALKED:
            self.events.append((f"visit_{type(node).__name__}", attribute, id(node)))

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        if type(original_node) in walk._WALKED:
            self.events.append((f"leave_{type(original_node).__name__}", attribute, id(original_node)))


def _recording_visitor_class(only: Optional[frozenset[tuple[str, str]]] = None) -> type[TreeVisitor]:
    """A TreeVisitor with every hook of every node class defined (or ``only`` those, as (hook,
    field) pairs), each recording its call."""
    methods: dict[str, Any] = {}
    for node_class in walk._WALKED:
        if not dataclasses.is_dataclass(node_class):
            continue
        name = node_class.__name__
        for prefix in ("visit", "leave"):
            for attribute in ("", *(node_field.name for node_field in dataclasses.fields(node_class))):
                if only is None or (f"{prefix}_{name}", attribute) in only:
                    method = f"{prefix}_{name}_{attribute}" if attribute else f"{prefix}_{name}"
                    methods[method] = _recorder(f"{prefix}_{name}", attribute)
    return type("_TreeRecorder", (TreeVisitor,), methods)


def _recorder(hook: str, attribute: str) -> Any:
    def record(self: Any, node: cst.CSTNode) -> None:
        self.events.append((hook, attribute, id(node)))

    return record


_TreeRecorder = _recording_visitor_class()


def _events_of_both(module: cst.Module) -> tuple[list[Event], list[Event]]:
    libcst_recorder = _LibcstRecorder()
    module.visit(libcst_recorder)
    tree_recorder: Any = _TreeRecorder()
    tree_recorder.events = []
    tree_recorder.walk(module)
    return libcst_recorder.events, tree_recorder.events


def _fixtures_and_asyncio() -> list[Path]:
    stdlib_asyncio = Path(sysconfig.get_paths()["stdlib"]) / "asyncio"
    return [*fixture_files(), *sorted(stdlib_asyncio.glob("*.py"))]


def test_walk_matches_libcst_visit() -> None:
    paths = _fixtures_and_asyncio()
    assert len(paths) > 50
    for path in paths:
        module = cst.parse_module(path.read_text(encoding="utf-8"))
        expected, walked = _events_of_both(module)
        assert walked == expected, path


# A visitor with a few hooks: no Name hooks (so Attribute.attr, Param.name... are not read) and
# field hooks on some classes only.
_FEW_HOOKS = frozenset({
    ("visit_Call", ""), ("leave_Call", ""), ("visit_Attribute", ""), ("visit_If", "body"), ("leave_If", "orelse"),
    ("leave_Lambda", ""), ("visit_Arg", "value"), ("visit_FormattedStringExpression", "format_spec"),
    ("visit_IndentedBlock", ""), ("visit_ImportAlias", ""), ("leave_CompFor", "inner_for_in"),
})
_FewHooksRecorder = _recording_visitor_class(_FEW_HOOKS)


def test_walk_with_few_hooks_matches_libcst_visit() -> None:
    """Fields are read only where they can lead to a hook: the calls are still libcst's."""
    sources = [path.read_text(encoding="utf-8") for path in _fixtures_and_asyncio()]
    for source in [*sources, _RARE_SYNTAX]:
        module = cst.parse_module(source)
        libcst_recorder = _LibcstRecorder()
        module.visit(libcst_recorder)
        few: Any = _FewHooksRecorder()
        few.events = []
        few.walk(module)
        assert few.events == [event for event in libcst_recorder.events if event[:2] in _FEW_HOOKS]


_RARE_SYNTAX = (
    "from . import (a as b, c)\nfrom .m import *\n"
    "x = f'{a!r:{width}.{precision}}' + f'{b=}' + (lambda *p, k=1, **kw: p)(1)\n"
    "match x:\n    case {'k': [1, *rest], **others} if rest: pass\n    case C(a=1) | None as y: pass\n"
    "async def g():\n    async with a as (b, c): yield [i async for i in b if await c for j in i]\n"
    "try:\n    pass\nexcept* (E, F) as e:\n    del x[1:2, ::3]\n"
    "@d.e(1)\nclass K(B, metaclass=M):\n    v: int = 1\n    global q\n"
)


def test_walk_matches_on_rare_syntax() -> None:
    expected, walked = _events_of_both(cst.parse_module(_RARE_SYNTAX))
    assert walked == expected


def test_false_from_visit_skips_the_children_but_not_the_leave() -> None:
    class NoCallArguments(TreeVisitor):
        def __init__(self) -> None:
            self.names: list[str] = []
            self.left: list[str] = []

        def visit_Call(self, node: cst.Call) -> bool:
            return False

        def leave_Call(self, original_node: cst.Call) -> None:
            self.left.append(cst.Module([]).code_for_node(original_node))

        def visit_Name(self, node: cst.Name) -> None:
            self.names.append(node.value)

    visitor = NoCallArguments()
    visitor.walk(cst.parse_module("a = f(b)\nc = d\n"))
    assert visitor.names == ["a", "c", "d"]
    assert visitor.left == ["f(b)"]


def test_classes_holding_no_code_are_those_of_libcst_s_operator_and_whitespace_modules() -> None:
    """The public classification equals the one by defining module it replaced, on every node
    class libcst exports (its private helper bases and the classes its slots decorator replaced
    are never instantiated)."""
    every = walk._all_subclasses(cst.CSTNode)
    exported = [node_class for node_class in every if getattr(cst, node_class.__name__, None) is node_class]
    assert len(exported) > 150
    brackets = (
        cst.LeftParen, cst.RightParen, cst.LeftSquareBracket, cst.RightSquareBracket, cst.LeftCurlyBrace,
        cst.RightCurlyBrace,
    )
    for node_class in exported:
        by_module = node_class.__module__ in ("libcst._nodes.op", "libcst._nodes.whitespace") or node_class in brackets
        assert (node_class not in walk._WALKED) == by_module, node_class


@dataclasses.dataclass(frozen=True)
class _Stringly(cst.CSTNode):  # as under ``from __future__ import annotations``
    body: "Sequence[cst.BaseStatement]"
    test: "Optional[cst.BaseExpression]"
    name: "str"


def test_field_types_written_as_strings_are_resolved() -> None:
    shapes = walk._field_shapes(_Stringly)
    assert shapes["body"] == walk._FieldShape("sequence", walk._WALKED_BY_BASE[cst.BaseStatement])
    assert shapes["test"] == walk._FieldShape("node", walk._WALKED_BY_BASE[cst.BaseExpression])
    assert shapes["name"] == walk._FieldShape(None, frozenset())


@dataclasses.dataclass(frozen=True)
class _Unresolvable(cst.CSTNode):
    body: "Sequence[NotDefinedAnywhere]"  # type: ignore[name-defined]  # noqa: F821


@dataclasses.dataclass(frozen=True)
class _UnknownShape(cst.CSTNode):
    body: "list[cst.BaseStatement]"


@pytest.mark.parametrize("node_class", [_Unresolvable, _UnknownShape])
def test_a_field_type_the_walk_cannot_read_stops_it(node_class: type) -> None:
    """Rather than a walker that silently skips what the field holds."""
    with pytest.raises(walk.UnknownFieldType, match=node_class.__name__):
        walk._field_shapes(node_class)
