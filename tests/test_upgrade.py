"""``flake8-asyncloop upgrade``: the report users read, run as a real process on a fixture project.

The three formats of the report of ``fixtures/upgrade_project`` are stored in tests/data/upgrade/
and compared exactly (``--update-snapshots`` rewrites them; review ``git diff``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flake8_asyncloop.engine.diagnostics import Diagnostic
from flake8_asyncloop.engine.fixer import reported
from flake8_asyncloop.engine.timeline import NO_LOOP_WARNS_THEN_RAISES, Effect, Timeline, every_version
from flake8_asyncloop.engine.versions import parse_target_versions
from flake8_asyncloop.rules import ALL_RULES
from flake8_asyncloop.upgrade import UpgradeReport, events_of, version_summary
from tests.fixture_support import FIXTURES, ROOT
from tests.snapshot_support import Snapshots

PROJECT = FIXTURES / "upgrade_project"
STORED = ROOT / "tests" / "data" / "upgrade"


def upgrade(*args: str, cwd: Path = PROJECT, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flake8_asyncloop", "upgrade", *args],
        cwd=cwd, input=stdin, capture_output=True, text=True, env={"PATH": "", "PYTHONPATH": str(ROOT)},
    )  # fmt: skip


@pytest.mark.parametrize("format_name, suffix", [("text", ".txt"), ("markdown", ".md"), ("json", ".json")])
def test_the_fixture_projects_report(snapshots: Snapshots, format_name: str, suffix: str) -> None:
    result = upgrade("--output-format", format_name, ".")
    assert result.returncode == 1, result.stderr
    assert result.stderr == ""
    snapshots.assert_matches(STORED / f"report{suffix}", result.stdout)


def test_the_text_report_says_what_starts_where() -> None:
    result = upgrade(".")
    summary = result.stdout.split("Summary\n", 1)[1]
    assert "  3.9 (oldest target): nothing new\n" in summary
    assert "  3.12: 2 warn (2 fixable, 1 safely)\n" in summary
    assert "  3.14: 1 warns, 1 raises RuntimeError, 1 uses a removed API (2 fixable, 1 safely)\n" in summary
    assert "  3.16: 1 uses a removed API\n" in summary
    assert "Advice on every version, not counted as breakage: 1 (ELP104 1; 1 with a safe fix)" in summary
    assert result.stdout.endswith("The code first breaks on 3.12.\n")
    assert "app/cli.py:14:12: ELP105 raises RuntimeError (unsafe fix)" in result.stdout


def test_json_places_each_finding_at_each_version_it_changes() -> None:
    report = json.loads(upgrade("--output-format", "json", ".").stdout)
    assert [version["version"] for version in report["versions"]] == [f"3.{m}" for m in range(9, 17)]
    assert report["first_break"] == "3.12"
    by_version = {version["version"]: version for version in report["versions"]}
    lookup = [
        (version, finding["effect"], finding["consequence"])
        for version, entry in by_version.items()
        for finding in entry["findings"]
        if finding["code"] == "ELP105"
    ]
    assert lookup == [("3.12", "warns", "warns (DeprecationWarning)"), ("3.14", "raises", "raises RuntimeError")]
    assert by_version["3.14"]["counts"] == {"warns": 1, "raises": 1, "removed": 1}
    assert (by_version["3.14"]["fixable"], by_version["3.14"]["safely_fixable"]) == (2, 1)
    assert [(f["code"], f["fix"]) for f in report["advice"]] == [("ELP104", "safe")]


def test_nothing_breaks_before_the_horizon_exits_zero() -> None:
    result = upgrade("--to", "3.11", ".")
    assert result.returncode == 0, result.stdout
    assert result.stdout.endswith("Nothing breaks from 3.9 to 3.11.\n")


def test_the_oldest_target_comes_from_the_option_too() -> None:
    result = upgrade("--target-version", ">=3.12", "--to", "3.13", ".")
    assert result.stdout.startswith("Python 3.12 to 3.13: 4 files checked\n")
    assert "3.12 (oldest target): 2 warn" in result.stdout


@pytest.mark.parametrize("horizon", ["4.0", "3", "3.x", "3.99"])
def test_a_horizon_that_is_no_python_version_is_a_usage_error(horizon: str) -> None:
    result = upgrade("--to", horizon, ".")
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and "--to" in result.stderr


def test_fix_applies_the_safe_fixes_and_reports_what_is_left(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(PROJECT, project)
    result = upgrade("--fix", ".", cwd=project)
    assert result.returncode == 1  # ELP105 (unsafe fix) and ELP107 (no fix) are left
    assert result.stdout.startswith("Python 3.9 to 3.16: 4 files checked, 2 problems fixed (what is left follows)\n")
    assert "get_running_loop()" in (project / "app" / "client.py").read_text()
    assert "get_child_watcher" not in (project / "app" / "jobs.py").read_text()
    assert (project / "app" / "cli.py").read_text() == (PROJECT / "app" / "cli.py").read_text()
    assert "  3.14: 1 warns, 1 raises RuntimeError (1 fixable, 0 safely)\n" in result.stdout

    unsafe = upgrade("--fix", "--unsafe-fixes", ".", cwd=project)
    assert "asyncio.new_event_loop()" in (project / "app" / "cli.py").read_text()
    assert "  3.14: 1 warns\n" in unsafe.stdout  # the policy, which has no fix here
    assert unsafe.returncode == 1


def test_a_file_that_cannot_be_checked_is_in_the_report(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("import asyncio\ndef f(:\n")
    (tmp_path / "fine.py").write_text("import asyncio\nasyncio.run(main())\n")
    text = upgrade(".", cwd=tmp_path)
    assert text.returncode == 1
    assert "Not checked: broken.py: cannot parse (line 2)" in text.stdout.replace("./", "")
    report = json.loads(upgrade("--output-format", "json", ".", cwd=tmp_path).stdout)
    assert [entry["filename"].removeprefix("./") for entry in report["skipped"]] == ["broken.py"]


def test_standard_input_is_reported_and_cannot_be_fixed_in_place() -> None:
    code = "import asyncio\nloop = asyncio.get_event_loop()\n"
    result = upgrade("--target-version", ">=3.10", "--stdin-filename", "mod.py", "-", stdin=code)
    assert "mod.py:2:8: ELP105 warns (DeprecationWarning)" in result.stdout
    refused = upgrade("--fix", "-", stdin=code)
    assert refused.returncode == 2
    assert refused.stderr == (
        "flake8-asyncloop: error: upgrade --fix cannot rewrite standard input: use fix - for that\n"
    )


# The report's parts, on diagnostics made by the engine.


def _diagnostics(code: str, targets: str) -> list[Diagnostic]:
    return reported(code, parse_target_versions(targets), ALL_RULES, fixes=True)


def test_a_version_guard_limits_the_timeline() -> None:
    """A lookup that only 3.11 and older run never warns: no version of the report has it."""
    code = (
        "import asyncio, sys\n"
        "if sys.version_info < (3, 12):\n"
        "    loop = asyncio.get_event_loop()\n"
        "    asyncio.get_child_watcher().attach_loop(loop)\n"
    )
    report = UpgradeReport(9, 16)
    report.add("m.py", _diagnostics(code, ">=3.9,<3.17"))
    assert report.events == []
    assert report.exit_code() == 0


def test_a_timeline_is_placed_at_each_change_within_the_range() -> None:
    diagnostic = Diagnostic(1, 0, "ELP105", "m", timeline=NO_LOOP_WARNS_THEN_RAISES)
    assert [(e.minor, e.stage.effect) for e in events_of("m.py", diagnostic, range(9, 17))] == [
        (12, Effect.WARNS), (14, Effect.RAISES)
    ]  # fmt: skip
    # Where the range starts inside a stage, the stage is placed at the range's start.
    assert [(e.minor, e.stage.effect) for e in events_of("m.py", diagnostic, range(13, 15))] == [
        (13, Effect.WARNS), (14, Effect.RAISES)
    ]  # fmt: skip
    limited = Diagnostic(1, 0, "ELP105", "m", timeline=NO_LOOP_WARNS_THEN_RAISES.reaching(frozenset({9, 10, 14})))
    assert [e.minor for e in events_of("m.py", limited, range(9, 17))] == [14]


def test_every_rule_declares_a_timeline() -> None:
    for rule in ALL_RULES:
        assert isinstance(rule.timeline, Timeline), rule.code
        assert rule.timeline.stages, rule.code


def test_advice_is_counted_apart() -> None:
    diagnostic = Diagnostic(1, 0, "ELP104", "m", timeline=every_version(Effect.ADVICE, "works"))
    report = UpgradeReport(9, 16)
    report.add("m.py", [diagnostic])
    assert (report.events, report.advice, report.exit_code()) == ([], [("m.py", diagnostic)], 0)


def test_summary_wording() -> None:
    assert version_summary([]) == "nothing new"
