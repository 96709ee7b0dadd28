#!/usr/bin/env python3
"""A pinned corpus of published asyncio-heavy distributions, and flake8-asyncloop run over it.

    python benchmarks/realcode/corpus.py            # download and extract what is missing
    python benchmarks/realcode/corpus.py --list     # the pinned list, and what is on disk
    python benchmarks/realcode/corpus.py run        # flake8 --select ELP over every package
    python benchmarks/realcode/corpus.py run --target '>=3.7' --output results-py37.txt
    python benchmarks/realcode/corpus.py run --engine HEAD   # the committed engine, not the work tree
    python benchmarks/realcode/corpus.py run --only aiohttp uvloop --timeout 300

Everything goes under ``benchmarks/.corpus/`` (gitignored): the archives in ``_downloads/``,
each package extracted into ``<name>-<version>/``, and the results in ``results.txt``, one
line per diagnostic, with paths relative to the corpus directory (so each starts with the
package's name and version); ``results-summary.txt`` beside it has the engine revision and,
per package, the count, the number of files, the time and any failure (flake8's standard error
is kept in ``_logs/``). Downloading is idempotent: a package whose directory is complete
is skipped, and an archive already downloaded is not fetched again. Packages that could not be
downloaded or extracted are listed at the end and in ``_downloads/failures.txt``.

Archives come through ``pip download --no-deps`` as configured on this machine: a pure-Python
(or abi3/cp311) wheel where the wheel holds the sources we want, the sdist where the tests
(which exercise event loops the most) are only in the sdist. The triage of the results is in
``docs/real-code-triage.md``.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "benchmarks" / ".corpus"
DOWNLOADS = CORPUS / "_downloads"
LOGS = CORPUS / "_logs"
COMPLETE = ".corpus-complete"  # written into a package's directory once it is fully extracted
DEFAULT_TARGET = ">=3.9"
DEFAULT_TIMEOUT = 900  # seconds of flake8 per package


@dataclass(frozen=True)
class Dist:
    name: str  # as pip knows it
    version: str
    kind: str  # "wheel" or "sdist"
    why: str = ""

    @property
    def key(self) -> str:
        return f"{self.name}-{self.version}"


# Pinned by exact version. "old" marks a release one to two years older than the current one
# (the current date of the pin is November 2026), to see code written for older asyncio.
PACKAGES: tuple[Dist, ...] = (
    # Web servers, clients and frameworks
    Dist("aiohttp", "3.14.5", "sdist", "tests construct and run loops"),
    Dist("aiohttp", "3.10.11", "sdist", "old"),
    Dist("uvicorn", "0.54.0", "sdist", "server loop setup, tests"),
    Dist("uvicorn", "0.32.1", "wheel", "old"),
    Dist("httpx", "0.28.1", "wheel"),
    Dist("httpcore", "1.0.9", "wheel"),
    Dist("anyio", "4.16.0", "sdist", "tests"),
    Dist("starlette", "1.10.0", "wheel"),
    Dist("websockets", "17.4", "sdist", "tests; sync client runs a loop in a thread"),
    Dist("sanic", "25.12.1", "wheel"),
    Dist("tornado", "6.6.1", "wheel", "wheel ships tornado/test"),
    Dist("tornado", "6.4.2", "wheel", "old"),
    Dist("twisted", "26.10.0", "wheel", "asyncioreactor and its tests"),
    Dist("hypercorn", "0.18.0", "wheel"),
    Dist("quart", "0.23.1", "wheel"),
    Dist("python-socketio", "5.18.1", "wheel", "sync client over an asyncio one"),
    # Jupyter / IPython
    Dist("ipykernel", "7.4.0", "wheel"),
    Dist("ipykernel", "6.29.5", "wheel", "old"),
    Dist("jupyter-client", "8.10.0", "wheel"),
    Dist("jupyter-client", "8.6.3", "wheel", "old"),
    Dist("jupyter-server", "2.21.1", "wheel"),
    Dist("ipython", "9.18.1", "wheel"),
    Dist("nest-asyncio", "1.6.0", "wheel"),
    # Terminal UIs
    Dist("textual", "8.2.8", "wheel"),
    Dist("prompt-toolkit", "3.0.53", "wheel"),
    Dist("urwid", "5.0.1", "wheel"),
    # Test plugins
    Dist("pytest-asyncio", "1.5.0", "sdist", "tests"),
    Dist("pytest-asyncio", "0.24.0", "sdist", "old"),
    Dist("pytest-aiohttp", "1.1.1", "sdist"),
    Dist("asynctest", "0.13.0", "sdist", "2019, Python 3.5-3.8 era"),
    Dist("aioresponses", "0.7.9", "sdist"),
    # Bots
    Dist("discord.py", "2.7.1", "wheel"),
    Dist("python-telegram-bot", "22.8", "wheel"),
    Dist("aiogram", "3.31.0", "wheel"),
    Dist("slack-bolt", "1.30.0", "wheel"),
    # Trading
    Dist("ccxt", "4.5.90", "wheel", "very large"),
    # Database and queue drivers
    Dist("asyncpg", "0.32.0", "sdist", "tests"),
    Dist("aiomysql", "0.3.2", "sdist"),
    Dist("motor", "3.7.1", "wheel"),
    Dist("redis", "8.1.0", "wheel", "redis.asyncio"),
    Dist("aioredis", "2.0.1", "sdist", "2021"),
    Dist("aiosqlite", "0.22.1", "wheel", "a thread per connection"),
    Dist("aiokafka", "0.14.0", "sdist"),
    Dist("aio-pika", "10.2.1", "wheel"),
    Dist("aiormq", "7.2.4", "wheel"),
    Dist("pyzmq", "27.3.0", "sdist", "zmq.asyncio and its tests"),
    # Others
    Dist("uvloop", "0.23.0", "sdist", "a loop library: its tests construct loops"),
    Dist("aiofiles", "25.1.0", "wheel"),
    Dist("aiocache", "0.12.3", "wheel"),
    Dist("asgiref", "3.13.0", "wheel", "sync_to_async/async_to_sync: loops in threads"),
    Dist("gunicorn", "27.0.1", "wheel"),
    Dist("celery", "5.7.0", "wheel"),
    Dist("distributed", "2026.8.0", "wheel", "tornado and asyncio loops in threads"),
    Dist("janus", "2.0.0", "wheel", "sync/async queue across threads"),
    Dist("qasync", "0.28.0", "wheel", "Qt event loop subclassing asyncio's"),
    Dist("aiohappyeyeballs", "2.7.1", "wheel"),
    Dist("pyee", "16.0.1", "wheel"),
)


def _select(names: Optional[list[str]]) -> list[Dist]:
    if not names:
        return list(PACKAGES)
    wanted = {n.lower() for n in names}
    chosen = [d for d in PACKAGES if d.name.lower() in wanted or d.key.lower() in wanted]
    unknown = wanted - {d.name.lower() for d in chosen} - {d.key.lower() for d in chosen}
    if unknown:
        sys.exit(f"not in the pinned list: {', '.join(sorted(unknown))}")
    return chosen


def _normalise(text: str) -> str:
    return text.lower().replace("-", "_").replace(".", "_")


def _find_archive(dist: Dist) -> Optional[Path]:
    """The archive of exactly this name, version and kind in _downloads/, if it is there."""
    if not DOWNLOADS.is_dir():
        return None
    prefix = f"{_normalise(dist.name)}_{_normalise(dist.version)}_"
    suffixes = (".whl",) if dist.kind == "wheel" else (".tar.gz", ".zip", ".tar.bz2")
    for path in sorted(DOWNLOADS.iterdir()):
        if _normalise(path.name).startswith(prefix) and path.name.endswith(suffixes):
            return path
    return None


def _download(dist: Dist) -> Path:
    DOWNLOADS.mkdir(parents=True, exist_ok=True)
    # Nothing is installed, so the running interpreter's version does not limit what we read.
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--ignore-requires-python", "--quiet"]
    command += ["-d", str(DOWNLOADS)]
    command += ["--only-binary", ":all:"] if dist.kind == "wheel" else ["--no-binary", ":all:"]
    command.append(f"{dist.name}=={dist.version}")
    result = subprocess.run(command, capture_output=True, text=True, timeout=900)
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        raise RuntimeError(" | ".join(tail) or f"pip exited {result.returncode}")
    archive = _find_archive(dist)
    if archive is None:
        raise RuntimeError("pip reported success but no archive of that name is in _downloads/")
    return archive


def _extract_tar(source: "Path | io.BytesIO", destination: Path) -> None:
    """Extract a tar archive, refusing members that would land outside ``destination``."""
    with tarfile.open(source) if isinstance(source, Path) else tarfile.open(fileobj=source) as tarred:
        if hasattr(tarfile, "data_filter"):  # 3.12, and 3.8.17+/3.9.17+/3.10.12+/3.11.4+
            tarred.extractall(destination, filter="data")
            return
        root = destination.resolve()
        for member in tarred.getmembers():
            target = (destination / member.name).resolve()
            if not str(target).startswith(str(root)) or member.issym() or member.islnk():
                raise RuntimeError(f"unsafe member in archive: {member.name}")
        tarred.extractall(destination)


def _extract(archive: Path, destination: Path) -> None:
    if destination.exists():
        shutil.rmtree(destination)
    destination.mkdir(parents=True)
    if archive.name.endswith((".whl", ".zip")):
        with zipfile.ZipFile(archive) as zipped:
            for member in zipped.infolist():
                target = (destination / member.filename).resolve()
                if not str(target).startswith(str(destination.resolve())):
                    raise RuntimeError(f"unsafe path in archive: {member.filename}")
            zipped.extractall(destination)
    else:
        _extract_tar(archive, destination)
        # An sdist holds one top-level directory, name-version/: lift its contents up one level.
        entries = list(destination.iterdir())
        if len(entries) == 1 and entries[0].is_dir():
            inner = entries[0]
            for child in inner.iterdir():
                child.rename(destination / child.name)
            inner.rmdir()
    (destination / COMPLETE).write_text(archive.name + "\n")


def download(dists: list[Dist]) -> int:
    failures: list[tuple[Dist, str]] = []
    for dist in dists:
        destination = CORPUS / dist.key
        if (destination / COMPLETE).exists():
            print(f"ok        {dist.key} (already extracted)")
            continue
        try:
            archive = _find_archive(dist) or _download(dist)
            _extract(archive, destination)
        except (RuntimeError, OSError, subprocess.TimeoutExpired, tarfile.TarError, zipfile.BadZipFile) as error:
            failures.append((dist, str(error)))
            print(f"FAILED    {dist.key}: {error}")
            continue
        print(f"extracted {dist.key} from {archive.name}")
    DOWNLOADS.mkdir(parents=True, exist_ok=True)
    report = DOWNLOADS / "failures.txt"
    report.write_text("".join(f"{d.key} ({d.kind}): {why}\n" for d, why in failures))
    if failures:
        print(f"\n{len(failures)} could not be downloaded or extracted (listed in {report.relative_to(ROOT)}):")
        for dist, why in failures:
            print(f"  {dist.key}: {why}")
    return 1 if failures else 0


def list_packages(dists: list[Dist]) -> int:
    total = 0
    for dist in dists:
        archive = _find_archive(dist)
        size = archive.stat().st_size if archive else 0
        total += size
        state = "extracted" if (CORPUS / dist.key / COMPLETE).exists() else ("downloaded" if archive else "missing")
        note = f"  # {dist.why}" if dist.why else ""
        pin = f"{dist.name}=={dist.version}"
        print(f"{pin:<32} {dist.kind:<6} {state:<10} {size / 1e6:7.2f} MB{note}")
    print(f"{len(dists)} packages, {total / 1e6:.1f} MB of archives on disk")
    return 0


def _engine_revision() -> str:
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--", "flake8_asyncloop"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return head + (" (flake8_asyncloop/ modified)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _engine_snapshot(revision: str) -> tuple[Path, str]:
    """flake8_asyncloop/ as committed at ``revision``, extracted under the corpus directory.

    The editable install follows the work tree, which others may be editing while a long run
    goes on; a snapshot keeps every package judged by the same engine.
    """
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", f"{revision}^{{commit}}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    snapshot = CORPUS / f"_engine-{commit}"
    if not (snapshot / "flake8_asyncloop" / "__init__.py").exists():
        snapshot.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", "--format=tar", commit, "flake8_asyncloop"],
            capture_output=True,
            check=True,
        ).stdout
        _extract_tar(io.BytesIO(archive), snapshot)
    return snapshot, commit


def _shown(path: Path) -> str:
    """``path`` relative to the repository when it is inside it (as the docs cite it)."""
    resolved = path.resolve()
    return str(resolved.relative_to(ROOT)) if resolved.is_relative_to(ROOT) else str(resolved)


def run(dists: list[Dist], target: str, timeout: int, output: Path, jobs: int, engine: Optional[str]) -> int:
    LOGS.mkdir(parents=True, exist_ok=True)
    environment = dict(os.environ)
    if engine:
        snapshot, revision = _engine_snapshot(engine)
        # Ahead of the editable install's path entry: the snapshot's modules are imported.
        environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(snapshot), environment.get("PYTHONPATH")]))
        described = f"commit {revision} (snapshot in {snapshot.relative_to(ROOT)})"
    else:
        described = f"the installed package, work tree at {_engine_revision()}"
    lines: list[str] = []
    summary: list[str] = []
    problems: list[str] = []
    for dist in dists:
        directory = CORPUS / dist.key
        if not (directory / COMPLETE).exists():
            problems.append(f"{dist.key}: not downloaded")
            summary.append(f"{dist.key}: not downloaded")
            continue
        command = [
            sys.executable, "-m", "flake8",
            "--isolated",  # neither the package's flake8 settings nor this repository's apply
            "--select", "ELP", f"-j{jobs}",
            "--asyncloop-target-version", target,
            "--format", "%(path)s:%(row)d:%(col)d: %(code)s %(text)s",
            dist.key,
        ]  # fmt: skip
        started = time.monotonic()
        try:
            result = _run_with_timeout(command, environment, timeout)
        except subprocess.TimeoutExpired:
            problems.append(f"{dist.key}: timed out after {timeout}s")
            summary.append(f"{dist.key}: TIMEOUT after {timeout}s")
            print(f"TIMEOUT   {dist.key}")
            continue
        elapsed = time.monotonic() - started
        (LOGS / f"{dist.key}.stderr").write_text(result.stderr)
        found = sorted(
            (line for line in result.stdout.splitlines() if line.strip()), key=_position_key
        )
        lines.extend(found)
        status = "ok" if result.returncode in (0, 1) else f"flake8 exited {result.returncode}"
        if result.returncode not in (0, 1):
            problems.append(f"{dist.key}: {status}; see {(LOGS / (dist.key + '.stderr')).relative_to(ROOT)}")
        elif "flake8-asyncloop: internal error" in result.stderr:
            problems.append(f"{dist.key}: engine internal error(s); see _logs/{dist.key}.stderr")
        files = sum(1 for _ in directory.rglob("*.py"))
        summary.append(f"{dist.key}: {len(found)} diagnostics, {files} .py files, {elapsed:.1f}s, {status}")
        shown = "" if status == "ok" else f"  {status}"
        print(f"{len(found):5d}     {dist.key} ({files} files, {elapsed:.1f}s){shown}")
    header = [
        f"# flake8 --select ELP --asyncloop-target-version '{target}' over {len(dists)} packages",
        f"# engine: flake8-asyncloop, {described}",
    ]
    output.write_text("".join(line + "\n" for line in lines))
    counts: dict[str, int] = {}
    for line in lines:
        code = line.split(": ", 1)[1].split(" ", 1)[0]
        counts[code] = counts.get(code, 0) + 1
    summary_path = output.with_name(output.stem + "-summary.txt")
    footer = [f"counts: {dict(sorted(counts.items()))}", *(f"problem: {p}" for p in problems)]
    summary_path.write_text("\n".join(header + summary + footer) + "\n")
    print(f"\n{len(lines)} diagnostics {dict(sorted(counts.items()))} -> {_shown(output)}")
    for problem in problems:
        print(f"problem: {problem}")
    return 1 if problems else 0


def _run_with_timeout(
    command: list[str], environment: dict[str, str], timeout: int
) -> subprocess.CompletedProcess[str]:
    """Run flake8 in its own process group, so that a timeout also ends its -j worker processes."""
    process = subprocess.Popen(
        command,
        cwd=CORPUS,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def _position_key(line: str) -> tuple[str, int, int]:
    path, row, column, _ = (line.split(":", 3) + ["0", "0", ""])[:4]
    try:
        return path, int(row), int(column)
    except ValueError:
        return line, 0, 0


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--list", action="store_true", help="print the pinned packages and what is on disk")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="only these packages (name or name-version)")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("download", help="download and extract what is missing (the default)")
    runner = commands.add_parser("run", help="run flake8 --select ELP over every extracted package")
    runner.add_argument(
        "--target", default=DEFAULT_TARGET, help=f"--asyncloop-target-version (default {DEFAULT_TARGET!r})"
    )
    runner.add_argument(
        "--engine",
        metavar="REVISION",
        help="run flake8-asyncloop as committed at this git revision (e.g. HEAD) instead of the work tree",
    )
    runner.add_argument("--timeout", type=int, default=DEFAULT_TIMEOUT, help="seconds per package")
    runner.add_argument("--jobs", type=int, default=2, help="flake8 -j (default 2)")
    runner.add_argument("--output", default="results.txt", help="file name under benchmarks/.corpus/")
    runner.add_argument("--only", nargs="+", metavar="NAME", dest="run_only", help="only these packages")
    options = parser.parse_args(argv)
    dists = _select(getattr(options, "run_only", None) or options.only)
    if options.list:
        return list_packages(dists)
    CORPUS.mkdir(parents=True, exist_ok=True)
    if options.command == "run":
        return run(dists, options.target, options.timeout, CORPUS / options.output, options.jobs, options.engine)
    return download(dists)


if __name__ == "__main__":
    sys.exit(main())
