"""What a rule reports, as data every adapter (flake8, the command, an editor) can render."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst


@dataclass(frozen=True)
class Finding:
    """A rule's report, before positions are known: the node it is about and the message."""

    node: cst.CSTNode
    message: str


@dataclass(frozen=True, order=True)
class Diagnostic:
    line: int  # 1-based
    column: int  # 0-based, as flake8 expects
    code: str
    message: str

    def flake8_text(self) -> str:
        return f"{self.code} {self.message}"
