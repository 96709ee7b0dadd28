"""``check --output-format`` (text, concise, json, sarif, github), --statistics, --show-source,
--show-fixes, --verbose and the progress bar."""

from __future__ import annotations

import io
import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from flake8_asyncloop import cli, output
from flake8_asyncloop.docs import anchor
from flake8_asyncloop.engine.diagnostics import Diagnostic, Edit
from flake8_asyncloop.engine.text import apply_edits
from flake8_asyncloop.rules import ALL_RULES
from tests.test_cli import UNFIXABLE

FIXABLE = "import asyncio\n\n\nasync def main():\n    loop = asyncio.get_event_loop()  # keep\n    return loop\n"
FIXED = FIXABLE.replace("get_event_loop", "get_running_loop")
SARIF_SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A directory with a fixable problem (ELP104, safe fix) and an unfixable one (ELP101)."""
    (tmp_path / "a.py").write_text(FIXABLE)
    (tmp_path / "b.py").write_text(UNFIXABLE)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(["check", "--jobs", "1", "--select", "ELP101,ELP104", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def command(*args: str, cwd: Path, env: dict[str, str], stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "flake8_asyncloop", *args], cwd=cwd, env=env, input=stdin, capture_output=True
    )
    return subprocess.CompletedProcess(result.args, result.returncode, result.stdout.decode(), result.stderr.decode())


def plain_environment(**variables: str) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if key not in ("NO_COLOR", "FORCE_COLOR")}
    return {**environment, **variables}


def test_text_is_the_flake8_line_and_concise_the_same(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, text, _ = run(capsys, "a.py", "b.py")
    assert code == 1
    assert [line[:17] for line in text.splitlines()] == ["a.py:5:12: ELP104", "b.py:5:5: ELP101 "]
    assert run(capsys, "--output-format", "concise", "--show-source", "--show-fixes", "a.py", "b.py")[1] == text


def test_show_source_puts_a_caret_under_the_column(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "tabs.py").write_text("import asyncio\nasync def f():\n\tloop = asyncio.get_event_loop()\n")
    _, printed, _ = run(capsys, "--select", "ELP104", "--show-source", "tabs.py")
    assert printed.splitlines()[1:] == ["    \tloop = asyncio.get_event_loop()", "    \t       ^"]


def test_show_fixes_prints_the_fix_as_a_diff(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, printed, _ = run(capsys, "--show-fixes", "a.py", "b.py")
    lines = printed.splitlines()
    assert lines[1] == "    fix (safe): Use asyncio.get_running_loop()"
    assert lines[2:] == [
        "      @@ -4,3 +4,3 @@",
        "       async def main():",
        "      -    loop = asyncio.get_event_loop()  # keep",
        "      +    loop = asyncio.get_running_loop()  # keep",
        "           return loop",
        lines[-1],
    ]
    assert lines[-1].startswith("b.py:5:5: ELP101")  # no fix: nothing under it


def test_json(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, printed, _ = run(capsys, "--output-format", "json", "a.py", "b.py")
    records = json.loads(printed)
    assert code == 1 and [(r["filename"], r["line"], r["column"], r["code"]) for r in records] == [
        ("a.py", 5, 12, "ELP104"),
        ("b.py", 5, 5, "ELP101"),
    ]
    fix = records[0]["fix"]
    assert fix["safety"] == "safe" and records[1]["fix"] is None
    # The edits, read back with 1-based columns, rewrite the file to the fixed text.
    edits = [
        Edit(e["start"]["line"], e["start"]["column"] - 1, e["end"]["line"], e["end"]["column"] - 1, e["text"])
        for e in fix["edits"]
    ]
    assert apply_edits(FIXABLE, edits) == FIXED


def _validate_sarif(log: Any) -> None:
    formats = jsonschema.FormatChecker()
    assert {"uri", "uri-reference"} <= set(formats.checkers)  # rfc3986-validator, from the test extras
    jsonschema.Draft4Validator(SARIF_SCHEMA, format_checker=formats).validate(log)


def test_sarif_is_valid_and_carries_rules_and_fixes(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, printed, _ = run(capsys, "--output-format", "sarif", "a.py", "b.py")
    log = json.loads(printed)
    _validate_sarif(log)
    assert code == 1 and log["version"] == "2.1.0"
    run_ = log["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == [rule.code for rule in ALL_RULES]
    for descriptor, rule in zip(rules, ALL_RULES):
        assert descriptor["shortDescription"]["text"] == rule.summary
        assert descriptor["fullDescription"]["text"] == rule.why
        assert f"# {rule.code}: {rule.name}" in descriptor["help"]["markdown"]
    installed, thread = run_["results"]
    assert rules[installed["ruleIndex"]]["id"] == installed["ruleId"] == "ELP104"
    location = installed["locations"][0]["physicalLocation"]
    assert location == {
        "artifactLocation": {"uri": "a.py"},
        "region": {"startLine": 5, "startColumn": 12, "endLine": 5, "endColumn": 36},
    }
    assert "fixes" not in thread
    # The replacements (1-based columns, counted in code points) rewrite the file to the fixed text.
    (change,) = installed["fixes"][0]["artifactChanges"]
    assert change["artifactLocation"]["uri"] == "a.py"
    edits = [
        Edit(
            r["deletedRegion"]["startLine"],
            r["deletedRegion"]["startColumn"] - 1,
            r["deletedRegion"]["endLine"],
            r["deletedRegion"]["endColumn"] - 1,
            r["insertedContent"]["text"],
        )
        for r in change["replacements"]
    ]
    assert apply_edits(FIXABLE, edits) == FIXED


def test_sarif_without_results_and_with_help_uris_is_valid() -> None:
    log: Any = output.sarif_log([], documentation_url="https://example.org/flake8-asyncloop/docs/rules.md")
    _validate_sarif(log)
    descriptor = log["runs"][0]["tool"]["driver"]["rules"][0]
    assert descriptor["helpUri"] == f"https://example.org/flake8-asyncloop/docs/rules.md#{anchor(ALL_RULES[0])}"
    with pytest.raises(jsonschema.ValidationError):
        _validate_sarif({"version": "2.1.0", "runs": [{"results": []}]})  # no tool: the schema is enforced


def test_sarif_uris_of_odd_and_absolute_paths(tmp_path: Path) -> None:
    assert output.artifact_uri("src/my module.py") == "src/my%20module.py"
    absolute = tmp_path / "x.py"
    assert output.artifact_uri(str(absolute)) == absolute.as_uri()


def test_github_annotations_escape_their_properties_and_message() -> None:
    diagnostic = Diagnostic(3, 4, "ELP101", "100% wrong,\nreally: yes")
    assert output.render_github("dir,1/a:b.py", diagnostic) == (
        "::error file=dir%2C1/a%3Ab.py,line=3,col=5,title=ELP101::ELP101 100%25 wrong,%0Areally: yes"
    )


def test_github_format(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, printed, _ = run(capsys, "--output-format", "github", "a.py")
    assert printed == (
        "::error file=a.py,line=5,col=12,title=ELP104::ELP104 asyncio.get_event_loop() inside a coroutine: "
        "use asyncio.get_running_loop(), which returns the running loop and never creates one\n"
    )


def test_statistics(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "c.py").write_text(FIXABLE)
    code, printed, err = run(capsys, "--statistics", ".")
    assert code == 1
    assert printed == "2  ELP104  get-event-loop-in-coroutine\n1  ELP101  get-event-loop-in-worker-thread\n"
    assert "3 files checked, 3 diagnostics" in err
    _, printed, _ = run(capsys, "--statistics", "--output-format", "json", ".")
    assert json.loads(printed) == [
        {"code": "ELP104", "name": "get-event-loop-in-coroutine", "count": 2},
        {"code": "ELP101", "name": "get-event-loop-in-worker-thread", "count": 1},
    ]
    code, printed, err = run(capsys, "--statistics", "--output-format", "sarif", ".")
    assert code == 2 and printed == "" and err.count("\n") == 1


def test_verbose_prints_a_line_per_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "broken.py").write_text("def (:\n")
    _, _, err = run(capsys, "--verbose", ".")
    assert re.search(r"^a\.py: \d+ ms, 1 diagnostic$", err, re.MULTILINE)
    assert re.search(r"^broken\.py: \d+ ms, skipped$", err, re.MULTILINE)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_only_on_a_terminal_outside_ci() -> None:
    assert output.progress_wanted(_Terminal(), {})
    assert not output.progress_wanted(_Terminal(), {"CI": "true"})
    assert not output.progress_wanted(io.StringIO(), {})


def test_progress_bar_appears_once_the_run_is_long_enough(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    monkeypatch.setattr(output, "PROGRESS_DELAY_SECONDS", 0.0)
    with output.ProgressDisplay(total=3, enabled=True) as progress:
        for _ in range(3):
            progress.advance()
    assert "checking" in terminal.getvalue() and "3/3" in terminal.getvalue()
    quiet = _Terminal()
    monkeypatch.setattr("sys.stderr", quiet)
    with output.ProgressDisplay(total=3, enabled=False) as progress:
        progress.advance()
    assert quiet.getvalue() == ""


SPANNING = (
    "import asyncio\n"
    "\n"
    "\n"
    "class  Policy(asyncio.DefaultEventLoopPolicy):\n"
    "    pass\n"
    "\n"
    "\n"
    "async def main():\n"
    "    return asyncio.get_event_loop(\n"
    "    )\n"
)


def test_json_and_sarif_give_where_each_diagnostic_ends(tmp_path: Path) -> None:
    """A call from its first character to the one after its closing parenthesis, over lines; a
    class statement from ``class`` to the end of its name, not through its body."""
    (tmp_path / "a.py").write_text(SPANNING)
    result = command("check", "--output-format", "json", "a.py", cwd=tmp_path, env=plain_environment())
    records = json.loads(result.stdout)
    assert [(r["code"], r["line"], r["column"], r["end_line"], r["end_column"]) for r in records] == [
        ("ELP107", 4, 1, 4, 14),
        ("ELP104", 9, 12, 10, 6),
    ]
    # The keys before end_line and end_column came first, and stay.
    assert list(records[0]) == [
        "filename", "line", "column", "end_line", "end_column", "code", "name", "message", "fix"
    ]
    result = command("check", "--output-format", "sarif", "a.py", cwd=tmp_path, env=plain_environment())
    log = json.loads(result.stdout)
    _validate_sarif(log)
    assert [r["locations"][0]["physicalLocation"]["region"] for r in log["runs"][0]["results"]] == [
        {"startLine": 4, "startColumn": 1, "endLine": 4, "endColumn": 14},
        {"startLine": 9, "startColumn": 12, "endLine": 10, "endColumn": 6},
    ]


def test_every_format_carries_the_files_that_could_not_be_checked(tmp_path: Path) -> None:
    """A file that could not be parsed or decoded is an error line in text, and a result in every
    other format: the same files, where the syntax error is (else line 1), with the same reason."""
    (tmp_path / "a.py").write_text(FIXABLE)
    (tmp_path / "broken.py").write_text("import asyncio\ndef f(:\n")
    (tmp_path / "binary.py").write_bytes(b"x = '\xff'\n")
    files = ("a.py", "broken.py", "binary.py")
    parse_error = "cannot parse (line 2): invalid syntax"
    decode_error = "cannot decode: invalid or missing encoding declaration"
    errors = [f"broken.py: error: {parse_error}", f"binary.py: error: {decode_error}"]
    summary = "3 files checked, 1 diagnostic (1 fixable with fix), 2 skipped with errors"

    text = command("check", *files, cwd=tmp_path, env=plain_environment())
    assert (text.returncode, text.stdout, text.stderr.splitlines()) == (1, f"{PLAIN_ELP104}\n", [*errors, summary])

    github = command("check", "--output-format", "github", *files, cwd=tmp_path, env=plain_environment())
    assert github.returncode == 1 and github.stderr.splitlines() == [*errors, summary]
    assert github.stdout.splitlines() == [
        f"::error file=a.py,line=5,col=12,title=ELP104::ELP104 {ELP104_MESSAGE}",
        f"::error file=broken.py,line=2,col=7,title=file-not-checked::not checked: {parse_error}",
        f"::error file=binary.py,line=1,col=1,title=file-not-checked::not checked: {decode_error}",
    ]

    result = command("check", "--output-format", "json", *files, cwd=tmp_path, env=plain_environment())
    assert result.returncode == 1 and result.stderr.splitlines() == [*errors, summary]
    records = json.loads(result.stdout)
    assert [(r["filename"], r["line"], r["column"], r["code"], r["message"][:40]) for r in records] == [
        ("a.py", 5, 12, "ELP104", ELP104_MESSAGE[:40]),
        ("broken.py", 2, 7, None, f"not checked: {parse_error}"[:40]),
        ("binary.py", 1, 1, None, f"not checked: {decode_error}"[:40]),
    ]
    assert records[1] == {
        "filename": "broken.py",
        "line": 2,
        "column": 7,
        "end_line": 2,
        "end_column": 7,
        "code": None,
        "name": None,
        "message": f"not checked: {parse_error}",
        "fix": None,
    }

    result = command("check", "--output-format", "sarif", *files, cwd=tmp_path, env=plain_environment())
    assert result.returncode == 1 and result.stderr.splitlines() == [*errors, summary]
    log = json.loads(result.stdout)
    _validate_sarif(log)
    run_ = log["runs"][0]
    assert [
        (
            r["ruleId"],
            r["level"],
            r["message"]["text"][:40],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            r["locations"][0]["physicalLocation"]["region"]["startColumn"],
        )
        for r in run_["results"]
    ] == [
        ("ELP104", "error", ELP104_MESSAGE[:40], "a.py", 5, 12),
        ("file-not-checked", "error", f"not checked: {parse_error}"[:40], "broken.py", 2, 7),
        ("file-not-checked", "error", f"not checked: {decode_error}"[:40], "binary.py", 1, 1),
    ]
    (invocation,) = run_["invocations"]
    assert invocation["executionSuccessful"] is True  # the input's problem, not the tool's
    notifications = invocation["toolExecutionNotifications"]
    assert [n["message"]["text"] for n in notifications] == [
        f"not checked: {parse_error}", f"not checked: {decode_error}"
    ]
    assert notifications[0]["descriptor"] == {"id": "file-not-checked", "index": 1}
    assert notifications[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "broken.py"


# -- colour --------------------------------------------------------------------------------------

BOLD, CYAN, BOLD_RED, RESET = "\x1b[1m", "\x1b[36m", "\x1b[1;31m", "\x1b[0m"
COLON = f"{CYAN}:{RESET}"
ELP104_MESSAGE = (
    "asyncio.get_event_loop() inside a coroutine: use asyncio.get_running_loop(), which returns the running "
    "loop and never creates one"
)
COLOURED_ELP104 = f"{BOLD}a.py{RESET}{COLON}5{COLON}12{COLON} {BOLD_RED}ELP104{RESET} {ELP104_MESSAGE}"
PLAIN_ELP104 = f"a.py:5:12: ELP104 {ELP104_MESSAGE}"


def test_color_always_colours_text_and_concise_as_flake8_does(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(FIXABLE)
    for format_name in ("text", "concise"):
        result = command("check", "--color", "always", "--output-format", format_name, "a.py", cwd=tmp_path,
                         env=plain_environment())  # fmt: skip
        assert result.stdout == f"{COLOURED_ELP104}\n"
        assert result.stderr == "1 file checked, 1 diagnostic (1 fixable with fix)\n"  # the summary stays plain
    shown = command("check", "--color", "always", "--show-source", "a.py", cwd=tmp_path, env=plain_environment())
    assert shown.stdout.splitlines() == [
        COLOURED_ELP104, "        loop = asyncio.get_event_loop()  # keep", "               ^"
    ]
    # Machine formats never carry escapes.
    for format_name in ("json", "sarif", "github"):
        result = command("check", "--color", "always", "--output-format", format_name, "a.py", cwd=tmp_path,
                         env=plain_environment())  # fmt: skip
        assert "\x1b" not in result.stdout and "ELP104" in result.stdout, format_name


def test_fix_colours_what_is_left_where_it_goes(tmp_path: Path) -> None:
    """``fix -`` writes the code to standard output and what is left to standard error: the code
    never gets escapes, whatever --color says."""
    (tmp_path / "a.py").write_text(FIXABLE)
    fix = command("fix", "--color", "always", "--diff", "a.py", cwd=tmp_path, env=plain_environment())
    assert "\x1b" not in fix.stdout and fix.stdout.startswith("--- a.py\n")
    left = command("fix", "--color", "always", "--stdin-filename", "b.py", "-", cwd=tmp_path,
                   env=plain_environment(), stdin=UNFIXABLE.encode())  # fmt: skip
    assert left.stdout == UNFIXABLE
    assert left.stderr.startswith(f"{BOLD}b.py{RESET}{COLON}5{COLON}5{COLON} {BOLD_RED}ELP101{RESET} ")


@pytest.mark.parametrize(
    "args, variables, coloured",
    [
        ([], {}, False),  # a pipe
        ([], {"FORCE_COLOR": "1"}, True),
        ([], {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
        ([], {"NO_COLOR": ""}, False),  # empty: as if unset
        (["--color", "never"], {"FORCE_COLOR": "1"}, False),
        (["--color", "always"], {"NO_COLOR": "1"}, True),  # the option wins
        (["--color", "auto"], {"FORCE_COLOR": "1"}, True),
    ],
)
def test_color_options_and_environment(
    tmp_path: Path, args: list[str], variables: dict[str, str], coloured: bool
) -> None:
    (tmp_path / "a.py").write_text(FIXABLE)
    result = command("check", *args, "a.py", cwd=tmp_path, env=plain_environment(**variables))
    assert result.stdout == f"{COLOURED_ELP104 if coloured else PLAIN_ELP104}\n"


def _on_a_terminal(tmp_path: Path, env: dict[str, str]) -> str:
    """Standard output of ``check a.py`` when it is a terminal (a pseudo-terminal here)."""
    controller, terminal = pty.openpty()
    try:
        process = subprocess.run(
            [sys.executable, "-m", "flake8_asyncloop", "check", "a.py"], cwd=tmp_path, env=env,
            stdout=terminal, stderr=subprocess.DEVNULL, timeout=120,
        )  # fmt: skip
        assert process.returncode == 1
        os.close(terminal)
        terminal = -1
        data = b""
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the terminal's other end is closed: all is read
                break
            if not chunk:
                break
            data += chunk
        return data.decode().replace("\r\n", "\n")
    finally:
        os.close(controller)
        if terminal != -1:
            os.close(terminal)


def test_text_is_coloured_on_a_terminal(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(FIXABLE)
    assert _on_a_terminal(tmp_path, plain_environment(TERM="xterm-256color")) == f"{COLOURED_ELP104}\n"
    assert _on_a_terminal(tmp_path, plain_environment(TERM="dumb")) == f"{PLAIN_ELP104}\n"
    assert _on_a_terminal(tmp_path, plain_environment(TERM="xterm", NO_COLOR="1")) == f"{PLAIN_ELP104}\n"


def test_when_colour_is_wanted() -> None:
    assert output.colour_wanted("auto", _Terminal(), {})
    assert not output.colour_wanted("auto", io.StringIO(), {})
    assert output.colour_wanted("auto", io.StringIO(), {"FORCE_COLOR": "1"})
    assert not output.colour_wanted("auto", _Terminal(), {"NO_COLOR": "1"})
    assert not output.colour_wanted("auto", _Terminal(), {"TERM": "dumb"})
    assert output.colour_wanted("always", io.StringIO(), {"NO_COLOR": "1"})
    assert not output.colour_wanted("never", _Terminal(), {"FORCE_COLOR": "1"})
