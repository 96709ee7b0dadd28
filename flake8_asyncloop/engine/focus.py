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

A statement is kept when it:

* names an API a rule reports on (every name in ``apis`` outside the context groups below), or
  a name bound to one (``from asyncio import get_event_loop as gel``, ``Loop = uvloop.Loop``);
* starts a thread, names a subprocess API or ``loop_factory`` (context the rules read);
* refers to a loop variable made at module level (the loop analysis reads every use of it),
  or uses an attribute some method of its class assigns a new loop to in a way the loop
  analysis reads: the value itself, or a method that runs, closes or spawns processes with it
  (``self.loop.call_soon(...)`` alone tells no rule anything);
* may call a kept function whose callers matter: one that calls ``get_event_loop()``, makes,
  installs or attaches a loop, or spawns processes, and where threads or subprocesses are
  involved any caller of such a caller (the thread and subprocess analyses follow calls from a
  thread's start to it); a kept statement's variables count too (``t = Thread(...)`` and then
  ``t.start()``);
* is a ``run`` method (a ``Thread`` subclass's entry), an import, or an early exit
  (``if ...: raise``, a version guard);
* binds a name a kept statement refers to: shadowing must stay as it is. A definition kept
  only for this keeps its header, and its body becomes ``pass``.

Names are read from the statement's text, strings and comments included: a word in a docstring
can keep a statement, never drop one. When nothing in the module names a reported API, no rule
can fire, and libcst is not needed at all. ``tests/test_focus.py`` checks that the focused code
gives exactly the diagnostics of the whole one.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Optional, Union

from flake8_asyncloop.engine import apis

# Groups of ``apis`` that never start a diagnostic on their own: they describe the context of
# one (where threads start, which coroutine spawns processes, which calls look a loop up).
# Any other group, including one added later, is treated as reportable.
_THREAD_GROUPS = ("THREAD_CLASSES", "TIMER_CLASSES", "START_NEW_THREAD", "TO_THREAD", "THREAD_POOL_EXECUTORS",
                  "PROCESS_POOL_EXECUTORS")
_SUBPROCESS_GROUPS = ("CREATE_SUBPROCESS", "LOOP_SUBPROCESS_METHODS")
_LOOKUP_GROUPS = ("IMPLICIT_LOOKUPS", "IMPLICIT_LOOKUPS_BEFORE_310", "GET_EVENT_LOOP")
_CONTEXT_GROUPS = (
    *_THREAD_GROUPS, *_SUBPROCESS_GROUPS, "IMPLICIT_LOOKUPS", "IMPLICIT_LOOKUPS_BEFORE_310",
    "ASYNCIO_RUN", "ASYNCIO_RUNNER",
    "PARTIAL", "CONTEXTLIB_CLOSING", "RUN_COROUTINE_THREADSAFE", "LOOP_RUN_METHODS", "LOOP_COROUTINE_RUNNERS",
)
# Short names gathered from the groups above and the others, for star imports.
_DERIVED_GROUPS = ("STAR_IMPORTABLE",)
# Methods and keywords the thread analysis reads that are not module-level APIs.
_THREAD_WORDS = frozenset({"run_in_executor", "submit", "map", "initializer"})
_CONTEXT_WORDS = frozenset({"loop_factory"})

# An identifier, captured unless it is the name in ``def name`` / ``class name``.
_WORD = re.compile(r"\b(?:def|class)\s+[A-Za-z_]\w*|([A-Za-z_]\w*)")
_ATTRIBUTE = re.compile(r"\.\s*([A-Za-z_]\w*)")
_GLOBAL_STATEMENT = re.compile(r"\bglobal\s+[A-Za-z_]")
# Methods of a loop whose call (or mention) the loop analysis reads.
_LOOP_READ_METHODS = apis.LOOP_RUN_METHODS | apis.LOOP_SUBPROCESS_METHODS | apis.LOOP_COROUTINE_RUNNERS | {"close"}
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_INDENT = re.compile(r"[ \t\f]*")

Definition = Union[ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef]


def _words(*names: str) -> frozenset[str]:
    groups: Iterable[frozenset[str]] = (getattr(apis, name, frozenset()) for name in names)
    return frozenset(qualified.rsplit(".", 1)[-1] for group in groups for qualified in group)


def _reported_words() -> frozenset[str]:
    found: set[str] = set()
    for name, value in vars(apis).items():
        if name.isupper() and name not in _CONTEXT_GROUPS + _DERIVED_GROUPS and isinstance(value, frozenset):
            found.update(item.rsplit(".", 1)[-1] for item in value if isinstance(item, str))
    return frozenset(found)


REPORTED_WORDS = _reported_words()
THREAD_WORDS = _words(*_THREAD_GROUPS) | _THREAD_WORDS
SUBPROCESS_WORDS = _words(*_SUBPROCESS_GROUPS)
LOOKUP_WORDS = _words(*_LOOKUP_GROUPS)
GET_EVENT_LOOP_WORDS = _words("GET_EVENT_LOOP")
CREATION_WORDS = _words("NEW_EVENT_LOOP", "LOOP_CLASSES")
# asyncio.run() makes a loop; the rules read it only when a coroutine it runs spawns processes.
RUN_WORDS = _words("ASYNCIO_RUN")


@dataclass(eq=False)
class _Unit:
    """A statement that is kept or dropped as a whole: module level, or in a top-level class body."""

    node: ast.stmt
    first: int  # first line (its decorators included), 1-based
    last: int
    words: frozenset[str]  # every identifier in its text, except in ``def name`` / ``class name``
    attributes: frozenset[str]  # identifiers after a dot
    bound: frozenset[str]  # names it binds in the scope it runs in
    aliases: tuple[Alias, ...]  # names it binds to a value, with the words of the value
    imported: frozenset[str]  # names it binds by importing (no function of this module)
    in_class: Optional["_Unit"] = None  # the header of its class, for a class-body statement
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
class Focused:
    """What libcst is given on flake8's path, and where its code sits in the file."""

    code: str  # the statements that matter and the stubs, verbatim; dropped lines removed
    line_numbers: tuple[int, ...]  # the file's number of each line of ``code``
    kept_nodes: tuple[ast.AST, ...]  # CPython's nodes of the code in ``code``, placed in the file
    source: str  # the file's text

    def calls(self) -> list[ast.Call]:
        """Every call in ``code``, as CPython's node (in no particular order)."""
        found = []
        pending: list[object] = list(self.kept_nodes)
        while pending:
            node = pending.pop()
            fields = getattr(node, "_fields", None)  # strings (``global`` names) have none
            if fields is None:
                continue
            if type(node) is ast.Call:
                found.append(node)
            for name in fields:
                value = getattr(node, name, None)
                if type(value) is list:
                    pending.extend(value)
                elif value is not None:
                    pending.append(value)
        return found


def focus(source: str, tree: ast.Module) -> Optional[Focused]:
    """``source`` reduced to what the analysis needs, or None when no rule can report anything.

    ``tree`` is CPython's tree of ``source`` (flake8's). Every kept line is the file's line,
    verbatim; lines of dropped statements are left out (libcst builds a node for every blank
    line), and ``line_numbers`` tells where each kept line came from.
    """
    module = _Module(_LINE.findall(source))
    for statement in tree.body:
        _add_unit(module, statement, None)
    if not module.units:
        return None
    reported = _closure(module.units, REPORTED_WORDS)
    subprocess_words = _closure(module.units, SUBPROCESS_WORDS)
    if any(unit.words & subprocess_words for unit in module.units):
        reported |= _closure(module.units, RUN_WORDS)
    if not any(unit.words & reported for unit in module.units):
        return None
    _select(module, reported, subprocess_words)
    return _focused(module, source)


# -- units ------------------------------------------------------------------------------------


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
        for inner in ast.walk(node)
        if isinstance(inner, (ast.Name, ast.Attribute))
    )


def _target_names(target: ast.AST) -> frozenset[str]:
    return frozenset(inner.id for inner in ast.walk(target) if isinstance(inner, ast.Name))


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
        # ``global x`` in a function binds the module's x, to anything the function mentions.
        # Walking a whole definition is costly: only where a ``global`` statement may be.
        global_names = frozenset(
            name
            for inner in (ast.walk(node) if _GLOBAL_STATEMENT.search(text) else ())
            if isinstance(inner, ast.Global)
            for name in inner.names
        )
        aliases: tuple[Alias, ...] = ((global_names, frozenset({"*"})),) if global_names else ()
        return frozenset({node.name}) | global_names, aliases, frozenset()
    names: set[str] = set()
    imported: set[str] = set()
    found: list[Alias] = []
    for inner in _same_scope(node):
        if isinstance(inner, ast.Name) and not isinstance(inner.ctx, ast.Load):
            names.add(inner.id)
        elif isinstance(inner, ast.Import):
            for alias in inner.names:
                local = alias.asname or alias.name.split(".", 1)[0]
                imported.add(local)
                found.append((frozenset({local}), frozenset(alias.name.split("."))))
        elif isinstance(inner, ast.ImportFrom):
            for alias in inner.names:
                local = alias.asname or alias.name
                imported.add(local)
                found.append((frozenset({local}), frozenset({alias.name, *(inner.module or "").split(".")})))
        elif isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(inner.name)
        elif isinstance(inner, (ast.Global, ast.Nonlocal)):
            names.update(inner.names)
        elif isinstance(inner, _NAMED_CAPTURES) and inner.name:
            names.add(inner.name)
        elif isinstance(inner, _MAPPING_PATTERN) and inner.rest:
            names.add(inner.rest)
        elif isinstance(inner, ast.Assign):
            found.append((frozenset().union(*map(_target_names, inner.targets)), _expression_words(inner.value)))
        elif isinstance(inner, (ast.AnnAssign, ast.NamedExpr)):
            found.append((_target_names(inner.target), _expression_words(inner.value)))
        elif isinstance(inner, ast.withitem) and inner.optional_vars is not None:
            found.append((_target_names(inner.optional_vars), _expression_words(inner.context_expr)))
    only_imported = frozenset(imported - names)  # assignment targets are Name nodes, imports are not
    names.update(imported)
    return frozenset(names), tuple(found), only_imported


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


def _add_unit(module: _Module, node: ast.stmt, in_class: Optional[_Unit]) -> None:
    first, last = _first_line(node), node.end_lineno or node.lineno
    text = _text(module, first, last)
    header_last: Optional[int] = None
    header_words: frozenset[str] = frozenset()
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        body_start = _body_start(node)
        if body_start > node.lineno and _indent_of(module, node.body[0]) is not None:
            header_last = body_start - 1
            header_words = _read_words(_text(module, first, header_last))
    splittable = (
        in_class is None
        and isinstance(node, ast.ClassDef)
        and header_last is not None
        and all(_indent_of(module, statement) is not None for statement in node.body)
    )
    # A split class is its header: its body's statements are units of their own.
    words = header_words if splittable else _read_words(text)
    attributes = frozenset() if splittable else frozenset(_ATTRIBUTE.findall(text))
    unit = _Unit(node, first, last, words, attributes, *_bindings(node, text), in_class=in_class,
                 header_last=header_last, header_words=header_words, is_header=splittable)
    module.units.append(unit)
    if splittable and isinstance(node, ast.ClassDef):
        for statement in node.body:
            _add_unit(module, statement, unit)


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


def _loop_targets(units: list[_Unit], creation_words: frozenset[str]) -> tuple[set[str], set[tuple[int, str]]]:
    """Module-level variables that some statement assigns a new loop to, and (class, attribute)
    pairs that a method assigns one to, with the class as ``id()`` of its header unit."""
    variables: set[str] = set()
    attributes: set[tuple[int, str]] = set()
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
                attributes.add((id(unit.in_class), target.attr))
    return variables, attributes


def _assignments(node: ast.stmt) -> Iterator[tuple[ast.expr, ast.expr]]:
    for inner in ast.walk(node):
        if isinstance(inner, ast.Assign):
            yield from ((target, inner.value) for target in inner.targets)
        elif isinstance(inner, ast.AnnAssign) and inner.value is not None:
            yield inner.target, inner.value
        elif isinstance(inner, ast.withitem) and inner.optional_vars is not None:
            yield inner.optional_vars, inner.context_expr


def _is_early_exit(node: ast.stmt) -> bool:
    """``if ...: return/raise/exit()`` narrows what follows it (a version or platform guard)."""
    return isinstance(node, ast.If) and not node.orelse and isinstance(node.body[-1], (ast.Return, ast.Raise, ast.Expr))


def _is_seed(
    module: _Module,
    unit: _Unit,
    seed_words: frozenset[str],
    loop_variables: set[str],
    loop_attributes: set[tuple[int, str]],
) -> bool:
    node = unit.node
    if unit.is_header:
        return bool(unit.words & seed_words)
    if isinstance(node, (ast.Import, ast.ImportFrom)) or _is_early_exit(node):
        return True
    if unit.in_class is not None and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == "run":
        return True  # a Thread subclass's entry point, possibly inherited
    if unit.words & seed_words or unit.words & loop_variables:
        return True
    # The uses of a loop attribute in its class that the loop analysis reads (the region of
    # ``self.loop``).
    if unit.in_class is None:
        return False
    attributes = [word for word in unit.words if (id(unit.in_class), word) in loop_attributes]
    return bool(attributes) and _uses_loop_attribute(_text(module, unit.first, unit.last), attributes)


def _uses_loop_attribute(text: str, attributes: list[str]) -> bool:
    """Whether ``text`` uses one of ``attributes`` in a way the loop analysis reads: the value
    itself (passed, assigned, returned: the loop escapes) or a method that runs it, closes it,
    runs a coroutine on it or spawns processes. ``self.loop.call_soon(...)`` tells no rule
    anything. Anything else after the name (a line continuation, a comment) counts as a use."""
    for attribute in attributes:
        for use in re.finditer(rf"\.\s*{attribute}\b\s*(?:\.\s*([A-Za-z_]\w*))?", text):
            method = use.group(1)
            if method is None or method in _LOOP_READ_METHODS:
                return True
    return False


def _select(module: _Module, reported: frozenset[str], subprocess_words: frozenset[str]) -> None:
    units = module.units
    creation_words = _closure(units, CREATION_WORDS)
    loop_variables, loop_attributes = _loop_targets(units, creation_words)
    thread_words = _closure(units, THREAD_WORDS)
    seed_words = reported | thread_words | _closure(units, _CONTEXT_WORDS) | subprocess_words
    # Callers matter to the analyses that follow calls: from a thread's start or to a
    # subprocess, and to ELP105, which counts how a function with a lookup is referred to.
    follow_every_call = any(unit.words & (thread_words | subprocess_words) for unit in units)
    if loop_variables:
        # Lookups after a module-level loop is made count for it, wherever they are.
        seed_words |= _closure(units, LOOKUP_WORDS)
    # A function's callers matter when where it runs does: it calls get_event_loop(), makes,
    # installs or attaches a loop, or spawns processes (ELP101, ELP103 and ELP105 ask whether a
    # thread runs it; ELP105 also how it is referred to). Other lookups (``gather()``) count only
    # in the body that made the loop, and a function that only starts a thread is read whole.
    get_words = _closure(units, GET_EVENT_LOOP_WORDS)
    path_words = reported | get_words | creation_words | subprocess_words | {"attach_loop"}
    binders: dict[str, list[_Unit]] = {}
    for unit in units:
        for name in unit.bound:
            binders.setdefault(name, []).append(unit)
    # Who uses a name some statement binds, and who uses ``.name`` of a method: only those
    # words are ever looked up below.
    method_names = frozenset(
        unit.node.name
        for unit in units
        if unit.in_class is not None and isinstance(unit.node, (ast.FunctionDef, ast.AsyncFunctionDef))
    )
    users: dict[str, list[_Unit]] = {}
    attribute_users: dict[str, list[_Unit]] = {}
    for unit in units:
        for word in unit.words & binders.keys():
            users.setdefault(word, []).append(unit)
        for attribute in unit.attributes & method_names:
            attribute_users.setdefault(attribute, []).append(unit)
    referenced: set[str] = set()  # names whose bindings must stay
    called: set[str] = set()  # names bound by needed statements: who uses one may call it
    called_methods: set[str] = set()  # methods kept whole: ``self.name`` may call one
    pending: list[_Unit] = []
    on_path: set[int] = set()  # functions kept as callers of one whose callers matter

    def keep(unit: _Unit, whole: bool) -> None:
        if unit.needed or (unit.stubbed and (unit.is_header or not whole)):
            return
        if whole and not unit.is_header:
            unit.needed = True
        else:
            unit.stubbed = True
        pending.append(unit)

    def keep_caller(unit: _Unit) -> None:
        keep(unit, True)
        if follow_every_call and id(unit) not in on_path:
            on_path.add(id(unit))
            pending.append(unit)  # its own callers, even if it was read before

    def callers_matter(unit: _Unit) -> bool:
        if unit.words & get_words:
            return True
        if not follow_every_call:
            return False
        if not isinstance(unit.node, (ast.FunctionDef, ast.AsyncFunctionDef)) or id(unit) in on_path:
            return True  # a statement's variables (``t = Thread(...)``, then ``t.start()``)
        return bool(unit.words & path_words)

    for unit in units:
        if _is_seed(module, unit, seed_words, loop_variables, loop_attributes):
            keep(unit, True)
    while pending:
        unit = pending.pop()
        if unit.in_class is not None:
            keep(unit.in_class, False)
        new_references = (unit.words if unit.needed else unit.header_words) - referenced
        referenced |= new_references
        for name in new_references:
            for binder in binders.get(name, ()):
                # A definition named like a referenced name keeps its header (shadowing, methods
                # found by name); any other binding is kept whole.
                keep(binder, binder.header_last is None and not binder.is_header)
        if not unit.needed or not callers_matter(unit):
            continue
        # The thread and subprocess analyses follow calls of module functions (``f()``) and
        # methods (``self.f()``, in the class or a subclass): whoever may call a function
        # whose callers matter is kept, so that the path from a thread's start to it stays.
        # A class body's other names are not visible to functions (``self.x`` finds only methods).
        names = unit.bound - unit.imported if unit.in_class is None else frozenset()
        if unit.in_class is not None and isinstance(unit.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if unit.node.name not in called_methods:
                called_methods.add(unit.node.name)
                for user in attribute_users.get(unit.node.name, ()):
                    keep_caller(user)
        for name in names - called:
            called.add(name)
            for user in users.get(name, ()):
                keep_caller(user)


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
    lines = module.lines
    kept_lines: set[int] = set()
    for unit in module.units:
        if unit.needed:
            kept_lines.update(range(unit.first, unit.last + 1))
        elif unit.stubbed and unit.header_last is not None:
            kept_lines.update(range(unit.first, unit.header_last + 1))
    removed: set[int] = set()
    kept_nodes: list[ast.AST] = []
    for unit in module.units:
        if unit.needed:
            kept_nodes.append(unit.node)
            continue
        if unit.is_header or (unit.stubbed and unit.header_last is not None):
            kept_nodes.extend(_header_parts(unit.node))  # a split class's header always stays
        if unit.is_header:
            continue
        start = unit.first if not unit.stubbed or unit.header_last is None else unit.header_last + 1
        dropped = [number for number in range(start, unit.last + 1) if number not in kept_lines]
        removed.update(dropped)
        if unit.stubbed and unit.header_last is not None:
            body_indent = _INDENT.match(lines[unit.header_last])
            if unit.header_last + 1 in dropped and body_indent is not None:
                _stub(module, unit.header_last + 1, body_indent.group())
                removed.discard(unit.header_last + 1)
        elif unit.in_class is not None and unit.first in dropped:
            indent = _INDENT.match(lines[unit.first - 1])
            _stub(module, unit.first, indent.group() if indent is not None else "")
            removed.discard(unit.first)
    line_numbers = tuple(number for number in range(1, len(lines) + 1) if number not in removed)
    code = "".join(lines[number - 1] for number in line_numbers)
    return Focused(code, line_numbers, tuple(kept_nodes), source)
