"""The libcst codemod: libcst's own test helper for the fixes, then the real ``libcst.tool``."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from unittest import mock

import libcst as cst
import pytest
from libcst.codemod import CodemodContext, CodemodTest, SkipFile

from flake8_asyncloop.codemod import EngineFailure, FixEventLoops
from flake8_asyncloop.config import ConfigError
from flake8_asyncloop.engine.diagnostics import FixResult
from flake8_asyncloop.engine.internal import RAISE_VARIABLE
from flake8_asyncloop.engine.versions import TargetVersionError
from flake8_asyncloop.rules import ALL_RULES

SPAWNS = """
    import asyncio


    async def spawn():
        await asyncio.create_subprocess_exec("true")


    def main():
        loop = asyncio.new_event_loop()
        loop.run_until_complete(spawn())
"""

EVENT_LOOP_RUN = """
    import asyncio
    from asyncio import gather


    def main():
        loop = asyncio.EventLoop()
        loop.run_until_complete(gather(work(), work()))
        loop.close()
"""


class FixEventLoopsTest(CodemodTest):
    TRANSFORM = FixEventLoops

    def test_elp100_leaves_uvloop_loop_alone(self) -> None:
        before = "import uvloop\nloop = uvloop.Loop()\nloop.close()\n"
        self.assertCodemod(before, before, target_version=">=3.9", expected_skip=True)

    def test_elp100_asyncio_event_loop(self) -> None:
        before = "import asyncio\nloop = asyncio.EventLoop()\nloop.close()\n"
        after = "import asyncio\nloop = asyncio.new_event_loop()\nloop.close()\n"
        self.assertCodemod(before, after, target_version=">=3.13")

    def test_elp102_installs_the_loop(self) -> None:
        before = """
            import asyncio


            def main():
                loop = asyncio.new_event_loop()
                loop.run_until_complete(asyncio.gather(work(), work()))
                loop.close()
        """
        after = """
            import asyncio


            def main():
                loop = asyncio.new_event_loop()
                asyncio.set_event_loop(loop)
                loop.run_until_complete(asyncio.gather(work(), work()))
                loop.close()
        """
        self.assertCodemod(before, after, target_version=">=3.9")

    def test_elp103_attach_is_guarded_when_targets_go_past_37(self) -> None:
        after = """
            import asyncio
            import sys


            async def spawn():
                await asyncio.create_subprocess_exec("true")


            def main():
                loop = asyncio.new_event_loop()
                if sys.version_info < (3, 8):
                    asyncio.get_child_watcher().attach_loop(loop)
                loop.run_until_complete(spawn())
        """
        # Alone: with ELP102 selected too, installing the loop settles the watcher first.
        self.assertCodemod(SPAWNS, after, target_version=">=3.7", select="ELP103")

    def test_elp103_attach_is_unguarded_for_37_only(self) -> None:
        after = """
            import asyncio


            async def spawn():
                await asyncio.create_subprocess_exec("true")


            def main():
                loop = asyncio.new_event_loop()
                asyncio.get_child_watcher().attach_loop(loop)
                loop.run_until_complete(spawn())
        """
        self.assertCodemod(SPAWNS, after, target_version="<3.8", select=["ELP103"])

    def test_unsafe_fix_only_on_request(self) -> None:
        before = "import asyncio\nloop = asyncio.SelectorEventLoop()\nloop.close()\n"
        warning = (
            "line 2:8: ELP100 asyncio.SelectorEventLoop() bypasses the event-loop policy; "
            "create the loop with asyncio.new_event_loop()"
        )
        self.assertCodemod(
            before, before, target_version=">=3.9", expected_skip=True, expected_warnings=[warning]
        )
        after = "import asyncio\nloop = asyncio.new_event_loop()\nloop.close()\n"
        self.assertCodemod(before, after, target_version=">=3.9", unsafe_fixes=True, expected_warnings=[])

    def test_elp101_thread_gets_its_own_loop_when_unsafe(self) -> None:
        before = """
            import asyncio
            import threading


            def work():
                loop = asyncio.get_event_loop()
                loop.run_until_complete(job())


            threading.Thread(target=work).start()
        """
        after = """
            import asyncio
            import threading


            def work():
                loop = asyncio.new_event_loop()
                asyncio.set_event_loop(loop)
                try:
                    loop.run_until_complete(job())
                finally:
                    loop.close()


            threading.Thread(target=work).start()
        """
        self.assertCodemod(before, before, target_version=">=3.9", expected_skip=True)
        self.assertCodemod(before, after, target_version=">=3.9", unsafe_fixes=True)

    def test_noqa_line_is_left_alone(self) -> None:
        before = """
            import asyncio


            def main():
                loop = asyncio.new_event_loop()  # noqa: ELP102
                loop.run_until_complete(asyncio.gather(work(), work()))
                loop.close()
        """
        self.assertCodemod(before, before, target_version=">=3.9", expected_skip=True, expected_warnings=[])

    def test_nothing_to_do_is_skipped_with_a_reason(self) -> None:
        before = "import asyncio\n\nasyncio.run(main())\n"
        self.assertCodemod(before, before, target_version=">=3.9", expected_skip=True)
        with self.assertRaisesRegex(SkipFile, "^nothing to fix$"):
            FixEventLoops(CodemodContext()).transform_module(cst.parse_module(before))

    def test_skip_reason_counts_what_is_left_and_hints_at_unsafe_fixes(self) -> None:
        module = cst.parse_module("import asyncio\nloop = asyncio.SelectorEventLoop()\nloop.close()\n")
        reason = r"^nothing to fix automatically \(1 problem left, 1 fixable with --unsafe-fixes\)$"
        with self.assertRaisesRegex(SkipFile, reason):
            FixEventLoops(CodemodContext(), target_version=">=3.9").transform_module(module)

    def test_select_and_ignore(self) -> None:
        only_elp100 = """
            import asyncio
            from asyncio import gather


            def main():
                loop = asyncio.new_event_loop()
                loop.run_until_complete(gather(work(), work()))
                loop.close()
        """
        without_elp100 = """
            import asyncio
            from asyncio import gather


            def main():
                loop = asyncio.EventLoop()
                asyncio.set_event_loop(loop)
                loop.run_until_complete(gather(work(), work()))
                loop.close()
        """
        self.assertCodemod(EVENT_LOOP_RUN, only_elp100, target_version=">=3.13", select="elp100")
        self.assertCodemod(EVENT_LOOP_RUN, without_elp100, target_version=">=3.13", ignore="ELP100")
        self.assertCodemod(
            EVENT_LOOP_RUN, EVENT_LOOP_RUN, target_version=">=3.13", ignore="ELP10", expected_skip=True
        )

    def test_bad_options_fail_when_the_codemod_is_made(self) -> None:
        with self.assertRaises(ConfigError):
            FixEventLoops(CodemodContext(), select="ELP2")
        with self.assertRaises(TargetVersionError):
            FixEventLoops(CodemodContext(), target_version=">=4")

    def test_default_targets_come_from_the_nearest_pyproject(self) -> None:
        attach_unguarded = """
            import asyncio


            async def spawn():
                await asyncio.create_subprocess_exec("true")


            def main():
                loop = asyncio.new_event_loop()
                asyncio.get_child_watcher().attach_loop(loop)
                loop.run_until_complete(spawn())
        """
        with tempfile.TemporaryDirectory() as directory:
            Path(directory, "pyproject.toml").write_text('[project]\nrequires-python = "<3.8"\n')
            (Path(directory) / "src").mkdir()
            context = CodemodContext(filename=str(Path(directory, "src", "app.py")))
            self.assertCodemod(SPAWNS, attach_unguarded, context_override=context, select="ELP103")

    def test_bom_crlf_and_coding_cookie_survive_the_round_trip(self) -> None:
        cases = [
            (
                b"\xef\xbb\xbfimport asyncio\r\nloop = asyncio.new_event_loop()\r\n"
                b"asyncio.ensure_future(work())\r\nloop.run_forever()\r\n",
                b"\xef\xbb\xbfimport asyncio\r\nloop = asyncio.new_event_loop()\r\n"
                b"asyncio.set_event_loop(loop)\r\nasyncio.ensure_future(work())\r\nloop.run_forever()\r\n",
            ),
            (
                b"# -*- coding: latin-1 -*-\nimport asyncio\nname = 'caf\xe9'\n"
                b"loop = asyncio.new_event_loop()\nasyncio.ensure_future(work())\nloop.run_forever()\n",
                b"# -*- coding: latin-1 -*-\nimport asyncio\nname = 'caf\xe9'\n"
                b"loop = asyncio.new_event_loop()\nasyncio.set_event_loop(loop)\nasyncio.ensure_future(work())\n"
                b"loop.run_forever()\n",
            ),
        ]
        for before, after in cases:
            with self.subTest(before=before):
                # As libcst.tool does: parse the file's bytes, write the result's bytes.
                fixed = FixEventLoops(CodemodContext(), target_version=">=3.9").transform_module(
                    cst.parse_module(before)
                )
                self.assertEqual(fixed.bytes, after)

    def test_fixed_code_that_libcst_cannot_parse_is_skipped(self) -> None:
        broken = FixResult("def (:\n", 1, [])
        with mock.patch("flake8_asyncloop.codemod.fix_source", return_value=broken):
            self.assertCodemod("x = 1\n", "x = 1\n", target_version=">=3.9", expected_skip=True)

    def test_engine_errors_fail_the_file(self) -> None:
        """Not SkipFile: libcst.tool counts the file as failed (tests/test_internal_errors.py runs it)."""
        failing = mock.patch("flake8_asyncloop.codemod.fix_source", side_effect=RuntimeError("boom"))
        with failing, mock.patch.dict(os.environ, {RAISE_VARIABLE: ""}):
            with self.assertRaisesRegex(EngineFailure, r"^ELP900 flake8-asyncloop internal error \(RuntimeError: boom"):
                FixEventLoops(CodemodContext()).transform_module(cst.parse_module("x = 1\n"))


def libcst_tool(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "libcst.tool", "codemod", *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd)


FIXABLE = (
    b"import uvloop\nfrom asyncio import gather\n\n\ndef main():\n    loop = uvloop.Loop()\n"
    b"    loop.run_until_complete(gather(work(), work()))\n    loop.close()\n"
)
FIXABLE_FIXED = (
    b"import uvloop\nfrom asyncio import gather\nimport asyncio\n\n\ndef main():\n    loop = uvloop.Loop()\n"
    b"    asyncio.set_event_loop(loop)\n    loop.run_until_complete(gather(work(), work()))\n    loop.close()\n"
)
CRLF = (
    b"import asyncio\r\n\r\ndef main():\r\n    loop = asyncio.new_event_loop()\r\n"
    b"    asyncio.ensure_future(work())\r\n    loop.run_forever()\r\n    loop.close()\r\n"
)
CRLF_FIXED = (
    b"import asyncio\r\n\r\ndef main():\r\n    loop = asyncio.new_event_loop()\r\n"
    b"    asyncio.set_event_loop(loop)\r\n    asyncio.ensure_future(work())\r\n    loop.run_forever()\r\n"
    b"    loop.close()\r\n"
)
BOM_CRLF = (
    b"\xef\xbb\xbfimport asyncio\r\nloop = asyncio.new_event_loop()\r\n"
    b"asyncio.ensure_future(work())\r\nloop.run_forever()\r\n"
)
LATIN1 = (
    b"# -*- coding: latin-1 -*-\nimport asyncio\nloop = asyncio.new_event_loop()  # caf\xe9\n"
    b"asyncio.ensure_future(work())\nloop.run_forever()\n"
)
CLEAN = b"# -*- coding: latin-1 -*-\nimport asyncio\n\nasyncio.run(main('caf\xe9'))\n"


def test_libcst_tool_rewrites_fixable_files_only(tmp_path: Path) -> None:
    files = {"fixable.py": FIXABLE, "crlf.py": CRLF, "clean.py": CLEAN}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    long_ago = 1_000_000_000_000_000_000  # ns: a rewrite, even in the same second, would change it
    os.utime(tmp_path / "clean.py", ns=(long_ago, long_ago))

    # -x: libcst.tool looks a dotted command up inside its configured modules unless told
    # that it is an importable path.
    result = libcst_tool(
        "-x", "flake8_asyncloop.codemod.FixEventLoops", "--no-format", "--hide-progress",
        "--target-version", ">=3.7", str(tmp_path), cwd=tmp_path,
    )

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "fixable.py").read_bytes() == FIXABLE_FIXED
    assert (tmp_path / "crlf.py").read_bytes() == CRLF_FIXED
    assert (tmp_path / "clean.py").read_bytes() == CLEAN
    assert os.stat(tmp_path / "clean.py").st_mtime_ns == long_ago
    assert f"Skipped codemodding {tmp_path / 'clean.py'}: nothing to fix" in result.stderr
    assert " - Transformed 2 files successfully." in result.stderr
    assert " - Skipped 1 files." in result.stderr


def test_libcst_tool_short_form_from_the_config_modules(tmp_path: Path) -> None:
    (tmp_path / ".libcst.codemod.yaml").write_text("modules: ['flake8_asyncloop']\n")
    (tmp_path / "bom.py").write_bytes(BOM_CRLF)
    (tmp_path / "latin1.py").write_bytes(LATIN1)

    result = libcst_tool("codemod.FixEventLoops", "--no-format", "--target-version", ">=3.9", ".", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "bom.py").read_bytes() == (
        b"\xef\xbb\xbfimport asyncio\r\nloop = asyncio.new_event_loop()\r\n"
        b"asyncio.set_event_loop(loop)\r\nasyncio.ensure_future(work())\r\nloop.run_forever()\r\n"
    )
    assert (tmp_path / "latin1.py").read_bytes() == (
        b"# -*- coding: latin-1 -*-\nimport asyncio\nloop = asyncio.new_event_loop()  # caf\xe9\n"
        b"asyncio.set_event_loop(loop)\nasyncio.ensure_future(work())\nloop.run_forever()\n"
    )


def test_libcst_tool_rejects_unknown_codes_before_touching_files(tmp_path: Path) -> None:
    (tmp_path / "fixable.py").write_bytes(FIXABLE)

    result = libcst_tool(
        "-x", "flake8_asyncloop.codemod.FixEventLoops", "--no-format", "--select", "ELP2", str(tmp_path), cwd=tmp_path
    )

    assert result.returncode == 2
    assert "argument --select: rule codes: unknown rule code 'ELP2'" in result.stderr
    assert (tmp_path / "fixable.py").read_bytes() == FIXABLE


def test_configuration_from_pyproject_and_options_that_win(tmp_path: Path) -> None:
    """[tool.flake8-asyncloop] is read per file, as the command reads it; options win."""
    (tmp_path / "pyproject.toml").write_text('[tool.flake8-asyncloop]\nignore = ["ELP102"]\n')
    source = (
        "import asyncio\n\ndef main():\n    loop = asyncio.new_event_loop()\n"
        "    asyncio.ensure_future(work())\n    loop.run_forever()\n    loop.close()\n"
    )
    context = CodemodContext(filename=str(tmp_path / "a.py"))
    with pytest.raises(SkipFile, match="nothing to fix"):
        FixEventLoops(context).transform_module(cst.parse_module(source))
    fixed = FixEventLoops(context, ignore=[]).transform_module(cst.parse_module(source))
    assert "asyncio.set_event_loop(loop)" in fixed.code


def test_the_description_names_every_rule_with_fixes() -> None:
    """libcst.tool lists codemods with it: it follows the rules, not a hand-typed range."""
    fixing = [rule.code for rule in ALL_RULES if rule.fix_availability != "never"]
    assert "ELP109" not in fixing  # a rule with no fix: the codes are listed, not a range
    assert f"fixes: {', '.join(fixing)})" in FixEventLoops.DESCRIPTION
