"""The language server on every Python, driven by pygls's own client.

tests/test_server.py covers the server in depth with pytest-lsp, which needs Python 3.10; this
test needs only pygls (the ``lsp`` extra, which supports 3.9), so the real server process is
exercised on every Python the project declares: start, open a document, get its diagnostics.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

SOURCE = """\
import asyncio


async def handler():
    loop = asyncio.get_event_loop()
    return loop
"""


async def _diagnostics_of(path: Path) -> list[types.Diagnostic]:
    client = LanguageClient("flake8-asyncloop-test", "1")
    published: asyncio.Queue[types.PublishDiagnosticsParams] = asyncio.Queue()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_diagnostics(params: types.PublishDiagnosticsParams) -> None:
        published.put_nowait(params)

    await client.start_io(sys.executable, "-m", "flake8_asyncloop", "server", "--stdio")
    try:
        await client.initialize_async(
            types.InitializeParams(capabilities=types.ClientCapabilities(), root_uri=path.parent.as_uri())
        )
        client.initialized(types.InitializedParams())
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=path.as_uri(), language_id="python", version=1, text=path.read_text(encoding="utf-8")
                )
            )
        )
        params = await asyncio.wait_for(published.get(), timeout=60)
        assert params.uri == path.as_uri()
        await client.shutdown_async(None)
        client.exit(None)
    finally:
        await client.stop()
    return list(params.diagnostics)


def test_server_publishes_diagnostics(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.flake8-asyncloop]\ntarget-version = ">=3.9"\n', encoding="utf-8")
    document = tmp_path / "handler.py"
    document.write_text(SOURCE, encoding="utf-8")
    diagnostics = asyncio.run(_diagnostics_of(document))
    assert [(d.code, d.range.start.line, d.range.start.character) for d in diagnostics] == [("ELP104", 4, 11)]
    assert diagnostics[0].message.startswith("asyncio.get_event_loop() inside a coroutine")
    assert diagnostics[0].source == "flake8-asyncloop"
