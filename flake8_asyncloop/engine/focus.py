"""The flake8 path's shortcut: give libcst only the statements that can matter, at their own lines.

flake8 has already built the module's ``ast`` tree. From it and the source text this module
decides, conservatively, which top-level statements (and which statements of top-level class
bodies) can influence a diagnostic, and returns the code libcst gets (``Focused``): kept
statements verbatim, each line as it is in the file; dropped ones left out (or ``pass`` where a
block needs a statement); a function that is kept only because its name is referred to keeps
its header with ``pass`` as its body. The same analysis and rules then run on that code, and
``line_numbers`` places every node they report where it sits in the file. Dropped lines are
left out rather than blanked because libcst builds nodes for every blank line (a tenth of the
parse), and the calls' positions come from flake8's tree, so the code is never parsed twice.

What to keep is derived from what the rules that run declare they read, with the analysis
layers they ask (``Reads``, in ``reads.py``; each rule's ``reads``): nothing here names an API.
A statement is kept when it:

* names something read (``names``, ``context``, ``thread_starts``, ``spawns``), or a name bound
  to one (``from asyncio import get_event_loop as gel``, ``Loop = uvloop.Loop``); the
  ``spawn_runners`` (``asyncio.run``) count once the module spawns processes;
* refers to a loop variable made at module level (the loop analysis reads every use of it; and
  the ``lookups`` then count wherever they are), or uses an attribute some method of its class
  assigns a new loop to (``creations``) in a way the loop analysis reads: the value itself, or
  one of the ``loop_methods`` (``self.loop.call_soon(...)`` alone tells no rule anything);
* may call a kept function whose callers matter: one that calls something ``located``
  (``get_event_loop()``), and, where threads or subprocesses are involved, one that names
  anything read, makes a loop or uses something ``followed`` (``attach_loop``), and any caller
  of such a caller (the loop-state analysis passes what is set into a function from its
  callers; the thread and subprocess analyses follow calls from a thread's start to it); a kept
  statement's variables count too (``t = Thread(...)`` and then ``t.start()``);
* calls a kept function that makes a loop (``creations``), which may return it for the caller
  to own (its direct callers only);
* where the module calls something ``located``: calls one of the ``effects`` (``asyncio.run``),
  or may call a function, method or class of the module that does, however indirectly (what is
  set at a lookup depends on every call before it that sets or clears a loop);
* is a ``run`` method (a ``Thread`` subclass's entry), an import, or an early exit
  (``if ...: raise``, a version guard);
* binds a name a kept statement refers to: shadowing must stay as it is. A definition kept
  only for this keeps its header, and its body becomes ``pass``.

Names are read from the statement's text, strings and comments included: a word in a docstring
can keep a statement, never drop one. When nothing in the module names a reported API, no rule
can fire, and libcst is not needed at all. ``tests/test_focus.py`` checks that the focused code
gives exactly the diagnostics of the whole one, with every rule and with each rule alone (which
shows each rule's declaration is complete).
"""

from __future__ import annotations

import ast
import bisect
import functools
import itertools
import re
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Optional, Union

from flake8_asyncloop.engine import cpython
from flake8_asyncloop.engine.apis import words as spelled
from flake8_asyncloop.engine.reads import Reads

# An identifier, captured unless it is the name in ``def name`` / ``class name``.
_WORD = re.compile(r"\b(?:def|class)\s+[A-Za-z_]\w*|([A-Za-z_]\w*)")
_ATTRIBUTE = re.compile(r"\.\s*([A-Za-z_]\w*)")
_GLOBAL_STATEMENT = re.compile(r"\bglobal\s+[A-Za-z_]")
# A line with its line break, as CPython counts lines.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_INDENT = re.compile(r"[ \t\f]*")

Definition = Union[ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef]


@functools.lru_cache(maxsize=16)
def _vocabulary(reads: Reads) -> Reads:
    """``reads`` as statements spell it (worked out once per set of rules)."""
    return reads.spelled()


@dataclass(eq=False)
class _Unit:
    """A statement that is kept or dropped as a whole: module level, or in a top-level class body."""

    node: ast.stmt
    first: int  # first line (its decorators included), 1-based
    last: int
    in_class: Optional["_Unit"] = None  # the header of its class, for a class-body statement
    # What focus selects by (``_read``; left empty where every statement is kept):
    words: frozenset[str] = frozenset()  # every identifier in its text, except in ``def name`` / ``class name``
    attributes: frozenset[str] = frozenset()  # identifiers after a dot
    bound: frozenset[str] = frozenset()  # names it binds in the scope it runs in
    aliases: tuple[Alias, ...] = ()  # names it binds to a value, with the words of the value
    imported: frozenset[str] = frozenset()  # names it binds by importing (no function of this module)
    # For a definition that can be reduced to its header: the header's last line and its words.
    header_last: Optional[int] = None
    header_words: frozenset[str] = frozenset()
    is_header: bool = False  # a top-level class's header, whose body is split into units
    needed: bool = False  # kept whole
    stubbed: bool = False  # kept as its header only (or a class header)


@dataclass
class _Module:
    lines: list[str]
    units: list[_Unit] = field(default_factory=list)


@dataclass(frozen=True)
class Cut:
    """Where libcst's parse of the focused code may be cut (``pieces.py``): before a kept
    top-level statement, or before a statement of a split class's body other than its first,
    with the blank and comment lines that lead up to it (not where libcst's single parse would
    give some of them to the block before)."""

    offset: int  # in ``Focused.code``
    in_class: bool  # what follows continues the body of the class before it


@dataclass(frozen=True)
class Focused:
    """What libcst is given on flake8's path, and where its code sits in the file."""

    code: str  # the statements that matter and the stubs, verbatim; dropped lines removed
    line_numbers: tuple[int, ...]  # the file's number of each line of ``code``
    kept_nodes: tuple[ast.AST, ...]  # CPython's nodes of the code in ``code``, placed in the file
    source: str  # the file's text
    cuts: tuple[Cut, ...] = ()  # in order; the first is at 0

    def calls(self) -> list[ast.Call]:
        """Every call in ``code``, as CPython's node (in no particular order)."""
        return [node for kept in self.kept_nodes for node in cpython.nodes(kept) if type(node) is ast.Call]


def focus(source: str, tree: ast.Module, reads: Reads) -> Optional[Focused]:
    """``source`` reduced to what ``reads`` needs, or None when no rule can report anything.

    ``tree`` is CPython's tree of ``source`` (flake8's); ``reads`` is what the rules that run
    read, with the layers they ask (``reads.union`` of their ``reads``). Every kept line is the
    file's line, verbatim; lines of dropped statements are left out (libcst builds a node for
    every blank line), and ``line_numbers`` tells where each kept line came from.
    """
    module = _units_of(source, tree, read=True)
    if not module.units:
        return None
    vocabulary = _vocabulary(reads)
    reported = _closure(module.units, vocabulary.names)
    spawn_words = _closure(module.units, vocabulary.spawns)
    if any(unit.words & spawn_words for unit in module.units):
        reported |= _closure(module.units, vocabulary.spawn_runners)
    if not any(unit.words & reported for unit in module.units):
        return None
    _Selection(module, vocabulary, reported, spawn_words).run()
    return _focused(module, source)


def every_statement(source: str, tree: ast.Module) -> Focused:
    """All of ``source``, with the places where its parse may be cut (``pieces.py``): what the
    adapters that read whole modules (fixes, the command, the language server) give libcst."""
    module = _units_of(source, tree, read=False)  # nothing to select by: no words read
    for unit in module.units:
        unit.needed = not unit.is_header  # a split class's header stays by its body's statements
    return _focused(module, source)


# -- units ------------------------------------------------------------------------------------


def _units_of(source: str, tree: ast.Module, read: bool) -> _Module:
    """``source``'s lines, and a unit for each top-level statement (and split class's statement);
    ``read``: with the words and bindings focus selects by."""
    module = _Module(_LINE.findall(source))
    for statement in tree.body:
        _add_unit(module, statement, None, read)
    return module


def _first_line(node: ast.stmt) -> int:
    decorators: list[ast.expr] = getattr(node, "decorator_list", None) or []
    return min([node.lineno, *(decorator.lineno for decorator in decorators)])


def _text(module: _Module, first: int, last: int) -> str:
    return "".join(module.lines[first - 1 : last])


def _read_words(text: str) -> frozenset[str]:
    """The identifiers ``text`` uses: ``def f`` defines f without using it."""
    return frozenset(_WORD.findall(text)) - {""}


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp,
           ast.GeneratorExp)


def _same_scope(node: ast.AST) -> Iterator[ast.AST]:
    """``node`` and what runs in its scope: not the bodies of functions, classes, comprehensions."""
    pending = [node]
    while pending:
        current = pending.pop()
        yield current
        if current is not node and isinstance(current, _SCOPES):
            continue
        pending.extend(ast.iter_child_nodes(current))


def _expression_words(node: Optional[ast.AST]) -> frozenset[str]:
    if node is None:
        return frozenset()
    return frozenset(
        inner.id if isinstance(inner, ast.Name) else inner.attr
        for inner in cpython.nodes(node)
        if isinstance(inner, (ast.Name, ast.Attribute))
    )


def _target_names(target: ast.AST) -> frozenset[str]:
    return frozenset(inner.id for inner in cpython.nodes(target) if isinstance(inner, ast.Name))


Alias = tuple[frozenset[str], frozenset[str]]  # (names bound, the words of what they are bound to)

# Nodes that bind the name in their ``name`` (and a mapping pattern, its ``rest``). The pattern
# nodes are new in Python 3.10; on 3.9 no tree holds them, and ``ast`` lacks the classes.
_NAMED_CAPTURES: tuple[type[Union[ast.ExceptHandler, ast.MatchAs, ast.MatchStar]], ...] = tuple(
    getattr(ast, name) for name in ("ExceptHandler", "MatchAs", "MatchStar") if hasattr(ast, name)
)
_MAPPING_PATTERN: tuple[type[ast.MatchMapping], ...] = (ast.MatchMapping,) if hasattr(ast, "MatchMapping") else ()


def _bindings(node: ast.stmt, text: str) -> tuple[frozenset[str], tuple[Alias, ...], frozenset[str]]:
    """The names ``node`` (whose code is ``text``) binds where it runs, which of them are bound
    to what, and which are only imported."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return _definition_bindings(node, text)
    names: set[str] = set()
    imported: set[str] = set()
    found: list[Alias] = []
    for inner in _same_scope(node):
        if isinstance(inner, ast.Name):
            if not isinstance(inner.ctx, ast.Load):
                names.add(inner.id)
        elif isinstance(inner, (ast.Import, ast.ImportFrom)):
            for alias in _import_aliases(inner):
                imported |= alias[0]
                found.append(alias)
        else:
            names.update(_names_bound_by(inner))
            value_alias = _value_alias(inner)
            if value_alias is not None:
                found.append(value_alias)
    only_imported = frozenset(imported - names)  # assignment targets are Name nodes, imports are not
    names.update(imported)
    return frozenset(names), tuple(found), only_imported


def _definition_bindings(node: Definition, text: str) -> tuple[frozenset[str], tuple[Alias, ...], frozenset[str]]:
    """A definition binds its name; ``global x`` in a function binds the module's x, to anything
    the function mentions. Walking a whole definition is costly: only where a ``global``
    statement may be."""
    global_names = frozenset(
        name
        for inner in (cpython.nodes(node) if "global" in text and _GLOBAL_STATEMENT.search(text) else ())
        if isinstance(inner, ast.Global)
        for name in inner.names
    )
    aliases: tuple[Alias, ...] = ((global_names, frozenset({"*"})),) if global_names else ()
    return frozenset({node.name}) | global_names, aliases, frozenset()


def _import_aliases(node: Union[ast.Import, ast.ImportFrom]) -> Iterator[Alias]:
    """Each name an import binds, with the words of what it is bound to (its module's parts)."""
    for alias in node.names:
        if isinstance(node, ast.Import):
            yield frozenset({alias.asname or alias.name.split(".", 1)[0]}), frozenset(alias.name.split("."))
        else:
            local = alias.asname or alias.name
            yield frozenset({local}), frozenset({alias.name, *(node.module or "").split(".")})


def _names_bound_by(node: ast.AST) -> Iterable[str]:
    """The names a definition, ``global``/``nonlocal``, ``except ... as`` or a pattern binds."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return (node.name,)
    if isinstance(node, (ast.Global, ast.Nonlocal)):
        return node.names
    if isinstance(node, _NAMED_CAPTURES) and node.name:
        return (node.name,)
    if isinstance(node, _MAPPING_PATTERN) and node.rest:
        return (node.rest,)
    return ()


def _value_alias(node: ast.AST) -> Optional[Alias]:
    """The names an assignment (or ``with ... as``) binds, with the words of the value."""
    if isinstance(node, ast.Assign):
        return frozenset().union(*map(_target_names, node.targets)), _expression_words(node.value)
    if isinstance(node, (ast.AnnAssign, ast.NamedExpr)):
        return _target_names(node.target), _expression_words(node.value)
    if isinstance(node, ast.withitem) and node.optional_vars is not None:
        return _target_names(node.optional_vars), _expression_words(node.context_expr)
    return None


def _body_start(node: Definition) -> int:
    return _first_line(node.body[0])


def _indent_of(module: _Module, node: ast.stmt) -> Optional[str]:
    """The whitespace before ``node``'s first line, if the line starts with the node."""
    line = module.lines[_first_line(node) - 1]
    indent = _INDENT.match(line)
    column = node.col_offset if not getattr(node, "decorator_list", None) else None
    if indent is None:
        return None
    if column is not None and len(indent.group()) != column:
        return None
    return indent.group()


def _add_unit(module: _Module, node: ast.stmt, in_class: Optional[_Unit], read: bool) -> None:
    header_last: Optional[int] = None
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        body_start = _body_start(node)
        if body_start > node.lineno and _indent_of(module, node.body[0]) is not None:
            header_last = body_start - 1
    splittable = (
        in_class is None
        and isinstance(node, ast.ClassDef)
        and header_last is not None
        and all(_indent_of(module, statement) is not None for statement in node.body)
    )
    # A split class is its header: its body's statements are units of their own.
    unit = _Unit(node, _first_line(node), node.end_lineno or node.lineno, in_class, header_last=header_last,
                 is_header=splittable)
    if read:
        _read(module, unit)
    module.units.append(unit)
    if splittable and isinstance(node, ast.ClassDef):
        for statement in node.body:
            _add_unit(module, statement, unit, read)


def _read(module: _Module, unit: _Unit) -> None:
    """Fill in ``unit``'s words, attributes and bindings (a split class's header: its header's words)."""
    text = _text(module, unit.first, unit.last)
    if unit.header_last is not None:
        unit.header_words = _read_words(_text(module, unit.first, unit.header_last))
    unit.words = unit.header_words if unit.is_header else _read_words(text)
    unit.attributes = frozenset() if unit.is_header else frozenset(_ATTRIBUTE.findall(text))
    unit.bound, unit.aliases, unit.imported = _bindings(unit.node, text)


# -- choosing what to keep ----------------------------------------------------------------------


def _closure(units: list[_Unit], words: frozenset[str]) -> frozenset[str]:
    """``words`` and every name bound to an expression that uses one (aliases, imports)."""
    found = set(words)
    changed = True
    while changed:
        changed = False
        for unit in units:
            if not unit.aliases or not unit.words & found:
                continue
            for bound, value in unit.aliases:
                if not bound <= found and ("*" in value or value & found):
                    found |= bound
                    changed = True
    return frozenset(found)


def _loop_targets(units: list[_Unit], creation_words: frozenset[str]) -> tuple[set[str], set[tuple[_Unit, str]]]:
    """Module-level variables that some statement assigns a new loop to, and (class, attribute)
    pairs that a method assigns one to, with the class as its header unit."""
    variables: set[str] = set()
    attributes: set[tuple[_Unit, str]] = set()
    for unit in units:
        if unit.is_header or not unit.words & creation_words:
            continue
        module_level = unit.in_class is None and not isinstance(
            unit.node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
        )
        for target, value in _assignments(unit.node):
            if not _expression_words(value) & creation_words:
                continue
            if isinstance(target, ast.Name) and module_level:
                variables.add(target.id)
            elif isinstance(target, ast.Attribute) and unit.in_class is not None:
                attributes.add((unit.in_class, target.attr))
    return variables, attributes


def _assignments(node: ast.stmt) -> Iterator[tuple[ast.expr, ast.expr]]:
    for inner in cpython.nodes(node):
        if isinstance(inner, ast.Assign):
            yield from ((target, inner.value) for target in inner.targets)
        elif isinstance(inner, ast.AnnAssign) and inner.value is not None:
            yield inner.target, inner.value
        elif isinstance(inner, ast.withitem) and inner.optional_vars is not None:
            yield inner.optional_vars, inner.context_expr


def _is_early_exit(node: ast.stmt) -> bool:
    """``if ...: return/raise/exit()`` narrows what follows it (a version or platform guard)."""
    return isinstance(node, ast.If) and not node.orelse and isinstance(node.body[-1], (ast.Return, ast.Raise, ast.Expr))


def _is_function(unit: _Unit) -> bool:
    return isinstance(unit.node, (ast.FunctionDef, ast.AsyncFunctionDef))


def _uses_loop_attribute(text: str, attributes: list[str], loop_methods: frozenset[str]) -> bool:
    """Whether ``text`` uses one of ``attributes`` in a way the loop analysis reads: the value
    itself (passed, assigned, returned: the loop escapes) or one of its ``loop_methods`` (that
    run it, close it, run a coroutine on it or spawn processes). ``self.loop.call_soon(...)``
    tells no rule anything. Anything else after the name (a line continuation, a comment) counts
    as a use."""
    for attribute in attributes:
        for use in re.finditer(rf"\.\s*{attribute}\b\s*(?:\.\s*([A-Za-z_]\w*))?", text):
            method = use.group(1)
            if method is None or method in loop_methods:
                return True
    return False


class _Selection:
    """Marks the units to keep: the seeds (statements naming what the rules read), then, until
    nothing changes, the bindings of every name a kept unit refers to, and the callers of
    functions whose callers matter."""

    def __init__(self, module: _Module, vocabulary: Reads, reported: frozenset[str], spawns: frozenset[str]):
        self.module = module
        self.loop_methods = vocabulary.loop_methods
        units = module.units
        creations = self.creations = _closure(units, vocabulary.creations)
        self.loop_variables, self.loop_attributes = _loop_targets(units, creations)
        threads = _closure(units, vocabulary.thread_starts)
        self.seed_words = reported | threads | _closure(units, vocabulary.context) | spawns
        if self.loop_variables:
            # Lookups after a module-level loop is made count for it, wherever they are.
            self.seed_words |= _closure(units, vocabulary.lookups)
        # Callers matter to the analyses that follow calls from a thread's start or to a
        # subprocess, and to rules that ask where a function runs (``located``).
        self.follow_every_call = any(unit.words & (threads | spawns) for unit in units)
        self.located = _closure(units, vocabulary.located)
        # When calls are followed, a function's callers matter if it looks a loop up, makes,
        # installs or attaches one, or spawns processes; other lookups (``gather()``) count only
        # in the body that made the loop, and a function that only starts a thread is read whole.
        self.path_words = reported | self.located | creations | spawns | vocabulary.followed
        located_here = any(unit.words & self.located for unit in units)
        self.effect_units = _effect_units(units, vocabulary.effects, reported) if located_here else set()
        self.binders = _binders(units)
        self.users, self.attribute_users = _users(units, self.binders)
        self.referenced: set[str] = set()  # names whose bindings must stay
        self.called: set[str] = set()  # names bound by needed statements: who uses one may call it
        self.called_methods: set[str] = set()  # methods kept whole: ``self.name`` may call one
        self.directly_called: set[str] = set()  # the same, for the callers of loop-making helpers
        self.directly_called_methods: set[str] = set()
        self.on_path: set[_Unit] = set()  # functions kept as callers of one whose callers matter
        self.pending: list[_Unit] = []

    def run(self) -> None:
        for unit in self.module.units:
            if self._is_seed(unit):
                self._keep(unit, True)
        while self.pending:
            unit = self.pending.pop()
            if unit.in_class is not None:
                self._keep(unit.in_class, False)
            self._keep_bindings_of(unit)
            if unit.needed and self._callers_matter(unit):
                self._keep_callers_of(unit)
            elif unit.needed and _is_function(unit) and unit.words & self.creations:
                # A helper that makes a loop may return it: its callers own it (``loops.py``).
                self._keep_callers_of(unit, direct=True)

    def _is_seed(self, unit: _Unit) -> bool:
        node = unit.node
        if unit.is_header:
            return bool(unit.words & self.seed_words)
        if isinstance(node, (ast.Import, ast.ImportFrom)) or _is_early_exit(node):
            return True
        if unit.in_class is not None and _is_function(unit) and getattr(node, "name", "") == "run":
            return True  # a Thread subclass's entry point, possibly inherited
        if unit.words & self.seed_words or unit.words & self.loop_variables or unit in self.effect_units:
            return True
        if unit.in_class is None:
            return False
        # The uses of a loop attribute in its class that the loop analysis reads.
        attributes = [word for word in unit.words if (unit.in_class, word) in self.loop_attributes]
        text = _text(self.module, unit.first, unit.last)
        return bool(attributes) and _uses_loop_attribute(text, attributes, self.loop_methods)

    def _keep(self, unit: _Unit, whole: bool) -> None:
        if unit.needed or (unit.stubbed and (unit.is_header or not whole)):
            return
        if whole and not unit.is_header:
            unit.needed = True
        else:
            unit.stubbed = True
        self.pending.append(unit)

    def _keep_caller(self, unit: _Unit) -> None:
        self._keep(unit, True)
        if unit not in self.on_path:
            self.on_path.add(unit)
            self.pending.append(unit)  # its own callers, even if it was read before

    def _callers_matter(self, unit: _Unit) -> bool:
        if unit.words & self.located or unit in self.on_path:
            return True
        if not self.follow_every_call:
            return False
        if not _is_function(unit):
            return True  # a statement's variables (``t = Thread(...)``, then ``t.start()``)
        return bool(unit.words & self.path_words)

    def _keep_bindings_of(self, unit: _Unit) -> None:
        """Every binding of a name ``unit`` refers to stays: a definition named like one keeps
        its header (shadowing, methods found by name); any other binding is kept whole."""
        new_references = (unit.words if unit.needed else unit.header_words) - self.referenced
        self.referenced |= new_references
        for name in new_references:
            for binder in self.binders.get(name, ()):
                self._keep(binder, binder.header_last is None and not binder.is_header)

    def _keep_callers_of(self, unit: _Unit, direct: bool = False) -> None:
        """Whoever may call ``unit``'s functions: the thread and subprocess analyses follow calls
        of module functions (``f()``) and methods (``self.f()``, in the class or a subclass), so
        the path from a thread's start to it stays. A class body's other names are not visible
        to functions (``self.x`` finds only methods). ``direct``: only the callers, not theirs."""
        keep = (lambda user: self._keep(user, True)) if direct else self._keep_caller
        methods, called = (self.directly_called_methods, self.directly_called) if direct else (
            self.called_methods, self.called
        )
        if unit.in_class is not None and _is_function(unit):
            name = getattr(unit.node, "name", "")
            if name not in methods:
                methods.add(name)
                for user in self.attribute_users.get(name, ()):
                    keep(user)
        names = unit.bound - unit.imported if unit.in_class is None else frozenset()
        for name in names - called:
            called.add(name)
            for user in self.users.get(name, ()):
                keep(user)


def _effect_units(units: list[_Unit], effects: frozenset[str], reported: frozenset[str]) -> set[_Unit]:
    """The units that call one of ``effects`` (qualified names), or may call a function, method
    or class of the module that does, to any depth. An API counts where a unit names it (or a
    name bound to it) together with a word of its module (or a name bound to one): ``run`` alone
    is too common a word to stand for ``asyncio.run``. The ``reported`` words (``set_event_loop``,
    on any receiver) count alone."""
    patterns = []
    for name in effects:
        module, _, attribute = name.rpartition(".")
        if attribute not in reported:
            patterns.append((_closure(units, frozenset({attribute})), _closure(units, frozenset(module.split(".")))))
    distinctive = reported & _closure(units, spelled(effects))
    found = {
        unit
        for unit in units
        if unit.words & distinctive or any(unit.words & api and unit.words & module for api, module in patterns)
    }
    names: set[str] = set()  # functions and classes found to have an effect, and their methods
    methods: set[str] = set()
    while True:
        for unit in found:
            names |= _defined_names(unit, methods)
        more = {
            unit
            for unit in units
            if unit not in found and (unit.words & names or unit.attributes & methods)
        }
        if not more:
            return found
        found |= more


def _defined_names(unit: _Unit, methods: set[str]) -> frozenset[str]:
    """What calling the definition ``unit`` takes (its name, or its class's), noting a method's
    name in ``methods`` (``self.name()`` calls it)."""
    node = unit.node
    if unit.in_class is not None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            methods.add(node.name)
            if node.name == "__init__" and isinstance(unit.in_class.node, ast.ClassDef):
                return frozenset({unit.in_class.node.name})  # a constructor call runs it
        return frozenset()
    if isinstance(node, ast.ClassDef):
        methods.update(inner.name for inner in node.body if isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef)))
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return frozenset({node.name})
    return frozenset()


def _binders(units: list[_Unit]) -> dict[str, list[_Unit]]:
    """The units that bind each name."""
    binders: dict[str, list[_Unit]] = {}
    for unit in units:
        for name in unit.bound:
            binders.setdefault(name, []).append(unit)
    return binders


def _users(
    units: list[_Unit], binders: dict[str, list[_Unit]]
) -> tuple[dict[str, list[_Unit]], dict[str, list[_Unit]]]:
    """Who uses a name some unit binds, and who uses ``.name`` of a method: only those words are
    ever looked up."""
    method_names = frozenset(
        getattr(unit.node, "name", "") for unit in units if unit.in_class is not None and _is_function(unit)
    )
    users: dict[str, list[_Unit]] = {}
    attribute_users: dict[str, list[_Unit]] = {}
    for unit in units:
        for word in unit.words & binders.keys():
            users.setdefault(word, []).append(unit)
        for attribute in unit.attributes & method_names:
            attribute_users.setdefault(attribute, []).append(unit)
    return users, attribute_users


# -- the focused code ---------------------------------------------------------------------------


def _stub(module: _Module, line_number: int, indent: str) -> None:
    line = module.lines[line_number - 1]
    line_break = line[len(line.rstrip("\r\n")) :]
    module.lines[line_number - 1] = f"{indent}pass{line_break}"


def _header_parts(node: ast.stmt) -> list[ast.AST]:
    """The code of a definition's header (what a stub keeps): decorators, arguments, bases."""
    parts: list[ast.AST] = list(getattr(node, "decorator_list", ()))
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        parts.append(node.args)
        parts.extend([node.returns] if node.returns is not None else [])
    elif isinstance(node, ast.ClassDef):
        parts.extend([*node.bases, *node.keywords])
    parts.extend(getattr(node, "type_params", ()))
    return parts


def _focused(module: _Module, source: str) -> Focused:
    kept_lines = _kept_lines(module.units)
    removed: set[int] = set()
    kept_nodes: list[ast.AST] = []
    for unit in module.units:
        if unit.needed:
            kept_nodes.append(unit.node)
            continue
        if unit.is_header or (unit.stubbed and unit.header_last is not None):
            kept_nodes.extend(_header_parts(unit.node))  # a split class's header always stays
        if not unit.is_header:
            removed |= _drop(module, unit, kept_lines)
    line_numbers = tuple(number for number in range(1, len(module.lines) + 1) if number not in removed)
    code = "".join(module.lines[number - 1] for number in line_numbers)
    return Focused(code, line_numbers, tuple(kept_nodes), source, _cuts(module, line_numbers))


def _cuts(module: _Module, line_numbers: tuple[int, ...]) -> tuple[Cut, ...]:
    """Where the code may be cut: before each unit that leaves lines in it, from the line after
    the last such unit before it (lines between statements hold only blanks and comments), but
    never before a class's first body statement, which its header needs, nor where libcst's
    single parse would give some of those lines to the block before (``_gap_leads_to``)."""
    offsets = list(itertools.accumulate((len(module.lines[number - 1]) for number in line_numbers), initial=0))
    cuts: list[Cut] = []
    end = 0  # the file's last line of the statement before that left lines
    previous: Optional[_Unit] = None
    for unit in module.units:
        if not _leaves_lines(unit):
            continue
        starts_body = unit.in_class is not None and previous is unit.in_class
        gap = bisect.bisect_left(line_numbers, end + 1)
        between = line_numbers[gap : bisect.bisect_left(line_numbers, unit.first, gap)]
        # Before the first statement there is no block for lines to go to: the cut at 0 stays.
        leads = previous is None or _gap_leads_to(module, between, unit.first)
        if end < unit.first and not starts_body and leads:
            cuts.append(Cut(offsets[gap], unit.in_class is not None))
        end = unit.header_last if unit.is_header and unit.header_last is not None else unit.last
        previous = unit
    return tuple(cuts)


def _gap_leads_to(module: _Module, between: tuple[int, ...], first: int) -> bool:
    """Whether the blank and comment lines ``between`` (the code's line numbers) before the
    statement at line ``first`` all go with it, as a cut puts them. A single parse gives those
    indented deeper than the statement to the end of the block before it
    (``IndentedBlock.footer``): each must be indented by a part of the statement's own
    indentation."""
    indent = _leading_whitespace(module.lines[first - 1])
    return all(indent.startswith(_leading_whitespace(module.lines[number - 1])) for number in between)


def _leading_whitespace(line: str) -> str:
    return line[: len(line) - len(line.lstrip())].rstrip("\r\n")


def _leaves_lines(unit: _Unit) -> bool:
    """Whether any line of ``unit`` stays in the code: a top-level statement dropped whole leaves
    none; in a class body, ``pass`` takes its place (``_drop``)."""
    return unit.needed or unit.is_header or unit.in_class is not None or (unit.stubbed and unit.header_last is not None)


def _kept_lines(units: list[_Unit]) -> set[int]:
    """The lines of kept statements, and of the headers of stubbed definitions."""
    kept: set[int] = set()
    for unit in units:
        if unit.needed:
            kept.update(range(unit.first, unit.last + 1))
        elif unit.stubbed and unit.header_last is not None:
            kept.update(range(unit.first, unit.header_last + 1))
    return kept


def _drop(module: _Module, unit: _Unit, kept_lines: set[int]) -> set[int]:
    """The lines of ``unit`` (not kept, or kept as its header) that leave the code; where a
    block would be left empty, its first dropped line becomes ``pass`` instead."""
    stub_body = unit.stubbed and unit.header_last is not None
    start = unit.header_last + 1 if stub_body and unit.header_last is not None else unit.first
    dropped = {number for number in range(start, unit.last + 1) if number not in kept_lines}
    if stub_body and unit.header_last is not None:
        body_indent = _INDENT.match(module.lines[unit.header_last])
        if unit.header_last + 1 in dropped and body_indent is not None:
            _stub(module, unit.header_last + 1, body_indent.group())
            dropped.discard(unit.header_last + 1)
    elif unit.in_class is not None and unit.first in dropped:
        indent = _INDENT.match(module.lines[unit.first - 1])
        _stub(module, unit.first, indent.group() if indent is not None else "")
        dropped.discard(unit.first)
    return dropped
