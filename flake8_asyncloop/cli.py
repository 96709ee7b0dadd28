"""The ``flake8-asyncloop`` command: ``check`` and ``fix`` over files, directories and stdin."""

from __future__ import annotations

import argparse
import fnmatch
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Iterator, NoReturn, Optional, Sequence

from flake8_asyncloop import __version__
from flake8_asyncloop.config import (
    DEFAULT_EXCLUDES,
    ConfigError,
    Settings,
    find_pyproject,
    load_settings,
    validate_codes,
)
from flake8_asyncloop.engine.versions import target_version_argument
from flake8_asyncloop.files import Report, Task, run_task

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
        sub.add_argument("--quiet", "-q", action="store_true", help="no summary line")
    fix.add_argument("--diff", action="store_true", help="print a unified diff and write nothing")
    fix.add_argument("--check", action="store_true", help="write nothing; exit 1 if anything would change")
    fix.add_argument("--unsafe-fixes", action="store_true", default=None, help="also apply fixes marked unsafe")
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
            yield raw  # a missing file is reported by run_task, in one line


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


def _run(tasks: list[Task], jobs: int) -> Iterator[Report]:
    # Worker processes pay off only with enough files; results come back in input order.
    if jobs <= 1 or len(tasks) < 2 * jobs:
        yield from map(run_task, tasks)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        yield from pool.map(run_task, tasks, chunksize=max(1, len(tasks) // (jobs * 8)))


def main(argv: Optional[Sequence[str]] = None) -> int:
    arguments = build_parser().parse_args(argv)
    try:
        settings = settings_from(arguments)
    except ConfigError as error:
        print(f"flake8-asyncloop: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    if arguments.jobs < 1:
        print("flake8-asyncloop: error: --jobs must be at least 1", file=sys.stderr)
        return EXIT_ERROR
    fixing = arguments.command == "fix"
    write = fixing and not (arguments.diff or arguments.check)
    tasks: list[Task] = []
    for path in discover(arguments.paths, settings.exclude):
        if path == "-":
            tasks.append(
                Task("-", arguments.command, settings, write, fixing and arguments.diff,
                     sys.stdin.buffer.read(), arguments.stdin_filename or "-")
            )
        else:
            tasks.append(Task(path, arguments.command, settings, write, fixing and arguments.diff))
    # With fixed code or a diff going to standard output, diagnostics go to standard error.
    stdin_fix = fixing and write and any(task.data is not None for task in tasks)
    messages = sys.stderr if stdin_fix or (fixing and arguments.diff) else sys.stdout
    remaining = fixed = errors = changed = 0
    for report in _run(tasks, arguments.jobs):
        if report.error is not None:
            errors += 1
            print(f"{report.path}: error: {report.error}", file=sys.stderr)
            continue
        for diagnostic in report.diagnostics:
            print(f"{report.path}:{diagnostic.line}:{diagnostic.column + 1}: {diagnostic.flake8_text()}", file=messages)
        if report.diff:
            sys.stdout.write(report.diff)
        if report.output is not None and write:
            sys.stdout.flush()
            sys.stdout.buffer.write(report.output)
        remaining += len(report.diagnostics)
        fixed += report.fixed
        changed += report.changed
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


def run() -> None:
    sys.exit(main())
