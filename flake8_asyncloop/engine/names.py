"""What a name or attribute chain refers to, through imports, aliases and shadowing.

This is the narrow resolution the rules need, written instead of libcst's
QualifiedNameProvider, which costs several parses per module (see docs/architecture.md). It
answers with a dotted name only when every binding the use can see agrees on it, so a local
definition, a parameter or a relative import that shadows ``asyncio`` makes the use unresolved
and no rule fires on it.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from flake8_asyncloop.engine.apis import PARTIAL, STAR_IMPORTABLE
from flake8_asyncloop.engine.index import Binding, ClassInfo, FunctionInfo, ModuleIndex, Scope

_MAX_ALIAS_DEPTH = 8


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
