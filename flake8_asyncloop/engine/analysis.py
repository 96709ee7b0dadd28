"""The shared analysis that rules ask: one object per module, each layer computed once, on demand.

The layers, lowest first, each taking only what its constructor names:

- ``ModuleIndex(module)``: scopes, bindings, functions, classes, calls (``index.py``);
- ``Resolver(index)``: what a name or attribute chain refers to (``names.py``);
- ``CallFacts(module, index, resolver, targets)``: what one call does (``callfacts.py``);
- ``ThreadAnalysis(calls)`` and ``LoopAnalysis(calls, imported)``: which functions run in worker
  threads, and what happens to each loop made here (``threads.py``, ``loops.py``);
- ``LoopStates(calls, minors)``: which loop the thread may have set before each call (``loopstate.py``);
- ``Positions(module, index, text, focused, tree)``: where nodes are (``positions.py``);
- ``FixBuilder(module, text, span)``: the edits fixes are made of (``edits.py``).

``ModuleAnalysis`` is the call layer with the others attached: what a rule's ``check`` receives.
"""

from __future__ import annotations

import ast
import functools
from typing import Optional

import libcst as cst

from flake8_asyncloop.engine.callfacts import CallFacts
from flake8_asyncloop.engine.edits import FixBuilder
from flake8_asyncloop.engine.text import Span
from flake8_asyncloop.engine.focus import Focused
from flake8_asyncloop.engine.index import CallSite, FunctionInfo, ModuleIndex
from flake8_asyncloop.engine.loops import LoopAnalysis
from flake8_asyncloop.engine.loopstate import ImportedCode, LoopStates
from flake8_asyncloop.engine.names import Resolver
from flake8_asyncloop.engine.positions import Positions
from flake8_asyncloop.engine.threads import ThreadAnalysis
from flake8_asyncloop.engine.versions import TargetVersions


# The versions where get_event_loop() with nothing set misbehaves: what the loop state is asked for.
LOOKUP_VERSIONS = range(12, 100)
_FROM_312 = LOOKUP_VERSIONS
_FROM_314 = range(14, 100)


class ModuleAnalysis(CallFacts):
    """Everything the rules know about one module."""

    def __init__(
        self,
        module: cst.Module,
        targets: TargetVersions,
        source: Optional[str] = None,
        focused: Optional[Focused] = None,
        tree: Optional[ast.Module] = None,
        imported: Optional[ImportedCode] = None,
    ) -> None:
        index = ModuleIndex(module)
        super().__init__(module, index, Resolver(index), targets)
        # The text ``module`` was parsed from, when the caller has it: positions of calls then
        # come from CPython's parser (``tree``, when parsed already), and fixes need no
        # regenerated text. On flake8's path, ``module`` holds only the statements that matter.
        self.source_text = focused.code if focused is not None else source
        self.positions = Positions(module, index, self.source_text, focused, tree)
        self._imported = imported  # the project's other modules, when the module's path is known
        self.partial = focused is not None

    def release(self) -> None:
        """Break the cycles between the analysis and its layers (each layer asks it) and inside
        the index (``ModuleIndex.release``): on flake8's path, where nothing is kept once the
        diagnostics are made, the module's tree is then freed as soon as the check returns, not
        by a collection that walks it. The analysis is unusable afterwards."""
        self.index.release()
        vars(self).clear()

    @functools.cached_property
    def threads(self) -> ThreadAnalysis:
        return ThreadAnalysis(self)

    @functools.cached_property
    def loops(self) -> LoopAnalysis:
        return LoopAnalysis(self, self._imported)

    @functools.cached_property
    def loop_states(self) -> LoopStates:
        """What is set before each call, on 3.12+, where get_event_loop() warns or raises with
        nothing set, from this module alone (the project's other modules as libraries)."""
        return LoopStates(self, LOOKUP_VERSIONS, scripts=self._scripts)

    @functools.cached_property
    def project_loop_states(self) -> Optional[LoopStates]:
        """The same, with the project's other modules read (None when they are not known). Asked
        only where the module alone says a lookup has nothing set: what other modules do can only
        matter there, and reading them costs."""
        return LoopStates(self, LOOKUP_VERSIONS, self._imported, self._scripts) if self._imported is not None else None

    @functools.cached_property
    def _scripts(self) -> frozenset[str]:
        return self._imported.script_functions() if self._imported is not None else frozenset()

    def no_loop_consequence(self, call: cst.Call, warns: bool = True) -> Optional[str]:
        """What ``asyncio.get_event_loop()`` at ``call`` does with nothing set, on the target
        versions that reach it: it warns on 3.12-3.13 (unless ``warns`` is False: a loop is set
        there) and raises RuntimeError from 3.14; None where it does neither."""
        reach = self.reach(call)
        if not reach.includes(_FROM_312 if warns else _FROM_314):
            return None
        if not reach.includes(_FROM_314):
            return "warns on 3.12-3.13 (DeprecationWarning) and raises RuntimeError from 3.14"
        if warns and reach.includes(range(12, 14)):
            return "warns on 3.12-3.13 and raises RuntimeError on 3.14+"
        return "raises RuntimeError on 3.14+"

    def imported_thread_lookup(self, name: str) -> Optional[tuple[str, str, int]]:
        """Where a thread running the project's function ``name`` calls get_event_loop() with
        nothing set (``ImportedCode.thread_lookup``); None when unknown or it does not."""
        return self._imported.thread_lookup(name) if self._imported is not None else None

    def runs_as_process_main(self, function: Optional[FunctionInfo]) -> bool:
        """Whether ``function`` runs as a child process's main (``LoopAnalysis.process_mains``),
        also through a function or class of the project's other modules that hands it to
        ``Process(target=...)`` (taskiq's ``ProcessManager(worker_function=start_listen)``), or
        handed to it by another module (``Process(target=serve_main_app)`` in an importer).
        Where it is handed over and the module starts processes, the answer needs every statement:
        the code of the class it is handed to."""
        if function is None:
            return False
        if function in self.loops.process_mains:
            return True  # the statements kept show it already: more of them cannot undo it
        imported = self._imported
        if imported is not None and function.outer_scope.kind == "module":
            if function.name in imported.process_mains_here():
                return True  # a module of the project (an importer) runs it as a process's main
        handed = self._handed_over.get(function)
        if not handed:
            return False  # every statement that names a loop-making function is kept
        if self.loops.process_targets:
            self.need_every_statement()  # a class of the module may keep it for Process(target=...)
        if imported is None:
            return False
        for site, position, keyword in handed:
            name = self.resolver.imported_name(site.node.func, site.scope)
            if name is not None and imported.runs_as_process(name, position, keyword):
                return True
        return False

    @functools.cached_property
    def _handed_over(self) -> dict[FunctionInfo, list[tuple[CallSite, Optional[int], Optional[str]]]]:
        """Where each function of the module is handed to a call as an argument, with the
        argument's position (among the positional ones) or keyword."""
        found: dict[FunctionInfo, list[tuple[CallSite, Optional[int], Optional[str]]]] = {}
        for site in self.index.calls:
            for position, keyword, functions in self.loops.handed_functions(site):
                for function in functions:
                    found.setdefault(function, []).append((site, position, keyword))
        return found

    def may_install_a_loop(self) -> bool:
        """Whether code of this module, or of the project's other modules, may leave a loop set
        in its thread wherever it runs (``LoopStates.installs``): where a function's callers
        are unseen, one of them may have run it first."""
        if self.loop_states.installs_somewhere:
            return True
        return self._imported is not None and self._imported.installs_elsewhere()

    @functools.cached_property
    def fixes(self) -> FixBuilder:
        return FixBuilder(self.module, self.source_text, self.positions.span)

    def position(self, node: cst.CSTNode) -> tuple[int, int]:
        """(line, column) of ``node``: line 1-based, column 0-based, as flake8 reports them."""
        return self.positions.position(node)

    def span(self, node: cst.CSTNode) -> Span:
        """Start and end (line, column) of ``node``, without surrounding whitespace or comments."""
        return self.positions.span(node)

    def extent(self, node: cst.CSTNode) -> Span:
        """Where a diagnostic about ``node`` starts and ends (a class: its ``class Name``)."""
        return self.positions.extent(node)
