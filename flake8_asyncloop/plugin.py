"""The flake8 adapter: options in, the engine's diagnostics out. It never raises: an engine
failure on a file is reported on it as ELP900 (``engine/internal.py``)."""

from __future__ import annotations

import argparse
import ast
import logging
import sys
from typing import TYPE_CHECKING, Any, ClassVar, Iterator, Optional, Sequence

from flake8_asyncloop import __version__
from flake8_asyncloop.engine.precheck import mentions_loop_api
from flake8_asyncloop.engine.versions import TargetVersionError, parse_target_versions, resolve_target_versions

if TYPE_CHECKING:
    from flake8_asyncloop.engine.diagnostics import Diagnostic

LOG = logging.getLogger(__name__)
# How long a scan of a package stands within a flake8 run (``projectfiles.recent_scans_stand``).
_SCANS_STAND_SECONDS = 5.0


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
            default=None,
            parse_from_config=True,
            metavar="RANGE",
            help=(
                "Python versions the checked code must run on, as a requires-python range such as "
                "'>=3.9' (default: target-version of [tool.flake8-asyncloop] in the nearest pyproject.toml that "
                "has the table, else its requires-python, else '>=3.10')."
            ),
        )

    @classmethod
    def parse_options(cls, options: argparse.Namespace) -> None:
        value = options.asyncloop_target_version
        if value is not None:
            try:
                parse_target_versions(value)
            except TargetVersionError as error:
                # One line, as a usage error should be; argparse's ``type=`` would print flake8's
                # whole usage first (and it also checks values read from flake8's configuration).
                sys.stderr.write(f"flake8: error: --asyncloop-target-version: {error}\n")
                raise SystemExit(2) from None
        cls.target_version = value

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        source = "".join(self._lines)
        if not mentions_loop_api(source):
            return  # most files: decided before the engine is even imported
        try:
            diagnostics = self._diagnostics(source)
        except Exception as error:  # the plugin must never take flake8 down, whatever the file holds
            from flake8_asyncloop.engine.internal import InternalError, raise_internal_errors

            if raise_internal_errors():
                raise
            LOG.exception("flake8-asyncloop: internal error on %s", self._filename)
            # Also a diagnostic, so that flake8 exits 1: CI logs often hide standard error.
            diagnostics = [InternalError.of(error).diagnostic()]
        for diagnostic in diagnostics:
            yield diagnostic.line, diagnostic.column, diagnostic.flake8_text(), type(self)

    def _diagnostics(self, source: str) -> "list[Diagnostic]":
        from flake8_asyncloop.engine.projectfiles import recent_scans_stand

        with recent_scans_stand(_SCANS_STAND_SECONDS):
            return self._checked(source)

    def _checked(self, source: str) -> "list[Diagnostic]":
        if isinstance(self._tree, ast.Module):
            # The sieve reads flake8's tree with the rules' reads written out, so that a file that
            # cannot hold a finding never loads the rules, libcst, or anything it imports.
            from flake8_asyncloop.engine.sieve import some_rule_may_find

            if not some_rule_may_find(source, self._tree, self._filename):
                return []
        from flake8_asyncloop.engine.checker import check_focused, check_source
        from flake8_asyncloop.engine.process import OWNER
        from flake8_asyncloop.rules import ALL_RULES

        try:
            targets = resolve_target_versions(self.target_version, self._filename)
        except TargetVersionError as error:  # [tool.flake8-asyncloop] that cannot be used
            from flake8_asyncloop.engine.internal import configuration_error

            LOG.error("flake8-asyncloop: %s", error)
            return [configuration_error(str(error))]
        # flake8's processes run nothing else meanwhile: the plugin may tune them (OWNER).
        if isinstance(self._tree, ast.Module):
            # Sieved above with every rule's reads, which are ALL_RULES' (``declared.py``).
            return check_focused(
                source, self._tree, targets, ALL_RULES, process=OWNER, path=self._filename, sieved=True
            )
        return check_source(source, targets, ALL_RULES, process=OWNER, path=self._filename)
