"""What a rule reports, as data every adapter (flake8, the command, an editor) can render."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Optional

from flake8_asyncloop.engine.timeline import Timeline

if TYPE_CHECKING:  # the adapters read diagnostics without loading libcst (a file may hold none)
    import libcst as cst


@dataclass(frozen=True, order=True)
class Edit:
    """Replace the text from (start_line, start_column) to (end_line, end_column) with ``text``.

    Lines are 1-based, columns 0-based and counted in characters, as libcst and LSP (for ASCII)
    count them; an insertion has equal start and end.
    """

    start_line: int
    start_column: int
    end_line: int
    end_column: int
    text: str


@dataclass(frozen=True)
class Fix:
    """The edits that rewrite one problem to the recipe, and whether that is always safe.

    A safe fix cannot change what the program does beyond the recipe; an unsafe one can (ruff's
    distinction) and is applied only on request.
    """

    description: str
    edits: tuple[Edit, ...]
    safe: bool


# Builds a finding's fix, or None when there is none. Only the fixing adapters call it, so a rule
# never spends time on edits that flake8 would drop (ruff's ``try_set_fix``).
FixFactory = Callable[[], Optional[Fix]]


@dataclass(frozen=True)
class Finding:
    """A rule's report, before positions are known: the node it is about, the message, and how
    to build its fix (``functools.partial(self._fix, ...)``: the arguments are bound now, the
    edits are worked out only when an adapter wants them)."""

    node: cst.CSTNode
    message: str
    fix: Optional[FixFactory] = None
    # How the code behaves version by version, where it differs from the rule's ``timeline``.
    timeline: Optional[Timeline] = None

    def build_fix(self) -> Optional[Fix]:
        return self.fix() if self.fix is not None else None


@dataclass(frozen=True, order=True)
class Diagnostic:
    line: int  # 1-based
    column: int  # 0-based, as flake8 expects
    code: str
    message: str
    fix: Optional[Fix] = field(default=None, compare=False)
    # Version by version, on the versions that run the code (the upgrade report reads it).
    timeline: Optional[Timeline] = field(default=None, compare=False)
    # (line, column) just after the reported code, counted as ``line`` and ``column`` are; None
    # where it is about no code (ELP900: the file).
    end: Optional[tuple[int, int]] = field(default=None, compare=False)

    def flake8_text(self) -> str:
        return f"{self.code} {self.message}"


@dataclass(frozen=True)
class FixResult:
    """What fixing a module gives: its code, and what is left to report."""

    source: str
    applied: int  # fixes applied
    remaining: list[Diagnostic]  # diagnostics left (those without an applicable fix)
