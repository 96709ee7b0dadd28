"""What a rule, or an analysis layer a rule asks, reads in a module: declared once, next to the code
that reads it.

flake8's path gives libcst only the statements that can matter (``focus.py``), which it derives
from these declarations alone: a rule that reads one more API declares it in its ``reads``, and
the flake8 path and the fixing path (which parses whole modules) go on agreeing.
``tests/test_focus.py`` checks, rule by rule, that the declarations are complete, and that the
words of the cheap text test before focus (``precheck.py``) cover every declared name.

Each field holds qualified API names (``asyncio.get_event_loop``, from ``apis.py``) or bare
words (a method such as ``run_in_executor``, a keyword such as ``loop_factory``); statements
are matched on the last part, as it is spelled in their text.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Iterable

from flake8_asyncloop.engine.apis import words

Names = frozenset[str]


@dataclass(frozen=True)
class Reads:
    # A statement naming one is kept, and a module naming none has nothing to report: the APIs a
    # finding starts from, and those whose every use the rule reads (set_event_loop, policies).
    names: Names = frozenset()
    # Read only where a statement is kept for another reason, never keeping one by itself
    # (``contextlib.closing(loop)``, ``functools.partial``): declared so the reader sees them.
    incidental: Names = frozenset()
    # Keep a statement without making a module worth reading (``loop_factory=``).
    context: Names = frozenset()
    # Hand a function to another thread (classes, and the words ``submit``, ``initializer``...):
    # kept, and where one is in the module, callers are followed from a thread's start.
    thread_starts: Names = frozenset()
    # Start subprocesses: kept, callers followed, and ``spawn_runners`` become names.
    spawns: Names = frozenset()
    # Run a coroutine on a loop of their own (``asyncio.run``): read where a coroutine spawns.
    spawn_runners: Names = frozenset()
    # Make a loop: a variable or attribute assigned one is followed through the module.
    creations: Names = frozenset()
    # Look the current loop up: kept wherever they are once the module makes a loop of its own.
    lookups: Names = frozenset()
    # Methods of a loop whose call on a loop attribute is read (``self.loop.close()``).
    loop_methods: Names = frozenset()
    # Where these run matters (``get_event_loop()``): the callers of a function calling one are
    # kept, and theirs.
    located: Names = frozenset()
    # Change which loop a thread has set (``set_event_loop``, ``asyncio.run``): where the module
    # calls something ``located``, a statement calling one is kept, and so is every statement
    # calling a function that calls one. Matched with a word of their module (``asyncio.run``,
    # ``aio.run`` or an imported ``run``), since some are common words.
    effects: Names = frozenset()
    # Where these run matters when calls are followed from a thread's start or to a subprocess.
    followed: Names = frozenset()

    def __or__(self, other: "Reads") -> "Reads":
        return Reads(
            **{
                field.name: getattr(self, field.name) | getattr(other, field.name)
                for field in dataclasses.fields(self)
            }
        )

    def spelled(self) -> "Reads":
        """The same reads, each name as code spells it: its last part (``get_event_loop``);
        ``effects`` keep their qualified names, which focus matches in parts."""
        return Reads(
            **{
                field.name: getattr(self, field.name) if field.name == "effects" else words(getattr(self, field.name))
                for field in dataclasses.fields(self)
            }
        )


NOTHING = Reads()


def union(reads: Iterable[Reads]) -> Reads:
    """Everything any of ``reads`` reads."""
    merged = NOTHING
    for one in reads:
        merged |= one
    return merged
