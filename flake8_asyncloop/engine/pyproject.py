"""Reading pyproject.toml: one place decides where TOML support comes from."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Union


class PyprojectError(ValueError):
    """A pyproject.toml that cannot be read or parsed; the message says why in one line."""


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
