"""Results kept between runs of the command (``cache.py``), through the real command.

A kept result must be exactly what the analysis gives: the same output with the cache cold, warm
and switched off; a module analysed again when it, or anything its analysis read of other
files, changed, and only then.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from tests.fixture_support import ROOT

CACHE = ".flake8-asyncloop-cache"
# A thread on another module's function, and a loop of its own, closed.
MAIN = """import asyncio
import threading

from . import {module}


def start():
    threading.Thread(target={module}.fetch).start()


def run(job):
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(job())
    finally:
        loop.close()
"""


def _check(*arguments: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flake8_asyncloop", "check", "-j", "1", *arguments],
        cwd=cwd, capture_output=True, text=True, timeout=300,
    )


def _kept(run: subprocess.CompletedProcess[str]) -> dict[str, bool]:
    """Per file, whether its diagnostics were kept from an earlier run (``--verbose`` lines)."""
    lines = [line for line in run.stderr.splitlines() if ": " in line and " ms, " in line]
    return {line.split(":", 1)[0]: line.endswith("kept from an earlier run") for line in lines}


def _project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'app'\nrequires-python = '>=3.9'\n")
    package = tmp_path / "app"
    package.mkdir()
    files = {
        "__init__.py": "",
        "workers.py": "import asyncio\n\n\ndef fetch():\n    return asyncio.get_event_loop().time()\n",
        "main.py": MAIN.format(module="workers"),
        "handlers.py": "import asyncio\n\n\nasync def handle():\n    return asyncio.get_event_loop()\n",
        "plain.py": "def add(a, b):\n    return a + b\n",
    }
    for name, text in files.items():
        (package / name).write_text(text)
    return tmp_path


def test_a_warm_cache_gives_exactly_what_the_analysis_gives(tmp_path: Path) -> None:
    """The project fixtures and the rule fixtures, checked cold, warm and without the cache."""
    shutil.copytree(ROOT / "fixtures", tmp_path / "fixtures")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    cold = _check("-v", "fixtures", cwd=tmp_path)
    warm = _check("-v", "fixtures", cwd=tmp_path)
    without = _check("--no-cache", "fixtures", cwd=tmp_path)
    assert cold.returncode == warm.returncode == without.returncode == 1
    assert cold.stdout == warm.stdout == without.stdout
    assert cold.stdout.count("ELP1") > 100
    assert not any(_kept(cold).values())
    assert all(_kept(warm).values()) and len(_kept(warm)) == len(_kept(cold))


def test_a_changed_module_is_analysed_again_with_the_modules_that_read_it(tmp_path: Path) -> None:
    root = _project(tmp_path)
    first = _check("-v", "app", cwd=root)
    assert "app/main.py:8:5: ELP101" in first.stdout
    # fetch() now catches the RuntimeError: the thread that runs it is no longer reported.
    (root / "app" / "workers.py").write_text(
        "import asyncio\n\n\ndef fetch():\n    try:\n        return asyncio.get_event_loop().time()\n"
        "    except RuntimeError:\n        return None\n"
    )
    second = _check("-v", "app", cwd=root)
    assert "ELP101" not in second.stdout
    assert "app/handlers.py:5:12: ELP104" in second.stdout
    assert _kept(second) == {
        "app/__init__.py": True, "app/handlers.py": True, "app/main.py": False, "app/plain.py": True,
        "app/workers.py": False,
    }
    assert second.stdout == _check("--no-cache", "app", cwd=root).stdout


def test_a_module_added_where_an_import_looked_is_seen(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "app" / "main.py").write_text(MAIN.format(module="tasks"))
    assert "ELP101" not in _check("app", cwd=root).stdout  # no tasks.py: nothing to follow
    shutil.copy(root / "app" / "workers.py", root / "app" / "tasks.py")
    assert "app/main.py:8:5: ELP101" in _check("app", cwd=root).stdout


def test_the_cache_lives_next_to_pyproject_toml_tagged_and_ignored(tmp_path: Path) -> None:
    root = _project(tmp_path)
    _check("handlers.py", cwd=root / "app")
    cache = root / CACHE
    assert (cache / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    assert (cache / ".gitignore").read_text().splitlines()[-1] == "*"
    assert len(list(cache.glob("*.json"))) == 1
    elsewhere = tmp_path / "elsewhere"
    _check("--cache-dir", str(elsewhere), "app", cwd=root)
    assert len(list(elsewhere.glob("*.json"))) == 5


def test_no_cache_neither_reads_nor_writes_one(tmp_path: Path) -> None:
    root = _project(tmp_path)
    run = _check("--no-cache", "-v", "app", cwd=root)
    assert not (root / CACHE).exists()
    assert not any(_kept(run).values())


def test_an_entry_that_cannot_be_read_is_ignored_and_replaced(tmp_path: Path) -> None:
    root = _project(tmp_path)
    expected = _check("app", cwd=root).stdout
    for entry in (root / CACHE).glob("*.json"):
        entry.write_text("{not json")
    run = _check("-v", "app", cwd=root)
    assert run.stdout == expected and not any(_kept(run).values())
    assert all(json.loads(entry.read_text())["format"] == 2 for entry in (root / CACHE).glob("*.json"))


def test_other_settings_are_never_answered_from_the_cache(tmp_path: Path) -> None:
    root = _project(tmp_path)
    assert "ELP101" not in _check("--select", "ELP104", "app", cwd=root).stdout
    assert "ELP101" in _check("app", cwd=root).stdout
    assert "ELP101" not in _check("--target-version", ">=3.8", "--select", "ELP104", "app", cwd=root).stdout


def test_a_cache_that_cannot_be_written_is_done_without(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "a-file").write_text("")  # no folder can be made below a file, whoever runs this
    run = _check("--cache-dir", "a-file/cache", "app", cwd=root)
    assert run.returncode == 1 and "ELP101" in run.stdout
    assert run.stderr == "5 files checked, 2 diagnostics (1 fixable with fix)\n"


def test_fix_skips_a_file_an_earlier_check_found_nothing_in(tmp_path: Path) -> None:
    root = _project(tmp_path)
    _check("app", cwd=root)
    fixing = subprocess.run(
        [sys.executable, "-m", "flake8_asyncloop", "fix", "-v", "-j", "1", "app"],
        cwd=root, capture_output=True, text=True, timeout=300,
    )
    kept = _kept(fixing)
    assert kept["app/plain.py"] and not kept["app/handlers.py"]
    assert "get_running_loop()" in (root / "app" / "handlers.py").read_text()


def _command(*arguments: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "flake8_asyncloop", *arguments], cwd=cwd, capture_output=True,
                          text=True)


def test_clean_deletes_the_projects_cache_and_those_below_never_a_look_alike(tmp_path: Path) -> None:
    project = _project(tmp_path)
    _check(".", cwd=project)
    (project / "sub").mkdir()
    _check("--cache-dir", "sub/.flake8-asyncloop-cache", ".", cwd=project)
    impostor = project / "other" / ".flake8-asyncloop-cache"
    impostor.mkdir(parents=True)
    (impostor / "keep.txt").write_text("not ours\n")
    # From a folder of the project: the cache a check there would use is the project's.
    result = _command("clean", ".", cwd=project / "sub")
    assert (result.returncode, result.stderr.splitlines()) == (0, [
        "removed .flake8-asyncloop-cache",
        f"removed {project / '.flake8-asyncloop-cache'}",
    ])
    assert not (project / ".flake8-asyncloop-cache").exists() and (impostor / "keep.txt").exists()
    result = _command("clean", cwd=project)
    assert (result.returncode, result.stderr) == (0, "no cache folder found\n")


def test_a_kept_diagnostic_keeps_its_end() -> None:
    from flake8_asyncloop.cache import _diagnostic, _record
    from flake8_asyncloop.engine.diagnostics import Diagnostic

    for end in ((10, 6), None):
        kept = _diagnostic(json.loads(json.dumps(_record(Diagnostic(9, 11, "ELP104", "message", end=end)))))
        assert (kept, kept.end) == (Diagnostic(9, 11, "ELP104", "message"), end)
