"""What the real-code fixtures (fixtures/realcode_*.py, docs/real-code-triage.md F3-F9) need beyond
which lines are reported: the wording of a message and the safety of a fix."""

from __future__ import annotations

from flake8_asyncloop.engine.checker import check_source
from flake8_asyncloop.engine.diagnostics import Diagnostic
from flake8_asyncloop.engine.versions import parse_target_versions
from flake8_asyncloop.rules import RULES_BY_CODE
from tests.fixture_support import FIXTURES, fixture_target


def _diagnostics(name: str, code: str) -> dict[str, Diagnostic]:
    """``code``'s diagnostics in a fixture, by the source line they are on (stripped)."""
    path = FIXTURES / name
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    found = check_source(source, parse_target_versions(fixture_target(path)), [RULES_BY_CODE[code]], fixes=True)
    return {lines[d.line - 1].split("#")[0].strip(): d for d in found}


def test_f7_the_fix_is_unsafe_where_a_test_asserts_on_get_event_loop() -> None:
    found = _diagnostics("realcode_lookalikes.py", "ELP104")
    for line in (
        "assert asyncio.get_event_loop() is loop",
        "self.assertIs(asyncio.get_event_loop(), asyncio.get_running_loop())",
    ):
        fix = found[line].fix
        assert fix is not None and not fix.safe, line
    plain = check_source(
        "import asyncio\nasync def main():\n    loop = asyncio.get_event_loop()\n    assert loop\n",
        parse_target_versions(">=3.9"),
        [RULES_BY_CODE["ELP104"]],
        fixes=True,
    )
    assert [d.fix.safe for d in plain if d.fix is not None] == [True]


def test_f4_the_message_offers_what_the_guarded_versions_have() -> None:
    # Targets >=3.9, but only 3.11+ runs the line: asyncio.Runner(loop_factory=) is there.
    (message,) = [d.message for d in _diagnostics("realcode_lookalikes.py", "ELP100").values() if "Runner" in d.message]
    assert "asyncio.Runner(loop_factory=asyncio.SelectorEventLoop)" in message


def test_f8_f9_choosing_a_watcher_is_never_called_a_no_op() -> None:
    found = _diagnostics("realcode_lookalikes.py", "ELP106")
    chosen = [d.message for line, d in found.items() if "get_child_watcher" not in line]
    assert chosen and not any("does nothing" in message for message in chosen)
    # F9: the hasattr test keeps 3.14 away, so only the deprecation is left to say.
    f9 = found["self.watcher = asyncio.SafeChildWatcher()"].message
    assert "3.12-3.13 (deprecated)" in f9 and "AttributeError" not in f9
    attach = found["asyncio.get_child_watcher().attach_loop(loop)"].message
    assert "does nothing on Python 3.8+" in attach
