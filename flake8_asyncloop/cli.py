"""The ``flake8-asyncloop`` command: ``check`` and ``fix`` over files, directories and stdin;
``upgrade`` for what breaks as Python moves; ``explain`` and ``rules`` for the rules' documentation."""

from __future__ import annotations

import argparse
import contextlib
import difflib
import json
import os
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Callable, Iterator, NoReturn, Optional, Sequence

from flake8_asyncloop import __version__, output, upgrade
from flake8_asyncloop.cache import CACHE_DIRECTORY, cache_directories, is_cache_directory
from flake8_asyncloop.config import (
    ConfigError,
    Settings,
    SettingsFinder,
    absolute_pattern,
    common_directory,
    option_codes,
    option_per_file_ignores,
    split_list,
)
from flake8_asyncloop.engine.internal import INTERNAL_ERROR_CODE, INTERNAL_ERROR_NAME
from flake8_asyncloop.engine.projectfiles import files_stay_put, project_directory
from flake8_asyncloop.engine.timeline import NEWEST_KNOWN_MINOR
from flake8_asyncloop.engine.versions import target_version_argument
from flake8_asyncloop.files import (
    Report, SourceError, StandardInputError, Task, engine_text, read_standard_input, run_task,
)

EXIT_CLEAN, EXIT_PROBLEMS, EXIT_ERROR = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line and exit code 2, as for every other usage error of this command.
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="flake8-asyncloop", description="Find asyncio event-loop misuse and fix it.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    check = commands.add_parser("check", help="report problems")
    fix = commands.add_parser("fix", help="rewrite problems to the recipe, then report what is left")
    upgrading = commands.add_parser("upgrade", help="what breaks, version by version, up to a newer Python")
    for sub in (check, fix, upgrading):
        sub.add_argument("paths", nargs="*", default=["."], help="files and directories; - for standard input")
        _add_configuration_options(sub)
        sub.add_argument("--stdin-filename", help="the path standard input stands for (targets, messages)")
        sub.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1, help="processes (default: all cores)")
        sub.add_argument("--quiet", "-q", action="store_true", help="no summary line and no progress bar")
        sub.add_argument("--verbose", "-v", action="store_true", help="a line per file on standard error: time, result")
        sub.add_argument("--no-cache", action="store_true", help=f"neither use nor keep results in {CACHE_DIRECTORY}")
        sub.add_argument("--cache-dir", metavar="DIR", help=f"where results are kept (default: {CACHE_DIRECTORY} "
                         "in the project's directory, else in the working directory)")
    for sub in (check, fix):
        sub.add_argument("--color", choices=output.COLOR_CHOICES, default="auto",
                         help="colour the text output: auto (on a terminal, unless NO_COLOR is set), always, never")
    check.add_argument("--output-format", choices=output.FORMATS, default="text", help="default: text")
    check.add_argument("--statistics", action="store_true", help="print the count of each code, not each diagnostic")
    check.add_argument("--show-source", action="store_true", help="print each diagnostic's line, with a caret")
    check.add_argument("--show-fixes", action="store_true", help="print each diagnostic's fix, as a diff")
    fix.add_argument("--diff", action="store_true", help="print a unified diff and write nothing")
    fix.add_argument("--check", action="store_true", help="write nothing; exit 1 if anything would change")
    fix.add_argument("--unsafe-fixes", action=argparse.BooleanOptionalAction, default=None,
                     help="also apply fixes marked unsafe (--no-unsafe-fixes: not even if pyproject.toml says so)")
    upgrading.add_argument(
        "--to", type=upgrade.horizon_argument, default=NEWEST_KNOWN_MINOR, metavar="VERSION",
        help=f"the newest Python to report on (default: 3.{NEWEST_KNOWN_MINOR})",
    )
    upgrading.add_argument("--output-format", choices=upgrade.FORMATS, default="text", help="default: text")
    upgrading.add_argument("--fix", action="store_true", help="apply the safe fixes, then report what is left")
    upgrading.add_argument("--unsafe-fixes", action=argparse.BooleanOptionalAction, default=None,
                           help="with --fix: the unsafe ones too")
    explain = commands.add_parser("explain", help="print a rule's documentation")
    explain.add_argument("code", help="a rule's code or name, e.g. ELP101 or get-event-loop-in-worker-thread")
    rules = commands.add_parser("rules", help="list every rule: code, name, fix, Python versions")
    rules.add_argument("--output-format", choices=("text", "json"), default="text", help="default: text")
    clean = commands.add_parser("clean", help=f"delete the {CACHE_DIRECTORY} folders under PATHS and the project's")
    clean.add_argument("paths", nargs="*", default=["."], help="where to look (default: .)")
    clean.add_argument("--cache-dir", metavar="DIR", help="delete this cache folder instead")
    server = commands.add_parser("server", help="run the language server on standard input and output")
    # Editors' LSP clients often pass --stdio; standard input and output is the only transport.
    server.add_argument("--stdio", action="store_true", help="accepted for LSP clients; the default")
    return parser


def _add_configuration_options(sub: argparse.ArgumentParser) -> None:
    """The options that override ``[tool.flake8-asyncloop]`` (``config.py``), as ruff names them."""
    sub.add_argument("--select", type=split_list, help="only these codes or prefixes (comma-separated)")
    sub.add_argument("--extend-select", type=split_list, metavar="CODES", help="these too, on top of --select")
    sub.add_argument("--ignore", type=split_list, help="never these codes or prefixes")
    sub.add_argument("--extend-ignore", type=split_list, metavar="CODES", help="these too, on top of --ignore")
    sub.add_argument("--per-file-ignores", metavar="PATTERN:CODES",
                     help="as flake8 writes it: 'tests/*:ELP101,ELP105 setup.py:ELP1'")
    sub.add_argument("--target-version", type=target_version_argument, metavar="RANGE", help="e.g. '>=3.9'")
    sub.add_argument("--exclude", type=split_list, metavar="PATTERNS", help="glob patterns to skip in directories")
    sub.add_argument("--force-exclude", action=argparse.BooleanOptionalAction, default=None,
                     help="skip excluded files even when named on the command line (as pre-commit names them)")
    sub.add_argument("--config", metavar="FILE", help="use this file's [tool.flake8-asyncloop] for every file, "
                     "instead of the nearest pyproject.toml's")
    sub.add_argument("--exit-zero", action="store_true",
                     help="exit 0 even when problems remain (not when a file fails or cannot be read)")


def _excluded(path: str, settings: Settings, named: bool) -> bool:
    """Whether ``path`` is skipped: in a directory walk, by its own name or pattern; named on the
    command line, only with force-exclude, and then also for an excluded directory above it
    (up to the settings' root or the working directory)."""
    location = os.path.abspath(path)
    if not named:
        return settings.excludes(location)
    if not settings.force_exclude:
        return False
    stop = settings.root or os.getcwd()
    below_stop = os.path.commonpath([location, stop]) == stop
    while True:
        if settings.excludes(location):
            return True
        parent = os.path.dirname(location)
        if not below_stop or parent == stop or parent == location:
            return False
        location = parent


def discover(paths: Sequence[str], finder: SettingsFinder) -> Iterator[str]:
    """Python files under ``paths``, sorted per directory, each directory with the settings that
    apply to it (``config.py``); named files always, unless force-exclude excludes them. Each file
    once, however often it is named: ``f.py`` and ``./f.py``, or a file and its directory."""
    seen: set[str] = set()
    for raw in paths:
        if raw != "-" and _excluded(raw, finder.for_path(raw), named=True):
            continue
        for path, identity in _files_under(raw, finder):
            if identity not in seen:
                seen.add(identity)
                yield path


def _files_under(raw: str, finder: SettingsFinder) -> Iterator[tuple[str, str]]:
    """Each file a named path stands for, with what identifies it: its directory resolved, and its
    name (a symbolic link to a file stays itself: fix refuses to write through one)."""
    if raw == "-":
        yield raw, raw
    elif not os.path.isdir(raw):
        # One that vanished since main() looked is reported by run_task, in one line.
        yield raw, os.path.join(os.path.realpath(os.path.dirname(raw) or "."), os.path.basename(raw))
    else:
        for root, directories, files in os.walk(raw):
            settings = finder.for_directory(root)
            directories[:] = sorted(d for d in directories if not _excluded(os.path.join(root, d), settings, False))
            resolved = os.path.realpath(root)
            for name in sorted(files):
                candidate = str(Path(root) / name)  # "pkg/m.py" under ".", as the user would write it
                if name.endswith(".py") and not _excluded(candidate, settings, False):
                    yield candidate, os.path.join(resolved, name)


def settings_finder(arguments: argparse.Namespace) -> SettingsFinder:
    """Each file's settings: its table (or --config's), with the options given winning."""
    here = os.getcwd()
    return SettingsFinder(
        config_file=arguments.config,
        select=option_codes(arguments.select, "--select"),
        extend_select=option_codes(arguments.extend_select, "--extend-select"),
        ignore=option_codes(arguments.ignore, "--ignore"),
        extend_ignore=option_codes(arguments.extend_ignore, "--extend-ignore"),
        per_file_ignores=option_per_file_ignores(arguments.per_file_ignores, here),
        target_version=arguments.target_version,
        exclude=tuple(absolute_pattern(p, here) for p in arguments.exclude) if arguments.exclude is not None else None,
        force_exclude=arguments.force_exclude,
        unsafe_fixes=getattr(arguments, "unsafe_fixes", None),
        horizon=getattr(arguments, "to", None),
    )


def _timed_task(task: Task) -> tuple[Report, float]:
    started = time.perf_counter()
    report = run_task(task)
    return report, time.perf_counter() - started


# A worker process lives for one run, over files that stay put meanwhile (``files_stay_put``).
_WORKER_SCOPE = contextlib.ExitStack()


def _start_worker() -> None:
    _WORKER_SCOPE.enter_context(files_stay_put())


def _run(tasks: list[Task], jobs: int) -> Iterator[tuple[Report, float]]:
    # Worker processes pay off only with enough files; results come back in input order.
    if jobs <= 1 or len(tasks) < 2 * jobs:
        yield from map(_timed_task, tasks)
        return
    with ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker) as pool:
        yield from pool.map(_timed_task, tasks, chunksize=max(1, len(tasks) // (jobs * 8)))


def _source_text(task: Task) -> Optional[str]:
    """The checked text, for --show-source and --show-fixes (reports do not carry it back)."""
    try:
        return engine_text(task)
    except (OSError, SourceError):
        return None


def _plural(number: int, noun: str) -> str:
    return f"{noun}{'s' if number != 1 else ''}"


def _count(number: int, noun: str) -> str:
    return f"{number} {_plural(number, noun)}"


def _verbose_line(report: Report, seconds: float, fixing: bool) -> str:
    if report.internal_error is not None:
        result = "internal error"
    elif report.error is not None:
        result = "skipped"
    elif fixing:
        result = f"{report.fixed} fixed, {len(report.diagnostics)} remaining"
    else:
        result = _count(len(report.diagnostics), "diagnostic")
    if report.kept:
        result += ", kept from an earlier run"
    return f"{report.path}: {seconds * 1000:.0f} ms, {result}"


def _explain(code_or_name: str) -> int:
    """A rule's documentation, by code (``ELP101``) or name (``get-event-loop-in-worker-thread``)."""
    from flake8_asyncloop import docs
    from flake8_asyncloop.rules import ALL_RULES

    wanted = code_or_name.strip().lower()
    if wanted in (INTERNAL_ERROR_CODE.lower(), INTERNAL_ERROR_NAME):
        sys.stdout.write(docs.explain_internal_error())
        return EXIT_CLEAN
    by_key = {key: rule for rule in ALL_RULES for key in (rule.code.lower(), rule.name)}
    rule = by_key.get(wanted)
    if rule is None:
        close = difflib.get_close_matches(wanted, list(by_key), n=1)
        hint = f"did you mean {close[0]}? " if close else ""
        return _error(f"no rule {code_or_name!r}; {hint}flake8-asyncloop rules lists them")
    sys.stdout.write(docs.explain(rule))
    return EXIT_CLEAN


def _list_rules(format_name: str) -> int:
    from flake8_asyncloop import docs
    from flake8_asyncloop.rules import ALL_RULES

    if format_name == "json":
        print(json.dumps([docs.rule_record(rule) for rule in ALL_RULES], indent=2))
    else:
        print(docs.rules_listing())
    return EXIT_CLEAN


class UsageError(Exception):
    """Options or paths that cannot be used: one line, exit code 2."""


def _check_usage(arguments: argparse.Namespace) -> None:
    if arguments.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    format_name = getattr(arguments, "output_format", "text")
    if getattr(arguments, "statistics", False) and format_name not in output.STATISTICS_FORMATS:
        raise UsageError(f"--statistics cannot be used with --output-format {format_name}")
    if arguments.command == "upgrade" and "-" in arguments.paths and arguments.fix:
        raise UsageError("upgrade --fix cannot rewrite standard input: use fix - for that")


def _writes(arguments: argparse.Namespace) -> bool:
    """Whether fixed code is written (to the files, or to standard output for standard input)."""
    if arguments.command == "upgrade":
        return bool(arguments.fix)
    return arguments.command == "fix" and not (arguments.diff or arguments.check)


def _mode(arguments: argparse.Namespace) -> str:
    """The task's mode: ``upgrade`` checks, or fixes with ``--fix``."""
    if arguments.command == "upgrade":
        return "fix" if arguments.fix else "check"
    return str(arguments.command)


def _tasks(arguments: argparse.Namespace, finder: SettingsFinder) -> list[Task]:
    """A task per file, with the file's settings; standard input is read here (a SourceError if it
    is not Python text)."""
    write, mode = _writes(arguments), _mode(arguments)
    want_diff = arguments.command == "fix" and arguments.diff
    # The upgrade report says of each finding whether it has a fix, and how safe.
    attach_fixes = arguments.command == "upgrade" or getattr(arguments, "show_fixes", False) or getattr(
        arguments, "output_format", ""
    ) in ("json", "sarif")
    count_fixes = arguments.command == "check" and not arguments.quiet  # for the summary line
    tasks: list[Task] = []
    cache_directory = _cache_directory(arguments)
    for path in discover(arguments.paths, finder):
        if path == "-":
            data = read_standard_input()
            shown = arguments.stdin_filename or "-"
            settings = _standard_input_settings(finder, shown, data)
            # Excluded under force-exclude, as its name says: passed through untouched, as ruff does.
            excluded = shown != "-" and _excluded(shown, settings, named=True)
            tasks.append(Task("-", mode, settings, write, want_diff, data, shown, attach_fixes, excluded=excluded,
                              count_fixes=count_fixes))
        else:
            tasks.append(Task(path, mode, finder.for_path(path), write, want_diff, attach_fixes=attach_fixes,
                              cache_directory=cache_directory, count_fixes=count_fixes))
    return tasks


def _standard_input_settings(finder: SettingsFinder, shown: str, data: bytes) -> Settings:
    """The settings for standard input; a configuration error keeps the bytes read, for ``fix -``
    to give back (``_give_back_standard_input``)."""
    try:
        return finder.for_path(shown)
    except ConfigError as error:
        raise StandardInputError(str(error), data) from None


def _cache_directory(arguments: argparse.Namespace) -> Optional[str]:
    """Where results are kept between runs (``cache.py``), as ruff keeps its: in the directory of
    the project the paths are in (its pyproject.toml, setup.py or setup.cfg), else in the working
    directory; None with ``--no-cache``."""
    if getattr(arguments, "no_cache", False):  # clean has no --no-cache
        return None
    if arguments.cache_dir:
        return os.path.abspath(str(arguments.cache_dir))
    project = project_directory(common_directory(arguments.paths))
    return str((project or Path.cwd()) / CACHE_DIRECTORY)


class _Results:
    """The results of one ``check`` or ``fix``: each file's report printed as it comes, then the totals."""

    def __init__(self, arguments: argparse.Namespace, tasks: list[Task]) -> None:
        self.tasks = tasks
        self.fixing = arguments.command == "fix"
        self.write = _writes(arguments)
        self.verbose: bool = arguments.verbose
        self.exit_zero: bool = arguments.exit_zero
        # Options of check only; fix prints what is left as text.
        self.format_name: str = getattr(arguments, "output_format", "text")
        self.statistics: bool = getattr(arguments, "statistics", False)
        self.show_source: bool = getattr(arguments, "show_source", False)
        self.show_fixes: bool = getattr(arguments, "show_fixes", False)
        self.standard_input = any(task.data is not None for task in tasks)
        # With fixed code or a diff going to standard output, diagnostics go to standard error.
        self.messages_to_stderr = (self.write and self.standard_input) or (self.fixing and arguments.diff)
        wants_colour = output.colour_wanted(arguments.color, sys.stderr if self.messages_to_stderr else sys.stdout)
        self.style = output.COLOURED if wants_colour else output.PLAIN
        self.streamed = self.format_name in output.STREAMED_FORMATS and not self.statistics
        self.collected: list[output.Checked] = []
        self.remaining = self.fixed = self.skipped = self.failed = self.changed = 0
        self.fixable = self.fixable_unsafe = 0

    def take(self, task: Task, report: Report, seconds: float) -> None:
        if self.verbose:
            print(_verbose_line(report, seconds, self.fixing), file=sys.stderr)
        if report.error is not None:
            self.skipped += 1
            print(f"{report.path}: error: {report.error}", file=sys.stderr)
            skipped = output.Checked(report.path, [], skipped=report.error, skipped_at=report.error_at)
            if not self.streamed:
                self.collected.append(skipped)
            elif self.format_name == "github":  # the line above, as an annotation
                print(output.render_github_skipped(skipped), file=sys.stderr if self.messages_to_stderr else sys.stdout)
            self.write_code(report)  # standard input given back unchanged
            return
        if report.internal_error is not None:
            self.failed += 1
            print(f"flake8-asyncloop: internal error on {report.path}\n{report.internal_error.traceback}",
                  end="", file=sys.stderr)
        else:
            self.remaining += len(report.diagnostics)  # ELP900 is a failure, not a problem left
            self.fixable += report.fixable
            self.fixable_unsafe += report.fixable_unsafe
        self.show(task, report)
        if report.diff:
            sys.stdout.write(report.diff)
        self.write_code(report)
        self.fixed += report.fixed
        self.changed += report.changed

    def write_code(self, report: Report) -> None:
        """Standard input's code, fixed or not, to standard output (``fix -``)."""
        if report.output is not None and self.write:
            sys.stdout.flush()
            sys.stdout.buffer.write(report.output)

    def show(self, task: Task, report: Report) -> None:
        wants_text = (self.show_source or self.show_fixes) and bool(report.diagnostics)
        failure = report.internal_error.message if report.internal_error is not None else None
        checked = output.Checked(report.path, report.diagnostics, _source_text(task) if wants_text else None, failure)
        if not self.streamed:
            self.collected.append(checked)
            return
        for diagnostic in report.diagnostics:
            line = output.render(self.format_name, checked, diagnostic, self.show_source, self.show_fixes, self.style)
            # Named at each print: the progress bar redirects sys.stdout while it is shown.
            print(line, file=sys.stderr if self.messages_to_stderr else sys.stdout)

    def print_collected(self) -> None:
        """What is printed at the end: statistics, JSON or SARIF."""
        if self.statistics and self.format_name == "json":
            print(json.dumps(output.statistics_records(output.statistics(self.collected)), indent=2))
        elif self.statistics:
            counts = output.statistics(self.collected)
            if counts:
                print(output.statistics_text(counts))
        elif self.format_name == "json":
            print(json.dumps(output.json_records(self.collected), indent=2))
        elif self.format_name == "sarif":
            from flake8_asyncloop import docs

            log = output.sarif_log(self.collected, documentation_url=docs.published_rules_url())
            print(json.dumps(log, indent=2))

    def summary(self) -> str:
        summary = f"{_count(len(self.tasks), 'file')} checked, "
        if self.fixing:
            summary += f"{self.fixed} {'fixed' if self.write else 'fixable'}, {self.remaining} remaining"
            fixable = output.fixable_text(0, self.fixable_unsafe)
        else:
            summary += _count(self.remaining, "diagnostic")
            fixable = output.fixable_text(self.fixable, self.fixable_unsafe, "fix")
        if fixable:
            summary += f" ({fixable})"
        if self.skipped:
            summary += f", {self.skipped} skipped with errors"
        if self.failed:
            summary += f", {_count(self.failed, 'file')} failed ({_plural(self.failed, 'internal error')})"
        return summary

    def exit_code(self) -> int:
        if self.skipped or self.failed:
            return EXIT_PROBLEMS  # --exit-zero does not hide a file that was not checked
        if self.exit_zero:
            return EXIT_CLEAN
        if self.remaining or (self.fixing and not self.write and self.changed):
            return EXIT_PROBLEMS
        return EXIT_CLEAN


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Validate the options, build a task per file, run the tasks, report: the exit code."""
    parser = build_parser()
    if not (sys.argv[1:] if argv is None else argv):
        parser.print_help(sys.stderr)  # no command: what the commands are, as a usage error
        return EXIT_ERROR
    arguments = _parse_arguments(parser, list(sys.argv[1:] if argv is None else argv))
    answered = _answer_without_files(arguments)
    if answered is not None:
        return answered
    missing = _drop_missing_paths(arguments)
    if missing and not arguments.paths:
        return EXIT_ERROR
    try:
        finder = settings_finder(arguments)
        _check_usage(arguments)
        tasks = _tasks(arguments, finder)
        if arguments.command == "upgrade":
            oldest = _oldest_target(arguments, tasks, finder)
    except (ConfigError, UsageError, SourceError) as error:
        _give_back_standard_input(arguments, error)
        return _error(str(error))
    if arguments.command == "upgrade":
        code = _upgrade(arguments, oldest, tasks)
    else:
        code = _report(arguments, _execute(arguments, tasks))
    return EXIT_ERROR if missing else code  # the most severe


def _parse_arguments(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    """``argv`` parsed; where argparse rejects it (exit 2, its message on standard error), ``fix -``
    as a filter still gives its input back, as for any other usage error."""
    try:
        return parser.parse_args(argv)
    except SystemExit as rejected:
        if rejected.code == EXIT_ERROR and _filters_standard_input(argv):
            _echo_standard_input(None)
        raise


def _filters_standard_input(argv: list[str]) -> bool:
    """Whether ``argv``, which argparse rejected, asks ``fix`` to write fixed standard input:
    read from the words themselves, as there are no parsed options to ask."""
    return bool(argv) and argv[0] == "fix" and "-" in argv[1:] and not {"--diff", "--check"} & set(argv[1:])


def _error(message: str) -> int:
    """A usage or configuration error: one line on standard error, and its exit code."""
    print(f"flake8-asyncloop: error: {message}", file=sys.stderr)
    return EXIT_ERROR


def _drop_missing_paths(arguments: argparse.Namespace) -> bool:
    """Each named path that does not exist: an error line, and left out (the others are still
    checked, and the exit code is 2). Whether there was one."""
    missing = [path for path in arguments.paths if path != "-" and not os.path.exists(path)]
    for path in missing:
        _error(f"{path}: no such file or directory")
    arguments.paths = [path for path in arguments.paths if path not in missing]
    return bool(missing)


def _give_back_standard_input(arguments: argparse.Namespace, error: Exception) -> None:
    """``fix -`` is an editor's filter: when it cannot give the fixed code, its input comes back
    out unchanged (the error goes to standard error), or the editor's buffer would be emptied."""
    if arguments.command == "fix" and _writes(arguments) and "-" in arguments.paths:
        _echo_standard_input(error.data if isinstance(error, StandardInputError) else None)


def _echo_standard_input(data: Optional[bytes]) -> None:
    """``data`` (standard input, already read), or what is left to read of it, to standard output."""
    if data is None:
        if sys.stdin is None:
            return
        data = sys.stdin.buffer.read()
    sys.stdout.buffer.write(data)
    sys.stdout.flush()


def _answer_without_files(arguments: argparse.Namespace) -> Optional[int]:
    """The exit code of ``explain``, ``rules``, ``server`` and ``clean``, which check no files; None otherwise."""
    if arguments.command == "explain":
        return _explain(arguments.code)
    if arguments.command == "rules":
        return _list_rules(arguments.output_format)
    if arguments.command == "server":
        return _serve()
    if arguments.command == "clean":
        return _clean(arguments)
    return None


def _clean(arguments: argparse.Namespace) -> int:
    """Delete the cache folders a run over PATHS would use, and any under PATHS (only folders
    holding our CACHEDIR.TAG); one line per folder on standard error."""
    missing = [path for path in arguments.paths if not os.path.exists(path)]
    if missing:
        return _error(f"{missing[0]}: no such file or directory")
    roots = [os.path.abspath(str(arguments.cache_dir))] if arguments.cache_dir else list(arguments.paths)
    found = set(cache_directories(roots))
    default = _cache_directory(arguments)
    if not arguments.cache_dir and default is not None and is_cache_directory(default):
        found.add(default)
    for directory in sorted(found):
        shutil.rmtree(directory)
        print(f"removed {directory}", file=sys.stderr)
    if not found:
        print("no cache folder found", file=sys.stderr)
    return EXIT_CLEAN


def _execute(arguments: argparse.Namespace, tasks: list[Task]) -> "_Results":
    """Run the tasks, taking each report into the results as it comes."""
    results = _Results(arguments, tasks)
    _run_with_progress(arguments, tasks, results.take, results.standard_input)
    return results


def _run_with_progress(
    arguments: argparse.Namespace, tasks: list[Task], take: Callable[[Task, Report, float], None], standard_input: bool
) -> None:
    """Run the tasks (in worker processes when there are enough), with a progress bar, and hand
    each report to ``take`` in input order."""
    # No bar when standard input is involved: fixed bytes go to the real stdout's buffer.
    show_bar = output.progress_wanted(sys.stderr) and not (arguments.quiet or arguments.verbose or standard_input)
    # One run: the project's files stay put meanwhile (``projectfiles.files_stay_put``).
    with output.ProgressDisplay(len(tasks), show_bar) as progress, files_stay_put():
        for task, (report, seconds) in zip(tasks, _run(tasks, arguments.jobs)):
            progress.advance()
            take(task, report, seconds)


def _report(arguments: argparse.Namespace, results: "_Results") -> int:
    """Print what was found (and the summary line), and give the exit code."""
    results.print_collected()
    if not arguments.quiet:
        print(results.summary(), file=sys.stderr)
    return results.exit_code()


def _oldest_target(arguments: argparse.Namespace, tasks: list[Task], finder: SettingsFinder) -> int:
    """The oldest target of any file (none: of the paths given), where the upgrade report starts."""
    named = [(task.display_path or task.path, task.settings) for task in tasks]
    if not named:
        named = [(path, finder.for_path(path)) for path in arguments.paths]
    return min(min(settings.for_file(path).targets.minors) for path, settings in named)


def _upgrade(arguments: argparse.Namespace, oldest: int, tasks: list[Task]) -> int:
    """Run the tasks over the range up to the horizon, then print the report: the exit code."""
    report = upgrade.UpgradeReport(oldest, arguments.to, files=len(tasks))

    def take(task: Task, result: Report, seconds: float) -> None:
        if arguments.verbose:
            print(_verbose_line(result, seconds, arguments.fix), file=sys.stderr)
        _take_upgrade(report, result)

    # upgrade writes no fixed code to standard output (--fix refuses "-"): the bar may show.
    _run_with_progress(arguments, tasks, take, standard_input=False)
    if arguments.output_format == "json":
        print(json.dumps(upgrade.json_report(report), indent=2))
    elif arguments.output_format == "markdown":
        sys.stdout.write(upgrade.render_markdown(report))
    else:
        sys.stdout.write(upgrade.render_text(report))
    if arguments.exit_zero and not (report.skipped or report.failed):
        return EXIT_CLEAN
    return report.exit_code()


def _take_upgrade(report: upgrade.UpgradeReport, result: Report) -> None:
    if result.error is not None:
        report.skipped.append((result.path, result.error))
    elif result.internal_error is not None:
        report.failed.append((result.path, result.internal_error.message))
    else:
        report.add(result.path, result.diagnostics)
    report.fixed += result.fixed


def _serve() -> int:
    try:
        from flake8_asyncloop.server import serve
    except ImportError as error:
        if (error.name or "").partition(".")[0] not in {"pygls", "lsprotocol", "cattrs"}:
            raise
        return _error("the language server needs pygls: pip install 'flake8-asyncloop[lsp]'")
    serve()
    return EXIT_CLEAN


def run() -> None:
    sys.exit(main())
