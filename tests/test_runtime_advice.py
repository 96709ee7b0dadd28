"""The advice, run on the Pythons it is for: the code each message names, and each fix's output.

A message's advice is what follows its first "; " or ": ". Its parts, split at "; ", may start
with "on 3.N+: " or "before 3.N: ", and code in them may be followed by "(3.N+)"
(``rules/advice.py`` writes them so). Every call, name of asyncio or uvloop, and piece of code in
backticks there is run on the oldest and on the newest Python here among the target versions it
is for, with DeprecationWarning as an error (on 3.12-3.13 it stands for 3.14's errors), by
tests/runtime_advice_driver.py, which says how each kind of code is run. User code the messages
name other than ``main``, ``loop`` and ``self.loop`` is not run.

Each case's program is fixed (unsafe fixes too) and the fixed program is run the same way: it
must work on the oldest and the newest Python here of its target range. The cases cover every
variant of every rule's message and fix; the rules' own examples are run for their advice too.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator, Optional

import pytest

from flake8_asyncloop.engine.checker import check_source
from flake8_asyncloop.engine.fixer import fix_source
from flake8_asyncloop.engine.versions import parse_target_versions
from flake8_asyncloop.rules import ALL_RULES, RULES_BY_CODE
from tests.test_runtime_elp101 import pyenv_pythons

DRIVER = Path(__file__).with_name("runtime_advice_driver.py")
_ADVICE_START = re.compile(r"; |: ")
_PART_WINDOW = re.compile(r"(?:on 3\.(?P<since>\d+)\+|before 3\.(?P<before>\d+)): ")
_LINK = re.compile(r"\.[A-Za-z_]\w*(?P<call>\()?")
_QUALIFIER = re.compile(r" \(3\.(?P<since>\d+)\+\)")
_NAME = re.compile(r"(?<![\w.'])(?P<name>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)(?P<call>\()?")
_MODULES = ("asyncio", "uvloop", "sys")
_USER_NAMES = ("main", "loop", "self")  # what the driver's namespace holds for the user's code
_ASYNCIO_NAMES = frozenset(("new_event_loop", "set_event_loop", "get_running_loop", "run"))


@dataclass(frozen=True)
class Advised:
    """A piece of code a message names, how the driver runs it, and the versions it is for."""

    code: str
    kind: str  # call, named, reference, statement, guard (runtime_advice_driver.py)
    minors: frozenset[int]


def advised_code(message: str, minors: frozenset[int]) -> list[Advised]:
    """The code of ``message``'s advice, each with the target ``minors`` it is for."""
    start = _ADVICE_START.search(message)
    found: list[Advised] = []
    for part in message[start.end() :].split("; ") if start else ():
        window = _PART_WINDOW.match(part)
        part_minors = minors
        if window is not None:
            since, before = int(window["since"] or 0), int(window["before"] or 100)
            part_minors = frozenset(m for m in minors if since <= m < before)
            part = part[window.end() :]
        found.extend(_code_in(part, part_minors))
    return found


def _code_in(part: str, minors: frozenset[int]) -> Iterator[Advised]:
    for number, chunk in enumerate(part.split("`")):
        if number % 2:
            yield Advised(chunk, "guard" if chunk.endswith(":") else "statement", minors)
            continue
        position = 0
        while (match := _NAME.search(chunk, position)) is not None:
            end = _end_of_chain(chunk, match.end()) if match["call"] else match.end()
            position = end
            code = _runnable(match["name"], chunk[match.start() : end], bool(match["call"]))
            if code is None:
                continue
            qualifier = _QUALIFIER.match(chunk, end)
            window = minors if qualifier is None else frozenset(m for m in minors if m >= int(qualifier["since"]))
            kind = ("named" if code.endswith("()") else "call") if match["call"] else "reference"
            yield Advised(code, kind, window)


def _end_of_chain(text: str, after_parenthesis: int) -> int:
    """Where the call whose ``(`` ends at ``after_parenthesis`` ends, with the calls and
    attributes chained to it (``get_child_watcher().attach_loop(loop)``)."""
    end = _closing_parenthesis(text, after_parenthesis - 1) + 1
    while (link := _LINK.match(text, end)) is not None:
        end = _closing_parenthesis(text, link.end() - 1) + 1 if link["call"] else link.end()
    return end


def _closing_parenthesis(text: str, opening: int) -> int:
    depth = 0
    for position in range(opening, len(text)):
        depth += {"(": 1, ")": -1}.get(text[position], 0)
        if depth == 0:
            return position
    raise AssertionError(f"unbalanced parentheses in {text!r}")


def _runnable(name: str, written: str, call: bool) -> Optional[str]:
    """``written`` as the driver runs it; None for words and the user's own code."""
    root = name.split(".")[0]
    if not call and (root not in ("asyncio", "uvloop") or "." not in name):
        return None  # a word of the sentence
    if name in _ASYNCIO_NAMES:
        written = f"asyncio.{written}"  # "new_event_loop()": asyncio's, as the sentence says
    elif root not in _MODULES + _USER_NAMES:
        return None  # the user's function (fetch_sync()), not advice
    # Placeholders: any loop factory, and the coroutine to run.
    return written.replace("loop_factory=...", "loop_factory=asyncio.new_event_loop").replace("...", "main()")


@dataclass(frozen=True)
class Case:
    """A program with a rule's finding, the target range it is checked for, and the variant
    of the rule's message or fix it shows."""

    name: str
    code: str
    target: str
    program: str


_MAIN = """\
import asyncio


async def main():
    return None


"""
_SPAWN = """\
import asyncio
import sys


async def spawn():
    process = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    return await process.wait()


loop = asyncio.new_event_loop()
loop.run_until_complete(spawn())
loop.close()
"""
_RUN_ATTACH = """

loop = asyncio.new_event_loop()
attach(loop)
loop.close()
"""
_SELECTOR = _MAIN + "loop = asyncio.SelectorEventLoop()\nloop.run_until_complete(main())\nloop.close()\n"
_UNCLOSED = _MAIN + """\
def serve():
    loop = asyncio.new_event_loop()
    loop.run_until_complete(main())


serve()
"""
_ONE_EXPRESSION = _MAIN + "asyncio.new_event_loop().run_until_complete(main())\n"
_NOTHING_SET = _MAIN + "loop = asyncio.get_event_loop()\nloop.run_until_complete(main())\nloop.close()\n"
_POLICY = _MAIN + "asyncio.set_event_loop_policy(asyncio.{}())\nasyncio.run(main())\n"
_SYNC_WRAPPER = _MAIN + "def run_sync():\n    return asyncio.get_event_loop().run_until_complete(main())\n"
_ATTACHED = """\
import asyncio

loop = asyncio.new_event_loop()
asyncio.get_child_watcher().attach_loop(loop)
loop.close()
"""
_ATTACHED_BY_NAME = """\
import asyncio


def attach(loop):
    watcher = asyncio.get_child_watcher()
    watcher.attach_loop(loop)
""" + _RUN_ATTACH
_ATTACHED_ON_UNIX = """\
import asyncio
import sys


def attach(loop):
    if sys.platform != "win32":
        asyncio.get_child_watcher().attach_loop(loop)
""" + _RUN_ATTACH
_THREAD_LOOKUP = _MAIN + """\
def work():
    loop = asyncio.get_event_loop()
    loop.run_until_complete(main())


import threading

thread = threading.Thread(target=work)
thread.start()
thread.join()
"""
_NOT_INSTALLED = _MAIN + """\
loop = asyncio.new_event_loop()
loop.run_until_complete(asyncio.gather(main()))
loop.close()
"""
_NOT_INSTALLED_ATTRIBUTE = _MAIN + """\
class Worker:
    def start(self):
        self.loop = asyncio.new_event_loop()
        self.loop.run_until_complete(asyncio.gather(main()))
        self.loop.close()


Worker().start()
"""
_IN_COROUTINE = """\
import asyncio


async def main():
    return asyncio.get_event_loop().time()
"""
_RUN_UNTIL_COMPLETE = _MAIN + """\
def serve():
    asyncio.get_event_loop().run_until_complete(main())


serve()
"""
_AFTER_RUN = _MAIN + """\
def serve():
    asyncio.run(main())
    loop = asyncio.get_event_loop()
    loop.close()


serve()
"""
_CHOSEN_WATCHER = "import asyncio\nasyncio.set_child_watcher(asyncio.ThreadedChildWatcher())\n"
_WATCHER_SUBCLASS = "import asyncio\n\n\nclass NullWatcher(asyncio.AbstractChildWatcher):\n    pass\n"
_UVLOOP_INSTALL = "import uvloop\n" + _MAIN + "uvloop.install()\nasyncio.run(main())\n"
_POLICY_LOOKUP = "import asyncio\npolicy = asyncio.get_event_loop_policy()\n"
_POLICY_SUBCLASS = "import asyncio\n\n\nclass Policy(asyncio.DefaultEventLoopPolicy):\n    pass\n"

CASES = [
    Case("selector loop", "ELP100", ">=3.6", _SELECTOR),
    Case("selector loop, Runner", "ELP100", ">=3.11,<3.12", _SELECTOR),
    Case("selector loop, loop_factory", "ELP100", ">=3.12", _SELECTOR),
    Case(
        "uvloop or selector loop",
        "ELP100",
        ">=3.7",
        "try:\n    from uvloop import Loop\nexcept ImportError:\n    from asyncio import SelectorEventLoop as Loop\n"
        "loop = Loop()\nloop.close()\n",
    ),
    Case("thread lookup", "ELP101", ">=3.6", _THREAD_LOOKUP),
    Case("never installed", "ELP102", ">=3.6", _NOT_INSTALLED),
    Case("never installed, self.loop", "ELP102", ">=3.6", _NOT_INSTALLED_ATTRIBUTE),
    Case("not attached, 3.8+ reach it", "ELP103", ">=3.7", _SPAWN),
    Case("not attached, only 3.6-3.7", "ELP103", ">=3.6,<3.8", _SPAWN),
    Case("in a coroutine", "ELP104", ">=3.7", _IN_COROUTINE + "\n\nasyncio.run(main())\n"),
    Case("in a coroutine, 3.6 too", "ELP104", ">=3.6", _IN_COROUTINE),
    Case("nothing set", "ELP105", ">=3.9", _NOTHING_SET),
    Case("nothing set, 3.6 too", "ELP105", ">=3.6", _NOTHING_SET),
    Case("nothing set, run_until_complete", "ELP105", ">=3.12", _RUN_UNTIL_COMPLETE),
    Case("after asyncio.run()", "ELP105", ">=3.7", _AFTER_RUN),
    Case("attach, 3.8+", "ELP106", ">=3.8", _ATTACHED),
    Case("attach, 3.6 too", "ELP106", ">=3.6", _ATTACHED),
    Case("attach by name, 3.8+", "ELP106", ">=3.8", _ATTACHED_BY_NAME),
    Case("attach by name, 3.7 too", "ELP106", ">=3.7", _ATTACHED_BY_NAME),
    Case("attach in an if, 3.8+", "ELP106", ">=3.8", _ATTACHED_ON_UNIX),
    Case("attach in an if, 3.7 too", "ELP106", ">=3.7", _ATTACHED_ON_UNIX),
    Case("chosen watcher", "ELP106", ">=3.9", _CHOSEN_WATCHER),
    Case("chosen watcher, 3.12+", "ELP106", ">=3.12", _CHOSEN_WATCHER),
    Case("watcher subclass", "ELP106", ">=3.9", _WATCHER_SUBCLASS),
    Case("selector policy, 3.12+", "ELP107", ">=3.12", _POLICY.format("WindowsSelectorEventLoopPolicy")),
    Case("selector policy, 3.9+", "ELP107", ">=3.9", _POLICY.format("WindowsSelectorEventLoopPolicy")),
    Case("proactor policy, 3.9+", "ELP107", ">=3.9", _POLICY.format("WindowsProactorEventLoopPolicy")),
    Case("uvloop.install(), 3.6 too", "ELP107", ">=3.6", _UVLOOP_INSTALL),
    Case("uvloop.install(), 3.12+", "ELP107", ">=3.12", _UVLOOP_INSTALL),
    Case("policy lookup, 3.9+", "ELP107", ">=3.9", _POLICY_LOOKUP),
    Case("policy lookup, 3.12+", "ELP107", ">=3.12", _POLICY_LOOKUP),
    Case("policy subclass", "ELP107", ">=3.9", _POLICY_SUBCLASS),
    Case("never closed", "ELP108", ">=3.7", _UNCLOSED),
    Case("never closed, 3.6 too", "ELP108", ">=3.6", _UNCLOSED),
    Case("never closed, one expression", "ELP108", ">=3.7", _ONE_EXPRESSION),
    Case("never closed, one expression, 3.6 too", "ELP108", ">=3.6", _ONE_EXPRESSION),
    Case("sync wrapper, 3.9+", "ELP109", ">=3.9", _SYNC_WRAPPER),
    Case("sync wrapper, 3.11+", "ELP109", ">=3.11", _SYNC_WRAPPER),
    Case("sync wrapper, 3.6 too", "ELP109", ">=3.6", _SYNC_WRAPPER),
]


@dataclass(frozen=True)
class Job:
    """One piece of code, run on one Python."""

    id: str
    minor: int
    kind: str
    code: str


@dataclass
class Checked:
    """What a case (or a rule's example) gave: its messages, its fixed program, and its jobs."""

    messages: list[str]
    fixed: Optional[str]
    jobs: list[Job]


def _ends(minors: frozenset[int], available: frozenset[int]) -> list[int]:
    """The oldest and the newest of ``minors`` with a Python here; none when the oldest has none."""
    here = sorted(minors & available)
    if not here or here[0] != min(minors):
        return []
    return sorted({here[0], here[-1]})


def _checked(name: str, code: str, target: str, program: str, fixes: bool, available: frozenset[int]) -> Checked:
    targets = parse_target_versions(target)
    rule = RULES_BY_CODE[code]
    messages = [d.message for d in check_source(program, targets, [rule]) if d.code == code]
    jobs: list[Job] = []
    for message in messages:
        for advised in advised_code(message, targets.minors):
            for minor in _ends(advised.minors, available):
                jobs.append(Job(f"{name}/{len(jobs)}", minor, advised.kind, advised.code))
    fixed = None
    if fixes:
        result = fix_source(program, targets, [rule], unsafe=True)
        if result.applied:
            fixed = result.source
            for minor in _ends(targets.minors, available):
                jobs.append(Job(f"{name}/{len(jobs)}", minor, "program", fixed))
    return Checked(messages, fixed, jobs)


@lru_cache(maxsize=None)
def _pythons() -> dict[int, str]:
    return {int(version.split(".")[1]): path for version, path in pyenv_pythons(first_minor=6).items()}


@pytest.fixture(scope="module")
def results() -> dict[str, tuple[Checked, dict[str, dict[str, str]]]]:
    """Every case and example, checked, with the driver's result for each of its jobs."""
    available = frozenset(_pythons())
    if not available:
        pytest.skip("no CPython under pyenv")
    checked = {case.name: _checked(case.name, case.code, case.target, case.program, True, available) for case in CASES}
    for rule in ALL_RULES:
        for number, example in enumerate(rule.invalid):
            name = f"{rule.code} example {number + 1}"
            checked[name] = _checked(name, rule.code, example.target_version, example.code, False, available)
    by_minor: dict[int, list[Job]] = defaultdict(list)
    for entry in checked.values():
        for job in entry.jobs:
            by_minor[job.minor].append(job)
    outcome: dict[str, dict[str, str]] = {}
    for minor, jobs in by_minor.items():
        payload = json.dumps([{"id": job.id, "kind": job.kind, "code": job.code} for job in jobs])
        ran = subprocess.run(
            [_pythons()[minor], "-I", str(DRIVER)], input=payload, capture_output=True, text=True, timeout=600
        )
        assert ran.returncode == 0, ran.stderr
        outcome.update({result["id"]: result for result in json.loads(ran.stdout)})
    return {name: (entry, {job.id: outcome[job.id] for job in entry.jobs}) for name, entry in checked.items()}


def _failures(entry: Checked, outcome: dict[str, dict[str, str]]) -> list[str]:
    return [
        f"3.{job.minor} {job.kind} {job.code!r}: {outcome[job.id]['error']}"
        for job in entry.jobs
        if "error" in outcome[job.id]
    ]


def _assert_ran(name: str, results: dict[str, tuple[Checked, dict[str, dict[str, str]]]]) -> Checked:
    entry, outcome = results[name]
    assert not _failures(entry, outcome), "\n".join([*entry.messages, *_failures(entry, outcome)])
    if entry.jobs and all("skipped" in result for result in outcome.values()):
        pytest.skip(next(iter(outcome.values()))["skipped"])
    return entry


@pytest.mark.parametrize("case", CASES, ids=lambda case: f"{case.code} {case.name}")
def test_advice_and_fix_run_on_the_target_pythons(
    case: Case, results: dict[str, tuple[Checked, dict[str, dict[str, str]]]]
) -> None:
    entry = _assert_ran(case.name, results)
    assert entry.messages, f"{case.code} reports nothing on {case.name!r}"
    if entry.fixed is not None:
        # A guard a message advises is the guard its fix writes.
        for message in entry.messages:
            for advised in advised_code(message, parse_target_versions(case.target).minors):
                if advised.kind != "reference" and advised.code.startswith("if "):
                    assert advised.code.split(":")[0] in entry.fixed, (advised.code, entry.fixed)


@pytest.mark.parametrize(
    "name", [f"{rule.code} example {number + 1}" for rule in ALL_RULES for number in range(len(rule.invalid))]
)
def test_rule_examples_advice_runs(name: str, results: dict[str, tuple[Checked, dict[str, dict[str, str]]]]) -> None:
    _assert_ran(name, results)


def test_every_rule_has_cases() -> None:
    assert {case.code for case in CASES} == {rule.code for rule in ALL_RULES}


@pytest.mark.parametrize(
    "message, expected",
    [
        (
            "x() is deprecated; use asyncio.run(main(), loop_factory=asyncio.SelectorEventLoop) (3.12+); "
            "before 3.12: keep the call under `if sys.version_info < (3, 12):`",
            [
                Advised("asyncio.run(main(), loop_factory=asyncio.SelectorEventLoop)", "call", frozenset({12, 13})),
                Advised("if sys.version_info < (3, 12):", "guard", frozenset({9, 10, 11})),
            ],
        ),
        (
            "f() in g(), for callers: it raises; run it with asyncio.run() or an asyncio.Runner (3.11+), or "
            "new_event_loop() and fetch_sync()",
            [
                Advised("asyncio.run()", "named", frozenset(range(9, 14))),
                Advised("asyncio.Runner", "reference", frozenset({11, 12, 13})),
                Advised("asyncio.new_event_loop()", "named", frozenset(range(9, 14))),
            ],
        ),
        (
            "'loop' starts subprocesses; call asyncio.get_child_watcher().attach_loop(loop) first",
            [Advised("asyncio.get_child_watcher().attach_loop(loop)", "call", frozenset(range(9, 14)))],
        ),
        (
            "event loop 'loop' is never closed; close it (try/finally: loop.close(), or "
            "asyncio.Runner(loop_factory=...))",
            [
                Advised("loop.close()", "named", frozenset(range(9, 14))),
                Advised("asyncio.Runner(loop_factory=asyncio.new_event_loop)", "call", frozenset(range(9, 14))),
            ],
        ),
    ],
)
def test_advised_code_is_read_from_messages(message: str, expected: list[Advised]) -> None:
    assert advised_code(message, frozenset(range(9, 14))) == expected
