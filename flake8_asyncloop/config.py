"""``[tool.flake8-asyncloop]`` in pyproject.toml, merged with the command line (which wins).

Each file gets the table of the nearest pyproject.toml above it that has one, as ruff does, so a
file's settings never depend on which other files share its run (pre-commit batches files at
random). ``--config FILE`` names one table for every file instead. Patterns (``exclude``,
``per-file-ignores``) are read as flake8 reads them: one without a slash matches a file's or a
directory's name, one with a slash the path from the table's directory (an option's: the working
directory)."""

from __future__ import annotations

import dataclasses
import fnmatch
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Sequence, Union

from flake8_asyncloop.engine.declared import EVERY_RULE_CODES
from flake8_asyncloop.engine.internal import INTERNAL_ERROR_CODE
from flake8_asyncloop.engine.pyproject import SECTION, PyprojectError, Table, nearest_table, read_current, tool_table
from flake8_asyncloop.engine.versions import (
    TargetVersionError,
    TargetVersions,
    resolve_target_versions,
    table_target_version,
    up_to,
)

if TYPE_CHECKING:
    from flake8_asyncloop.rules import Rule

KNOWN_KEYS = {
    "select", "extend-select", "ignore", "extend-ignore", "per-file-ignores", "target-version", "exclude",
    "force-exclude", "unsafe-fixes",
}
# Never descended into when walking a directory (an explicitly named file is checked unless
# force-exclude is on).
DEFAULT_EXCLUDES = (
    ".git", ".hg", ".svn", ".bzr", ".venv", "venv", ".tox", ".nox", ".eggs", "*.egg-info", "build",
    "dist", "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".flake8-asyncloop-cache", "node_modules",
    "__pypackages__",
)
# Codes as an option gives them: one comma- or space-separated string, or a list (from Python code).
Codes = Union[str, Sequence[str]]
# (pattern, codes): the codes never reported in files the pattern matches.
PerFileIgnores = tuple[tuple[str, tuple[str, ...]], ...]


class ConfigError(ValueError):
    """Configuration that cannot be used; the message names the file or option."""


@dataclass(frozen=True)
class FileSettings:
    """What the engine is given for one file."""

    targets: TargetVersions
    codes: tuple[str, ...]  # of the rules to run, in order
    unsafe_fixes: bool
    show_internal_errors: bool  # ELP900 selected

    @property
    def rules(self) -> "tuple[Rule, ...]":
        """The rules to run. Loading them loads libcst: asked only for a file that may hold a finding."""
        from flake8_asyncloop.rules import RULES_BY_CODE

        return tuple(RULES_BY_CODE[code] for code in self.codes)


def _matches(path: str, pattern: str) -> bool:
    """flake8's rule: a pattern without a slash matches the name, any pattern the absolute path
    (patterns with a slash are made absolute where they are read, ``absolute_pattern``)."""
    return fnmatch.fnmatch(os.path.basename(path), pattern) or fnmatch.fnmatch(path, pattern)


def absolute_pattern(pattern: str, root: str) -> str:
    """A pattern as it is matched: with a slash, from ``root`` (its table's directory); else as written."""
    if "/" not in pattern.replace(os.sep, "/"):
        return pattern
    return os.path.normpath(os.path.join(root, pattern))


@dataclass(frozen=True)
class Settings:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    target_version: Optional[str] = None
    exclude: tuple[str, ...] = field(default=())  # patterns, made absolute (``absolute_pattern``)
    unsafe_fixes: bool = False
    # The upgrade report's horizon: the targets run from the oldest one up to 3.<horizon>.
    horizon: Optional[int] = None
    extend_select: tuple[str, ...] = ()
    extend_ignore: tuple[str, ...] = ()
    per_file_ignores: PerFileIgnores = ()  # patterns made absolute
    force_exclude: bool = False  # exclude applies to paths named on the command line too
    root: str = ""  # where the settings come from: the table's directory ("" for none)
    # Whether a file's own table may give its target-version: not with --config, which names one.
    nearest_tables: bool = True

    def rule_selected(self, code: str, path: Optional[str] = None) -> bool:
        """Whether ``code`` is reported (in the file at ``path``, for per-file-ignores)."""
        selected = not self.select or any(code.startswith(prefix) for prefix in (*self.select, *self.extend_select))
        return selected and not any(code.startswith(prefix) for prefix in self.ignored_in(path))

    def ignored_in(self, path: Optional[str]) -> tuple[str, ...]:
        """The codes and prefixes never reported in the file at ``path``."""
        ignored = (*self.ignore, *self.extend_ignore)
        if path is None or path == "-" or not self.per_file_ignores:
            return ignored
        location = os.path.abspath(path)
        return ignored + tuple(
            code for pattern, codes in self.per_file_ignores if _matches(location, pattern) for code in codes
        )

    def selected_codes(self, path: Optional[str] = None) -> tuple[str, ...]:
        """The codes of the rules to run: selected, and not ignored (ELP900 is not a rule: ask
        rule_selected)."""
        return tuple(code for code in EVERY_RULE_CODES if self.rule_selected(code, path))

    def overridden_by(self, **options: Any) -> "Settings":
        """These settings (from pyproject.toml) with each option given (not None) winning, as an
        option on the command line or the codemod's does: any field of Settings by name."""
        given = {name: value for name, value in options.items() if value is not None}
        if "target_version" in given and not given["target_version"]:
            del given["target_version"]
        return dataclasses.replace(self, **given)

    def excludes(self, path: str) -> bool:
        """Whether the file or directory at ``path`` (absolute) is excluded by name or pattern."""
        return any(_matches(path, pattern) for pattern in (*DEFAULT_EXCLUDES, *self.exclude))

    def for_file(self, path: Optional[str]) -> FileSettings:
        """These settings for the file at ``path`` (no path: one in the working directory), its
        targets found as every adapter finds them (``resolve_target_versions``)."""
        try:
            targets = resolve_target_versions(self.target_version, path or "", self.nearest_tables)
        except TargetVersionError as error:
            raise ConfigError(str(error)) from None
        return FileSettings(
            targets=targets if self.horizon is None else up_to(targets, self.horizon),
            codes=self.selected_codes(path),
            unsafe_fixes=self.unsafe_fixes,
            show_internal_errors=self.rule_selected(INTERNAL_ERROR_CODE, path),
        )


class SettingsFinder:
    """Each file's settings: the table of the nearest pyproject.toml above it (or of the one
    ``config_file``), with the options given here winning. Tables are read once per finder."""

    def __init__(self, config_file: Optional[str] = None, **options: Any) -> None:
        self._options = options
        self._fixed: Optional[Settings] = None
        if config_file is not None:
            explicit = dataclasses.replace(load_settings(_explicit_table(config_file)), nearest_tables=False)
            self._fixed = self._overridden(explicit)
        self._by_table: dict[Optional[str], Settings] = {}

    def _overridden(self, settings: Settings) -> Settings:
        return settings.overridden_by(**self._options)

    def for_directory(self, directory: str) -> Settings:
        """The settings for files in ``directory``."""
        if self._fixed is not None:
            return self._fixed
        try:
            table = nearest_table(directory)
        except PyprojectError as error:
            raise ConfigError(str(error)) from None
        key = table.path if table is not None else None
        if key not in self._by_table:
            self._by_table[key] = self._overridden(load_settings(table))
        return self._by_table[key]

    def for_path(self, path: Optional[str]) -> Settings:
        """The settings for the file at ``path`` (None or "-": one in the working directory)."""
        if path is None or path == "-":
            return self.for_directory(os.getcwd())
        return self.for_directory(os.path.dirname(os.path.abspath(path)))


def _explicit_table(config_file: str) -> Table:
    """``--config FILE``: its ``[tool.flake8-asyncloop]`` table; a file without one is an error,
    not a silent fall-back to the defaults."""
    try:
        table = tool_table(read_current(config_file))
    except PyprojectError as error:
        raise ConfigError(f"--config {error}") from None
    if table is None:
        raise ConfigError(f"--config {config_file}: has no [tool.{SECTION}] table")
    return Table(os.path.abspath(config_file), table)


def split_list(value: str) -> list[str]:
    """A comma- or space-separated list, as options and pyproject.toml strings write one."""
    return value.replace(",", " ").split()


def validate_codes(codes: Sequence[str], where: str) -> tuple[str, ...]:
    """Rule codes or prefixes (``ELP1``), or ELP900; anything matching none of them is an error."""
    known = [*EVERY_RULE_CODES, INTERNAL_ERROR_CODE]
    cleaned = []
    for code in codes:
        code = code.strip().upper()
        if not code:
            continue
        if not any(k.startswith(code) for k in known):
            raise ConfigError(f"{where}: unknown rule code {code!r} (known: {', '.join(known)})")
        cleaned.append(code)
    return tuple(cleaned)


def option_codes(codes: Optional[Codes], where: str) -> Optional[tuple[str, ...]]:
    """An option's codes, validated; None when the option is not given (the configuration's apply)."""
    if codes is None:
        return None
    return validate_codes(split_list(codes) if isinstance(codes, str) else codes, where)


def option_per_file_ignores(value: Optional[str], root: str) -> Optional[PerFileIgnores]:
    """``--per-file-ignores`` as flake8 writes it: ``"tests/*:ELP101,ELP105 a.py,b.py:ELP1"``
    (entries apart by spaces or lines; spaces after a colon or comma allowed), patterns from
    ``root``; None when the option is not given."""
    if value is None:
        return None
    entries: list[tuple[str, tuple[str, ...]]] = []
    for entry in re.sub(r"\s*([:,])\s*", r"\1", value).split():
        patterns, colon, codes = entry.rpartition(":")
        if not colon or not patterns or not codes:
            raise ConfigError(
                f"--per-file-ignores: cannot read {entry!r}: expected PATTERN:CODES, such as 'tests/*:ELP101,ELP105'"
            )
        checked = validate_codes(codes.split(","), "--per-file-ignores")
        entries.extend((absolute_pattern(pattern, root), checked) for pattern in patterns.split(",") if pattern)
    return tuple(entries)


def common_directory(paths: Sequence[str]) -> Path:
    """The directory holding every path but standard input's "-" (no other: the working directory)."""
    starts = [Path(p).resolve() for p in paths if p != "-"] or [Path.cwd()]
    common = Path(os.path.commonpath([str(p) for p in starts]))
    return common if common.is_dir() else common.parent


def _as_list(value: Any, key: str, where: str) -> list[str]:
    if isinstance(value, str):
        return split_list(value)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return list(value)
    raise ConfigError(f"{where}: '{key}' must be a list of strings")


def _codes(table: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    return validate_codes(_as_list(table.get(key, []), key, where), where)


def _flag(table: dict[str, Any], key: str, where: str) -> bool:
    value = table.get(key, False)
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: '{key}' must be true or false")
    return value


def _target_version(table: dict[str, Any], where: str) -> Optional[str]:
    try:
        return table_target_version(table, where)
    except TargetVersionError as error:
        raise ConfigError(str(error)) from None


def _per_file_ignores(table: dict[str, Any], root: str, where: str) -> PerFileIgnores:
    """``per-file-ignores = {"tests/*" = ["ELP101"]}``, as ruff writes it."""
    value = table.get("per-file-ignores", {})
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: 'per-file-ignores' must be a table of patterns to lists of codes")
    return tuple(
        (absolute_pattern(pattern, root), validate_codes(_as_list(codes, f"per-file-ignores.{pattern}", where), where))
        for pattern, codes in value.items()
    )


def load_settings(table: Optional[Table]) -> Settings:
    """The settings a ``[tool.flake8-asyncloop]`` table gives (none: the defaults); ConfigError
    naming the file and the key for anything it cannot use."""
    if table is None:
        return Settings()
    where = f"{table.path} [tool.{SECTION}]"
    values = table.values
    if not isinstance(values, dict):
        raise ConfigError(f"{where}: must be a table")
    unknown = sorted(set(values) - KNOWN_KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(sorted(KNOWN_KEYS))})")
    root = os.path.dirname(table.path)
    return Settings(
        select=_codes(values, "select", where),
        ignore=_codes(values, "ignore", where),
        target_version=_target_version(values, where),
        exclude=tuple(absolute_pattern(p, root) for p in _as_list(values.get("exclude", []), "exclude", where)),
        unsafe_fixes=_flag(values, "unsafe-fixes", where),
        extend_select=_codes(values, "extend-select", where),
        extend_ignore=_codes(values, "extend-ignore", where),
        per_file_ignores=_per_file_ignores(values, root, where),
        force_exclude=_flag(values, "force-exclude", where),
        root=root,
    )
