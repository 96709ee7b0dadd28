"""The README and docs/ say only what is true: every link reaches a file of the repository (and of
the sdist) and a heading there, and every command they show is one the tools accept."""

from __future__ import annotations

import importlib
import re
import shlex
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from flake8_asyncloop import cli
from tests.fixture_support import ROOT

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_LINK = re.compile(r"\]\(([^)\s]+)\)")
_CODE_SPAN = re.compile(r"`([^`\n]+)`")
_FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
# Placeholders the pages write in commands, and a value each stands for.
_PLACEHOLDERS = {"[PATHS]": ".", "PATHS": ".", "CODE": "ELP101", "VERSION": "3.14", "src/": "fixtures/", "FILE": "x.py"}


def _relative_links(page: Path) -> list[str]:
    text = _FENCE.sub("", page.read_text(encoding="utf-8"))  # code blocks hold no links
    return [target for target in _LINK.findall(text) if not re.match(r"[a-z]+:", target)]


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    text = _FENCE.sub("", page.read_text(encoding="utf-8"))
    return {_slug(line.lstrip("#")) for line in text.splitlines() if line.startswith("#")}


LINKS = [(page, target) for page in PAGES for target in _relative_links(page)]


@pytest.mark.parametrize(("page", "target"), LINKS, ids=[f"{p.name}->{t}" for p, t in LINKS])
def test_every_link_reaches_a_file_of_the_repository_and_a_heading_there(page: Path, target: str) -> None:
    path, _, anchor = target.partition("#")
    linked = (page.parent / path).resolve() if path else page
    assert linked.is_relative_to(ROOT), f"{target} leaves the repository"
    assert linked.exists(), f"{target}: no such file"
    if anchor:
        assert anchor in _anchors(linked), f"{target}: no such heading"


def _commands(page: Path) -> list[str]:
    """Every command line shown: console blocks, and code spans that start with a command."""
    text = page.read_text(encoding="utf-8")
    found = []
    for language, block in _FENCE.findall(text):
        if language == "console":
            lines = block.splitlines()
            found += [line.removeprefix("$ ") for line in lines if line.startswith(("$ ", "python", "flake8"))]
    found += [span for span in _CODE_SPAN.findall(_FENCE.sub("", text)) if span.startswith("flake8-asyncloop ")]
    return [part.split("  #")[0].strip() for command in found for part in command.split(" && ")]


COMMANDS = sorted({command for page in PAGES for command in _commands(page)})


def _arguments(command: str) -> list[str]:
    words = shlex.split(command)
    return [_PLACEHOLDERS.get(word, word) for word in words]


@pytest.mark.parametrize("command", [c for c in COMMANDS if c.startswith("flake8-asyncloop ")])
def test_every_command_line_the_pages_show_is_accepted(command: str) -> None:
    arguments = _arguments(command)[1:]
    if len(arguments) == 1:  # prose naming a subcommand: ``flake8-asyncloop explain``
        assert arguments[0] in _subcommands()
        return
    if arguments[:1] == ["upgrade"] and "[--to" in command:
        arguments = ["upgrade", ".", "--to", "3.14"]
    try:
        cli.build_parser().parse_args(arguments)
    except SystemExit as error:
        pytest.fail(f"{command!r} is not accepted (exit {error.code})")


def _subcommands() -> set[str]:
    parser = cli.build_parser()
    return {name for action in parser._actions for name in getattr(action, "choices", None) or ()}


def test_every_flake8_option_the_pages_show_exists() -> None:
    help_text = subprocess.run([sys.executable, "-m", "flake8", "--help"], capture_output=True, text=True).stdout
    shown = {
        word.split("=")[0] for c in COMMANDS if "-m flake8 " in c for word in shlex.split(c) if word.startswith("--")
    }
    assert shown and {option for option in shown if option not in help_text} == set()


def test_every_codemod_the_pages_show_imports() -> None:
    named = [
        word for c in COMMANDS if "libcst.tool codemod" in c for word in shlex.split(c)
        if "." in word and word != "libcst.tool" and "/" not in word
    ]
    assert named
    for dotted in named:
        qualified = dotted if dotted.startswith("flake8_asyncloop") else f"flake8_asyncloop.{dotted}"
        module, _, attribute = qualified.rpartition(".")
        assert hasattr(importlib.import_module(module), attribute), dotted


def test_scripts_the_pages_run_exist() -> None:
    scripts = [word for c in COMMANDS for word in shlex.split(c) if word.endswith(".py") and "/" in word]
    assert scripts and [s for s in scripts if not (ROOT / s).is_file()] == []


def test_the_sdist_holds_every_file_the_readme_links(tmp_path: Path) -> None:
    if sys.version_info < (3, 11):
        pytest.skip("hatchling is a test extra on 3.11+ only (pyproject.toml)")
    result = subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "sdist", "-d", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    (archive,) = tmp_path.glob("*.tar.gz")
    with tarfile.open(archive) as sdist:
        members = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    linked = {target.partition("#")[0] for target in _relative_links(ROOT / "README.md")} - {""}
    assert linked and linked - members == set()
    assert {"noxfile.py", ".pre-commit-hooks.yaml"} <= members  # the README's test command, the hooks
