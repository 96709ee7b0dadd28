"""The ``flake8-asyncloop`` command: ``check`` and ``fix`` over files, directories and stdin;
``explain`` and ``rules`` for the rules' documentation."""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Iterator, NoReturn, Optional, Sequence

from flake8_asyncloop import __version__, docs, output
from flake8_asyncloop.config import (
    DEFAULT_EXCLUDES,
    ConfigError,
    Settings,
    find_pyproject,
    load_settings,
    validate_codes,
)
from flake8_asyncloop.engine.versions import target_version_argument
from flake8_asyncloop.files import BOM, Report, SourceError, Task, decode, read_standard_input, run_task
from flake8_asyncloop.rules import ALL_RULES, RULES_BY_CODE

EXIT_CLEAN, EXIT_PROBLEMS, EXIT_ERROR = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line and exit code 2, as for every other usage error of this command.
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message}\n")


def _codes(value: str) -> list[str]:
    return [code for code in value.replace(",", " ").split() if code]


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="flake8-asyncloop", description="Find asyncio event-loop misuse and fix it.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    check = commands.add_parser("check", help="report problems")
    fix = commands.add_parser("fix", help="rewrite problems to the recipe, then report what is left")
    for sub in (check, fix):
        sub.add_argument("paths", nargs="*", default=["."], help="files and directories; - for standard input")
        sub.add_argument("--select", type=_codes, help="only these codes or prefixes (comma-separated)")
        sub.add_argument("--ignore", type=_codes, help="never these codes or prefixes")
        sub.add_argument("--target-version", type=target_version_argument, metavar="RANGE", help="e.g. '>=3.9'")
        sub.add_argument("--exclude", type=_codes, metavar="PATTERNS", help="glob patterns to skip in directories")
        sub.add_argument("--stdin-filename", help="the path standard input stands for (targets, messages)")
        sub.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1, help="processes (default: all cores)")
        sub.add_argument("--quiet", "-q", action="store_true", help="no summary line and no progress bar")
        sub.add_argument("--verbose", "-v", action="store_true", help="a line per file on standard error: time, result")
    check.add_argument("--output-format", choices=output.FORMATS, default="text", help="default: text")
    check.add_argument("--statistics", action="store_true", help="print the count of each code, not each diagnostic")
    check.add_argument("--show-source", action="store_true", help="print each diagnostic's line, with a caret")
    check.add_argument("--show-fixes", action="store_true", help="print each diagnostic's fix, as a diff")
    fix.add_argument("--diff", action="store_true", help="print a unified diff and write nothing")
    fix.add_argument("--check", action="store_true", help="write nothing; exit 1 if anything would change")
    fix.add_argument("--unsafe-fixes", action="store_true", default=None, help="also apply fixes marked unsafe")
    explain = commands.add_parser("explain", help="print a rule's documentation")
    explain.add_argument("code", help="a rule code, e.g. ELP101")
    rules = commands.add_parser("rules", help="list every rule: code, name, fix, Python versions")
    rules.add_argument("--output-format", choices=("text", "json"), default="text", help="default: text")
    server = commands.add_parser("server", help="run the language server on standard input and output")
    # Editors' LSP clients often pass --stdio; standard input and output is the only transport.
    server.add_argument("--stdio", action="store_true", help="accepted for LSP clients; the default")
    return parser


def _excluded(path: Path, patterns: Sequence[str]) -> bool:
    return any(fnmatch.fnmatch(path.name, pattern) or fnmatch.fnmatch(str(path), pattern) for pattern in patterns)


def discover(paths: Sequence[str], excludes: Sequence[str]) -> Iterator[str]:
    """Python files under ``paths``, sorted per directory; named files always, even if excluded."""
    patterns = (*DEFAULT_EXCLUDES, *excludes)
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, directories, files in os.walk(path):
                directories[:] = sorted(d for d in directories if not _excluded(Path(root) / d, patterns))
                for name in sorted(files):
                    candidate = Path(root) / name
                    if name.endswith(".py") and not _excluded(candidate, patterns):
                        yield str(candidate)
        else:
            yield raw  # one that vanished since main() looked is reported by run_task, in one line


def settings_from(arguments: argparse.Namespace) -> Settings:
    base = load_settings(find_pyproject(arguments.paths))
    unsafe = getattr(arguments, "unsafe_fixes", None)
    return Settings(
        select=validate_codes(arguments.select, "--select") if arguments.select is not None else base.select,
        ignore=validate_codes(arguments.ignore, "--ignore") if arguments.ignore is not None else base.ignore,
        target_version=arguments.target_version or base.target_version,
        exclude=tuple(arguments.exclude) if arguments.exclude is not None else base.exclude,
        unsafe_fixes=base.unsafe_fixes if unsafe is None else unsafe,
    )


def _timed_task(task: Task) -> tuple[Report, float]:
    started = time.perf_counter()
    report = run_task(task)
    return report, time.perf_counter() - started


def _run(tasks: list[Task], jobs: int) -> Iterator[tuple[Report, float]]:
    # Worker processes pay off only with enough files; results come back in input order.
    if jobs <= 1 or len(tasks) < 2 * jobs:
        yield from map(_timed_task, tasks)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        yield from pool.map(_timed_task, tasks, chunksize=max(1, len(tasks) // (jobs * 8)))


def _source_text(task: Task) -> Optional[str]:
    """The checked text, for --show-source and --show-fixes (reports do not carry it back)."""
    try:
        text, _ = decode(task.data if task.data is not None else Path(task.path).read_bytes())
    except (OSError, SourceError):
        return None
    return text[1:] if text.startswith(BOM) else text


def _verbose_line(report: Report, seconds: float, fixing: bool) -> str:
    if report.error is not None:
        result = "skipped"
    else:
        count = len(report.diagnostics)
        result = f"{count} diagnostic{'s' if count != 1 else ''}"
        if fixing:
            result = f"{report.fixed} fixed, {count} remaining"
    return f"{report.path}: {seconds * 1000:.0f} ms, {result}"


def _explain(code: str) -> int:
    rule = RULES_BY_CODE.get(code.upper())
    if rule is None:
        print(f"flake8-asyncloop: error: no rule {code!r}; flake8-asyncloop rules lists them", file=sys.stderr)
        return EXIT_ERROR
    sys.stdout.write(docs.explain(rule))
    return EXIT_CLEAN


def _list_rules(format_name: str) -> int:
    if format_name == "json":
        print(json.dumps([docs.rule_record(rule) for rule in ALL_RULES], indent=2))
    else:
        print(docs.rules_listing())
    return EXIT_CLEAN


def main(argv: Optional[Sequence[str]] = None) -> int:
    arguments = build_parser().parse_args(argv)
    if arguments.command == "explain":
        return _explain(arguments.code)
    if arguments.command == "rules":
        return _list_rules(arguments.output_format)
    if arguments.command == "server":
        return _serve()
    try:
        settings = settings_from(arguments)
    except ConfigError as error:
        print(f"flake8-asyncloop: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    if arguments.jobs < 1:
        print("flake8-asyncloop: error: --jobs must be at least 1", file=sys.stderr)
        return EXIT_ERROR
    missing = next((path for path in arguments.paths if path != "-" and not os.path.exists(path)), None)
    if missing is not None:
        print(f"flake8-asyncloop: error: {missing}: no such file or directory", file=sys.stderr)
        return EXIT_ERROR
    # Options of check only; fix prints what is left as text.
    format_name: str = getattr(arguments, "output_format", "text")
    statistics: bool = getattr(arguments, "statistics", False)
    show_source: bool = getattr(arguments, "show_source", False)
    show_fixes: bool = getattr(arguments, "show_fixes", False)
    if statistics and format_name not in output.STATISTICS_FORMATS:
        print(f"flake8-asyncloop: error: --statistics cannot be used with --output-format {format_name}",
              file=sys.stderr)
        return EXIT_ERROR
    attach_fixes = show_fixes or format_name in ("json", "sarif")
    fixing = arguments.command == "fix"
    write = fixing and not (arguments.diff or arguments.check)
    tasks: list[Task] = []
    for path in discover(arguments.paths, settings.exclude):
        if path == "-":
            try:
                data = read_standard_input()
            except SourceError as error:
                print(f"flake8-asyncloop: error: {error}", file=sys.stderr)
                return EXIT_ERROR
            tasks.append(
                Task("-", arguments.command, settings, write, fixing and arguments.diff,
                     data, arguments.stdin_filename or "-", attach_fixes)
            )
        else:
            tasks.append(Task(path, arguments.command, settings, write, fixing and arguments.diff,
                              attach_fixes=attach_fixes))
    # With fixed code or a diff going to standard output, diagnostics go to standard error.
    stdin_fix = fixing and write and any(task.data is not None for task in tasks)
    messages_to_stderr = stdin_fix or (fixing and arguments.diff)
    streamed = format_name in output.STREAMED_FORMATS and not statistics
    collected: list[output.Checked] = []
    # No bar when standard input is involved: fixed bytes go to the real stdout's buffer.
    show_bar = output.progress_wanted(sys.stderr) and not (
        arguments.quiet or arguments.verbose or any(task.data is not None for task in tasks)
    )
    remaining = fixed = errors = changed = 0
    with output.ProgressDisplay(len(tasks), show_bar) as progress:
        for task, (report, seconds) in zip(tasks, _run(tasks, arguments.jobs)):
            progress.advance()
            if arguments.verbose:
                print(_verbose_line(report, seconds, fixing), file=sys.stderr)
            if report.error is not None:
                errors += 1
                print(f"{report.path}: error: {report.error}", file=sys.stderr)
                continue
            wants_text = (show_source or show_fixes) and bool(report.diagnostics)
            checked = output.Checked(report.path, report.diagnostics, _source_text(task) if wants_text else None)
            if streamed:
                # Named at each print: the progress bar redirects sys.stdout while it is shown.
                for diagnostic in report.diagnostics:
                    line = output.render(format_name, checked, diagnostic, show_source, show_fixes)
                    print(line, file=sys.stderr if messages_to_stderr else sys.stdout)
            else:
                collected.append(checked)
            if report.diff:
                sys.stdout.write(report.diff)
            if report.output is not None and write:
                sys.stdout.flush()
                sys.stdout.buffer.write(report.output)
            remaining += len(report.diagnostics)
            fixed += report.fixed
            changed += report.changed
    if statistics and format_name == "json":
        print(json.dumps(output.statistics_records(output.statistics(collected)), indent=2))
    elif statistics:
        counts = output.statistics(collected)
        if counts:
            print(output.statistics_text(counts))
    elif format_name == "json":
        print(json.dumps(output.json_records(collected), indent=2))
    elif format_name == "sarif":
        print(json.dumps(output.sarif_log(collected, documentation_url=docs.published_rules_url()), indent=2))
    if not arguments.quiet:
        summary = f"{len(tasks)} file{'s' if len(tasks) != 1 else ''} checked, "
        if fixing:
            verb = "fixed" if write else "fixable"
            summary += f"{fixed} {verb}, {remaining} remaining"
        else:
            summary += f"{remaining} diagnostic{'s' if remaining != 1 else ''}"
        if errors:
            summary += f", {errors} skipped with errors"
        print(summary, file=sys.stderr)
    if remaining or errors or (fixing and not write and changed):
        return EXIT_PROBLEMS
    return EXIT_CLEAN


def _serve() -> int:
    try:
        from flake8_asyncloop.server import serve
    except ImportError as error:
        if (error.name or "").partition(".")[0] not in {"pygls", "lsprotocol", "cattrs"}:
            raise
        print("flake8-asyncloop: error: the language server needs pygls: pip install 'flake8-asyncloop[lsp]'",
              file=sys.stderr)
        return EXIT_ERROR
    serve()
    return EXIT_CLEAN


def run() -> None:
    sys.exit(main())
