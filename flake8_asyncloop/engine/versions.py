"""The Python versions the checked code must run on.

Rules ask one question of this module: which CPython 3.x minor versions are targets. A target
range is written like ``requires-python`` (``>=3.8``, ``>=3.9,<3.13``, ``~=3.10``, ``==3.11.*``),
or as a bare minimum (``3.9``, ``py39``), and is reduced to the set of minor versions in which
at least one release satisfies every clause.
"""

from __future__ import annotations

import argparse
import functools
import os
import re
from typing import NamedTuple

from flake8_asyncloop.engine.pyproject import SECTION, PyprojectError, nearest_table, pyproject_in, read_current

DEFAULT_TARGET_VERSION = ">=3.10"

# 3.6 is the oldest release with the APIs we lint; 3.20 is far enough ahead that "3.14 and later"
# stays a meaningful set for years.
_FIRST_MINOR = 6
_LAST_MINOR = 20
# Patch levels probed per minor version: enough for every released 3.x and for clauses such as
# ">=3.8.10", which exclude only part of a minor series.
PATCH_PROBES = range(0, 40)

ALL_MINORS = frozenset(range(_FIRST_MINOR, _LAST_MINOR + 1))

_CLAUSE = re.compile(r"^\s*(===|==|!=|~=|>=|<=|>|<)?\s*v?(\d+(?:\.\d+)*)(\.\*)?\s*$")
_PY_SHORTHAND = re.compile(r"^\s*py(\d)(\d+)\s*$")


class TargetVersionError(ValueError):
    """A target-version string that cannot be understood."""


class TargetVersions(NamedTuple):
    """The set of CPython 3.x minor versions the checked code must run on.

    A NamedTuple rather than a frozen dataclass: this module loads with flake8 on every run, and
    making a frozen dataclass costs about 0.8 ms, a NamedTuple 0.1 ms (both immutable, compared
    and hashed by value)."""

    spec: str
    minors: frozenset[int]

    def includes_below(self, minor: int) -> bool:
        """Whether some target is older than 3.<minor>."""
        return any(m < minor for m in self.minors)

    def includes_from(self, minor: int) -> bool:
        """Whether some target is 3.<minor> or newer."""
        return any(m >= minor for m in self.minors)


def target_version_argument(value: str) -> str:
    """argparse ``type=`` for every adapter's target-version option: a malformed range becomes
    the parser's own one-line usage error (exit code 2), never a traceback or a per-file error."""
    try:
        parse_target_versions(value)
    except TargetVersionError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return value


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def _clause_matches(op: str, version: tuple[int, ...], wildcard: bool, candidate: tuple[int, int, int]) -> bool:
    if wildcard:
        prefix_equal = candidate[: len(version)] == version
        if op == "==":
            return prefix_equal
        if op == "!=":
            return not prefix_equal
        raise TargetVersionError(f"'.*' is only allowed with == and !=, not {op}")
    padded = version + (0,) * (3 - len(version)) if len(version) < 3 else version[:3]
    if op in ("==", "==="):
        return candidate == padded
    if op == "!=":
        return candidate != padded
    if op == ">=":
        return candidate >= padded
    if op == "<=":
        return candidate <= padded
    if op == ">":
        return candidate > padded
    if op == "<":
        return candidate < padded
    if op == "~=":
        if len(version) < 2:
            raise TargetVersionError("~= needs at least two version parts, as in ~=3.9")
        upper = version[:-1]
        return candidate >= padded and candidate[: len(upper)] == upper
    raise TargetVersionError(f"unknown operator {op!r}")  # pragma: no cover - the regex admits no other


@functools.lru_cache(maxsize=64)
def parse_target_versions(spec: str) -> TargetVersions:
    """Parse a version specifier into the target minors; raise TargetVersionError if malformed."""
    text = spec.strip()
    shorthand = _PY_SHORTHAND.match(text)
    if shorthand:
        text = f">={shorthand.group(1)}.{shorthand.group(2)}"
    clauses = []
    for raw in text.split(","):
        match = _CLAUSE.match(raw)
        if not match:
            raise TargetVersionError(
                f"cannot read target version {spec!r}: expected a range such as '>=3.9' or '>=3.8,<3.13'"
            )
        op, version, wildcard = match.group(1), _version_tuple(match.group(2)), bool(match.group(3))
        if op is None:
            if wildcard:
                op = "=="
            else:
                op = ">="  # a bare version is a minimum, as ruff's target-version is
        clauses.append((op, version, wildcard))
    minors = frozenset(
        minor
        for minor in ALL_MINORS
        if any(
            all(_clause_matches(op, version, wildcard, (3, minor, patch)) for op, version, wildcard in clauses)
            for patch in PATCH_PROBES
        )
    )
    if not minors:
        raise TargetVersionError(f"target version {spec!r} admits no Python 3 version from 3.{_FIRST_MINOR} on")
    return TargetVersions(spec=spec.strip(), minors=minors)


def _requires_python_in(directory: str) -> str | None:
    """``requires-python`` of the nearest pyproject.toml at or above ``directory``."""
    current = directory
    while True:
        candidate = pyproject_in(current)
        if candidate is not None:
            try:
                project = read_current(candidate).get("project")
            except PyprojectError:
                return None
            requires = project.get("requires-python") if isinstance(project, dict) else None
            return requires if isinstance(requires, str) else None
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def requires_python_for(path: str) -> str | None:
    """The ``requires-python`` of the nearest ``pyproject.toml`` above ``path``, if any.

    The nearest pyproject.toml decides, as for every tool that reads project metadata; a broken one
    gives no answer rather than an error, so that linting goes on with the default.
    """
    return _requires_python_in(_directory_of(path))


def _directory_of(path: str) -> str:
    return os.path.dirname(os.path.abspath(path)) if path else os.getcwd()


def configured_target_version(path: str) -> str | None:
    """``target-version`` of the ``[tool.flake8-asyncloop]`` table that applies to ``path`` (the
    nearest one above it), if it sets one. TargetVersionError, naming the file, when it cannot be
    used: the table is the user's own setting, unlike a project's requires-python."""
    try:
        table = nearest_table(_directory_of(path))
    except PyprojectError as error:
        raise TargetVersionError(str(error)) from None
    if table is None or not isinstance(table.values, dict):
        return None
    return table_target_version(table.values, f"{table.path} [tool.{SECTION}]")


def table_target_version(values: dict[str, object], where: str) -> str | None:
    """A table's ``target-version``, if it sets one; TargetVersionError naming ``where`` when it
    is not a usable range. The command's settings and every adapter's targets read it so."""
    value = values.get("target-version")
    if value is None:
        return None
    if not isinstance(value, str):
        raise TargetVersionError(f"{where}: 'target-version' must be a string such as '>=3.9'")
    try:
        parse_target_versions(value)
    except TargetVersionError as error:
        raise TargetVersionError(f"{where}: {error}") from None
    return value


def resolve_target_versions(explicit: str | None, path: str, tables: bool = True) -> TargetVersions:
    """The targets for one file, the same for every adapter: an explicit setting (an option) wins,
    then ``target-version`` in the ``[tool.flake8-asyncloop]`` table that applies to the file
    (unless ``tables`` is False: the command's ``--config`` named the one table), then
    requires-python of the nearest pyproject.toml, then the default."""
    if explicit:
        return parse_target_versions(explicit)
    configured = configured_target_version(path) if tables else None
    if configured is not None:
        return parse_target_versions(configured)
    requires = requires_python_for(path)
    if requires:
        try:
            return parse_target_versions(requires)
        except TargetVersionError:
            pass
    return parse_target_versions(DEFAULT_TARGET_VERSION)


def up_to(targets: TargetVersions, horizon: int) -> TargetVersions:
    """Every version from the oldest of ``targets`` to 3.<horizon> (the upgrade report's range,
    whatever upper bound the project declares); the oldest alone when the horizon is older."""
    oldest = min(targets.minors)
    return parse_target_versions(f">=3.{oldest},<3.{max(oldest, horizon) + 1}")
