"""The byte-order mark: Python ignores one at the start of a source file, and so does the engine.

The adapters read and write files with it, and give the engine the text without it; positions
are the engine's, counted after it (the language server adds it back for the editor)."""

from __future__ import annotations

BOM = "\ufeff"


def without_bom(text: str) -> str:
    return text[len(BOM) :] if text.startswith(BOM) else text


def bom_of(text: str) -> str:
    """``text``'s byte-order mark, or "" (to write back before fixed text)."""
    return BOM if text.startswith(BOM) else ""
