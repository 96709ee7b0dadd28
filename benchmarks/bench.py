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
  included), imported as the measured runs import it and from bytecode, as an installed wheel has
  it (with ``PYTHONDONTWRITEBYTECODE``, an editable install compiles the engine in every run).
"""

from __future__ import annotations

import argparse
import ast
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


def run_measured(command: Sequence[str], cwd: Optional[Path] = None) -> Run:
    """Wall time and peak memory of ``command`` in a fresh process; its output is discarded."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
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


# -- the measurements -------------------------------------------------------------------------------


def python_files(relative: Sequence[str]) -> list[Path]:
    files: list[Path] = []
    for name in relative:
        path = STDLIB / name
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return files


def count_lines(files: list[Path]) -> int:
    return sum(path.read_bytes().count(b"\n") for path in files)


def measure_overhead(name: str, relative: Sequence[str], repeat: int, scratch: Path) -> Comparison:
    files = python_files(relative)
    paths = [str(STDLIB / item) for item in relative]
    # --isolated: no configuration file from wherever the benchmark is run changes the work.
    base = [sys.executable, __file__, "_flake8"]
    arguments = ["-j1", "--isolated", "--asyncloop-target-version", TARGET, *paths]
    bare_arguments = ["-j1", "--isolated", *paths]
    runs_with: list[Run] = []
    runs_without: list[Run] = []
    for _ in range(repeat):  # interleaved, so that a change in machine load hits both
        runs_without.append(run_measured([*base, "without", *bare_arguments], scratch))
        runs_with.append(run_measured([*base, "with", *arguments], scratch))
    bare, measured = _median(runs_without), _median(runs_with)
    return Comparison(name, len(files), count_lines(files), bare.seconds, measured.seconds, bare.max_rss_mb,
                      measured.max_rss_mb)


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

    def median_step(step: str, environment: Optional[dict[str, str]] = None) -> Run:
        runs = []
        for _ in range(repeat):
            output = subprocess.run([sys.executable, __file__, "_floor", step], cwd=scratch, env=environment,
                                    capture_output=True, text=True, check=True).stdout
            runs.append(Run(**json.loads(output)))
        return _median(runs)

    # Bytecode in a scratch directory, written by a first run: as an installed wheel has it.
    with_bytecode = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    with_bytecode["PYTHONPYCACHEPREFIX"] = str(scratch / "bytecode")
    subprocess.run([sys.executable, __file__, "_floor", "engine"], cwd=scratch, env=with_bytecode,
                   capture_output=True, check=True)
    flake8_only, libcst_loaded = median_step("flake8"), median_step("libcst")
    engine, engine_from_bytecode = median_step("engine"), median_step("engine", with_bytecode)
    return {
        "flake8_modules_rss_mb": flake8_only.max_rss_mb,
        "libcst_seconds": libcst_loaded.seconds,
        "libcst_extra_rss_mb": libcst_loaded.max_rss_mb - flake8_only.max_rss_mb,
        "engine_seconds": engine.seconds,
        "engine_seconds_from_bytecode": engine_from_bytecode.seconds,
        "engine_extra_rss_mb": engine.max_rss_mb - flake8_only.max_rss_mb,
        "engine_extra_rss_mb_from_bytecode": engine_from_bytecode.max_rss_mb - flake8_only.max_rss_mb,
    }


def _run_rules(analysis: Any) -> None:
    """Every rule on ``analysis``, and the position of every finding, as flake8's path does."""
    from flake8_asyncloop.rules import ALL_RULES

    for rule in ALL_RULES:
        for finding in rule.check(analysis):
            analysis.position(finding.node)


def measure_split(relative: Sequence[str]) -> dict[str, float]:
    """Seconds per phase of the plugin's path over the corpus, in this process."""

    from flake8_asyncloop.engine import libcst_private, process
    from flake8_asyncloop.engine.analysis import ModuleAnalysis
    from flake8_asyncloop.engine.callfacts import WholeModuleNeeded
    from flake8_asyncloop.engine.checker import reads_of
    from flake8_asyncloop.engine.focus import Focused, focus
    from flake8_asyncloop.engine.precheck import mentions_loop_api
    from flake8_asyncloop.engine.versions import parse_target_versions
    from flake8_asyncloop.rules import ALL_RULES

    targets = parse_target_versions(TARGET)
    split = {"precheck": 0.0, "focus": 0.0, "parse": 0.0, "analysis": 0.0}
    counts = {"files": 0, "files_past_precheck": 0, "files_parsed": 0, "lines": 0, "lines_parsed": 0}
    for path in python_files(relative):
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)  # flake8's work, not timed
        counts["files"] += 1
        counts["lines"] += source.count("\n")
        start = time.perf_counter()
        passed = mentions_loop_api(source)
        split["precheck"] += time.perf_counter() - start
        if not passed:
            continue
        counts["files_past_precheck"] += 1
        start = time.perf_counter()
        focused = focus(source, tree, reads_of(ALL_RULES))
        split["focus"] += time.perf_counter() - start
        if focused is None:
            continue
        counts["files_parsed"] += 1
        counts["lines_parsed"] += sum(1 for line in focused.code.splitlines() if line.strip())

        def phases(kept: Focused = focused, whole: str = source) -> tuple[float, float]:
            begin = time.perf_counter()
            module = libcst_private.parse_module_unvalidated(kept.code)
            parsed = time.perf_counter()
            try:
                _run_rules(ModuleAnalysis(module, targets, focused=kept))
            except WholeModuleNeeded:
                # As the checker does: an answer needs statements focus left out.
                _run_rules(ModuleAnalysis(libcst_private.parse_module_unvalidated(whole), targets, source=whole))
            return parsed - begin, time.perf_counter() - parsed

        parse_seconds, analysis_seconds = process.run_deep(phases)
        split["parse"] += parse_seconds
        split["analysis"] += analysis_seconds
    return {**split, **counts}


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
        f"dense corpus, plugin phases: pre-check {split['precheck']:.3f} s, focus {split['focus']:.3f} s, "
        f"libcst parse {split['parse']:.3f} s, analysis {split['analysis']:.3f} s; "
        f"{split['files_parsed']} of {split['files']} files parsed, "
        f"{split['lines_parsed']} of {split['lines']} lines kept"
    )
    floor = results["floor"]
    assert isinstance(floor, dict)
    rows.append(
        f"floor, in a process with flake8's modules: libcst and its native parser {floor['libcst_seconds']:.3f} s, "
        f"+{floor['libcst_extra_rss_mb']:.1f} MB; this plugin's engine with libcst {floor['engine_seconds']:.3f} s "
        f"({floor['engine_seconds_from_bytecode']:.3f} s from bytecode), +{floor['engine_extra_rss_mb']:.1f} MB "
        f"(+{floor['engine_extra_rss_mb_from_bytecode']:.1f} MB)"
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
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="repetitions per measurement (median reported)")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write the results")
    parser.add_argument("--quick", action="store_true", help="a tiny corpus, once: checks that the script works")
    options = parser.parse_args(arguments)
    if options.repeat < 1:
        parser.error("--repeat must be at least 1")
    repeat = 1 if options.quick else options.repeat
    dense, general = (QUICK_DENSE, QUICK_GENERAL) if options.quick else (DENSE, GENERAL)
    results: dict[str, object] = {"machine": machine(), "repeat": repeat, "quick": options.quick, "target": TARGET}
    with tempfile.TemporaryDirectory(prefix="asyncloop-bench-") as directory:
        scratch = Path(directory)
        comparisons = [
            measure_overhead("dense", dense, repeat, scratch),
            measure_overhead("general", general, repeat, scratch),
            measure_fix(dense, repeat, scratch),
        ]
        floor = measure_floor(repeat, scratch)
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
