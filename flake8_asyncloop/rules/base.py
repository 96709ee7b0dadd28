"""What every rule is: a code, its documentation, examples that test it, and a check."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Iterator

if TYPE_CHECKING:
    from flake8_asyncloop.engine.analysis import ModuleAnalysis
    from flake8_asyncloop.engine.diagnostics import Finding


@dataclass(frozen=True)
class Example:
    """A snippet a rule must flag (in ``invalid``) or must leave alone (in ``valid``)."""

    code: str
    target_version: str = ">=3.7"


class Rule(abc.ABC):
    """A rule documents itself (as ruff's do) and carries its own examples (as Fixit's do)."""

    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]  # one line: what it flags
    why: ClassVar[str]  # why it is wrong, with the Python versions involved
    how_to_fix: ClassVar[str]
    invalid: ClassVar[tuple[Example, ...]]
    valid: ClassVar[tuple[Example, ...]]

    @abc.abstractmethod
    def check(self, analysis: "ModuleAnalysis") -> Iterator["Finding"]:
        """Yield a finding for each problem in the module."""
