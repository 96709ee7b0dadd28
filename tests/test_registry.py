"""Rules are found, not listed: each ``rules/elpNNN_*.py`` module registers exactly its own rule."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Iterator

import pytest

import flake8_asyncloop.rules as rules_package
from flake8_asyncloop.engine.diagnostics import Finding
from flake8_asyncloop.engine.reads import Reads
from flake8_asyncloop.rules import ALL_RULES, RULES_BY_CODE
from flake8_asyncloop.rules.base import Rule, register
from tests.fixture_support import ROOT


def _rule_modules() -> list[str]:
    found = pkgutil.iter_modules(rules_package.__path__)
    return sorted(module.name for module in found if module.name.startswith("elp"))


@pytest.mark.parametrize("module_name", _rule_modules())
def test_each_rule_module_registers_the_rule_its_name_says(module_name: str) -> None:
    module = importlib.import_module(f"flake8_asyncloop.rules.{module_name}")
    defined = [rule for rule in ALL_RULES if type(rule).__module__ == module.__name__]
    assert len(defined) == 1, f"{module_name} registers {len(defined)} rules"
    assert module_name.startswith(defined[0].code.lower() + "_")


def test_rules_are_ordered_by_code_and_codes_are_unique() -> None:
    codes = [rule.code for rule in ALL_RULES]
    assert codes == sorted(codes) and len(set(codes)) == len(codes) == len(RULES_BY_CODE)


def test_a_second_rule_with_a_taken_code_is_refused() -> None:
    class Impostor(Rule):
        code = ALL_RULES[0].code

        def check(self, analysis: object) -> Iterator[Finding]:
            return iter(())

    with pytest.raises(ValueError, match=ALL_RULES[0].code):
        register(Impostor)


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda rule: rule.code)
def test_each_rule_declares_what_it_reads(rule: Rule) -> None:
    """flake8's path keeps what the rules declare (``engine/reads.py``); a rule without a
    declaration would be read on nothing."""
    assert isinstance(rule.reads, Reads) and rule.reads.names


def test_no_scaffold_placeholder_is_left() -> None:
    """``scripts/new_rule.py`` marks what a new rule must fill in; none may be left."""
    marker = "SCAFFOLD" + ":"
    left = [
        path.name
        for path in [*(ROOT / "flake8_asyncloop" / "rules").glob("*.py"), *(ROOT / "fixtures").glob("*.py")]
        if marker in path.read_text(encoding="utf-8")
    ]
    assert left == []
