"""The flake8 path's focused code gives exactly the diagnostics of the whole module.

``check_focused`` (flake8's path: libcst sees only the statements ``focus.py`` keeps, at their own
lines) must agree with ``check_source`` (the whole module) on every fixture and on CPython's
``asyncio`` and ``test_asyncio``. Wider corpora (all of ``Lib/``, the real-code corpus in
``benchmarks/.corpus/``) are opt-in: ``FLAKE8_ASYNCLOOP_FOCUS_CORPUS=lib,realcode``.
"""

from __future__ import annotations

import ast
import gc
import os
import sysconfig
from pathlib import Path

import pytest

from flake8_asyncloop.engine.checker import check_focused, check_source, reads_of
from flake8_asyncloop.engine.diagnostics import Diagnostic
from flake8_asyncloop.engine.focus import focus
from flake8_asyncloop.engine.precheck import mentions_loop_api
from flake8_asyncloop.engine.versions import TargetVersions, parse_target_versions
from flake8_asyncloop.rules import ALL_RULES, Rule
from tests.fixture_support import ROOT, fixture_files, fixture_target

STDLIB = Path(sysconfig.get_paths()["stdlib"])
OPT_IN = set(filter(None, os.environ.get("FLAKE8_ASYNCLOOP_FOCUS_CORPUS", "").split(",")))
ALL_READS = reads_of(ALL_RULES)


def _read(path: Path) -> tuple[str, ast.Module] | None:
    try:
        source = path.read_text(encoding="utf-8")
        return source, ast.parse(source)
    except (SyntaxError, UnicodeDecodeError, ValueError, RecursionError, MemoryError):
        return None  # flake8 reports E999 and runs no plugin on it


def _disagreements(paths: list[Path], targets: TargetVersions, rules: tuple[Rule, ...] = ALL_RULES) -> list[str]:
    found = []
    for path in paths:
        read = _read(path)
        if read is None:
            continue
        source, tree = read
        # With the path, as the adapters call them: the project's other modules are read too.
        whole = check_source(source, targets, rules, tree=tree, path=str(path))
        focused = check_focused(source, tree, targets, rules, path=str(path))
        if whole != focused:
            found.append(f"{path}: only whole {_brief(whole, focused)}; only focused {_brief(focused, whole)}")
        elif [d.end for d in whole] != [d.end for d in focused]:
            found.append(f"{path}: ends differ, whole {[d.end for d in whole]}, focused {[d.end for d in focused]}")
    return found


def _brief(these: list[Diagnostic], others: list[Diagnostic]) -> list[tuple[int, int, str]]:
    return [(d.line, d.column, d.code) for d in these if d not in others]


def _python_files(*directories: Path) -> list[Path]:
    return sorted(path for directory in directories for path in directory.rglob("*.py"))


def test_fixtures_agree() -> None:
    disagreements = []
    for path in fixture_files():
        disagreements += _disagreements([path], parse_target_versions(fixture_target(path)))
    assert not disagreements, "\n".join(disagreements)


@pytest.mark.parametrize("target", [">=3.7", ">=3.12"])
def test_stdlib_asyncio_agrees(target: str) -> None:
    paths = _python_files(STDLIB / "asyncio", STDLIB / "test" / "test_asyncio")
    assert len(paths) > 30
    assert _disagreements(paths, parse_target_versions(target)) == []


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda rule: rule.code)
def test_each_rule_alone_agrees(rule: Rule) -> None:
    """With one rule selected, focus keeps only what that rule declares it reads (``reads``): a
    rule that reads an API it does not declare disagrees here, on its fixtures or CPython's."""
    disagreements = []
    for path in fixture_files():
        disagreements += _disagreements([path], parse_target_versions(fixture_target(path)), (rule,))
    stdlib = _python_files(STDLIB / "asyncio", STDLIB / "test" / "test_asyncio")
    disagreements += _disagreements(stdlib, parse_target_versions(">=3.7"), (rule,))
    assert not disagreements, "\n".join(disagreements)


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda rule: rule.code)
def test_the_text_precheck_finds_every_name_a_rule_starts_from(rule: Rule) -> None:
    """``precheck.py`` skips a file that spells none of its words; every API a rule declares in
    ``reads.names`` must contain one, or files using only that API would be skipped unread."""
    missed = sorted(name for name in rule.reads.names if not mentions_loop_api(name))
    assert missed == [], f"{rule.code} reads {missed}, which the precheck's words do not cover"


@pytest.mark.skipif("lib" not in OPT_IN, reason="opt-in: FLAKE8_ASYNCLOOP_FOCUS_CORPUS=lib")
def test_whole_stdlib_agrees() -> None:
    assert _disagreements(_python_files(STDLIB), parse_target_versions(">=3.7")) == []


@pytest.mark.skipif("realcode" not in OPT_IN, reason="opt-in: FLAKE8_ASYNCLOOP_FOCUS_CORPUS=realcode")
def test_real_code_corpus_agrees() -> None:
    corpus = ROOT / "benchmarks" / ".corpus"
    packages = [path for path in corpus.iterdir() if path.is_dir() and not path.name.startswith("_")]
    assert _disagreements(_python_files(*packages), parse_target_versions(">=3.7")) == []


def test_focused_code_keeps_lines_verbatim_and_where_they_were() -> None:
    source = (
        "import asyncio\n"
        "import json\n"
        "\n"
        "def unrelated():\n"
        "    return json.dumps({})\n"
        "\n"
        "class Worker:\n"
        "    def helper(self):\n"
        "        return 1\n"
        "\n"
        "    def start(self):\n"
        "        self.loop = asyncio.SelectorEventLoop()\n"
    )
    focused = focus(source, ast.parse(source), ALL_READS)
    assert focused is not None
    kept = focused.code.splitlines()
    assert kept == [
        "import asyncio",
        "import json",
        "",
        "",
        "class Worker:",
        "    pass",
        "",
        "    def start(self):",
        "        self.loop = asyncio.SelectorEventLoop()",
    ]
    # Each kept line tells where it is in the file, and is that line verbatim.
    assert [source.splitlines()[number - 1] for number in focused.line_numbers] == [
        line if line != "    pass" else "    def helper(self):" for line in kept
    ]
    assert [ast.unparse(call) for call in focused.calls()] == ["asyncio.SelectorEventLoop()"]


def test_focused_calls_are_the_calls_of_the_focused_code() -> None:
    """Call positions come from flake8's tree of the kept statements: they must be exactly the
    calls libcst sees, or every position falls back to libcst's slow PositionProvider."""
    mismatched = []
    for path in [*fixture_files(), *_python_files(STDLIB / "asyncio", STDLIB / "test" / "test_asyncio")]:
        read = _read(path)
        focused = focus(*read, ALL_READS) if read is not None else None
        if focused is None:
            continue
        expected = sorted(
            (node.lineno, node.col_offset) for node in ast.walk(ast.parse(focused.code)) if isinstance(node, ast.Call)
        )
        found = sorted((focused.line_numbers.index(call.lineno) + 1, call.col_offset) for call in focused.calls())
        if found != expected:
            mismatched.append(path)
    assert mismatched == []


def test_no_reported_api_means_no_libcst() -> None:
    source = "import asyncio\nasync def main():\n    loop = asyncio.get_running_loop()\n"
    assert focus(source, ast.parse(source), ALL_READS) is None


def test_alias_of_a_reported_api_is_followed() -> None:
    source = (
        "from asyncio import get_event_loop as gel\n"
        "import threading\n"
        "def work():\n"
        "    gel()\n"
        "threading.Thread(target=work).start()\n"
    )
    focused = focus(source, ast.parse(source), ALL_READS)
    assert focused is not None and focused.code == source
    targets = parse_target_versions(">=3.7")
    assert [d.code for d in check_focused(source, ast.parse(source), targets, ALL_RULES)] == ["ELP101"]


def test_benchmark_quick_run_writes_json(tmp_path: Path) -> None:
    """``benchmarks/bench.py --quick`` runs end to end on a tiny corpus (it is not a timed test)."""
    import json
    import subprocess
    import sys

    output = tmp_path / "results.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench.py"), "--quick", "--json", str(output)],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    results = json.loads(output.read_text(encoding="utf-8"))
    assert {item["name"] for item in results["comparisons"]} == {
        "dense", "general", "fix", "editor asyncio/runners.py", "editor email/message.py", "pre-commit hook"
    }
    assert all(item["ratio"] > 0 and item["memory_ratio"] > 0 for item in results["comparisons"])
    assert results["split"]["files_parsed"] > 0
    assert results["editor_split"]["asyncio/runners.py"]["sieve"] > 0
    assert results["server"]["asyncio/runners.py"]["edits"] == 2
    assert [row["modules"] for row in results["project"]] == [20, 40]
    assert results["incremental"]["analysed_after_change"] == 3  # the module and two thread starters
    assert all(row["lines"] > 0 for row in results["scaling"])


def test_callers_are_kept_only_where_the_callee_matters() -> None:
    source = (
        "import asyncio\n"
        "import threading\n"
        "class Client:\n"
        "    async def resolve(self, host):\n"
        "        return await self.executor_loop.run_in_executor(None, len, host)\n"
        "    async def connect(self, host):\n"
        "        return await self.resolve(host)\n"
        "def worker():\n"
        "    return asyncio.get_event_loop()\n"
        "def start():\n"
        "    threading.Thread(target=worker).start()\n"
    )
    focused = focus(source, ast.parse(source), ALL_READS)
    assert focused is not None
    # resolve() starts no thread of its own that matters to its callers: connect() is left out.
    assert "self.resolve(host)" not in focused.code
    # worker() looks a loop up: who starts it must stay, and the thread is found.
    assert "threading.Thread(target=worker).start()" in focused.code
    targets = parse_target_versions(">=3.7")
    assert [(d.line, d.code) for d in check_focused(source, ast.parse(source), targets, ALL_RULES)] == [(9, "ELP101")]


def test_loop_attribute_uses_no_rule_reads_are_left_out() -> None:
    source = (
        "import asyncio\n"
        "class Case:\n"
        "    def setUp(self):\n"
        "        self.loop = asyncio.new_event_loop()\n"
        "    def test_schedule(self):\n"
        "        self.loop.call_soon(print)\n"
        "    def test_hand_over(self):\n"
        "        use(self.loop)\n"
        "    def tearDown(self):\n"
        "        self.loop.close()\n"
    )
    focused = focus(source, ast.parse(source), ALL_READS)
    assert focused is not None
    # Scheduling a callback tells no rule anything; handing the loop over and closing it do.
    assert "call_soon" not in focused.code
    assert "use(self.loop)" in focused.code and "self.loop.close()" in focused.code
    targets = parse_target_versions(">=3.7")
    whole = check_source(source, targets, ALL_RULES)
    assert check_focused(source, ast.parse(source), targets, ALL_RULES) == whole == []
    unclosed = source.replace("        use(self.loop)\n", "        pass\n").replace("self.loop.close()", "pass")
    reported = check_focused(unclosed, ast.parse(unclosed), targets, ALL_RULES)
    assert [(d.line, d.code) for d in reported] == [(4, "ELP108")]
    assert reported == check_source(unclosed, targets, ALL_RULES)


def test_flake8_path_leaves_no_cycles_holding_the_tree() -> None:
    """On flake8's path the analysis breaks its reference cycles when the diagnostics are made
    (``ModuleAnalysis.release``): the module's tree is freed then, not by a collection that
    walks all of it after every module."""
    source = (STDLIB / "test" / "test_asyncio" / "test_base_events.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    targets = parse_target_versions(">=3.7")
    check_focused(source, tree, targets, ALL_RULES)  # imports and caches: not this module's
    gc.collect()
    gc.disable()
    try:
        assert check_focused(source, tree, targets, ALL_RULES)
        unreachable = gc.collect()
    finally:
        gc.enable()
    assert unreachable < 1_000  # the tree alone is tens of thousands of nodes
