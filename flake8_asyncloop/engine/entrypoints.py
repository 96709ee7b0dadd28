"""The console scripts a project declares: which function of which module each one runs.

A console script (``[project.scripts]``, Poetry's ``[tool.poetry.scripts]``, ``console_scripts``
in setup.cfg or in a literal ``entry_points=`` of setup.py) is a wrapper that imports a module
and calls one of its functions, with no event loop set: the loop-state analysis starts that
function with nothing set, as it does a script's ``main()`` (``loopstate.py``).
"""

from __future__ import annotations

import ast
import threading
from pathlib import Path
from typing import Any, Iterator

from flake8_asyncloop.engine.pyproject import PyprojectError, read_pyproject
from flake8_asyncloop.engine import cpython
from flake8_asyncloop.engine.projectfiles import note

_GROUPS = ("console_scripts", "gui_scripts")
# Per project directory: (modification times of its project files, what they declare).
_known: dict[Path, tuple[tuple[int, ...], frozenset[str]]] = {}
_lock = threading.Lock()


def console_scripts(directory: Path) -> frozenset[str]:
    """The ``module:function`` every console script of the project in ``directory`` runs."""
    files = [directory / name for name in ("pyproject.toml", "setup.cfg", "setup.py")]
    stamps = tuple(path.stat().st_mtime_ns if path.is_file() else 0 for path in files)
    with _lock:
        known = _known.get(directory)
    if known is not None and known[0] == stamps:
        found = known[1]
    else:
        found = frozenset(
            _target(value)
            for value in [*_from_pyproject(files[0]), *_from_setup_cfg(files[1]), *_from_setup_py(files[2])]
        )
        with _lock:
            _known[directory] = (stamps, found)
    note("scripts", str(directory), sorted(found))
    return found


def _target(value: str) -> str:
    """``pkg.cli:main [extra]`` as ``pkg.cli:main``."""
    return value.split("[", 1)[0].strip()


def _from_pyproject(path: Path) -> Iterator[str]:
    if not path.is_file():
        return
    try:
        data = read_pyproject(path)
    except PyprojectError:
        return
    project = data.get("project", {})
    poetry = data.get("tool", {}).get("poetry", {}) if isinstance(data.get("tool"), dict) else {}
    for table in (project.get("scripts"), project.get("gui-scripts"), poetry.get("scripts")):
        yield from _string_values(table)


def _string_values(table: Any) -> Iterator[str]:
    if isinstance(table, dict):
        yield from (value for value in table.values() if isinstance(value, str))


def _from_setup_cfg(path: Path) -> Iterator[str]:
    if not path.is_file():
        return
    import configparser  # on first use: most projects have no setup.cfg

    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, OSError, UnicodeDecodeError):
        return
    for group in _GROUPS:
        text = parser.get("options.entry_points", group, fallback="")
        yield from _assignments(text.splitlines())


def _assignments(lines: list[str]) -> Iterator[str]:
    """The right sides of ``name = module:function`` lines."""
    for line in lines:
        name, equals, value = line.partition("=")
        if equals and ":" in value:
            yield value.strip()


def _from_setup_py(path: Path) -> Iterator[str]:
    """``setup(entry_points={"console_scripts": [...]})`` written as literals."""
    if not path.is_file():
        return
    try:
        tree = cpython.parse(path.read_bytes())
    except (SyntaxError, ValueError, OSError, RecursionError, MemoryError):
        return
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "entry_points" and isinstance(node.value, ast.Dict):
            for key, value in zip(node.value.keys, node.value.values):
                if isinstance(key, ast.Constant) and key.value in _GROUPS:
                    yield from _literal_lines(value)


def _literal_lines(value: ast.expr) -> Iterator[str]:
    strings = value.elts if isinstance(value, (ast.List, ast.Tuple)) else [value]
    for item in strings:
        if isinstance(item, ast.Constant) and isinstance(item.value, str):
            yield from _assignments(item.value.splitlines())
