"""The command's results kept between runs, in ``.flake8-asyncloop-cache/`` (``--no-cache`` to
do without, ``--cache-dir`` to put it elsewhere).

A ``check`` of a file is kept with everything its answer depends on: the file's bytes; what the
engine was given for it (target versions, rules); the engine itself (its version, and the size
and time of each of its modules, so that a development checkout never gets an older engine's
answer); and what the analysis read of the project's other files (``projectfiles.Reading``: each
module read, each module looked for, each package's scanned facts, the console scripts). A later
run gives the kept diagnostics where all of these are as they were, and analyses the file where
one is not: after one module changes, that module is analysed again with the modules whose
answers read it, and no other.

Entries are JSON, never pickle (a cache directory may come from anywhere): one file per checked
file, written whole or not at all. An entry that cannot be read, or that is for other settings or
another engine, is ignored and replaced. The directory holds a ``CACHEDIR.TAG`` and a
``.gitignore`` of ``*``, as ruff's does, so backups and git leave it out.
"""

from __future__ import annotations

import functools
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import flake8_asyncloop
from flake8_asyncloop import __version__
from flake8_asyncloop.config import FileSettings
from flake8_asyncloop.engine.diagnostics import Diagnostic
from flake8_asyncloop.engine.entrypoints import console_scripts
from flake8_asyncloop.engine.projectfiles import Place, Reading, content_digest, project_directory, scan_digest
from flake8_asyncloop.engine.timeline import Effect, Stage, Timeline

CACHE_DIRECTORY = ".flake8-asyncloop-cache"
_FORMAT = 2  # 2: diagnostics keep their end; the fixes are counted
_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by flake8-asyncloop.\n"
    "# For information about cache directory tags, see: https://bford.info/cachedir/\n"
)


@functools.lru_cache(maxsize=1)
def engine_fingerprint() -> str:
    """This engine: its version, and the size and modification time of each of its modules."""
    package = Path(flake8_asyncloop.__file__).parent
    parts = [__version__]
    for path in sorted(package.rglob("*.py")):
        status = path.stat()
        parts.append(f"{path.relative_to(package)}\0{status.st_size}\0{status.st_mtime_ns}")
    return content_digest("\n".join(parts).encode())


def settings_key(settings: FileSettings) -> str:
    """What the engine is given for a file, as far as a ``check`` without fixes reads it."""
    codes = ",".join(settings.codes)
    minors = ",".join(str(minor) for minor in sorted(settings.targets.minors))
    return f"{engine_fingerprint()}|{minors}|{codes}|{settings.show_internal_errors}"


# Of a file's diagnostics: how many have a safe fix, and how many an unsafe one.
FixCounts = tuple[int, int]


@dataclass(frozen=True)
class Entry:
    """What is kept of a file's check."""

    diagnostics: list[Diagnostic]
    fix_counts: Optional[FixCounts]  # None: not counted (a run with no summary line)


@dataclass(frozen=True)
class Cache:
    directory: str

    def lookup(self, path: str, data: bytes, key: str) -> Optional[Entry]:
        """What is kept for the file at ``path`` with these bytes and settings, if all the
        analysis read of other files is as it was; None otherwise."""
        try:
            with open(self._entry(path), encoding="utf-8") as stream:
                entry = json.load(stream)
            if entry.get("format") != _FORMAT or entry.get("key") != key or entry.get("digest") != content_digest(data):
                return None
            if not _still_as_read(entry["read"]):
                return None
            counts = entry["fix_counts"]
            return Entry(
                [_diagnostic(record) for record in entry["diagnostics"]],
                None if counts is None else (int(counts[0]), int(counts[1])),
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None  # none kept, or unreadable: analysed again, and kept anew

    def store(
        self, path: str, data: bytes, key: str, kept: Entry, read: Reading
    ) -> None:
        """Keep what a check found in the file at ``path``; a cache that cannot be written is skipped."""
        entry = {
            "format": _FORMAT,
            "path": os.path.abspath(path),
            "key": key,
            "digest": content_digest(data),
            "read": {kind: getattr(read, kind) for kind in Reading.__slots__},
            "diagnostics": [_record(diagnostic) for diagnostic in kept.diagnostics],
            "fix_counts": None if kept.fix_counts is None else list(kept.fix_counts),
        }
        try:
            self._prepare()
            target = self._entry(path)
            temporary = f"{target}.{os.getpid()}.tmp"
            with open(temporary, "w", encoding="utf-8") as stream:
                json.dump(entry, stream)
            os.replace(temporary, target)
        except OSError:
            pass  # a read-only checkout, a full disk: the run goes on without keeping it

    def _entry(self, path: str) -> str:
        name = content_digest(os.path.abspath(path).encode("utf-8", "surrogateescape"))[:40]
        return os.path.join(self.directory, f"{name}.json")

    def _prepare(self) -> None:
        if os.path.isdir(self.directory):
            return
        os.makedirs(self.directory, exist_ok=True)
        for name, text in (("CACHEDIR.TAG", _TAG), (".gitignore", "# Made by flake8-asyncloop.\n*\n")):
            with open(os.path.join(self.directory, name), "w", encoding="utf-8") as stream:
                stream.write(text)


def is_cache_directory(directory: str) -> bool:
    """Whether ``directory`` is one this command made: it holds our ``CACHEDIR.TAG``."""
    try:
        with open(os.path.join(directory, "CACHEDIR.TAG"), encoding="utf-8") as stream:
            return stream.read() == _TAG
    except (OSError, UnicodeDecodeError):
        return False


def cache_directories(roots: list[str]) -> list[str]:
    """Every cache directory at or under ``roots`` (as ``ruff clean`` finds its own), sorted; a
    directory that is not ours, whatever its name, is never among them."""
    found: set[str] = set()
    for root in roots:
        if os.path.basename(os.path.normpath(root)) == CACHE_DIRECTORY or is_cache_directory(root):
            found.add(root)
            continue
        for current, directories, _ in os.walk(root):
            if CACHE_DIRECTORY in directories:
                found.add(os.path.normpath(os.path.join(current, CACHE_DIRECTORY)))
                directories.remove(CACHE_DIRECTORY)
    return sorted(path for path in found if is_cache_directory(path))


def _still_as_read(read: dict[str, Any]) -> bool:
    """Whether every file the analysis read is as it was: each module's bytes, each lookup's
    answer, each package's facts, each project's console scripts."""
    for path, digest in read["modules"].items():
        try:
            with open(path, "rb") as stream:
                if content_digest(stream.read()) != digest:
                    return False
        except OSError:
            return False
    for key, found in read["lookups"].items():
        root, _, dotted = key.partition("\0")
        located = Place(Path(root), "", False).find(dotted)
        if str(located or "") != found:
            return False
    for root, directory in read["projects"].items():
        if str(project_directory(Path(root)) or "") != directory:
            return False
    if any(scan_digest(directory) != digest for directory, digest in read["scans"].items()):
        return False
    return all(sorted(console_scripts(Path(directory))) == scripts for directory, scripts in read["scripts"].items())


def _record(diagnostic: Diagnostic) -> dict[str, Any]:
    timeline = diagnostic.timeline
    return {
        "line": diagnostic.line,
        "column": diagnostic.column,
        "end": None if diagnostic.end is None else list(diagnostic.end),
        "code": diagnostic.code,
        "message": diagnostic.message,
        "timeline": None if timeline is None else {
            "stages": [[stage.since, stage.effect.value, stage.consequence] for stage in timeline.stages],
            "reached": None if timeline.reached is None else sorted(timeline.reached),
        },
    }


def _diagnostic(record: dict[str, Any]) -> Diagnostic:
    kept = record["timeline"]
    timeline = None if kept is None else Timeline(
        tuple(Stage(since, Effect(effect), consequence) for since, effect, consequence in kept["stages"]),
        None if kept["reached"] is None else frozenset(kept["reached"]),
    )
    end = None if record["end"] is None else (record["end"][0], record["end"][1])
    return Diagnostic(record["line"], record["column"], record["code"], record["message"], timeline=timeline, end=end)
