"""The flake8 adapter: options in, the engine's diagnostics out. It never raises."""

from __future__ import annotations

import argparse
import ast
import logging
import os
from typing import Any, ClassVar, Iterator, Optional, Sequence

from flake8_asyncloop import __version__
from flake8_asyncloop.engine.checker import check_source
from flake8_asyncloop.engine.versions import resolve_target_versions, target_version_argument

LOG = logging.getLogger(__name__)
# Set by this project's own tests, so that an engine bug fails them instead of being swallowed.
RAISE_INTERNAL_ERRORS = os.environ.get("FLAKE8_ASYNCLOOP_RAISE_INTERNAL_ERRORS") == "1"


class AsyncLoopChecker:
    name = "flake8-asyncloop"
    version = __version__
    target_version: ClassVar[Optional[str]] = None

    def __init__(self, tree: ast.AST, filename: str, lines: Sequence[str]) -> None:
        # flake8 built ``tree`` with CPython's parser, which proves the source is valid Python
        # within CPython's nesting limits; the rules themselves run on libcst only.
        self._tree = tree
        self._filename = filename
        self._lines = lines

    @classmethod
    def add_options(cls, option_manager: Any) -> None:
        option_manager.add_option(
            "--asyncloop-target-version",
            type=target_version_argument,
            default=None,
            parse_from_config=True,
            metavar="RANGE",
            help=(
                "Python versions the checked code must run on, as a requires-python range such as "
                "'>=3.9' (default: requires-python from the nearest pyproject.toml, else '>=3.10')."
            ),
        )

    @classmethod
    def parse_options(cls, options: argparse.Namespace) -> None:
        cls.target_version = options.asyncloop_target_version

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        try:
            targets = resolve_target_versions(self.target_version, self._filename)
            diagnostics = check_source("".join(self._lines), targets, syntax_checked=self._tree is not None)
        except Exception:  # the plugin must never take flake8 down, whatever the file holds
            if RAISE_INTERNAL_ERRORS:
                raise
            LOG.exception("flake8-asyncloop: internal error on %s", self._filename)
            return
        for diagnostic in diagnostics:
            yield diagnostic.line, diagnostic.column, diagnostic.flake8_text(), type(self)
