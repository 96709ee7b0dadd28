"""The one entry point every adapter calls: source text in, diagnostics out."""

from __future__ import annotations

import ast
import functools
import re
from typing import Iterable, Iterator, Optional, Protocol

import libcst as cst

from flake8_asyncloop.engine.analysis import LOOKUP_VERSIONS, ModuleAnalysis
from flake8_asyncloop.engine.bom import without_bom
from flake8_asyncloop.engine.callfacts import WholeModuleNeeded
from flake8_asyncloop.engine.diagnostics import Diagnostic, Finding, Fix
from flake8_asyncloop.engine.text import SourceLines, Span
from flake8_asyncloop.engine.focus import Focused, focus
from flake8_asyncloop.engine.nesting import beyond_parser_limits
from flake8_asyncloop.engine.pieces import parse_focused, parse_whole
from flake8_asyncloop.engine.precheck import mentions_loop_api
from flake8_asyncloop.engine.index import ImportSite
from flake8_asyncloop.engine.loopstate import NO_EFFECT, Effect, MadeLoop
from flake8_asyncloop.engine.process import GUEST, Process
from flake8_asyncloop.engine.project import Project
from flake8_asyncloop.engine.reads import Reads, union
from flake8_asyncloop.engine.sieve import Vocabulary, finding_possible
from flake8_asyncloop.engine.timeline import Timeline
from flake8_asyncloop.engine.versions import TargetVersions
from flake8_asyncloop.engine import cpython


class Rule(Protocol):
    """What the engine needs of a rule (``rules.base.Rule`` is one): the adapters choose the
    rules and pass them in, so the engine never imports them."""

    @property
    def code(self) -> str: ...

    @property
    def reads(self) -> Reads: ...

    @property
    def timeline(self) -> Timeline: ...

    def check(self, analysis: ModuleAnalysis) -> Iterator[Finding]: ...


# A file this Python cannot parse may be newer syntax (3.12's generics checked on 3.11), which
# libcst's parser reads. Without CPython's nesting limits in front of it, libcst is given only
# text that cannot nest deeply (it slows down steeply with depth, nesting.py: 10,000 nested
# `not` or attributes took it three minutes): deep trees need long lines, deep brackets, deep
# indentation or long elif chains, and the limits below are far beyond hand-written code.
_NEWER_SYNTAX_MAX_CHARACTERS = 1_000_000
_NEWER_SYNTAX_MAX_LINE = 5_000
_NEWER_SYNTAX_MAX_BRACKETS = 100
_NEWER_SYNTAX_MAX_INDENT = 400
_NEWER_SYNTAX_MAX_ELIFS = 1_000
_ELIF = re.compile(r"^[ \t]*elif\b", re.MULTILINE)


def newer_syntax_candidate(text: str, process: Process) -> bool:
    """Whether ``text``, which CPython's parser here refuses, is worth libcst's parser: refused
    with a SyntaxError (not for its depth: a RecursionError, MemoryError or "too many nested"
    says code no one writes), small enough, with brackets nested no deeper than people write,
    and parsed by libcst, on the deep stack of a process the engine owns (without CPython's
    limits in front of it, deep code would overflow libcst's native stack)."""
    if not process.deep:
        return False
    try:
        cpython.parse(text)
    except SyntaxError as error:
        if "nested" in str(error.msg) or "too complex" in str(error.msg):
            return False
    except (ValueError, RecursionError, MemoryError):
        return False
    else:
        return False  # CPython reads it: no need
    if not _shallow(text):
        return False
    return process.run(lambda: libcst_reads(text))


def libcst_reads(text: str) -> bool:
    """Whether libcst's parser reads ``text`` (call it where a deep stack is at hand)."""
    try:
        cst.parse_module(text)
    except (cst.ParserSyntaxError, RecursionError, MemoryError, ValueError):
        return False
    return True


def _shallow(text: str) -> bool:
    """Whether ``text`` cannot hold a tree much deeper than people write (see the limits)."""
    if len(text) > _NEWER_SYNTAX_MAX_CHARACTERS or len(_ELIF.findall(text)) > _NEWER_SYNTAX_MAX_ELIFS:
        return False
    lines = text.splitlines()
    if any(len(line) > _NEWER_SYNTAX_MAX_LINE for line in lines):
        return False
    if any(len(line) - len(line.lstrip()) > _NEWER_SYNTAX_MAX_INDENT for line in lines):
        return False
    return _deepest_brackets(text) <= _NEWER_SYNTAX_MAX_BRACKETS


def _deepest_brackets(text: str) -> int:
    depth = deepest = 0
    for character in text:
        if character in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif character in ")]}":
            depth -= 1
    return deepest


def check_source(
    source: str,
    targets: TargetVersions,
    rules: Iterable[Rule],
    *,
    tree: Optional[ast.Module] = None,
    fixes: bool = False,
    process: Process = GUEST,
    path: Optional[str] = None,
) -> list[Diagnostic]:
    """Every diagnostic of ``rules`` in ``source``, sorted by position.

    ``tree``: CPython's tree of ``source`` (without a BOM), when the caller has parsed it already.
    ``fixes``: attach each rule's fix, where it has one.
    ``process``: ``OWNER`` only from an adapter that owns its process (``process.py``).
    ``path``: the file ``source`` is (or will be) in: its project's other modules are read from
    disk next to it (``project.py``). Without, they are not seen.
    """
    if not mentions_loop_api(source):
        return []
    text = without_bom(source)
    rules = tuple(rules)
    # CPython's parser goes first: its nesting limits (a few thousand levels) keep libcst away
    # from input that would take it minutes and gigabytes, and it is several times faster.
    checked = tree if tree is not None else cpython.tree_or_none(text)
    if checked is None and not newer_syntax_candidate(text, process):
        return []
    if checked is not None and (beyond_parser_limits(checked) or not _finding_possible(checked, rules, path)):
        return []
    try:
        return process.run(lambda: _check(text, checked, targets, rules, fixes, process, path))
    except RecursionError:
        # Deeper than the recursion limit allows (for an owner, tens of thousands of levels,
        # never written by hand): such a file gets no diagnostics rather than a crash.
        return []


def _finding_possible(tree: ast.Module, rules: tuple[Rule, ...], path: Optional[str]) -> bool:
    """The sieve (``sieve.py``) for ``rules``: False where none of them can find anything."""
    reads = reads_of(rules)
    return finding_possible(tree, Vocabulary.of(reads.names, reads.thread_starts), path)


@functools.lru_cache(maxsize=16)
def reads_of(rules: tuple[Rule, ...]) -> Reads:
    """What ``rules`` read, with the layers they ask: what flake8's path keeps (``focus.py``)."""
    return union(rule.reads for rule in rules)


def check_focused(
    source: str,
    tree: ast.Module,
    targets: TargetVersions,
    rules: Iterable[Rule],
    *,
    process: Process = GUEST,
    path: Optional[str] = None,
    sieved: bool = False,
) -> list[Diagnostic]:
    """``check_source(source, targets, rules, tree=tree, path=path)``, faster, for flake8.

    ``tree`` is CPython's tree of ``source``, which flake8 has built. It tells which statements
    can matter (``focus.py``); libcst parses only those, each line as it is in the file, and
    the same analysis and rules run on them. Without fixes: the fixing adapters need the whole
    module, and call ``check_source``. ``sieved``: the caller has asked the sieve already, with
    these rules' reads (the plugin does, before it loads them).
    """
    if not mentions_loop_api(source):
        return []
    text = without_bom(source)
    rules = tuple(rules)
    if beyond_parser_limits(tree) or not (sieved or _finding_possible(tree, rules, path)):
        return []
    try:
        return process.run(lambda: _focus_and_check(text, tree, targets, rules, process, path))
    except RecursionError:
        return []  # as in check_source


def _focus_and_check(
    text: str, tree: ast.Module, targets: TargetVersions, rules: tuple[Rule, ...], process: Process,
    path: Optional[str],
) -> list[Diagnostic]:
    project = Project.of(path, targets, LOOKUP_VERSIONS, process)
    reads = reads_of(rules)
    helpers = project.loop_helper_names() if project is not None else frozenset()
    if helpers:
        # A function of the project that returns a new loop makes one, as new_event_loop() does.
        reads = reads | Reads(names=helpers, creations=helpers)
    focused = focus(text, tree, reads)
    if focused is None:
        return []  # nothing in the module names an API any rule reports
    try:
        return _check_focused(focused, tree, targets, rules, process, project)
    except WholeModuleNeeded:
        # A rule asked about the project's code, which the kept statements may not all show.
        return _diagnose_whole(text, tree, targets, rules, process, project)


class _OnlyTheWholeModule:
    """The project's modules as flake8's path sees them: asked about one, it hands the question
    to the whole module (where every call of project code is there), asked about a library's
    code, it answers as the project would (a library's leaves the loop as it was)."""

    def __init__(self, project: Project) -> None:
        self._project = project

    def call_effect(self, name: str) -> Optional[Effect]:
        if self._project.owns(name):
            raise WholeModuleNeeded
        return None

    def import_effect(self, site: ImportSite) -> Effect:
        if any(self._project.owns(written) for written in site.modules):
            raise WholeModuleNeeded
        return NO_EFFECT

    def installs_elsewhere(self) -> bool:
        return self._project.installs_elsewhere()  # read from the other files, which focus does not cut

    def script_functions(self) -> frozenset[str]:
        return self._project.script_functions()  # read from the project's files

    def thread_lookup(self, name: str) -> Optional[tuple[str, str, int]]:
        return self._project.thread_lookup(name)  # the same: about another file

    def runs_as_process(self, name: str, position: Optional[int], keyword: Optional[str]) -> bool:
        return self._project.runs_as_process(name, position, keyword)  # the same

    def process_mains_here(self) -> frozenset[str]:
        return self._project.process_mains_here()  # read from the project's files

    def new_loop_from(self, name: str) -> Optional[MadeLoop]:
        # The call's statement is kept: the project's helpers' names are read (``_focus_and_check``).
        return self._project.new_loop_from(name)


def _check_focused(
    focused: Focused, tree: ast.Module, targets: TargetVersions, rules: tuple[Rule, ...], process: Process,
    project: Optional[Project],
) -> list[Diagnostic]:
    try:
        module = parse_focused(focused, process.parse)
    except (cst.ParserSyntaxError, MemoryError, ValueError):
        module = None  # a statement shared a line with a dropped one
    if module is None or ("\f" in focused.code and module.code != focused.code):
        # The whole module gives the same answer, more slowly; form feeds move libcst's columns
        # (see _diagnose), which is rare enough to take that way.
        return _diagnose_whole(focused.source, tree, targets, rules, process, project)
    imported = _OnlyTheWholeModule(project) if project is not None else None
    analysis = ModuleAnalysis(module, targets, focused=focused, imported=imported)
    try:
        return sorted(
            {
                _diagnostic(rule, finding, minors, analysis.extent(finding.node))
                for rule, finding, minors in _reached_findings(analysis, rules)
            }
        )
    finally:
        analysis.release()  # the diagnostics hold no node: the tree can go now (no fixes here)


def _reached_findings(
    analysis: ModuleAnalysis, rules: tuple[Rule, ...]
) -> Iterator[tuple[Rule, Finding, frozenset[int]]]:
    """Each rule's findings on code that some target version runs, with those versions: a branch
    only older (or newer) Pythons take, as ``if sys.version_info < (3, 7):`` with targets from
    3.9, is never reported."""
    for rule in rules:
        for finding in rule.check(analysis):
            minors = analysis.minors_reaching(finding.node)
            if minors:
                yield rule, finding, minors


def _diagnostic(
    rule: Rule, finding: Finding, minors: frozenset[int], extent: Span, fix: Optional[Fix] = None
) -> Diagnostic:
    """``finding`` from the start to the end of ``extent``, with its timeline limited to the
    ``minors`` that run its code."""
    timeline = (finding.timeline or rule.timeline).reaching(minors)
    (line, column), end = extent
    return Diagnostic(line, column, rule.code, finding.message, fix, timeline, end)


def _check(
    source: str, tree: Optional[ast.Module], targets: TargetVersions, rules: tuple[Rule, ...], fixes: bool,
    process: Process, path: Optional[str],
) -> list[Diagnostic]:
    project = Project.of(path, targets, LOOKUP_VERSIONS, process)
    return _diagnose_whole(source, tree, targets, rules, process, project, fixes)


def _diagnose_whole(
    source: str, tree: Optional[ast.Module], targets: TargetVersions, rules: tuple[Rule, ...], process: Process,
    project: Optional[Project], fixes: bool = False,
) -> list[Diagnostic]:
    try:
        module = parse_whole(source, tree, process.parse) if tree is not None else process.parse(source)
    except (cst.ParserSyntaxError, MemoryError, ValueError):
        return []
    return _diagnose(module, source, tree, targets, rules, fixes, project)


def _diagnose(
    module: cst.Module,
    source: str,
    tree: Optional[ast.Module],
    targets: TargetVersions,
    rules: tuple[Rule, ...],
    fixes: bool,
    project: Optional[Project],
) -> list[Diagnostic]:
    """The rules' findings on ``module``, parsed from ``source`` (CPython's ``tree``), as
    positioned diagnostics."""
    # libcst drops the whitespace before a module-level statement when it holds a form feed:
    # its columns on that line are short by the whitespace, and its edits, made on its own
    # text, would land in the wrong place in ours. Columns move back; such a module gets no fixes.
    dropped = _dropped_columns(source, module.code) if "\f" in source and module.code != source else None
    # With the source, positions come from CPython's parser, which counts the dropped columns.
    analysis = ModuleAnalysis(
        module, targets, source=source if dropped is None else None, tree=tree, imported=project
    )
    diagnostics = set()
    for rule, finding, minors in _reached_findings(analysis, rules):
        start, end = analysis.extent(finding.node)
        if dropped is None:
            fix = finding.build_fix() if fixes else None
            diagnostics.add(_diagnostic(rule, finding, minors, (start, end), fix))
        else:
            (line, column), (end_line, end_column) = start, end
            moved = (line, column + dropped.get(line, 0)), (end_line, end_column + dropped.get(end_line, 0))
            diagnostics.add(_diagnostic(rule, finding, minors, moved))
    return sorted(diagnostics)


def _dropped_columns(source: str, regenerated: str) -> dict[int, int]:
    """Per line, how many leading characters of ``source`` libcst's ``regenerated`` code lacks."""
    original, shortened = SourceLines(source), SourceLines(regenerated)
    if len(original.starts) != len(shortened.starts):
        return {}
    dropped = {}
    for number in range(1, len(original.starts) + 1):
        old, new = original.line(number), shortened.line(number)
        if old != new and old.endswith(new):
            dropped[number] = len(old) - len(new)
    return dropped
