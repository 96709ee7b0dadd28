"""Each rule's own examples (Fixit-style): every invalid one is flagged with the message it states
and fixed into the code it states, every valid one is not flagged.

An invalid example's ``expected_replacement`` is what the fixing loop (``fix_source``) makes of it
with the example's rule alone and unsafe fixes included: what ``flake8-asyncloop fix --select CODE
--unsafe-fixes`` writes. A failure prints what the engine gives, to paste into the rule after review.
"""

from __future__ import annotations

from typing import get_args

import pytest

from flake8_asyncloop.engine.checker import check_source
from flake8_asyncloop.engine.fixer import fix_source
from flake8_asyncloop.engine.versions import parse_target_versions
from flake8_asyncloop.rules import ALL_RULES, RULES_BY_CODE, Example, Rule
from flake8_asyncloop.rules.base import UNSTATED, FixAvailability, FixSafety, missing_documentation

CASES = [
    pytest.param(rule, example, kind, id=f"{rule.code}-{kind}-{number}")
    for rule in ALL_RULES
    for kind, examples in (("invalid", rule.invalid), ("valid", rule.valid))
    for number, example in enumerate(examples)
]
INVALID = [
    pytest.param(rule, example, id=f"{rule.code}-invalid-{number}")
    for rule in ALL_RULES
    for number, example in enumerate(rule.invalid)
]


@pytest.mark.parametrize("rule, example, kind", CASES)
def test_rule_example(rule: Rule, example: Example, kind: str) -> None:
    compile(example.code, f"<{rule.code} example>", "exec")  # examples are real Python
    codes = {d.code for d in check_source(example.code, parse_target_versions(example.target_version), [rule])}
    assert (rule.code in codes) == (kind == "invalid"), example.code


@pytest.mark.parametrize("rule, example, kind", CASES)
def test_only_invalid_examples_state_a_message_and_a_fix(rule: Rule, example: Example, kind: str) -> None:
    """Both are required on a flagged example, so "no fix" (None) is never just "not said"."""
    stated = {
        name: getattr(example, name) is not UNSTATED for name in ("expected_message", "expected_replacement")
    }
    assert stated == dict.fromkeys(stated, kind == "invalid"), example.code


@pytest.mark.parametrize("rule, example", INVALID)
def test_invalid_example_reports_its_expected_message(rule: Rule, example: Example) -> None:
    found = check_source(example.code, parse_target_versions(example.target_version), [rule])
    messages = tuple(d.message for d in found if d.code == rule.code)
    assert messages == example.expected_messages, f"the engine reports {messages}"


@pytest.mark.parametrize("rule, example", INVALID)
def test_invalid_example_is_fixed_into_its_expected_replacement(rule: Rule, example: Example) -> None:
    result = fix_source(example.code, parse_target_versions(example.target_version), [rule], unsafe=True)
    fixed = result.source if result.applied else None
    assert fixed == example.expected_replacement, f"the fixing loop gives {fixed!r}"


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_rule_is_documented(rule: Rule) -> None:
    """Every rule declares all of its documentation (see ``Rule`` in rules/base.py)."""
    assert not missing_documentation(rule), f"{rule.code} does not declare {missing_documentation(rule)}"
    for attribute in ("name", "summary", "why", "how_to_fix", "versions"):
        assert getattr(rule, attribute).strip(), f"{rule.code} lacks {attribute}"
    assert rule.invalid and rule.valid
    assert rule.fix_availability in get_args(FixAvailability)
    assert rule.fix_safety in get_args(FixSafety)
    # A rule without fixes says so in all three places; one with fixes explains them.
    assert (rule.fix_availability == "never") == (rule.fix_safety == "none") == (not rule.fix_details)


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_declared_fixes_match_the_examples(rule: Rule) -> None:
    """What a rule declares about its fixes holds for its flagged examples, and the documentation
    shows at least one fix of every rule that has fixes."""
    found = [
        diagnostic
        for example in rule.invalid
        for diagnostic in check_source(example.code, parse_target_versions(example.target_version), [rule], fixes=True)
        if diagnostic.code == rule.code
    ]
    fixes = [diagnostic.fix for diagnostic in found if diagnostic.fix is not None]
    if rule.fix_availability == "never":
        assert not fixes
    else:
        assert fixes, f"no flagged example of {rule.code} shows its fix"
    if rule.fix_availability == "always":
        assert len(fixes) == len(found)
    if rule.fix_safety in ("safe", "unsafe"):
        assert {fix.safe for fix in fixes} == {rule.fix_safety == "safe"}


def test_readme_rule_table_and_example_output_are_current() -> None:
    """The README's rule table lists every rule's summary (test_docs checks all of it), and its
    example output is real."""
    import subprocess
    import sys

    from tests.fixture_support import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for rule in ALL_RULES:
        assert f"| [{rule.code}](docs/rules.md#" in readme and f") | {rule.summary} |" in readme, rule.code
    command = [sys.executable, "-m", "flake8", "--select", "ELP", "--asyncloop-target-version", ">=3.7"]
    output = subprocess.run([*command, "fixtures/example.py"], capture_output=True, text=True, cwd=ROOT).stdout
    shown = readme.split("which prints", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]  # "Try it"
    assert output and output == shown


def test_elp107_reports_a_nested_policy_once_with_its_own_advice() -> None:
    source = "import asyncio, uvloop\nasyncio.set_event_loop_policy(uvloop.EventLoopPolicy())\n"
    found = check_source(source, parse_target_versions(">=3.9"), [RULES_BY_CODE["ELP107"]])
    assert [(d.line, d.column) for d in found] == [(2, 0)]
    assert "loop_factory=uvloop.new_event_loop" in found[0].message
