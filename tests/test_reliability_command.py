"""The command never corrupts or loses a file, and bad input gets one line, never a traceback."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import sysconfig
import time
from pathlib import Path
from typing import Any

import pytest

from flake8_asyncloop import files
from flake8_asyncloop.config import Settings
from flake8_asyncloop.files import Task, run_task
from flake8_asyncloop.rules import ALL_RULES
from tests import engine_failure

STDLIB = Path(sysconfig.get_paths()["stdlib"])
FUNCTION = (
    "def run_{n}():\n"
    "    loop = asyncio.new_event_loop()  # comment {n}\n"
    "    loop.run_until_complete(asyncio.gather(work({n}), work()))\n"
    "    loop.close()\n"
    "\n"
    "\n"
)
HEADER = "import asyncio\n\n\n"


def needs_fixing(functions: int = 1) -> str:
    return HEADER + "".join(FUNCTION.format(n=n) for n in range(functions))


def fixed_version(functions: int = 1) -> str:
    return needs_fixing(functions).replace(
        "\n    loop.run_until_complete", "\n    asyncio.set_event_loop(loop)\n    loop.run_until_complete"
    )


def command(
    *args: str, cwd: Path, stdin: bytes | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "flake8_asyncloop", *args], cwd=cwd, input=stdin, capture_output=True, timeout=timeout
    )
    return subprocess.CompletedProcess(
        result.args, result.returncode, result.stdout.decode(errors="replace"), result.stderr.decode(errors="replace")
    )


def error_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    assert "Traceback" not in result.stderr, result.stderr
    return [line for line in result.stderr.splitlines() if ": error: " in line]


def test_the_fix_these_tests_rely_on() -> None:
    from flake8_asyncloop.engine.fixer import fix_source
    from flake8_asyncloop.engine.versions import parse_target_versions

    assert fix_source(needs_fixing(3), parse_target_versions(">=3.10"), ALL_RULES).source == fixed_version(3)


# -- killed mid-run ----------------------------------------------------------------------------


def _make_tree(root: Path, count: int) -> dict[Path, bytes]:
    originals = {}
    for number in range(count):
        path = root / f"package{number % 7}" / f"module{number:03}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        data = needs_fixing(1 + number % 4).encode()
        path.write_bytes(data)
        originals[path.relative_to(root)] = data
    return originals


def test_a_run_killed_at_any_moment_leaves_every_file_old_or_new(tmp_path: Path) -> None:
    """SIGKILL to the command and its worker processes at several points of a run over a few
    hundred files that all need fixing: each file is byte for byte its original or its fixed
    version, never truncated or mixed; temporary files left behind are never taken for sources."""
    pristine = tmp_path / "pristine"
    originals = _make_tree(pristine, 300)
    expected_tree = tmp_path / "expected"
    shutil.copytree(pristine, expected_tree)
    started = time.monotonic()
    full = command("fix", "--jobs", "2", ".", cwd=expected_tree)
    duration = time.monotonic() - started
    assert full.returncode == 0, full.stderr
    expected = {relative: (expected_tree / relative).read_bytes() for relative in originals}
    assert all(expected[relative] != originals[relative] for relative in originals)

    outcomes = []
    for fraction in (0.25, 0.5, 0.75, 0.95):
        tree = tmp_path / f"killed-at-{fraction}"
        shutil.copytree(pristine, tree)
        process = subprocess.Popen(
            [sys.executable, "-m", "flake8_asyncloop", "fix", "--jobs", "2", "."],
            cwd=tree,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: the kill reaches the workers too
        )
        time.sleep(duration * fraction)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        new = 0
        for relative, original in originals.items():
            data = (tree / relative).read_bytes()
            assert data in (original, expected[relative]), f"{relative} is neither old nor new after the kill"
            new += data == expected[relative]
        leftovers = [path for path in tree.rglob("*") if path.is_file() and path.relative_to(tree) not in originals]
        assert all(path.name.startswith(".flake8-asyncloop-") and path.suffix == ".tmp" for path in leftovers)
        outcomes.append((fraction, new, len(leftovers)))
        # A new run finishes the job, and does not mistake a leftover for a source file.
        again = command("fix", "--jobs", "2", ".", cwd=tree)
        assert again.returncode == 0, again.stderr
        assert f"{len(originals)} files checked" in again.stderr
        assert all((tree / relative).read_bytes() == expected[relative] for relative in originals)
    print("killed at (fraction of the run, files already fixed, temporary files left):", outcomes)
    # The kills landed mid-run at least once: some files old, some new.
    assert any(0 < new < len(originals) for _, new, _ in outcomes), outcomes


def test_two_runs_on_the_same_tree_at_once(tmp_path: Path) -> None:
    originals = _make_tree(tmp_path, 120)
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "flake8_asyncloop", "fix", "--jobs", "1", "."],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=300) for run in runs]
    for run, (_, stderr) in zip(runs, outputs):
        assert run.returncode == 0 and "Traceback" not in stderr, stderr
    for relative in originals:
        functions = (tmp_path / relative).read_text().count("def run_")
        assert (tmp_path / relative).read_text() == fixed_version(functions)
    assert sorted(path.relative_to(tmp_path) for path in tmp_path.rglob("*.py")) == sorted(originals)


# -- what is kept, what is skipped ---------------------------------------------------------------


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("mode", [0o600, 0o644, 0o755, 0o2755])
def test_permissions_and_line_endings_are_kept(tmp_path: Path, newline: str, mode: int) -> None:
    path = tmp_path / "a.py"
    path.write_bytes(needs_fixing(2).replace("\n", newline).encode())
    path.chmod(mode)
    assert command("fix", "a.py", cwd=tmp_path).returncode == 0
    assert path.read_bytes() == fixed_version(2).replace("\n", newline).encode()
    assert stat.S_IMODE(path.stat().st_mode) == mode


def test_mixed_line_endings_are_kept_line_by_line(tmp_path: Path) -> None:
    path = tmp_path / "a.py"
    run = b"    loop.run_until_complete(asyncio.gather(work(), work()))\n"
    path.write_bytes(b"import asyncio\r\n\ndef main():\r    loop = asyncio.new_event_loop()\r\n" + run)
    assert command("fix", "--select", "ELP102", "a.py", cwd=tmp_path).returncode == 0
    assert path.read_bytes() == (
        b"import asyncio\r\n\ndef main():\r    loop = asyncio.new_event_loop()\r\n"
        b"    asyncio.set_event_loop(loop)\r\n" + run
    )


def test_read_only_files_symlinks_and_special_files_are_skipped_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "read_only.py").write_text(needs_fixing())
    (tmp_path / "read_only.py").chmod(0o444)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "target.py").write_text(needs_fixing())
    work = tmp_path / "work"
    work.mkdir()
    (work / "link.py").symlink_to(outside / "target.py")
    (work / "dangling.py").symlink_to(outside / "gone.py")
    (work / "package.py").mkdir()  # a directory named like a module is walked, not read
    (work / "package.py" / "inner.py").write_text(needs_fixing())
    os.mkfifo(work / "pipe.py")  # reading it would block the run forever
    (work / "fine.py").write_text(needs_fixing())
    shutil.move(str(tmp_path / "read_only.py"), work / "read_only.py")

    result = command("fix", ".", cwd=work, timeout=120)
    assert sorted(error_lines(result)) == [
        "dangling.py: error: cannot read: No such file or directory",
        "link.py: error: not rewritten: it is a symbolic link; fix the file it points to",
        "pipe.py: error: not a regular file",
        "read_only.py: error: not rewritten: the file is read-only",
    ]
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == "6 files checked, 2 fixed, 0 remaining, 4 skipped with errors"
    assert (work / "fine.py").read_text() == fixed_version()
    assert (work / "package.py" / "inner.py").read_text() == fixed_version()
    assert (work / "read_only.py").read_text() == needs_fixing()
    assert stat.S_IMODE((work / "read_only.py").stat().st_mode) == 0o444
    assert (work / "link.py").is_symlink() and (outside / "target.py").read_text() == needs_fixing()
    # Checking reads through the link: nothing is written.
    checked = command("check", "link.py", cwd=work)
    assert checked.returncode == 1 and checked.stdout.startswith("link.py:5:12: ELP102")


def _task(path: Path) -> Task:
    return Task(str(path), "fix", Settings())


def test_a_file_that_vanishes_or_changes_mid_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    vanishing, changing, racing = (tmp_path / f"{name}.py" for name in ("vanishing", "changing", "racing"))
    for path in (vanishing, changing, racing):
        path.write_text(needs_fixing())
    read = files._read

    def read_then(path: str) -> Any:
        result = read(path)
        if path == str(vanishing):
            vanishing.unlink()
        elif path == str(changing):
            changing.write_text("# an editor saved this meanwhile\n")
        elif path == str(racing):
            racing.write_text(fixed_version() + "\n")  # rewritten, then back: a new inode, same bytes
            racing.unlink()
            racing.write_text(fixed_version())
        return result

    monkeypatch.setattr(files, "_read", read_then)
    assert run_task(_task(vanishing)).error == "cannot write: No such file or directory"
    assert not vanishing.exists()
    assert run_task(_task(changing)).error == "not rewritten: it changed on disk while being fixed"
    assert changing.read_text() == "# an editor saved this meanwhile\n"
    # Another run fixed it the same way meanwhile: nothing to report.
    assert run_task(_task(racing)).error is None and racing.read_text() == fixed_version()
    assert run_task(_task(tmp_path / "never.py")).error == "cannot read: No such file or directory"


def test_permission_errors_are_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Root reads and writes anything, so the errors are injected where the operating system
    would raise them."""
    path = tmp_path / "a.py"
    path.write_text(needs_fixing())

    def denied(*args: object, **kwargs: object) -> Any:
        raise PermissionError(13, "Permission denied")

    with monkeypatch.context() as patch:
        patch.setattr(files.tempfile, "mkstemp", denied)  # a directory we may not write in
        assert run_task(_task(path)).error == "cannot write: Permission denied"
    with monkeypatch.context() as patch:
        patch.setattr(files.os, "replace", denied)
        assert run_task(_task(path)).error == "cannot write: Permission denied"
    with monkeypatch.context() as patch:
        patch.setattr(files, "open", denied, raising=False)  # a file we may not read
        assert run_task(_task(path)).error == "cannot read: Permission denied"
    assert path.read_text() == needs_fixing()
    assert [p.name for p in tmp_path.iterdir()] == ["a.py"]  # no temporary file left behind


# -- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, stdin, message",
    [
        (["check", "missing.py"], None, "flake8-asyncloop: error: missing.py: no such file or directory"),
        (["fix", "missing/"], None, "flake8-asyncloop: error: missing/: no such file or directory"),
        (["check", "-"], b"\xff\xfe\x00garbage", "flake8-asyncloop: error: standard input is not Python source text"),
        (["fix", "-"], b"import asyncio\x00\n", "flake8-asyncloop: error: standard input is not Python source text"),
        (["check", "--select", "ELP1,XYZ9"], None, "flake8-asyncloop: error: --select: unknown rule code 'XYZ9'"),
        (["check", "--ignore", "E501"], None, "flake8-asyncloop: error: --ignore: unknown rule code 'E501'"),
        (["check", "--target-version", ">=3.x"], None, "cannot read target version '>=3.x'"),
        (["check", "--target-version", ""], None, "cannot read target version ''"),
        (["check", "--jobs", "many"], None, "argument --jobs/-j: invalid int value: 'many'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, args: list[str], stdin: bytes | None, message: str
) -> None:
    (tmp_path / "a.py").write_text(needs_fixing())
    result = command(*args, cwd=tmp_path, stdin=stdin)
    assert result.returncode == 2, result
    assert len(result.stderr.splitlines()) == 1 and message in result.stderr, result.stderr
    assert (tmp_path / "a.py").read_text() == needs_fixing()


@pytest.mark.parametrize(
    "content",
    [
        b"[tool.flake8-asyncloop\n",
        b"[tool.flake8-asyncloop]\nselect = 3\n",
        b"[tool.flake8-asyncloop]\nunsafe-fixes = 'yes'\n",
        b"[tool.flake8-asyncloop]\ntarget-version = 3.9\n",
        b"[tool.flake8-asyncloop]\nexclude = [1]\n",
        b"tool = 1\n[tool.flake8-asyncloop]\n",
        b"\xff\xfe[tool.flake8-asyncloop]\n",
        b"[tool]\nflake8-asyncloop = 1\n",
    ],
    ids=["unclosed-table", "select-number", "unsafe-string", "version-number", "exclude-number", "redefined",
         "not-utf8", "not-a-table"],
)
def test_broken_pyproject_is_one_line_and_exit_2(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "pyproject.toml").write_bytes(content)
    (tmp_path / "a.py").write_text(needs_fixing())
    result = command("fix", "a.py", cwd=tmp_path)
    assert result.returncode == 2, result
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith("flake8-asyncloop: error: ")
    assert "pyproject.toml" in result.stderr
    assert (tmp_path / "a.py").read_text() == needs_fixing()


def test_jobs_give_the_same_output_in_the_same_order_on_the_standard_library(tmp_path: Path) -> None:
    outputs = {}
    for jobs in ("1", "2"):
        result = command("check", "--jobs", jobs, "--exclude", "site-packages", str(STDLIB), cwd=tmp_path, timeout=900)
        assert result.returncode == 1 and "Traceback" not in result.stderr
        outputs[jobs] = result
    assert outputs["1"].stdout == outputs["2"].stdout and outputs["1"].stderr == outputs["2"].stderr
    assert outputs["1"].stdout.count("\n") > 50
    assert " files checked, " in outputs["1"].stderr and " skipped with errors" in outputs["1"].stderr


# -- fix as an editor's filter -------------------------------------------------------------------

def filter_command(
    *args: str, cwd: Path, stdin: bytes, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    """The command's bytes: standard output is compared byte for byte with the input."""
    return subprocess.run(
        [sys.executable, "-m", "flake8_asyncloop", *args], cwd=cwd, input=stdin, capture_output=True, env=env
    )


BUFFER_WITH_SYNTAX_ERROR = b"import asyncio\nloop = asyncio.new_event_loop()\ndef f(:\n"
UNDECODABLE_BUFFER = b"import asyncio\nx = '\xff'\n"


@pytest.mark.parametrize(
    "buffer, code, errors",
    [
        (
            BUFFER_WITH_SYNTAX_ERROR,
            1,
            [
                "src/app.py: error: cannot parse (line 3): invalid syntax",
                "1 file checked, 0 fixed, 0 remaining, 1 skipped with errors",
            ],
        ),
        (
            UNDECODABLE_BUFFER,
            2,
            [
                "flake8-asyncloop: error: standard input is not Python source text (cannot decode: 'utf-8' codec "
                "can't decode byte 0xff in position 20: invalid start byte)"
            ],
        ),
        (
            b"import asyncio\x00\n",
            2,
            [
                "flake8-asyncloop: error: standard input is not Python source text (cannot decode: it contains a "
                "null byte, as binary data does)"
            ],
        ),
    ],
    ids=["syntax-error", "undecodable", "null-byte"],
)
def test_fix_as_a_filter_gives_its_input_back_on_an_error(
    tmp_path: Path, buffer: bytes, code: int, errors: list[str]
) -> None:
    """An editor that pipes its buffer through ``fix -`` and takes standard output as the new
    buffer keeps its text: the input comes back byte for byte, the error goes to standard error."""
    result = filter_command("fix", "--stdin-filename", "src/app.py", "-", cwd=tmp_path, stdin=buffer)
    assert (result.returncode, result.stdout, result.stderr.decode().splitlines()) == (code, buffer, errors)
    # Reporting and diffing print no code: nothing on standard output, the same error.
    for mode in (["check"], ["fix", "--diff"], ["fix", "--check"]):
        quiet = filter_command(*mode, "--stdin-filename", "src/app.py", "-", cwd=tmp_path, stdin=buffer)
        assert (quiet.returncode, quiet.stdout, quiet.stderr.decode().splitlines()[0]) == (code, b"", errors[0])


def test_fix_as_a_filter_gives_its_input_back_when_the_engine_fails(tmp_path: Path) -> None:
    buffer = needs_fixing().replace("# comment 0", f"# {engine_failure.MARKER}").encode()
    environment = engine_failure.environment(tmp_path / "site")
    result = filter_command("fix", "-", cwd=tmp_path, stdin=buffer, env=environment)
    assert result.returncode == 1 and result.stdout == buffer
    stderr = result.stderr.decode().splitlines()
    assert stderr[0] == "flake8-asyncloop: internal error on -" and stderr[-2].startswith("-:1:1: ELP900 ")
    assert stderr[-1] == "1 file checked, 0 fixed, 0 remaining, 1 file failed (internal error)"
    diff = filter_command("fix", "--diff", "-", cwd=tmp_path, stdin=buffer, env=environment)
    # No diff: the error, and ELP900 where a diff's diagnostics go, on standard error.
    assert diff.returncode == 1 and diff.stdout == b""
    assert diff.stderr.decode().splitlines()[-2:] == [stderr[-2], stderr[-1].replace("0 fixed", "0 fixable")]


@pytest.mark.parametrize(
    "args, pyproject, error",
    [
        (["--jobs", "0"], None, "flake8-asyncloop: error: --jobs must be at least 1"),
        (["--no-such-option"], None, "flake8-asyncloop: error: unrecognized arguments: --no-such-option"),
        ([], "[tool.flake8-asyncloop]\nselect = 3\n", "[tool.flake8-asyncloop]: 'select' must be a list of strings"),
    ],
    ids=["usage", "unknown-option", "configuration"],
)
def test_fix_as_a_filter_gives_its_input_back_on_a_usage_or_configuration_error(
    tmp_path: Path, args: list[str], pyproject: str | None, error: str
) -> None:
    if pyproject is not None:
        (tmp_path / "pyproject.toml").write_text(pyproject)
    buffer = needs_fixing().encode()
    result = filter_command("fix", *args, "-", cwd=tmp_path, stdin=buffer)
    assert result.returncode == 2 and result.stdout == buffer
    (line,) = result.stderr.decode().splitlines()
    assert line.startswith("flake8-asyncloop: error: ") and line.endswith(error)
