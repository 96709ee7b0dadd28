#!/usr/bin/env python3
"""How much flake8-asyncloop costs, measured side by side on this machine.

    python benchmarks/bench.py                      # 5 repetitions, results in benchmarks/results.json
    python benchmarks/bench.py --repeat 9 --json out.json
    python benchmarks/bench.py --quick              # a tiny corpus, once: checks the script works

Corpora come from the running interpreter's standard library: *dense* is ``asyncio/`` and
``test/test_asyncio/`` (nearly every file touches loops), *general* is ten packages that rarely
do. Measured, each as the median of the repetitions:

* **overhead**: ``flake8 -j1`` with the plugin against ``flake8 -j1`` without it, and the peak
  memory (max RSS) of each run. Both runs go through the same driver (``python bench.py
  _flake8 with|without ...``) in a fresh process. *Without* removes this plugin from the list
  flake8 discovers from the installed entry points, so it is neither imported nor run; ignoring
  its codes (``--extend-ignore``) or selecting others (``--select``) would not do: flake8 still
  runs an ignored plugin and only drops its output.
* **fix**: ``flake8-asyncloop fix --unsafe-fixes -j1`` on a fresh copy of the dense corpus, against
  a process that only parses the same files with libcst and regenerates their code.
* **split**: inside one process, the plugin's time per phase on the dense corpus: the text
  pre-check, the ``ast`` focus (which statements libcst gets), the libcst parse of what is kept,
  and the analysis with the rules; flake8's own ``ast`` parse is not the plugin's.
* **scaling**: generated asyncio-heavy modules of growing size through the plugin's path, to
  show that the time per line stays flat.
* **floor**: in a fresh process that has loaded flake8's modules, the seconds and extra peak
  memory of loading libcst (with its native parser, which the first parse loads): what any
  libcst-based plugin pays once a file needs it. Then the same for this plugin's engine (libcst
  included).
* **editor**: ``flake8`` on one file given on standard input (``--stdin-display-name``), as
  editors run it on every save, with the plugin against without; for issue 17's two files, where
  the time goes (interpreter, flake8, libcst's import, ours, each phase: ``_editor_split``); and
  the language server, a process driven over stdio as an editor drives it: from a change sent
  to its diagnostics published, the debounce taken off, over ``SERVER_EDITS`` edits.
* **project**: ``flake8-asyncloop check --no-cache`` over generated projects of 20k to 200k lines
  (packages of 50 modules that make loops for each other, look them up in threads, and mostly
  hold plain code), with one process and with two; then, on the largest, the command with its
  cache: a first run, a second with nothing changed, a third after one module changed.

Every measured process reads every module from bytecode, as an installed wheel has it
(``as_installed``).
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import importlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_JSON = ROOT / "benchmarks" / "results.json"
STDLIB = Path(sysconfig.get_paths()["stdlib"])
DENSE = ("asyncio", "test/test_asyncio")
GENERAL = (
    "email", "json", "http", "concurrent", "logging", "xml", "unittest", "importlib", "multiprocessing", "urllib"
)
QUICK_DENSE = ("asyncio/runners.py", "asyncio/events.py", "test/test_asyncio/test_runners.py")
# The editor's path: flake8 on one file, given on standard input, as editors run it on each save.
# With findings (the two files issue 17 names; base_events.py has none with every rule on), and
# without: asyncio modules that spell loop APIs, and a module that spells none.
EDITOR_FILES = (
    "asyncio/base_events.py", "test/test_asyncio/test_events.py", "asyncio/tasks.py", "asyncio/streams.py",
    "unittest/async_case.py", "email/message.py",
)
QUICK_EDITOR_FILES = ("asyncio/runners.py", "email/message.py")
# pre-commit's path: the command on a batch of staged files, here the editor's files with nothing
# to report (all but test_events.py).
HOOK_FILES = tuple(name for name in EDITOR_FILES if name != "test/test_asyncio/test_events.py")
QUICK_HOOK_FILES = ("email/message.py",)
SERVER_EDITS = 20
QUICK_GENERAL = ("json",)
SIZES = (10_000, 50_000, 100_000)
QUICK_SIZES = (1_000, 5_000)
TARGET = ">=3.7"  # every rule applies, including the 3.7-only ones
PLUGIN_DISTRIBUTION = "flake8-asyncloop"


@dataclass
class Run:
    seconds: float
    max_rss_mb: float


@dataclass
class Comparison:
    name: str
    files: int
    lines: int
    baseline_seconds: float
    measured_seconds: float
    baseline_rss_mb: float
    measured_rss_mb: float

    @property
    def ratio(self) -> float:
        return self.measured_seconds / self.baseline_seconds

    @property
    def memory_ratio(self) -> float:
        return self.measured_rss_mb / self.baseline_rss_mb


# -- running one measured process -----------------------------------------------------------------


def run_measured(command: Sequence[str], cwd: Optional[Path] = None, stdin: Optional[Path] = None) -> Run:
    """Wall time and peak memory of ``command`` in a fresh process (reading ``stdin``, a file, if
    given); its output is discarded."""
    start = time.perf_counter()
    with open(stdin if stdin is not None else os.devnull, "rb") as given:
        process = subprocess.Popen(command, cwd=cwd, stdin=given, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        assert process.stderr is not None
        errors = process.stderr.read()
        _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):
        raise SystemExit(f"bench: {' '.join(command)} failed ({process.returncode}): {errors.decode()[-2000:]}")
    return Run(seconds, usage.ru_maxrss / 1024)  # ru_maxrss is in KiB on Linux


def _median(runs: list[Run]) -> Run:
    return Run(statistics.median(r.seconds for r in runs), statistics.median(r.max_rss_mb for r in runs))


def median_run(make_command: Callable[[], Sequence[str]], repeat: int, cwd: Optional[Path] = None,
               before: Optional[Callable[[], None]] = None) -> Run:
    runs = []
    for _ in range(repeat):
        if before is not None:
            before()
        runs.append(run_measured(make_command(), cwd))
    return _median(runs)


def flake8_driver(arguments: list[str]) -> int:
    """``bench.py _flake8 with|without <flake8 arguments>``: flake8 with or without this plugin."""
    import flake8.plugins.finder as finder
    from flake8.main.cli import main

    mode, *flake8_arguments = arguments
    if mode == "without":
        discover = finder._find_importlib_plugins

        def without_plugin() -> "object":
            return (plugin for plugin in discover() if plugin.package != PLUGIN_DISTRIBUTION)

        setattr(finder, "_find_importlib_plugins", without_plugin)
    return int(main(flake8_arguments))


def libcst_roundtrip(paths: list[str]) -> int:
    """``bench.py _roundtrip <files>``: what any libcst rewrite costs at least, parse and codegen."""
    import libcst

    for path in paths:
        source = Path(path).read_text(encoding="utf-8")
        if libcst.parse_module(source).code != source:
            raise SystemExit(f"bench: libcst does not round-trip {path}")
    return 0


def floor_driver(arguments: list[str]) -> int:
    """``bench.py _floor flake8|libcst|engine``: after flake8's modules, load nothing more, libcst, or
    this plugin's engine; print the seconds of that step and the process's peak memory as JSON."""
    (step,) = arguments
    for module in ("flake8.main.cli", "flake8.checker"):  # what every flake8 run has loaded
        importlib.import_module(module)
    start = time.perf_counter()
    if step in ("libcst", "engine"):
        import libcst

        if step == "engine":
            importlib.import_module("flake8_asyncloop.engine.checker")
        libcst.parse_module("pass\n")  # loads the native parser
    seconds = time.perf_counter() - start
    # VmHWM, not getrusage's ru_maxrss: a process started by vfork (subprocess does) inherits the
    # parent's peak as its ru_maxrss, and this process is smaller than bench.py's.
    status = Path("/proc/self/status").read_text(encoding="ascii")
    peak_kib = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
    print(json.dumps({"seconds": seconds, "max_rss_mb": peak_kib / 1024}))
    return 0


def as_installed(scratch: Path, dense: Sequence[str]) -> None:
    """Every measured process from here on reads every module from bytecode, as an installed
    wheel has it: an editable install run with ``PYTHONDONTWRITEBYTECODE`` (as in this project's
    sandbox) compiles this plugin in every run, which no user pays. The bytecode goes to a
    scratch folder, written by one run of each kind of process first."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = str(scratch / "bytecode")
    paths = [str(path) for path in python_files(dense)]
    for command in (
        [sys.executable, __file__, "_flake8", "without", "--isolated", *paths],
        [sys.executable, __file__, "_flake8", "with", "--isolated", *paths],
        [sys.executable, "-m", "flake8_asyncloop", "check", "--quiet", *paths],
        [sys.executable, __file__, "_roundtrip", paths[0]],
        [sys.executable, __file__, "_editor_split", paths[0]],
        [sys.executable, __file__, "_floor", "engine"],
        [sys.executable, "-c", "import pygls.lsp.server, lsprotocol.types, flake8_asyncloop.server"],
    ):
        subprocess.run(command, cwd=scratch, capture_output=True, check=False)


# -- the measurements -------------------------------------------------------------------------------


def python_files(relative: Sequence[str]) -> list[Path]:
    files: list[Path] = []
    for name in relative:
        path = STDLIB / name
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return files


def count_lines(files: list[Path]) -> int:
    return sum(path.read_bytes().count(b"\n") for path in files)


def _flake8_with_and_without(name: str, files: list[Path], bare_arguments: list[str], repeat: int, scratch: Path,
                             stdin: Optional[Path] = None) -> Comparison:
    """flake8 with the plugin (targeting ``TARGET``) against without, medians of runs interleaved
    so that a change in machine load hits both."""
    base = [sys.executable, __file__, "_flake8"]
    arguments = ["--asyncloop-target-version", TARGET, *bare_arguments]
    runs_with: list[Run] = []
    runs_without: list[Run] = []
    for _ in range(repeat):
        runs_without.append(run_measured([*base, "without", *bare_arguments], scratch, stdin))
        runs_with.append(run_measured([*base, "with", *arguments], scratch, stdin))
    bare, measured = _median(runs_without), _median(runs_with)
    return Comparison(name, len(files), count_lines(files), bare.seconds, measured.seconds, bare.max_rss_mb,
                      measured.max_rss_mb)


def measure_overhead(name: str, relative: Sequence[str], repeat: int, scratch: Path) -> Comparison:
    paths = [str(STDLIB / item) for item in relative]
    # --isolated: no configuration file from wherever the benchmark is run changes the work.
    return _flake8_with_and_without(name, python_files(relative), ["-j1", "--isolated", *paths], repeat, scratch)


def measure_editor(relative: str, repeat: int, scratch: Path) -> Comparison:
    """flake8 on one file on standard input (``--stdin-display-name``, as editors call it)."""
    path = STDLIB / relative
    bare_arguments = ["--isolated", "--stdin-display-name", str(path), "-"]
    return _flake8_with_and_without(f"editor {relative}", [path], bare_arguments, repeat, scratch, stdin=path)


def measure_hook(relative: Sequence[str], repeat: int, scratch: Path) -> Comparison:
    """The pre-commit hook's command (``check --jobs 1 --force-exclude``, without its cache, as
    on a file's first commit) on files with nothing to report, against bare flake8 on the same
    files (what a commit's flake8 hook takes): medians of interleaved runs."""
    files = [STDLIB / item for item in relative]
    paths = [str(path) for path in files]
    hook = [sys.executable, "-m", "flake8_asyncloop", "check", "--jobs", "1", "--force-exclude", "--no-cache",
            "--target-version", TARGET, *paths]
    runs_bare: list[Run] = []
    runs_hook: list[Run] = []
    for _ in range(repeat):
        runs_bare.append(run_measured([sys.executable, __file__, "_flake8", "without", "-j1", "--isolated", *paths],
                                      scratch))
        runs_hook.append(run_measured(hook, scratch))
    bare, measured = _median(runs_bare), _median(runs_hook)
    return Comparison("pre-commit hook", len(files), count_lines(files), bare.seconds, measured.seconds,
                      bare.max_rss_mb, measured.max_rss_mb)


def measure_fix(relative: Sequence[str], repeat: int, scratch: Path) -> Comparison:
    files = python_files(relative)
    copy = scratch / "fix-copy"

    def fresh_copy() -> None:
        shutil.rmtree(copy, ignore_errors=True)
        for path in files:
            target = copy / path.relative_to(STDLIB)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)

    def copied() -> list[str]:
        return [str(path) for path in sorted(copy.rglob("*.py"))]

    fix = median_run(
        lambda: [sys.executable, "-m", "flake8_asyncloop", "fix", "--unsafe-fixes", "-j1", "--quiet",
                 "--target-version", TARGET, str(copy)],
        repeat, scratch, fresh_copy,
    )
    roundtrip = median_run(lambda: [sys.executable, __file__, "_roundtrip", *copied()], repeat, scratch, fresh_copy)
    return Comparison("fix", len(files), count_lines(files), roundtrip.seconds, fix.seconds, roundtrip.max_rss_mb,
                      fix.max_rss_mb)


def measure_floor(repeat: int, scratch: Path) -> dict[str, float]:
    """Loading libcst, and this plugin's engine, in a process that has flake8's modules: medians of
    ``repeat`` fresh processes, memory as the peak above a process that loads flake8's modules only."""

    def median_step(step: str) -> Run:
        runs = []
        for _ in range(repeat):
            output = subprocess.run([sys.executable, __file__, "_floor", step], cwd=scratch,
                                    capture_output=True, text=True, check=True).stdout
            runs.append(Run(**json.loads(output)))
        return _median(runs)

    flake8_only, libcst_loaded, engine = median_step("flake8"), median_step("libcst"), median_step("engine")
    return {
        "flake8_modules_rss_mb": flake8_only.max_rss_mb,
        "libcst_seconds": libcst_loaded.seconds,
        "libcst_extra_rss_mb": libcst_loaded.max_rss_mb - flake8_only.max_rss_mb,
        "engine_seconds": engine.seconds,
        "engine_extra_rss_mb": engine.max_rss_mb - flake8_only.max_rss_mb,
    }


def _run_rules(analysis: Any) -> None:
    """Every rule on ``analysis``, and the position of every finding, as flake8's path does."""
    from flake8_asyncloop.rules import ALL_RULES

    for rule in ALL_RULES:
        for finding in rule.check(analysis):
            analysis.position(finding.node)


def sieve_phases(source: str, tree: ast.Module, path: Optional[str]) -> tuple[dict[str, float], bool]:
    """Seconds of the text pre-check and of the sieve on one module (what runs before libcst is
    loaded), and whether the module goes on to the analysis."""
    from flake8_asyncloop.engine.declared import EVERY_RULE_NAMES, EVERY_RULE_THREAD_STARTS
    from flake8_asyncloop.engine.precheck import mentions_loop_api
    from flake8_asyncloop.engine.sieve import Vocabulary, finding_possible

    phases: dict[str, float] = {}
    start = time.perf_counter()
    passed = mentions_loop_api(source)
    phases["precheck"] = time.perf_counter() - start
    if not passed:
        return phases, False
    start = time.perf_counter()
    passed = finding_possible(tree, Vocabulary.of(EVERY_RULE_NAMES, EVERY_RULE_THREAD_STARTS), path)
    phases["sieve"] = time.perf_counter() - start
    return phases, passed


def analysis_phases(source: str, tree: ast.Module, targets: Any) -> dict[str, float]:
    """Seconds of focus, of libcst's parse of what it keeps, and of the analysis with the rules on
    one module that the sieve passed on; absent phases did not run."""
    from flake8_asyncloop.engine import libcst_private, process
    from flake8_asyncloop.engine.analysis import ModuleAnalysis
    from flake8_asyncloop.engine.callfacts import WholeModuleNeeded
    from flake8_asyncloop.engine.checker import reads_of
    from flake8_asyncloop.engine.focus import Focused, focus
    from flake8_asyncloop.engine.pieces import parse_focused
    from flake8_asyncloop.rules import ALL_RULES

    start = time.perf_counter()
    focused = focus(source, tree, reads_of(ALL_RULES))
    phases = {"focus": time.perf_counter() - start}
    if focused is None:
        return phases

    def parse_and_analyse(kept: Focused = focused) -> tuple[float, float]:
        begin = time.perf_counter()
        module = parse_focused(kept, libcst_private.parse_module_unvalidated)  # in pieces, as the checker does
        parsed = time.perf_counter()
        try:
            _run_rules(ModuleAnalysis(module, targets, focused=kept))
        except WholeModuleNeeded:
            # As the checker does: an answer needs statements focus left out.
            _run_rules(ModuleAnalysis(libcst_private.parse_module_unvalidated(source), targets, source=source))
        return parsed - begin, time.perf_counter() - parsed

    phases["parse"], phases["analysis"] = process.run_deep(parse_and_analyse)
    phases["lines_parsed"] = sum(1 for line in focused.code.splitlines() if line.strip())
    return phases


def measure_split(relative: Sequence[str]) -> dict[str, float]:
    """Seconds per phase of the plugin's path over the corpus, in this process (flake8's own
    ``ast`` parse is not the plugin's: it is done first, untimed)."""
    from flake8_asyncloop.engine.versions import parse_target_versions

    targets = parse_target_versions(TARGET)
    split = {"precheck": 0.0, "sieve": 0.0, "focus": 0.0, "parse": 0.0, "analysis": 0.0}
    counts = {"files": 0, "files_past_precheck": 0, "files_past_sieve": 0, "files_parsed": 0, "lines": 0,
              "lines_parsed": 0}
    for path in python_files(relative):
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        counts["files"] += 1
        counts["lines"] += source.count("\n")
        phases, passed = sieve_phases(source, tree, str(path))
        if passed:
            phases.update(analysis_phases(source, tree, targets))
        for phase in split:
            split[phase] += phases.get(phase, 0.0)
        counts["files_past_precheck"] += "sieve" in phases
        counts["files_past_sieve"] += "focus" in phases
        counts["files_parsed"] += "parse" in phases
        counts["lines_parsed"] += int(phases.get("lines_parsed", 0))
    return {**split, **counts}


def editor_split_driver(arguments: list[str]) -> int:
    """``bench.py _editor_split FILE``: in a fresh process that has loaded flake8's modules and
    parsed FILE as flake8 does, the seconds of each step the plugin takes on it, loading included:
    its light modules (pre-check, sieve), then, if the sieve passes FILE on, libcst (and its native
    parser) and this plugin's engine and rules; printed as JSON."""
    (path,) = arguments
    for module in ("flake8.main.cli", "flake8.checker"):
        importlib.import_module(module)
    source = Path(path).read_text(encoding="utf-8")
    tree = ast.parse(source)
    start = time.perf_counter()
    for module in ("flake8_asyncloop.plugin", "flake8_asyncloop.engine.sieve", "flake8_asyncloop.engine.declared"):
        importlib.import_module(module)
    steps = {"light_import": time.perf_counter() - start}
    phases, passed = sieve_phases(source, tree, path)
    steps.update(phases)
    if passed:
        start = time.perf_counter()
        import libcst

        libcst.parse_module("pass\n")
        loaded = time.perf_counter()
        importlib.import_module("flake8_asyncloop.engine.checker")
        importlib.import_module("flake8_asyncloop.rules")
        from flake8_asyncloop.engine.versions import parse_target_versions

        steps["libcst_import"], steps["engine_import"] = loaded - start, time.perf_counter() - loaded
        steps.update(analysis_phases(source, tree, parse_target_versions(TARGET)))
    print(json.dumps(steps))
    return 0


def measure_editor_split(relative: str, repeat: int, bare_seconds: float, scratch: Path) -> dict[str, float]:
    """Where the editor path's time goes on one file: medians of fresh processes."""
    interpreter = median_run(lambda: [sys.executable, "-c", "pass"], repeat, scratch).seconds
    runs = [
        json.loads(subprocess.run([sys.executable, __file__, "_editor_split", str(STDLIB / relative)], cwd=scratch,
                                  capture_output=True, text=True, check=True).stdout)
        for _ in range(repeat)
    ]
    split = {key: statistics.median(run.get(key, 0.0) for run in runs) for key in runs[0]}
    ours_steps = ("light_import", "precheck", "sieve", "engine_import", "focus", "analysis")
    ours = sum(split.get(key, 0.0) for key in ours_steps)
    return {"interpreter": interpreter, "flake8": bare_seconds - interpreter, **split, "ours": ours,
            "ours_of_bare": ours / bare_seconds}


async def _server_latencies(path: Path, edits: int) -> list[float]:
    """Seconds from each change of ``path``'s text sent to the language server (a process, over
    stdio, as editors run it) to its diagnostics for that version, the debounce taken off."""
    from lsprotocol import types
    from pygls.lsp.client import LanguageClient

    from flake8_asyncloop.server import DEBOUNCE_SECONDS

    client = LanguageClient("flake8-asyncloop-bench", "1")
    published: "asyncio.Queue[tuple[float, types.PublishDiagnosticsParams]]" = asyncio.Queue()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_diagnostics(params: types.PublishDiagnosticsParams) -> None:
        published.put_nowait((time.perf_counter(), params))

    async def published_for(version: int) -> float:
        while True:
            received, params = await asyncio.wait_for(published.get(), timeout=300)
            if params.version == version:
                return received

    uri, text = path.as_uri(), path.read_text(encoding="utf-8")
    await client.start_io(sys.executable, "-m", "flake8_asyncloop", "server", "--stdio")
    latencies = []
    try:
        await client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities(),
                                                             root_uri=path.parent.as_uri()))
        client.initialized(types.InitializedParams())
        client.text_document_did_open(types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)))
        await published_for(1)
        for version in range(2, edits + 2):
            # Typing at the end of the file: every finding stays where it was, the text is new.
            changed = f"{text}# edit {version}\n"
            sent = time.perf_counter()
            client.text_document_did_change(types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=changed)]))
            latencies.append(await published_for(version) - sent - DEBOUNCE_SECONDS)
        await client.shutdown_async(None)
        client.exit(None)
    finally:
        await client.stop()
    return latencies


def measure_server(relative: str, edits: int, scratch: Path) -> dict[str, float]:
    """The language server's latency on a copy of one file, in a project targeting ``TARGET``."""
    project = scratch / "server" / Path(relative).stem
    project.mkdir(parents=True, exist_ok=True)
    settings = f'[tool.flake8-asyncloop]\ntarget-version = "{TARGET}"\n'
    (project / "pyproject.toml").write_text(settings, encoding="utf-8")
    copy = project / Path(relative).name
    shutil.copyfile(STDLIB / relative, copy)
    latencies = asyncio.run(_server_latencies(copy, edits))
    return {"edits": len(latencies), "median_seconds": statistics.median(latencies), "worst_seconds": max(latencies)}


def generated_module(lines: int) -> str:
    """Asyncio-heavy code: threads, loops made and run, lookups, in blocks of 20 lines."""
    block = (
        "def work_{n}():\n"
        "    loop = asyncio.get_event_loop()\n"
        "    return loop.time()\n"
        "\n"
        "def start_{n}():\n"
        "    threading.Thread(target=work_{n}).start()\n"
        "\n"
        "def serve_{n}():\n"
        "    loop = asyncio.new_event_loop()\n"
        "    loop.run_until_complete(asyncio.gather(job_{n}()))\n"
        "\n"
        "async def job_{n}():\n"
        "    await asyncio.sleep(0)\n"
        "    return asyncio.get_event_loop()\n"
        "\n"
        "class Worker{n}:\n"
        "    def setup(self):\n"
        "        self.loop = asyncio.SelectorEventLoop()\n"
        "        self.value = {n}\n"
        "\n"
    )
    blocks = max(1, lines // block.count("\n"))
    return "import asyncio\nimport threading\n\n" + "".join(block.format(n=n) for n in range(blocks))


def measure_scaling(sizes: Sequence[int]) -> list[dict[str, float]]:
    from flake8_asyncloop.engine.checker import check_focused
    from flake8_asyncloop.engine.process import OWNER
    from flake8_asyncloop.engine.versions import parse_target_versions
    from flake8_asyncloop.rules import ALL_RULES

    targets = parse_target_versions(TARGET)
    rows = []
    for size in sizes:
        source = generated_module(size)
        tree = ast.parse(source)
        start = time.perf_counter()
        diagnostics = check_focused(source, tree, targets, ALL_RULES, process=OWNER)
        seconds = time.perf_counter() - start
        lines = source.count("\n")
        rows.append({"lines": lines, "seconds": seconds, "microseconds_per_line": seconds / lines * 1e6,
                     "diagnostics": len(diagnostics)})
    return rows


# -- a generated project ---------------------------------------------------------------------------

PROJECT_SIZES = (200, 1000, 2000)  # modules of about 100 lines: 20k to 200k lines
QUICK_PROJECT_SIZES = (20, 40)
_PACKAGE_MODULES = 50  # modules per subpackage


def _plain_functions(number: int, lines: int) -> str:
    """Code with no loop API, ``lines`` long: most of a real project."""
    blocks = []
    for index in range(max(1, lines // 5)):
        blocks.append(
            f"def compute_{number}_{index}(values):\n"
            f"    total = sum(value * {index} for value in values)\n"
            f"    return {{'module': {number}, 'total': total}}\n\n\n"
        )
    return "".join(blocks)


def _module_text(part: int, number: int) -> str:
    """Module ``number`` of subpackage ``part``: one in ten makes loops for others (a helper and
    a client class that installs one), one in ten looks the loop up (a thread's target elsewhere),
    one in five uses both from the modules before it; the rest is plain code."""
    kind = number % 10
    if kind == 0:
        head = (
            "import asyncio\n\n\n"
            "def make_loop():\n    loop = asyncio.new_event_loop()\n    return loop\n\n\n"
            "class Client:\n    def __init__(self):\n        self.loop = asyncio.new_event_loop()\n"
            "        asyncio.set_event_loop(self.loop)\n\n    def close(self):\n        self.loop.close()\n\n\n"
        )
    elif kind == 1:
        head = "import asyncio\n\n\ndef fetch():\n    return asyncio.get_event_loop().time()\n\n\n"
    elif kind in (2, 6):
        helper, worker = f"mod_{number - kind}", f"mod_{number - kind + 1}"
        head = (
            "import asyncio\nimport threading\n\n"
            f"from . import {worker}\nfrom .{helper} import Client, make_loop\n\n\n"
            "def start():\n"
            f"    threading.Thread(target={worker}.fetch).start()\n\n\n"
            "def run_once(job):\n    loop = make_loop()\n    return loop.run_until_complete(job())\n\n\n"
            "def with_client(job):\n    client = Client()\n"
            "    try:\n        return asyncio.get_event_loop().run_until_complete(job())\n"
            "    finally:\n        client.close()\n\n\n"
        )
    else:
        head = "import json\n\n\n"
    return head + _plain_functions(number, 100 - head.count("\n"))


def generated_project(root: Path, modules: int) -> int:
    """A project of ``modules`` modules in subpackages of ``_PACKAGE_MODULES``; its line count."""
    (root / "pyproject.toml").write_text('[project]\nname = "generated"\nrequires-python = ">=3.9"\n', encoding="utf-8")
    package = root / "generated"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    lines = 0
    for index in range(modules):
        part, number = divmod(index, _PACKAGE_MODULES)
        folder = package / f"part_{part}"
        if not folder.exists():
            folder.mkdir()
            (folder / "__init__.py").write_text("", encoding="utf-8")
        text = _module_text(part, number)
        (folder / f"mod_{number}.py").write_text(text, encoding="utf-8")
        lines += text.count("\n")
    return lines


def measure_project(sizes: Sequence[int], repeat: int, scratch: Path) -> list[dict[str, float]]:
    """``flake8-asyncloop check --no-cache`` over generated projects of growing size: seconds and
    peak memory with one process, and with two."""
    rows = []
    for modules in sizes:
        root = scratch / f"project-{modules}"
        root.mkdir()
        lines = generated_project(root, modules)
        row: dict[str, float] = {"modules": modules, "lines": lines}
        for jobs in (1, 2):
            run = median_run(lambda: [sys.executable, "-m", "flake8_asyncloop", "check", "--quiet", "--no-cache",
                                      "-j", str(jobs), str(root)], repeat, scratch)
            row[f"seconds_j{jobs}"], row[f"max_rss_mb_j{jobs}"] = run.seconds, run.max_rss_mb
        rows.append(row)
    return rows


def measure_incremental(modules: int, scratch: Path) -> dict[str, float]:
    """The same command with its cache (``cache.py``) on a generated project: the first run, a
    second with nothing changed, and a third after one module that others start threads on
    changed; how many modules the third analysed again (``--verbose`` says which were kept)."""
    root = scratch / f"incremental-{modules}"
    root.mkdir()
    generated_project(root, modules)
    command = [sys.executable, "-m", "flake8_asyncloop", "check", "-j", "1", "--verbose", str(root)]
    first, unchanged = run_measured(command, scratch), run_measured(command, scratch)
    with open(root / "generated" / "part_0" / "mod_1.py", "a", encoding="utf-8") as changed:
        changed.write("# changed\n")
    start = time.perf_counter()
    verbose = subprocess.run(command, cwd=scratch, capture_output=True, text=True).stderr.splitlines()
    after_change = time.perf_counter() - start
    analysed = [line for line in verbose if " ms, " in line and not line.endswith("kept from an earlier run")]
    return {"modules": modules, "first_seconds": first.seconds, "unchanged_seconds": unchanged.seconds,
            "after_change_seconds": after_change, "analysed_after_change": len(analysed)}


# -- reporting ----------------------------------------------------------------------------------------


def machine() -> dict[str, object]:
    import flake8
    import libcst

    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "load_average_at_start": os.getloadavg()[0],
        "flake8": flake8.__version__,
        "libcst": getattr(libcst, "__version__", None) or _distribution_version("libcst"),
    }


def _distribution_version(name: str) -> str:
    from importlib.metadata import version

    return version(name)


def table(results: dict[str, object]) -> str:
    comparisons = results["comparisons"]
    assert isinstance(comparisons, list)
    rows = ["| measure | files | lines | without | with | ratio | memory without | memory with | memory ratio |",
            "|---|---|---|---|---|---|---|---|---|"]
    for item in comparisons:
        rows.append(
            f"| {item['name']} | {item['files']} | {item['lines']} | {item['baseline_seconds']:.2f} s "
            f"| {item['measured_seconds']:.2f} s | {item['ratio']:.2f}x | {item['baseline_rss_mb']:.0f} MB "
            f"| {item['measured_rss_mb']:.0f} MB | {item['memory_ratio']:.2f}x |"
        )
    split = results["split"]
    assert isinstance(split, dict)
    rows.append("")
    rows.append(
        f"dense corpus, plugin phases: pre-check {split['precheck']:.3f} s, sieve {split['sieve']:.3f} s, "
        f"focus {split['focus']:.3f} s, libcst parse {split['parse']:.3f} s, analysis {split['analysis']:.3f} s; "
        f"of {split['files']} files {split['files_past_precheck']} past the pre-check, "
        f"{split['files_past_sieve']} past the sieve, {split['files_parsed']} parsed; "
        f"{split['lines_parsed']} of {split['lines']} lines kept"
    )
    editor_split = results["editor_split"]
    assert isinstance(editor_split, dict)
    for relative, phases in editor_split.items():
        rows.append(
            f"editor path, {relative}: interpreter {phases['interpreter']:.3f} s, flake8 {phases['flake8']:.3f} s; "
            + ", ".join(f"{step.replace('_', ' ')} {phases.get(step, 0.0) * 1000:.1f} ms"
                        for step in ("light_import", "precheck", "sieve", "libcst_import", "engine_import", "focus",
                                     "parse", "analysis"))
            + f"; ours (all but libcst's import and parse) {phases['ours'] * 1000:.0f} ms = "
            f"{phases['ours_of_bare']:.0%} of bare flake8"
        )
    server = results["server"]
    assert isinstance(server, dict)
    for relative, latency in server.items():
        rows.append(
            f"language server, {relative}: change to diagnostics (debounce off) over {latency['edits']} edits: "
            f"median {latency['median_seconds'] * 1000:.0f} ms, worst {latency['worst_seconds'] * 1000:.0f} ms"
        )
    floor = results["floor"]
    assert isinstance(floor, dict)
    rows.append(
        f"floor, in a process with flake8's modules: libcst and its native parser {floor['libcst_seconds']:.3f} s, "
        f"+{floor['libcst_extra_rss_mb']:.1f} MB; this plugin's engine with libcst {floor['engine_seconds']:.3f} s, "
        f"+{floor['engine_extra_rss_mb']:.1f} MB"
    )
    project = results["project"]
    assert isinstance(project, list)
    rows.append("generated project, flake8-asyncloop check: " + ", ".join(
        f"{row['modules']:.0f} modules ({row['lines'] / 1000:.0f}k lines) {row['seconds_j1']:.2f} s "
        f"({row['seconds_j1'] / row['modules'] * 1000:.1f} ms/module, {row['max_rss_mb_j1']:.0f} MB), "
        f"-j2 {row['seconds_j2']:.2f} s" for row in project
    ))
    incremental = results["incremental"]
    assert isinstance(incremental, dict)
    rows.append(
        f"with its cache, {incremental['modules']:.0f} modules: first run {incremental['first_seconds']:.2f} s, "
        f"nothing changed {incremental['unchanged_seconds']:.2f} s, one module changed "
        f"{incremental['after_change_seconds']:.2f} s ({incremental['analysed_after_change']:.0f} modules analysed "
        f"again, {incremental['first_seconds'] / incremental['after_change_seconds']:.1f}x faster than the first)"
    )
    scaling = results["scaling"]
    assert isinstance(scaling, list)
    rows.append("generated module: " + ", ".join(
        f"{row['lines']} lines {row['seconds']:.2f} s ({row['microseconds_per_line']:.0f} us/line)" for row in scaling
    ))
    return "\n".join(rows)


def main(argv: Optional[list[str]] = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    if arguments[:1] == ["_flake8"]:
        return flake8_driver(arguments[1:])
    if arguments[:1] == ["_roundtrip"]:
        return libcst_roundtrip(arguments[1:])
    if arguments[:1] == ["_floor"]:
        return floor_driver(arguments[1:])
    if arguments[:1] == ["_editor_split"]:
        return editor_split_driver(arguments[1:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="repetitions per measurement (median reported)")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write the results")
    parser.add_argument("--quick", action="store_true", help="a tiny corpus, once: checks that the script works")
    options = parser.parse_args(arguments)
    if options.repeat < 1:
        parser.error("--repeat must be at least 1")
    repeat = 1 if options.quick else options.repeat
    dense, general = (QUICK_DENSE, QUICK_GENERAL) if options.quick else (DENSE, GENERAL)
    editor_files = QUICK_EDITOR_FILES if options.quick else EDITOR_FILES
    named = editor_files[:1] if options.quick else editor_files[:2]  # issue 17's two files
    results: dict[str, object] = {"machine": machine(), "repeat": repeat, "quick": options.quick, "target": TARGET}
    with tempfile.TemporaryDirectory(prefix="asyncloop-bench-") as directory:
        scratch = Path(directory)
        as_installed(scratch, dense)
        comparisons = [
            measure_overhead("dense", dense, repeat, scratch),
            measure_overhead("general", general, repeat, scratch),
            measure_fix(dense, repeat, scratch),
            *(measure_editor(relative, repeat, scratch) for relative in editor_files),
            measure_hook(QUICK_HOOK_FILES if options.quick else HOOK_FILES, repeat, scratch),
        ]
        floor = measure_floor(repeat, scratch)
        bare = {item.name: item.baseline_seconds for item in comparisons}
        results["editor_split"] = {
            relative: measure_editor_split(relative, repeat, bare[f"editor {relative}"], scratch) for relative in named
        }
        edits = 2 if options.quick else SERVER_EDITS
        results["server"] = {relative: measure_server(relative, edits, scratch) for relative in named}
        project_repeat = 1 if options.quick else min(repeat, 3)  # the largest run takes tens of seconds
        sizes = QUICK_PROJECT_SIZES if options.quick else PROJECT_SIZES
        results["project"] = measure_project(sizes, project_repeat, scratch)
        results["incremental"] = measure_incremental(sizes[-1], scratch)
    results["comparisons"] = [
        {**asdict(item), "ratio": item.ratio, "memory_ratio": item.memory_ratio} for item in comparisons
    ]
    results["floor"] = floor
    results["split"] = measure_split(dense)
    results["scaling"] = measure_scaling(QUICK_SIZES if options.quick else SIZES)
    options.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(table(results))
    print(f"results: {options.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
