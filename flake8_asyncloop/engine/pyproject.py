"""Reading pyproject.toml: one place decides where TOML support comes from."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Union

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.9/3.10 only
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]


class PyprojectError(ValueError):
    """A pyproject.toml that cannot be read or parsed; the message says why in one line."""


def read_pyproject(path: Union[str, Path]) -> dict[str, Any]:
    try:
        with open(path, "rb") as stream:
            data: dict[str, Any] = tomllib.load(stream)
            return data
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise PyprojectError(f"{path}: cannot read it: {error}") from None
