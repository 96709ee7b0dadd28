"""The language server (``flake8-asyncloop server``): the engine's diagnostics and fixes over LSP.

Diagnostics are published when a document opens and, debounced, after it changes; every
diagnostic with a fix gets a quick fix with exactly that fix's edits, and a source action
(``source.fixAll.asyncloop``) applies every fix, as ``flake8-asyncloop fix`` would. Settings come
from ``[tool.flake8-asyncloop]`` and ``requires-python``, found from each document's path as the
command finds them, and are read again for every analysis, so edits to pyproject.toml apply at
the next change.
"""

from __future__ import annotations

import asyncio
import threading
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable, Optional, Sequence, TypeVar

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.workspace import TextDocument

from flake8_asyncloop import __version__
from flake8_asyncloop.config import ConfigError, FileSettings, SettingsFinder
from flake8_asyncloop.engine import cpython
from flake8_asyncloop.engine.bom import bom_of, without_bom
from flake8_asyncloop.engine.diagnostics import Diagnostic, Edit, Fix
from flake8_asyncloop.engine.text import SourceLines, difference
from flake8_asyncloop.engine.fixer import fix_source, reported
from flake8_asyncloop.engine.internal import INTERNAL_ERROR_CODE, InternalError, raise_internal_errors
from flake8_asyncloop.engine.process import DEEP_STACK_BYTES
from flake8_asyncloop.engine.versions import TargetVersionError

T = TypeVar("T")

SOURCE = "flake8-asyncloop"
FIX_ALL_KIND = f"{types.CodeActionKind.SourceFixAll.value}.asyncloop"
# Long enough that typing a word costs one analysis, short enough to feel immediate.
DEBOUNCE_SECONDS = 0.3
IN_THE_LOG = "in the language server's log"


@dataclass(frozen=True)
class Analysis:
    """The engine's answer for one text of a document."""

    text: str
    diagnostics: tuple[Diagnostic, ...] = ()
    settings: Optional[FileSettings] = None
    error: Optional[str] = None  # configuration that cannot be used, in one line
    internal_error: Optional[InternalError] = None  # the engine failed on the text
    with_fixes: bool = False  # the diagnostics carry their fixes (the whole module was analysed)


def settings_for(path: Optional[str]) -> FileSettings:
    """What the command would use for ``path`` (None: a document that is not a file)."""
    return SettingsFinder().for_path(path).for_file(path)


def analyse(text: str, path: Optional[str], fixes: bool = False) -> Analysis:
    """Diagnostics (``# noqa`` honoured) for one text, with their fixes if asked; synchronous,
    for a worker thread.

    Without fixes, only the statements that can matter are parsed, as on flake8's path: that is
    what each change waits for. Fixes need the whole module, and only a code action asks."""
    try:
        settings = settings_for(path)
    except (ConfigError, TargetVersionError) as error:
        return Analysis(text, error=str(error))
    body = without_bom(text)
    try:
        tree = None if fixes else cpython.tree_or_none(body)
        diagnostics = reported(body, settings.targets, settings.rules, fixes=fixes, tree=tree, path=path)
    except Exception as error:  # a bug of ours: ELP900 in the editor, the traceback in its log
        if raise_internal_errors():
            raise
        failure = InternalError.of(error, IN_THE_LOG)
        shown = (failure.diagnostic(),) if settings.show_internal_errors else ()
        return Analysis(text, shown, settings, internal_error=failure, with_fixes=fixes)
    return Analysis(text, tuple(diagnostics), settings, with_fixes=fixes)


class Positions:
    """Engine positions (1-based lines, 0-based character columns, after any BOM) as LSP positions:
    0-based lines, columns in the negotiated encoding's code units (UTF-16 unless agreed otherwise)."""

    def __init__(self, text: str, encoding: str) -> None:
        self._lines = SourceLines(text)
        self._bom = len(bom_of(text))
        self._encoding = encoding

    def line_text(self, line: int) -> str:
        return self._lines.line(min(max(line, 1), len(self._lines.starts)))

    def to_lsp(self, line: int, column: int) -> types.Position:
        if line > len(self._lines.starts):  # past the end: the end of the last line
            line, column = len(self._lines.starts), len(self.line_text(len(self._lines.starts)))
        if line == 1:
            column += self._bom
        prefix = self.line_text(line)[:column]
        if self._encoding == types.PositionEncodingKind.Utf8:
            units = len(prefix.encode("utf-8", "surrogatepass"))
        elif self._encoding == types.PositionEncodingKind.Utf32:
            units = len(prefix)
        else:
            units = len(prefix.encode("utf-16-le", "surrogatepass")) // 2
        return types.Position(line=line - 1, character=units)

    def diagnostic_range(self, diagnostic: Diagnostic) -> types.Range:
        """The reported code, as JSON and SARIF give it; ELP900, about the whole file and no code
        in it, covers the first line."""
        if diagnostic.end is None:
            end = len(self.line_text(1)) - self._bom
            return types.Range(start=self.to_lsp(1, 0), end=self.to_lsp(1, end))
        return types.Range(start=self.to_lsp(diagnostic.line, diagnostic.column), end=self.to_lsp(*diagnostic.end))

    def text_edit(self, edit: Edit) -> types.TextEdit:
        return types.TextEdit(
            range=types.Range(
                start=self.to_lsp(edit.start_line, edit.start_column),
                end=self.to_lsp(edit.end_line, edit.end_column),
            ),
            new_text=edit.text,
        )


def _kind_requested(kind: str, only: Optional[Sequence[str]]) -> bool:
    # LSP kinds are hierarchical: asking for "source.fixAll" includes "source.fixAll.asyncloop".
    return only is None or any(kind == wanted or kind.startswith(f"{wanted}.") for wanted in only)


def _analysis_executor() -> ThreadPoolExecutor:
    """One worker thread, started now with a large stack. The engine runs there as a guest (the
    event loop's thread keeps the collector and the recursion limit as they are), but libcst's
    native parser recurses on the C stack, and CPython 3.9, 3.10 and 3.13 accept nesting (nearly
    6,000 conditional expressions, 10,000 operators) that crashes it on an 8 MiB stack, let
    alone the 512 KiB of macOS's threads. The stack size is process-wide: the server owns its
    process, sets it at its start only, and restores it once its worker exists."""
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="flake8-asyncloop")
    try:
        previous = threading.stack_size(DEEP_STACK_BYTES)
    except (ValueError, RuntimeError):
        return executor  # the platform's own size, then
    try:
        executor.submit(int).result()  # the executor's one thread starts here
    except (RuntimeError, MemoryError):
        pass  # no memory for the stack: it starts with the first analysis, at the usual size
    finally:
        threading.stack_size(previous)
    return executor


class AsyncLoopServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(SOURCE, __version__, text_document_sync_kind=types.TextDocumentSyncKind.Full)
        # The engine is synchronous and CPU-bound; one worker keeps analyses in order and off the
        # event loop, so the server keeps reading messages (and cancelling stale work) meanwhile.
        self.analysis_executor = _analysis_executor()
        self.analyses: dict[str, Analysis] = {}
        self.pending: dict[str, asyncio.Task[None]] = {}
        self.fix_all_results: dict[str, tuple[str, str]] = {}  # uri -> (text, fixed text)
        self.reported_errors: set[str] = set()

    @property
    def encoding(self) -> str:
        return str(self.workspace.position_encoding or types.PositionEncodingKind.Utf16)

    async def in_worker(self, uri: str, work: Callable[[], T], fallback: T) -> T:
        """``work()`` in the analysis thread; an engine bug is logged to the client, not raised."""
        try:
            return await asyncio.get_running_loop().run_in_executor(self.analysis_executor, work)
        except Exception:  # the server must outlive any one document; the client's log shows it
            self.log_internal_error(uri, traceback.format_exc())
            return fallback

    def log_internal_error(self, uri: str, traceback_text: str) -> None:
        message = f"{SOURCE}: internal error on {uri}\n{traceback_text}"
        self.window_log_message(types.LogMessageParams(types.MessageType.Error, message))

    async def run_in_worker(self, document: TextDocument, fixes: bool = False) -> Analysis:
        cached = self.analyses.get(document.uri)
        text = document.source
        if cached is not None and cached.text == text and (cached.with_fixes or not fixes):
            return cached
        path = document.path if document.uri.startswith("file:") else None
        analysis = await self.in_worker(document.uri, lambda: analyse(text, path, fixes), Analysis(text))
        if analysis.internal_error is not None:
            self.log_internal_error(document.uri, analysis.internal_error.traceback)
        if analysis.error is not None and analysis.error not in self.reported_errors:
            self.reported_errors.add(analysis.error)
            self.window_show_message(types.ShowMessageParams(types.MessageType.Error, f"{SOURCE}: {analysis.error}"))
        if document.uri in self.workspace.text_documents:
            self.analyses[document.uri] = analysis
        return analysis

    async def publish(self, uri: str) -> None:
        if uri not in self.workspace.text_documents:
            return
        document = self.workspace.get_text_document(uri)
        version = document.version
        analysis = await self.run_in_worker(document)
        if uri not in self.workspace.text_documents or self.workspace.get_text_document(uri).version != version:
            return  # a newer text is on its way; its own analysis publishes
        positions = Positions(analysis.text, self.encoding)
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=uri,
                version=version,
                diagnostics=[self.lsp_diagnostic(diagnostic, positions) for diagnostic in analysis.diagnostics],
            )
        )

    @staticmethod
    def lsp_diagnostic(diagnostic: Diagnostic, positions: Positions) -> types.Diagnostic:
        return types.Diagnostic(
            range=positions.diagnostic_range(diagnostic),
            message=diagnostic.message,
            # ELP900 is not a finding about the code but a failure to find anything.
            severity=(
                types.DiagnosticSeverity.Error
                if diagnostic.code == INTERNAL_ERROR_CODE
                else types.DiagnosticSeverity.Warning
            ),
            code=diagnostic.code,
            source=SOURCE,
        )

    def schedule(self, uri: str, delay: float) -> None:
        """Publish diagnostics for ``uri`` after ``delay``, replacing any check not yet done."""
        previous = self.pending.pop(uri, None)
        if previous is not None:
            previous.cancel()
        task = asyncio.create_task(self._publish_later(uri, delay))
        self.pending[uri] = task

    async def _publish_later(self, uri: str, delay: float) -> None:
        try:
            await asyncio.sleep(delay)
            await self.publish(uri)
        finally:
            if self.pending.get(uri) is asyncio.current_task():
                del self.pending[uri]

    def close(self, uri: str) -> None:
        previous = self.pending.pop(uri, None)
        if previous is not None:
            previous.cancel()
        self.analyses.pop(uri, None)
        self.fix_all_results.pop(uri, None)
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    def workspace_edit(self, document: TextDocument, edits: list[types.TextEdit]) -> types.WorkspaceEdit:
        """Edits of ``document`` as it is now (callers check the analysed text is still current)."""
        capabilities = self.client_capabilities.workspace
        workspace_edit = capabilities.workspace_edit if capabilities else None
        if workspace_edit is not None and workspace_edit.document_changes:
            # Versioned: the client refuses the edit if the document changed since.
            identifier = types.OptionalVersionedTextDocumentIdentifier(uri=document.uri, version=document.version)
            return types.WorkspaceEdit(
                document_changes=[types.TextDocumentEdit(text_document=identifier, edits=list(edits))]
            )
        return types.WorkspaceEdit(changes={document.uri: edits})

    def quick_fix(
        self, document: TextDocument, analysis: Analysis, wanted: types.Diagnostic, positions: Positions
    ) -> Optional[types.CodeAction]:
        fix = self._fix_for(analysis, wanted, positions)
        if fix is None:
            return None
        return types.CodeAction(
            title=f"{wanted.code}: {fix.description}" + ("" if fix.safe else " (unsafe)"),
            kind=types.CodeActionKind.QuickFix,
            diagnostics=[wanted],
            is_preferred=True if fix.safe else None,
            edit=self.workspace_edit(document, [positions.text_edit(edit) for edit in fix.edits]),
        )

    @staticmethod
    def _fix_for(analysis: Analysis, wanted: types.Diagnostic, positions: Positions) -> Optional[Fix]:
        """The fix of our diagnostic that the client echoes back: same code and start; or, when
        the client rebuilt the start itself (Neovim 0.7 sends byte columns), the only one on its line."""
        same_line = [
            diagnostic for diagnostic in analysis.diagnostics
            if diagnostic.fix is not None and diagnostic.code == wanted.code
            and diagnostic.line == wanted.range.start.line + 1
        ]
        for diagnostic in same_line:
            if positions.to_lsp(diagnostic.line, diagnostic.column) == wanted.range.start:
                return diagnostic.fix
        return same_line[0].fix if len(same_line) == 1 else None

    async def fix_all(self, document: TextDocument, analysis: Analysis) -> Optional[types.CodeAction]:
        settings = analysis.settings
        if settings is None:
            return None
        unsafe = settings.unsafe_fixes
        if not any(d.fix is not None and (d.fix.safe or unsafe) for d in analysis.diagnostics):
            return None
        cached = self.fix_all_results.get(document.uri)
        body = without_bom(analysis.text)
        path = document.path if document.uri.startswith("file:") else None
        if cached is not None and cached[0] == analysis.text:
            fixed = cached[1]
        else:
            fixed = await self.in_worker(
                document.uri,
                lambda: fix_source(body, settings.targets, settings.rules, unsafe=unsafe, path=path).source,
                body,
            )
            self.fix_all_results[document.uri] = (analysis.text, fixed)
        if fixed == body:
            return None
        # One edit from the first changed character to the last: the rest of the buffer (and the
        # cursor, in most editors) stays put.
        edit = difference(SourceLines(body), fixed)
        positions = Positions(analysis.text, self.encoding)
        return types.CodeAction(
            title="Fix all asyncloop problems" + (" (including unsafe fixes)" if unsafe else ""),
            kind=FIX_ALL_KIND,
            edit=self.workspace_edit(document, [positions.text_edit(edit)]),
        )

    async def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction]:
        uri = params.text_document.uri
        if uri not in self.workspace.text_documents:
            return []
        document = self.workspace.get_text_document(uri)
        analysis = await self.run_in_worker(document, fixes=True)
        positions = Positions(analysis.text, self.encoding)
        only = params.context.only
        actions: list[types.CodeAction] = []
        if _kind_requested(types.CodeActionKind.QuickFix, only):
            for wanted in params.context.diagnostics:
                if wanted.source in (SOURCE, None):
                    action = self.quick_fix(document, analysis, wanted, positions)
                    if action is not None:
                        actions.append(action)
        if _kind_requested(FIX_ALL_KIND, only):
            action = await self.fix_all(document, analysis)
            if action is not None:
                actions.append(action)
        if uri not in self.workspace.text_documents or self.workspace.get_text_document(uri).source != analysis.text:
            return []  # the document changed meanwhile: these edits are for a text that is gone
        return actions


def build_server() -> AsyncLoopServer:
    server = AsyncLoopServer()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: AsyncLoopServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: AsyncLoopServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, DEBOUNCE_SECONDS)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: AsyncLoopServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.close(params.text_document.uri)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.SourceFixAll, FIX_ALL_KIND]
        ),
    )
    async def code_action(ls: AsyncLoopServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        return await ls.code_actions(params)

    return server


def serve() -> None:
    """Serve one client over standard input and output until it exits."""
    build_server().start_io()
