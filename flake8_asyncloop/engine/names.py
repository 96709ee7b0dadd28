"""What a name or attribute chain refers to, through imports, aliases and shadowing.

This is the narrow resolution the rules need, written instead of libcst's
QualifiedNameProvider, which costs several parses per module (see docs/architecture.md). It
answers with a dotted name only when every binding the use can see agrees on it, so a local
definition, a parameter or a relative import that shadows ``asyncio`` makes the use unresolved
and no rule fires on it.
"""

from __future__ import annotations

import functools
from typing import Literal, Optional

import libcst as cst

from flake8_asyncloop.engine.apis import PARTIAL, STAR_IMPORTABLE
from flake8_asyncloop.engine.index import Binding, ClassInfo, FunctionInfo, ModuleIndex, Scope

_MAX_ALIAS_DEPTH = 8

ValueUse = Literal["returned", "handed"]
# Where a name is bound or declared, not used: the fields of these nodes that hold it.
_BINDING_FIELDS: dict[type, tuple[str, ...]] = {
    cst.FunctionDef: ("name",), cst.ClassDef: ("name",), cst.Param: ("name",), cst.Arg: ("keyword",),
    cst.ImportAlias: ("name",), cst.AsName: ("name",), cst.NameItem: ("name",), cst.AssignTarget: ("target",),
    cst.AnnAssign: ("target",), cst.AugAssign: ("target",), cst.For: ("target",), cst.CompFor: ("target",),
    cst.NamedExpr: ("target",), cst.Del: ("target",), cst.Annotation: ("annotation",), cst.Decorator: ("decorator",),
}


def _value_use(
    name: cst.Name, parent: cst.CSTNode, grandparent: Optional[cst.CSTNode]
) -> Optional[tuple[cst.BaseExpression, ValueUse]]:
    """The expression ``name`` ends (``name`` or ``x.name``) and how it is used, if as a value."""
    expr: cst.BaseExpression = name
    holder = parent
    if isinstance(parent, cst.Attribute):
        if parent.value is name or grandparent is None:
            return None  # ``name.attr``: the object of an attribute, or a part of a longer chain
        expr, holder = parent, grandparent
    if isinstance(holder, cst.Call) and holder.func is expr:
        return None
    if isinstance(holder, cst.Attribute) and holder.value is expr:
        return None
    if any(getattr(holder, field, None) is expr for field in _BINDING_FIELDS.get(type(holder), ())):
        return None
    return expr, "returned" if isinstance(holder, cst.Return) else "handed"


class Resolver:
    def __init__(self, index: ModuleIndex) -> None:
        self.index = index

    def qualified_name(self, expr: cst.BaseExpression, scope: Scope) -> Optional[str]:
        """The dotted name ``expr`` refers to (``asyncio.get_event_loop``), or None if not exactly one."""
        names = self.possible_names(expr, scope)
        return next(iter(names)) if len(names) == 1 else None

    def possible_names(self, expr: cst.BaseExpression, scope: Scope, depth: int = 0) -> frozenset[str]:
        """Every dotted name ``expr`` may refer to, or the empty set if any of them is unknown.

        ``if win: Loop = asyncio.ProactorEventLoop`` / ``else: Loop = asyncio.SelectorEventLoop``
        gives both names; a parameter or local definition among the bindings gives none.
        """
        # Asked for every call of the module: the attribute chain is read in a loop, and node
        # classes are tested exactly (a failing isinstance() with libcst's classes is slow).
        attributes = ""
        while type(expr) is cst.Attribute:
            attributes = f".{expr.attr.value}{attributes}"
            expr = expr.value
        if type(expr) is not cst.Name:
            return frozenset()
        names = self._name(expr.value, scope, depth)
        return frozenset([name + attributes for name in names]) if attributes and names else names

    def _name(self, name: str, scope: Scope, depth: int) -> frozenset[str]:
        bindings = scope.lookup(name)
        if bindings is None:
            star = self._star_imported(name, scope)
            return frozenset([star]) if star is not None else frozenset()
        if len(bindings) == 1:  # most names: the loop below, without building a set
            return self._binding_names(bindings[0], depth) if bindings[0].kind != "none" else frozenset()
        found: set[str] = set()
        for binding in bindings:
            if binding.kind == "none":
                continue
            resolved = self._binding_names(binding, depth)
            if not resolved:
                return frozenset()
            found |= resolved
        return frozenset(found)

    def _binding_names(self, binding: Binding, depth: int) -> frozenset[str]:
        if binding.kind == "import" and binding.qualified is not None:
            return frozenset([binding.qualified])
        if binding.kind == "alias" and binding.value is not None and depth < _MAX_ALIAS_DEPTH:
            return self.possible_names(binding.value, binding.scope, depth + 1)
        return frozenset()

    @staticmethod
    def _star_imported(name: str, scope: Scope) -> Optional[str]:
        if name not in STAR_IMPORTABLE:
            return None
        modules = scope.module.star_imports
        return f"{modules[-1]}.{name}" if modules else None

    @functools.cached_property
    def value_uses(self) -> dict[FunctionInfo, frozenset[ValueUse]]:
        """How each function of the module is used as a value, besides being called: ``returned``
        (``return f``, ``return self.f``), or ``handed`` to other code (an argument, an assigned
        value, an element of a container, a comparison...); a class's uses are its ``__init__``'s.
        A name as the object of an attribute (``f.register``, ``f.__name__``) is neither.

        Worked out on first use, by a walk of its own: one rule asks, in few modules."""
        uses: dict[FunctionInfo, set[ValueUse]] = {}
        Pending = tuple[cst.CSTNode, Optional[cst.CSTNode], Optional[cst.CSTNode], Scope]
        pending: list[Pending] = [(self.index.module, None, None, self.index.module_scope)]
        while pending:
            node, parent, grandparent, scope = pending.pop()
            found = _value_use(node, parent, grandparent) if isinstance(node, cst.Name) and parent else None
            if found is not None:
                for function in self._used(found[0], scope):
                    uses.setdefault(function, set()).add(found[1])
            inner = self._scope_of(node) or scope
            pending.extend((child, node, parent, inner) for child in node.children)
        return {function: frozenset(kinds) for function, kinds in uses.items()}

    def _scope_of(self, node: cst.CSTNode) -> Optional[Scope]:
        """The scope the body of ``node`` runs in, if it opens one (a def, a lambda, a class)."""
        if isinstance(node, cst.ClassDef):
            info = self.index.class_for(node)
            return info.scope if info is not None else None
        function = self.index.function_for(node) if isinstance(node, (cst.FunctionDef, cst.Lambda)) else None
        return function.scope if function is not None else None

    def _used(self, expr: cst.BaseExpression, scope: Scope) -> list[FunctionInfo]:
        """The functions a use of ``expr`` may be: ``functions()``, and a class's ``__init__``."""
        found = self.functions(expr, scope)
        if isinstance(expr, cst.Name):
            for binding in scope.lookup(expr.value) or []:
                info = self.index.class_for(binding.node) if binding.kind == "class" and binding.node else None
                initializer = self.method(info, "__init__") if info is not None else None
                found.extend([initializer] if initializer is not None else [])
        return found

    def imported_name(self, expr: cst.BaseExpression, scope: Scope) -> Optional[str]:
        """The name an imported module's attribute chain has as the import spells it, for the
        import and relative bindings that ``possible_names`` leaves unresolved on purpose:
        ``client.Client`` after ``from . import client`` is ``.client.Client``."""
        attributes = ""
        while isinstance(expr, cst.Attribute):
            attributes = f".{expr.attr.value}{attributes}"
            expr = expr.value
        if not isinstance(expr, cst.Name):
            return None
        bindings = scope.lookup(expr.value) or []
        if len(bindings) != 1 or bindings[0].kind not in ("import", "relative") or bindings[0].qualified is None:
            return None
        return bindings[0].qualified + attributes

    def self_class(self, expr: cst.BaseExpression, scope: Scope) -> Optional[ClassInfo]:
        """The class whose instance ``expr`` is, when it is a method's ``self`` (or a closure's)."""
        if not isinstance(expr, cst.Name):
            return None
        bindings = scope.lookup(expr.value)
        if bindings and all(b.kind == "self" for b in bindings):
            return bindings[0].owner
        return None

    def functions(self, expr: cst.BaseExpression, scope: Scope, depth: int = 0) -> list[FunctionInfo]:
        """The functions of this module that calling ``expr`` may run.

        ``f`` (a def in scope, or a name assigned one), ``self.method`` / ``cls.method`` (in this
        class or a base class defined in this module), a lambda, ``a if c else b``, and
        ``functools.partial(f, ...)``.
        """
        if depth > _MAX_ALIAS_DEPTH:
            return []
        if isinstance(expr, cst.Lambda):
            info = self.index.function_for(expr)
            return [info] if info is not None else []
        if isinstance(expr, cst.Name):
            found: list[FunctionInfo] = []
            for binding in scope.lookup(expr.value) or []:
                if binding.kind == "def" and binding.node is not None:
                    info = self.index.function_for(binding.node)
                    found.extend([info] if info is not None else [])
                elif binding.kind in ("alias", "value") and binding.value is not None:
                    found.extend(self.functions(binding.value, binding.scope, depth + 1))
            return found
        if isinstance(expr, cst.Attribute):
            owner = self.self_class(expr.value, scope)
            method = self.method(owner, expr.attr.value) if owner is not None else None
            return [method] if method is not None else []
        if isinstance(expr, cst.IfExp):
            return self.functions(expr.body, scope, depth + 1) + self.functions(expr.orelse, scope, depth + 1)
        if isinstance(expr, cst.Call) and expr.args and self.qualified_name(expr.func, scope) in PARTIAL:
            return self.functions(expr.args[0].value, scope, depth + 1)
        return []

    def method(self, owner: ClassInfo, name: str) -> Optional[FunctionInfo]:
        """``owner.name`` looked up through ``owner`` and its bases defined in this module, in
        order (a simplified MRO: depth first, each class once)."""
        seen: set[ClassInfo] = set()
        pending = [owner]
        while pending:
            current = pending.pop(0)
            if current in seen:
                continue
            seen.add(current)
            if name in current.methods:
                return current.methods[name]
            pending[0:0] = self.local_bases(current)
        return None

    def local_bases(self, owner: ClassInfo) -> list[ClassInfo]:
        bases = []
        for arg in owner.node.bases:
            if isinstance(arg.value, cst.Name):
                bindings = owner.outer_scope.lookup(arg.value.value) or []
                if len(bindings) == 1 and bindings[0].kind == "class" and bindings[0].node is not None:
                    info = self.index.class_for(bindings[0].node)
                    if info is not None and info is not owner:  # "class A(A)" names an earlier A
                        bases.append(info)
        return bases
