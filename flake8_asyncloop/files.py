"""Reading, checking, fixing and writing one file: what the command does per path, in its own
processes (the main one, or a worker of its pool), which is why the engine runs as their ``OWNER``."""

from __future__ import annotations

import ast
import difflib
import io
import os
import stat
import sys
import tempfile
import tokenize
from dataclasses import dataclass, field, replace
from typing import Optional

from flake8_asyncloop.cache import Cache, Entry, FixCounts, settings_key
from flake8_asyncloop.config import ConfigError, FileSettings, Settings
from flake8_asyncloop.engine.bom import bom_of, without_bom
from flake8_asyncloop.engine.diagnostics import Diagnostic, FixResult
from flake8_asyncloop.engine.internal import INTERNAL_ERROR_CODE, InternalError, raise_internal_errors
from flake8_asyncloop.engine.projectfiles import Reading, reading
from flake8_asyncloop.engine.sieve import some_rule_may_find
from flake8_asyncloop.engine import cpython


@dataclass(frozen=True)
class Task:
    path: str  # as shown to the user; "-" for standard input
    mode: str  # "check" or "fix"
    settings: Settings
    write: bool = True  # fix: write changed files (not with --diff or --check)
    want_diff: bool = False
    data: Optional[bytes] = None  # standard input's bytes
    display_path: Optional[str] = None  # --stdin-filename
    attach_fixes: bool = False  # check: give each diagnostic its fix (SARIF, JSON, --show-fixes)
    # check: count the fixes of a file's diagnostics, for the summary line (with findings, the
    # file is analysed once more, with fixes, unless they are attached already)
    count_fixes: bool = False
    cache_directory: Optional[str] = None  # results kept between runs (``cache.py``); None: not kept
    excluded: bool = False  # standard input whose name force-exclude excludes: passed through as it is


@dataclass
class Report:
    path: str
    diagnostics: list[Diagnostic] = field(default_factory=list)  # what is left to report
    fixed: int = 0
    changed: bool = False
    output: Optional[bytes] = None  # the fixed bytes of standard input
    diff: str = ""
    error: Optional[str] = None  # one line: why the file was skipped
    error_at: tuple[int, int] = (1, 0)  # where: a syntax error's line and column (0-based), else the start
    internal_error: Optional[InternalError] = None  # the engine failed on the file (a bug of ours)
    kept: bool = False  # the diagnostics are those kept from an earlier run (``cache.py``)
    fixable: int = 0  # of the diagnostics, how many have a fix that fix applies (as the file's settings say)
    fixable_unsafe: int = 0  # how many have a fix that only --unsafe-fixes applies


class SourceError(Exception):
    """A file we cannot read as Python text: the message says why, in one line; ``at`` where in
    the file, when that is known (line, 0-based column)."""

    def __init__(self, message: str, at: tuple[int, int] = (1, 0)) -> None:
        super().__init__(message)
        self.at = at


class StandardInputError(SourceError):
    """Standard input that cannot be checked (not Python text, a broken configuration for it);
    ``data`` are its bytes, for ``fix -`` to give back."""

    def __init__(self, message: str, data: bytes) -> None:
        super().__init__(message)
        self.data = data


def decode(data: bytes) -> tuple[str, str]:
    """The text and its encoding, as Python itself reads a source file (BOM, coding cookie)."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        # Decoded as plain UTF-8, a BOM stays in the text, to be written back as it was.
        text = data.decode("utf-8" if encoding == "utf-8-sig" else encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError) as error:
        raise SourceError(f"cannot decode: {error}") from None
    if "\0" in text:
        raise SourceError("cannot decode: it contains a null byte, as binary data does")
    return text, encoding


def read_standard_input() -> bytes:
    """Standard input's bytes, if they are Python text; else a one-line SourceError."""
    if sys.stdin is None:
        raise SourceError("standard input is closed")
    data = sys.stdin.buffer.read()
    try:
        decode(data)
    except SourceError as error:
        raise StandardInputError(f"standard input is not Python source text ({error})", data) from None
    return data


def encode(text: str, encoding: str) -> bytes:
    return text.encode("utf-8" if encoding == "utf-8-sig" else encoding)


class NotRewritten(Exception):
    """A file that needs changes we will not write: the message says why, in one line."""


def write_atomically(path: str, data: bytes, mode: int) -> None:
    """Replace ``path`` with ``data``: a temporary file in the same directory, then a rename,
    so a crash leaves the old file or the new one, never a truncated one. ``mode`` is kept.

    A killed run can leave the temporary file behind; its name starts with a dot and ends in
    ``.tmp``, so it is never taken for a source file."""
    directory = os.path.dirname(os.path.abspath(path))
    descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=".flake8-asyncloop-", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode & 0o7777)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


@dataclass(frozen=True)
class _Source:
    data: bytes
    read_status: Optional[os.stat_result]  # when the file was read; None for standard input
    text: str  # decoded, with its BOM if it has one
    encoding: str

    @property
    def body(self) -> str:
        """What the engine sees: the text without a BOM."""
        return without_bom(self.text)


def run_task(task: Task) -> Report:
    """Check or fix one file. Never raises for a bad file, nor for an engine failure on it: the
    report carries a one-line error, or the internal error."""
    report = Report(task.display_path or task.path)
    if task.excluded:
        report.output = task.data
        return report
    try:
        source = _load(task)
        settings = task.settings.for_file(report.path)
        kept = _Kept.of(task, source.data, settings)
        if kept is not None and kept.entry is not None and kept.answers(task):
            report.diagnostics, report.kept = kept.entry.diagnostics, True
            _count_fixable(report, kept.entry.fix_counts, settings.unsafe_fixes)
            return report
        tree = _parse(source.body)
        try:
            with reading() as read:
                result, fix_counts = _run_engine(task, settings, source.body, tree)
        except Exception as error:  # a bug of ours: reported on the file, and the run goes on
            if raise_internal_errors():
                raise
            return _failed(task, report, source, error)
        if kept is not None and task.mode == "check":
            kept.store(Entry(result.remaining, fix_counts), read)
        report.diagnostics = result.remaining
        _count_fixable(report, fix_counts, settings.unsafe_fixes)
        if task.mode == "fix":
            _apply(task, report, source, result)
    except SourceError as error:
        report.error, report.error_at = str(error), error.at
    except ConfigError as error:
        report.error = str(error)
    except NotRewritten as error:
        report.error = f"not rewritten: {error}"
    except OSError as error:
        report.error = f"cannot write: {_describe(error)}" if report.changed else f"cannot read: {_describe(error)}"
    if report.error is not None and task.data is not None:
        report.output = task.data  # fix's filter mode gives its input back: an editor's buffer stays
    return report


@dataclass
class _Kept:
    """What an earlier run kept for the task's file (``cache.py``), or None."""

    cache: Cache
    path: str
    data: bytes
    key: str
    entry: Optional[Entry]

    @classmethod
    def of(cls, task: Task, data: bytes, settings: FileSettings) -> "Optional[_Kept]":
        """None where nothing is kept: standard input, and checks whose diagnostics carry fixes."""
        if task.cache_directory is None or task.data is not None or task.attach_fixes:
            return None
        cache = Cache(task.cache_directory)
        key = settings_key(settings)
        return cls(cache, task.path, data, key, cache.lookup(task.path, data, key))

    def answers(self, task: Task) -> bool:
        """Whether what is kept answers the task: a check (whose fixes were counted, if it counts
        them), or a fix where nothing was reported, so nothing is to be fixed."""
        if self.entry is None:
            return False
        if task.mode == "fix":
            return not self.entry.diagnostics
        return not (task.count_fixes and self.entry.diagnostics and self.entry.fix_counts is None)

    def store(self, entry: Entry, read: Reading) -> None:
        self.cache.store(self.path, self.data, self.key, entry, read)


def engine_text(task: Task) -> str:
    """The task's file as the engine sees it: decoded, without a BOM. OSError or SourceError when
    it cannot be read."""
    return _load(task).body


def _load(task: Task) -> _Source:
    if task.data is not None:
        data, read_status = task.data, None
    else:
        data, read_status = _read(task.path)
    text, encoding = decode(data)
    return _Source(data, read_status, text, encoding)


def _parse(body: str) -> Optional[ast.Module]:
    """CPython's tree of ``body``; None for syntax newer than this Python that libcst's parser
    reads (the engine then works from libcst's tree alone)."""
    try:
        return cpython.parse(body)
    except (SyntaxError, ValueError) as error:
        from flake8_asyncloop.engine.checker import newer_syntax_candidate
        from flake8_asyncloop.engine.process import OWNER

        if isinstance(error, SyntaxError) and newer_syntax_candidate(body, OWNER):
            return None
        line = getattr(error, "lineno", None)
        where = f" (line {line})" if line else ""
        raise SourceError(f"cannot parse{where}: {getattr(error, 'msg', error)}", _error_at(error)) from None
    except (RecursionError, MemoryError):
        raise SourceError("cannot parse: nested too deeply") from None


def _error_at(error: Exception) -> tuple[int, int]:
    """A syntax error's line and 0-based column (CPython's ``offset`` is 1-based), where it says."""
    line, offset = getattr(error, "lineno", None), getattr(error, "offset", None)
    if not line:
        return 1, 0
    return line, max(0, (offset or 1) - 1)


def _run_engine(
    task: Task, settings: FileSettings, body: str, tree: Optional[ast.Module]
) -> tuple[FixResult, Optional[FixCounts]]:
    """The engine's answer for the file (for ``check``, its diagnostics with nothing applied),
    and the fixes of the diagnostics left, counted (None when a check does not count them)."""
    path = task.display_path or task.path
    with_fixes = task.attach_fixes or task.count_fixes
    if tree is not None and not some_rule_may_find(body, tree, path):
        # As the engine would answer, without loading the rules and libcst: most files of a
        # pre-commit run or a project hold no loop API.
        return FixResult(body, 0, []), ((0, 0) if task.mode == "fix" or with_fixes else None)
    from flake8_asyncloop.engine.fixer import fix_source, reported
    from flake8_asyncloop.engine.process import OWNER

    # The command owns its process: the engine may tune it (process.OWNER).
    if task.mode == "fix":
        result = fix_source(
            body, settings.targets, settings.rules, unsafe=settings.unsafe_fixes, tree=tree, process=OWNER, path=path
        )
        return result, _fix_counts(result.remaining)
    # What fix would do is counted from the fixes of the whole module's analysis. Most files that
    # pass the sieve have findings, so where a check counts fixes that analysis is its only one,
    # instead of following the focused one (``reported``) wherever there were findings.
    found = reported(body, settings.targets, settings.rules, fixes=with_fixes, tree=tree, process=OWNER, path=path)
    shown = found if task.attach_fixes else [replace(diagnostic, fix=None) for diagnostic in found]
    return FixResult(body, 0, shown), _fix_counts(found) if with_fixes else None


def _fix_counts(diagnostics: list[Diagnostic]) -> FixCounts:
    safe = sum(1 for diagnostic in diagnostics if diagnostic.fix is not None and diagnostic.fix.safe)
    return safe, sum(1 for diagnostic in diagnostics if diagnostic.fix is not None) - safe


def _count_fixable(report: Report, counts: Optional[FixCounts], unsafe_fixes: bool) -> None:
    """What fix would do about the report's diagnostics, with the file's ``unsafe-fixes`` setting."""
    if counts is not None:
        safe, unsafe = counts
        report.fixable, report.fixable_unsafe = (safe + unsafe, 0) if unsafe_fixes else (safe, unsafe)


def _failed(task: Task, report: Report, source: _Source, error: Exception) -> Report:
    """The engine failed on the file: ELP900 on it (unless deselected; the file counts as failed
    either way), and nothing changed."""
    report.internal_error = InternalError.of(error)
    if task.settings.rule_selected(INTERNAL_ERROR_CODE):
        report.diagnostics = [report.internal_error.diagnostic()]
    if task.data is not None:
        report.output = source.data  # fix's filter mode gives its input back: an editor's buffer stays
    return report


def _apply(task: Task, report: Report, source: _Source, result: FixResult) -> None:
    """Record what fixing did, and write it: to the file, to the diff, or back to standard output."""
    report.fixed = result.applied
    report.changed = result.source != source.body
    if task.data is not None:
        report.output = source.data  # standard input comes back out, changed or not
    if not report.changed:
        return
    new_text = bom_of(source.text) + result.source
    if task.want_diff:
        report.diff = "".join(
            difflib.unified_diff(
                source.text.splitlines(keepends=True), new_text.splitlines(keepends=True), report.path, report.path
            )
        )
    new_data = encode(new_text, source.encoding)
    if task.data is not None:
        report.output = new_data
    elif task.write and source.read_status is not None:
        _write_fixed(task.path, source.read_status, new_data)


def _describe(error: OSError) -> str:
    return error.strerror or str(error)


def _read(path: str) -> tuple[bytes, os.stat_result]:
    """The bytes of a regular file, and its status when they were read."""
    if not stat.S_ISREG(os.stat(path).st_mode):
        # A FIFO would block the run forever, a device could be endless.
        raise SourceError("not a regular file")
    with open(path, "rb") as stream:
        return stream.read(), os.fstat(stream.fileno())


def _write_fixed(path: str, read_status: os.stat_result, new_data: bytes) -> None:
    """Write the fixed bytes over the file that was read, unless that could lose or misplace data."""
    current = os.lstat(path)
    if stat.S_ISLNK(current.st_mode):
        # Replacing the link would cut it; writing through it changes a file elsewhere.
        raise NotRewritten("it is a symbolic link; fix the file it points to")
    if not current.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(path, os.W_OK):
        raise NotRewritten("the file is read-only")
    unchanged = (current.st_ino, current.st_size, current.st_mtime_ns) == (
        read_status.st_ino, read_status.st_size, read_status.st_mtime_ns
    )
    if not unchanged:
        # Another program (or a second run) wrote it meanwhile: never overwrite their version,
        # unless it is already exactly ours.
        with open(path, "rb") as stream:
            if stream.read() == new_data:
                return
        raise NotRewritten("it changed on disk while being fixed")
    write_atomically(path, new_data, current.st_mode)
