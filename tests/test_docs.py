"""Rule documentation made from the rules: docs/rules.md, the README, ``explain`` and ``rules``."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest

from flake8_asyncloop import cli, docs
from flake8_asyncloop.rules import ALL_RULES, RULES_BY_CODE, Rule
from tests.fixture_support import ROOT

REGENERATE = "out of date: run `python -m flake8_asyncloop.docs` and review the change\n"


def _drift(path: str, current: str, wanted: str) -> str:
    return REGENERATE + "".join(
        difflib.unified_diff(current.splitlines(True), wanted.splitlines(True), path, "generated")
    )


def test_rules_page_is_current() -> None:
    current = (ROOT / docs.RULES_PAGE).read_text(encoding="utf-8")
    wanted = docs.rules_page()
    assert current == wanted, _drift(docs.RULES_PAGE, current, wanted)


def test_readme_rule_table_is_current() -> None:
    current = (ROOT / "README.md").read_text(encoding="utf-8")
    wanted = docs.with_readme_table(current)
    assert current == wanted, _drift("README.md", current, wanted)


def test_readme_terminal_session_is_real() -> None:
    """The README's sessions are the commands' real output today (upgrade; check, fix --diff, explain)."""
    current = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = docs.session_commands(current)
    assert [command.split()[1] for command in commands] == ["upgrade", "check", "fix", "explain"]
    wanted = docs.with_readme_session(current, ROOT)
    assert current == wanted, _drift("README.md", current, wanted)


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_every_rule_has_a_section_its_links_reach(rule: Rule) -> None:
    page = docs.rules_page()
    heading = f"\n## {rule.code}: {rule.name}\n"
    assert heading in page
    assert docs.anchor(rule) == f"{rule.code.lower()}-{rule.name}"  # GitHub's slug of that heading
    assert f"(#{docs.anchor(rule)})" in page
    section = docs.rule_markdown(rule)
    for example in (*rule.invalid, *rule.valid):
        assert example.code.rstrip() in section
    for example in rule.invalid:  # what users get: the messages, and the code after the fix
        assert all(f"{rule.code} {message}" in section for message in example.expected_messages)
        if isinstance(example.expected_replacement, str):
            assert f"{example.expected_replacement.rstrip()}\n```" in section


def test_generator_writes_then_checks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stale = (
        f"# Project\n\n{docs.README_TABLE_START}\nold table\n{docs.README_TABLE_END}\n\n"
        f"{docs.README_SESSION_START}\n```console\n$ flake8-asyncloop explain ELP104\nold output\n```\n"
        f"{docs.README_SESSION_END}\n"
    )
    (tmp_path / "README.md").write_text(stale)
    assert docs.main(["--root", str(tmp_path), "--check"]) == 1
    assert "out of date" in capsys.readouterr().err
    assert docs.main(["--root", str(tmp_path)]) == 0
    assert (tmp_path / docs.RULES_PAGE).read_text(encoding="utf-8") == docs.rules_page()
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert docs.readme_table() in readme
    assert f"$ flake8-asyncloop explain ELP104\n{docs.explain(RULES_BY_CODE['ELP104'])}```" in readme
    assert docs.main(["--root", str(tmp_path), "--check"]) == 0


def test_generator_without_markers_says_so_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "README.md").write_text("# A README without the rules table\n")
    assert docs.main(["--root", str(tmp_path), "--check"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "lacks the markers" in error


def test_explain_prints_the_rule_documentation(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["explain", "elp101"]) == 0  # codes are case-insensitive
    printed = capsys.readouterr().out
    rule = RULES_BY_CODE["ELP101"]
    assert printed == docs.explain(rule)
    assert printed.startswith(f"ELP101 {rule.name}\n")
    for title in ("Python versions: ", "Fix: ", "Why", "How to fix", "Flagged", "Not flagged"):
        assert f"\n{title}" in printed
    assert "    def work():" in printed  # the examples, indented


def test_explain_unknown_code_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["explain", "ELP999"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1 and "ELP999" in captured.err


def test_rules_lists_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["rules"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["Code", "Name", "Fix", "Python", "versions"]
    assert [line.split()[0] for line in lines[1:]] == [rule.code for rule in ALL_RULES]
    for rule, line in zip(ALL_RULES, lines[1:]):
        assert rule.name in line and rule.versions in line and docs.fix_summary(rule) in line


def test_rules_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["rules", "--output-format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert [record["code"] for record in records] == [rule.code for rule in ALL_RULES]
    for rule, record in zip(ALL_RULES, records):
        assert record["fix"] == rule.fix_availability and record["fix_safety"] == rule.fix_safety
        assert record["versions"] == rule.versions
        assert record["documentation"] == f"docs/rules.md#{docs.anchor(rule)}"
