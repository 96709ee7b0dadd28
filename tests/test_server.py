"""The language server, end to end: the real ``flake8-asyncloop server`` process over stdio, driven by
pytest-lsp's client as an editor drives it."""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path
from typing import AsyncIterator, Optional, Sequence

import pytest
from lsprotocol import types

from flake8_asyncloop import cli
from flake8_asyncloop.engine.text import SourceLines, difference
from flake8_asyncloop.engine.fixer import fix_source
from flake8_asyncloop.engine.versions import parse_target_versions
from flake8_asyncloop.rules import ALL_RULES
from flake8_asyncloop.server import FIX_ALL_KIND, SOURCE, Positions

# pytest-lsp needs Python 3.10 (on 3.9, tests/test_server_stdio.py drives the server with pygls).
pytest_lsp = pytest.importorskip("pytest_lsp", reason="pytest-lsp needs Python 3.10 or later")
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities  # noqa: E402

TARGETS = ">=3.9"
PYPROJECT = f'[tool.flake8-asyncloop]\ntarget-version = "{TARGETS}"\n'

# ELP104 and ELP106, both with safe fixes; the emoji makes UTF-16 columns differ from characters.
SAFE_FIXABLE = '''\
import asyncio


async def handler():
    label = "😀é"; loop = asyncio.get_event_loop()
    return loop


def main(loop):
    asyncio.get_child_watcher().attach_loop(loop)
    loop.run_forever()
'''


SERVER = ClientServerConfig(server_command=[sys.executable, "-m", "flake8_asyncloop", "server", "--stdio"])
# One server for the module (starting one costs about a second); each test has its own documents.
in_module_loop = pytest.mark.asyncio(loop_scope="module")


@pytest_lsp.fixture(config=SERVER, scope="module")
async def client(lsp_client: LanguageClient) -> AsyncIterator[None]:
    await lsp_client.initialize_session(
        types.InitializeParams(capabilities=client_capabilities("visual-studio-code"))
    )
    yield
    await lsp_client.shutdown_session()


def _utf16_index(line: str, units: int) -> int:
    """The character index of a UTF-16 column, the way an editor counts (independent of the server)."""
    count = 0
    for index, character in enumerate(line):
        if count >= units:
            return index
        count += 2 if ord(character) > 0xFFFF else 1
    return len(line)


def _offset(text: str, position: types.Position) -> int:
    starts = [0] + [match.end() for match in re.finditer(r"\r\n|\r|\n", text)]
    start = starts[position.line]
    end = starts[position.line + 1] if position.line + 1 < len(starts) else len(text)
    return start + _utf16_index(text[start:end].rstrip("\r\n"), position.character)


def apply(text: str, edits: Sequence[types.TextEdit]) -> str:
    spans = [(_offset(text, edit.range.start), _offset(text, edit.range.end), edit.new_text) for edit in edits]
    for start, end, new_text in sorted(spans, reverse=True):
        text = text[:start] + new_text + text[end:]
    return text


def edits_of(action: types.CodeAction, uri: str) -> list[types.TextEdit]:
    assert action.edit is not None and action.edit.document_changes, "VS Code's client takes versioned edits"
    (change,) = action.edit.document_changes
    assert isinstance(change, types.TextDocumentEdit) and change.text_document.uri == uri
    return [edit for edit in change.edits if isinstance(edit, types.TextEdit)]


class Editor:
    """One document in the client: open, change, and wait for the server's diagnostics."""

    def __init__(self, client: LanguageClient, path: Path, text: str) -> None:
        self.client = client
        self.uri = path.as_uri()
        self.text = text
        self.version = 1
        path.write_text(text, encoding="utf-8")

    async def open(self) -> list[types.Diagnostic]:
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                types.TextDocumentItem(uri=self.uri, language_id="python", version=self.version, text=self.text)
            )
        )
        return await self.diagnostics()

    def change(self, text: str) -> None:
        self.text = text
        self.version += 1
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=self.uri, version=self.version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )

    async def diagnostics(self) -> list[types.Diagnostic]:
        """The next diagnostics published for this document (and for the version the client has)."""
        while True:
            params: types.PublishDiagnosticsParams = await asyncio.wait_for(
                self.client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), 20
            )
            if params.uri == self.uri:
                assert params.version in (None, self.version)
                return list(params.diagnostics)

    async def code_actions(
        self, diagnostics: Sequence[types.Diagnostic], only: Optional[list[str]] = None
    ) -> list[types.CodeAction]:
        everything = types.Range(types.Position(0, 0), types.Position(len(self.text.splitlines()), 0))
        result = await self.client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(self.uri),
                range=diagnostics[0].range if diagnostics else everything,
                context=types.CodeActionContext(diagnostics=list(diagnostics), only=only),
            )
        )
        return [action for action in result or [] if isinstance(action, types.CodeAction)]


def _no_errors_logged(client: LanguageClient) -> None:
    errors = [m.message for m in client.log_messages + client.messages if m.type == types.MessageType.Error]
    assert not errors


@in_module_loop
async def test_diagnostics_quick_fixes_and_a_clean_document(client: LanguageClient, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    editor = Editor(client, tmp_path / "app.py", SAFE_FIXABLE)
    diagnostics = await editor.open()
    assert [(d.code, d.source, d.range.start.line) for d in diagnostics] == [
        ("ELP104", SOURCE, 4), ("ELP106", SOURCE, 9)
    ]
    elp104 = diagnostics[0]
    # "😀" is two UTF-16 code units: the UTF-16 column is one more than the character column.
    start = SAFE_FIXABLE.splitlines()[4].index("asyncio.get_event_loop") + 1
    # The whole call, as JSON and SARIF give it.
    assert elp104.range == types.Range(
        types.Position(4, start), types.Position(4, start + len("asyncio.get_event_loop()"))
    )

    # One quick fix per diagnostic, with exactly that rule's edits; applied one after the other.
    for expected_code in ("ELP104", "ELP106"):
        (diagnostic,) = [d for d in diagnostics if d.code == expected_code]
        (action,) = await editor.code_actions([diagnostic], only=[types.CodeActionKind.QuickFix])
        assert action.kind == types.CodeActionKind.QuickFix and action.is_preferred
        assert action.title.startswith(f"{expected_code}: ") and "(unsafe)" not in action.title
        editor.change(apply(editor.text, edits_of(action, editor.uri)))
        diagnostics = await editor.diagnostics()
        assert expected_code not in [d.code for d in diagnostics]
    assert diagnostics == []
    assert "asyncio.get_running_loop()" in editor.text and "get_child_watcher" not in editor.text
    assert editor.text == fix_source(SAFE_FIXABLE, parse_target_versions(TARGETS), ALL_RULES).source
    _no_errors_logged(client)


@in_module_loop
async def test_fix_all_source_action(client: LanguageClient, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    editor = Editor(client, tmp_path / "app.py", SAFE_FIXABLE)
    assert len(await editor.open()) == 2
    for only in ([FIX_ALL_KIND], [types.CodeActionKind.SourceFixAll], [types.CodeActionKind.Source]):
        (action,) = await editor.code_actions([], only=only)
        assert action.kind == FIX_ALL_KIND
    assert await editor.code_actions([], only=[types.CodeActionKind.Refactor]) == []
    editor.change(apply(editor.text, edits_of(action, editor.uri)))
    assert await editor.diagnostics() == []
    assert editor.text == fix_source(SAFE_FIXABLE, parse_target_versions(TARGETS), ALL_RULES).source
    assert await editor.code_actions([], only=[FIX_ALL_KIND]) == []  # nothing left to fix
    _no_errors_logged(client)


@in_module_loop
async def test_unsafe_fix_is_marked_and_not_preferred(client: LanguageClient, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    editor = Editor(client, tmp_path / "app.py", "import asyncio\n\nloop = asyncio.SelectorEventLoop()\n")
    (diagnostic,) = [d for d in await editor.open() if d.code == "ELP100"]
    (action,) = await editor.code_actions([diagnostic])
    assert action.title.endswith("(unsafe)") and not action.is_preferred
    # Fix-all applies safe fixes only, as the command does without unsafe-fixes: nothing to offer.
    assert await editor.code_actions([], only=[FIX_ALL_KIND]) == []


@in_module_loop
async def test_noqa_and_configuration_are_honoured(client: LanguageClient, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT + 'ignore = ["ELP106"]\n')
    text = SAFE_FIXABLE.replace("asyncio.get_event_loop()", "asyncio.get_event_loop()  # noqa: ELP104")
    editor = Editor(client, tmp_path / "app.py", text)
    assert await editor.open() == []
    editor.change(text.replace("  # noqa: ELP104", ""))
    assert [d.code for d in await editor.diagnostics()] == ["ELP104"]
    _no_errors_logged(client)


class PublishRecorder(dict[str, Sequence[types.Diagnostic]]):
    """Stands in for the client's diagnostics store, to see every publication, not only the last."""

    def __init__(self) -> None:
        super().__init__()
        self.published: list[tuple[str, Sequence[types.Diagnostic]]] = []

    def __setitem__(self, uri: str, diagnostics: Sequence[types.Diagnostic]) -> None:
        self.published.append((uri, diagnostics))
        super().__setitem__(uri, diagnostics)


@in_module_loop
async def test_a_burst_of_changes_is_checked_once_for_the_last_version(
    client: LanguageClient, tmp_path: Path
) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    editor = Editor(client, tmp_path / "app.py", "import asyncio\n")
    assert await editor.open() == []
    recorder = PublishRecorder()
    client.diagnostics, everything_published = recorder, client.diagnostics
    # Ten edits 50 ms apart, each a complete program whose problem is on another line; each alone is
    # analysed well within 50 ms, so without the debounce early versions would be published too.
    for blank_lines in range(10):
        editor.change("import asyncio\n" + "\n" * blank_lines + "async def f():\n    return asyncio.get_event_loop()\n")
        await asyncio.sleep(0.05)
    final_line = 1 + 9 + 1
    for _ in range(200):  # up to 10 s for the last version's diagnostics
        if any(d.range.start.line == final_line for _, published in recorder.published for d in published):
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.8)  # and nothing else is on its way
    client.diagnostics = everything_published
    ours = [published for uri, published in recorder.published if uri == editor.uri]
    assert [[(d.code, d.range.start.line) for d in published] for published in ours] == [
        [("ELP104", final_line)]
    ]


@in_module_loop
async def test_close_clears_and_broken_configuration_is_one_message(client: LanguageClient, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.flake8-asyncloop]\nselect = ["XYZ9"]\n')
    editor = Editor(client, tmp_path / "app.py", SAFE_FIXABLE)
    shown_before = len(client.messages)
    assert await editor.open() == []
    (message,) = client.messages[shown_before:]
    assert message.type == types.MessageType.Error and "unknown rule code 'XYZ9'" in message.message
    client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(editor.uri)))
    assert await editor.diagnostics() == []


@in_module_loop
async def test_unsaved_document_without_a_file(client: LanguageClient) -> None:
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri="untitled:Untitled-1", language_id="python", version=1,
                                   text="import asyncio\nasync def f():\n    asyncio.get_event_loop()\n")
        )
    )
    while True:
        params = await asyncio.wait_for(client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), 20)
        if params.uri == "untitled:Untitled-1":
            break
    assert [d.code for d in params.diagnostics] == ["ELP104"]


def test_positions_in_every_negotiated_encoding() -> None:
    text = "\ufeffx = '😀é'; y\n"
    column = text.index("y") - 1  # engine columns are counted after the byte-order mark
    # Before "y": the BOM, "x = '", the emoji (2 UTF-16 units, 4 UTF-8 bytes), "é" (2 bytes), "'; ".
    assert Positions(text, types.PositionEncodingKind.Utf16).to_lsp(1, column) == types.Position(0, 1 + 5 + 2 + 1 + 3)
    assert Positions(text, types.PositionEncodingKind.Utf8).to_lsp(1, column) == types.Position(0, 3 + 5 + 4 + 2 + 3)
    assert Positions(text, types.PositionEncodingKind.Utf32).to_lsp(1, column) == types.Position(0, 1 + 5 + 1 + 1 + 3)


def test_whole_text_edit_is_the_changed_span() -> None:
    old, new = "a\nbcd\ne\n", "a\nbXd\ne\n"
    edit = difference(SourceLines(old), new)
    assert (edit.start_line, edit.start_column, edit.end_line, edit.end_column, edit.text) == (2, 1, 2, 2, "X")


def test_server_without_pygls_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delitem(sys.modules, "flake8_asyncloop.server", raising=False)
    monkeypatch.setitem(sys.modules, "lsprotocol", None)  # as if the [lsp] extra were not installed
    assert cli.main(["server"]) == cli.EXIT_ERROR
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "pip install 'flake8-asyncloop[lsp]'" in error
