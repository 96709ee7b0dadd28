"""``[tool.flake8-asyncloop]`` in pyproject.toml, merged with the command line (which wins)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Sequence, Union

from flake8_asyncloop.engine.internal import INTERNAL_ERROR_CODE
from flake8_asyncloop.engine.pyproject import PyprojectError, read_pyproject
from flake8_asyncloop.engine.versions import (
    TargetVersionError,
    TargetVersions,
    parse_target_versions,
    resolve_target_versions,
    up_to,
)
from flake8_asyncloop.rules import ALL_RULES, Rule

SECTION = "flake8-asyncloop"
KNOWN_KEYS = {"select", "ignore", "target-version", "exclude", "unsafe-fixes"}
# Never descended into when walking a directory (an explicitly named file is always checked).
DEFAULT_EXCLUDES = (
    ".git", ".hg", ".svn", ".bzr", ".venv", "venv", ".tox", ".nox", ".eggs", "*.egg-info", "build",
    "dist", "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".flake8-asyncloop-cache", "node_modules",
    "__pypackages__",
)
# Codes as an option gives them: one comma- or space-separated string, or a list (from Python code).
Codes = Union[str, Sequence[str]]


class ConfigError(ValueError):
    """Configuration that cannot be used; the message names the file or option."""


@dataclass(frozen=True)
class FileSettings:
    """What the engine is given for one file."""

    targets: TargetVersions
    rules: tuple[Rule, ...]
    unsafe_fixes: bool
    show_internal_errors: bool  # ELP900 selected


@dataclass(frozen=True)
class Settings:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    target_version: Optional[str] = None
    exclude: tuple[str, ...] = field(default=())
    unsafe_fixes: bool = False
    # The upgrade report's horizon: the targets run from the oldest one up to 3.<horizon>.
    horizon: Optional[int] = None

    def rule_selected(self, code: str) -> bool:
        selected = not self.select or any(code.startswith(prefix) for prefix in self.select)
        return selected and not any(code.startswith(prefix) for prefix in self.ignore)

    def selected_rules(self) -> tuple[Rule, ...]:
        """The rules to run: selected, and not ignored (ELP900 is not a rule: ask rule_selected)."""
        return tuple(rule for rule in ALL_RULES if self.rule_selected(rule.code))

    def overridden_by(
        self,
        *,
        select: Optional[tuple[str, ...]] = None,
        ignore: Optional[tuple[str, ...]] = None,
        target_version: Optional[str] = None,
        exclude: Optional[tuple[str, ...]] = None,
        unsafe_fixes: Optional[bool] = None,
        horizon: Optional[int] = None,
    ) -> "Settings":
        """These settings (from pyproject.toml) with each option given (not None) winning, as an
        option on the command line or the codemod's does."""
        return Settings(
            select=self.select if select is None else select,
            ignore=self.ignore if ignore is None else ignore,
            target_version=target_version or self.target_version,
            exclude=self.exclude if exclude is None else exclude,
            unsafe_fixes=self.unsafe_fixes if unsafe_fixes is None else unsafe_fixes,
            horizon=self.horizon if horizon is None else horizon,
        )

    def for_file(self, path: Optional[str]) -> FileSettings:
        """These settings for the file at ``path``, whose pyproject.toml's requires-python gives the
        target versions unless ``target_version`` is set (no path: the working directory's)."""
        targets = resolve_target_versions(self.target_version, path or "")
        return FileSettings(
            targets=targets if self.horizon is None else up_to(targets, self.horizon),
            rules=self.selected_rules(),
            unsafe_fixes=self.unsafe_fixes,
            show_internal_errors=self.rule_selected(INTERNAL_ERROR_CODE),
        )


def split_list(value: str) -> list[str]:
    """A comma- or space-separated list, as options and pyproject.toml strings write one."""
    return value.replace(",", " ").split()


def validate_codes(codes: Sequence[str], where: str) -> tuple[str, ...]:
    """Rule codes or prefixes (``ELP1``), or ELP900; anything matching none of them is an error."""
    known = [rule.code for rule in ALL_RULES] + [INTERNAL_ERROR_CODE]
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


def find_pyproject(paths: Sequence[str]) -> Optional[Path]:
    """The nearest pyproject.toml with a [tool.flake8-asyncloop] table, walking up from the paths."""
    directory = common_directory(paths)
    for candidate in (directory, *directory.parents):
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file() and _has_section(pyproject):
            return pyproject
    return None


def common_directory(paths: Sequence[str]) -> Path:
    """The directory holding every path but standard input's "-" (no other: the working directory)."""
    starts = [Path(p).resolve() for p in paths if p != "-"] or [Path.cwd()]
    common = Path(os.path.commonpath([str(p) for p in starts]))
    return common if common.is_dir() else common.parent


def _has_section(pyproject: Path) -> bool:
    try:
        tool = read_pyproject(pyproject).get("tool", {})
    except PyprojectError as error:
        raise ConfigError(str(error)) from None
    return isinstance(tool, dict) and SECTION in tool


def settings_near(paths: Sequence[str]) -> Settings:
    """The [tool.flake8-asyncloop] settings nearest above ``paths`` (none: the working directory),
    or the defaults."""
    return load_settings(find_pyproject(paths))


def _as_list(value: Any, key: str, where: str) -> list[str]:
    if isinstance(value, str):
        return split_list(value)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return list(value)
    raise ConfigError(f"{where}: '{key}' must be a list of strings")


def load_settings(pyproject: Optional[Path]) -> Settings:
    if pyproject is None:
        return Settings()
    try:
        table = read_pyproject(pyproject)["tool"][SECTION]
    except PyprojectError as error:
        raise ConfigError(str(error)) from None
    where = f"{pyproject} [tool.{SECTION}]"
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: must be a table")
    unknown = sorted(set(table) - KNOWN_KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(sorted(KNOWN_KEYS))})")
    target = table.get("target-version")
    if target is not None:
        if not isinstance(target, str):
            raise ConfigError(f"{where}: 'target-version' must be a string such as '>=3.9'")
        try:
            parse_target_versions(target)
        except TargetVersionError as error:
            raise ConfigError(f"{where}: {error}") from None
    unsafe = table.get("unsafe-fixes", False)
    if not isinstance(unsafe, bool):
        raise ConfigError(f"{where}: 'unsafe-fixes' must be true or false")
    return Settings(
        select=validate_codes(_as_list(table.get("select", []), "select", where), where),
        ignore=validate_codes(_as_list(table.get("ignore", []), "ignore", where), where),
        target_version=target,
        exclude=tuple(_as_list(table.get("exclude", []), "exclude", where)),
        unsafe_fixes=unsafe,
    )
