"""``flake8-asyncloop upgrade``: what breaks, version by version, from the oldest target Python
to a horizon. The diagnostics are the engine's (run over that whole range); each carries its
timeline (``engine/timeline.py``), and the report places it at every version where what the
code does changes for the worse: "3.12: warns", then "3.14: raises RuntimeError".
"""

from __future__ import annotations

import argparse
import html
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable, Optional, Sequence

from flake8_asyncloop.engine.diagnostics import Diagnostic
from flake8_asyncloop.engine.timeline import NEWEST_KNOWN_MINOR, Effect, Stage
from flake8_asyncloop.engine.versions import ALL_MINORS

if TYPE_CHECKING:
    from flake8_asyncloop.docs import JsonValue

FORMATS = ("text", "json", "markdown")
# How a version's summary names each kind of change, for one finding and for several.
_VERBS = {
    Effect.MISBEHAVES: ("misbehaves", "misbehave"),
    Effect.WARNS: ("warns", "warn"),
    Effect.RAISES: ("raises", "raise"),
    Effect.REMOVED: ("uses a removed API", "use removed APIs"),
}


def horizon_argument(value: str) -> int:
    """argparse ``type=`` for ``--to``: ``3.16`` (or ``16``) -> 16."""
    major, _, minor = value.strip().rpartition(".")
    if major not in ("", "3") or not minor.isdigit() or int(minor) not in ALL_MINORS:
        raise argparse.ArgumentTypeError(
            f"cannot read {value!r}: expected a Python version from 3.{min(ALL_MINORS)} to 3.{max(ALL_MINORS)},"
            f" such as 3.{NEWEST_KNOWN_MINOR}"
        )
    return int(minor)


@dataclass(frozen=True)
class Event:
    """From 3.``minor`` on, the code of ``diagnostic`` in ``path`` does what ``stage`` says."""

    path: str
    diagnostic: Diagnostic
    minor: int
    stage: Stage

    @property
    def fix_safety(self) -> Optional[str]:
        fix = self.diagnostic.fix
        return None if fix is None else "safe" if fix.safe else "unsafe"


def events_of(path: str, diagnostic: Diagnostic, minors: Sequence[int]) -> list[Event]:
    """Each version of ``minors`` where the code starts to break, or breaks differently; the
    first version counts when the code breaks there already."""
    timeline = diagnostic.timeline
    if timeline is None:
        return []
    events = []
    previous: Optional[Stage] = None
    for minor in minors:
        stage = timeline.on(minor)
        if stage is not None and stage.effect.breaks and stage != previous:
            events.append(Event(path, diagnostic, minor, stage))
        previous = stage
    return events


def is_advice(diagnostic: Diagnostic, minors: Sequence[int]) -> bool:
    """Whether the code only has a better recipe on these versions (ELP104), breaking on none."""
    timeline = diagnostic.timeline
    stages = [timeline.on(minor) for minor in minors] if timeline is not None else []
    effects = {stage.effect for stage in stages if stage is not None}
    return effects == {Effect.ADVICE}


@dataclass
class UpgradeReport:
    """Every file's findings, placed at the versions from ``oldest`` to ``horizon``."""

    oldest: int
    horizon: int
    files: int = 0
    events: list[Event] = field(default_factory=list)
    advice: list[tuple[str, Diagnostic]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, why)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, the internal error)
    fixed: int = 0

    @property
    def minors(self) -> range:
        return range(self.oldest, max(self.oldest, self.horizon) + 1)

    def add(self, path: str, diagnostics: Iterable[Diagnostic]) -> None:
        """One file's diagnostics (what is left after fixing, with ``--fix``)."""
        for diagnostic in diagnostics:
            found = events_of(path, diagnostic, self.minors)
            self.events.extend(found)
            if not found and is_advice(diagnostic, self.minors):
                self.advice.append((path, diagnostic))

    def at(self, minor: int) -> list[Event]:
        return sorted(
            (event for event in self.events if event.minor == minor),
            key=lambda event: (event.path, event.diagnostic),
        )

    @property
    def first_break(self) -> Optional[int]:
        return min((event.minor for event in self.events), default=None)

    def exit_code(self) -> int:
        """1 when anything breaks by the horizon (or a file could not be checked), else 0."""
        return 1 if self.events or self.skipped or self.failed else 0


def _counted(effect: Effect, events: Sequence[Event]) -> str:
    singular, plural = _VERBS[effect]
    text = f"{len(events)} {singular if len(events) == 1 else plural}"
    if effect is Effect.RAISES:
        errors = sorted({event.stage.consequence.removeprefix("raises ") for event in events})
        text += f" {' or '.join(errors)}"
    return text


def version_summary(events: Sequence[Event]) -> str:
    """"7 raise RuntimeError, 3 use removed APIs (4 fixable, 2 safely)"; "nothing new"."""
    if not events:
        return "nothing new"
    by_effect = {effect: [e for e in events if e.stage.effect is effect] for effect in _VERBS}
    text = ", ".join(_counted(effect, found) for effect, found in by_effect.items() if found)
    fixable = sum(1 for event in events if event.fix_safety is not None)
    if fixable:
        safely = sum(1 for event in events if event.fix_safety == "safe")
        text += f" ({fixable} fixable, {safely} safely)"
    return text


def version_label(report: UpgradeReport, minor: int) -> str:
    return f"3.{minor} (oldest target)" if minor == report.oldest else f"3.{minor}"


def verdict(report: UpgradeReport) -> str:
    first = report.first_break
    if first is None:
        return f"Nothing breaks from 3.{report.oldest} to 3.{report.horizon}."
    if first == report.oldest:
        return f"The code misbehaves on 3.{first} already, the oldest target."
    return f"The code first breaks on 3.{first}."


def advice_line(report: UpgradeReport) -> str:
    counts = Counter(diagnostic.code for _, diagnostic in report.advice)
    codes = ", ".join(f"{code} {count}" for code, count in sorted(counts.items()))
    safely = sum(1 for _, d in report.advice if d.fix is not None and d.fix.safe)
    return (
        f"Advice on every version, not counted as breakage: {len(report.advice)} ({codes}; {safely} with a safe fix)"
        if report.advice
        else "Advice on every version, not counted as breakage: none"
    )


# Text: for people.


def _fix_label(event: Event) -> str:
    return f"{event.fix_safety} fix" if event.fix_safety else "no fix"


def heading(report: UpgradeReport) -> str:
    """"Python 3.9 to 3.16: 12 files checked", and after --fix ", 3 problems fixed (...)"."""
    text = f"Python 3.{report.oldest} to 3.{report.horizon}: {report.files} {_plural(report.files, 'file')} checked"
    if report.fixed:
        text += f", {report.fixed} {_plural(report.fixed, 'problem')} fixed (what is left follows)"
    return text


def _plural(number: int, noun: str) -> str:
    return noun if number == 1 else f"{noun}s"


def render_text(report: UpgradeReport) -> str:
    lines = [heading(report), ""]
    for minor in report.minors:
        events = report.at(minor)
        if not events:
            continue
        lines.append(f"{version_label(report, minor)}: {version_summary(events)}")
        for event in events:
            d = event.diagnostic
            where = f"{event.path}:{d.line}:{d.column + 1}"
            lines.append(f"  {where}: {d.code} {event.stage.consequence} ({_fix_label(event)})")
            lines.append(f"      {d.message}")
        lines.append("")
    lines.append("Summary")
    lines.extend(f"  {version_label(report, minor)}: {version_summary(report.at(minor))}" for minor in report.minors)
    lines.extend(["", advice_line(report)])
    lines.extend(_not_checked_lines(report))
    lines.append(verdict(report))
    return "\n".join(lines) + "\n"


def _not_checked_lines(report: UpgradeReport) -> list[str]:
    lines = [f"Not checked: {path}: {why}" for path, why in report.skipped]
    lines += [f"Failed: {path}: {message}" for path, message in report.failed]
    return lines


# Markdown: for a pull request or an issue.


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report: UpgradeReport) -> str:
    lines = [
        f"## Upgrade report: Python 3.{report.oldest} to 3.{report.horizon}",
        "",
        f"{heading(report)}. {verdict(report)}",
        "",
        "| Version | What changes |",
        "|---|---|",
    ]
    lines += [f"| {version_label(report, m)} | {version_summary(report.at(m))} |" for m in report.minors]
    lines += ["", advice_line(report) + "."]
    lines += [f"\n{line}" for line in _not_checked_lines(report)]
    for minor in report.minors:
        events = report.at(minor)
        if events:
            lines += ["", f"### {version_label(report, minor)}: {version_summary(events)}", ""]
            lines += _markdown_files(events)
    return "\n".join(lines) + "\n"


def _markdown_files(events: Sequence[Event]) -> list[str]:
    """A collapsible table per file."""
    lines: list[str] = []
    for path in sorted({event.path for event in events}):
        here = [event for event in events if event.path == path]
        lines += [f"<details><summary><code>{html.escape(path)}</code>: {len(here)}</summary>", ""]
        lines += ["| Line | Rule | Consequence | Fix | Message |", "|---|---|---|---|---|"]
        for event in here:
            d = event.diagnostic
            fix = event.fix_safety or "none"
            consequence, message = _cell(event.stage.consequence), _cell(d.message)
            lines.append(f"| {d.line}:{d.column + 1} | {d.code} | {consequence} | {fix} | {message} |")
        lines += ["", "</details>", ""]
    return lines


# JSON: for tools.


def _finding_record(path: str, diagnostic: Diagnostic) -> dict[str, JsonValue]:
    fix = diagnostic.fix
    return {
        "filename": path,
        "line": diagnostic.line,
        "column": diagnostic.column + 1,
        "code": diagnostic.code,
        "message": diagnostic.message,
        "fix": None if fix is None else "safe" if fix.safe else "unsafe",
    }


def _event_record(event: Event) -> dict[str, JsonValue]:
    record = _finding_record(event.path, event.diagnostic)
    record.update(effect=event.stage.effect.value, consequence=event.stage.consequence)
    return record


def json_report(report: UpgradeReport) -> dict[str, JsonValue]:
    versions: list[JsonValue] = []
    for minor in report.minors:
        events = report.at(minor)
        findings: list[JsonValue] = [_event_record(event) for event in events]
        counts: dict[str, JsonValue] = dict(Counter(event.stage.effect.value for event in events))
        versions.append(
            {
                "version": f"3.{minor}",
                "summary": version_summary(events),
                "counts": counts,
                "fixable": sum(1 for event in events if event.fix_safety is not None),
                "safely_fixable": sum(1 for event in events if event.fix_safety == "safe"),
                "findings": findings,
            }
        )
    first = report.first_break
    return {
        "from": f"3.{report.oldest}",
        "to": f"3.{report.horizon}",
        "files": report.files,
        "first_break": None if first is None else f"3.{first}",
        "fixed": report.fixed,
        "versions": versions,
        "advice": [_finding_record(path, diagnostic) for path, diagnostic in report.advice],
        "skipped": [{"filename": path, "error": why} for path, why in report.skipped],
        "failed": [{"filename": path, "error": message} for path, message in report.failed],
    }
