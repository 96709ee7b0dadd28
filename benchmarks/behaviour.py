#!/usr/bin/env python3
"""What users see, recorded, so that a refactoring can show it changed nothing.

    python benchmarks/behaviour.py --output before.txt                 # the work tree's engine
    python benchmarks/behaviour.py --engine ../old-checkout --output before.txt
    python benchmarks/behaviour.py --output after.txt && diff before.txt after.txt

For each target range (``--target``, default ``>=3.7`` and ``>=3.12``) and each directory
(default: the fixtures, the standard library's ``Lib/``, and the real-code corpus in
``benchmarks/.corpus/`` when it has been downloaded), it runs what users run and records:

* ``flake8 --isolated --select ELP``: every diagnostic (flake8's path: focused code, no fixes;
  no configuration file, which could exclude the directory);
* ``flake8-asyncloop check --output-format json``: every diagnostic with its message and fix
  (the command's path: whole modules, fixes attached);
* ``flake8-asyncloop fix --diff --unsafe-fixes``: the unified diff of every fixed file (the
  fixing loop, to its fixpoint);

each with its exit code. Paths are written relative to their directory, so two checkouts give
comparable files. ``--engine`` runs another checkout's package (its directory goes first on
``PYTHONPATH``; flake8 finds the plugin through this environment's entry point).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_TARGETS = (">=3.7", ">=3.12")


def _default_directories() -> list[Path]:
    directories = [ROOT / "fixtures", Path(sysconfig.get_paths()["stdlib"])]
    corpus = ROOT / "benchmarks" / ".corpus"
    if corpus.is_dir():
        directories.append(corpus)
    return directories


def _run(command: list[str], engine: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(engine), "PYTHONHASHSEED": "0"}
    return subprocess.run(command, cwd=cwd, env=environment, capture_output=True, text=True, check=False)


def _flake8(directory: Path, target: str, engine: Path) -> list[str]:
    finished = _run(
        [sys.executable, "-m", "flake8", "--isolated", "--select", "ELP", "--exclude", "site-packages,_downloads,_logs",
         "--asyncloop-target-version", target, "--format", "%(path)s:%(row)d:%(col)d: %(code)s %(text)s", "."],
        engine,
        directory,
    )
    return [f"flake8 exit {finished.returncode}", *sorted(finished.stdout.splitlines())]


def _command(directory: Path, target: str, engine: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """``flake8-asyncloop <arguments>`` over ``directory``, quiet, for ``target``."""
    return _run(
        [sys.executable, "-m", "flake8_asyncloop", *arguments, "--quiet",
         "--exclude", "site-packages,_downloads,_logs", "--target-version", target, "."],
        engine,
        directory,
    )


def _check(directory: Path, target: str, engine: Path) -> list[str]:
    finished = _command(directory, target, engine, "check", "--output-format", "json")
    lines = [f"check exit {finished.returncode}"]
    try:
        diagnostics = json.loads(finished.stdout or "[]")
    except json.JSONDecodeError:
        return [*lines, "unreadable output:", *finished.stdout.splitlines()]
    for diagnostic in diagnostics:
        lines.append(json.dumps(diagnostic, sort_keys=True))
    return sorted(lines)


def _fix(directory: Path, target: str, engine: Path) -> list[str]:
    finished = _command(directory, target, engine, "fix", "--diff", "--unsafe-fixes")
    return [f"fix exit {finished.returncode}", *finished.stdout.splitlines()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("directories", nargs="*", type=Path)
    parser.add_argument("--engine", type=Path, default=ROOT, help="the checkout whose package runs")
    parser.add_argument("--target", action="append", help="a target range (repeatable)")
    parser.add_argument("--output", type=Path, required=True)
    arguments = parser.parse_args()
    directories = [path.resolve() for path in arguments.directories] or _default_directories()
    engine = arguments.engine.resolve()
    lines = []
    for target in arguments.target or DEFAULT_TARGETS:
        for directory in directories:
            for name, run in (("flake8", _flake8), ("check", _check), ("fix", _fix)):
                lines.append(f"=== {name} {target} {directory.name}")
                lines.extend(run(directory, target, engine))
                print(f"{name} {target} {directory}", file=sys.stderr)
    arguments.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
