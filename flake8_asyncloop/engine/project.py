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
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Callable, Iterator, Optional

import libcst as cst

from flake8_asyncloop.engine.callfacts import CallFacts
from flake8_asyncloop.engine.entrypoints import console_scripts
from flake8_asyncloop.engine.index import Binding, FunctionInfo, ImportSite, ModuleIndex
from flake8_asyncloop.engine import loops, loopstate
from flake8_asyncloop.engine.loopstate import NO_EFFECT, UNSEEN, Effect, LoopStates, MadeLoop, portable
from flake8_asyncloop.engine.names import Resolver
from flake8_asyncloop.engine.pieces import parse_whole
from flake8_asyncloop.engine.positions import Positions
from flake8_asyncloop.engine.process import Process
from flake8_asyncloop.engine.projectfiles import (
    FileFacts, Place, Reading, call_words, content_digest, imported_by_name, installs_elsewhere, loop_helper_names,
    note, note_all, other_roots, project_directory, project_place, reading, scanned_directories, scanned_facts,
)
from flake8_asyncloop.engine.apis import words
from flake8_asyncloop.engine.versions import TargetVersions
from flake8_asyncloop.engine import cpython

_MAX_REEXPORTS = 8  # ``from .client import Client`` in a package's __init__, followed this deep
_MAX_DEPTH = 10  # modules analysed because another one's analysis asked, one behind the other
_CACHE_SIZE = 1024


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
        self.reexports = imported_by_name(tree.body)
        self.states: Optional[LoopStates] = None
        self.index: Optional[ModuleIndex] = None
        self.tree: Optional[cst.Module] = None
        self.loops: Optional[loops.LoopAnalysis] = None  # made on first use, dropped with the trees
        self.on_import: Optional[Effect] = None
        self.callables: dict[str, Effect] = {}
        self.unreadable = False
        # What its analysis read of other files, for the checked modules that use its results.
        self.reads = Reading()


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
        if isinstance(node, ast.If) and call_words(node.test) & {"TYPE_CHECKING"}:
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
            called |= call_words(node.func)
        pending.extend(ast.iter_child_nodes(node))
    return modules, bool(called & (_ACTING_CALLS | own | imported))


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
        place = project_place(path)
        if place is None:
            return None
        project = cls(place, targets, minors, process)
        project._path = Path(path).resolve()
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
            package = self._place.package_directory()
            self._installs_elsewhere = package is not None and installs_elsewhere(package, self._path)
        return self._installs_elsewhere

    def script_functions(self) -> frozenset[str]:
        """The checked module's top-level functions that a console script of the project runs."""
        functions = set()
        for target in console_scripts(project_directory(self._place.root) or self._place.root):
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
        with reading(into=module.reads):
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
        if found is None:
            return None
        with reading(into=found[0].reads):
            analysis = self._loops(found[0])
            if analysis is None or not analysis.returns_new_loop(found[1]):
                return None
            return analysis.made_by(found[1])

    def loop_helper_names(self) -> frozenset[str]:
        """The names of the project's top-level functions that may return a loop they make, by
        CPython's tree (a superset of what ``new_loop_from`` finds): flake8's path keeps the
        statements that name one (``checker.py``)."""
        if self._loop_helpers is None:
            self._loop_helpers = loop_helper_names(self._place)
        return self._loop_helpers

    def process_mains_here(self) -> frozenset[str]:
        """The functions of the checked module that another module of the project, reading it
        as ``loop_helper_names`` does, hands to ``Process(target=...)``: each is a child
        process's main (aiohttp-devtools' ``watch.py`` runs ``serve.py``'s ``serve_main_app``)."""
        if self._process_mains is None:
            found = set()
            for path, facts in self._scanned:
                for written, function in facts.process_targets:
                    if self._place.neighbour_or_own(Path(path)).absolute(written) == self._place.name:
                        found.add(function)
            self._process_mains = frozenset(found)
        return self._process_mains

    @property
    def _scanned(self) -> Iterator[tuple[str, FileFacts]]:
        return scanned_facts(scanned_directories(self._place))

    def runs_as_process(self, name: str, position: Optional[int], keyword: Optional[str]) -> bool:
        found = self._function_named(name, self._place, 0, classes=True)
        if found is None:
            return False
        with reading(into=found[0].reads):
            analysis = self._loops(found[0])
            if analysis is None or not analysis.process_targets:
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
    def _other_roots(self) -> list[Path]:
        return other_roots(self._place)

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
        digest = content_digest(data)
        note("modules", str(path), digest)
        key = (str(path), digest, self._minors, self._targets.minors)
        with _lock:
            known = _modules.get(key)
            if known is not None:
                _modules.move_to_end(key)
        if known is not None:
            note_all(known.reads)  # what its analysis read, for the results kept from it
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
            if content_digest(data) != module.digest:
                return None  # changed since it was read: the next check reads it again
            text = data.decode("utf-8-sig")
            # In pieces, as the checked file is: a large neighbour would raise the peak as much.
            tree = parse_whole(text, cpython.parse(text), self._process.parse)
        except (OSError, UnicodeDecodeError, SyntaxError, cst.ParserSyntaxError, MemoryError, ValueError,
                RecursionError):
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
            with _Analysing(module.path) as status, reading(into=module.reads):
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
        with _Analysing(module.path) as status, reading(into=module.reads):
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
