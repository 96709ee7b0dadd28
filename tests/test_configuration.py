"""Configuration as users meet it: each file's own table, flake8 and the command agreeing, and
the filters ruff and flake8 users rely on, all through the real processes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_cli import CLEAN, FIXABLE, FIXED, command

# ELP102 at 5:12 in FIXABLE; a loop run in a worker thread, ELP101 at 5:4 in THREADED.
ELP102 = (
    "5:12: ELP102 event loop 'loop' is never installed, so asyncio.gather() on line 6 binds to another loop, "
    "and awaiting the result on this one raises ValueError; call asyncio.set_event_loop(loop) after creating it"
)
# Subprocesses on a new loop: ELP103 only while 3.7 is a target.
SUBPROCESS = (
    "import asyncio\n"
    "\n"
    "\n"
    "def main():\n"
    "    loop = asyncio.new_event_loop()\n"
    "    loop.run_until_complete(asyncio.create_subprocess_exec('true'))\n"
    "    loop.close()\n"
)


def lines(result: subprocess.CompletedProcess[bytes]) -> list[str]:
    return result.stdout.decode().splitlines()


def flake8(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    arguments = [sys.executable, "-m", "flake8", "--isolated", "--select", "ELP", *args]
    return subprocess.run(arguments, cwd=cwd, capture_output=True, text=True)


def two_packages(tmp_path: Path) -> None:
    """a/ ignores ELP102 in its own table; b/ has none of its own, so the root's applies."""
    (tmp_path / "pyproject.toml").write_text('[tool.flake8-asyncloop]\nignore = ["ELP108"]\n')
    for package in ("a", "b"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "mod.py").write_text(FIXABLE)
    (tmp_path / "a" / "pyproject.toml").write_text('[tool.flake8-asyncloop]\nignore = ["ELP102"]\n')


def test_each_file_gets_its_own_table_whatever_shares_its_batch(tmp_path: Path) -> None:
    two_packages(tmp_path)
    together = command("check", "a/mod.py", "b/mod.py", cwd=tmp_path)
    assert lines(together) == [f"b/mod.py:{ELP102}"]
    # pre-commit batches files at random: a file's result never depends on its company.
    assert lines(command("check", "b/mod.py", cwd=tmp_path)) == [f"b/mod.py:{ELP102}"]
    assert lines(command("check", "a/mod.py", cwd=tmp_path)) == []
    assert lines(command("check", ".", cwd=tmp_path)) == [f"b/mod.py:{ELP102}"]


def test_options_win_over_every_files_table(tmp_path: Path) -> None:
    two_packages(tmp_path)
    result = command("check", "--ignore", "ELP108", "a/mod.py", "b/mod.py", cwd=tmp_path)
    assert lines(result) == [f"a/mod.py:{ELP102}", f"b/mod.py:{ELP102}"]


@pytest.mark.parametrize("table", ['target-version = ">=3.7"', ""])
def test_flake8_and_the_command_read_the_same_target_version(tmp_path: Path, table: str) -> None:
    (tmp_path / "pyproject.toml").write_text(
        f'[project]\nname = "p"\nrequires-python = ">=3.9"\n\n[tool.flake8-asyncloop]\n{table}\n'
    )
    (tmp_path / "mod.py").write_text(SUBPROCESS)
    from_flake8 = flake8("mod.py", cwd=tmp_path).stdout.splitlines()
    from_command = lines(command("check", "mod.py", cwd=tmp_path))
    assert from_flake8 == from_command
    expected = ["mod.py:5:12: ELP103"] if table else []
    assert [line[: len("mod.py:5:12: ELP103")] for line in from_command] == expected


def test_a_bad_target_version_in_the_table_is_visible_in_flake8_and_the_command(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.flake8-asyncloop]\ntarget-version = "three"\n')
    (tmp_path / "mod.py").write_text(FIXABLE)
    reason = (
        f"{tmp_path / 'pyproject.toml'} [tool.flake8-asyncloop]: cannot read target version 'three': "
        "expected a range such as '>=3.9' or '>=3.8,<3.13'"
    )
    result = flake8("mod.py", cwd=tmp_path)
    assert (result.returncode, result.stdout.splitlines()) == (
        1, [f"mod.py:1:1: ELP900 flake8-asyncloop cannot use its configuration: {reason}"]
    )
    result = command("check", "mod.py", cwd=tmp_path)
    assert (result.returncode, result.stderr.decode()) == (2, f"flake8-asyncloop: error: {reason}\n")


def test_force_exclude_applies_exclude_to_named_files(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.flake8-asyncloop]\nexclude = ["vendored", "gen_*.py"]\n')
    (tmp_path / "vendored" / "deep").mkdir(parents=True)
    for name in ("vendored/deep/lib.py", "gen_api.py", "mod.py"):
        (tmp_path / name).write_text(FIXABLE)
    named = ("vendored/deep/lib.py", "gen_api.py", "mod.py")
    assert [line.split(":")[0] for line in lines(command("check", *named, cwd=tmp_path))] == list(named)
    assert lines(command("check", "--force-exclude", *named, cwd=tmp_path)) == [f"mod.py:{ELP102}"]
    (tmp_path / "pyproject.toml").write_text(
        '[tool.flake8-asyncloop]\nexclude = ["vendored", "gen_*.py"]\nforce-exclude = true\n'
    )
    assert lines(command("check", *named, cwd=tmp_path)) == [f"mod.py:{ELP102}"]
    assert lines(command("check", "--no-force-exclude", "gen_api.py", cwd=tmp_path)) == [f"gen_api.py:{ELP102}"]


def test_force_exclude_passes_excluded_standard_input_through(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.flake8-asyncloop]\nexclude = ["vendored"]\n')
    arguments = ("fix", "--force-exclude", "--stdin-filename", "vendored/lib.py", "-")
    result = command(*arguments, cwd=tmp_path, stdin=FIXABLE.encode())
    assert (result.returncode, result.stdout) == (0, FIXABLE.encode())
    result = command("fix", "--force-exclude", "--stdin-filename", "mod.py", "-", cwd=tmp_path, stdin=FIXABLE.encode())
    assert (result.returncode, result.stdout) == (0, FIXED.encode())


def test_the_pre_commit_hooks_force_exclude() -> None:
    hooks = (Path(__file__).resolve().parent.parent / ".pre-commit-hooks.yaml").read_text()
    entries = [line.split("entry:", 1)[1].split() for line in hooks.splitlines() if line.startswith("    entry:")]
    assert entries and all("--force-exclude" in entry for entry in entries)


def test_a_file_level_flake8_noqa_skips_the_file_in_every_adapter(tmp_path: Path) -> None:
    text = "# flake8: noqa\n" + FIXABLE
    (tmp_path / "mod.py").write_text(text)
    assert flake8("mod.py", cwd=tmp_path).stdout == ""
    result = command("check", "mod.py", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, b"")
    result = command("fix", "mod.py", cwd=tmp_path)
    assert result.returncode == 0 and (tmp_path / "mod.py").read_text() == text
    # A "# flake8: noqa" after code is not file-level, for flake8 as for us.
    (tmp_path / "mod.py").write_text("x = 1  # flake8: noqa\n" + FIXABLE)
    assert len(flake8("mod.py", cwd=tmp_path).stdout.splitlines()) == 1
    assert len(lines(command("check", "mod.py", cwd=tmp_path))) == 1


def test_exit_zero_reports_but_exits_0_unless_a_file_was_not_checked(tmp_path: Path) -> None:
    (tmp_path / "mod.py").write_text(FIXABLE)
    result = command("check", "--exit-zero", "mod.py", cwd=tmp_path)
    assert (result.returncode, lines(result)) == (0, [f"mod.py:{ELP102}"])
    result = command("fix", "--exit-zero", "--diff", "mod.py", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout
    (tmp_path / "broken.py").write_text("import asyncio\ndef (\n")
    assert command("check", "--exit-zero", "mod.py", "broken.py", cwd=tmp_path).returncode == 1


def test_config_names_one_table_for_every_file(tmp_path: Path) -> None:
    two_packages(tmp_path)
    (tmp_path / "lint.toml").write_text('[tool.flake8-asyncloop]\nselect = ["ELP108"]\n')
    result = command("check", "--config", "lint.toml", "a/mod.py", "b/mod.py", cwd=tmp_path)
    assert (result.returncode, lines(result)) == (0, [])
    # No table but --config's gives the target-version: not a file's own.
    (tmp_path / "a" / "pyproject.toml").write_text('[tool.flake8-asyncloop]\ntarget-version = ">=3.7"\n')
    (tmp_path / "a" / "sub.py").write_text(SUBPROCESS)
    (tmp_path / "lint.toml").write_text("[tool.flake8-asyncloop]\n")
    assert lines(command("check", "--config", "lint.toml", "a/sub.py", cwd=tmp_path)) == []
    assert [line[:18] for line in lines(command("check", "a/sub.py", cwd=tmp_path))] == ["a/sub.py:5:12: ELP"]
    (tmp_path / "other.toml").write_text("[tool.black]\n")
    result = command("check", "--config", "other.toml", "a/mod.py", cwd=tmp_path)
    assert (result.returncode, result.stderr.decode()) == (
        2, "flake8-asyncloop: error: --config other.toml: has no [tool.flake8-asyncloop] table\n"
    )


UNFIXED_TWICE = FIXABLE.replace("    loop.close()\n", "")  # ELP102 and ELP108 (5:12 both)


def test_per_file_ignores_and_extend_ignore(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    for name in ("tests/test_x.py", "mod.py"):
        (tmp_path / name).write_text(UNFIXED_TWICE)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.flake8-asyncloop]\nextend-ignore = ["ELP108"]\n[tool.flake8-asyncloop.per-file-ignores]\n'
        '"tests/*" = ["ELP102"]\n'
    )
    assert [line[:24] for line in lines(command("check", ".", cwd=tmp_path))] == ["mod.py:5:12: ELP102 even"]
    result = command("check", "--per-file-ignores", "mod.py: ELP1", "--extend-ignore", "", ".", cwd=tmp_path)
    assert [line[:29] for line in lines(result)] == ["tests/test_x.py:5:12: ELP102 ", "tests/test_x.py:5:12: ELP108 "]
    result = command("check", "--per-file-ignores", "mod.py", ".", cwd=tmp_path)
    assert (result.returncode, result.stderr.decode()) == (
        2, "flake8-asyncloop: error: --per-file-ignores: cannot read 'mod.py': expected PATTERN:CODES, "
        "such as 'tests/*:ELP101,ELP105'\n"
    )


def test_extend_select_adds_to_select(tmp_path: Path) -> None:
    (tmp_path / "mod.py").write_text(UNFIXED_TWICE)
    result = command("check", "--select", "ELP102", "--extend-select", "ELP108", "mod.py", cwd=tmp_path)
    assert [line[:19] for line in lines(result)] == ["mod.py:5:12: ELP102", "mod.py:5:12: ELP108"]


def test_no_unsafe_fixes_wins_over_the_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.flake8-asyncloop]\nunsafe-fixes = true\n")
    (tmp_path / "mod.py").write_text("import asyncio\nloop = asyncio.SelectorEventLoop()\nloop.close()\n")
    assert command("fix", "--diff", "--no-unsafe-fixes", "mod.py", cwd=tmp_path).stdout == b""
    assert b"+loop = asyncio.new_event_loop()" in command("fix", "--diff", "mod.py", cwd=tmp_path).stdout


@pytest.mark.parametrize("asked", ["ELP101", "elp101", "get-event-loop-in-worker-thread"])
def test_explain_by_code_or_name(tmp_path: Path, asked: str) -> None:
    result = command("explain", asked, cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.decode().startswith("ELP101 get-event-loop-in-worker-thread\n")


def test_explain_a_near_miss_suggests_the_rule(tmp_path: Path) -> None:
    result = command("explain", "loop-never-close", cwd=tmp_path)
    assert (result.returncode, result.stderr.decode()) == (
        2, "flake8-asyncloop: error: no rule 'loop-never-close'; did you mean loop-never-closed? "
        "flake8-asyncloop rules lists them\n"
    )


def test_clean_code_stays_clean_under_every_new_option(tmp_path: Path) -> None:
    (tmp_path / "mod.py").write_text(CLEAN)
    result = command(
        "check", "--force-exclude", "--exit-zero", "--extend-select", "ELP1", "--extend-ignore", "ELP9",
        "--per-file-ignores", "x.py:ELP101", "mod.py", cwd=tmp_path,
    )
    assert (result.returncode, result.stdout) == (0, b"")
