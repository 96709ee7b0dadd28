"""What every rule is: a code, its documentation, examples that test it, and a check."""

from __future__ import annotations

import abc
import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Iterator, Literal, TypeVar, Union

from flake8_asyncloop.engine.reads import Reads
from flake8_asyncloop.engine.timeline import Timeline

if TYPE_CHECKING:
    from flake8_asyncloop.engine.analysis import ModuleAnalysis
    from flake8_asyncloop.engine.diagnostics import Finding


# Whether the rule's findings come with a fix: for every finding, for some (the rule's
# documentation says which), or never.
FixAvailability = Literal["always", "sometimes", "never"]
# Whether the fixes may change what the program does (ruff's distinction): "mixed" when that
# depends on the finding (``fix_details`` says how), "none" for a rule without fixes.
FixSafety = Literal["safe", "unsafe", "mixed", "none"]

# What every rule must declare: the documentation, ``explain``, ``rules`` and SARIF are made from it.
DOCUMENTED_ATTRIBUTES = (
    "code",
    "name",
    "summary",
    "why",
    "how_to_fix",
    "versions",
    "fix_availability",
    "fix_safety",
    "fix_details",
    "invalid",
    "valid",
)


def missing_documentation(rule: "Rule") -> list[str]:
    """The documented attributes ``rule`` does not declare (each rule must declare them all)."""
    return [attribute for attribute in DOCUMENTED_ATTRIBUTES if not hasattr(rule, attribute)]


class Unstated(enum.Enum):
    """The value of an expectation an example does not state."""

    UNSTATED = "unstated"


UNSTATED = Unstated.UNSTATED


@dataclass(frozen=True)
class Example:
    """A snippet a rule must flag (in ``invalid``) or must leave alone (in ``valid``).

    A flagged example also states what users get there, as Fixit's ``Invalid`` does; both are
    required, so that "no fix" (``None``) is never confused with "not said":

    - ``expected_message``: the message of the rule's finding (a tuple of them, in order, when
      it finds several);
    - ``expected_replacement``: the code after the rule's fixes, applied by the fixing loop
      (``fix_source``) with this rule alone and unsafe fixes included, which is what
      ``flake8-asyncloop fix --select CODE --unsafe-fixes`` writes; ``None`` when nothing is fixed.

    A valid example states neither. tests/test_rule_examples.py checks all of it.
    """

    code: str
    target_version: str = ">=3.7"
    expected_message: Union[str, tuple[str, ...], Unstated] = UNSTATED
    expected_replacement: Union[str, None, Unstated] = UNSTATED

    @property
    def expected_messages(self) -> tuple[str, ...]:
        """The stated messages, in order (none when unstated)."""
        if isinstance(self.expected_message, Unstated):
            return ()
        return (self.expected_message,) if isinstance(self.expected_message, str) else self.expected_message


class Rule(abc.ABC):
    """A rule documents itself (as ruff's do) and carries its own examples (as Fixit's do)."""

    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]  # one line: what it flags
    why: ClassVar[str]  # why it is wrong, with the Python versions involved
    how_to_fix: ClassVar[str]
    versions: ClassVar[str]  # the Python versions where the pattern goes wrong, e.g. "3.7 only"
    # The same as data, for the upgrade report: what the flagged code does on each version (a
    # finding whose code behaves otherwise carries its own, ``Finding.timeline``).
    timeline: ClassVar[Timeline]
    fix_availability: ClassVar[FixAvailability]
    fix_safety: ClassVar[FixSafety]
    fix_details: ClassVar[str]  # what the fix does, when there is none, why it is (un)safe; "" without fixes
    invalid: ClassVar[tuple[Example, ...]]
    valid: ClassVar[tuple[Example, ...]]
    # What ``check`` reads, with the analysis layers it asks (``engine/reads.py``): flake8's path
    # keeps exactly the statements these name, so a rule reading a new API must declare it here.
    reads: ClassVar[Reads]

    @abc.abstractmethod
    def check(self, analysis: "ModuleAnalysis") -> Iterator["Finding"]:
        """Yield a finding for each problem in the module."""


_RuleClass = TypeVar("_RuleClass", bound=type[Rule])
_registered: dict[str, type[Rule]] = {}


def register(rule_class: _RuleClass) -> _RuleClass:
    """Class decorator: ``rule_class`` is a rule (``rules/__init__.py`` finds it when it imports
    the package's modules). Two rules may not share a code."""
    known = _registered.setdefault(rule_class.code, rule_class)
    if known is not rule_class:
        raise ValueError(f"{rule_class.__qualname__} and {known.__qualname__} are both {rule_class.code}")
    return rule_class


def registered() -> list[type[Rule]]:
    """Every rule class registered so far, in no particular order."""
    return list(_registered.values())
