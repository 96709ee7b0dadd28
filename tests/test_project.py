"""The loop-state analysis across a project's modules (``engine/project.py``): every adapter
reads the same neighbours, and the answer follows their content."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path
from typing import Callable

import pytest

from flake8_asyncloop.engine.checker import check_source
from flake8_asyncloop.engine.versions import parse_target_versions
from flake8_asyncloop.rules import ALL_RULES
from flake8_asyncloop.server import analyse
from tests.fixture_support import FIXTURES, ROOT, run_flake8

PACKAGE = FIXTURES / "project_loops" / "loopapp"
TARGETS = parse_target_versions(">=3.9")
STDLIB = Path(sysconfig.get_paths()["stdlib"])


def _engine(path: Path) -> set[tuple[int, str]]:
    return {(d.line, d.code) for d in check_source(path.read_text(), TARGETS, ALL_RULES, path=str(path))}


def test_flake8_the_command_and_the_editor_agree_on_the_project() -> None:
    modules = sorted(PACKAGE.glob("*.py"))
    by_flake8 = run_flake8(modules, ">=3.9")
    command = [sys.executable, "-m", "flake8_asyncloop", "check", "--output-format", "json", "--target-version",
               ">=3.9", *(str(m) for m in modules)]
    printed = json.loads(subprocess.run(command, capture_output=True, text=True, cwd=ROOT).stdout)
    by_command: dict[Path, set[tuple[int, str]]] = {}
    for item in printed:
        by_command.setdefault((ROOT / item["filename"]).resolve(), set()).add((item["line"], item["code"]))
    for module in modules:
        in_editor = {(d.line, d.code) for d in analyse(module.read_text(), str(module)).diagnostics}
        expected = by_flake8.get(module.resolve(), set())
        assert by_command.get(module.resolve(), set()) == expected == in_editor == _engine(module), module.name
    assert by_flake8[(PACKAGE / "cli_calls.py").resolve()] == {(36, "ELP105"), (41, "ELP105"), (46, "ELP105")}


def test_stdin_sees_the_project_through_its_display_name() -> None:
    script = PACKAGE / "cli_import.py"
    command = [sys.executable, "-m", "flake8", "--isolated", "--select", "ELP", "--asyncloop-target-version", ">=3.9"]
    alone = subprocess.run([*command, "-"], input=script.read_text(), capture_output=True, text=True, cwd=ROOT)
    named = subprocess.run([*command, "--stdin-display-name", str(script), "-"], input=script.read_text(),
                           capture_output=True, text=True, cwd=ROOT)
    assert "ELP105" in alone.stdout  # without a path, setup_loop is not seen
    assert named.stdout == "" and named.returncode == 0


def test_a_neighbour_edited_changes_the_answer_in_the_same_process(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'loopapp'\n")
    copy = tmp_path / "loopapp"
    shutil.copytree(PACKAGE, copy)
    script = copy / "cli_calls.py"
    assert (36, "ELP105") in _engine(script)
    helpers = copy / "helpers.py"
    helpers.write_text(helpers.read_text().replace("    asyncio.run(work())", "    install()"))
    found = _engine(script)
    assert (36, "ELP105") not in found and (46, "ELP105") in found


def test_an_import_cycle_ends_unseen(tmp_path: Path) -> None:
    (tmp_path / "setup.cfg").write_text("[metadata]\nname = cycle\n")
    package = tmp_path / "cycle"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("import asyncio\nfrom . import b\n\n\ndef setup():\n    b.setup()\n")
    (package / "b.py").write_text("import asyncio\nfrom . import a\n\n\ndef setup():\n    a.setup()\n")
    script = package / "main.py"
    script.write_text("import asyncio\nfrom . import a\n\na.setup()\nloop = asyncio.get_event_loop()\n")
    assert _engine(script) == set()  # what a.setup() does could not be worked out: silent


def test_outside_a_project_no_neighbour_is_read() -> None:
    """Without pyproject.toml, setup.py or setup.cfg at or above the import root (a Python
    installation's library, say), the package's other modules are not read. (In /tmp: pytest's
    own temporary directory may sit inside a project, as nox's sessions put it.)"""
    base = Path(tempfile.mkdtemp(dir="/tmp" if Path("/tmp").is_dir() else None))
    try:
        if any((directory / "pyproject.toml").is_file() for directory in base.parents):
            pytest.skip(f"{base} is inside a project")
        copy = base / "loopapp"
        shutil.copytree(PACKAGE, copy)
        assert (7, "ELP105") in _engine(copy / "cli_import.py")  # setup_loop's install is not seen
        (base / "pyproject.toml").write_text("[project]\nname = 'loopapp'\n")
        assert _engine(copy / "cli_import.py") == set()
    finally:
        shutil.rmtree(base)


@pytest.mark.parametrize(
    "declaration",
    [
        ("pyproject.toml", '[project]\nname = "app"\n[project.scripts]\napp = "app.cli:main"\n'),
        ("pyproject.toml", '[tool.poetry.scripts]\napp = "app.cli:main"\n'),
        ("setup.cfg", "[metadata]\nname = app\n[options.entry_points]\nconsole_scripts =\n    app = app.cli:main\n"),
        ("setup.py", "import setuptools\nsetuptools.setup(entry_points={'console_scripts': ['app=app.cli:main']})\n"),
    ],
)
def test_a_console_script_runs_its_function_with_no_loop_set(tmp_path: Path, declaration: tuple[str, str]) -> None:
    """The function a console script runs starts with nothing set, as a script's main() does:
    its lookup is ELP105's (it warns on 3.12-3.13 and raises on 3.14), through flake8 too."""
    name, text = declaration
    (tmp_path / name).write_text(text)
    package = tmp_path / "app"
    package.mkdir()
    (package / "__init__.py").write_text("")
    cli = package / "cli.py"
    cli.write_text(
        "import asyncio\n\n\nasync def serve():\n    await asyncio.sleep(0)\n\n\n"
        "def main():\n    loop = asyncio.get_event_loop()\n    loop.run_until_complete(serve())\n\n\n"
        "def other():\n    loop = asyncio.get_event_loop()\n    loop.run_until_complete(serve())\n"
    )
    assert (9, "ELP105") in _engine(cli)
    assert (14, "ELP105") not in _engine(cli)  # no script runs other(): its callers are unseen
    assert (9, "ELP105") in run_flake8([cli], ">=3.9")[cli.resolve()]
    (tmp_path / name).write_text(text.replace("main", "other"))
    assert {(14, "ELP105"), (9, "ELP109")} <= _engine(cli)  # the changed file is read again


def test_examples_outside_the_package_read_it(tmp_path: Path) -> None:
    """An example or a test directory with no ``__init__.py`` imports the project's package from
    the project's directory (or its ``src/``): a constructor there that sets a loop counts, as
    slixmpp's and autobahn's examples need (docs/real-code-triage.md, the held-out reads)."""
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "app"\n')
    package = tmp_path / "src" / "app"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("from .client import Client\n")
    (package / "client.py").write_text(
        "import asyncio\n\n\nclass Client:\n    def __init__(self):\n"
        "        asyncio.set_event_loop(asyncio.new_event_loop())\n"
    )
    examples = tmp_path / "examples"
    examples.mkdir()
    script = examples / "run.py"
    script.write_text("import asyncio\nimport app\n\nclient = app.Client()\nloop = asyncio.get_event_loop()\n")
    assert (5, "ELP105") not in _engine(script)
    (package / "client.py").write_text("class Client:\n    pass\n")
    assert (5, "ELP105") in _engine(script)


def test_a_large_neighbour_is_parsed_in_pieces(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A neighbour is parsed as the checked file is (``pieces.parse_whole``): its parse's peak
    memory is that of a piece, and its analysis is that of libcst's own tree."""
    from flake8_asyncloop.engine import project

    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'big'\n")
    package = tmp_path / "big"
    package.mkdir()
    (package / "__init__.py").write_text("")
    large = (STDLIB / "test" / "test_asyncio" / "test_unix_events.py").read_text(encoding="utf-8")
    (package / "loops.py").write_text("import asyncio\n\n\ndef make_loop():\n    return asyncio.new_event_loop()\n\n\n"
                                      + large.replace("\nimport asyncio\n", "\n"))
    user = package / "user.py"
    user.write_text("from .loops import make_loop\n\n\ndef run():\n    loop = make_loop()  # event_loop\n"
                    "    loop.run_forever()\n")
    pieces_parsed: list[str] = []
    whole = project.parse_whole

    def recorded(source: str, tree: object, parse: Callable[[str], object]) -> object:
        def recording(code: str) -> object:
            pieces_parsed.append(code)
            return parse(code)

        return whole(source, tree, recording)  # type: ignore[arg-type]

    monkeypatch.setattr(project, "parse_whole", recorded)
    assert _engine(user) == {(5, "ELP108")}
    assert len(pieces_parsed) > 10 and "".join(pieces_parsed).count("def make_loop") == 1
