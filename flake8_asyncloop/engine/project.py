"""The other modules of the checked file's project, as the loop-state analysis sees them.

Real code sets its loop in another module as often as in the same one: a client class imported
from the package, a module imported for its side effect. ``Project`` answers the two questions
``loopstate.LoopStates`` asks about the project's other modules: what calling one of their
functions or classes does to the calling thread's loop, and what importing them does. The
answers are the summaries the same analysis makes on those modules (``Effect``, without their
sites), worked out on first use and cached per process by the module's path and content, so
every adapter, given the same files on disk, sees the same project (docs/architecture.md,
"Across modules"). CPython's tree of a module decides first whether its import-time code can
do anything at all; most are read no further.

Which modules are the project's is read from the file system only: from the checked file up
through the directories holding an ``__init__.py`` (its package) to the directory that holds
the top package, the import root; a ``src/`` layout's root is ``src/``. The import root must be
in a project that declares itself (``pyproject.toml``, ``setup.py`` or ``setup.cfg`` in it or
above), or no other module is read. Relative imports, and absolute imports whose first part is
a module or package in that root, are the project's; anything else is a library, whose code
leaves the loop as it was (``loopstate.py``).
"""

from __future__ import annotations

import ast
import functools
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional

import libcst as cst

from flake8_asyncloop.engine.callfacts import CallFacts
from flake8_asyncloop.engine.entrypoints import console_scripts
from flake8_asyncloop.engine.index import Binding, FunctionInfo, ImportSite, ModuleIndex
from flake8_asyncloop.engine import apis, loops, loopstate
from flake8_asyncloop.engine.loopstate import NO_EFFECT, UNSEEN, Effect, LoopStates, MadeLoop, portable
from flake8_asyncloop.engine.names import Resolver
from flake8_asyncloop.engine.positions import Positions
from flake8_asyncloop.engine.process import Process
from flake8_asyncloop.engine.reads import words
from flake8_asyncloop.engine.versions import TargetVersions
from flake8_asyncloop.engine import cpython

_MAX_REEXPORTS = 8  # ``from .client import Client`` in a package's __init__, followed this deep
_MAX_DEPTH = 10  # modules analysed because another one's analysis asked, one behind the other
_CACHE_SIZE = 1024


# What marks a directory as a project's: the files packaging tools read.
_PROJECT_FILES = ("pyproject.toml", "setup.py", "setup.cfg")


def _project_directory(root: Path) -> Optional[Path]:
    """The directory at or above ``root`` with a file of ``_PROJECT_FILES``: the project that
    declares itself there. None outside any: a Python installation's standard library or
    site-packages is no one's project, and its thousands of modules are not read as the checked
    file's neighbours."""
    for directory in (root, *root.parents):
        if any((directory / name).is_file() for name in _PROJECT_FILES):
            return directory
    return None


@dataclass(frozen=True)
class Place:
    """Where a module sits among its project's imports."""

    root: Path  # the directory absolute imports start from
    name: str  # its dotted name ("pkg.sub.mod"; "pkg.sub" for pkg/sub/__init__.py)
    is_package: bool

    @classmethod
    def of(cls, path: Path) -> "Place":
        path = path.resolve()
        directory = path.parent
        is_package = path.name == "__init__.py"
        parts = [] if is_package else [path.stem]
        while (directory / "__init__.py").is_file() and directory.parent != directory:
            parts.insert(0, directory.name)
            directory = directory.parent
        return cls(directory, ".".join(parts), is_package)

    def absolute(self, written: str) -> Optional[str]:
        """``written`` (``.client``, ``..a.b``, ``pkg.x``) as an absolute dotted name."""
        stripped = written.lstrip(".")
        level = len(written) - len(stripped)
        if level == 0:
            return written
        package = self.name.split(".") if self.is_package else self.name.split(".")[:-1]
        if level - 1 > len(package):
            return None
        base = package[: len(package) - (level - 1)]
        return ".".join([*base, *([stripped] if stripped else [])]) or None

    def find(self, dotted: str) -> Optional[Path]:
        """The file of module ``dotted`` under the root, if the project has it."""
        base = self.root.joinpath(*dotted.split("."))
        for candidate in (base.with_name(base.name + ".py"), base / "__init__.py"):
            if candidate.is_file():
                return candidate
        return None

    def neighbour_or_own(self, path: Path) -> "Place":
        """``neighbour(path)`` for a module under the same root, its own place otherwise."""
        return self.neighbour(path) if self.root in path.parents else Place.of(path)

    def neighbour(self, path: Path) -> "Place":
        """The place of another module of the same root."""
        relative = path.relative_to(self.root).with_suffix("")
        parts = list(relative.parts)
        is_package = parts[-1] == "__init__"
        return Place(self.root, ".".join(parts[:-1] if is_package else parts), is_package)


# Words a module's import-time code must call for importing it to set or clear a loop (with the
# names of its own functions and classes, and of what it imports from the project): the APIs the
# loop-state analysis reads as effects, by their last part.
_ACTING_CALLS = words(loopstate.READS.effects)
_LIVE_MODULES = 8  # analysed modules kept in memory; their results stay cached regardless


class _Module:
    """One module of the project, read as far as it has been asked about: first CPython's tree
    (what its import-time code calls and imports), then, for a call of one of its functions, the
    libcst analysis, kept while it is among the recently used."""

    def __init__(self, path: Path, place: Place, digest: str, tree: ast.Module, owned: Callable[[str], bool]) -> None:
        self.path = path
        self.place = place
        self.digest = digest  # of the bytes read: the text is read again for libcst, if it is the same
        self.imports, self.may_act = _import_time(tree, place, owned)
        # Its top-level functions and classes, and the names it imports by name (to follow).
        self.defined = frozenset(
            node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        )
        self.reexports = _imported_by_name(tree.body)
        self.states: Optional[LoopStates] = None
        self.index: Optional[ModuleIndex] = None
        self.tree: Optional[cst.Module] = None
        self.loops: Optional[loops.LoopAnalysis] = None  # made on first use, dropped with the trees
        self.on_import: Optional[Effect] = None
        self.callables: dict[str, Effect] = {}
        self.unreadable = False


def _imported_by_name(nodes: Iterable[ast.AST]) -> dict[str, str]:
    """``from .client import Client`` among ``nodes``: Client -> ``.client.Client``."""
    found: dict[str, str] = {}
    for node in nodes:
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name != "*":
                    found[alias.asname or alias.name] = cpython.imported_as_written(node, alias)
    return found


def _import_time(tree: ast.Module, place: Place, owned: Callable[[str], bool]) -> tuple[list[str], bool]:
    """The modules the module's import-time code imports (absolute names: the caller keeps the
    project's), and whether that code calls anything that may set or clear a loop: an API by its
    name, a function or class of its own, or a name it imports from the project (``owned``)."""
    own = {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    imported: set[str] = set()
    modules: list[str] = []
    called: set[str] = set()
    pending: list[ast.AST] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            decorators: list[ast.expr] = getattr(node, "decorator_list", [])
            pending.extend(decorators)  # they run at import; the body does not
            continue
        if isinstance(node, ast.If) and _call_words(node.test) & {"TYPE_CHECKING"}:
            pending.extend(node.orelse)  # the body is for type checkers only
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                modules.extend(".".join(parts[: count + 1]) for count in range(len(parts)))
                if owned(alias.name):
                    imported.add(alias.asname or parts[0])
        elif isinstance(node, ast.ImportFrom):
            written = "." * node.level + (node.module or "")
            absolute = place.absolute(written)
            if absolute is not None:
                modules.append(absolute)
                modules.extend(f"{absolute}.{alias.name}" for alias in node.names)
                if owned(absolute):
                    imported.update(alias.asname or alias.name for alias in node.names)
        elif isinstance(node, ast.Call):
            called |= _call_words(node.func)
        pending.extend(ast.iter_child_nodes(node))
    return modules, bool(called & (_ACTING_CALLS | own | imported))


def _call_words(func: ast.expr) -> set[str]:
    return set(_call_chain(func))


def _digest(data: bytes) -> str:
    # Imported here: hashlib loads OpenSSL (megabytes), which a run that reads no other module
    # of a project does not need.
    import hashlib

    return hashlib.sha256(data).hexdigest()


# Where a project's modules are not: tools' and environments' directories.
_NOT_SOURCE = frozenset({"node_modules", "__pycache__", "site-packages", "build", "dist", "venv", "env"})
_MAX_SCANNED = 5000  # modules read for ``installs_elsewhere``; past this, take it that one does
_INSTALL_WORDS = (b"set_event_loop", b"nest_asyncio", b"IOLoop")
_SHIPPED_POLICY_WORDS = frozenset(name.rpartition(".")[2] for name in apis.SHIPPED_POLICIES)
# Words of the calls that make a loop (new_event_loop, the loop classes), and as bytes to search for.
_MAKING_NAMES = words(apis.NEW_EVENT_LOOP | apis.LOOP_CLASSES)
_MAKING_WORDS = tuple(word.encode() for word in _MAKING_NAMES)


@dataclass(frozen=True)
class _FileFacts:
    """What one module of the project may do, read by CPython's tree: whether it calls something
    that may leave a loop set (``LoopStates.installs``, by names), its top-level functions that
    may return a loop they make (a superset of what ``Project.new_loop_from`` finds), and what it
    runs as a child process's main."""

    installs: bool
    loop_helpers: frozenset[str]
    # What it hands to ``Process(target=...)`` that it imports: (the module as the import writes
    # it, the function's name): ``from .serve import main`` and ``target=main``: (".serve", "main").
    process_targets: frozenset[tuple[str, str]]


# Per file, by path: (modification time, size, its facts), kept for the process.
_facts_of: dict[str, tuple[int, int, _FileFacts]] = {}
_NO_FACTS = _FileFacts(False, frozenset(), frozenset())
_FACT_WORDS = (*_INSTALL_WORDS, *_MAKING_WORDS, b"Process")


def _python_files(directory: Path) -> Iterator[Path]:
    """The modules under ``directory``, tools' and environments' folders left out."""
    for folder, subfolders, files in os.walk(directory):
        subfolders[:] = [name for name in subfolders if not name.startswith(".") and name not in _NOT_SOURCE]
        yield from (Path(folder, name) for name in files if name.endswith(".py"))


def _installs_elsewhere(directory: Path, checked: Optional[Path]) -> bool:
    """Whether a module under ``directory`` other than ``checked`` calls something that may
    leave a loop set: the same calls ``LoopStates.installs`` reads, by their names."""
    for count, path in enumerate(_python_files(directory), 1):
        if count > _MAX_SCANNED:
            return True  # too many to read: one of them may
        if path != checked and _file_facts(path).installs:
            return True
    return False


def _scanned_facts(directories: list[Path]) -> Iterator[tuple[Path, _FileFacts]]:
    """The facts of the modules under ``directories`` (at most ``_MAX_SCANNED`` under each)."""
    for directory in directories:
        for count, path in enumerate(_python_files(directory), 1):
            if count > _MAX_SCANNED:
                break
            yield path, _file_facts(path)


def _file_facts(path: Path) -> _FileFacts:
    try:
        status = path.stat()
        known = _facts_of.get(str(path))
        if known is not None and known[:2] == (status.st_mtime_ns, status.st_size):
            return known[2]
        data = path.read_bytes()
    except OSError:
        return _NO_FACTS
    facts = _tree_facts(data) if any(word in data for word in _FACT_WORDS) else _NO_FACTS
    with _lock:
        _facts_of[str(path)] = (status.st_mtime_ns, status.st_size, facts)
    return facts


def _tree_facts(data: bytes) -> _FileFacts:
    try:
        tree = cpython.parse(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, SyntaxError, ValueError, RecursionError, MemoryError):
        return _NO_FACTS
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
    installs = any(_call_installs(call) for call in calls)
    helpers = frozenset(
        node.name for node in tree.body if isinstance(node, ast.FunctionDef) and _may_return_new_loop(node)
    )
    imported = _imported_objects(tree) if any(_call_chain(call.func)[-1:] == ["Process"] for call in calls) else {}
    targets = frozenset(found for call in calls for found in _imported_process_targets(call, imported))
    return _FileFacts(installs, helpers, targets)


def _imported_objects(tree: ast.Module) -> dict[str, str]:
    """What each name the module imports is, as the import writes it: ``from .a import f`` gives
    f -> ".a.f", ``import pkg.mod as m`` gives m -> "pkg.mod"."""
    nodes = list(ast.walk(tree))
    found = _imported_by_name(nodes)
    for node in nodes:
        for alias in node.names if isinstance(node, ast.Import) else ():
            if alias.asname:
                found[alias.asname] = alias.name
    return found


def _imported_process_targets(call: ast.Call, imported: dict[str, str]) -> list[tuple[str, str]]:
    """(module, function) for each imported function ``Process(target=...)`` may run (``a or b``
    gives both): ``target=main`` or ``target=serve.main``, with the name bound by an import."""
    if _call_chain(call.func)[-1:] != ["Process"]:
        return []
    target = next((keyword.value for keyword in call.keywords if keyword.arg == "target"), None)
    pending = [target] if target is not None else call.args[1:2]
    found: list[tuple[str, str]] = []
    while pending:
        value = pending.pop()
        if isinstance(value, ast.BoolOp):
            pending.extend(value.values)
            continue
        chain = _call_chain(value) if isinstance(value, (ast.Name, ast.Attribute)) else []
        origin = imported.get(chain[0]) if chain else None
        if origin is not None:
            module, _, function = ".".join([origin, *chain[1:]]).rpartition(".")
            found.append((module, function))
    return found


def _may_return_new_loop(function: ast.FunctionDef) -> bool:
    """A ``return`` with a value, and a call of something that makes a loop, by its name."""
    nodes = list(ast.walk(function))
    returns = any(isinstance(node, ast.Return) and node.value is not None for node in nodes)
    return returns and any(isinstance(node, ast.Call) and _call_words(node.func) & _MAKING_NAMES for node in nodes)


def _call_installs(call: ast.Call) -> bool:
    """``LoopStates.installs``, by names: ``set_event_loop(x)`` (x not None), a policy not
    shipped with asyncio or uvloop, ``nest_asyncio.apply()``, tornado's ``IOLoop``."""
    chain = _call_chain(call.func)
    last = chain[-1] if chain else ""
    keywords = (keyword.value for keyword in call.keywords if keyword.arg in ("loop", "policy"))
    argument = call.args[0] if call.args else next(keywords, None)
    if last in ("set_event_loop", "set_event_loop_policy"):
        if argument is None or (isinstance(argument, ast.Constant) and argument.value is None):
            return False
        made = _call_chain(argument.func) if isinstance(argument, ast.Call) else []
        return last == "set_event_loop" or not (made and made[-1] in _SHIPPED_POLICY_WORDS)
    if last == "apply":
        return any(word.startswith("nest_asyncio") for word in chain)
    return "IOLoop" in chain and last in ("IOLoop", "current", "instance", "make_current")


def _call_chain(func: ast.expr) -> list[str]:
    """``a.b.c`` as ["a", "b", "c"] (what it is called on left out when it is not a name)."""
    chain: list[str] = []
    while isinstance(func, ast.Attribute):
        chain.insert(0, func.attr)
        func = func.value
    if isinstance(func, ast.Name):
        chain.insert(0, func.id)
    return chain


class _Analysing:
    """Marks a module as being analysed in this thread, while the analysis of another may have
    asked for it: ``with _Analysing(path) as status``, where ``status`` is ``"cycle"`` if the
    module is being analysed already (further up), ``"deep"`` past ``_MAX_DEPTH`` modules, and
    ``"ok"`` otherwise."""

    _walk = threading.local()

    def __init__(self, path: Path) -> None:
        self._path = path
        self._entered = False

    def __enter__(self) -> str:
        stack: list[Path] = self._walk.__dict__.setdefault("stack", [])
        if self._path in stack:
            return "cycle"
        if len(stack) >= _MAX_DEPTH:
            return "deep"
        stack.append(self._path)
        self._entered = True
        return "ok"

    def __exit__(self, *exception: object) -> None:
        if self._entered:
            self._walk.stack.pop()


# Modules read in this process, by (path, content hash, versions asked about, target versions).
_modules: "OrderedDict[tuple[str, str, range, frozenset[int]], _Module]" = OrderedDict()
_live: "OrderedDict[int, _Module]" = OrderedDict()  # those whose analysis is kept, by id
_lock = threading.RLock()


def _defined_function(index: ModuleIndex, binding: Binding, classes: bool) -> Optional[FunctionInfo]:
    """The function a module-level ``def`` binds, or (with ``classes``) a class's ``__init__``."""
    if binding.kind == "def" and binding.node is not None:
        return index.function_for(binding.node)
    info = index.class_for(binding.node) if classes and binding.kind == "class" and binding.node is not None else None
    return Resolver(index).method(info, "__init__") if info is not None else None


class Project:
    """The project of one checked module: its other modules, read on first use."""

    def __init__(self, place: Place, targets: TargetVersions, minors: range, process: Process) -> None:
        self._place = place
        self._targets = targets
        self._minors = minors
        self._process = process
        self._tops: dict[str, bool] = {}
        self._found: dict[str, Optional[Path]] = {}
        self._read_here: dict[str, Optional[_Module]] = {}
        self._path: Optional[Path] = None  # the checked file, when this is its project
        self._installs_elsewhere: Optional[bool] = None
        self._loop_helpers: Optional[frozenset[str]] = None
        self._process_mains: Optional[frozenset[str]] = None

    @classmethod
    def of(cls, path: Optional[str], targets: TargetVersions, minors: range, process: Process) -> Optional["Project"]:
        """The project of the module at ``path`` (None, or not a file: no project is seen)."""
        if path is None:
            return None
        file = Path(path)
        if not file.is_file():
            return None
        place = Place.of(file)
        if _project_directory(place.root) is None:
            return None
        project = cls(place, targets, minors, process)
        project._path = file.resolve()
        return project

    # -- what loopstate asks --------------------------------------------------------------------

    def call_effect(self, name: str) -> Optional[Effect]:
        return self._callable(name, self._place, 0)

    def import_effect(self, site: ImportSite) -> Effect:
        result = NO_EFFECT
        last = site.modules[-1] if site.modules else ""
        # ``from m import n``: n may be a module of package m, which the import runs too.
        submodules = [f"{last}{name}" if last.endswith(".") else f"{last}.{name}" for name in site.names]
        for written in [*site.modules, *submodules]:
            absolute = self._place.absolute(written)
            result = result.then(self._module_effect(absolute) if absolute is not None else NO_EFFECT)
        return result

    def installs_elsewhere(self) -> bool:
        """Whether another module of the checked module's top package may leave a loop set (a
        module outside any package has none): the package's API is what its callers run."""
        if self._installs_elsewhere is None:
            top = self._place.name.split(".", 1)[0]
            in_a_package = self._place.is_package or "." in self._place.name
            self._installs_elsewhere = in_a_package and _installs_elsewhere(self._place.root / top, self._path)
        return self._installs_elsewhere

    def script_functions(self) -> frozenset[str]:
        """The checked module's top-level functions that a console script of the project runs."""
        functions = set()
        for target in console_scripts(self._directory):
            module, _, function = target.partition(":")
            if module.strip() == self._place.name and function.strip().isidentifier():
                functions.add(function.strip())
        return frozenset(functions)

    def thread_lookup(self, name: str) -> Optional[tuple[str, str, int]]:
        found = self._function_named(name, self._place, 0)
        if found is None:
            return None
        module, function = found
        states, index, tree = module.states, module.index, module.tree
        site = states.lookup_with_callers_loop(function) if states is not None else None
        if site is None or index is None or tree is None:
            return None
        try:
            text = module.path.read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError):
            return None
        line = Positions(tree, index, text, None, None).position(site.node)[0]
        looking = site.function.name if site.function is not None else function.name
        return looking, str(module.path.relative_to(self._place.root)), line

    def new_loop_from(self, name: str) -> Optional[MadeLoop]:
        found = self._function_named(name, self._place, 0)
        analysis = self._loops(found[0]) if found is not None else None
        if found is None or analysis is None or not analysis.returns_new_loop(found[1]):
            return None
        return analysis.made_by(found[1])

    def loop_helper_names(self) -> frozenset[str]:
        """The names of the project's top-level functions that may return a loop they make, by
        CPython's tree (a superset of what ``new_loop_from`` finds): flake8's path keeps the
        statements that name one (``checker.py``)."""
        if self._loop_helpers is None:
            self._loop_helpers = frozenset(name for _, facts in self._scanned for name in facts.loop_helpers)
        return self._loop_helpers

    def process_mains_here(self) -> frozenset[str]:
        """The functions of the checked module that another module of the project, reading it
        as ``loop_helper_names`` does, hands to ``Process(target=...)``: each is a child
        process's main (aiohttp-devtools' ``watch.py`` runs ``serve.py``'s ``serve_main_app``)."""
        if self._process_mains is None:
            found = set()
            for path, facts in self._scanned:
                for written, function in facts.process_targets:
                    if self._place.neighbour_or_own(path).absolute(written) == self._place.name:
                        found.add(function)
            self._process_mains = frozenset(found)
        return self._process_mains

    @property
    def _scanned(self) -> Iterator[tuple[Path, _FileFacts]]:
        """The facts of the checked module's top package, or, for a module outside any package,
        of its directory and the project's roots."""
        top = self._place.name.split(".", 1)[0]
        in_a_package = self._place.is_package or "." in self._place.name
        directories = [self._place.root / top] if in_a_package else [self._place.root, *self._other_roots]
        return _scanned_facts(directories)

    def runs_as_process(self, name: str, position: Optional[int], keyword: Optional[str]) -> bool:
        found = self._function_named(name, self._place, 0, classes=True)
        analysis = self._loops(found[0]) if found is not None else None
        if found is None or analysis is None or not analysis.process_targets:
            return False
        function = found[1]
        parameter = loops.parameter_named(function, position, keyword)
        run = loops.parameters_run_as_process(analysis.process_targets, function)
        return parameter is not None and parameter in run

    def _function_named(
        self, name: str, place: Place, depth: int, classes: bool = False
    ) -> Optional[tuple[_Module, FunctionInfo]]:
        """The sync function of the project that ``name`` (as the module at ``place`` writes it)
        is, or with ``classes`` the ``__init__`` of its class, with its module analysed,
        following names a module imports by name."""
        found = self._owned_split(name, place)
        if found is None:
            return None
        container, attribute = found
        module = self._read(container) if container else None
        if module is None:
            return None
        if attribute not in module.defined:
            target = module.reexports.get(attribute)
            if not target or depth >= _MAX_REEXPORTS:
                return None
            return self._function_named(target, module.place, depth + 1, classes)
        if self._states(module) is None or module.index is None:
            return None
        bindings = module.index.module_scope.bindings.get(attribute, [])
        if len(bindings) != 1 or bindings[0].node is None:
            return None
        function = _defined_function(module.index, bindings[0], classes)
        return (module, function) if function is not None and not function.is_async else None

    def owns(self, written: str) -> bool:
        """Whether the name or module ``written`` (as the checked module spells it) is the project's."""
        absolute = self._place.absolute(written)
        return absolute is not None and self._owns_absolute(absolute)

    # -- names and modules ----------------------------------------------------------------------

    def _owns_absolute(self, absolute: str) -> bool:
        return self._is_project_top(absolute.split(".", 1)[0])

    def _is_project_top(self, top: str) -> bool:
        known = self._tops.get(top)
        if known is None:
            known = self._tops[top] = self._path_of(top) is not None
        return known

    def _path_of(self, dotted: str) -> Optional[Path]:
        if dotted not in self._found:
            found = self._place.find(dotted)
            for root in self._other_roots if found is None else ():
                found = Place(root, "", False).find(dotted)
                if found is not None:
                    break
            self._found[dotted] = found
        return self._found[dotted]

    @functools.cached_property
    def _directory(self) -> Path:
        """The project's directory (``_project_directory``; a project is made only inside one)."""
        return _project_directory(self._place.root) or self._place.root

    @functools.cached_property
    def _other_roots(self) -> list[Path]:
        """Where else the project's packages are, for a module outside them (an example, a test
        directory with no ``__init__.py``): the project's directory, and its ``src/``."""
        directory = self._directory
        roots = [directory, directory / "src"]
        return [root for root in roots if root != self._place.root and root.is_dir()]

    def _owned_split(self, name: str, place: Place) -> Optional[tuple[str, str]]:
        """``name`` (as the module at ``place`` writes it) made absolute and split into the module
        that may define it and the attribute, if it is the project's."""
        absolute = place.absolute(name)
        if absolute is None or not self._owns_absolute(absolute):
            return None
        container, _, attribute = absolute.rpartition(".")
        return container, attribute

    def _callable(self, name: str, place: Place, depth: int) -> Optional[Effect]:
        """What calling ``name`` (as written in the module at ``place``) does; None for a library's."""
        found = self._owned_split(name, place)
        if found is None:
            return None
        container, attribute = found
        module = self._read(container) if container else None
        if module is None:
            return self._attribute_of_object(container)
        effect = self._own_callable(module, attribute)
        if effect is not None:
            return effect
        target = module.reexports.get(attribute)
        if target is not None and depth < _MAX_REEXPORTS:
            followed = self._callable(target, module.place, depth + 1)
            return followed if followed is not None else NO_EFFECT
        return UNSEEN if module.unreadable else NO_EFFECT

    def _attribute_of_object(self, container: str) -> Optional[Effect]:
        """A call of ``container.attribute`` where ``container`` is no module file: a method of
        a class or object of a project module (not followed: unseen), or something with no
        source here, such as a compiled extension module (a library's, as far as we can see)."""
        parts = container.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module = self._read(".".join(parts[:cut]))
            if module is not None:
                name = parts[cut]
                return UNSEEN if name in module.defined or name in module.reexports else None
        return None

    def _module_effect(self, absolute: str) -> Effect:
        """What running module ``absolute``'s import-time code does, if it is the project's."""
        if not self._owns_absolute(absolute):
            return NO_EFFECT
        module = self._read(absolute)
        if module is None or not self._may_act_on_import(module):
            return NO_EFFECT
        return self._analysed_on_import(module)

    def _may_act_on_import(self, module: _Module) -> bool:
        """Whether importing ``module`` may run code that sets or clears a loop: its own
        import-time code, or that of a project module it imports, to any depth."""
        seen = {module.path}
        pending = [module]
        while pending:
            current = pending.pop()
            if current.may_act or current.unreadable:
                return True
            for name in current.imports:
                imported = self._read(name) if self._owns_absolute(name) else None
                if imported is not None and imported.path not in seen:
                    seen.add(imported.path)
                    pending.append(imported)
        return False

    # -- reading and analysing modules ----------------------------------------------------------

    def _read(self, absolute: str) -> Optional[_Module]:
        """Module ``absolute`` of the project, read (CPython's tree), or None if there is none;
        read from disk once per check (the process-wide cache is keyed by its content)."""
        if absolute not in self._read_here:
            self._read_here[absolute] = self._read_from_disk(absolute)
        return self._read_here[absolute]

    def _read_from_disk(self, absolute: str) -> Optional[_Module]:
        path = self._path_of(absolute)
        if path is None:
            return None
        try:
            data = path.read_bytes()
        except OSError:
            return None
        digest = _digest(data)
        key = (str(path), digest, self._minors, self._targets.minors)
        with _lock:
            known = _modules.get(key)
            if known is not None:
                _modules.move_to_end(key)
                return known
        place = self._place.neighbour_or_own(path)
        try:
            module = _Module(path, place, digest, cpython.parse(data.decode("utf-8-sig")), self._owns_absolute)
        except (UnicodeDecodeError, SyntaxError, ValueError, RecursionError, MemoryError):
            module = _Module(path, place, digest, cpython.parse(""), self._owns_absolute)
            module.unreadable = True
        with _lock:
            _modules[key] = module
            while len(_modules) > _CACHE_SIZE:
                _modules.popitem(last=False)
        return module

    def _states(self, module: _Module) -> Optional[LoopStates]:
        """The libcst analysis of ``module`` (None if it cannot be made)."""
        if module.unreadable:
            return None
        with _lock:
            if module.states is not None:
                _live.move_to_end(id(module))
                return module.states
        try:
            data = module.path.read_bytes()
            if _digest(data) != module.digest:
                return None  # changed since it was read: the next check reads it again
            tree = self._process.parse(data.decode("utf-8-sig"))
        except (OSError, UnicodeDecodeError, cst.ParserSyntaxError, MemoryError, ValueError, RecursionError):
            module.unreadable = True
            return None
        index = ModuleIndex(tree)
        other = Project(module.place, self._targets, self._minors, self._process)
        states = LoopStates(CallFacts(tree, index, Resolver(index), self._targets), self._minors, other)
        with _lock:
            module.states, module.index, module.tree = states, index, tree
            _live[id(module)] = module
            while len(_live) > _LIVE_MODULES:
                _, dropped = _live.popitem(last=False)
                dropped.states, dropped.index, dropped.tree = None, None, None  # its results stay; its trees go
                dropped.loops = None
        return states

    def _loops(self, module: _Module) -> Optional[loops.LoopAnalysis]:
        """The loop analysis of ``module`` (None if it cannot be made), its own helpers followed
        but not those of other modules."""
        states = self._states(module)
        if states is None:
            return None
        with _lock:
            if module.loops is None:
                module.loops = loops.LoopAnalysis(states.calls)
            return module.loops

    def _analysed_on_import(self, module: _Module) -> Effect:
        if module.on_import is None:
            with _Analysing(module.path) as status:
                if status == "cycle":
                    return NO_EFFECT  # imported while it runs: Python does not run it again
                if status == "deep":
                    return UNSEEN  # a chain of imports too long to follow
                states = self._states(module)
                module.on_import = portable(states.module_effect()) if states is not None else UNSEEN
        return module.on_import

    def _own_callable(self, module: _Module, name: str) -> Optional[Effect]:
        """What calling the function or class ``name`` that ``module`` defines does (None: it
        defines no such thing)."""
        if name in module.callables:
            return module.callables[name]
        if name not in module.defined:
            return None
        with _Analysing(module.path) as status:
            if status == "deep":
                return UNSEEN  # too deep to follow
            # In a cycle, the module's analysis is the one under way: a function whose summary it
            # is working out is unseen (``_binding_effect``), an answer not to keep.
            effect = self._analysed_callable(module, name)
        if status != "cycle":
            module.callables[name] = effect
        return effect

    def _analysed_callable(self, module: _Module, name: str) -> Effect:
        """Every binding of ``name`` the module makes, joined: a function's summary, a class's
        ``__init__``'s, a name it imports (a compiled module's C version of a class, say)."""
        states = self._states(module)
        index = module.index
        bindings = index.module_scope.bindings.get(name, []) if index is not None else []
        if states is None or index is None or not bindings:
            return UNSEEN
        effect: Optional[Effect] = None
        for binding in bindings:
            one = self._binding_effect(binding, index, states, module)
            effect = one if effect is None else effect.joined(one)
        return effect if effect is not None else UNSEEN

    def _binding_effect(self, binding: Binding, index: ModuleIndex, states: LoopStates, module: _Module) -> Effect:
        if binding.kind == "def" and binding.node is not None:
            function = index.function_for(binding.node)
            if function is None or states.working_out(function):
                return UNSEEN
            return portable(states.summary(function)) if not function.is_async else NO_EFFECT
        if binding.kind == "class" and binding.node is not None:
            info = index.class_for(binding.node)
            initializer = Resolver(index).method(info, "__init__") if info is not None else None
            return portable(states.summary(initializer)) if initializer is not None else NO_EFFECT
        if binding.kind in ("import", "relative") and binding.qualified is not None:
            imported = self._callable(binding.qualified, module.place, _MAX_REEXPORTS)
            return imported if imported is not None else NO_EFFECT
        return UNSEEN
