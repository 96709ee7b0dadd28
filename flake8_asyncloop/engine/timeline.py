"""What a finding's code does on each Python version: the input of the upgrade report.

A rule states, per finding, how the flagged code behaves as Python moves: a stage starts at a
3.x minor version and lasts until the next one (``get_event_loop()`` with nothing set: silent
before 3.12, warns on 3.12-3.13, raises from 3.14). The engine then limits it to the versions
that can run the code (its version guards, the targets): a branch no target runs has none.
"""

from __future__ import annotations

import enum
from typing import NamedTuple, Optional

# The newest Python whose asyncio changes the rules know: CPython's main branch removed the
# policy system for 3.16 (python/cpython#150310). The upgrade report's default horizon.
NEWEST_KNOWN_MINOR = 16
_EVERY_VERSION = 0


class Effect(enum.Enum):
    """What the code does on one version, from harmless to broken."""

    FINE = "fine"
    ADVICE = "advice"  # works; a better recipe exists (ELP104's get_running_loop())
    MISBEHAVES = "misbehaves"  # runs, but leaks a loop, binds to the wrong one, ignores the policy
    WARNS = "warns"  # a DeprecationWarning (an error where warnings are errors)
    RAISES = "raises"  # fails at run time
    REMOVED = "removed"  # the API is gone: AttributeError where it is reached

    @property
    def breaks(self) -> bool:
        """Whether the code misbehaves on the version, rather than only having a better recipe."""
        return self not in (Effect.FINE, Effect.ADVICE)


class Stage(NamedTuple):
    """From 3.<since> on, until the next stage, the code ``effect``s, with this ``consequence``
    ("raises RuntimeError")."""

    since: int
    effect: Effect
    consequence: str


class Timeline(NamedTuple):
    """A finding's stages in version order, and the minor versions that can run its code (None:
    every version; the engine narrows it to the reach of the code)."""

    stages: tuple[Stage, ...]
    reached: Optional[frozenset[int]] = None

    def on(self, minor: int) -> Optional[Stage]:
        """The stage in force on 3.<minor>; None where the code is fine or does not run there."""
        if self.reached is not None and minor not in self.reached:
            return None
        current = None
        for stage in self.stages:
            if stage.since > minor:
                break
            current = stage
        return current if current is not None and current.effect is not Effect.FINE else None

    def reaching(self, minors: frozenset[int]) -> "Timeline":
        """This timeline where only ``minors`` run the code."""
        reached = minors if self.reached is None else self.reached & minors
        return Timeline(self.stages, reached)


def every_version(effect: Effect, consequence: str) -> Timeline:
    """The same effect on every version."""
    return Timeline((Stage(_EVERY_VERSION, effect, consequence),))


def from_version(*stages: tuple[int, Effect, str]) -> Timeline:
    """Fine before the first stage; each stage from its version on."""
    return Timeline(tuple(Stage(since, effect, consequence) for since, effect, consequence in stages))


# What the report says of a stage: its consequence, as in "3.14: raises RuntimeError".
WARNS_DEPRECATED = "warns (DeprecationWarning)"
RAISES_RUNTIME_ERROR = "raises RuntimeError"
RAISES_REMOVED = "raises AttributeError (removed)"

# get_event_loop() with nothing set (ELP105, ELP109); with a loop set on 3.12-3.13 by a caught
# lookup, only the 3.14 error is left.
NO_LOOP_WARNS_THEN_RAISES = from_version(
    (12, Effect.WARNS, WARNS_DEPRECATED), (14, Effect.RAISES, RAISES_RUNTIME_ERROR)
)
NO_LOOP_RAISES_FROM_314 = from_version((14, Effect.RAISES, RAISES_RUNTIME_ERROR))
