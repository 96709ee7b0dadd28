"""What each call of a module does: what it calls, where it can run, whether it looks a loop up,
installs, uninstalls or makes one. The layer every other analysis layer (threads, loops) and
the rules ask about one call; it reads only the module's index, the name resolver and the
target versions."""

from __future__ import annotations

import functools
from typing import Iterator, Optional

import libcst as cst
from libcst.helpers import get_full_name_for_node

from flake8_asyncloop.engine import apis
from flake8_asyncloop.engine.calls import argument, is_none, keyword_argument, method_name
from flake8_asyncloop.engine.guards import EVERYWHERE, Reach
from flake8_asyncloop.engine.index import CallSite, ClassInfo, ModuleIndex, Scope
from flake8_asyncloop.engine.names import Resolver
from flake8_asyncloop.engine.versions import TargetVersions


class WholeModuleNeeded(Exception):
    """An answer needs statements that flake8's path left out (``CallFacts.need_every_statement``),
    or the project's other modules."""


class CallFacts:
    """Questions about one call of ``module``, each answer cached where it is asked often."""

    def __init__(self, module: cst.Module, index: ModuleIndex, resolver: Resolver, targets: TargetVersions) -> None:
        self.module = module
        self.index = index
        self.resolver = resolver
        self.targets = targets
        # Keyed by the site, one per call: asked for most calls several times, and a site hashes
        # in C, where a libcst node's identity hash is a Python method.
        self._callees: dict[CallSite, frozenset[str]] = {}
        # Whether ``module`` holds only some statements of the file (flake8's path, ``focus.py``).
        self.partial = False

    def need_every_statement(self) -> None:
        """Called where an answer depends on statements focus may have dropped: on flake8's
        path the module is then analysed whole (``checker.py``)."""
        if self.partial:
            raise WholeModuleNeeded

    def possible_callees(self, site: CallSite) -> frozenset[str]:
        """Every qualified name ``site`` may call (empty when unknown), cached per call. A name
        the module replaces (``asyncio.get_event_loop_policy = shim``) is the module's own: unknown."""
        names = self._callees.get(site)
        if names is None:
            names = self.resolver.possible_names(site.node.func, site.scope)
            # Only the attribute itself is replaced: ``_orig = asyncio.get_event_loop_policy``,
            # saved before the module replaces it, still calls asyncio's.
            if type(site.node.func) is cst.Attribute and names & self.replaced_attributes:
                names = frozenset()
            self._callees[site] = names
        return names

    @functools.cached_property
    def replaced_attributes(self) -> frozenset[str]:
        """Other modules' attributes this module assigns, qualified (``asyncio.get_event_loop_policy``)."""
        return frozenset(
            name
            for assignment in self.index.assignments
            if type(assignment.target) is cst.Attribute
            for name in self.resolver.possible_names(assignment.target, assignment.scope)
        )

    def callee(self, site: CallSite) -> Optional[str]:
        """The qualified name of what ``site`` calls, when it is exactly one."""
        names = self.possible_callees(site)
        return next(iter(names)) if len(names) == 1 else None

    def callee_of(self, call: cst.Call) -> Optional[str]:
        site = self.index.call_sites.get(call)
        return self.callee(site) if site is not None else None

    def source(self, node: cst.CSTNode) -> str:
        """The code of ``node`` as written (for messages)."""
        return self.module.code_for_node(node)

    def reach(self, call: cst.Call) -> Reach:
        """The target versions and the platforms that can execute ``call``, given its guards."""
        site = self.index.call_sites.get(call)
        guarded = site.reach if site is not None else EVERYWHERE
        return Reach.of(minors=self.targets.minors) & guarded

    def minors_reaching(self, node: cst.CSTNode) -> frozenset[int]:
        """The target versions that can run ``node``: the guards of a call or a class narrow them."""
        if isinstance(node, cst.Call):
            return frozenset(minor for minor, _ in self.reach(node).pairs)
        if isinstance(node, cst.ClassDef) and node in self.index.classes:
            return self.targets.minors & frozenset(minor for minor, _ in self.index.classes[node].reach.pairs)
        return self.targets.minors

    def subclasses_of(self, names: frozenset[str]) -> Iterator[tuple[ClassInfo, cst.BaseExpression]]:
        """Each class of the module with a base that is one of ``names``, and that base."""
        for info in self.index.classes.values():
            for base in info.node.bases:
                found = self.resolver.possible_names(base.value, info.outer_scope)
                if found and found <= names:
                    yield info, base.value

    def is_get_event_loop(self, site: CallSite) -> bool:
        """``asyncio.get_event_loop()`` under any alias, or ``asyncio.get_event_loop_policy().get_event_loop()``."""
        return self.callee(site) in apis.GET_EVENT_LOOP or self._policy_method(site, "get_event_loop")

    def _policy_method(self, site: CallSite, method: str) -> bool:
        """``site`` calls ``method`` of the current policy: ``get_event_loop_policy().method()``,
        or through a variable assigned only that policy."""
        func = site.node.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == method):
            return False
        receiver = func.value
        if isinstance(receiver, cst.Name):
            # policy = asyncio.get_event_loop_policy(); policy.get_event_loop()
            bindings = site.scope.lookup(receiver.value) or []
            values = [b.value for b in bindings if b.kind == "value"]
            if not values or len(values) != len(bindings):
                return False
            return all(self._is_policy_call(value) for value in values)
        return self._is_policy_call(receiver)

    def looks_up_loop(self, site: CallSite) -> bool:
        """``site`` asks for the current loop when not run by one: get_event_loop(), or an API
        that binds to it (``asyncio.gather()``, ``Future()``; queues and locks before 3.10)."""
        if self.is_get_event_loop(site):
            return True
        if keyword_argument(site.node, "loop") is not None:
            return False
        callee = self.callee(site)
        if callee in apis.IMPLICIT_LOOKUPS:
            return True
        return callee in apis.IMPLICIT_LOOKUPS_BEFORE_310 and self.reach(site.node).includes(range(10))

    def _is_policy_call(self, expr: Optional[cst.BaseExpression]) -> bool:
        site = self.index.call_sites.get(expr) if isinstance(expr, cst.Call) else None
        return site is not None and self.callee(site) in apis.GET_EVENT_LOOP_POLICY

    def _sets_event_loop(self, site: CallSite) -> bool:
        """``asyncio.set_event_loop(...)`` or any ``<policy>.set_event_loop(...)``.

        Any receiver counts (a policy, a test case's helper): precision over recall.
        """
        return method_name(site.node) == "set_event_loop" or self.callee(site) in apis.SET_EVENT_LOOP

    def deprecation_silenced(self, site: CallSite) -> bool:
        """Whether ``site`` runs in a ``with warnings.catch_warnings():`` block that ignores
        DeprecationWarning before it (``simplefilter("ignore")``, ``filterwarnings("ignore",
        category=DeprecationWarning)``): a deprecation warning it raises is not shown."""
        return self._silenced_in(site.blocks, site.statement)

    def read_silently_from(self, site: CallSite, minor: int) -> bool:
        """Whether the name ``site`` calls was read without a warning shown on ``minor`` and
        later (``name_read_silently_from``)."""
        return self.name_read_silently_from(site.node.func, site.scope, minor)

    def name_read_silently_from(self, expr: cst.BaseExpression, scope: Scope, minor: int) -> bool:
        """Whether the name ``expr`` was read without a warning shown on ``minor`` and later: it
        is bound only by ``from ... import`` statements, each guarded away from those versions or
        inside a block that ignores DeprecationWarning. For APIs that warn when the attribute is
        read (asyncio's policy classes), not when called."""
        bindings = scope.lookup(expr.value) if isinstance(expr, cst.Name) else None
        if not bindings:
            return False
        imports = {id(placed.node): placed for placed in self.index.imports}
        for binding in bindings:
            placed = imports.get(id(binding.node)) if binding.kind == "import" else None
            if placed is None:
                return False
            reached = Reach.of(minors=self.targets.minors) & placed.reach
            if reached.includes(range(minor, 100)) and not self._silenced_in(placed.blocks, placed.statement):
                return False
        return True

    def _silenced_in(self, blocks: tuple[cst.BaseSuite, ...], statement: Optional[cst.BaseStatement]) -> bool:
        silencing = self._silencing_blocks
        for outer, inner in zip(blocks, (*blocks[1:], None)):
            filters = silencing.get(outer)
            if filters is None:
                continue
            for candidate in outer.body if isinstance(outer, cst.IndentedBlock) else ():
                if _holds(candidate, statement, inner):
                    break
                if candidate in filters:
                    return True
        return False

    @functools.cached_property
    def _silencing_blocks(self) -> dict[cst.BaseSuite, set[cst.BaseStatement]]:
        """The bodies of ``with warnings.catch_warnings():`` blocks, each with its statements
        that ignore DeprecationWarning. Found on first use: one rule asks, in few modules."""
        found: dict[cst.BaseSuite, set[cst.BaseStatement]] = {}
        for body, node in self.index.with_bodies.items():
            if any(_calls_named(item.item, "catch_warnings") for item in node.items):
                statements = body.body if isinstance(body, cst.IndentedBlock) else ()
                found[body] = {statement for statement in statements if _ignores_deprecation(statement)}
        return found

    def mocked_around(self, site: CallSite) -> bool:
        """Whether ``site`` runs where a test replaces code with mocks: in a ``with patch(...):``
        block (unittest.mock's ``patch``, ``patch.object``, ``patch.dict``; ``mocker.patch``) or
        in a function decorated with one. What it calls may then return a mock."""
        node = site.function.node if site.function is not None else None
        if isinstance(node, cst.FunctionDef) and any(_is_patch(d.decorator) for d in node.decorators):
            return True
        owners = (self.index.with_bodies.get(block) for block in site.blocks)
        return any(owner is not None and any(_is_patch(item.item) for item in owner.items) for owner in owners)

    def installs_loop(self, site: CallSite) -> bool:
        """``set_event_loop(x)`` with x not None."""
        return self._sets_event_loop(site) and not is_none(argument(site.node, 0, "loop"))

    def statement_installs(self, statement: cst.BaseStatement, name: str) -> bool:
        """Whether ``statement`` is just ``set_event_loop(name)`` (as ``installs_loop`` sees it)."""
        if not (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1):
            return False
        expression = statement.body[0]
        if not (isinstance(expression, cst.Expr) and isinstance(expression.value, cst.Call)):
            return False
        site = self.index.call_sites.get(expression.value)
        installed = argument(expression.value, 0, "loop")
        if site is None or installed is None or not self.installs_loop(site):
            return False
        return self.source(installed) == name

    def uninstalls_loop(self, site: CallSite) -> bool:
        """``set_event_loop(None)``."""
        return self._sets_event_loop(site) and is_none(argument(site.node, 0, "loop"))

    def creates_loop(self, site: CallSite) -> bool:
        """``asyncio.new_event_loop()``, a loop class, or the policy's ``new_event_loop()``."""
        if self.callee(site) in apis.NEW_EVENT_LOOP | apis.LOOP_CLASSES:
            return True
        return self._policy_method(site, "new_event_loop")


def _is_patch(expr: cst.BaseExpression) -> bool:
    """``patch(...)``, ``mock.patch.object(...)``, ``mocker.patch(...)``, as written."""
    if not isinstance(expr, cst.Call):
        return False
    name = get_full_name_for_node(expr.func)
    return name is not None and "patch" in name.split(".")


def _calls_named(expr: cst.BaseExpression, name: str) -> bool:
    """``name(...)`` or ``x.name(...)``, as written."""
    if not isinstance(expr, cst.Call):
        return False
    func = expr.func
    return (isinstance(func, cst.Name) and func.value == name) or (
        isinstance(func, cst.Attribute) and func.attr.value == name
    )


def _ignores_deprecation(statement: cst.BaseStatement) -> bool:
    """``warnings.simplefilter("ignore"[, DeprecationWarning])`` or ``warnings.filterwarnings(
    "ignore", ..., category=DeprecationWarning)`` (no category: every warning)."""
    if not (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1):
        return False
    small = statement.body[0]
    call = small.value if isinstance(small, cst.Expr) else None
    if call is None or not (_calls_named(call, "simplefilter") or _calls_named(call, "filterwarnings")):
        return False
    assert isinstance(call, cst.Call)
    action = argument(call, 0, "action")
    position = 1 if _calls_named(call, "simplefilter") else 2
    category = argument(call, position, "category")
    ignored = isinstance(action, cst.SimpleString) and action.evaluated_value == "ignore"
    named = isinstance(category, (cst.Name, cst.Attribute)) and _category_ok(category)
    return ignored and (category is None or named)


def _category_ok(category: cst.BaseExpression) -> bool:
    last = category.attr.value if isinstance(category, cst.Attribute) else getattr(category, "value", "")
    return last in ("DeprecationWarning", "Warning")


def _holds(
    candidate: cst.BaseStatement, statement: Optional[cst.BaseStatement], inner: Optional[cst.BaseSuite]
) -> bool:
    """Whether ``candidate`` (of the block just outside ``inner``, or of the innermost block)
    holds ``statement``."""
    if inner is None:
        return candidate is statement or statement is None
    return any(child is inner for child in _suites(candidate))


def _suites(statement: cst.BaseStatement) -> list[cst.CSTNode]:
    """The blocks directly under a compound statement (its body, else, handlers, finally)."""
    found: list[cst.CSTNode] = []
    pending: list[cst.CSTNode] = list(statement.children)
    while pending:
        node = pending.pop()
        if isinstance(node, cst.BaseSuite):
            found.append(node)
        elif not isinstance(node, cst.BaseStatement):
            pending.extend(node.children)
    return found
