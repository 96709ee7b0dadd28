"""Every rule, found in this package: each ``elpNNN_*.py`` module holds one rule, registered with
``@register`` (``base.py``); importing this package imports them all. Adding a rule is adding its
module (``scripts/new_rule.py`` scaffolds one)."""

from __future__ import annotations

import importlib
import pkgutil

from flake8_asyncloop.rules.base import Example, Rule, register, registered


def _discover() -> tuple[Rule, ...]:
    """One instance of every registered rule, ordered by code."""
    for module in pkgutil.iter_modules(__path__):
        if module.name.startswith("elp"):
            importlib.import_module(f"{__name__}.{module.name}")
    return tuple(rule_class() for rule_class in sorted(registered(), key=lambda rule_class: rule_class.code))


ALL_RULES: tuple[Rule, ...] = _discover()
RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in ALL_RULES}

__all__ = ["ALL_RULES", "RULES_BY_CODE", "Example", "Rule", "register"]
