"""The hooks in .pre-commit-hooks.yaml, run by the real pre-commit against this repository.

pre-commit clones a hook repository at a commit, so these tests use the checkout this file
belongs to at its HEAD commit, and skip (saying why) when HEAD has no .pre-commit-hooks.yaml.
pre-commit builds the hook's virtualenv once per PRE_COMMIT_HOME; one home shared by the whole
session, under pytest's temporary directory, keeps that to one install and away from ~/.cache.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Optional

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
MANIFEST = ".pre-commit-hooks.yaml"
CHECK, FIX = "flake8-asyncloop", "flake8-asyncloop-fix"

FIXABLE = '''\
import asyncio


async def main():
    pass


def run():
    loop = asyncio.new_event_loop()
    loop.run_until_complete(asyncio.gather(main(), main()))
    loop.close()
'''
FIXED = FIXABLE.replace(
    "    loop = asyncio.new_event_loop()\n",
    "    loop = asyncio.new_event_loop()\n    asyncio.set_event_loop(loop)\n",
)
UNFIXABLE = '''\
import asyncio
import threading


def work():
    asyncio.get_event_loop()


threading.Thread(target=work).start()
'''
CLEAN = '''\
import asyncio


async def main():
    pass


def run():
    asyncio.run(main())
'''
# The throwaway repository's own settings, so nothing above pytest's temporary directory counts.
PYPROJECT = '''\
[project]
name = "throwaway"
requires-python = ">=3.9"

[tool.flake8-asyncloop]
'''


def _clean_environment(**extra: str) -> dict[str, str]:
    # Nothing from a surrounding git hook or pre-commit run (GIT_DIR, GIT_INDEX_FILE, SKIP, ...).
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GIT_", "PRE_COMMIT")) and key != "SKIP"
    }
    environment.update(extra)
    return environment


def _git(*arguments: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *arguments], cwd=cwd, capture_output=True, text=True, env=_clean_environment()
    )


def _pre_commit_problem() -> Optional[str]:
    if importlib.util.find_spec("pre_commit") is None:
        return "pre-commit is not installed (pip install -e '.[test]')"
    try:
        result = subprocess.run(
            [sys.executable, "-m", "pre_commit", "--version"], capture_output=True, text=True, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"pre-commit cannot be run: {error}"
    if result.returncode != 0:
        return f"python -m pre_commit --version failed: {result.stderr.strip() or result.stdout.strip()}"
    return None


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    problem = _pre_commit_problem()
    if problem:
        pytest.skip(problem)
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture(scope="session")
def hook_revision() -> str:
    """The HEAD commit of this checkout, which must carry the hooks file for pre-commit to clone."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    head = _git("rev-parse", "HEAD", cwd=REPO_ROOT)
    if head.returncode != 0 or not (REPO_ROOT / ".git").exists():
        pytest.skip(f"{REPO_ROOT} is not a git checkout with a commit; pre-commit clones hooks from one")
    if _git("cat-file", "-e", f"HEAD:{MANIFEST}", cwd=REPO_ROOT).returncode != 0:
        pytest.skip(
            f"{MANIFEST} is not committed at HEAD of {REPO_ROOT}; pre-commit clones the hook "
            "repository at a commit, so commit it to run these tests"
        )
    return head.stdout.strip()


class Project:
    """A throwaway git repository whose .pre-commit-config.yaml uses this repository's hooks."""

    def __init__(self, root: Path, home: Path) -> None:
        self.root = root
        self.home = home

    def configure(self, revision: str, check_args: Optional[list[str]] = None,
                  fix_args: Optional[list[str]] = None) -> None:
        lines = ["repos:", f"-   repo: {json.dumps(str(REPO_ROOT))}", f"    rev: {json.dumps(revision)}", "    hooks:"]
        for hook, arguments in ((CHECK, check_args), (FIX, fix_args)):
            lines.append(f"    -   id: {hook}")
            if arguments is not None:
                lines.append(f"        args: {json.dumps(arguments)}")
        self.write(".pre-commit-config.yaml", "\n".join(lines) + "\n")

    def write(self, name: str, text: str) -> None:
        (self.root / name).write_text(text, encoding="utf-8")
        assert _git("add", name, cwd=self.root).returncode == 0

    def read(self, name: str) -> str:
        return (self.root / name).read_text(encoding="utf-8")

    def run(self, hook: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never", hook],
            cwd=self.root,
            capture_output=True,
            text=True,
            env=_clean_environment(PRE_COMMIT_HOME=str(self.home)),
            timeout=900,  # the first run builds the hook's virtualenv
        )
        # pre-commit reports a failure to clone or install as exit code 3 ("An unexpected error").
        assert result.returncode in (0, 1), f"pre-commit itself failed:\n{result.stdout}\n{result.stderr}"
        return result


@pytest.fixture
def project(tmp_path: Path, pre_commit_home: Path, hook_revision: str) -> Project:
    assert _git("init", "-q", cwd=tmp_path).returncode == 0
    project = Project(tmp_path, pre_commit_home)
    project.configure(hook_revision)
    project.write("pyproject.toml", PYPROJECT)
    return project


def test_manifest_is_valid() -> None:
    """The working tree's hooks file, as pre-commit reads it (no clone or install needed)."""
    problem = _pre_commit_problem()
    if problem:
        pytest.skip(problem)
    if not (REPO_ROOT / MANIFEST).is_file():
        pytest.skip(f"no {MANIFEST} in {REPO_ROOT} (not a checkout of the repository)")
    from pre_commit.clientlib import load_manifest

    hooks = {hook["id"]: hook for hook in load_manifest(str(REPO_ROOT / MANIFEST))}
    assert set(hooks) == {CHECK, FIX}
    assert hooks[CHECK]["entry"].split()[:2] == ["flake8-asyncloop", "check"]
    assert hooks[FIX]["entry"].split()[:2] == ["flake8-asyncloop", "fix"]
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert hook["types"] == ["python"]
        assert hook["args"] == []


def test_fixable_problem(project: Project) -> None:
    project.write("loops.py", FIXABLE)

    check = project.run(CHECK)
    assert check.returncode == 1, check.stdout
    assert "- exit code: 1" in check.stdout
    assert "loops.py:9:12: ELP102 event loop 'loop' is never installed" in check.stdout
    assert project.read("loops.py") == FIXABLE

    fix = project.run(FIX)
    assert fix.returncode == 1, fix.stdout
    # The command exits 0 (nothing left), but pre-commit fails a hook that changed files.
    assert "- files were modified by this hook" in fix.stdout
    assert "- exit code:" not in fix.stdout
    assert project.read("loops.py") == FIXED

    again = project.run(FIX)
    assert again.returncode == 0, again.stdout
    assert project.run(CHECK).returncode == 0


def test_clean_file_passes_both_hooks(project: Project) -> None:
    project.write("loops.py", CLEAN)
    for hook in (CHECK, FIX):
        result = project.run(hook)
        assert result.returncode == 0, result.stdout
        assert "Passed" in result.stdout
    assert project.read("loops.py") == CLEAN


def test_unfixable_problem_fails_the_fix_hook(project: Project) -> None:
    project.write("loops.py", UNFIXABLE)
    fix = project.run(FIX)
    assert fix.returncode == 1, fix.stdout
    assert "- exit code: 1" in fix.stdout
    assert "- files were modified by this hook" not in fix.stdout
    assert "loops.py:6:5: ELP101" in fix.stdout
    assert project.read("loops.py") == UNFIXABLE


def test_args_override_the_defaults(project: Project, hook_revision: str) -> None:
    project.configure(hook_revision, check_args=["--ignore", "ELP102"], fix_args=["--select", "ELP101"])
    project.write("loops.py", FIXABLE)
    for hook in (CHECK, FIX):
        result = project.run(hook)
        assert result.returncode == 0, result.stdout
    assert project.read("loops.py") == FIXABLE
