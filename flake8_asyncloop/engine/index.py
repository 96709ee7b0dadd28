"""One pass over a libcst module that records what every later question needs.

The pass builds Python's scopes and the bindings in each (imports, definitions, assignments,
parameters), the functions and classes, and every call with the scope and function it runs in.
Nothing here resolves names: bindings made later in a function still shadow earlier uses (as in
Python), so resolution waits until the whole module has been seen (see ``names.py``).
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterator, Literal, Optional, Protocol, Sequence, Union

import libcst as cst
from libcst.helpers import get_full_name_for_node

from flake8_asyncloop.engine.guards import EVERYWHERE, Reach, condition_reach, ends_in_exit
from flake8_asyncloop.engine.walk import TreeVisitor

ScopeKind = Literal["module", "class", "function", "lambda", "comprehension"]
BindingKind = Literal["import", "relative", "alias", "none", "value", "def", "class", "self", "other"]
FunctionNode = Union[cst.FunctionDef, cst.Lambda]
# Context managers of test frameworks that expect the body to raise.
_EXPECTING_ERRORS = frozenset({"assertRaises", "assertRaisesRegex", "raises"})

_RUNTIME_ERROR_CATCHERS = frozenset(
    {"RuntimeError", "Exception", "BaseException", "builtins.RuntimeError", "builtins.Exception"}
)


@dataclass(eq=False)
class Binding:
    """One way a name gets bound in a scope.

    ``import``: ``qualified`` is the imported dotted name (``node``: the ``from`` import statement
    that binds it); ``relative``: the same for a relative import, its dots first
    (``.client.Client``), which no API ever is. ``alias``: ``value`` is the Name or Attribute
    assigned. ``none``: assigned ``None`` (the optional-import idiom). ``value``: assigned
    some other expression, kept in ``value``. ``def``/``class``: ``node`` is the definition.
    ``self``: the first parameter of a method of ``owner``. ``other``: anything else.
    """

    kind: BindingKind
    scope: "Scope"
    qualified: Optional[str] = None
    value: Optional[cst.BaseExpression] = None
    node: Optional[cst.CSTNode] = None
    owner: Optional["ClassInfo"] = None


@dataclass(eq=False)
class Scope:
    kind: ScopeKind
    parent: Optional["Scope"]
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    global_names: set[str] = field(default_factory=set)
    star_imports: list[str] = field(default_factory=list)

    def bind(self, name: str, binding: Binding) -> None:
        target = self.module if name in self.global_names else self
        target.bindings.setdefault(name, []).append(binding)

    @property
    def module(self) -> "Scope":
        scope = self
        while scope.parent is not None:
            scope = scope.parent
        return scope

    def lookup(self, name: str) -> Optional[list[Binding]]:
        """The bindings a use of ``name`` in this scope sees, by Python's rules (class scopes are
        visible only to their own body), or None for a global never bound in this module."""
        scope: Optional[Scope] = self.module if name in self.global_names else self
        first = True
        while scope is not None:
            if (first or scope.kind != "class") and name in scope.bindings:
                return scope.bindings[name]
            first = False
            scope = scope.parent
        return None


@dataclass(eq=False)
class ClassInfo:
    node: cst.ClassDef
    outer_scope: Scope
    scope: Scope
    methods: dict[str, "FunctionInfo"] = field(default_factory=dict)
    # Values assigned to ``self.<attribute>`` in the class's methods.
    attribute_values: dict[str, list[cst.BaseExpression]] = field(default_factory=dict)
    reach: Reach = EVERYWHERE  # the versions and platforms the guards around the class let through

    @property
    def name(self) -> str:
        return self.node.name.value


@dataclass(eq=False)
class FunctionInfo:
    node: FunctionNode
    outer_scope: Scope
    scope: Scope
    is_async: bool
    owner_class: Optional[ClassInfo]
    self_name: Optional[str]
    parameters: frozenset[str] = frozenset()
    calls: list["CallSite"] = field(default_factory=list)
    # A ``yield`` in its body: calling it runs none of the body (a generator, or a context
    # manager's body run in part by ``with``).
    is_generator: bool = False

    @property
    def name(self) -> str:
        return self.node.name.value if isinstance(self.node, cst.FunctionDef) else "<lambda>"


@dataclass(eq=False)
class Assignment:
    """``target = value`` (one target), ``target: T = value``, or ``with value as target``."""

    target: cst.BaseExpression
    value: cst.BaseExpression
    scope: Scope
    function: Optional[FunctionInfo]
    # The statement line holding it (None for ``with`` items and one-line compound bodies).
    statement: Optional[cst.SimpleStatementLine]


# Which alternative of a statement a block is: an ``if``/``elif``/``else`` position, a ``try``'s
# "body" or "else", or one of its handlers.
Branch = Union[str, cst.ExceptHandler]


@dataclass(eq=False)
class CallSite:
    node: cst.Call
    scope: Scope
    function: Optional[FunctionInfo]
    guarded_by_runtime_error: bool
    reach: Reach  # the versions and platforms its guards let through
    statement: Optional[cst.SimpleStatementLine]  # the statement line holding it, if any
    # Runs only when a parameter is missing: "loop = loop or get_event_loop()",
    # "if loop is None: loop = get_event_loop()".
    parameter_fallback: bool = False
    # The statement blocks that enclose it, outermost first: a call whose blocks are a prefix of
    # another's runs whenever that one does, if it comes first.
    blocks: tuple[cst.BaseSuite, ...] = ()
    # Its function has a ``return`` before it that not every run reaches (in an ``if``, a loop):
    # a run of the function may end before this call.
    after_early_return: bool = False

    @property
    def is_whole_statement(self) -> bool:
        """The call is its statement line's only content (``f()`` alone, its value unused)."""
        statement = self.statement
        return (
            statement is not None
            and len(statement.body) == 1
            and isinstance(statement.body[0], cst.Expr)
            and statement.body[0].value is self.node
        )

    def always_runs_before(self, later: "Placed") -> bool:
        """Given that this call comes first in the same body, whether it runs whenever ``later``
        does: every block around it also encloses ``later`` (not an ``if`` branch of its own)."""
        return _encloses(self.blocks, later)


class Placed(Protocol):
    """What sits in the blocks of a body: a call, an import."""

    @property
    def blocks(self) -> tuple[cst.BaseSuite, ...]: ...


@dataclass(eq=False)
class ImportSite:
    """An ``import`` or ``from ... import`` statement: it runs the modules it names."""

    node: Union[cst.Import, cst.ImportFrom]
    function: Optional[FunctionInfo]
    blocks: tuple[cst.BaseSuite, ...]
    after_early_return: bool
    calls_before: int  # how many calls of its body come before it
    # The modules it runs, in order, as written (``a``, ``a.b``; ``.client``), and for ``from m
    # import n`` the names, which may be modules of a package too.
    modules: tuple[str, ...]
    names: tuple[str, ...] = ()
    reach: Reach = EVERYWHERE  # the versions and platforms its guards let through
    statement: Optional[cst.SimpleStatementLine] = None  # the statement line holding it

    def always_runs_before(self, later: Placed) -> bool:
        """As ``CallSite.always_runs_before``, for the import."""
        return _encloses(self.blocks, later)


def _encloses(blocks: tuple[cst.BaseSuite, ...], later: Placed) -> bool:
    return later.blocks[: len(blocks)] == blocks


def assigned_names(target: cst.BaseExpression) -> Iterator[str]:
    """The plain names an assignment target binds (``a``, ``a, *b``, ``[a, (b, c)]``)."""
    if isinstance(target, cst.Name):
        yield target.value
    elif isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            yield from assigned_names(element.value)
    elif isinstance(target, cst.StarredElement):
        yield from assigned_names(target.value)


def _catches_runtime_error(handlers: Sequence[Union[cst.ExceptHandler, cst.ExceptStarHandler]]) -> bool:
    for handler in handlers:
        if handler.type is None:
            return True
        if isinstance(handler.type, cst.Tuple):
            types = [element.value for element in handler.type.elements]
        else:
            types = [handler.type]
        for expr in types:
            if get_full_name_for_node(expr) in _RUNTIME_ERROR_CATCHERS:
                return True
    return False


def _suppresses_runtime_error(items: Sequence[cst.WithItem]) -> bool:
    """``with contextlib.suppress(RuntimeError):`` (or Exception) around the body, or a test's
    ``with self.assertRaises(...)`` / ``pytest.raises(...)``, which expects the error."""
    for item in items:
        call = item.item
        if not isinstance(call, cst.Call):
            continue
        name = get_full_name_for_node(call.func) or ""
        if name.rsplit(".", 1)[-1] in _EXPECTING_ERRORS:
            return True
        if name in ("suppress", "contextlib.suppress"):
            if any(get_full_name_for_node(arg.value) in _RUNTIME_ERROR_CATCHERS for arg in call.args):
                return True
    return False


# ``@asyncio.coroutine`` is gone in 3.11 (an AttributeError where the decorator is applied).
_COROUTINE_REMOVED = 11


def _is_removed_decorator(decorator: cst.Decorator) -> bool:
    """``@asyncio.coroutine`` (as written: the index resolves no names)."""
    return get_full_name_for_node(decorator.decorator) == "asyncio.coroutine"


def _is_type_checking(test: cst.BaseExpression) -> bool:
    """``if TYPE_CHECKING:`` or ``if typing.TYPE_CHECKING:``: true for type checkers only."""
    name = get_full_name_for_node(test)
    return name is not None and name.rsplit(".", 1)[-1] == "TYPE_CHECKING"


def _is_main_test(test: cst.BaseExpression) -> bool:
    """``__name__ == "__main__"`` (either way round)."""
    if not (isinstance(test, cst.Comparison) and len(test.comparisons) == 1):
        return False
    target = test.comparisons[0]
    if not isinstance(target.operator, cst.Equal):
        return False
    sides = [test.left, target.comparator]
    names = [side.value for side in sides if isinstance(side, cst.Name)]
    strings = [side.evaluated_value for side in sides if isinstance(side, cst.SimpleString)]
    return names == ["__name__"] and strings == ["__main__"]


def _is_staticmethod(node: cst.FunctionDef) -> bool:
    return any(get_full_name_for_node(d.decorator) == "staticmethod" for d in node.decorators)


def _first_positional_param(params: cst.Parameters) -> Optional[str]:
    positional = list(params.posonly_params) + list(params.params)
    return positional[0].name.value if positional else None


def _all_params(params: cst.Parameters) -> Iterator[cst.Param]:
    yield from params.posonly_params
    yield from params.params
    if isinstance(params.star_arg, cst.Param):
        yield params.star_arg
    yield from params.kwonly_params
    if params.star_kwarg is not None:
        yield params.star_kwarg


class ModuleIndex(TreeVisitor):
    """Scopes, bindings, functions, classes and calls of one module, in source order."""

    def __init__(self, module: cst.Module) -> None:
        super().__init__()
        self.module = module
        self.module_scope = Scope("module", None)
        self._scopes = [self.module_scope]  # every scope, for ``release``
        self.functions: dict[cst.CSTNode, FunctionInfo] = {}  # a def or a lambda -> info
        self.classes: dict[cst.ClassDef, ClassInfo] = {}
        self.calls: list[CallSite] = []  # in evaluation order: arguments before the call
        self.assignments: list[Assignment] = []
        self.call_sites: dict[cst.Call, CallSite] = {}
        self.imports: list[ImportSite] = []
        self._type_checking = 0  # inside ``if TYPE_CHECKING:`` bodies
        # The bodies of ``if __name__ == "__main__":``, which an import does not run.
        self.main_blocks: set[cst.BaseSuite] = set()
        self._module_calls = 0  # calls of the module's own body so far
        # Every call in the order their code starts (a call before the calls inside it).
        self.calls_in_source_order: list[cst.Call] = []
        self._scope = self.module_scope
        self._functions: list[Optional[FunctionInfo]] = [None]
        self._classes: list[Optional[ClassInfo]] = [None]
        # One stack of "inside a try body that catches RuntimeError" per function being visited.
        self._guards: list[list[bool]] = [[]]
        # Per function being visited: whether a conditional ``return`` came before.
        self._returned: list[bool] = [False]
        self._statement: Optional[cst.SimpleStatementLine] = None
        # What the enclosing version and platform guards let through, innermost last; and per
        # block, how many early-exit guards ("if ...: return") narrow the rest of that block.
        self._reach: list[Reach] = [EVERYWHERE]
        self._fallbacks: list[cst.CSTNode] = []  # enclosing parameter-fallback expressions
        self._exits_per_block: list[int] = [0]
        self._blocks: list[cst.BaseSuite] = []
        # Blocks that are alternatives of one statement: block -> (statement, branch). Two
        # blocks of the same statement with different branches never both run, except a try
        # body, which may run (in part) before any handler.
        self.branches: dict[cst.BaseSuite, tuple[cst.CSTNode, Branch]] = {}
        self._next_branch: Optional[tuple[cst.CSTNode, Branch]] = None
        self._if_chains: dict[cst.If, tuple[cst.If, int]] = {}  # elif If -> (first If, position)
        # A statement -> the ``if`` (with no ``else``) whose body is that statement alone.
        self.if_of_sole_statement: dict[cst.BaseStatement, cst.If] = {}
        self.with_bodies: dict[cst.BaseSuite, cst.With] = {}  # each ``with`` statement by its body
        # condition_reach() per test expression: an if's test is asked for its body, its else
        # and, after an early exit, the rest of the block.
        self._test_reach: dict[cst.BaseExpression, tuple[Reach, Reach]] = {}
        self._tries: list[cst.Try] = []
        self.walk(module)

    @functools.cached_property
    def name_counts(self) -> Counter[str]:
        """How often each identifier occurs as a Name node (definitions, uses, attributes).

        Counted on first use, by a walk of its own: one rule asks, in few modules."""
        counter = _NameCounter()
        counter.walk(self.module)
        return counter.counts

    def may_run_before(self, first: Placed, later: Placed) -> bool:
        """Given that ``first`` comes first in the same body, whether one run can execute both:
        not when they sit in two branches of one ``if``/``elif``/``else``, in two handlers of one
        ``try``, or in a handler and that ``try``'s ``else``."""
        for outer, inner in zip(first.blocks, later.blocks):
            if outer != inner:
                first_branch, later_branch = self.branches.get(outer), self.branches.get(inner)
                if first_branch is None or later_branch is None or first_branch[0] != later_branch[0]:
                    return True
                return "body" in (first_branch[1], later_branch[1])
        return True

    def release(self) -> None:
        """Break the index's reference cycles (a scope and its bindings, a function and its
        calls, a class and its methods), so that once its caller drops it, reference counting
        frees it with the tree at once, rather than a collection that walks the whole tree. The
        index is unusable afterwards."""
        for scope in self._scopes:
            scope.bindings.clear()
        for function in self.functions.values():
            function.calls.clear()
        for info in self.classes.values():
            info.methods.clear()

    def function_for(self, node: cst.CSTNode) -> Optional[FunctionInfo]:
        return self.functions.get(node)

    def class_for(self, node: cst.CSTNode) -> Optional[ClassInfo]:
        return self.classes.get(node) if isinstance(node, cst.ClassDef) else None

    # -- scopes -------------------------------------------------------------------------------

    def _push(self, kind: ScopeKind) -> Scope:
        self._scope = Scope(kind, self._scope)
        self._scopes.append(self._scope)
        return self._scope

    def _pop(self) -> None:
        assert self._scope.parent is not None
        self._scope = self._scope.parent

    def _enter_function(self, node: FunctionNode, params: cst.Parameters, is_async: bool) -> None:
        outer = self._scope
        # A method is a def directly in a class body; its first parameter is the instance.
        owner = self._classes[-1] if outer.kind == "class" and isinstance(node, cst.FunctionDef) else None
        self_name = None
        if owner is not None and isinstance(node, cst.FunctionDef) and not _is_staticmethod(node):
            self_name = _first_positional_param(params)
        scope = self._push("function" if isinstance(node, cst.FunctionDef) else "lambda")
        parameters = frozenset(param.name.value for param in _all_params(params))
        info = FunctionInfo(node, outer, scope, is_async, owner, self_name, parameters)
        self.functions[node] = info
        if owner is not None and isinstance(node, cst.FunctionDef):
            owner.methods[node.name.value] = info
        for param in _all_params(params):
            name = param.name.value
            if name == self_name and owner is not None:
                scope.bind(name, Binding("self", scope, owner=owner))
            else:
                scope.bind(name, Binding("other", scope))
        self._functions.append(info)
        self._classes.append(None)
        self._guards.append([])
        self._returned.append(False)

    def _leave_function(self) -> None:
        self._functions.pop()
        self._classes.pop()
        self._guards.pop()
        self._returned.pop()
        self._pop()

    def visit_Return(self, node: cst.Return) -> None:
        function = self._functions[-1]
        if function is not None and not (self._blocks and self._blocks[-1] is function.node.body):
            self._returned[-1] = True

    def visit_Yield(self, node: cst.Yield) -> None:
        function = self._functions[-1]
        if function is not None:
            function.is_generator = True

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._scope.bind(node.name.value, Binding("def", self._scope, node=node))
        if self._functions[-1] is None and any(_is_removed_decorator(d) for d in node.decorators):
            # At import time the decorator raises from the version that removed it: the rest of
            # the block runs only on the versions before.
            self._reach.append(self._reach[-1] & Reach.of(minors=frozenset(range(_COROUTINE_REMOVED))))
            self._exits_per_block[-1] += 1

    def visit_FunctionDef_body(self, node: cst.FunctionDef) -> None:
        # Decorators, defaults and annotations were evaluated in the enclosing scope; the body
        # is the function's own.
        self._enter_function(node, node.params, node.asynchronous is not None)

    def leave_FunctionDef_body(self, node: cst.FunctionDef) -> None:
        self._leave_function()

    def visit_Lambda_body(self, node: cst.Lambda) -> None:
        self._enter_function(node, node.params, False)

    def leave_Lambda_body(self, node: cst.Lambda) -> None:
        self._leave_function()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._scope.bind(node.name.value, Binding("class", self._scope, node=node))

    def visit_ClassDef_body(self, node: cst.ClassDef) -> None:
        outer = self._scope
        info = ClassInfo(node, outer, self._push("class"), reach=self._reach[-1])
        self.classes[node] = info
        self._classes.append(info)

    def leave_ClassDef_body(self, node: cst.ClassDef) -> None:
        self._classes.pop()
        self._pop()

    def visit_ListComp(self, node: cst.ListComp) -> None:
        self._push("comprehension")

    def leave_ListComp(self, original_node: cst.ListComp) -> None:
        self._pop()

    def visit_SetComp(self, node: cst.SetComp) -> None:
        self._push("comprehension")

    def leave_SetComp(self, original_node: cst.SetComp) -> None:
        self._pop()

    def visit_DictComp(self, node: cst.DictComp) -> None:
        self._push("comprehension")

    def leave_DictComp(self, original_node: cst.DictComp) -> None:
        self._pop()

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> None:
        self._push("comprehension")

    def leave_GeneratorExp(self, original_node: cst.GeneratorExp) -> None:
        self._pop()

    # -- bindings -----------------------------------------------------------------------------

    def _bind_other(self, target: cst.BaseExpression) -> None:
        for name in assigned_names(target):
            self._scope.bind(name, Binding("other", self._scope))

    def _record_import(self, node: Union[cst.Import, cst.ImportFrom], modules: list[str], names: list[str]) -> None:
        if self._type_checking:
            return  # ``if TYPE_CHECKING:`` imports never run
        function = self._functions[-1]
        calls_before = len(function.calls) if function is not None else self._module_calls
        site = ImportSite(
            node,
            function,
            tuple(self._blocks),
            self._returned[-1],
            calls_before,
            tuple(modules),
            tuple(names),
            self._reach[-1],
            self._statement,
        )
        self.imports.append(site)

    def visit_Import(self, node: cst.Import) -> None:
        modules: list[str] = []
        for alias in node.names:
            dotted = get_full_name_for_node(alias.name)
            if dotted is None:
                continue
            parts = dotted.split(".")
            modules.extend(".".join(parts[: count + 1]) for count in range(len(parts)))
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self._scope.bind(alias.asname.name.value, Binding("import", self._scope, qualified=dotted))
            else:
                top = dotted.split(".", 1)[0]
                self._scope.bind(top, Binding("import", self._scope, qualified=top))
        self._record_import(node, modules, [])

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        module = get_full_name_for_node(node.module) if node.module is not None else None
        absolute = module is not None and not node.relative
        # ``from ..a import b``: the module written with its dots; API names are never relative.
        written = "." * len(node.relative) + (module or "")
        if isinstance(node.names, cst.ImportStar):
            if absolute and module is not None:
                self._scope.star_imports.append(module)
            self._record_import(node, [written], [])
            return
        names = []
        for alias in node.names:
            name = get_full_name_for_node(alias.name)
            if name is None:
                continue
            names.append(name)
            local = name
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local = alias.asname.name.value
            if absolute:
                bound = Binding("import", self._scope, qualified=f"{module}.{name}", node=node)
                self._scope.bind(local, bound)
            else:
                # Relative imports resolve to no API: the name is shadowed, never misattributed.
                qualified = f"{written}.{name}" if module else f"{written}{name}"
                self._scope.bind(local, Binding("relative", self._scope, qualified=qualified))
        parts = written.split(".") if absolute else [written]
        modules = [".".join(parts[: count + 1]) for count in range(len(parts))]
        self._record_import(node, modules, names)

    def _bind_assignment(self, target: cst.BaseExpression, value: Optional[cst.BaseExpression]) -> None:
        if value is not None:
            self.assignments.append(Assignment(target, value, self._scope, self._functions[-1], self._statement))
        if isinstance(target, cst.Name) and value is not None:
            if isinstance(value, cst.Name) and value.value == "None":
                kind: BindingKind = "none"
            elif isinstance(value, (cst.Name, cst.Attribute)):
                kind = "alias"
            else:
                kind = "value"
            self._scope.bind(target.value, Binding(kind, self._scope, value=value))
            return
        if isinstance(target, cst.Attribute) and value is not None:
            self._record_self_attribute(target, value)
        self._bind_other(target)

    def _record_self_attribute(self, target: cst.Attribute, value: cst.BaseExpression) -> None:
        function = self._functions[-1]
        if function is None or function.owner_class is None or function.self_name is None:
            return
        if isinstance(target.value, cst.Name) and target.value.value == function.self_name:
            function.owner_class.attribute_values.setdefault(target.attr.value, []).append(value)

    def visit_Assign(self, node: cst.Assign) -> None:
        single = len(node.targets) == 1
        for target in node.targets:
            self._bind_assignment(target.target, node.value if single else None)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._bind_assignment(node.target, node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._bind_other(node.target)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        # ``(loop := new_event_loop())`` binds in the enclosing function or module, even from
        # inside a comprehension (PEP 572).
        inner = self._scope
        while self._scope.kind == "comprehension" and self._scope.parent is not None:
            self._scope = self._scope.parent
        try:
            self._bind_assignment(node.target, node.value)
        finally:
            self._scope = inner

    def visit_For(self, node: cst.For) -> None:
        self._bind_other(node.target)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._bind_other(node.target)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._bind_assignment(node.asname.name, node.item)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self._bind_other(node.name.name)

    def visit_ExceptStarHandler(self, node: cst.ExceptStarHandler) -> None:
        if node.name is not None:
            self._bind_other(node.name.name)

    def visit_MatchAs(self, node: cst.MatchAs) -> None:
        if node.name is not None:
            self._bind_other(node.name)

    def visit_MatchStar(self, node: cst.MatchStar) -> None:
        if node.name is not None:
            self._bind_other(node.name)

    def visit_MatchMapping(self, node: cst.MatchMapping) -> None:
        if node.rest is not None:
            self._bind_other(node.rest)

    def visit_Global(self, node: cst.Global) -> None:
        for item in node.names:
            self._scope.global_names.add(item.name.value)

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self._statement = node

    def leave_SimpleStatementLine(self, original_node: cst.SimpleStatementLine) -> None:
        self._statement = None

    # -- version and platform guards ------------------------------------------------------------

    def _condition_reach(self, test: cst.BaseExpression) -> tuple[Reach, Reach]:
        # Inlined again each time: a constant's binding may change while the if is walked.
        inlined = self._inline_constants(test, 0)
        known = self._test_reach.get(inlined)
        if known is None:
            known = self._test_reach[inlined] = condition_reach(inlined)
        return known

    def _inline_constants(self, test: cst.BaseExpression, depth: int) -> cst.BaseExpression:
        """``PY38`` in ``if PY38:`` replaced by its module-level definition, ``PY38 =
        sys.version_info >= (3, 8)``, when that is its only binding (also under ``not``,
        ``and``, ``or``), so compatibility constants guard like the test they name."""
        if depth > 8:
            return test
        if isinstance(test, cst.Name):
            bindings = self.module_scope.bindings.get(test.value, [])
            if len(bindings) == 1 and bindings[0].kind == "value" and bindings[0].value is not None:
                value = bindings[0].value
                if isinstance(value, (cst.Comparison, cst.BooleanOperation, cst.UnaryOperation, cst.Name)):
                    return self._inline_constants(value, depth + 1)
            return test
        # A test with nothing inlined stays the same node, whose reach is then worked out once.
        if isinstance(test, cst.UnaryOperation):
            expression = self._inline_constants(test.expression, depth + 1)
            return test if expression is test.expression else test.with_changes(expression=expression)
        if isinstance(test, cst.BooleanOperation):
            left, right = self._inline_constants(test.left, depth + 1), self._inline_constants(test.right, depth + 1)
            return test if left is test.left and right is test.right else test.with_changes(left=left, right=right)
        return test

    def visit_If_body(self, node: cst.If) -> None:
        chain, position = self._if_chains.get(node, (node, 0))
        self._next_branch = (chain, str(position))
        if isinstance(node.orelse, cst.If):
            self._if_chains[node.orelse] = (chain, position + 1)
        self._reach.append(self._reach[-1] & self._condition_reach(node.test)[0])
        if self._is_missing_parameter_test(node.test):
            self._fallbacks.append(node)
        if _is_type_checking(node.test):
            self._type_checking += 1
        if _is_main_test(node.test):
            self.main_blocks.add(node.body)

    def leave_If_body(self, node: cst.If) -> None:
        self._reach.pop()
        if _is_type_checking(node.test):
            self._type_checking -= 1
        self._end_fallback(node)

    def _end_fallback(self, node: cst.CSTNode) -> None:
        """Leave ``node``'s fallback part, if it was one (``_fallbacks``)."""
        if self._fallbacks and self._fallbacks[-1] is node:
            self._fallbacks.pop()

    def _is_parameter(self, expr: cst.BaseExpression) -> bool:
        function = self._functions[-1]
        return function is not None and isinstance(expr, cst.Name) and expr.value in function.parameters

    def _is_missing_parameter_test(self, test: cst.BaseExpression) -> bool:
        """``param is None`` or ``not param``."""
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            return self._is_parameter(test.expression)
        return self._compares_parameter_to_none(test, cst.Is)

    def _is_given_parameter_test(self, test: cst.BaseExpression) -> bool:
        """``param is not None`` or ``param``."""
        return self._is_parameter(test) or self._compares_parameter_to_none(test, cst.IsNot)

    def _compares_parameter_to_none(self, test: cst.BaseExpression, operator: type[cst.BaseCompOp]) -> bool:
        """``param is None`` (``operator``: ``cst.Is``) or ``param is not None`` (``cst.IsNot``)."""
        return (
            isinstance(test, cst.Comparison)
            and len(test.comparisons) == 1
            and isinstance(test.comparisons[0].operator, operator)
            and isinstance(test.comparisons[0].comparator, cst.Name)
            and test.comparisons[0].comparator.value == "None"
            and self._is_parameter(test.left)
        )

    def visit_IfExp_body(self, node: cst.IfExp) -> None:
        if self._is_missing_parameter_test(node.test):
            self._fallbacks.append(node)  # ``get_event_loop() if loop is None else loop``

    def leave_IfExp_body(self, node: cst.IfExp) -> None:
        self._end_fallback(node)

    def visit_IfExp_orelse(self, node: cst.IfExp) -> None:
        if self._is_given_parameter_test(node.test):
            self._fallbacks.append(node)  # ``loop if loop is not None else get_event_loop()``

    def leave_IfExp_orelse(self, node: cst.IfExp) -> None:
        self._end_fallback(node)

    def visit_BooleanOperation_right(self, node: cst.BooleanOperation) -> None:
        if isinstance(node.operator, cst.Or) and self._is_parameter(node.left):
            self._fallbacks.append(node)

    def leave_BooleanOperation_right(self, node: cst.BooleanOperation) -> None:
        self._end_fallback(node)

    def visit_If_orelse(self, node: cst.If) -> None:
        if isinstance(node.orelse, cst.Else):
            chain, position = self._if_chains.get(node, (node, 0))
            self._next_branch = (chain, str(position + 1))
        self._reach.append(self._reach[-1] & self._condition_reach(node.test)[1])

    def leave_If_orelse(self, node: cst.If) -> None:
        self._reach.pop()

    def leave_If(self, original_node: cst.If) -> None:
        body = original_node.body
        if original_node.orelse is None and isinstance(body, cst.IndentedBlock) and len(body.body) == 1:
            self.if_of_sole_statement[body.body[0]] = original_node
        # "if sys.version_info < (3, 8): raise ImportError(...)" narrows the rest of the block.
        if original_node.orelse is None and ends_in_exit(original_node.body):
            self._reach.append(self._reach[-1] & self._condition_reach(original_node.test)[1])
            self._exits_per_block[-1] += 1

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self._exits_per_block.append(0)
        self._enter_block(node)

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock) -> None:
        for _ in range(self._exits_per_block.pop()):
            self._reach.pop()
        self._blocks.pop()

    def visit_SimpleStatementSuite(self, node: cst.SimpleStatementSuite) -> None:
        self._enter_block(node)

    def _enter_block(self, node: cst.BaseSuite) -> None:
        self._blocks.append(node)
        if self._next_branch is not None:
            self.branches[node] = self._next_branch
            self._next_branch = None

    def leave_SimpleStatementSuite(self, original_node: cst.SimpleStatementSuite) -> None:
        self._blocks.pop()

    # -- try guards and calls -----------------------------------------------------------------

    def visit_Try(self, node: cst.Try) -> None:
        self._tries.append(node)

    def leave_Try(self, original_node: cst.Try) -> None:
        self._tries.pop()

    def visit_ExceptHandler_body(self, node: cst.ExceptHandler) -> None:
        if self._tries:
            self._next_branch = (self._tries[-1], node)

    def visit_Try_orelse(self, node: cst.Try) -> None:
        if node.orelse is not None:
            self._next_branch = (node, "else")

    def visit_Try_body(self, node: cst.Try) -> None:
        self._next_branch = (node, "body")
        self._guards[-1].append(_catches_runtime_error(node.handlers))

    def leave_Try_body(self, node: cst.Try) -> None:
        self._guards[-1].pop()

    def visit_With_body(self, node: cst.With) -> None:
        self._guards[-1].append(_suppresses_runtime_error(node.items))
        self.with_bodies[node.body] = node

    def leave_With_body(self, node: cst.With) -> None:
        self._guards[-1].pop()

    def visit_TryStar_body(self, node: cst.TryStar) -> None:
        self._guards[-1].append(_catches_runtime_error(node.handlers))

    def leave_TryStar_body(self, node: cst.TryStar) -> None:
        self._guards[-1].pop()

    def visit_Call(self, node: cst.Call) -> None:
        self.calls_in_source_order.append(node)

    def leave_Call(self, original_node: cst.Call) -> None:
        node = original_node
        function = self._functions[-1]
        site = CallSite(
            node,
            self._scope,
            function,
            any(self._guards[-1]),
            self._reach[-1],
            self._statement,
            bool(self._fallbacks),
            tuple(self._blocks),
            self._returned[-1],
        )
        self.calls.append(site)
        self.call_sites[node] = site
        if function is not None:
            function.calls.append(site)
        else:
            self._module_calls += 1


class _NameCounter(TreeVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.counts: Counter[str] = Counter()

    def visit_Name(self, node: cst.Name) -> None:
        self.counts[node.value] += 1
