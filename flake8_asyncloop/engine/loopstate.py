"""Which event loop the calling thread can have set at each call of a module's sync code.

``get_event_loop()`` outside a running loop returns the loop set in its thread. With none set
it warns on 3.12-3.13 and raises from 3.14 in the main thread (it made one silently before);
after ``set_event_loop(None)`` or ``asyncio.run()`` returned, it raises on every version. What
is set at a call depends on what ran before it: in its body, and in the functions that ran it.

This layer summarizes each function of the module by its *effect* on the thread's loop (it
sets one, clears it, leaves it, or runs code the analysis cannot see), composes the effects
along each body in evaluation order, and passes the state at each call of a function of the
module into that function (its *entry*): calls by name, methods through ``self``/``cls``,
constructors (a class call runs ``__init__``). A function whose name is used other than by
those calls (handed to a thread, a framework, an importer) has callers the analysis cannot see.
Module-level code starts with nothing set. Library calls leave the loop as it was, except the
few that set one (``apis.NEST_ASYNCIO_APPLY``, tornado's ``IOLoop``) or a policy.
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass
from typing import Any, NamedTuple, Optional, Protocol, Union

import libcst as cst

from flake8_asyncloop.engine import apis
from flake8_asyncloop.engine.callfacts import CallFacts
from flake8_asyncloop.engine.calls import argument, is_none, keyword_argument
from flake8_asyncloop.engine.index import CallSite, FunctionInfo, ImportSite
from flake8_asyncloop.engine.reads import Reads

# What the analysis reads (``reads.py``): the calls that set, clear or replace what is set, and
# every caller of a function that makes one (``effects``) or looks a loop up (``located``).
READS = Reads(
    names=apis.SET_EVENT_LOOP | apis.SET_EVENT_LOOP_POLICY,
    effects=apis.ASYNCIO_RUN | apis.ASYNCIO_RUNNER | apis.UVLOOP_INSTALL | apis.NEST_ASYNCIO_APPLY
    | apis.TORNADO_LOOP_SETTERS | apis.SET_EVENT_LOOP | apis.SET_EVENT_LOOP_POLICY | apis.GET_EVENT_LOOP
    | apis.IMPLICIT_LOOKUPS | apis.IMPLICIT_LOOKUPS_BEFORE_310,
    located=apis.GET_EVENT_LOOP,
)
# Decorators that call the function they wrap when it is called (a click command parses the
# command line, then runs it): its callers stay its callers.
_TRANSPARENT_DECORATORS = frozenset(
    {"functools.wraps", "functools.lru_cache", "functools.cache", "click.command", "click.group",
     "asyncclick.command", "asyncclick.group"}
)
_CLICK_COMMANDS = frozenset({"click.command", "click.group"})
# Decorators that leave the function to be called by its callers, or by none (abstract): for
# ``unseen_callers``, which asks who the callers are, not what the decorator does on a call.
_KEEPING_DECORATORS = frozenset(
    {"builtins.property", "functools.cached_property", "abc.abstractmethod", "typing.overload",
     "typing_extensions.overload", "typing.final", "typing_extensions.override", "typing.override"}
)
_DISPATCHERS = frozenset({"functools.singledispatch", "functools.singledispatchmethod"})


# Where a value came from: a call, or an import that ran a module.
Site = Union[CallSite, ImportSite]


class Kind(enum.Enum):
    NOTHING = "nothing"  # no loop set in the thread
    SET = "set"  # a loop is set (or a policy makes one on demand)
    UNSEEN = "unseen"  # code the analysis cannot see may have set one


@dataclass(frozen=True)
class Value:
    """One thing the thread's current-loop slot may hold at a point of the code.

    ``NOTHING``, ``cleared``: ``set_event_loop(None)`` or ``asyncio.run()`` ran, after which
    get_event_loop() raises on every version, and ``cleared_by`` is the call or import (in the
    body asked about, or in a caller) that ran it; not ``cleared``: nothing was ever set (it warns,
    or raises from 3.14). ``UNSEEN`` with ``cause``: the call or import whose effect is unknown;
    without, ``callers_of`` is the function whose callers are unknown (see ``unseen_callers``).
    Summaries of other modules carry no sites."""

    kind: Kind
    cleared_by: Optional[Site] = None
    cause: Optional[Site] = None
    callers_of: Optional[FunctionInfo] = None
    # SET only on the versions below 3.<until>: a lookup whose RuntimeError is caught made and set
    # a loop before 3.14, and set nothing from 3.14 on.
    until: Optional[int] = None
    cleared: bool = False

    def holds_on(self, minor: int) -> bool:
        return self.until is None or minor < self.until


State = frozenset[Value]
FRESH = Value(Kind.NOTHING)
A_LOOP = Value(Kind.SET)


def unknown_callers(function: FunctionInfo) -> State:
    return frozenset({Value(Kind.UNSEEN, callers_of=function)})


class Callers(enum.Enum):
    """Who runs a function whose callers the module does not show."""

    OUTSIDE = "outside"  # its module's importers: the module hands it to no one
    HANDED = "handed"  # code it is handed to: a callback, a target, a registry, a decorator
    CLICK = "click"  # click, from the command line
    RETURNED = "returned"  # the callers of the function that returns it (a decorator's wrapper)


@dataclass(frozen=True)
class Effect:
    """What running some code does to the slot: ``keeps`` if some run leaves it as it was, and
    ``values`` for what the other runs leave in it."""

    keeps: bool
    values: State

    def then(self, later: "Effect") -> "Effect":
        """This effect followed by ``later``."""
        kept = self.values if later.keeps else frozenset()
        return Effect(self.keeps and later.keeps, kept | later.values)

    def maybe(self) -> "Effect":
        """This effect on some runs only."""
        return Effect(True, self.values)

    def joined(self, other: "Effect") -> "Effect":
        """Either this effect or ``other``."""
        return Effect(self.keeps or other.keeps, self.values | other.values)

    def apply(self, state: State) -> State:
        return (state if self.keeps else frozenset()) | self.values

    def at(self, site: Site) -> "Effect":
        """The effect of a function, seen from its call at ``site``: what cleared the slot, or
        could not be seen, is that call."""
        return Effect(self.keeps, frozenset(_seen_from(value, site) for value in self.values))


NO_EFFECT = Effect(True, frozenset())
_UNDER_WAY = Effect(True, frozenset({Value(Kind.UNSEEN)}))  # a summary being worked out (by identity)
_MAX_ROUNDS = 3  # guesses of what a recursive call does
SETS = Effect(False, frozenset({A_LOOP}))
UNSEEN = Effect(True, frozenset({Value(Kind.UNSEEN)}))


class MadeLoop(NamedTuple):
    """What a function of another module of the project does with the new loop it returns."""

    installs: bool  # it sets it as the current loop
    closes: bool  # it closes it, or registers its close (``self.addCleanup(loop.close)``)


class ImportedCode(Protocol):
    """The other modules of the project (``project.py``): what running their code does."""

    def call_effect(self, name: str) -> Optional[Effect]:
        """What calling ``name`` does (``pkg.client.Client``, ``.helpers.install``), sites
        stripped; None when it is not the project's (a library)."""

    def import_effect(self, site: ImportSite) -> Effect:
        """What the modules an import runs do (the project's; a library's do nothing)."""

    def installs_elsewhere(self) -> bool:
        """Whether a call in another module of the project may leave a loop set in its thread
        (``LoopStates.installs``), wherever it runs."""

    def script_functions(self) -> frozenset[str]:
        """The checked module's top-level functions that a console script of the project runs
        (``entrypoints.py``)."""

    def new_loop_from(self, name: str) -> Optional[MadeLoop]:
        """What the project's function ``name`` does with the loop it makes and returns, when
        every ``return`` of it returns one (``loops.LoopAnalysis.returns_new_loop``); None otherwise."""

    def process_mains_here(self) -> frozenset[str]:
        """The checked module's functions that other modules of the project hand to
        ``Process(target=...)``."""

    def runs_as_process(self, name: str, position: Optional[int], keyword: Optional[str]) -> bool:
        """Whether the project's function or class ``name`` hands the argument at ``position``
        (among the positional ones) or ``keyword`` to ``Process(target=...)``."""

    def thread_lookup(self, name: str) -> Optional[tuple[str, str, int]]:
        """Where a new thread that runs ``name`` (a function of another module of the project)
        calls get_event_loop() with nothing set: the function that calls it, the module's path
        (from the import root) and the line; None if it does not, or is no function of the project's."""


class LoopStates:
    """The state of the current loop before each call of a module, worked out on demand."""

    def __init__(
        self, calls: CallFacts, minors: range, imported: Optional[ImportedCode] = None,
        scripts: frozenset[str] = frozenset(),
    ) -> None:
        """``minors``: the Python versions (3.x) asked about; a call that runs on none of them
        (behind a version guard) changes nothing there. ``imported``: the project's other
        modules, when known; without, their code is a library's. ``scripts``: the module's
        functions that console scripts run, with nothing set."""
        self._calls = calls
        self._scripts = scripts
        self._minors = minors
        self._imported = imported
        self._resolver = calls.resolver
        self._effects: dict[CallSite, Effect] = {}
        self._summaries: dict[FunctionInfo, Effect] = {}
        self._entries: dict[Optional[FunctionInfo], State] = {None: frozenset({FRESH})}
        # Per body (None: the module's), its calls and imports with an effect, each with its
        # place in the body: (calls before it, 0) for an import, (its number, 1) for a call.
        self._effect_sites: dict[Optional[FunctionInfo], list[tuple[tuple[int, int], Site, Effect]]] = {}
        self._places: dict[CallSite, tuple[int, int]] = {}
        self._recursive: set[FunctionInfo] = set()  # functions whose summary a call in them asked for
        self._guesses: dict[FunctionInfo, Effect] = {}  # what a recursive call is taken to do
        self._in_running_loop: dict[FunctionInfo, Optional[CallSite]] = {}  # ``running_caller``

    @property
    def calls(self) -> CallFacts:
        """The module's call layer this analysis reads."""
        return self._calls

    def before(self, site: CallSite) -> State:
        """What the thread that runs ``site`` may have set just before it: the entry state of its
        body, through the effects of the calls before it that can run in the same run."""
        entry = self.entry(site.function)
        return self._prefix(site).apply(entry) if entry else entry

    def set_earlier_in_body(self, site: CallSite) -> bool:
        """Whether a call before ``site`` in its own body may have set a loop (or runs code the
        analysis cannot see), whatever was set when the body started."""
        return any(value.kind is not Kind.NOTHING for value in self._prefix(site).values)

    def entry(self, function: Optional[FunctionInfo]) -> State:
        """What may be set when ``function`` starts running (None: the module, at import)."""
        known = self._entries.get(function)
        if known is not None:
            return known
        assert function is not None
        self._entries[function] = unknown_callers(function)  # a recursive call: its callers are its own
        state = self._entry_from_callers(function)
        self._entries[function] = state
        return state

    # -- effects of calls ---------------------------------------------------------------------

    def effect(self, site: CallSite) -> Effect:
        """What ``site`` does to the calling thread's current loop."""
        known = self._effects.get(site)
        if known is None:
            known = self._api_effect(site)
            if known is None:
                known = self._local_effect(site)
            if known != NO_EFFECT and not self._calls.reach(site.node).includes(self._minors):
                known = NO_EFFECT
            self._effects[site] = known
        return known

    def _api_effect(self, site: CallSite) -> Optional[Effect]:
        calls = self._calls
        if calls.is_get_event_loop(site) or self._implicit_lookup(site):
            # One that returns has found a loop, or (before 3.14) made and set one; one whose
            # RuntimeError is caught may have set nothing (3.14+). ``asyncio.Future()`` and the
            # like, outside a running loop, look it up the same way.
            return Effect(True, frozenset({Value(Kind.SET, until=14)})) if site.guarded_by_runtime_error else SETS
        if calls.installs_loop(site):
            return SETS
        if calls.uninstalls_loop(site):
            return _clears(site)
        callee = calls.callee(site)
        if callee is None:
            return None
        if callee in apis.ASYNCIO_RUN:
            # With a loop factory (3.12+) it sets nothing; without, it clears what was set.
            if keyword_argument(site.node, "loop_factory") is not None:
                return NO_EFFECT
            return _clears(site)
        if callee in apis.SET_EVENT_LOOP_POLICY:
            return self._policy_effect(site)
        if callee in apis.UVLOOP_INSTALL:
            return Effect(False, frozenset({FRESH}))
        if callee in apis.NEST_ASYNCIO_APPLY:
            return SETS
        if callee in apis.TORNADO_LOOP_SETTERS or callee in apis.ASYNCIO_RUNNER:
            return Effect(True, frozenset({Value(Kind.UNSEEN, cause=site)}))
        return None

    def installs(self, site: CallSite) -> bool:
        """Whether ``site`` may leave a loop set for the later code of its thread, however it
        runs: ``set_event_loop(loop)``, ``nest_asyncio.apply()``, tornado's ``IOLoop``, a policy
        of the project's own (a lookup returns one only while one is set, and makes none from 3.14)."""
        calls = self._calls
        if calls.installs_loop(site):
            return True
        callee = calls.callee(site)
        if callee in apis.SET_EVENT_LOOP_POLICY:
            return self._policy_effect(site).values != frozenset({FRESH})
        return callee in apis.NEST_ASYNCIO_APPLY or callee in apis.TORNADO_LOOP_SETTERS

    @functools.cached_property
    def installs_somewhere(self) -> bool:
        """Whether some call of the module ``installs``."""
        return any(self.installs(site) for site in self._calls.index.calls)

    def _implicit_lookup(self, site: CallSite) -> bool:
        """``asyncio.Future()``, ``gather()``... with no ``loop=``: they call get_event_loop()
        (queues and locks too, before 3.10)."""
        callee = self._calls.callee(site)
        if keyword_argument(site.node, "loop") is not None:
            return False
        before_310 = callee in apis.IMPLICIT_LOOKUPS_BEFORE_310 and self._minors.start < 10
        return callee in apis.IMPLICIT_LOOKUPS or before_310

    def _policy_effect(self, site: CallSite) -> Effect:
        """A policy asyncio or uvloop ships starts with nothing set; another may make a loop
        wherever one is asked for (tornado's AnyThreadEventLoopPolicy)."""
        policy = argument(site.node, 0, "policy")
        if policy is not None and (is_none(policy) or self._is_shipped_policy(policy)):
            return Effect(False, frozenset({FRESH}))
        return Effect(False, frozenset({Value(Kind.UNSEEN, cause=site)}))

    def _is_shipped_policy(self, policy: cst.BaseExpression) -> bool:
        return isinstance(policy, cst.Call) and self._calls.callee_of(policy) in apis.SHIPPED_POLICIES

    def _local_effect(self, site: CallSite) -> Effect:
        """A call of the project's own functions: their summaries, joined when it may be several."""
        functions = self._resolver.functions(site.node.func, site.scope)
        if not functions:
            initializer = self._initializer(site)
            functions = [initializer] if initializer is not None else []
        if not functions:
            return self._imported_effect(site)
        effect: Optional[Effect] = None
        for function in functions:
            called = self._call_effect(function, site)
            effect = called if effect is None else effect.joined(called)
        return effect if effect is not None else NO_EFFECT

    def _call_effect(self, function: FunctionInfo, site: CallSite) -> Effect:
        if function.is_async:
            return NO_EFFECT  # the call makes a coroutine; its body runs in a loop, later
        summary = self.summary(function)
        if function.is_generator and summary != NO_EFFECT:
            # Its body runs when iterated, or in part around a ``with`` body: not seen here.
            return Effect(True, frozenset({Value(Kind.UNSEEN, cause=site)}))
        return summary.at(site)

    def _imported_effect(self, site: CallSite) -> Effect:
        """A call of a function or class another module of the project defines."""
        name = self._resolver.imported_name(site.node.func, site.scope)
        effect = self._imported.call_effect(name) if self._imported is not None and name is not None else None
        return effect.at(site) if effect is not None else NO_EFFECT

    def module_effect(self) -> Effect:
        """What importing the module does (the first time): its body, but what runs only as a
        script (``if __name__ == "__main__":``)."""
        result = NO_EFFECT
        scripts = self._calls.index.main_blocks
        for _, site, effect in self._body_effects(None):
            if scripts and any(block in scripts for block in site.blocks):
                continue
            result = result.then(effect if not site.blocks else effect.maybe())
        return result

    def _initializer(self, site: CallSite) -> Optional[FunctionInfo]:
        """The ``__init__`` that calling a class of this module runs."""
        func = site.node.func
        if not isinstance(func, cst.Name):
            return None
        bindings = site.scope.lookup(func.value) or []
        classes = [self._calls.index.class_for(b.node) for b in bindings if b.kind == "class" and b.node is not None]
        if len(classes) != 1 or len(bindings) != 1 or classes[0] is None:
            return None
        return self._resolver.method(classes[0], "__init__")

    def summary(self, function: FunctionInfo) -> Effect:
        """The effect of running ``function``'s body, from its start to any return."""
        known = self._summaries.get(function)
        if known is not None:
            if known is _UNDER_WAY:
                self._recursive.add(function)
                return self._guesses[function]
            return known
        # A recursive call does what the whole call does: guessed, first as nothing, then as the
        # last result, until the result is the guess. What was worked out with a wrong guess is
        # dropped each time. Past a few rounds, the recursive call is unseen.
        caches: tuple[dict[Any, Any], ...] = (self._summaries, self._effects, self._effect_sites)
        marks = [len(cache) for cache in caches]
        guess = NO_EFFECT
        for round in range(_MAX_ROUNDS + 1):
            self._guesses[function] = guess if round < _MAX_ROUNDS else UNSEEN
            self._summaries[function] = _UNDER_WAY
            result = self._summarize(function)
            if function not in self._recursive or result == guess:
                break
            for cache, mark in zip(caches, marks):
                _drop_from(cache, mark)
            guess = result
        self._summaries[function] = result
        return result

    def lookup_with_callers_loop(self, function: FunctionInfo) -> Optional[CallSite]:
        """The first ``get_event_loop()`` (one whose RuntimeError is not caught) that a call of
        ``function`` from outside the module reaches with whatever its caller had set: nothing,
        in a new thread."""
        unseen = Value(Kind.UNSEEN, callers_of=function)
        for site in self._calls.index.calls:
            if site.function is not None and not site.guarded_by_runtime_error and self._calls.is_get_event_loop(site):
                if unseen in self.before(site):
                    return site
        return None

    def working_out(self, function: FunctionInfo) -> bool:
        """Whether ``function``'s summary is being worked out (asked again from another module:
        the guesses of a recursive call stay in this one)."""
        return self._summaries.get(function) is _UNDER_WAY

    def _summarize(self, function: FunctionInfo) -> Effect:
        result = NO_EFFECT
        for _, site, effect in self._body_effects(function):
            result = result.then(effect if _always_runs(site, function) else effect.maybe())
        return result

    # -- bodies ---------------------------------------------------------------------------------

    def _body_effects(self, function: Optional[FunctionInfo]) -> list[tuple[tuple[int, int], Site, Effect]]:
        """The calls and imports of a body that change the loop, in order, with their places."""
        found = self._effect_sites.get(function)
        if found is None:
            sites = function.calls if function is not None else self._module_calls
            found = []
            for number, site in enumerate(sites):
                self._places[site] = (number, 1)
                effect = self.effect(site)
                if effect != NO_EFFECT:
                    found.append(((number, 1), site, effect))
            found.extend(self._import_effects(function))
            found.sort(key=lambda entry: entry[0])
            self._effect_sites[function] = found
        return found

    def _import_effects(self, function: Optional[FunctionInfo]) -> list[tuple[tuple[int, int], Site, Effect]]:
        if self._imported is None:
            return []
        found: list[tuple[tuple[int, int], Site, Effect]] = []
        for site in self._calls.index.imports:
            if site.function is not function:
                continue
            effect = self._imported.import_effect(site)
            if effect != NO_EFFECT:
                found.append(((site.calls_before, 0), site, effect.at(site)))
        return found

    @functools.cached_property
    def _module_calls(self) -> list[CallSite]:
        return [site for site in self._calls.index.calls if site.function is None]

    def _prefix(self, site: CallSite) -> Effect:
        """The effect of the calls of ``site``'s body that run before it in the same run."""
        effects = self._body_effects(site.function)
        place = self._places[site]
        result = NO_EFFECT
        for earlier_place, earlier, effect in effects:
            if earlier_place >= place:
                break
            if not self._calls.index.may_run_before(earlier, site):
                continue  # another branch of an if, or another handler
            result = result.then(effect if earlier.always_runs_before(site) else effect.maybe())
        return result

    # -- callers --------------------------------------------------------------------------------

    def _entry_from_callers(self, function: FunctionInfo) -> State:
        if function.is_async:
            return frozenset({A_LOOP})  # a coroutine runs in a running loop
        callers = self._callers.get(function, [])
        # Where the module's calls are not all of them, what its own calls set counts too. A
        # console script's function is taken to run as the script (as ``main()`` is).
        if self._runs_as_script(function):
            state: State = frozenset({FRESH})
        else:
            state = frozenset() if self._only_called(function, callers) else unknown_callers(function)
        for caller in callers:
            state |= self.before(caller)
        return state

    def _runs_as_script(self, function: FunctionInfo) -> bool:
        return function.name in self._scripts and function.outer_scope.kind == "module"

    def _only_called(self, function: FunctionInfo, callers: list[CallSite]) -> bool:
        """Whether ``callers`` are all of ``function``'s runs: its module calls it, uses its name
        for nothing else, it is no generator, no special method, and its decorators (if any) call
        it when it is called. (An importer may call it too: a script's ``main()`` is taken to run
        as the script.) A function its module never calls is for importers: callers unknown."""
        node = function.node
        if not callers or function.is_generator or not isinstance(node, cst.FunctionDef):
            return False
        if node.name.value.startswith("__") or not all(self._transparent(d, function) for d in node.decorators):
            return False
        return self._calls.index.name_counts[function.name] == 1 + len(callers)

    def running_caller(self, function: FunctionInfo) -> Optional[CallSite]:
        """A call of ``function`` when every run of it the module shows is inside a running
        loop: its module calls it and uses its name for nothing else (``_only_called``), and
        each call is in a coroutine, or in a sync function that runs only inside one in turn.
        None otherwise (a recursive call counts as not shown). Calls from other modules are not
        seen: a caller asks about functions no importer calls."""
        if function in self._in_running_loop:
            return self._in_running_loop[function]
        self._in_running_loop[function] = None
        callers = self._callers.get(function, [])
        found = None
        if not function.is_async and self._only_called(function, callers):
            inside = all(
                site.function is not None and (site.function.is_async or self.running_caller(site.function))
                for site in callers
            )
            found = callers[0] if inside else None
        self._in_running_loop[function] = found
        return found

    def unseen_callers(self, function: FunctionInfo) -> Callers:
        """Who runs ``function``, where the module's calls are not all of its runs."""
        if isinstance(function.node, cst.Lambda) or function.name == "__del__":
            return Callers.HANDED  # a lambda is a value; ``__del__`` runs where an object is freed
        kinds = {self._decorator_callers(decorator, function) for decorator in function.node.decorators}
        if Callers.HANDED in kinds:
            return Callers.HANDED
        uses = self._resolver.value_uses.get(function, frozenset())
        if "handed" in uses or (uses and function.outer_scope.kind != "function"):
            return Callers.HANDED
        if Callers.CLICK in kinds:
            return Callers.CLICK
        return Callers.RETURNED if uses else Callers.OUTSIDE

    def _decorator_callers(self, decorator: cst.Decorator, function: FunctionInfo) -> Optional[Callers]:
        """What ``decorator`` tells about ``function``'s callers: a click command's, or none
        (its callers stay its own), or HANDED (unknown: it may register the function elsewhere)."""
        expr = decorator.decorator.func if isinstance(decorator.decorator, cst.Call) else decorator.decorator
        qualified = self._resolver.qualified_name(expr, function.outer_scope)
        if qualified in _CLICK_COMMANDS:
            return Callers.CLICK
        if self._transparent(decorator, function) or qualified in _KEEPING_DECORATORS or (
            isinstance(expr, cst.Name) and expr.value == "property"
        ):
            return None
        if isinstance(expr, cst.Attribute) and expr.attr.value == "register":
            # ``@dispatcher.register``: called through the dispatcher, by its callers.
            return None if self._is_dispatcher(expr.value, function) else Callers.HANDED
        return Callers.HANDED

    def _is_dispatcher(self, expr: cst.BaseExpression, function: FunctionInfo) -> bool:
        """Whether ``expr`` is a function made a dispatcher by ``functools.singledispatch``."""
        dispatchers = self._resolver.functions(expr, function.outer_scope)
        return bool(dispatchers) and all(self._dispatches(dispatcher) for dispatcher in dispatchers)

    def _dispatches(self, function: FunctionInfo) -> bool:
        decorators = function.node.decorators if isinstance(function.node, cst.FunctionDef) else ()
        return any(self._resolver.qualified_name(d.decorator, function.outer_scope) in _DISPATCHERS for d in decorators)

    def _transparent(self, decorator: cst.Decorator, function: FunctionInfo) -> bool:
        expr = decorator.decorator
        if isinstance(expr, cst.Call):
            expr = expr.func
        return self._resolver.qualified_name(expr, function.outer_scope) in _TRANSPARENT_DECORATORS or (
            isinstance(expr, cst.Name) and expr.value in ("staticmethod", "classmethod")
        )

    @functools.cached_property
    def _callers(self) -> dict[FunctionInfo, list[CallSite]]:
        """The calls of each function of the module by name or as ``self.name``."""
        callers: dict[FunctionInfo, list[CallSite]] = {}
        for site in self._calls.index.calls:
            if not isinstance(site.node.func, (cst.Name, cst.Attribute)):
                continue
            for function in self._resolver.functions(site.node.func, site.scope):
                callers.setdefault(function, []).append(site)
        return callers


def _drop_from(cache: dict[Any, Any], mark: int) -> None:
    """Forget what was added to ``cache`` after its first ``mark`` entries."""
    for key in list(cache)[mark:]:
        del cache[key]


def _clears(site: CallSite) -> Effect:
    return Effect(False, frozenset({Value(Kind.NOTHING, cleared_by=site, cleared=True)}))


def _seen_from(value: Value, site: Site) -> Value:
    if value.kind is Kind.UNSEEN:
        return Value(Kind.UNSEEN, cause=site)
    if value.cleared:
        return Value(Kind.NOTHING, cleared_by=site, cleared=True)
    return value


def portable(effect: Effect) -> Effect:
    """``effect`` without the sites of its module, to be applied in another (``Effect.at``)."""
    return Effect(effect.keeps, frozenset(Value(v.kind, until=v.until, cleared=v.cleared) for v in effect.values))


def _always_runs(site: Site, function: FunctionInfo) -> bool:
    """Whether every run of ``function`` that returns has run ``site``: a statement of its own
    body (not in a branch, loop, ``with`` or ``try``) with no conditional return before it."""
    body = function.node.body if isinstance(function.node, cst.FunctionDef) else None
    return bool(site.blocks) and site.blocks[-1] is body and not site.after_early_return
