"""Property-based tests on generated programs (hypothesmith), alone and with loop APIs spliced in.

Properties: the plugin never raises; ``fix`` output parses, is a fixpoint, and leaves every line
outside the spliced loop code as it was (fixes may only add imports there). The default run
makes a few dozen programs per test; ``--long-reliability`` makes a thousand.
"""

from __future__ import annotations

import ast
import difflib
import re

import hypothesmith
import pytest
from hypothesis import assume, event, given, note
from hypothesis import strategies as st

from flake8_asyncloop.engine.checker import check_source
from flake8_asyncloop.engine.fixer import fix_source
from flake8_asyncloop.engine.versions import TargetVersions, parse_target_versions
from flake8_asyncloop.plugin import AsyncLoopChecker
from flake8_asyncloop.rules import ALL_RULES

TARGETS = [parse_target_versions(spec) for spec in (">=3.7", ">=3.8", ">=3.10", ">=3.14")]
# Every rule's examples, flagged and not: the loop code the rules and their fixes know.
SNIPPETS = sorted({example.code for rule in ALL_RULES for example in (*rule.invalid, *rule.valid)})
IMPORT_LINE = re.compile(r"\s*(import [\w.]+( as \w+)?|from [\w.]+ import [\w, ]+)\s*$")

programs = hypothesmith.from_grammar()
# Generated and deliberately odd code makes CPython's compiler warn (invalid escapes, "1()").
pytestmark = [
    pytest.mark.filterwarnings("ignore::SyntaxWarning"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]


def _parses(source: str) -> bool:
    try:
        ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _statement_starts(source: str) -> list[int]:
    """Lines (1-based) where a top-level statement starts at column 0: places to splice code."""
    lines = source.splitlines()
    starts = {len(lines) + 1}
    for statement in ast.parse(source).body:
        decorators = getattr(statement, "decorator_list", [])
        first = min([statement.lineno, *(decorator.lineno for decorator in decorators)])
        if lines[first - 1][:1] not in ("", " ", "\t", "\f"):  # not after a ";"
            starts.add(first)
    return sorted(starts)


@st.composite
def spliced_programs(draw: st.DrawFn) -> tuple[str, int, int]:
    """A generated program with one loop snippet inserted between its top-level statements:
    (source, first line of the snippet, line after it)."""
    program = draw(programs)
    assume(_parses(program) and "\f" not in program)  # libcst drops some form feeds: no fixes there
    lines = program.splitlines(keepends=True)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += "\n"
    at = draw(st.sampled_from(_statement_starts("".join(lines)))) - 1
    snippet = draw(st.sampled_from(SNIPPETS)).splitlines(keepends=True)
    source = "".join(lines[:at] + snippet + lines[at:])
    assume(_parses(source))  # a snippet's `from __future__` import must come first, for one
    return source, at + 1, at + 1 + len(snippet)


def _run_plugin(source: str) -> None:
    checker = AsyncLoopChecker(ast.parse(source), "generated.py", source.splitlines(keepends=True))
    line_count = len(source.splitlines()) or 1
    found = list(checker.run())
    for line, column, text, _ in found:
        assert 1 <= line <= line_count and column >= 0 and text.startswith("ELP"), (line, column, text)
    event("reported" if found else "nothing reported")


@given(programs)
def test_plugin_never_raises_on_generated_programs(source: str) -> None:
    assume(_parses(source))
    _run_plugin(source)
    # The engine on its own, which parses for itself.
    check_source(source, TARGETS[0], ALL_RULES)


@given(spliced_programs(), st.sampled_from(TARGETS))
def test_plugin_never_raises_with_loop_code_spliced_in(spliced: tuple[str, int, int], targets: TargetVersions) -> None:
    source, _, _ = spliced
    _run_plugin(source)
    check_source(source, targets, ALL_RULES)


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_engine_never_raises_on_arbitrary_text(text: str) -> None:
    """Mostly not Python at all, but it mentions the loop API, so it is not filtered out unread."""
    check_source(f"import asyncio\n{text}\nasyncio.get_event_loop()\n", TARGETS[0], ALL_RULES)


@given(spliced_programs(), st.sampled_from(TARGETS), st.booleans())
def test_fix_parses_is_a_fixpoint_and_changes_only_the_loop_code(
    spliced: tuple[str, int, int], targets: TargetVersions, unsafe: bool
) -> None:
    source, first, after = spliced
    result = fix_source(source, targets, ALL_RULES, unsafe=unsafe)
    note(result.source)
    event(f"fixes applied: {min(result.applied, 3)}{'+' if result.applied > 3 else ''}")
    assert _parses(result.source)
    assert fix_source(result.source, targets, ALL_RULES, unsafe=unsafe).source == result.source
    before, after_fix = source.splitlines(keepends=True), result.source.splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(None, before, after_fix, autojunk=False)
    for tag, start, end, new_start, new_end in matcher.get_opcodes():
        if tag == "equal":
            continue
        inside = first - 1 <= start and end <= after - 1
        only_imports = tag == "insert" and all(IMPORT_LINE.match(line) for line in after_fix[new_start:new_end])
        assert inside or only_imports, (tag, before[start:end], after_fix[new_start:new_end])


@given(programs)
def test_fix_leaves_programs_without_loop_code_alone(source: str) -> None:
    assume(_parses(source))
    assert fix_source(source, TARGETS[0], ALL_RULES, unsafe=True).source == source
