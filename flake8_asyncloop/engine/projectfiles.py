"""The project's files as CPython's parser reads them, without libcst: which project a module
belongs to (``Place``, ``project_directory``), and what each module of its package may do
(``FileFacts``: leave a loop set, return a loop it makes, run a function as a child process's
main), scanned by names and cached per file by modification time and size.

The analysis across modules (``project.py``) asks these first; the sieve (``sieve.py``) asks
them before libcst is even imported.
"""

from __future__ import annotations

import ast
import contextlib
import contextvars
import os
import threading
import time
from pathlib import Path
from typing import Iterable, Iterator, NamedTuple, Optional

from flake8_asyncloop.engine import apis, cpython
from flake8_asyncloop.engine.apis import words


class Reading:
    """What analyses read of the project's other files while it was active (``reading``): what a
    result kept between runs depends on besides its own file's text (the command's cache,
    ``cache.py``). Every value is what was found, so that a later run can look again and compare."""

    __slots__ = ("modules", "lookups", "projects", "scans", "scripts")

    def __init__(self) -> None:
        self.modules: dict[str, str] = {}  # a module read: path -> digest of its bytes
        self.lookups: dict[str, str] = {}  # a module looked for: "root\0dotted" -> its file, "" if none
        self.projects: dict[str, str] = {}  # an import root -> its project's directory, "" if none
        self.scans: dict[str, str] = {}  # a package scanned -> digest of its modules' facts
        self.scripts: dict[str, list[str]] = {}  # a project's directory -> its console scripts

    def merge(self, other: "Reading") -> None:
        for kind in self.__slots__:
            getattr(self, kind).update(getattr(other, kind))


# The readings active in this context, innermost last. A context variable, not a thread's: the
# engine runs the work of its caller in a thread with a deep stack (``process.run_deep``), in
# the caller's context.
_active: contextvars.ContextVar[tuple[Reading, ...]] = contextvars.ContextVar("readings", default=())


@contextlib.contextmanager
def reading(into: Optional[Reading] = None) -> Iterator[Reading]:
    """Within: every read of another file is noted in ``into`` (or a new ``Reading``), and in the
    readings active around it."""
    record = into if into is not None else Reading()
    token = _active.set((*_active.get(), record))
    try:
        yield record
    finally:
        _active.reset(token)


def note(kind: str, key: str, value: object) -> None:
    """Note a read in every active reading (``kind``: a field of ``Reading``)."""
    for record in _active.get():
        getattr(record, kind)[key] = value


def note_all(read: Reading) -> None:
    """Note in every active reading what ``read`` noted: what an analysis kept from before read."""
    for record in _active.get():
        if record is not read:
            record.merge(read)


def content_digest(data: bytes) -> str:
    # Imported here: hashlib loads OpenSSL (megabytes), which a run that reads no other module
    # of a project does not need.
    import hashlib

    return hashlib.sha256(data).hexdigest()


# What marks a directory as a project's: the files packaging tools read.
_PROJECT_FILES = ("pyproject.toml", "setup.py", "setup.cfg")


def project_directory(root: Path) -> Optional[Path]:
    """The directory at or above ``root`` with a file of ``_PROJECT_FILES``: the project that
    declares itself there. None outside any: a Python installation's standard library or
    site-packages is no one's project, and its thousands of modules are not read as the checked
    file's neighbours."""
    for directory in (root, *root.parents):
        if any((directory / name).is_file() for name in _PROJECT_FILES):
            note("projects", str(root), str(directory))
            return directory
    note("projects", str(root), "")
    return None


class Place(NamedTuple):
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
                note("lookups", f"{self.root}\0{dotted}", str(candidate))
                return candidate
        note("lookups", f"{self.root}\0{dotted}", "")
        return None

    def package_directory(self) -> Optional[Path]:
        """The directory of the module's top package; None for a module outside any package."""
        if not self.is_package and "." not in self.name:
            return None
        return self.root / self.name.split(".", 1)[0]

    def neighbour_or_own(self, path: Path) -> "Place":
        """``neighbour(path)`` for a module under the same root, its own place otherwise."""
        return self.neighbour(path) if self.root in path.parents else Place.of(path)

    def neighbour(self, path: Path) -> "Place":
        """The place of another module of the same root."""
        relative = path.relative_to(self.root).with_suffix("")
        parts = list(relative.parts)
        is_package = parts[-1] == "__init__"
        return Place(self.root, ".".join(parts[:-1] if is_package else parts), is_package)


def project_place(path: Optional[str]) -> Optional[Place]:
    """Where the module at ``path`` sits in the project that declares itself around it; None when
    ``path`` is no file, or no project declares itself there (``project_directory``)."""
    if path is None:
        return None
    file = Path(path)
    if not file.is_file():
        return None
    place = Place.of(file)
    return place if project_directory(place.root) is not None else None


def other_roots(place: Place) -> list[Path]:
    """Where else the project's packages are, for a module outside them (an example, a test
    directory with no ``__init__.py``): the project's directory, and its ``src/``."""
    directory = project_directory(place.root) or place.root
    roots = [directory, directory / "src"]
    return [root for root in roots if root != place.root and root.is_dir()]


def is_project_module(place: Place, top: str) -> bool:
    """Whether ``top``, the first part of an absolute import in the module at ``place``, is a
    module or package of the project (under its import root, or another root of the project)."""
    return place.find(top) is not None or any(Place(root, "", False).find(top) for root in other_roots(place))


def scanned_directories(place: Place) -> list[Path]:
    """Where the modules whose facts concern the module at ``place`` are: its top package, or,
    for a module outside any package, its directory and the project's roots."""
    package = place.package_directory()
    return [package] if package is not None else [place.root, *other_roots(place)]


def loop_helper_names(place: Place) -> frozenset[str]:
    """The names of the top-level functions, among the modules ``scanned_directories`` gives,
    that may return a loop they make (by CPython's tree)."""
    return frozenset(name for _, facts in scanned_facts(scanned_directories(place)) for name in facts.loop_helpers)


# Where a project's modules are not: tools' and environments' directories.
_NOT_SOURCE = frozenset({"node_modules", "__pycache__", "site-packages", "build", "dist", "venv", "env"})
_MAX_SCANNED = 5000  # modules read for ``installs_elsewhere``; past this, take it that one does
_INSTALL_WORDS = (b"set_event_loop", b"nest_asyncio", b"IOLoop")
_SHIPPED_POLICY_WORDS = frozenset(name.rpartition(".")[2] for name in apis.SHIPPED_POLICIES)
# Words of the calls that make a loop (new_event_loop, the loop classes), and as bytes to search for.
_MAKING_NAMES = words(apis.NEW_EVENT_LOOP | apis.LOOP_CLASSES)
_MAKING_WORDS = tuple(word.encode() for word in _MAKING_NAMES)


class FileFacts(NamedTuple):
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
_facts_of: dict[str, tuple[int, int, FileFacts]] = {}
_facts_lock = threading.Lock()
_NO_FACTS = FileFacts(False, frozenset(), frozenset())
_FACT_WORDS = (*_INSTALL_WORDS, *_MAKING_WORDS, b"Process")


# Per directory scanned: when (``time.monotonic``), and the facts of its modules (path, facts),
# whether there were more than ``_MAX_SCANNED``, and a digest of both.
_Scan = tuple[tuple[tuple[str, FileFacts], ...], bool, str]
_scans: dict[str, tuple[float, _Scan]] = {}
_runs_staying_put = 0  # how many ``files_stay_put`` scopes are open
# Within ``recent_scans_stand``: how old a scan may be and still be taken as it is.
_scan_freshness: contextvars.ContextVar[float] = contextvars.ContextVar("scan_freshness", default=-1.0)


@contextlib.contextmanager
def files_stay_put() -> Iterator[None]:
    """Within: the files this process reads do not change (one run of the command over a
    project). Each package is then scanned once, not once per checked module, which made a run
    over a project of 2,000 modules quadratic. Outside (a library caller, the language server
    between changes), every scan reads the file system again, so a changed neighbour is seen."""
    global _runs_staying_put
    with _facts_lock:
        _runs_staying_put += 1
    try:
        yield
    finally:
        with _facts_lock:
            _runs_staying_put -= 1


@contextlib.contextmanager
def recent_scans_stand(seconds: float) -> Iterator[None]:
    """Within (in this context): a package scanned less than ``seconds`` ago is taken as it was.
    For flake8, which has no hook at the end of a run to close a ``files_stay_put``: a run reads
    each package again every few seconds instead of once per checked module, and a process that
    outlives the run (flake8's API, used in-process) still sees a changed neighbour soon."""
    token = _scan_freshness.set(seconds)
    try:
        yield
    finally:
        _scan_freshness.reset(token)


def _python_files(directory: str) -> Iterator[str]:
    """The modules under ``directory``, tools' and environments' folders left out."""
    for folder, subfolders, files in os.walk(directory):
        subfolders[:] = [name for name in subfolders if not name.startswith(".") and name not in _NOT_SOURCE]
        yield from (os.path.join(folder, name) for name in files if name.endswith(".py"))


def _scan(directory: Path) -> _Scan:
    """The facts of the modules under ``directory`` (at most ``_MAX_SCANNED``), whether it holds
    more, and a digest of both (noted as read)."""
    key = str(directory)
    now = time.monotonic()
    known = _scans.get(key)
    if known is None or not (_runs_staying_put or now - known[0] <= _scan_freshness.get()):
        found: list[tuple[str, FileFacts]] = []
        more = False
        for path in _python_files(key):
            if len(found) == _MAX_SCANNED:
                more = True
                break
            found.append((path, _file_facts(path)))
        known = (now, (tuple(found), more, _facts_digest(found, more)))
        with _facts_lock:
            _scans[key] = known
    note("scans", key, known[1][2])
    return known[1]


def scan_digest(directory: str) -> str:
    """The digest of the facts of the modules under ``directory``, as a reading notes it."""
    return _scan(Path(directory))[2]


def _facts_digest(found: list[tuple[str, FileFacts]], more: bool) -> str:
    parts = [f"{more}"]
    for path, facts in sorted(found):
        helpers, targets = sorted(facts.loop_helpers), sorted(facts.process_targets)
        parts.append(f"{path}\0{facts.installs}\0{helpers}\0{targets}")
    return content_digest("\n".join(parts).encode("utf-8", "surrogateescape"))


def installs_elsewhere(directory: Path, checked: Optional[Path]) -> bool:
    """Whether a module under ``directory`` other than ``checked`` calls something that may
    leave a loop set: the same calls ``LoopStates.installs`` reads, by their names."""
    facts, more, _ = _scan(directory)
    skipped = str(checked)
    return more or any(found.installs for path, found in facts if path != skipped)  # past the limit: one may


def scanned_facts(directories: list[Path]) -> Iterator[tuple[str, FileFacts]]:
    """The facts of the modules under ``directories`` (at most ``_MAX_SCANNED`` under each)."""
    for directory in directories:
        yield from _scan(directory)[0]


def _file_facts(path: str) -> FileFacts:
    try:
        status = os.stat(path)
        known = _facts_of.get(path)
        if known is not None and known[:2] == (status.st_mtime_ns, status.st_size):
            return known[2]
        with open(path, "rb") as file:
            data = file.read()
    except OSError:
        return _NO_FACTS
    facts = _tree_facts(data) if any(word in data for word in _FACT_WORDS) else _NO_FACTS
    with _facts_lock:
        _facts_of[path] = (status.st_mtime_ns, status.st_size, facts)
    return facts


def _tree_facts(data: bytes) -> FileFacts:
    try:
        tree = cpython.parse(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, SyntaxError, ValueError, RecursionError, MemoryError):
        return _NO_FACTS
    calls = [node for node in cpython.nodes(tree) if type(node) is ast.Call]
    installs = any(_call_installs(call) for call in calls)
    helpers = frozenset(
        node.name for node in tree.body if isinstance(node, ast.FunctionDef) and _may_return_new_loop(node)
    )
    imported = _imported_objects(tree) if any(call_chain(call.func)[-1:] == ["Process"] for call in calls) else {}
    targets = frozenset(found for call in calls for found in _imported_process_targets(call, imported))
    return FileFacts(installs, helpers, targets)


def _imported_objects(tree: ast.Module) -> dict[str, str]:
    """What each name the module imports is, as the import writes it: ``from .a import f`` gives
    f -> ".a.f", ``import pkg.mod as m`` gives m -> "pkg.mod"."""
    nodes = list(ast.walk(tree))
    found = imported_by_name(nodes)
    for node in nodes:
        for alias in node.names if isinstance(node, ast.Import) else ():
            if alias.asname:
                found[alias.asname] = alias.name
    return found


def _imported_process_targets(call: ast.Call, imported: dict[str, str]) -> list[tuple[str, str]]:
    """(module, function) for each imported function ``Process(target=...)`` may run (``a or b``
    gives both): ``target=main`` or ``target=serve.main``, with the name bound by an import."""
    if call_chain(call.func)[-1:] != ["Process"]:
        return []
    target = next((keyword.value for keyword in call.keywords if keyword.arg == "target"), None)
    pending = [target] if target is not None else call.args[1:2]
    found: list[tuple[str, str]] = []
    while pending:
        value = pending.pop()
        if isinstance(value, ast.BoolOp):
            pending.extend(value.values)
            continue
        chain = call_chain(value) if isinstance(value, (ast.Name, ast.Attribute)) else []
        origin = imported.get(chain[0]) if chain else None
        if origin is not None:
            module, _, function = ".".join([origin, *chain[1:]]).rpartition(".")
            found.append((module, function))
    return found


def _may_return_new_loop(function: ast.FunctionDef) -> bool:
    """A ``return`` with a value, and a call of something that makes a loop, by its name."""
    nodes = list(ast.walk(function))
    returns = any(isinstance(node, ast.Return) and node.value is not None for node in nodes)
    return returns and any(isinstance(node, ast.Call) and call_words(node.func) & _MAKING_NAMES for node in nodes)


def _call_installs(call: ast.Call) -> bool:
    """``LoopStates.installs``, by names: ``set_event_loop(x)`` (x not None), a policy not
    shipped with asyncio or uvloop, ``nest_asyncio.apply()``, tornado's ``IOLoop``."""
    chain = call_chain(call.func)
    last = chain[-1] if chain else ""
    keywords = (keyword.value for keyword in call.keywords if keyword.arg in ("loop", "policy"))
    argument = call.args[0] if call.args else next(keywords, None)
    if last in ("set_event_loop", "set_event_loop_policy"):
        if argument is None or (isinstance(argument, ast.Constant) and argument.value is None):
            return False
        made = call_chain(argument.func) if isinstance(argument, ast.Call) else []
        return last == "set_event_loop" or not (made and made[-1] in _SHIPPED_POLICY_WORDS)
    if last == "apply":
        return any(word.startswith("nest_asyncio") for word in chain)
    return "IOLoop" in chain and last in ("IOLoop", "current", "instance", "make_current")


def call_chain(func: ast.expr) -> list[str]:
    """``a.b.c`` as ["a", "b", "c"] (what it is called on left out when it is not a name)."""
    chain: list[str] = []
    while isinstance(func, ast.Attribute):
        chain.insert(0, func.attr)
        func = func.value
    if isinstance(func, ast.Name):
        chain.insert(0, func.id)
    return chain


def call_words(func: ast.expr) -> set[str]:
    return set(call_chain(func))


def imported_by_name(nodes: Iterable[ast.AST]) -> dict[str, str]:
    """``from .client import Client`` among ``nodes``: Client -> ``.client.Client``."""
    found: dict[str, str] = {}
    for node in nodes:
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name != "*":
                    found[alias.asname or alias.name] = cpython.imported_as_written(node, alias)
    return found
