"""Advice that holds on every version that runs the flagged code.

A message names an API as plain code only where every such version has it. Where they span the
version that brought it, the code carries "(3.N+)", and what to do before 3.N follows in a part
of its own ("before 3.N: ..."). tests/test_runtime_advice.py reads messages this way and runs
the code they name on the oldest Python each part is for.
"""

from __future__ import annotations

from typing import Iterable, Sequence

# First 3.x minors of the APIs the advice names (../shared/asyncio-versions.md; CPython's
# Lib/asyncio/runners.py: run() in 3.7, Runner in 3.11, run(loop_factory=) in 3.12).
ASYNCIO_RUN = 7
GET_RUNNING_LOOP = 7
UVLOOP_RUN = 7  # uvloop.run() is uvloop 0.18's, which supports Python 3.7+
RUNNER = 11
RUNNER_LOOP_FACTORY = 11
RUN_LOOP_FACTORY = 12


def some_older(minors: Iterable[int], minor: int) -> bool:
    """Whether one of ``minors`` is older than 3.<minor>."""
    return any(m < minor for m in minors)


def since(code: str, minor: int, minors: Iterable[int]) -> str:
    """``code``, marked "(3.<minor>+)" when one of ``minors`` is older."""
    return f"{code} (3.{minor}+)" if some_older(minors, minor) else code


def version_guard(minor: int) -> str:
    """The ``if`` that keeps code to the versions before 3.<minor>, as messages write it."""
    return f"`if sys.version_info < (3, {minor}):`"


def choices(alternatives: Sequence[tuple[str, int]], minors: frozenset[int]) -> str:
    """"A or B (3.12+)": the alternatives (code, first minor) some of ``minors`` have, each
    marked where an older one of ``minors`` lacks it; "" when none has any."""
    usable = [since(code, first, minors) for code, first in alternatives if any(m >= first for m in minors)]
    return " or ".join(usable)
