"""Loops this module creates, and what happens to each: run, installed, attached, handed away.

A creation is ``name = asyncio.new_event_loop()`` (or a loop class, or ``with
contextlib.closing(...) as name``), ``self.attr = ...`` in a method, or a loop run straight
from the call (``asyncio.new_event_loop().run_until_complete(...)``). Its uses are read in its
region: the creating function (with closures that do not rebind the name), the whole class for
``self.attr``, the whole module for a module-level name.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Callable, Iterator, Optional, Sequence, Union

import libcst as cst

from flake8_asyncloop.engine import apis
from flake8_asyncloop.engine.callfacts import CallFacts
from flake8_asyncloop.engine.calls import argument, method_name
from flake8_asyncloop.engine.index import Assignment, CallSite, ClassInfo, FunctionInfo, Scope
from flake8_asyncloop.engine.loopstate import ImportedCode, MadeLoop
from flake8_asyncloop.engine.reads import Reads
from flake8_asyncloop.engine.walk import TreeVisitor


_MAX_DEPTH = 8

# What the loop analysis reads (``reads.py``): every loop made and every use of it, what installs
# one, the subprocesses a loop's child watcher must see, and the lookups that may find a loop.
READS = Reads(
    names=apis.NEW_EVENT_LOOP | apis.LOOP_CLASSES | apis.SET_EVENT_LOOP,
    incidental=apis.CONTEXTLIB_CLOSING | apis.RUN_COROUTINE_THREADSAFE,
    spawns=apis.CREATE_SUBPROCESS | apis.LOOP_SUBPROCESS_METHODS,
    spawn_runners=apis.ASYNCIO_RUN,
    creations=apis.NEW_EVENT_LOOP | apis.LOOP_CLASSES,
    lookups=apis.IMPLICIT_LOOKUPS | apis.IMPLICIT_LOOKUPS_BEFORE_310 | apis.GET_EVENT_LOOP,
    loop_methods=apis.LOOP_RUN_METHODS | apis.LOOP_SUBPROCESS_METHODS | apis.LOOP_COROUTINE_RUNNERS | {"close"},
    followed=frozenset({"attach_loop"}),
)


@dataclass(eq=False)
class LoopCreation:
    call: cst.Call
    # How the code refers to the loop: "loop", "self.loop", or "" when it is used straight away.
    target: str
    function: Optional[FunctionInfo]
    scope: Scope
    # The statement that assigns it, where a fix can add a line after it.
    statement: Optional[cst.SimpleStatementLine] = None
    # Whether it starts subprocesses through asyncio's Unix child watcher (see apis).
    uses_child_watcher: bool = False
    runs: list[cst.Call] = field(default_factory=list)
    # Calls later in the creating body, outside the loop, that look the current loop up
    # (get_event_loop(), gather(), Future(), ...): with the new loop not installed, they get
    # another one. They are the evidence that a missing install matters.
    lookups: list[cst.Call] = field(default_factory=list)
    installs: list[CallSite] = field(default_factory=list)  # set_event_loop(loop) calls
    attaches: list[CallSite] = field(default_factory=list)  # <watcher>.attach_loop(loop) calls
    # Handed to code we cannot see (an argument, a return value, another variable): that code
    # may install or attach it.
    escapes: bool = False
    # A run method handed over uncalled (Thread(target=loop.run_forever)): the loop runs in
    # another thread, where only its own callbacks execute.
    runs_elsewhere: bool = False
    spawns_subprocesses: bool = False
    deliberately_uninstalled: bool = False  # set_event_loop(None) in the same region
    # close() is called on it or handed over (atexit.register(loop.close)), or it is made in
    # contextlib.closing(...) or by asyncio.run(), which close it themselves.
    closed: bool = False
    # A function nested in the creating body uses it: that code may run after the body ends.
    used_in_nested_function: bool = False
    # A function nested in the creating body runs it (a thread's target, a callback).
    run_by_nested_function: bool = False
    # Made only when none was given (``loop = loop or new_event_loop()``): closing the variable
    # would close the caller's loop too.
    fallback: bool = False
    # The functions of the module that made it and returned it (``loop = make_loop()``).
    helpers: tuple[FunctionInfo, ...] = ()
    # The calls of classes of the module it is handed to (``Client(loop)``), with the argument:
    # settled once the walks are done (``kept_by``, or ``escapes``).
    handed_to_classes: list[tuple[CallSite, Optional[cst.Arg]]] = field(default_factory=list)
    # Handed to a class of the module that keeps it (``Client(loop)`` whose ``__init__`` does
    # ``self.loop = loop``) and that no code of the module closes: "Client.loop".
    kept_by: str = ""

    @property
    def installed(self) -> bool:
        return bool(self.installs)


class LoopAnalysis:
    def __init__(self, calls: CallFacts, imported: Optional[ImportedCode] = None) -> None:
        """``imported``: the project's other modules, when known; a loop a function of theirs
        makes and returns is then the caller's (``ImportedCode.new_loop_from``)."""
        self._calls = calls
        self._imported = imported
        self._spawns_memo: dict[FunctionInfo, bool] = {}
        self._returns_memo: dict[FunctionInfo, bool] = {}
        self._made_elsewhere: dict[cst.Call, MadeLoop] = {}  # calls of the project's loop helpers
        self.creations: list[LoopCreation] = []
        # Creations that share a region and a variable are read in one walk of the region, so a
        # module that creates the same variable thousands of times costs one walk, not thousands.
        self._groups: dict[tuple[cst.CSTNode, str], _Group] = {}
        for assignment in calls.index.assignments:
            creation = self._creation(assignment)
            if creation is not None:
                self.creations.append(creation)
        for group in self._groups.values():
            uses = _VariableUses if group.rebindable_name is not None else _LoopUses
            uses(self, group).walk(group.region)
        self._installs_by_attribute()
        self._closed_by_helpers()
        self._settle_kept()
        for site in calls.index.calls:
            self._chained_run(site)
            self._asyncio_run(site)
            self._kept_inline(site)

    # -- finding creations --------------------------------------------------------------------

    def _creating_call(self, value: cst.BaseExpression) -> Optional[cst.Call]:
        """The loop-creating call in an assigned value: the value itself or ``closing(value)``."""
        if type(value) is not cst.Call:
            return None
        site = self._calls.index.call_sites.get(value)
        if site is None:
            return None
        if self._calls.creates_loop(site):
            return value
        if self._calls.callee(site) in apis.CONTEXTLIB_CLOSING and len(value.args) == 1:
            return self._creating_call(value.args[0].value)
        helpers = self._calls.resolver.functions(value.func, site.scope)
        if helpers and all(self.returns_new_loop(helper) for helper in helpers):
            return value  # ``loop = make_loop()``: the caller owns the loop the helper made
        name = self._calls.resolver.imported_name(value.func, site.scope) if not helpers else None
        made = self._imported.new_loop_from(name) if self._imported is not None and name is not None else None
        if made is not None:
            self._made_elsewhere[value] = made  # the same, by a function of another module
            return value
        return None

    def made_by(self, function: FunctionInfo) -> MadeLoop:
        """What ``function``, which returns a new loop (``returns_new_loop``), does with it."""
        installs = any(self._calls.installs_loop(site) for site in function.calls)
        closes = any(creation.closed for creation in self.creations if creation.function is function)
        return MadeLoop(installs, closes)

    def returns_new_loop(self, function: FunctionInfo) -> bool:
        """Whether every ``return`` of ``function`` (at least one) returns a loop it made:
        ``return new_event_loop()``, or a variable bound only to one."""
        known = self._returns_memo.get(function)
        if known is None:
            self._returns_memo[function] = False  # a recursive helper makes nothing new
            values = _returned_values(function) if not (function.is_async or function.is_generator) else []
            known = bool(values) and all(self._made_loop(value, function) for value in values)
            self._returns_memo[function] = known
        return known

    def _made_loop(self, value: Optional[cst.BaseExpression], function: FunctionInfo) -> bool:
        if isinstance(value, cst.Name):
            bindings = function.scope.bindings.get(value.value, [])
            return bool(bindings) and all(
                b.kind == "value" and b.value is not None and self._creating_call(b.value) is b.value for b in bindings
            )
        return value is not None and self._creating_call(value) is value

    def _helpers_of(self, call: cst.Call) -> list[FunctionInfo]:
        """The functions of the module that ``call`` runs to make the loop (``returns_new_loop``)."""
        site = self._calls.index.call_sites.get(call)
        if site is None or self._calls.creates_loop(site):
            return []
        return self._calls.resolver.functions(call.func, site.scope)

    def _uses_child_watcher(self, call: cst.Call) -> bool:
        site = self._calls.index.call_sites.get(call)
        names = self._calls.possible_callees(site) if site is not None else frozenset()
        return bool(names) and names <= apis.CHILD_WATCHER_LOOPS

    def _creation(self, assignment: Assignment) -> Optional[LoopCreation]:
        creation = self._made_creation(assignment)
        if creation is not None:
            creation.helpers = tuple(self._helpers_of(creation.call))
            creation.installs.extend(  # installed by its helper
                inner for helper in creation.helpers for inner in helper.calls if self._calls.installs_loop(inner)
            )
            made = self._made_elsewhere.get(creation.call)
            site = self._calls.index.call_sites.get(creation.call)
            if made is not None and made.installs and site is not None:
                creation.installs.append(site)  # installed by the other module's helper
            creation.closed |= made is not None and made.closes
        return creation

    def _settle_kept(self) -> None:
        """A loop handed to classes of the module, and not closed otherwise, is kept by the
        first one that keeps it unclosed (``kept_unclosed``), or escapes."""
        for creation in self.creations:
            if not creation.handed_to_classes or creation.closed or creation.escapes:
                continue
            kept = [self.kept_unclosed(site, arg) for site, arg in creation.handed_to_classes]
            if all(kept):
                creation.kept_by = kept[0]
            else:
                creation.escapes = True

    def _closed_by_helpers(self) -> None:
        """A loop a helper made and returned is closed if the helper closes (or registers the
        close of) what it made: ``self.addCleanup(loop.close); return loop``."""
        closing = {creation.function for creation in self.creations if creation.closed}
        for creation in self.creations:
            creation.closed |= any(helper in closing for helper in creation.helpers)

    def _made_creation(self, assignment: Assignment) -> Optional[LoopCreation]:
        value = assignment.value
        made = value.right if isinstance(value, cst.BooleanOperation) and _is_fallback(value) else value
        call = self._creating_call(made)
        if call is None:
            return None
        target = assignment.target
        function = assignment.function
        if isinstance(target, cst.Name):
            if assignment.scope.kind not in ("module", "function"):
                return None
            creation = LoopCreation(
                call, target.value, function, assignment.scope, assignment.statement, self._uses_child_watcher(call)
            )
            creation.closed = type(assignment.value) is cst.Call and assignment.value is not call  # closing(...)
            creation.fallback = _is_fallback(assignment.value)
            name = target.value
            region: cst.CSTNode = function.node if function is not None else self._calls.module
            self._group(region, name, lambda e: type(e) is cst.Name and e.value == name, name).add(creation)
            return creation
        if (
            isinstance(target, cst.Attribute)
            and isinstance(target.value, cst.Name)
            and function is not None
            and function.owner_class is not None
            and target.value.value == function.self_name
        ):
            attr = target.attr.value
            owner = function.owner_class
            creation = LoopCreation(
                call,
                f"{target.value.value}.{attr}",
                function,
                assignment.scope,
                assignment.statement,
                self._uses_child_watcher(call),
                closed=type(assignment.value) is cst.Call and assignment.value is not call,
                fallback=_is_fallback(assignment.value),
            )
            self_names = _self_names(owner)
            self._group(
                owner.node,
                f"self.{attr}",
                lambda e: type(e) is cst.Attribute
                and e.attr.value == attr
                and type(e.value) is cst.Name
                and e.value.value in self_names,
                None,
            ).add(creation)
            return creation
        return None

    @functools.cached_property
    def process_mains(self) -> set[FunctionInfo]:
        """The functions of the module handed to ``Process(target=...)`` (multiprocessing's, a
        context's), directly or through a function or class of the module that hands its
        argument over (``Manager(worker=main)``): each is a child process's main, so a loop it
        makes lives as long as the process does."""
        found: set[FunctionInfo] = set()
        targets = self.process_targets
        for site, expr in targets:
            found.update(self.functions_named(expr, site.scope))
        for site in self._calls.index.calls if targets else ():
            callee = self._local_callable(site)
            run = parameters_run_as_process(targets, callee) if callee is not None else frozenset()
            for position, keyword, functions in self.handed_functions(site) if run else ():
                if callee is not None and parameter_named(callee, position, keyword) in run:
                    found.update(functions)
        return found

    @functools.cached_property
    def process_targets(self) -> list[tuple[CallSite, cst.BaseExpression]]:
        """Each value the ``target`` of a ``Process(...)`` call of the module (multiprocessing's,
        a context's) may have. Kept on flake8's path: they name ``Process``."""
        found: list[tuple[CallSite, cst.BaseExpression]] = []
        for site in self._calls.index.calls:
            func = site.node.func
            name = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", "")
            target = argument(site.node, 1, "target") if name == "Process" else None
            found.extend((site, expr) for expr in (_alternatives(target) if target is not None else []))
        return found

    def functions_named(self, expr: cst.BaseExpression, scope: Scope) -> list[FunctionInfo]:
        """The functions of the module ``expr`` refers to: a function, or ``Class.method``."""
        return self._calls.resolver.functions(expr, scope) or self._class_method(expr, scope)

    def handed_functions(self, site: CallSite) -> Iterator[tuple[Optional[int], Optional[str], list[FunctionInfo]]]:
        """The functions of the module that ``site`` hands over as arguments, each with its
        position among the positional arguments or its keyword."""
        position = 0
        for arg in site.node.args:
            if arg.star:
                return  # the positions after it are unknown
            functions = self.functions_named(arg.value, site.scope)
            keyword = arg.keyword.value if arg.keyword is not None else None
            if functions:
                yield (position if keyword is None else None), keyword, functions
            position += keyword is None

    def _local_callable(self, site: CallSite) -> Optional[FunctionInfo]:
        """The function of the module ``site`` calls, or the ``__init__`` of its class."""
        info = self.class_called(site)
        if info is not None:
            return self._calls.resolver.method(info, "__init__")
        functions = self._calls.resolver.functions(site.node.func, site.scope)
        return functions[0] if len(functions) == 1 else None

    def _class_method(self, expr: cst.BaseExpression, scope: Scope) -> list[FunctionInfo]:
        """``Class.method`` for a class of this module."""
        if not (isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name)):
            return []
        bindings = scope.lookup(expr.value.value) or []
        classes = [self._calls.index.class_for(b.node) for b in bindings if b.kind == "class" and b.node is not None]
        methods = [self._calls.resolver.method(info, expr.attr.value) for info in classes if info is not None]
        return [method for method in methods if method is not None]

    def kept_unclosed(self, site: CallSite, arg: Optional[cst.Arg]) -> str:
        """Where a class of this module keeps the loop passed as ``arg`` of ``site`` (a call of
        the class), "Class.attribute", when nothing in the module closes, installs or hands
        over any ``<object>.attribute``; "" otherwise (the loop is handed to code we cannot
        see, which may close it)."""
        info = self.class_called(site)
        if arg is None or info is None or arg.star:
            return ""
        self._calls.need_every_statement()  # the class's code, and every use of the attribute
        initializer = self._calls.resolver.method(info, "__init__")
        if initializer is None:
            return ""
        parameter = _parameter_for(initializer, site.node, arg)
        owner = initializer.owner_class
        attribute = kept_as(initializer, parameter) if parameter is not None else None
        if owner is None or attribute is None or self._attribute_leaves(attribute):
            return ""
        return f"{owner.name}.{attribute}"

    def class_called(self, site: CallSite) -> Optional[ClassInfo]:
        """The class of this module ``site`` calls, if it calls one by its only binding."""
        func = site.node.func
        bindings = (site.scope.lookup(func.value) or []) if isinstance(func, cst.Name) else []
        if len(bindings) != 1 or bindings[0].kind != "class" or bindings[0].node is None:
            return None
        return self._calls.index.class_for(bindings[0].node)

    @functools.lru_cache(maxsize=None)  # noqa: B019 (one analysis per module, dropped with it)
    def _attribute_leaves(self, attribute: str) -> bool:
        """Whether some call of the module closes, installs or is handed ``<x>.attribute``, or
        hands over its ``close`` (``atexit.register(self.loop.close)``)."""
        for site in self._calls.index.calls:
            func = site.node.func
            if isinstance(func, cst.Attribute) and _is_attribute(func.value, attribute) and func.attr.value == "close":
                return True
            for arg in site.node.args:
                value = arg.value
                if _is_attribute(value, attribute) or (
                    isinstance(value, cst.Attribute) and _is_attribute(value.value, attribute)
                ):
                    return True
        return False

    def _kept_inline(self, site: CallSite) -> None:
        """``Client(asyncio.new_event_loop())``: a loop made as the argument of a class that
        keeps it, never closed (``kept_unclosed``)."""
        if site.function is None:
            return  # the object lives as long as the program
        for arg in site.node.args:
            inner = self._calls.index.call_sites.get(arg.value) if isinstance(arg.value, cst.Call) else None
            if inner is None or not self._calls.creates_loop(inner):
                continue
            kept = self.kept_unclosed(site, arg)
            if kept:
                creation = LoopCreation(inner.node, "", site.function, site.scope, None, kept_by=kept)
                self.creations.append(creation)

    def _chained_run(self, site: CallSite) -> None:
        call = site.node
        if method_name(call) in apis.LOOP_RUN_METHODS and type(call.func) is cst.Attribute:
            receiver = call.func.value
            inner = self._calls.index.call_sites.get(receiver) if isinstance(receiver, cst.Call) else None
            if inner is not None and self._calls.creates_loop(inner):
                creation = LoopCreation(
                    inner.node, "", site.function, site.scope, None, self._uses_child_watcher(inner.node), runs=[call]
                )
                creation.spawns_subprocesses = self._runs_subprocesses(call)
                self.creations.append(creation)

    @functools.cached_property
    def closes_installed_loop(self) -> bool:
        """Whether the module closes whatever loop is installed: ``get_event_loop().close()``,
        directly or through a variable holding it (a test's tearDown, a script's last line)."""
        calls = self._calls
        for site in calls.index.calls:
            if method_name(site.node) != "close" or not isinstance(site.node.func, cst.Attribute):
                continue
            receiver = site.node.func.value
            values: list[Optional[cst.BaseExpression]] = [receiver]
            if isinstance(receiver, cst.Name):
                values = [binding.value for binding in site.scope.lookup(receiver.value) or []]
            for value in values:
                inner = calls.index.call_sites.get(value) if isinstance(value, cst.Call) else None
                if inner is not None and calls.is_get_event_loop(inner):
                    return True
        return False

    def _installs_by_attribute(self) -> None:
        """``set_event_loop(obj.loop)`` outside the class (code using the object) or in a
        subclass's method (``super().setUp()`` then install) counts for the class's ``self.loop``."""
        owned = [
            (creation, creation.function.owner_class)
            for creation in self.creations
            if creation.function is not None
            and creation.function.owner_class is not None
            and creation.target.count(".") == 1
        ]
        if not owned:
            return  # no self.<attribute> loop: the module's calls need not be read
        resolver = self._calls.resolver
        installs: list[tuple[str, Optional[ClassInfo], CallSite]] = []
        for site in self._calls.index.calls:
            value = argument(site.node, 0, "loop")
            if type(value) is cst.Attribute and self._calls.installs_loop(site):
                installs.append((value.attr.value, resolver.self_class(value.value, site.scope), site))
        for creation, owner in owned:
            attribute = creation.target.split(".")[1]
            for name, installer, site in installs:
                if name == attribute and (installer is None or self._inherits(installer, owner)):
                    creation.installs.append(site)

    def _inherits(self, cls: ClassInfo, base: ClassInfo) -> bool:
        """Whether ``cls`` is ``base`` or derives from it through classes of this module."""
        seen: set[ClassInfo] = set()
        pending = [cls]
        while pending:
            current = pending.pop()
            if current is base:
                return True
            if current not in seen:
                seen.add(current)
                pending.extend(self._calls.resolver.local_bases(current))
        return False

    def _asyncio_run(self, site: CallSite) -> None:
        """``asyncio.run(main())`` makes and installs a loop of its own for the coroutine."""
        if self._calls.callee(site) in apis.ASYNCIO_RUN:
            creation = LoopCreation(
                site.node, "", site.function, site.scope, None, True, runs=[site.node], installs=[site], closed=True
            )
            creation.spawns_subprocesses = self._runs_subprocesses(site.node)
            self.creations.append(creation)

    def _group(
        self,
        region: cst.CSTNode,
        key: str,
        is_loop: Callable[[cst.BaseExpression], bool],
        rebindable_name: Optional[str],
    ) -> "_Group":
        group_key = (region, key)
        if group_key not in self._groups:
            self._groups[group_key] = _Group(region, is_loop, rebindable_name)
        return self._groups[group_key]

    # -- subprocesses -------------------------------------------------------------------------

    def _runs_subprocesses(self, call: cst.Call) -> bool:
        """Whether a coroutine passed to ``call`` starts subprocesses (through this module's code)."""
        for inner in _calls_within(call.args):
            site = self._calls.index.call_sites.get(inner)
            if site is not None and self._site_spawns(site, 0):
                return True
        return False

    def _site_spawns(self, site: CallSite, depth: int) -> bool:
        if self._calls.callee(site) in apis.CREATE_SUBPROCESS:
            return True
        if method_name(site.node) in apis.LOOP_SUBPROCESS_METHODS:
            return not self._is_local_loop(site)
        return any(
            self._function_spawns(callee, depth + 1)
            for callee in self._calls.resolver.functions(site.node.func, site.scope)
        )

    def _is_local_loop(self, site: CallSite) -> bool:
        """``loop.subprocess_exec()`` where ``loop`` is a loop this function made, not the one
        running the coroutine."""
        assert isinstance(site.node.func, cst.Attribute)
        receiver = site.node.func.value
        if not isinstance(receiver, cst.Name):
            return False
        bindings = site.scope.lookup(receiver.value) or []
        return any(b.kind == "value" and b.value is not None and self._creating_call(b.value) for b in bindings)

    def _function_spawns(self, function: FunctionInfo, depth: int) -> bool:
        if function not in self._spawns_memo:
            self._spawns_memo[function] = False  # recursion adds nothing new
            self._spawns_memo[function] = depth < _MAX_DEPTH and any(
                self._site_spawns(site, depth) for site in function.calls
            )
        return self._spawns_memo[function]


def _is_coroutine(function: Optional[FunctionInfo]) -> bool:
    return function is not None and function.is_async


def _self_names(owner: ClassInfo) -> set[str]:
    return {method.self_name for method in owner.methods.values() if method.self_name is not None}


class _CallCollector(TreeVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[cst.Call] = []

    def visit_Call(self, node: cst.Call) -> None:
        self.calls.append(node)


def _calls_within(args: Sequence[cst.Arg]) -> list[cst.Call]:
    collector = _CallCollector()
    for arg in args:
        collector.walk(arg)
    return collector.calls


@dataclass(eq=False)
class _Group:
    """The creations of one variable in one region, read together."""

    region: cst.CSTNode
    is_loop: Callable[[cst.BaseExpression], bool]
    # The variable's name when a nested function can rebind it (None for ``self.attr``).
    rebindable_name: Optional[str]
    creations: dict[cst.Call, LoopCreation] = field(default_factory=dict)  # creating call ->

    def add(self, creation: LoopCreation) -> None:
        self.creations[creation.call] = creation


@dataclass
class _Frame:
    """The body being read: the region's own, or (for ``self.attr``) one method of the class."""

    is_method: bool
    # The creations the variable may hold at this point: the latest one, or after a block that
    # assigned it (an if branch, a try body), that one or whichever it held before the block.
    live: list[LoopCreation] = field(default_factory=list)
    before_blocks: list[list[LoopCreation]] = field(default_factory=list)  # per block entered
    nesting: int = 0  # how deep inside functions nested in this body


class _LoopUses(TreeVisitor):
    """Reads every use of one variable in its region into the creations it may hold.

    A use in the creating body belongs to the creations it may see: the latest one, or after
    a block that assigned it, that one or the one from before. A use in a nested
    function (a closure, a thread target), or in a method before any creation there, may run
    at any time, so it belongs to every creation of the variable in the region.

    As is, it reads a ``self.attr``, whose every use is an Attribute node; ``_VariableUses``
    reads a variable, whose bare Name nodes are uses too.
    """

    def __init__(self, loops: LoopAnalysis, group: _Group) -> None:
        super().__init__()
        self._loops = loops
        self._calls = loops._calls
        self._group = group
        self._is_loop = group.is_loop
        self._class = self._calls.index.class_for(group.region)
        self._frames = [_Frame(is_method=False)]
        self._entered: list[str] = []  # per function entered: "frame", "nested" or "skipped"
        self._method_receivers: set[cst.Attribute] = set()

    def _holders(self) -> list[LoopCreation]:
        frame = self._frames[-1]
        if frame.nesting == 0 and frame.live:
            return list(frame.live)
        if frame.nesting or frame.is_method:
            return list(self._group.creations.values())
        return []

    def _enter(self, node: Union[cst.FunctionDef, cst.Lambda]) -> bool:
        if node is self._group.region:
            return True
        info = self._calls.index.function_for(node)
        name = self._group.rebindable_name
        if name is not None and info is not None and name in info.scope.bindings:
            self._entered.append("skipped")  # libcst still calls leave_* for a skipped node
            return False  # a nested function with its own variable of that name
        if self._class is not None and info is not None and info.owner_class is self._class:
            self._frames.append(_Frame(is_method=True))
            self._entered.append("frame")
        else:
            self._frames[-1].nesting += 1
            self._entered.append("nested")
        return True

    def _leave(self, node: Union[cst.FunctionDef, cst.Lambda]) -> None:
        if node is self._group.region:
            return
        entered = self._entered.pop()
        if entered == "frame":
            self._frames.pop()
        elif entered == "nested":
            self._frames[-1].nesting -= 1

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return self._enter(node)

    def _enter_block(self) -> None:
        frame = self._frames[-1]
        frame.before_blocks.append(list(frame.live))

    def _leave_block(self) -> None:
        # The block may not have run (or not to its end): what the variable held before it
        # may still be there.
        frame = self._frames[-1]
        before = frame.before_blocks.pop()
        frame.live = before + [creation for creation in frame.live if creation not in before]

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self._enter_block()

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock) -> None:
        self._leave_block()

    def visit_SimpleStatementSuite(self, node: cst.SimpleStatementSuite) -> None:
        self._enter_block()

    def leave_SimpleStatementSuite(self, original_node: cst.SimpleStatementSuite) -> None:
        self._leave_block()

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._leave(original_node)

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return self._enter(node)

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        self._leave(original_node)

    def visit_Call(self, node: cst.Call) -> None:
        site = self._calls.index.call_sites.get(node)
        if site is None:
            return
        if type(node.func) is cst.Attribute and self._is_loop(node.func.value):
            self._method_receivers.add(node.func)
            method = node.func.attr.value
            spawns = method in apis.LOOP_SUBPROCESS_METHODS or (
                method in apis.LOOP_COROUTINE_RUNNERS and self._loops._runs_subprocesses(node)
            )
            nested = self._frames[-1].nesting > 0
            for creation in self._holders():
                if method in apis.LOOP_RUN_METHODS:
                    creation.runs.append(node)
                    creation.run_by_nested_function |= nested
                creation.spawns_subprocesses |= spawns
                creation.closed |= method == "close"
        # In the main thread a later lookup does not raise, it returns another loop: a
        # try/except around it does not help, so guarded lookups count too. In a coroutine the
        # lookup finds the running loop instead (ELP104's concern).
        frame = self._frames[-1]
        if not frame.nesting and frame.live and self._calls.looks_up_loop(site):
            for creation in frame.live:
                # Not from an if branch into its else: both must be able to run.
                creation_site = self._creation_site(creation)
                if not _is_coroutine(creation.function) and self._calls.index.may_run_before(creation_site, site):
                    creation.lookups.append(node)
        if self._calls.uninstalls_loop(site):
            # set_event_loop(None) next to a private loop: keeping the loop out of the global
            # slot is deliberate (CPython's own tests do it), not a forgotten install.
            for creation in self._group.creations.values():
                creation.deliberately_uninstalled = True
        for arg in node.args:
            if self._is_loop(arg.value):
                for creation in self._holders():
                    self._loop_passed_to(creation, site)

    def _creation_site(self, creation: LoopCreation) -> CallSite:
        return self._calls.index.call_sites[creation.call]

    def _rebound(self, target: cst.BaseExpression) -> None:
        """``loop = other``, ``for loop in ...``, ``with ... as loop``: the old loop is gone."""
        names = [target] if not isinstance(target, (cst.Tuple, cst.List)) else [e.value for e in target.elements]
        if any(self._is_loop(name) for name in names) and not self._frames[-1].nesting:
            self._frames[-1].live = []

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._rebound(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._rebound(node.target)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        # Before the item is evaluated: "with closing(new_event_loop()) as loop" then binds the
        # new loop, which the creating call records when it returns.
        if node.asname is not None:
            self._rebound(node.asname.name)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._rebound(node.target)

    def leave_Call(self, original_node: cst.Call) -> None:
        # The assigned variable holds the new loop once the creating call has returned.
        created = self._group.creations.get(original_node)
        if created is not None and not self._frames[-1].nesting:
            self._frames[-1].live = [created]

    def _loop_passed_to(self, creation: LoopCreation, site: CallSite) -> None:
        callee = self._calls.callee(site) or ""
        method = method_name(site.node)
        if self._calls.installs_loop(site):
            creation.installs.append(site)
        elif method == "attach_loop":
            creation.attaches.append(site)
        elif callee in apis.CONTEXTLIB_CLOSING:
            # "with closing(loop):", "stack.enter_context(closing(loop))"; not a closing() that
            # is made and dropped, which closes nothing.
            creation.closed |= not site.is_whole_statement
        elif callee.startswith("asyncio."):
            if callee in apis.RUN_COROUTINE_THREADSAFE and self._loops._runs_subprocesses(site.node):
                creation.spawns_subprocesses = True
        else:
            # A class of the module may keep it (settled after the walks, only for a loop not
            # closed otherwise). At module level the object lives as long as the program.
            if creation.function is not None and self._loops.class_called(site) is not None:
                creation.handed_to_classes.append((site, self._passed_as(site)))
            else:
                creation.escapes = True  # whoever receives it may install it

    def _passed_as(self, site: CallSite) -> Optional[cst.Arg]:
        """The argument of ``site`` that is the loop variable."""
        return next((arg for arg in site.node.args if self._is_loop(arg.value)), None)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        # ``loop.run_forever`` handed over uncalled (a thread target, a callback) runs elsewhere.
        if self._is_loop(node.value) and node not in self._method_receivers:
            if node.attr.value in apis.LOOP_RUN_METHODS:
                for creation in self._holders():
                    creation.runs_elsewhere = True
            elif node.attr.value == "close":  # atexit.register(loop.close), addCleanup(loop.close)
                for creation in self._holders():
                    creation.closed = True
        self._note_nested_use(node)

    def _note_nested_use(self, node: cst.BaseExpression) -> None:
        if self._frames[-1].nesting and self._is_loop(node):
            for creation in self._group.creations.values():
                creation.used_in_nested_function = True

    def _escapes_if_loop(self, value: Optional[cst.BaseExpression]) -> None:
        if value is not None and self._is_loop(value):
            for creation in self._holders():
                creation.escapes = True

    def visit_Return(self, node: cst.Return) -> None:
        self._escapes_if_loop(node.value)

    def visit_Yield(self, node: cst.Yield) -> None:
        value = node.value
        self._escapes_if_loop(value if isinstance(value, cst.BaseExpression) else None)

    def visit_Assign(self, node: cst.Assign) -> None:
        self._escapes_if_loop(node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._escapes_if_loop(node.value)

    def visit_Element(self, node: cst.Element) -> None:
        self._escapes_if_loop(node.value)

    def visit_StarredElement(self, node: cst.StarredElement) -> None:
        self._escapes_if_loop(node.value)

    def visit_DictElement(self, node: cst.DictElement) -> None:
        self._escapes_if_loop(node.value)

    def visit_Lambda_body(self, node: cst.Lambda) -> None:
        self._escapes_if_loop(node.body)


class _VariableUses(_LoopUses):
    """``_LoopUses`` of a variable: with a hook for Name nodes, which the walk of a ``self.attr``
    does without, and so skips them (half of the nodes of a class)."""

    def visit_Name(self, node: cst.Name) -> None:
        self._note_nested_use(node)


def _is_fallback(value: cst.BaseExpression) -> bool:
    """``given or made``: the value is ``made`` only when ``given`` is falsy (None)."""
    return isinstance(value, cst.BooleanOperation) and isinstance(value.operator, cst.Or)


def _returned_values(function: FunctionInfo) -> list[Optional[cst.BaseExpression]]:
    """What the ``return`` statements of ``function``'s own body return (None: a bare return)."""
    found: list[Optional[cst.BaseExpression]] = []
    pending: list[cst.CSTNode] = [function.node.body] if isinstance(function.node, cst.FunctionDef) else []
    while pending:
        node = pending.pop()
        if isinstance(node, cst.Return):
            found.append(node.value)
        elif not isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            pending.extend(node.children)
    return found


def _parameter_for(function: FunctionInfo, call: cst.Call, arg: cst.Arg) -> Optional[str]:
    """The parameter of ``function`` (a method called through its class) that ``arg`` binds."""
    position = [a for a in call.args if a.keyword is None].index(arg) if arg.keyword is None else None
    return parameter_named(function, position, arg.keyword.value if arg.keyword is not None else None)


def kept_as(initializer: FunctionInfo, parameter: str) -> Optional[str]:
    """The attribute ``__init__`` assigns the parameter to: ``self.loop = loop``."""
    for statement in _simple_statements(initializer):
        for small in statement.body:
            if not (isinstance(small, cst.Assign) and isinstance(small.value, cst.Name)):
                continue
            target = small.targets[0].target if len(small.targets) == 1 else None
            if (
                small.value.value == parameter
                and isinstance(target, cst.Attribute)
                and isinstance(target.value, cst.Name)
                and target.value.value == initializer.self_name
            ):
                return target.attr.value
    return None


def parameters_run_as_process(
    targets: Sequence[tuple[CallSite, cst.BaseExpression]], function: FunctionInfo
) -> frozenset[str]:
    """The parameters of ``function`` whose value its module hands to ``Process(target=...)``
    (``targets``: its module's ``LoopAnalysis.process_targets``):
    in ``function`` itself, or, for an ``__init__``, kept as an attribute (``self.worker =
    worker``) that a method of its class hands over (``Process(target=self.worker)``)."""
    found: set[str] = set()
    owner = function.owner_class
    for site, target in targets:
        if isinstance(target, cst.Name) and site.function is function and target.value in function.parameters:
            found.add(target.value)
        elif owner is not None and site.function is not None and site.function.owner_class is owner:
            if isinstance(target, cst.Attribute) and _names(target.value, site.function.self_name):
                attribute = target.attr.value
                found.update(p for p in function.parameters if kept_as(function, p) == attribute)
    return frozenset(found)


def parameter_named(function: FunctionInfo, position: Optional[int], keyword: Optional[str]) -> Optional[str]:
    """The parameter of ``function`` an argument binds, by its keyword or its position (a
    method's first parameter, ``self``, is bound already)."""
    if keyword is not None:
        return keyword
    node = function.node
    if position is None or not isinstance(node, cst.FunctionDef):
        return None
    positional = [*node.params.posonly_params, *node.params.params][1 if function.owner_class is not None else 0 :]
    return positional[position].name.value if position < len(positional) else None


def _names(expr: cst.BaseExpression, name: Optional[str]) -> bool:
    return isinstance(expr, cst.Name) and name is not None and expr.value == name


def _simple_statements(function: FunctionInfo) -> list[cst.SimpleStatementLine]:
    """The simple statements of ``function``'s own body, at its top level."""
    body = function.node.body
    if not isinstance(body, cst.IndentedBlock):
        return []
    return [statement for statement in body.body if isinstance(statement, cst.SimpleStatementLine)]


def _is_attribute(expr: cst.BaseExpression, attribute: str) -> bool:
    return isinstance(expr, cst.Attribute) and expr.attr.value == attribute


def _alternatives(expr: cst.BaseExpression) -> list[cst.BaseExpression]:
    """The values ``a or b`` may have."""
    if isinstance(expr, cst.BooleanOperation) and isinstance(expr.operator, cst.Or):
        return [*_alternatives(expr.left), *_alternatives(expr.right)]
    return [expr]
