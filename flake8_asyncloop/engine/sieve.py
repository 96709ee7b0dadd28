"""Whether a module can hold a finding at all, decided from CPython's tree before libcst is loaded.

A sieve, not a second engine: it only ever answers "nothing can be found here", and where it
cannot tell, the analysis decides. Every finding starts from one of three things:

* a call or a class statement that the resolver (``names.py``) takes to an API a rule declares
  in ``reads.names`` (asyncio's and uvloop's). The resolver reaches an API only through an
  absolute import of its top module (``import asyncio``, ``from asyncio import events``, a star
  import from it), and only from a name or attribute chain that spells the API's last part
  somewhere: in the import, in an alias's value, or at the use;
* a call of a function of the project that returns a loop it makes (ELP102, ELP103, ELP108:
  ``projectfiles.loop_helper_names``), bound by an import;
* a thread whose target is a function imported from another module of the project (ELP101).

So a module holds nothing when no absolute import names an API's top module or no API's last part
is spelled in its code, and, in a project, it also names no loop helper and hands no imported
name to a call that may start a thread. Words in strings and comments are not code, and neither
are annotations and the classes an ``isinstance()`` test names (``asyncio.AbstractEventLoop`` in
annotations is everywhere in asyncio code): no rule reports either.

``tests/test_sieve.py`` checks, over the fixtures, the projects among them and the standard
library (and, opt-in, the real-code corpus), that every module the sieve passes over gets no
diagnostic from the full analysis.
"""

from __future__ import annotations

import ast
import functools
from typing import Any, NamedTuple, Optional

from flake8_asyncloop.engine import cpython
from flake8_asyncloop.engine.precheck import mentions_loop_api
from flake8_asyncloop.engine.projectfiles import is_project_module, loop_helper_names, project_place
from flake8_asyncloop.engine.apis import words

# Calls whose arguments after the first name classes to test against, never something called.
_CLASS_TESTS = frozenset({"isinstance", "issubclass"})


class Vocabulary(NamedTuple):
    """What the sieve looks for, from what the rules that run declare they read."""

    origins: frozenset[str]  # the last part of each API a finding starts from (``get_event_loop``)
    api_modules: frozenset[str]  # their top modules (``asyncio``, ``uvloop``)
    thread_calls: frozenset[str]  # what starts a thread when called (``Thread``, ``ThreadPoolExecutor``)
    thread_methods: frozenset[str]  # ... or called as a method (``submit``, ``run_in_executor``)

    @classmethod
    @functools.lru_cache(maxsize=16)
    def of(cls, names: frozenset[str], thread_starts: frozenset[str]) -> "Vocabulary":
        """From the rules' ``reads``: the APIs their findings start from (``names``), and what
        they take to start a thread (``thread_starts``)."""
        return cls(
            origins=words(names),
            api_modules=frozenset(name.split(".", 1)[0] for name in names if "." in name),
            thread_calls=words(frozenset(name for name in thread_starts if "." in name)),
            thread_methods=frozenset(name for name in thread_starts if "." not in name),
        )


class _Code:
    """The identifiers a module's code spells outside annotations, and what it imports."""

    def __init__(self) -> None:
        self.names: set[str] = set()  # names, and the names an import binds or reads
        self.attributes: set[str] = set()  # the part after each dot
        self.absolute_imports: set[str] = set()  # the top module of each absolute import
        # The names imports bind, each with the top module of its absolute import ("" if relative).
        self.imported: dict[str, str] = {}
        # The first name of each name or attribute chain handed to a call that may start a thread
        # (``workers`` in ``Thread(target=workers.fetch)``).
        self.handed_to_threads: set[str] = set()

    @classmethod
    def of(cls, tree: ast.Module, thread_words: frozenset[str]) -> "_Code":
        # Asked of every file with a loop API's word in its text, where flake8 alone takes tens of
        # milliseconds: node types are tested exactly, and each type's code fields looked up once.
        code = cls()
        pending: list[Any] = [tree]
        while pending:
            node = pending.pop()
            kind: type = type(node)
            if kind is ast.Name:
                code.names.add(node.id)
            elif kind is ast.Attribute:
                code.attributes.add(node.attr)
                pending.append(node.value)
            elif kind is ast.Import or kind is ast.ImportFrom:
                code.add_import(node)
            elif kind is ast.Call and type(node.func) is ast.Name and node.func.id in _CLASS_TESTS:
                # isinstance(x, asyncio.AbstractEventLoop): the classes are not code that runs.
                pending.extend([node.func, *node.args[:1], *node.keywords])
            elif kind is not ast.Constant:
                if kind is ast.Call and _last_word(node.func) in thread_words:
                    code.add_thread_start(node)
                for name in cpython.node_fields(kind, _NOT_CODE):
                    value = getattr(node, name)
                    if type(value) is list:
                        pending.extend(value)
                    elif value is not None:
                        pending.append(value)
        return code

    def add_import(self, node: "ast.Import | ast.ImportFrom") -> None:
        for alias in node.names:
            self.names.update(alias.name.split("."))
            self.names.add(alias.asname or "")
            top = alias.name.split(".", 1)[0] if isinstance(node, ast.Import) else node.module or ""
            bound = alias.asname or (top if isinstance(node, ast.Import) else alias.name)
            self.imported[bound] = "" if isinstance(node, ast.ImportFrom) and node.level else top.split(".", 1)[0]
        if isinstance(node, ast.Import):
            self.absolute_imports.update(alias.name.split(".", 1)[0] for alias in node.names)
        elif not node.level and node.module:
            self.absolute_imports.add(node.module.split(".", 1)[0])
            self.names.update(node.module.split("."))

    def add_thread_start(self, call: ast.Call) -> None:
        for value in [*call.args, *(keyword.value for keyword in call.keywords)]:
            while type(value) is ast.Attribute:
                value = value.value
            if type(value) is ast.Name:
                self.handed_to_threads.add(value.id)


def _last_word(func: ast.expr) -> Optional[str]:
    """What a call calls, as its last name spells it (``submit`` in ``pool.submit``)."""
    if type(func) is ast.Attribute:
        return func.attr
    return func.id if type(func) is ast.Name else None


# Fields that hold no code the rules read: annotations, and what is no node (contexts, comments).
_NOT_CODE = frozenset({"annotation", "returns", "ctx", "type_comment", "type_ignores"})


@functools.lru_cache(maxsize=1)
def _every_rule_vocabulary() -> Vocabulary:
    from flake8_asyncloop.engine.declared import EVERY_RULE_NAMES, EVERY_RULE_THREAD_STARTS

    return Vocabulary.of(EVERY_RULE_NAMES, EVERY_RULE_THREAD_STARTS)


def some_rule_may_find(source: str, tree: ast.Module, path: Optional[str]) -> bool:
    """Whether any rule may find something in ``source`` (``tree``: CPython's tree of it, at
    ``path``): the text pre-check, then the sieve with every rule's reads as ``declared.py``
    writes them out, so that the adapters ask before they load the rules and libcst. False for
    every rule means False for any selection of them: a smaller vocabulary passes less."""
    return mentions_loop_api(source) and finding_possible(tree, _every_rule_vocabulary(), path)


def finding_possible(tree: ast.Module, vocabulary: Vocabulary, path: Optional[str]) -> bool:
    """Whether the module (CPython's ``tree`` of the file at ``path``) may hold a finding of the
    rules whose ``vocabulary`` this is; False only where none can be found."""
    code = _Code.of(tree, vocabulary.thread_calls | vocabulary.thread_methods)
    if code.absolute_imports & vocabulary.api_modules and (code.names | code.attributes) & vocabulary.origins:
        return True
    # What another module of the project defines is reached through an import: a thread's target
    # handed over by an imported name (ELP101), or a loop helper (ELP102, ELP103, ELP108).
    if not code.imported:
        return False
    place = project_place(path)
    if place is None:
        return False
    handed_over = {code.imported[name] for name in code.handed_to_threads & code.imported.keys()}
    if any(not top or is_project_module(place, top) for top in handed_over):
        return True
    return bool((code.names | code.attributes) & loop_helper_names(place))
