"""The ``flake8-asyncloop`` command, run as users run it (a real process)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

FIXABLE = (
    "import asyncio\n"
    "\n"
    "\n"
    "def main():\n"
    "    loop = asyncio.new_event_loop()  # keep this comment\n"
    "    loop.run_until_complete(asyncio.gather(work(), work()))\n"
    "    loop.close()\n"
)
FIXED = (
    "import asyncio\n"
    "\n"
    "\n"
    "def main():\n"
    "    loop = asyncio.new_event_loop()  # keep this comment\n"
    "    asyncio.set_event_loop(loop)\n"
    "    loop.run_until_complete(asyncio.gather(work(), work()))\n"
    "    loop.close()\n"
)
UNFIXABLE = (
    "import asyncio\n"
    "import threading\n"
    "\n"
    "def work():\n"
    "    asyncio.get_event_loop().run_until_complete(job())\n"
    "\n"
    "threading.Thread(target=work).start()\n"
)
CLEAN = "import asyncio\n\nasyncio.run(main())\n"


def command(*args: str, cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "flake8_asyncloop", *args], cwd=cwd, input=stdin, capture_output=True
    )


def test_check_reports_and_exits_1(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(FIXABLE)
    (tmp_path / "clean.py").write_text(CLEAN)
    result = command("check", ".", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.decode().startswith("a.py:5:12: ELP102 event loop 'loop' is never installed")
    assert b"2 files checked, 1 diagnostic" in result.stderr


def test_check_clean_tree_exits_0(tmp_path: Path) -> None:
    (tmp_path / "clean.py").write_text(CLEAN)
    assert command("check", str(tmp_path), cwd=tmp_path).returncode == 0


def test_fix_rewrites_only_changed_files_and_exits_0_when_nothing_remains(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(FIXABLE)
    clean = tmp_path / "clean.py"
    clean.write_text(CLEAN)
    os.utime(clean, (1_000_000_000, 1_000_000_000))
    result = command("fix", ".", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "a.py").read_text() == FIXED
    assert clean.stat().st_mtime == 1_000_000_000  # untouched, not even rewritten
    assert b"2 files checked, 1 fixed, 0 remaining" in result.stderr
    second = command("fix", ".", cwd=tmp_path)
    assert second.returncode == 0 and b"0 fixed" in second.stderr


def test_fix_exits_1_while_problems_remain(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(FIXABLE + UNFIXABLE.replace("import asyncio\n", ""))
    result = command("fix", "a.py", cwd=tmp_path)
    assert result.returncode == 1
    assert b"ELP101" in result.stdout and b"1 fixed, 1 remaining" in result.stderr


def test_unsafe_fixes_only_on_request(tmp_path: Path) -> None:
    source = "import asyncio\nloop = asyncio.SelectorEventLoop()\nloop.close()\n"
    (tmp_path / "a.py").write_text(source)
    assert command("fix", "a.py", cwd=tmp_path).returncode == 1
    assert (tmp_path / "a.py").read_text() == source
    assert command("fix", "--unsafe-fixes", "a.py", cwd=tmp_path).returncode == 0
    assert (tmp_path / "a.py").read_text() == "import asyncio\nloop = asyncio.new_event_loop()\nloop.close()\n"


def test_diff_and_check_write_nothing(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(FIXABLE)
    diff = command("fix", "--diff", "a.py", cwd=tmp_path)
    assert diff.returncode == 1
    assert diff.stdout.decode().splitlines()[:2] == ["--- a.py", "+++ a.py"]
    assert "+    asyncio.set_event_loop(loop)" in diff.stdout.decode()
    assert command("fix", "--check", "a.py", cwd=tmp_path).returncode == 1
    assert (tmp_path / "a.py").read_text() == FIXABLE


def test_crlf_bom_mode_and_encoding_survive(tmp_path: Path) -> None:
    path = tmp_path / "a.py"
    original = b"\xef\xbb\xbf" + FIXABLE.replace("\n", "\r\n").encode()
    path.write_bytes(original)
    path.chmod(0o751)
    assert command("fix", "a.py", cwd=tmp_path).returncode == 0
    assert path.read_bytes() == b"\xef\xbb\xbf" + FIXED.replace("\n", "\r\n").encode()
    assert stat.S_IMODE(path.stat().st_mode) == 0o751
    latin = tmp_path / "latin.py"
    latin.write_bytes(b"# -*- coding: latin-1 -*-\n" + FIXABLE.replace("keep this", "caf\xe9").encode("latin-1"))
    assert command("fix", "latin.py", cwd=tmp_path).returncode == 0
    expected = FIXED.replace("keep this", "caf\xe9").encode("latin-1")
    assert latin.read_bytes() == b"# -*- coding: latin-1 -*-\n" + expected


def test_noqa_lines_are_neither_reported_nor_fixed(tmp_path: Path) -> None:
    source = FIXABLE.replace("# keep this comment", "# noqa: ELP102")
    (tmp_path / "a.py").write_text(source)
    assert command("check", "a.py", cwd=tmp_path).returncode == 0
    assert command("fix", "a.py", cwd=tmp_path).returncode == 0
    assert (tmp_path / "a.py").read_text() == source


def test_standard_input(tmp_path: Path) -> None:
    fixed = command("fix", "-", cwd=tmp_path, stdin=FIXABLE.encode())
    assert fixed.returncode == 0 and fixed.stdout == FIXED.encode()
    unchanged = command("fix", "-", cwd=tmp_path, stdin=CLEAN.encode())
    assert unchanged.stdout == CLEAN.encode()
    checked = command("check", "--stdin-filename", "src/app.py", "-", cwd=tmp_path, stdin=FIXABLE.encode())
    assert checked.returncode == 1 and checked.stdout.startswith(b"src/app.py:5:12: ELP102")


def test_directories_recurse_and_skip_excluded(tmp_path: Path) -> None:
    for directory in (".venv", "build", "pkg/sub", "vendored"):
        (tmp_path / directory).mkdir(parents=True)
        (tmp_path / directory / "m.py").write_text(FIXABLE)
    (tmp_path / "notes.txt").write_text(FIXABLE)
    result = command("check", "--exclude", "vendored", ".", cwd=tmp_path)
    assert result.stdout.decode().splitlines() == [
        "pkg/sub/m.py:5:12: ELP102 event loop 'loop' is never installed, so asyncio.gather() on line 6 binds to "
        "another loop, and awaiting the result on this one raises ValueError; call asyncio.set_event_loop(loop) "
        "after creating it"
    ]
    # A file named on the command line is checked even where a directory walk would skip it.
    assert command("check", ".venv/m.py", cwd=tmp_path).returncode == 1


def test_bad_files_get_one_line_and_the_run_goes_on(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("def f(:\n")
    (tmp_path / "binary.py").write_bytes(b"x = '\xff\xfe'\n")
    (tmp_path / "a.py").write_text(FIXABLE)
    (tmp_path / "dir.py").mkdir()  # a directory is walked, whatever its name
    result = command("fix", "broken.py", "binary.py", "a.py", "dir.py", cwd=tmp_path)
    errors = result.stderr.decode().splitlines()
    assert "Traceback" not in result.stderr.decode()
    assert errors[0].startswith("broken.py: error: cannot parse (line 1)")
    assert errors[1].startswith("binary.py: error: cannot decode")
    assert errors[2] == "3 files checked, 1 fixed, 0 remaining, 2 skipped with errors"
    assert (tmp_path / "a.py").read_text() == FIXED
    assert (tmp_path / "broken.py").read_text() == "def f(:\n"
    assert result.returncode == 1


FIXABLE_DIAGNOSTIC = (
    "5:12: ELP102 event loop 'loop' is never installed, so asyncio.gather() on line 6 binds to another loop, and "
    "awaiting the result on this one raises ValueError; call asyncio.set_event_loop(loop) after creating it"
)


@pytest.mark.parametrize("mode", ["check", "fix"])
def test_a_missing_path_is_an_error_line_and_the_others_are_still_checked(tmp_path: Path, mode: str) -> None:
    (tmp_path / "good.py").write_text(FIXABLE)
    (tmp_path / "bad.py").write_text(UNFIXABLE)
    result = command(mode, "good.py", "missing.py", "bad.py", "gone/", cwd=tmp_path)
    assert result.returncode == 2  # the most severe: problems are 1, a path that does not exist 2
    summary = {
        "check": "2 files checked, 2 diagnostics (1 fixable with fix)",
        "fix": "2 files checked, 1 fixed, 1 remaining",
    }[mode]
    assert result.stderr.decode().splitlines() == [
        "flake8-asyncloop: error: missing.py: no such file or directory",
        "flake8-asyncloop: error: gone/: no such file or directory",
        summary,
    ]
    lines = result.stdout.decode().splitlines()
    if mode == "check":
        assert lines[0] == f"good.py:{FIXABLE_DIAGNOSTIC}"
    else:
        assert (tmp_path / "good.py").read_text() == FIXED
    assert lines[-1].startswith("bad.py:5:5: ELP101 ")
    # A clean file beside a missing path: still 2.
    (tmp_path / "bad.py").write_text(CLEAN)
    assert command(mode, "bad.py", "missing.py", cwd=tmp_path).returncode == 2


def test_upgrade_reports_the_files_that_exist_beside_a_missing_path(tmp_path: Path) -> None:
    (tmp_path / "good.py").write_text(FIXABLE)
    result = command("upgrade", "--target-version", ">=3.10", "good.py", "missing.py", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.decode() == "flake8-asyncloop: error: missing.py: no such file or directory\n"
    assert result.stdout.decode().splitlines()[0] == "Python 3.10 to 3.16: 1 file checked"
    assert "  good.py:5:12: ELP102 binds work to another loop (safe fix)" in result.stdout.decode().splitlines()


@pytest.mark.parametrize(
    "paths, shown",
    [
        (["a.py", "./a.py"], ["a.py"]),
        (["a.py", "a.py"], ["a.py"]),
        (["sub/../a.py", "a.py"], ["sub/../a.py"]),
        (["a.py", "."], ["a.py", "real/b.py"]),  # the directory's walk finds a.py again
        ([".", "a.py"], ["a.py", "real/b.py"]),
        (["linked", "real", "real/b.py"], ["linked/b.py"]),  # a link to a directory is that directory
        (["-", "-"], ["-"]),
    ],
)
def test_each_file_is_checked_once_however_often_it_is_named(
    tmp_path: Path, paths: list[str], shown: list[str]
) -> None:
    (tmp_path / "a.py").write_text(FIXABLE)
    (tmp_path / "sub").mkdir()
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "b.py").write_text(FIXABLE)
    (tmp_path / "linked").symlink_to("real")
    result = command("check", *paths, cwd=tmp_path, stdin=FIXABLE.encode())
    assert result.stdout.decode().splitlines() == [f"{path}:{FIXABLE_DIAGNOSTIC}" for path in shown]
    files = "1 file" if len(shown) == 1 else f"{len(shown)} files"
    diagnostics = "1 diagnostic" if len(shown) == 1 else f"{len(shown)} diagnostics"
    assert result.stderr.decode() == f"{files} checked, {diagnostics} ({len(shown)} fixable with fix)\n"
    fixed = command("fix", *paths, cwd=tmp_path, stdin=FIXABLE.encode())
    assert fixed.stderr.decode().splitlines()[-1] == f"{files} checked, {len(shown)} fixed, 0 remaining"


@pytest.mark.parametrize(
    "args, message",
    [
        (["check", "--select", "ELP999"], "unknown rule code 'ELP999'"),
        (["check", "--target-version", "three"], "cannot read target version 'three'"),
        (["check", "--bogus"], "unrecognized arguments: --bogus"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["check", "--jobs", "0"], "--jobs must be at least 1"),
    ],
)
def test_usage_errors_are_one_line_with_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    result = command(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr.decode()
    assert "Traceback" not in result.stderr.decode()


def test_pyproject_configuration_and_flags_that_win(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.flake8-asyncloop]\nignore = ["ELP102"]\ntarget-version = ">=3.7"\nunsafe-fixes = true\n'
    )
    (tmp_path / "a.py").write_text(FIXABLE)
    assert command("check", "a.py", cwd=tmp_path).returncode == 0
    assert command("check", "--ignore", "ELP100", "a.py", cwd=tmp_path).returncode == 1


@pytest.mark.parametrize(
    "content, message",
    [
        ("[tool.flake8-asyncloop]\nselct = ['ELP1']\n", "unknown key 'selct'"),
        ("[tool.flake8-asyncloop]\ntarget-version = 'soon'\n", "cannot read target version 'soon'"),
        ("[tool.flake8-asyncloop]\nselect = ['XYZ']\n", "unknown rule code 'XYZ'"),
        ("[tool.flake8-asyncloop\n", "cannot read it"),
    ],
)
def test_broken_configuration_is_one_line_with_exit_2(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "pyproject.toml").write_text(content)
    (tmp_path / "a.py").write_text(FIXABLE)
    result = command("check", "a.py", cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr.decode() and "Traceback" not in result.stderr.decode()


def test_jobs_give_the_same_output_in_the_same_order(tmp_path: Path) -> None:
    for number in range(12):
        (tmp_path / f"m{number:02}.py").write_text(FIXABLE if number % 2 else UNFIXABLE)
    one = command("check", "--jobs", "1", ".", cwd=tmp_path)
    two = command("check", "--jobs", "2", ".", cwd=tmp_path)
    assert one.stdout == two.stdout and one.stdout.count(b"\n") == 12


def test_parsing_warnings_about_the_checked_code_stay_quiet(tmp_path: Path) -> None:
    """CPython warns about '\\d' while parsing (SyntaxWarning on 3.12+), printed as
    '<unknown>:3: ...' with no file name: the code's compiler will say it, not the linter."""
    (tmp_path / "a.py").write_text('import asyncio\nPATTERN = "\\d+"\nloop = asyncio.get_event_loop()\n')
    for mode in ("check", "fix"):
        result = subprocess.run(
            [sys.executable, "-W", "always", "-m", "flake8_asyncloop", mode, "--target-version", ">=3.9", "a.py"],
            cwd=tmp_path, capture_output=True, text=True,
        )  # fmt: skip
        # Libraries may warn about themselves under -W always (old libcst does on 3.9): only
        # warnings about the checked code, which name no file, are ours to keep quiet.
        assert "<unknown>" not in result.stderr and "escape sequence" not in result.stderr, result.stderr


def test_syntax_newer_than_this_python_is_read_with_libcst(tmp_path: Path) -> None:
    """3.12's type parameters, checked by any supported Python: where CPython's parser here
    refuses them, libcst's reads them, and the file is checked and fixed all the same."""
    (tmp_path / "a.py").write_text(
        "import asyncio\n"
        "type Pair[T] = tuple[T, T]\n"
        "def first[T](items: list[T]) -> T:\n"
        "    return items[0]\n"
        "async def main():\n"
        "    return asyncio.get_event_loop()\n"
    )
    checked = command("check", "--target-version", ">=3.12", "a.py", cwd=tmp_path)
    assert checked.stdout.decode().startswith("a.py:6:12: ELP104 asyncio.get_event_loop() inside a coroutine")
    assert checked.stderr.decode() == "1 file checked, 1 diagnostic (1 fixable with fix)\n"
    fixed = command("fix", "--target-version", ">=3.12", "a.py", cwd=tmp_path)
    assert fixed.returncode == 0, fixed.stderr
    assert (tmp_path / "a.py").read_text().endswith("    return asyncio.get_running_loop()\n")


@pytest.mark.parametrize("deep", ["x = " + "not " * 10_000 + "loop\n", "x = loop" + ".a" * 10_000 + "\n"])
def test_newer_syntax_that_nests_deeply_is_not_given_to_libcst(tmp_path: Path, deep: str) -> None:
    """Without CPython's nesting limits in front of it, libcst took minutes on these: refused."""
    header = "type Pair[T] = tuple[T, T]\nimport asyncio\nloop = asyncio.new_event_loop()\n"
    (tmp_path / "a.py").write_text(header + deep)
    result = command("check", "a.py", cwd=tmp_path)
    assert result.returncode == 1
    # 3.11 refuses the type alias (a plain SyntaxError, so libcst was asked), 3.12+ the depth.
    assert result.stderr.decode().startswith("a.py: error: cannot parse")


def test_no_arguments_print_the_usage_with_exit_2(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "flake8_asyncloop"], cwd=tmp_path, capture_output=True, text=True,
        env={**os.environ, "COLUMNS": "120"},
    )
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[:4] == [
        "usage: flake8-asyncloop [-h] [--version] {check,fix,upgrade,explain,rules,clean,server} ...",
        "",
        "Find asyncio event-loop misuse and fix it.",
        "",
    ]
    assert "    check               report problems" in lines
    assert "    fix                 rewrite problems to the recipe, then report what is left" in lines


def test_check_without_paths_checks_the_working_directory(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.py").write_text(FIXABLE)
    result = command("check", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.decode().splitlines() == [f"pkg/a.py:{FIXABLE_DIAGNOSTIC}"]


UNSAFE = "import asyncio\nloop = asyncio.SelectorEventLoop()\nloop.close()\n"  # ELP100, an unsafe fix


def test_the_summary_says_what_fixing_would_do(tmp_path: Path) -> None:
    """A safe fix (a.py), an unsafe one (unsafe.py) and none (b.py): check says how many fix
    would take, and how many more --unsafe-fixes; fix says what is left for --unsafe-fixes, in the
    words the codemod uses when it skips a file."""
    (tmp_path / "a.py").write_text(FIXABLE)
    (tmp_path / "unsafe.py").write_text(UNSAFE)
    (tmp_path / "b.py").write_text(UNFIXABLE)
    summary = "3 files checked, 3 diagnostics (1 fixable with fix, 1 fixable with fix --unsafe-fixes)\n"
    # A quiet run counts nothing (no summary line) and keeps its results without the counts; the
    # next run counts them, and keeps them; the one after that finds them kept.
    quiet = command("check", "-q", "-v", ".", cwd=tmp_path)
    assert quiet.returncode == 1 and "fixable" not in quiet.stderr.decode()
    counted = command("check", "-v", ".", cwd=tmp_path)
    assert counted.stderr.decode().endswith(summary) and "kept from an earlier run" not in counted.stderr.decode()
    kept = command("check", "-v", ".", cwd=tmp_path)
    assert kept.stderr.decode().endswith(summary) and kept.stderr.decode().count("kept from an earlier run") == 3
    for arguments in (["--no-cache"], ["--output-format", "json"], ["--statistics"]):
        assert command("check", *arguments, ".", cwd=tmp_path).stderr.decode() == summary, arguments

    diff = command("fix", "--diff", ".", cwd=tmp_path)
    left = "2 remaining (1 fixable with --unsafe-fixes)"
    assert diff.stderr.decode().splitlines()[-1] == f"3 files checked, 1 fixable, {left}"
    fixed = command("fix", ".", cwd=tmp_path)
    assert fixed.stderr.decode().splitlines()[-1] == f"3 files checked, 1 fixed, {left}"
    assert command("check", ".", cwd=tmp_path).stderr.decode() == (
        "3 files checked, 2 diagnostics (1 fixable with fix --unsafe-fixes)\n"
    )
    unsafe = command("fix", "--unsafe-fixes", ".", cwd=tmp_path)
    assert unsafe.stderr.decode().splitlines()[-1] == "3 files checked, 1 fixed, 1 remaining"

    import libcst as cst
    from libcst.codemod import CodemodContext, SkipFile

    from flake8_asyncloop.codemod import FixEventLoops

    with pytest.raises(SkipFile) as skipped:
        FixEventLoops(CodemodContext(), target_version=">=3.10").transform_module(cst.parse_module(UNSAFE))
    assert str(skipped.value) == "nothing to fix automatically (1 problem left, 1 fixable with --unsafe-fixes)"


def test_with_unsafe_fixes_on_in_the_configuration_check_counts_them_as_fixable(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.flake8-asyncloop]\nunsafe-fixes = true\n")
    (tmp_path / "a.py").write_text(FIXABLE)
    (tmp_path / "unsafe.py").write_text(UNSAFE)
    result = command("check", ".", cwd=tmp_path)
    assert result.stderr.decode() == "2 files checked, 2 diagnostics (2 fixable with fix)\n"


def test_a_check_that_counts_fixes_analyses_each_file_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The summary's fix counts need the whole module's analysis with fixes: where a check counts
    them, that is the only analysis of a file, with the diagnostics of the focused one."""
    from flake8_asyncloop import cli
    from flake8_asyncloop.engine import fixer

    for name, text in (("a.py", FIXABLE), ("unsafe.py", UNSAFE), ("b.py", UNFIXABLE)):
        (tmp_path / name).write_text(text)
    analyses: list[bool] = []
    reported = fixer.reported

    def counted(*arguments: object, fixes: bool, **keywords: object) -> object:
        analyses.append(fixes)
        return reported(*arguments, fixes=fixes, **keywords)

    monkeypatch.setattr(fixer, "reported", counted)  # the command imports it once a file may hold a finding
    monkeypatch.chdir(tmp_path)
    assert cli.main(["check", "-j", "1", "--no-cache", "."]) == 1
    assert analyses == [True, True, True]
    counted_output = capsys.readouterr()
    analyses.clear()
    assert cli.main(["check", "-q", "-j", "1", "--no-cache", "."]) == 1
    assert analyses == [False, False, False]
    assert capsys.readouterr().out == counted_output.out
    assert counted_output.err.endswith("3 diagnostics (1 fixable with fix, 1 fixable with fix --unsafe-fixes)\n")
