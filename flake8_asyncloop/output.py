"""How ``flake8-asyncloop check`` prints diagnostics: for people (text, concise), for GitHub
Actions (workflow commands) and for machines (JSON, SARIF 2.1.0), plus per-code statistics.

Columns are 1-based everywhere here, as editors and terminals count them; the engine's are 0-based.
"""

from __future__ import annotations

import difflib
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Iterable, Mapping, Optional, Sequence, TextIO
from urllib.parse import quote

from flake8_asyncloop import __version__
from flake8_asyncloop.engine.diagnostics import Diagnostic, Edit, Fix
from flake8_asyncloop.engine.text import SourceLines, apply_edits
from flake8_asyncloop.engine.internal import INTERNAL_ERROR_CODE, INTERNAL_ERROR_NAME, INTERNAL_ERROR_SUMMARY

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from flake8_asyncloop.docs import JsonValue
    from flake8_asyncloop.rules import Rule

FORMATS = ("text", "concise", "json", "sarif", "github")
STREAMED_FORMATS = ("text", "concise", "github")  # printed file by file; json and sarif at the end
STATISTICS_FORMATS = ("text", "concise", "json")
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
# A file that could not be checked: the rule id of its SARIF result and the id of its notification's
# descriptor, the title of its GitHub annotation.
SKIPPED_ID = "file-not-checked"


@dataclass(frozen=True)
class Checked:
    """One file's diagnostics, and its text when source lines or fix previews are shown."""

    path: str
    diagnostics: Sequence[Diagnostic]
    text: Optional[str] = None
    failure: Optional[str] = None  # the engine failed on the file: ELP900's message, even if deselected
    skipped: Optional[str] = None  # the file could not be checked (read, decoded, parsed): why
    skipped_at: tuple[int, int] = (1, 0)  # where: a syntax error's line and 0-based column, else the start


def code_name(code: str) -> Optional[str]:
    """The name of a rule's code, or of ELP900."""
    if code == INTERNAL_ERROR_CODE:
        return INTERNAL_ERROR_NAME
    from flake8_asyncloop.rules import RULES_BY_CODE  # with libcst: only once there is a diagnostic

    rule = RULES_BY_CODE.get(code)
    return rule.name if rule else None


COLOR_CHOICES = ("auto", "always", "never")


@dataclass(frozen=True)
class Style:
    """The ANSI escapes of the text and concise formats, flake8's palette: the path bold, the
    colons cyan, the code bold red. ``PLAIN`` has none."""

    path: str = ""
    separator: str = ""
    code: str = ""
    reset: str = ""


PLAIN = Style()
COLOURED = Style(path="\x1b[1m", separator="\x1b[36m", code="\x1b[1;31m", reset="\x1b[0m")


def colour_wanted(choice: str, stream: TextIO, environ: Mapping[str, str] = os.environ) -> bool:
    """``--color``: ``always`` and ``never`` as they say; ``auto`` as CPython colours its own
    output: never with NO_COLOR set, always with FORCE_COLOR set, else on a terminal (not a dumb one)."""
    if choice != "auto":
        return choice == "always"
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR"):
        return True
    return stream.isatty() and environ.get("TERM") != "dumb"


def render_concise(path: str, diagnostic: Diagnostic, style: Style = PLAIN) -> str:
    """``path:line:col: CODE message``: what flake8 prints, and what editors and terminals link."""
    colon = f"{style.separator}:{style.reset}"
    return (
        f"{style.path}{path}{style.reset}{colon}{diagnostic.line}{colon}{diagnostic.column + 1}{colon} "
        f"{style.code}{diagnostic.code}{style.reset} {diagnostic.message}"
    )


def _caret_line(source_line: str, column: int) -> str:
    # Tabs stay tabs, so the caret lands under the column however the terminal expands them.
    return "".join(character if character == "\t" else " " for character in source_line[:column]) + "^"


def _fix_preview(fix: Fix, source: str) -> list[str]:
    """The fix as unified-diff hunks of the lines it changes, with one line of context."""
    before = source.splitlines(keepends=True)
    after = apply_edits(source, fix.edits).splitlines(keepends=True)
    hunks = list(difflib.unified_diff(before, after, n=1))[2:]  # no file header: the path is above
    return [line.rstrip("\r\n") for line in hunks]


def render_text(
    checked: Checked,
    diagnostic: Diagnostic,
    *,
    show_source: bool = False,
    show_fixes: bool = False,
    style: Style = PLAIN,
) -> str:
    """The default format: the concise line, then the source line with a caret and the fix, on request."""
    lines = [render_concise(checked.path, diagnostic, style)]
    if checked.text is not None and show_source:
        source_line = SourceLines(checked.text).line(diagnostic.line)
        lines += [f"    {source_line}", f"    {_caret_line(source_line, diagnostic.column)}"]
    if checked.text is not None and show_fixes and diagnostic.fix is not None:
        fix = diagnostic.fix
        safety = "safe" if fix.safe else "unsafe, applied with --unsafe-fixes"
        lines.append(f"    fix ({safety}): {fix.description}")
        lines += [f"      {line}" for line in _fix_preview(fix, checked.text)]
    return "\n".join(lines)


def render(
    format_name: str, checked: Checked, diagnostic: Diagnostic, show_source: bool, show_fixes: bool, style: Style
) -> str:
    """One diagnostic in a streamed format (text, concise or github; ``style`` colours the first two)."""
    if format_name == "github":
        return render_github(checked.path, diagnostic)
    if format_name == "concise":
        return render_concise(checked.path, diagnostic, style)
    return render_text(checked, diagnostic, show_source=show_source, show_fixes=show_fixes, style=style)


def _escape_github_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_github_property(value: str) -> str:
    return _escape_github_data(value).replace(":", "%3A").replace(",", "%2C")


def render_github(path: str, diagnostic: Diagnostic) -> str:
    """A GitHub Actions ``::error`` workflow command: an annotation on the line in the pull request."""
    return _github_annotation(path, diagnostic.line, diagnostic.column, diagnostic.code, diagnostic.flake8_text())


def render_github_skipped(checked: Checked) -> str:
    """A file that could not be checked, as an annotation where its syntax error is (else line 1)."""
    line, column = checked.skipped_at
    return _github_annotation(checked.path, line, column, SKIPPED_ID, f"not checked: {checked.skipped}")


def _github_annotation(path: str, line: int, column: int, title: str, message: str) -> str:
    properties = ",".join(
        f"{key}={_escape_github_property(value)}"
        for key, value in (("file", path), ("line", str(line)), ("col", str(column + 1)), ("title", title))
    )
    return f"::error {properties}::{_escape_github_data(message)}"


def _json_edit(edit: Edit) -> dict[str, JsonValue]:
    return {
        "start": {"line": edit.start_line, "column": edit.start_column + 1},
        "end": {"line": edit.end_line, "column": edit.end_column + 1},
        "text": edit.text,
    }


def json_records(results: Iterable[Checked]) -> list[JsonValue]:
    """``--output-format json``: one object per diagnostic, fixes included."""
    records: list[JsonValue] = []
    for checked in results:
        if checked.skipped is not None:
            records.append(_skipped_record(checked))
        for diagnostic in checked.diagnostics:
            fix = diagnostic.fix
            end_line, end_column = diagnostic.end or (diagnostic.line, diagnostic.column)
            records.append(
                {
                    "filename": checked.path,
                    "line": diagnostic.line,
                    "column": diagnostic.column + 1,
                    "end_line": end_line,
                    "end_column": end_column + 1,
                    "code": diagnostic.code,
                    "name": code_name(diagnostic.code),
                    "message": diagnostic.message,
                    "fix": None
                    if fix is None
                    else {
                        "description": fix.description,
                        "safety": "safe" if fix.safe else "unsafe",
                        "edits": [_json_edit(edit) for edit in fix.edits],
                    },
                }
            )
    return records


def _skipped_record(checked: Checked) -> dict[str, JsonValue]:
    """A file that could not be checked, as ruff gives a syntax error: a record with no code, where
    the syntax error is (else at line 1)."""
    line, column = checked.skipped_at
    return {
        "filename": checked.path,
        "line": line,
        "column": column + 1,
        "end_line": line,
        "end_column": column + 1,
        "code": None,
        "name": None,
        "message": f"not checked: {checked.skipped}",
        "fix": None,
    }


def statistics(results: Iterable[Checked]) -> list[tuple[str, int]]:
    """(code, count) pairs, the most frequent first."""
    counts = Counter(diagnostic.code for checked in results for diagnostic in checked.diagnostics)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def statistics_text(counts: Sequence[tuple[str, int]]) -> str:
    width = max((len(str(count)) for _, count in counts), default=1)
    return "\n".join(
        f"{count:>{width}}  {code}  {code_name(code) or ''}".rstrip()
        for code, count in counts
    )


def statistics_records(counts: Sequence[tuple[str, int]]) -> list[JsonValue]:
    return [
        {"code": code, "name": code_name(code), "count": count}
        for code, count in counts
    ]


def artifact_uri(path: str) -> str:
    """A path as a SARIF artifact URI: relative ones stay relative (to the working directory)."""
    if Path(path).is_absolute():
        return Path(path).as_uri()
    return quote(Path(path).as_posix())


def _sarif_region(start_line: int, start_column: int, end_line: int, end_column: int) -> dict[str, JsonValue]:
    return {"startLine": start_line, "startColumn": start_column + 1, "endLine": end_line, "endColumn": end_column + 1}


def _sarif_rule(rule: "Rule", documentation_url: Optional[str]) -> dict[str, JsonValue]:
    from flake8_asyncloop.docs import anchor, rule_markdown

    descriptor: dict[str, JsonValue] = {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.why},
        "help": {"text": rule.how_to_fix, "markdown": rule_markdown(rule, heading="#")},
        "properties": {
            "versions": rule.versions,
            "fix": rule.fix_availability,
            "fixSafety": rule.fix_safety,
        },
    }
    if documentation_url:
        descriptor["helpUri"] = f"{documentation_url}#{anchor(rule)}"
    return descriptor


def _sarif_fix(uri: str, fix: Fix) -> dict[str, JsonValue]:
    replacements: list[JsonValue] = [
        {
            "deletedRegion": _sarif_region(edit.start_line, edit.start_column, edit.end_line, edit.end_column),
            "insertedContent": {"text": edit.text},
        }
        for edit in fix.edits
    ]
    return {
        "description": {"text": fix.description},
        "artifactChanges": [{"artifactLocation": {"uri": uri}, "replacements": replacements}],
        "properties": {"safety": "safe" if fix.safe else "unsafe"},
    }


def _sarif_notification(path: str, text: str, descriptor: str, index: int) -> dict[str, JsonValue]:
    return {
        "level": "error",
        "message": {"text": text},
        "descriptor": {"id": descriptor, "index": index},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": artifact_uri(path)}}}],
    }


def _sarif_invocation(results: Sequence[Checked]) -> dict[str, JsonValue]:
    """Whether the run succeeded. Each file the engine failed on is also a tool execution
    notification, SARIF's place for a tool's own errors (a failure deselected from the results
    shows here still)."""
    failures: list[JsonValue] = [
        _sarif_notification(checked.path, checked.failure, INTERNAL_ERROR_CODE, 0)
        for checked in results
        if checked.failure is not None
    ]
    skipped: list[JsonValue] = [
        _sarif_notification(checked.path, f"not checked: {checked.skipped}", SKIPPED_ID, 1)
        for checked in results
        if checked.skipped is not None
    ]
    notifications = failures + skipped
    # A file that could not be parsed is the input's problem: the run itself succeeded.
    invocation: dict[str, JsonValue] = {"executionSuccessful": not failures}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return invocation


def _sarif_result(
    rule_id: str, message: str, uri: str, start: tuple[int, int], end: Optional[tuple[int, int]] = None
) -> dict[str, JsonValue]:
    """A result at ``start``, to ``end`` when it covers code (a file not checked has a point)."""
    line, column = start
    region: dict[str, JsonValue] = {"startLine": line, "startColumn": column + 1}
    if end is not None:
        region.update(endLine=end[0], endColumn=end[1] + 1)
    return {
        "ruleId": rule_id,
        "level": "error",
        "message": {"text": message},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri}, "region": region}}],
    }


def sarif_log(
    results: Iterable[Checked], rules: "Optional[Sequence[Rule]]" = None, documentation_url: Optional[str] = None
) -> dict[str, JsonValue]:
    """A SARIF 2.1.0 log with one run: the rules' metadata, every diagnostic, and the fixes.

    ``documentation_url``: where ``docs/rules.md`` is published; each rule's ``helpUri`` is an
    anchor on it (SARIF wants an absolute URI there). Without it, ``help`` carries the whole text.
    ELP900 (the engine failed on a file) is a result like the others, and a notification of the
    run's invocation, which its descriptor in ``notifications`` documents; so is a file that could
    not be checked (``file-not-checked``, where its syntax error is).
    """
    if rules is None:
        from flake8_asyncloop.rules import ALL_RULES  # a SARIF log describes every rule: libcst comes too

        rules = ALL_RULES
    files = list(results)
    rule_index = {rule.code: index for index, rule in enumerate(rules)}
    sarif_results: list[JsonValue] = []
    for checked in files:
        uri = artifact_uri(checked.path)
        if checked.skipped is not None:
            sarif_results.append(_sarif_result(SKIPPED_ID, f"not checked: {checked.skipped}", uri, checked.skipped_at))
        for diagnostic in checked.diagnostics:
            start = (diagnostic.line, diagnostic.column)
            result = _sarif_result(diagnostic.code, diagnostic.message, uri, start, diagnostic.end)
            if diagnostic.code in rule_index:
                result["ruleIndex"] = rule_index[diagnostic.code]
            if diagnostic.fix is not None:
                result["fixes"] = [_sarif_fix(uri, diagnostic.fix)]
            sarif_results.append(result)
    driver: dict[str, JsonValue] = {
        "name": "flake8-asyncloop",
        "version": __version__,
        "rules": [_sarif_rule(rule, documentation_url) for rule in rules],
        "notifications": [
            {
                "id": INTERNAL_ERROR_CODE,
                "name": INTERNAL_ERROR_NAME,
                "shortDescription": {"text": INTERNAL_ERROR_SUMMARY},
            },
            {
                "id": SKIPPED_ID,
                "shortDescription": {"text": "A file could not be read, decoded or parsed, and was not checked."},
            },
        ],
    }
    run: dict[str, JsonValue] = {
        "tool": {"driver": driver},
        "invocations": [_sarif_invocation(files)],
        # The engine counts columns in characters, not in SARIF's default UTF-16 code units.
        "columnKind": "unicodeCodePoints",
        "results": sarif_results,
    }
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def fixable_text(fixable: int, fixable_unsafe: int, command: Optional[str] = None) -> str:
    """What fixing would do about the problems left, as the summaries (the command's, the
    codemod's) say it: "3 fixable with fix, 1 fixable with fix --unsafe-fixes". ``command`` names
    what applies the safe fixes; None where they were just applied. '' when no fix is left."""
    parts = [f"{fixable} fixable with {command}"] if fixable and command else []
    if fixable_unsafe:
        parts.append(f"{fixable_unsafe} fixable with {command + ' ' if command else ''}--unsafe-fixes")
    return ", ".join(parts)


# Runs shorter than this never show a progress bar: it would only flicker.
PROGRESS_DELAY_SECONDS = 0.5


def progress_wanted(stream: TextIO, environ: Mapping[str, str] = os.environ) -> bool:
    """A progress bar is for people watching a terminal: not for pipes, files or CI logs."""
    return stream.isatty() and not environ.get("CI")


class ProgressDisplay:
    """A transient progress bar on standard error (rich's), shown once a run lasts long enough.

    While it is shown, rich redirects ``sys.stdout`` and ``sys.stderr`` (when they are the
    terminal) to print above the bar, so output must name ``sys.stdout`` at the time it prints.
    """

    def __init__(self, total: int, enabled: bool) -> None:
        self._total = total
        self._enabled = enabled and total > 1
        self._started_at = time.monotonic()
        self._progress: Optional["Progress"] = None
        self._task: Optional["TaskID"] = None
        self._done = 0

    def advance(self) -> None:
        self._done += 1
        if not self._enabled:
            return
        if self._progress is None and time.monotonic() - self._started_at >= PROGRESS_DELAY_SECONDS:
            self._start()
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, completed=self._done)

    def _start(self) -> None:
        # Imported here: rich costs import time that short runs and pipes should not pay.
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            TextColumn("checking"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(file=sys.stderr),
            transient=True,
            redirect_stdout=sys.stdout.isatty(),  # else stdout is a pipe or file: leave it alone
        )
        self._progress.start()
        self._task = self._progress.add_task("check", total=self._total, completed=self._done)

    def __enter__(self) -> "ProgressDisplay":
        return self

    def __exit__(
        self,
        kind: Optional[type[BaseException]],
        error: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        if self._progress is not None:
            self._progress.stop()
