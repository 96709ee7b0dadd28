"""The sieve (``engine/sieve.py``) never drops a finding, and a file it passes over never loads libcst.

Differential: every module the sieve says holds nothing gets no diagnostic from the full analysis
(``check_source`` with the sieve switched off), over every fixture (the project fixtures with
their paths, so that loop helpers and threads of other modules count), and over every module of
the standard library that spells a loop API's word. The real-code corpus in
``benchmarks/.corpus/`` is opt-in: ``FLAKE8_ASYNCLOOP_FOCUS_CORPUS=realcode``, as for focus.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Iterator

import pytest

from flake8_asyncloop.engine import checker, cpython
from flake8_asyncloop.engine.checker import check_source, reads_of
from flake8_asyncloop.engine.declared import EVERY_RULE_NAMES, EVERY_RULE_THREAD_STARTS
from flake8_asyncloop.engine.precheck import mentions_loop_api
from flake8_asyncloop.engine.process import OWNER
from flake8_asyncloop.engine.sieve import Vocabulary, finding_possible
from flake8_asyncloop.engine.versions import TargetVersions, parse_target_versions
from flake8_asyncloop.rules import ALL_RULES
from tests.fixture_support import ROOT, fixture_files, fixture_target

STDLIB = Path(sysconfig.get_paths()["stdlib"])
OPT_IN = set(filter(None, os.environ.get("FLAKE8_ASYNCLOOP_FOCUS_CORPUS", "").split(",")))
EVERY_RULE = Vocabulary.of(reads_of(ALL_RULES).names, reads_of(ALL_RULES).thread_starts)


@pytest.fixture
def unsieved(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The full analysis: the engine's entry points ask no sieve."""
    monkeypatch.setattr(checker, "_finding_possible", lambda tree, rules, path: True)
    yield


def _sieved_with_findings(
    paths: list[Path], targets_of: "dict[Path, TargetVersions] | TargetVersions"
) -> tuple[int, list[str]]:
    """How many modules among ``paths`` the sieve passes over, and what the full analysis reports
    on those."""
    dropped = []
    sieved = 0
    for path in paths:
        try:
            source = path.read_text(encoding="utf-8")
            if not mentions_loop_api(source):
                continue
            tree = cpython.parse(source)  # silently, as flake8's own parse is
        except (SyntaxError, UnicodeDecodeError, ValueError, RecursionError, MemoryError):
            continue  # flake8 reports E999 and runs no plugin on it
        if finding_possible(tree, EVERY_RULE, str(path)):
            continue
        sieved += 1
        targets = targets_of[path] if isinstance(targets_of, dict) else targets_of
        found = check_source(source, targets, ALL_RULES, tree=tree, process=OWNER, path=str(path))
        dropped.extend(f"{path}:{d.line}:{d.column}: {d.code} {d.message}" for d in found)
    return sieved, dropped


def test_the_sieve_drops_no_finding_of_a_fixture(unsieved: None) -> None:
    paths = fixture_files()
    targets = {path: parse_target_versions(fixture_target(path)) for path in paths}
    assert _sieved_with_findings(paths, targets)[1] == []


def test_the_sieve_drops_no_finding_in_the_standard_library(unsieved: None) -> None:
    paths = sorted(path for path in STDLIB.rglob("*.py") if "site-packages" not in path.parts)
    sieved, dropped = _sieved_with_findings(paths, parse_target_versions(">=3.7"))
    assert dropped == []
    assert sieved >= 10  # asyncio's own modules, among others (19 on 3.11)


@pytest.mark.skipif("realcode" not in OPT_IN, reason="opt-in: FLAKE8_ASYNCLOOP_FOCUS_CORPUS=realcode")
def test_the_sieve_drops_no_finding_in_the_real_code_corpus(unsieved: None) -> None:
    corpus = ROOT / "benchmarks" / ".corpus"
    packages = [path for path in corpus.iterdir() if path.is_dir() and not path.name.startswith("_")]
    paths = sorted(path for package in packages for path in package.rglob("*.py"))
    assert _sieved_with_findings(paths, parse_target_versions(">=3.7"))[1] == []


def test_the_written_out_reads_are_the_rules_own() -> None:
    """The plugin sieves with ``declared.py`` before it imports the rules; it must be what they
    declare (``python -m flake8_asyncloop.docs`` rewrites it)."""
    declared = reads_of(ALL_RULES)
    assert (EVERY_RULE_NAMES, EVERY_RULE_THREAD_STARTS) == (declared.names, declared.thread_starts)


def _possible(source: str, path: "Path | None" = None) -> bool:
    return finding_possible(ast.parse(source), EVERY_RULE, str(path) if path else None)


@pytest.mark.parametrize(
    "source",
    [
        pytest.param("import asyncio\nloop = asyncio.get_event_loop()\n", id="called"),
        pytest.param("from asyncio import get_event_loop as gel\nloop = gel()\n", id="imported-alias"),
        pytest.param("import asyncio as aio\nlookup = aio.get_event_loop\n", id="assigned-alias"),
        pytest.param("from asyncio import *\nloop = new_event_loop()\n", id="star-import"),
        pytest.param("import asyncio\nclass P(asyncio.DefaultEventLoopPolicy):\n    pass\n", id="base-class"),
        pytest.param("def f():\n    import asyncio\n    return asyncio.new_event_loop()\n", id="import-in-function"),
        pytest.param("import uvloop\nuvloop.install()\n", id="uvloop"),
        pytest.param("import asyncio\nx = f'{asyncio.get_event_loop()}'\n", id="f-string"),
    ],
)
def test_a_module_that_may_hold_a_finding_is_passed_on(source: str) -> None:
    assert _possible(source)


@pytest.mark.parametrize(
    "source",
    [
        pytest.param("from . import events\nloop = events.get_event_loop()\n", id="relative-import"),
        pytest.param("import asyncio\ndef f(loop: asyncio.AbstractEventLoop) -> None: ...\n", id="annotation"),
        pytest.param("import asyncio\nx: asyncio.AbstractEventLoop = make()\n", id="variable-annotation"),
        pytest.param("import asyncio\nok = isinstance(x, asyncio.AbstractEventLoop)\n", id="isinstance"),
        pytest.param('import asyncio\n"""Never call asyncio.get_event_loop() here."""\n', id="docstring"),
        pytest.param("import asyncio\n# asyncio.get_event_loop() is gone\nasyncio.run(main())\n", id="comment"),
        pytest.param("import trio\nloop = trio.get_event_loop()\n", id="another-library"),
        pytest.param("get_event_loop()\n", id="no-import"),
    ],
)
def test_a_module_that_cannot_hold_a_finding_is_passed_over(source: str) -> None:
    assert not _possible(source)


def _project(tmp_path: Path, files: dict[str, str]) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'p'\nrequires-python = '>=3.9'\n")
    for name, text in {"pkg/__init__.py": "", **files}.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path / "pkg"


def test_a_loop_helper_of_the_project_passes_a_module_without_asyncio(tmp_path: Path) -> None:
    package = _project(tmp_path, {
        "pkg/loops.py": "import asyncio\ndef make_loop():\n    return asyncio.new_event_loop()\n",
        "pkg/user.py": "from .loops import make_loop\nloop = make_loop()  # event_loop\n",
        "pkg/other.py": "from .loops import something_else\nx = something_else()  # event_loop\n",
    })
    user, other = package / "user.py", package / "other.py"
    assert _possible(user.read_text(), user)
    assert not _possible(other.read_text(), other)
    # The same module outside any project: no other module is read, so no helper is seen.
    assert not _possible(user.read_text())


def test_a_thread_in_a_project_passes_a_module_without_asyncio(tmp_path: Path) -> None:
    package = _project(tmp_path, {
        "pkg/main.py": "import threading\nfrom . import workers\nthreading.Thread(target=workers.fetch).start()\n",
        "pkg/pooled.py": "from . import workers\ndef go(loop):\n    loop.run_in_executor(None, workers.fetch)\n",
    })
    for name in ("main.py", "pooled.py"):
        assert _possible((package / name).read_text(), package / name)


def test_a_thread_on_a_function_of_its_own_module_passes_nothing_without_asyncio(tmp_path: Path) -> None:
    """asyncio's base_events.py, copied into a project: its executors run functions it is handed,
    none of them imported, and its relative imports reach no API."""
    package = _project(tmp_path, {
        "pkg/own.py": "import threading\nfrom . import events\n"
                      "def work():\n    return events.get_event_loop()\n"
                      "threading.Thread(target=work).start()\n",
    })
    assert not _possible((package / "own.py").read_text(), package / "own.py")
    copy = package / "base_events.py"
    copy.write_text((STDLIB / "asyncio" / "base_events.py").read_text(encoding="utf-8"), encoding="utf-8")
    assert not _possible(copy.read_text(encoding="utf-8"), copy)


def test_flake8_on_a_file_the_sieve_passes_over_never_loads_libcst(tmp_path: Path) -> None:
    checked = tmp_path / "events_user.py"
    checked.write_text("from . import events\n\n\ndef lookup():\n    return events.get_event_loop()\n")
    script = (
        "import sys\n"
        "from flake8.main.cli import main\n"
        "status = main(['--select', 'ELP', sys.argv[1]])\n"
        "print(status, 'libcst' in sys.modules, 'flake8_asyncloop.rules' in sys.modules)\n"
    )
    run = subprocess.run([sys.executable, "-c", script, str(checked)], capture_output=True, text=True, check=True)
    assert run.stdout.split() == ["0", "False", "False"], run.stderr


@pytest.mark.parametrize("command", [
    ["check"], ["check", "--quiet"], ["check", "--output-format", "json"], ["check", "--statistics"],
    ["fix"], ["fix", "--diff"], ["upgrade"],
])
def test_the_command_on_files_the_sieve_passes_over_never_loads_libcst(tmp_path: Path, command: list[str]) -> None:
    """A pre-commit run over files without a loop API pays for neither the rules nor libcst; the
    answer is the engine's (nothing), exit code and summary included."""
    lookup = "from . import events\n\n\ndef lookup():\n    return events.get_event_loop()\n"
    (tmp_path / "events_user.py").write_text(lookup)
    (tmp_path / "plain.py").write_text("import json\nprint(json.dumps({}))\n")
    script = (
        "import sys\n"
        "from flake8_asyncloop.cli import main\n"
        "status = main(sys.argv[1:])\n"
        "print(status, 'libcst' in sys.modules, 'flake8_asyncloop.rules' in sys.modules)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script, *command, "--no-cache", "events_user.py", "plain.py"],
        capture_output=True, text=True, check=True, cwd=tmp_path,
    )
    assert run.stdout.split()[-3:] == ["0", "False", "False"], run.stdout + run.stderr


def _loops_package(tmp_path: Path, helper: bool) -> Path:
    making = "    return asyncio.new_event_loop()\n" if helper else "    return None\n"
    return _project(tmp_path, {
        "pkg/loops.py": "import asyncio\ndef make_loop():\n" + making,
        "pkg/user.py": "from .loops import make_loop\n\n\ndef run():\n    loop = make_loop()  # event_loop\n"
                       "    loop.run_forever()\n",
    })


def test_a_helper_added_to_a_neighbour_is_seen_at_the_next_check(tmp_path: Path) -> None:
    """Outside a run of the command or of flake8, every check scans the package again."""
    user = _loops_package(tmp_path, helper=False) / "user.py"
    targets = parse_target_versions(">=3.9")
    assert check_source(user.read_text(), targets, ALL_RULES, path=str(user)) == []
    _loops_package(tmp_path, helper=True)
    found = check_source(user.read_text(), targets, ALL_RULES, path=str(user))
    assert [(d.line, d.code) for d in found] == [(5, "ELP108")]


def test_within_one_run_each_package_is_scanned_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from flake8_asyncloop.engine import projectfiles

    package = _loops_package(tmp_path, helper=True)
    for number in range(3):
        (package / f"user_{number}.py").write_text((package / "user.py").read_text())
    walked: list[str] = []
    walk = projectfiles._python_files
    monkeypatch.setattr(projectfiles, "_python_files", lambda directory: walked.append(directory) or walk(directory))
    targets = parse_target_versions(">=3.9")
    with projectfiles.files_stay_put():
        for module in sorted(package.glob("user*.py")):
            found = check_source(module.read_text(), targets, ALL_RULES, path=str(module))
            assert [d.code for d in found] == ["ELP108"]
    assert walked == [str(package.resolve())]
    walked.clear()
    check_source((package / "user.py").read_text(), targets, ALL_RULES, path=str(package / "user.py"))
    assert walked, "outside the run, the package is scanned again"
    # flake8's checks: a scan stands for a few seconds (``recent_scans_stand``), not for ever.
    walked.clear()
    for _ in range(3):
        with projectfiles.recent_scans_stand(60):
            check_source((package / "user.py").read_text(), targets, ALL_RULES, path=str(package / "user.py"))
    assert walked == []  # the scan just made outside still stands
    with projectfiles.recent_scans_stand(0):
        check_source((package / "user.py").read_text(), targets, ALL_RULES, path=str(package / "user.py"))
    assert set(walked) == {str(package.resolve())}
