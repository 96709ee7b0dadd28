"""Process-wide settings belong to the process's owner.

The flake8 plugin and the command own their processes: the engine runs there in the deep thread,
with the recursion limit raised, the garbage collector paused and libcst's parser output not
re-validated. The codemod (a library inside libcst's tool) and the language server (whose event
loop runs beside the analysis) leave the collector, the recursion limit, the stack size of new
threads and libcst's validation as they found them, also while the analysis runs.
"""

from __future__ import annotations

import ast
import asyncio
import gc
import resource
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, Callable

import libcst as cst
import pytest
from libcst.codemod import CodemodContext

from flake8_asyncloop.codemod import FixEventLoops
from flake8_asyncloop.config import Settings
from flake8_asyncloop.engine import checker, libcst_private
from flake8_asyncloop.engine.analysis import ModuleAnalysis
from flake8_asyncloop.engine.checker import check_source
from flake8_asyncloop.engine.diagnostics import FixResult
from flake8_asyncloop.engine.fixer import fix_source
from flake8_asyncloop.engine.process import OWNER
from flake8_asyncloop.engine.versions import parse_target_versions
from flake8_asyncloop.files import Task, run_task
from flake8_asyncloop.plugin import AsyncLoopChecker
from flake8_asyncloop.rules import ALL_RULES
from flake8_asyncloop.server import Analysis, AsyncLoopServer, analyse
from tests.fixture_support import ROOT

# ELP104 (a safe fix) and ELP108: every path analyses it, the fixing ones change it.
SOURCE = (
    "import asyncio\n\n\nasync def handler():\n    return asyncio.get_event_loop()\n\n\n"
    "loop = asyncio.new_event_loop()\nloop.run_forever()\n"
)


def _settings() -> tuple[bool, int, int]:
    return gc.isenabled(), sys.getrecursionlimit(), threading.stack_size()


class Observed:
    """What the process looked like each time the engine analysed a module."""

    def __init__(self) -> None:
        self.settings: list[tuple[bool, int, int]] = []
        self.threads: set[str] = set()
        self.unvalidated = False


@pytest.fixture
def observed(monkeypatch: pytest.MonkeyPatch) -> Observed:
    seen = Observed()

    class Watching(ModuleAnalysis):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            seen.settings.append(_settings())
            seen.threads.add(threading.current_thread().name)
            super().__init__(*args, **kwargs)

    def unvalidated(node: cst.CSTNode) -> None:
        seen.unvalidated = True

    monkeypatch.setattr(checker, "ModuleAnalysis", Watching)
    monkeypatch.setattr(libcst_private, "_no_validation", unvalidated)
    return seen


def _codemod(path: Path) -> None:
    fixed = FixEventLoops(CodemodContext(filename=str(path))).transform_module(cst.parse_module(SOURCE))
    assert "get_running_loop" in fixed.code


def _language_server(path: Path) -> None:
    before = _settings()
    server = AsyncLoopServer()
    try:
        assert _settings() == before  # starting the server leaves them too
        uri = path.as_uri()
        analysis = asyncio.run(server.in_worker(uri, lambda: analyse(SOURCE, str(path)), Analysis(SOURCE)))
        assert {d.code for d in analysis.diagnostics} == {"ELP104", "ELP108"}
        settings = analysis.settings
        assert settings is not None
        # What the server's fix-all action runs.
        fixed = asyncio.run(
            server.in_worker(uri, lambda: fix_source(SOURCE, settings.targets, settings.rules).source, SOURCE)
        )
        assert "get_running_loop" in fixed
    finally:
        server.analysis_executor.shutdown()


@pytest.mark.parametrize(
    ("call", "thread"),
    [(_codemod, "MainThread"), (_language_server, "flake8-asyncloop_0")],
    ids=["codemod", "language-server"],
)
def test_guests_leave_the_process_as_they_found_it(
    call: Callable[[Path], None], thread: str, observed: Observed, tmp_path: Path
) -> None:
    before = _settings()
    assert before[0], "the collector runs, as in any process"
    call(tmp_path / "module.py")
    assert _settings() == before
    assert observed.settings and set(observed.settings) == {before}
    assert not observed.unvalidated
    assert observed.threads == {thread}  # the calling thread, or the server's worker


def _plugin(path: Path) -> None:
    lines = SOURCE.splitlines(keepends=True)
    reported = list(AsyncLoopChecker(ast.parse(SOURCE), str(path), lines).run())
    assert {text[:6] for _, _, text, _ in reported} == {"ELP104", "ELP108"}


def _command(path: Path) -> None:
    path.write_text(SOURCE)
    assert {d.code for d in run_task(Task(str(path), "check", Settings())).diagnostics} == {"ELP104", "ELP108"}
    assert run_task(Task(str(path), "fix", Settings())).fixed == 1


@pytest.mark.parametrize("call", [_plugin, _command], ids=["plugin", "command"])
def test_owners_run_the_engine_deep(call: Callable[[Path], None], observed: Observed, tmp_path: Path) -> None:
    before = _settings()
    call(tmp_path / "module.py")
    assert _settings() == before
    collector_on = {enabled for enabled, _, _ in observed.settings}
    limits = {limit for _, limit, _ in observed.settings}
    assert observed.settings and collector_on == {False} and min(limits) >= 50_000
    assert observed.threads == {"flake8-asyncloop-deep"}
    assert observed.unvalidated


def test_a_guest_gives_no_diagnostics_on_code_deeper_than_its_recursion_limit() -> None:
    """What the deep thread is for: a 1,000-branch elif chain. Without it, the engine gives no
    diagnostics and no fixes, and nothing crashes. (In the codemod, libcst's own copy and code
    generation of the tree fail first, from about 490 levels: libcst's tool reports the file as
    failed and goes on.)"""
    branches = "".join(f"elif x == {number}:\n    pass\n" for number in range(1, 1000))
    source = f"import asyncio\nloop = asyncio.new_event_loop()\nloop.run_forever()\nif x == 0:\n    pass\n{branches}"
    targets = parse_target_versions(">=3.10")
    assert check_source(source, targets, ALL_RULES) == []
    assert [d.code for d in check_source(source, targets, ALL_RULES, process=OWNER)] == ["ELP108"]
    assert fix_source(source, targets, ALL_RULES) == FixResult(source, 0, [])
    assert analyse(source, None, fixes=True).diagnostics == ()
    # The server's diagnostics parse only what matters, as flake8's path does: not the chain.
    assert [d.code for d in analyse(source, None).diagnostics] == ["ELP108"]


_DEEP_IN_THE_WORKER = """
import sys, threading
from flake8_asyncloop.server import AsyncLoopServer, analyse
text = "import asyncio\\nloop = asyncio.new_event_loop()\\nx = " + "a if b else " * 1500 + "loop\\n"
if sys.argv[1] == "server":
    server = AsyncLoopServer()
    print(server.analysis_executor.submit(analyse, text, None).result().diagnostics)
else:
    worker = threading.Thread(target=lambda: print(analyse(text, None).diagnostics))
    worker.start()
    worker.join()
"""


def _small_stacks() -> None:
    # 1 MiB for the main thread and, as glibc takes it from this limit, for new threads.
    resource.setrlimit(resource.RLIMIT_STACK, (1024 * 1024, resource.getrlimit(resource.RLIMIT_STACK)[1]))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


@pytest.mark.skipif(sys.platform != "linux", reason="glibc sizes threads' stacks by RLIMIT_STACK")
def test_the_language_server_analyses_on_a_thread_with_a_large_stack() -> None:
    """libcst's parser recurses on the C stack: 1,500 nested conditional expressions crash it on a
    thread of 1 MiB (the control), not on the server's worker, started with a large stack."""

    def run(where: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", _DEEP_IN_THE_WORKER, where],
            capture_output=True, text=True, cwd=ROOT, preexec_fn=_small_stacks,
        )

    assert run("plain-thread").returncode < 0  # killed by a signal: the stack overflowed
    served = run("server")
    assert served.returncode == 0 and served.stdout.strip() == "()", served.stderr[-2000:]
