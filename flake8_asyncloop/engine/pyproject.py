"""Reading pyproject.toml: one place decides where TOML support comes from, and which file's
``[tool.flake8-asyncloop]`` table applies to a checked file."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, NamedTuple, Optional, Union

SECTION = "flake8-asyncloop"


class PyprojectError(ValueError):
    """A pyproject.toml that cannot be read or parsed; the message says why in one line."""


class Table(NamedTuple):
    """A ``[tool.flake8-asyncloop]`` table and the pyproject.toml it is in."""

    path: str
    values: Any  # a dict, unless the file says otherwise (the settings reader rejects it)


def _toml() -> Any:
    """tomllib, or its backport before 3.11; imported on first use: flake8 loads this plugin
    in every run, and most runs read no pyproject.toml of ours."""
    if sys.version_info >= (3, 11):
        import tomllib

        return tomllib
    import tomli  # type: ignore[import-not-found,unused-ignore]  # pragma: no cover - 3.9/3.10 only

    return tomli  # pragma: no cover


def read_pyproject(path: Union[str, Path]) -> dict[str, Any]:
    toml = _toml()
    try:
        with open(path, "rb") as stream:
            data: dict[str, Any] = toml.load(stream)
            return data
    except (OSError, toml.TOMLDecodeError, UnicodeDecodeError) as error:
        raise PyprojectError(f"{path}: cannot read it: {error}") from None


# Parsed files by path, with the (size, modification time) they were read at: flake8 resolves
# a file's settings once per checked file, and the language server lives across edits of them.
_READ: dict[str, tuple[tuple[int, int], dict[str, Any]]] = {}


def read_current(path: str) -> dict[str, Any]:
    """``read_pyproject(path)``, parsed again only when the file has changed since."""
    try:
        status = os.stat(path)
    except OSError as error:
        raise PyprojectError(f"{path}: cannot read it: {error}") from None
    stamp = (status.st_size, status.st_mtime_ns)
    known = _READ.get(path)
    if known is not None and known[0] == stamp:
        return known[1]
    data = read_pyproject(path)
    _READ[path] = (stamp, data)
    return data


def pyproject_in(directory: str) -> Optional[str]:
    candidate = os.path.join(directory, "pyproject.toml")
    return candidate if os.path.isfile(candidate) else None


def tool_table(data: dict[str, Any]) -> Optional[Any]:
    """The ``[tool.flake8-asyncloop]`` value of a parsed pyproject.toml, if it has one."""
    tool = data.get("tool")
    return tool.get(SECTION) if isinstance(tool, dict) else None


def nearest_table(directory: str) -> Optional[Table]:
    """The ``[tool.flake8-asyncloop]`` table of the nearest pyproject.toml at or above
    ``directory`` that has one, as ruff finds its own: pyproject.toml files without the table are
    passed over. A file on the way that cannot be parsed is a PyprojectError: it may be the one."""
    current = os.path.abspath(directory)
    while True:
        candidate = pyproject_in(current)
        if candidate is not None:
            table = tool_table(read_current(candidate))
            if table is not None:
                return Table(candidate, table)
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent
