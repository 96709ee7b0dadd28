"""No silent failure: when the engine fails on a file (a bug, not a problem in the file), every
adapter says so in its results, as ELP900, and counts it as a failure; the traceback still goes
to standard error (the language server's to its log).

The failure is forced as a bug would happen (``tests/engine_failure.py``), through the real
flake8, command, libcst.tool and language server processes, as users run them.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Optional

import pytest
from lsprotocol import types
from pygls.lsp.client import LanguageClient

from flake8_asyncloop import cli, config, docs
from flake8_asyncloop.engine import internal
from flake8_asyncloop.engine.analysis import ModuleAnalysis
from flake8_asyncloop.engine.internal import RAISE_VARIABLE, internal_error_message
from tests import engine_failure
from tests.engine_failure import MARKER, REASON
from tests.test_cli import FIXABLE, FIXED

# Fixable (the loop is never installed), were the engine to get that far.
BROKEN = (
    "import asyncio\n"
    "\n"
    f"loop = asyncio.new_event_loop()  # {MARKER}\n"
    "asyncio.ensure_future(work())\n"
    "loop.run_forever()\n"
)
ELP900 = f"ELP900 {internal_error_message(RuntimeError(REASON))}"
FIXABLE_DIAGNOSTIC = "5:12: ELP102 event loop 'loop' is never installed"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    directory = tmp_path / "project"
    directory.mkdir()
    (directory / "broken.py").write_text(BROKEN)
    (directory / "good.py").write_text(FIXABLE)
    return directory


@pytest.fixture
def environment(tmp_path: Path) -> dict[str, str]:
    return engine_failure.environment(tmp_path / "site")


def run(
    *args: str, cwd: Path, env: dict[str, str], stdin: Optional[bytes] = None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", *args], cwd=cwd, env=env, input=stdin, capture_output=True)


def assert_traceback(stderr: str, where: str) -> None:
    assert f"flake8-asyncloop: internal error on {where}\nTraceback (most recent call last):" in stderr
    assert f"RuntimeError: {REASON}" in stderr


def test_flake8_reports_the_failure_on_the_file_and_exits_1(project: Path, environment: dict[str, str]) -> None:
    result = run("flake8", "--select", "ELP", "broken.py", "good.py", cwd=project, env=environment)
    assert result.returncode == 1
    broken, good = result.stdout.decode().splitlines()
    assert broken == f"broken.py:1:1: {ELP900}"
    assert good.startswith(f"good.py:{FIXABLE_DIAGNOSTIC}")  # the other files are checked as usual
    assert_traceback(result.stderr.decode(), "broken.py")

    # Selecting other codes hides it, as any code (docs/rules.md says so): the traceback is left.
    result = run("flake8", "--select", "ELP1", "broken.py", cwd=project, env=environment)
    assert result.returncode == 0 and result.stdout == b""
    assert_traceback(result.stderr.decode(), "broken.py")


def test_check_lists_it_counts_the_file_as_failed_and_exits_1(project: Path, environment: dict[str, str]) -> None:
    for name in ("good2.py", "good3.py"):
        (project / name).write_text(FIXABLE)
    # Two jobs and four files: the reports come back from worker processes.
    files = ["broken.py", "good.py", "good2.py", "good3.py"]
    result = run("flake8_asyncloop", "check", "--jobs", "2", *files, cwd=project, env=environment)
    assert result.returncode == 1
    lines = result.stdout.decode().splitlines()
    assert lines[0] == f"broken.py:1:1: {ELP900}"
    assert len(lines) == 4
    for name, line in zip(files[1:], lines[1:]):
        assert line.startswith(f"{name}:{FIXABLE_DIAGNOSTIC}")
    stderr = result.stderr.decode()
    assert_traceback(stderr, "broken.py")
    assert stderr.splitlines()[-1] == (
        "4 files checked, 3 diagnostics (3 fixable with fix), 1 file failed (internal error)"
    )


def test_fix_leaves_the_file_and_fixes_the_others(project: Path, environment: dict[str, str]) -> None:
    result = run("flake8_asyncloop", "fix", "broken.py", "good.py", cwd=project, env=environment)
    assert result.returncode == 1
    assert result.stdout.decode() == f"broken.py:1:1: {ELP900}\n"
    assert (project / "broken.py").read_text() == BROKEN
    assert (project / "good.py").read_text() == FIXED
    stderr = result.stderr.decode()
    assert_traceback(stderr, "broken.py")
    assert stderr.splitlines()[-1] == "2 files checked, 1 fixed, 0 remaining, 1 file failed (internal error)"


def test_standard_input_comes_back_unchanged(project: Path, environment: dict[str, str]) -> None:
    """An editor's buffer, piped through ``fix -``, is never blanked: the input comes back as it was."""
    for mode in ("fix", "check"):
        result = run(
            "flake8_asyncloop", mode, "--stdin-filename", "src/app.py", "-",
            cwd=project, env=environment, stdin=BROKEN.encode(),
        )
        assert result.returncode == 1
        stderr = result.stderr.decode()
        assert_traceback(stderr, "src/app.py")
        if mode == "fix":
            assert result.stdout == BROKEN.encode()
            assert f"\nsrc/app.py:1:1: {ELP900}\n" in stderr  # standard output is for the code
            assert stderr.splitlines()[-1] == "1 file checked, 0 fixed, 0 remaining, 1 file failed (internal error)"
        else:
            assert result.stdout.decode() == f"src/app.py:1:1: {ELP900}\n"
            assert stderr.splitlines()[-1] == "1 file checked, 0 diagnostics, 1 file failed (internal error)"


@pytest.fixture
def failing_engine(project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The engine failing in this process, with internal errors reported as for users."""
    monkeypatch.setattr(ModuleAnalysis, "__init__", engine_failure.failing(ModuleAnalysis.__init__))
    monkeypatch.delenv(RAISE_VARIABLE, raising=False)
    monkeypatch.chdir(project)
    return project


def check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(["check", "--jobs", "1", *args, "broken.py", "good.py"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("format_name", ["text", "concise", "github"])
def test_every_streamed_format_shows_it(
    failing_engine: Path, capsys: pytest.CaptureFixture[str], format_name: str
) -> None:
    code, printed, errors = check(capsys, "--output-format", format_name)
    assert code == 1
    first = printed.splitlines()[0]
    if format_name == "github":
        assert first == f"::error file=broken.py,line=1,col=1,title=ELP900::{ELP900}"
    else:
        assert first == f"broken.py:1:1: {ELP900}"
    assert errors.endswith("2 files checked, 1 diagnostic (1 fixable with fix), 1 file failed (internal error)\n")


def test_json_shows_it(failing_engine: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, printed, _ = check(capsys, "--output-format", "json")
    records = json.loads(printed)
    assert code == 1 and records[0] == {
        "filename": "broken.py",
        "line": 1,
        "column": 1,
        "end_line": 1,  # about the file, at its start: no code to end at
        "end_column": 1,
        "code": "ELP900",
        "name": "internal-error",
        "message": ELP900[len("ELP900 "):],
        "fix": None,
    }
    assert [record["code"] for record in records[1:]] == ["ELP102"]


def test_sarif_shows_it_and_stays_valid(failing_engine: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.test_output import _validate_sarif

    code, printed, _ = check(capsys, "--output-format", "sarif")
    log: Any = json.loads(printed)
    _validate_sarif(log)
    run_ = log["runs"][0]
    failure, problem = run_["results"]
    assert code == 1 and (failure["ruleId"], failure["level"], failure["message"]["text"]) == (
        "ELP900", "error", ELP900[len("ELP900 "):]
    )
    assert failure["locations"][0]["physicalLocation"]["region"] == {"startLine": 1, "startColumn": 1}
    assert problem["ruleId"] == "ELP102"
    (invocation,) = run_["invocations"]
    assert invocation["executionSuccessful"] is False
    (notification,) = invocation["toolExecutionNotifications"]
    assert notification["descriptor"]["id"] == run_["tool"]["driver"]["notifications"][0]["id"] == "ELP900"
    assert notification["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "broken.py"


def test_deselecting_it_hides_the_line_never_the_failure(
    failing_engine: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, printed, errors = check(capsys, "--select", "ELP1")
    assert code == 1
    assert [line.split(" ")[0] for line in printed.splitlines()] == ["good.py:5:12:"]
    assert_traceback(errors, "broken.py")
    assert errors.endswith(", 1 file failed (internal error)\n")
    code, printed, _ = check(capsys, "--ignore", "ELP900", "--output-format", "sarif")
    log = json.loads(printed)
    assert [result["ruleId"] for result in log["runs"][0]["results"]] == ["ELP102"]
    assert code == 1 and log["runs"][0]["invocations"][0]["executionSuccessful"] is False


def test_libcst_tool_counts_it_as_failed(project: Path, environment: dict[str, str]) -> None:
    result = run(
        "libcst.tool", "codemod", "-x", "flake8_asyncloop.codemod.FixEventLoops", "--no-format", "--hide-progress",
        "broken.py", "good.py", cwd=project, env=environment,
    )
    assert result.returncode == 1
    stderr = result.stderr.decode()
    assert f"flake8_asyncloop.codemod.EngineFailure: {ELP900}\n" in stderr
    assert f"RuntimeError: {REASON}" in stderr  # the engine's own traceback, as its cause
    assert " - Transformed 1 files successfully." in stderr
    assert " - Failed to codemod 1 files." in stderr
    assert (project / "broken.py").read_text() == BROKEN
    assert (project / "good.py").read_text() == FIXED


async def _server_session(path: Path, environment: dict[str, str]) -> tuple[types.PublishDiagnosticsParams, list[str]]:
    client = LanguageClient("flake8-asyncloop-test", "1")
    published: asyncio.Queue[types.PublishDiagnosticsParams] = asyncio.Queue()
    logged: list[str] = []

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_diagnostics(params: types.PublishDiagnosticsParams) -> None:
        published.put_nowait(params)

    @client.feature(types.WINDOW_LOG_MESSAGE)
    def on_log(params: types.LogMessageParams) -> None:
        if params.type == types.MessageType.Error:
            logged.append(params.message)

    await client.start_io(sys.executable, "-m", "flake8_asyncloop", "server", env=environment)
    try:
        await client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities()))
        client.initialized(types.InitializedParams())
        item = types.TextDocumentItem(uri=path.as_uri(), language_id="python", version=1, text=path.read_text())
        client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=item))
        params = await asyncio.wait_for(published.get(), timeout=60)
        await client.shutdown_async(None)  # answered after every message sent before it
        client.exit(None)
    finally:
        await client.stop()
    return params, logged


def test_language_server_shows_an_error_on_the_document(project: Path, environment: dict[str, str]) -> None:
    params, logged = asyncio.run(_server_session(project / "broken.py", environment))
    (diagnostic,) = params.diagnostics
    assert (diagnostic.code, diagnostic.severity, diagnostic.source) == (
        "ELP900", types.DiagnosticSeverity.Error, "flake8-asyncloop"
    )
    assert diagnostic.message == internal_error_message(RuntimeError(REASON), "in the language server's log")
    first_line = BROKEN.splitlines()[0]
    assert diagnostic.range == types.Range(types.Position(0, 0), types.Position(0, len(first_line)))
    (log,) = logged
    assert log.startswith(f"flake8-asyncloop: internal error on {params.uri}\nTraceback")
    assert f"RuntimeError: {REASON}" in log


def test_the_message_is_one_short_line() -> None:
    assert internal_error_message(RuntimeError(REASON)) == (
        f"flake8-asyncloop internal error (RuntimeError: {REASON}); please report it, with the traceback on "
        "standard error, to the flake8-asyncloop issue tracker"
    )
    message = internal_error_message(ValueError("first line\n  second line " + "x" * 200))
    assert "\n" not in message and "(ValueError: first line second line xxx" in message
    assert "xxx...); please report it" in message and len(message) < 250
    assert internal_error_message(KeyError()).startswith("flake8-asyncloop internal error (KeyError); ")


def test_a_declared_issue_tracker_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    class Metadata:
        @staticmethod
        def get_all(name: str) -> list[str]:
            assert name == "Project-URL"
            return ["Documentation, https://example.org/docs", "Bug Tracker, https://example.org/issues"]

    monkeypatch.setattr(internal, "metadata", lambda distribution: Metadata())
    assert internal_error_message(RuntimeError(REASON)).endswith("to https://example.org/issues")
    assert docs.published_rules_url() == "https://example.org/docs/rules.md"


def test_the_code_is_known_and_explained(capsys: pytest.CaptureFixture[str]) -> None:
    assert config.validate_codes(["ELP900", "elp9"], "--select") == ("ELP900", "ELP9")
    assert cli.main(["explain", "elp900"]) == 0
    printed = capsys.readouterr().out
    assert printed == docs.explain_internal_error() and printed.startswith("ELP900 internal-error\n")
    page = docs.rules_page()
    assert f"(#{docs.INTERNAL_ERROR_ANCHOR})" in page and "\n## ELP900: internal-error\n" in page
