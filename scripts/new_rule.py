#!/usr/bin/env python3
"""Scaffold a rule: its module under ``flake8_asyncloop/rules/`` and its fixture under ``fixtures/``.

    python scripts/new_rule.py ELP109 loop-closed-twice

The rule is found by its ``@register`` (no list to edit). Every place to fill in is marked
``SCAFFOLD:``, and tests/test_registry.py fails while one is left. Then (docs/architecture.md,
"How to add a rule"): write the fixture's cases, regenerate the generated files (the snapshots,
golden fixes and docs), review the diff.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MARKER = "SCAFFOLD:"

RULE_TEMPLATE = '''"""{code}: {marker} what the rule flags, in a sentence."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Iterator, Optional

from flake8_asyncloop.engine import apis
from flake8_asyncloop.engine.diagnostics import Finding, Fix
from flake8_asyncloop.engine.reads import Reads
from flake8_asyncloop.engine.timeline import WARNS_DEPRECATED, Effect, from_version
from flake8_asyncloop.rules.base import Example, Rule, register

if TYPE_CHECKING:
    from flake8_asyncloop.engine.analysis import ModuleAnalysis
    from flake8_asyncloop.engine.index import CallSite

# {marker} the APIs the rule starts from, qualified, under every module that exports them (see
# engine/apis.py, which has the shared groups).
FLAGGED = apis.GET_EVENT_LOOP


@register
class {class_name}(Rule):
    code = "{code}"
    name = "{name}"
    summary = "{marker} one line: what it flags."
    why = "{marker} why it is wrong, with the Python versions involved (docs/asyncio-versions.md)."
    how_to_fix = "{marker} what to write instead."
    versions = "{marker} the versions where the pattern goes wrong, e.g. 3.12+"
    # {marker} the same as data, for the upgrade report: what the flagged code does from each
    # version on (Effect.WARNS, RAISES, REMOVED, MISBEHAVES or ADVICE; engine/timeline.py).
    timeline = from_version((12, Effect.WARNS, WARNS_DEPRECATED))
    fix_availability = "sometimes"  # "always", "sometimes" or "never"
    fix_safety = "safe"  # "safe", "unsafe", "mixed" or "none"
    fix_details = "{marker} what the fix does, when there is none, and why it is (un)safe."
    # Everything check() reads, with the analysis layers it asks (``threads.READS | ...``):
    # flake8's path keeps only the statements these name (engine/reads.py).
    reads = Reads(names=FLAGGED)
    # Each flagged example states its message and the code after the rule's fixes (None: no fix).
    invalid = (
        Example(
            "import asyncio\\nloop = asyncio.get_event_loop()  # {marker} code the rule flags\\n",
            expected_message="asyncio.get_event_loop() {marker} the message",
            expected_replacement=None,
        ),
    )
    valid = (
        Example("import asyncio\\nasync def main():\\n    return asyncio.get_running_loop()  # {marker}\\n"),
    )

    def check(self, analysis: "ModuleAnalysis") -> Iterator[Finding]:
        for site in analysis.index.calls:
            if analysis.callee(site) not in FLAGGED:
                continue
            written = analysis.source(site.node.func)
            yield Finding(site.node, f"{{written}}() {marker} the message", partial(self._fix, analysis, site))

    @staticmethod
    def _fix(analysis: "ModuleAnalysis", site: "CallSite") -> Optional[Fix]:
        """{marker} the edits, or None where the rule cannot fix the finding."""
        return None
'''

FIXTURE_TEMPLATE = '''# asyncloop-target-version: >=3.9
"""{code}: {marker} what these cases show; each line says what flake8 must report on it."""
import asyncio

loop = asyncio.get_event_loop()  # error: {code}


async def main():
    return asyncio.get_running_loop()  # ok: {code}
'''


def _code(text: str) -> str:
    if not re.fullmatch(r"ELP\d{3}", text):
        raise argparse.ArgumentTypeError(f"a rule code is ELP and three digits, not {text!r}")
    return text


def _name(text: str) -> str:
    if not re.fullmatch(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*", text):
        raise argparse.ArgumentTypeError(f"a rule name is lowercase words joined by '-', not {text!r}")
    return text


def scaffold(code: str, name: str, root: Path) -> list[Path]:
    """Write the rule's module and its fixture under ``root``; refuse if the code is taken."""
    stem = f"{code.lower()}_{name.replace('-', '_')}"
    rules = root / "flake8_asyncloop" / "rules"
    taken = sorted(rules.glob(f"{code.lower()}_*.py"))
    if taken:
        raise FileExistsError(f"{code} is taken: {taken[0].relative_to(root)}")
    fixture = root / "fixtures" / f"{stem}.py"
    if fixture.exists():
        raise FileExistsError(f"{fixture.relative_to(root)} exists")
    values = {
        "code": code,
        "name": name,
        "class_name": "".join(part.capitalize() for part in name.split("-")),
        "marker": MARKER,
    }
    module = rules / f"{stem}.py"
    module.write_text(RULE_TEMPLATE.format(**values), encoding="utf-8")
    fixture.write_text(FIXTURE_TEMPLATE.format(**values), encoding="utf-8")
    return [module, fixture]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("code", type=_code, help="e.g. ELP109")
    parser.add_argument("name", type=_name, help="e.g. loop-closed-twice")
    parser.add_argument("--root", type=Path, default=ROOT, help="the project's checkout (default: this one)")
    arguments = parser.parse_args(argv)
    try:
        written = scaffold(arguments.code, arguments.name, arguments.root)
    except FileExistsError as error:
        print(f"new_rule.py: {error}", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path.relative_to(arguments.root)}")
    print(f"fill in every '{MARKER}', then follow docs/architecture.md, 'How to add a rule':")
    print("  python -m pytest tests/test_fixtures.py tests/test_golden_fixes.py --update-snapshots")
    print("  python -m flake8_asyncloop.docs")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
