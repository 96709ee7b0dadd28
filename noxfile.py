"""The test matrix: every Python that ``requires-python`` admits, newest and lowest dependencies.

``python -m nox`` (the README's test command) runs every session; ``python -m nox -l`` lists them,
``python -m nox -s engine-3.9`` runs one. The README's "Test matrix" section says what each
session covers and how long it takes.

- ``tests``: the whole suite on the interpreter that runs nox, in the environment the README's
  command installed (``pip install -e '.[test]'``), so what a developer runs is what CI runs.
- ``engine-3.X``: the part of the suite that exercises the engine through what users run (the
  real flake8 over the fixtures, its stdin path, the golden fixes, the command, the codemod, the
  rule examples, the language server, the property tests' quick profile), on every other Python,
  with the newest dependencies each Python can install.
- ``lowest-3.X``: the same part, with every dependency at the lowest version ``pyproject.toml``
  allows (its own ``>=`` bounds, markers included), on the oldest and the newest Python.

Interpreters are found on ``PATH`` as ``python3.X``, and otherwise among pyenv's installed
versions (pyenv's shims answer only for the versions ``pyenv global`` names); nothing is
downloaded. A missing interpreter fails the run instead of skipping its sessions.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nox
from packaging.requirements import Requirement

if sys.version_info >= (3, 11):
    import tomllib
else:  # nox itself runs on 3.9 and 3.10 too
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))

# requires-python's lower bound up to the newest CPython that pyenv has on the project's machines.
# tests/test_matrix.py checks the list against requires-python and the classifiers.
PYTHONS = ["3.9", "3.10", "3.11", "3.12", "3.13"]
OLDEST, NEWEST = PYTHONS[0], PYTHONS[-1]

# The engine's part of the suite: what users run, end to end, on every Python.
ENGINE_TESTS = [
    "tests/test_fixtures.py",
    "tests/test_plugin.py",
    "tests/test_stdin_columns.py",
    "tests/test_golden_fixes.py",
    "tests/test_cli.py",
    "tests/test_codemod.py",
    "tests/test_rule_examples.py",
    "tests/test_server.py",
    "tests/test_server_stdio.py",
    "tests/test_properties.py",
    "tests/test_versions.py",
    "tests/test_walk.py",
    "tests/test_parse.py",
    "tests/test_nesting.py",
    "tests/test_internal_errors.py",
    "tests/test_process.py",
    "tests/test_output.py",
    "tests/test_registry.py",
    "tests/test_scaffold.py",
    "tests/test_project.py",
    "tests/test_sieve.py",
    "tests/test_configuration.py",
    "tests/test_pieces.py",
]

nox.options.sessions = ["tests", "engine", "lowest"]
nox.options.download_python = "never"
nox.options.error_on_missing_interpreters = True
nox.options.default_venv_backend = "uv|venv"


def _works(interpreter: str) -> bool:
    """An interpreter on PATH that runs (a pyenv shim for a version not activated exits 127)."""
    found = shutil.which(interpreter)
    return found is not None and subprocess.run([found, "-c", ""], capture_output=True).returncode == 0


def _pyenv_interpreter(version: str) -> Path | None:
    """pyenv's newest installed patch release of ``version``, e.g. 3.9 -> .../versions/3.9.18/bin/python3.9."""
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    candidates = [
        path / "bin" / f"python{version}"
        for path in root.glob(f"{version}.*")
        if re.fullmatch(rf"{re.escape(version)}\.\d+", path.name)
    ]
    existing = [candidate for candidate in candidates if candidate.exists()]
    return max(existing, key=lambda path: int(path.parent.parent.name.rsplit(".", 1)[1]), default=None)


def _expose_pyenv_interpreters() -> None:
    """Links ``python3.X`` for each version not runnable from PATH into one folder put first on PATH.
    Only the versioned names are linked, so ``python`` itself still means what it meant."""
    links = ROOT / ".nox" / "interpreters"
    for version in PYTHONS:
        interpreter = f"python{version}"
        if _works(interpreter) and not (links / interpreter).exists():
            continue
        target = _pyenv_interpreter(version)
        if target is None:
            continue  # nox then reports the interpreter as missing, and fails
        links.mkdir(parents=True, exist_ok=True)
        link = links / interpreter
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(target)
    if links.is_dir():
        os.environ["PATH"] = f"{links}{os.pathsep}{os.environ.get('PATH', '')}"


if __name__ != "noxfile":  # nox loads this file under its own name; tests/test_matrix.py imports it
    _expose_pyenv_interpreters()


def _requirements() -> list[str]:
    project = PYPROJECT["project"]
    return [*project["dependencies"], *project["optional-dependencies"]["test"]]


def lowest_constraints() -> list[str]:
    """Each ``name>=X`` requirement (with its marker) as ``name==X``: the lowest versions allowed."""
    pins = []
    for text in _requirements():
        requirement = Requirement(text)
        lower = [spec.version for spec in requirement.specifier if spec.operator == ">="]
        if not lower:
            continue
        marker = f"; {requirement.marker}" if requirement.marker else ""
        pins.append(f"{requirement.name}=={lower[0]}{marker}")
    return pins


_SHOW_VERSIONS = """
import importlib.metadata as metadata, sys
installed = []
for name in sys.argv[1:]:
    try:
        installed.append(f"{name} {metadata.version(name)}")
    except metadata.PackageNotFoundError:
        pass  # its marker leaves it out on this Python
print("Python", sys.version.split()[0], "with", ", ".join(installed))
"""


# Every core: a test file's tests share one worker (their session fixtures, such as the flake8 run
# over every fixture, then run once).
PARALLEL = ("-n", "auto", "--dist", "loadfile")

# The suite starts about 1,500 Python processes (flake8, the command, the server). Where the
# environment sets PYTHONDONTWRITEBYTECODE (as this project's machines do) and uv installs without
# compiling, each of them compiled flake8, libcst and this package again: 0.5 s a process, a
# quarter of each session. An empty value turns the setting off for the tests' processes only.
BYTECODE_CACHE = {"PYTHONDONTWRITEBYTECODE": ""}


def _run_engine_tests(session: nox.Session) -> None:
    names = sorted({Requirement(text).name for text in _requirements()})
    session.run("python", "-c", _SHOW_VERSIONS, *names, silent=False)
    session.run("python", "-m", "pytest", "-q", *PARALLEL, *ENGINE_TESTS, *session.posargs, env=BYTECODE_CACHE)


@nox.session(python=False)
def tests(session: nox.Session) -> None:
    """The whole suite, on the Python running nox, with the dependencies installed there."""
    session.run(sys.executable, "-m", "pytest", "-q", *PARALLEL, *session.posargs, env=BYTECODE_CACHE, external=True)


RUNNING = f"{sys.version_info[0]}.{sys.version_info[1]}"


@nox.session(python=[version for version in PYTHONS if version != RUNNING])
def engine(session: nox.Session) -> None:
    """The engine's part of the suite, newest dependencies (the Python running nox runs ``tests``)."""
    session.install("-e", ".[test]")
    _run_engine_tests(session)


@nox.session(python=[OLDEST, NEWEST])
def lowest(session: nox.Session) -> None:
    """The engine's part of the suite with every dependency at its lowest allowed version."""
    constraints = Path(session.create_tmp()) / "lowest.txt"
    constraints.write_text("\n".join(lowest_constraints()) + "\n", encoding="utf-8")
    session.install("-c", str(constraints), "-e", ".[test]")
    _run_engine_tests(session)
