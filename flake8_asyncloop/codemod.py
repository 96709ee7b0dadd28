"""The fixes as a libcst codemod, for projects that run their rewrites through libcst.tool.

``python -m libcst.tool codemod -x flake8_asyncloop.codemod.FixEventLoops --no-format src/``

Like the flake8 plugin and the command, this is a thin adapter: the module's text goes through
the engine's ``fix_source`` and the result is parsed back, so the three cannot disagree.
"""

from __future__ import annotations

import argparse
from typing import Optional, Sequence

import libcst as cst
from libcst.codemod import CodemodCommand, CodemodContext, SkipFile

from flake8_asyncloop.config import (
    Codes,
    ConfigError,
    FileSettings,
    SettingsFinder,
    option_codes,
    split_list,
    validate_codes,
)
from flake8_asyncloop.engine.diagnostics import Diagnostic, FixResult
from flake8_asyncloop.engine.fixer import fix_source
from flake8_asyncloop.engine.internal import InternalError, raise_internal_errors
from flake8_asyncloop.engine.versions import (
    DEFAULT_TARGET_VERSION,
    parse_target_versions,
    target_version_argument,
)
from flake8_asyncloop.output import fixable_text
from flake8_asyncloop.rules import ALL_RULES


def _codes_option(value: str) -> tuple[str, ...]:
    """argparse ``type=``: unknown codes are a usage error, as for the command."""
    try:
        return validate_codes(split_list(value), "rule codes")
    except ConfigError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _fixing_codes() -> str:
    """The codes of the rules with fixes: a range when they are every rule, in order."""
    codes = [rule.code for rule in ALL_RULES if rule.fix_availability != "never"]
    if codes == [rule.code for rule in ALL_RULES] and len(codes) > 1:
        return f"{codes[0]}-{codes[-1]}"
    return ", ".join(codes)


class EngineFailure(Exception):
    """The engine failed on the file (ELP900): libcst.tool counts it as failed and exits 1."""


class FixEventLoops(CodemodCommand):
    DESCRIPTION = (
        "Rewrite asyncio event-loop misuse to the recipe for the target Python versions "
        f"(flake8-asyncloop's fixes: {_fixing_codes()})."
    )

    @staticmethod
    def add_args(arg_parser: argparse.ArgumentParser) -> None:
        arg_parser.add_argument(
            "--target-version",
            type=target_version_argument,
            default=None,
            metavar="RANGE",
            help=(
                "Python versions the code must run on, as a requires-python range such as '>=3.9' "
                f"(default: requires-python from the nearest pyproject.toml, else '{DEFAULT_TARGET_VERSION}')"
            ),
        )
        arg_parser.add_argument(
            "--unsafe-fixes", action="store_true", default=None, help="also apply fixes marked unsafe"
        )
        arg_parser.add_argument("--select", type=_codes_option, default=None, help="only these codes or prefixes")
        arg_parser.add_argument("--ignore", type=_codes_option, default=None, help="never these codes or prefixes")

    def __init__(
        self,
        context: CodemodContext,
        *,
        target_version: Optional[str] = None,
        unsafe_fixes: Optional[bool] = None,
        select: Optional[Codes] = None,
        ignore: Optional[Codes] = None,
    ) -> None:
        super().__init__(context)
        if target_version is not None:
            parse_target_versions(target_version)  # a bad range fails here, not once per file
        # Options given here win over [tool.flake8-asyncloop], read per file as the command does.
        self._target_version = target_version
        self._unsafe_fixes = unsafe_fixes
        self._select = option_codes(select, "select")
        self._ignore = option_codes(ignore, "ignore")

    def settings_for(self, filename: Optional[str]) -> FileSettings:
        try:
            finder = SettingsFinder(
                select=self._select, ignore=self._ignore, target_version=self._target_version,
                unsafe_fixes=self._unsafe_fixes,
            )
            return finder.for_path(filename).for_file(filename)
        except ConfigError as error:
            raise SkipFile(str(error)) from None

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        """The fixed module, or SkipFile: libcst then reports the file as skipped and leaves it be.
        An engine failure raises EngineFailure, with ELP900's line.

        ``tree.code`` has no BOM and is decoded; the fixed text is parsed with the original's
        ``config_for_parsing``, so its ``bytes`` keep the encoding (BOM, coding cookie) and the
        newline style.
        """
        settings = self.settings_for(self.context.filename)
        result = _fixed(tree.code, settings, self.context.filename)
        for diagnostic in result.remaining:
            self.warn(f"line {diagnostic.line}:{diagnostic.column + 1}: {diagnostic.flake8_text()}")
        if result.source == tree.code:
            raise _nothing_fixed(result.remaining, settings.unsafe_fixes)
        return _reparsed(result.source, tree)


def _fixed(source: str, settings: FileSettings, path: Optional[str]) -> FixResult:
    try:
        # A guest (fix_source's default): libcst's tool owns this process and its settings.
        return fix_source(source, settings.targets, settings.rules, unsafe=settings.unsafe_fixes, path=path)
    except Exception as error:
        if raise_internal_errors():
            raise
        # Not SkipFile, which looks like success: libcst.tool prints the traceback, counts the
        # file under "Failed to codemod" and exits 1.
        raise EngineFailure(InternalError.of(error).diagnostic().flake8_text()) from error


def _nothing_fixed(remaining: Sequence[Diagnostic], unsafe_fixes: bool) -> SkipFile:
    """Why the file stays as it is: no problems, or none with a fix that applies."""
    if not remaining:
        return SkipFile("nothing to fix")
    unsafe = 0 if unsafe_fixes else sum(1 for d in remaining if d.fix and not d.fix.safe)
    left = len(remaining)
    hint = fixable_text(0, unsafe)  # in the words of the command's summary line
    details = ", ".join(filter(None, [f"{left} problem{'s' if left != 1 else ''} left", hint]))
    return SkipFile(f"nothing to fix automatically ({details})")


def _reparsed(fixed_source: str, original: cst.Module) -> cst.Module:
    try:
        fixed = cst.parse_module(fixed_source, config=original.config_for_parsing)
        fixed.bytes  # what libcst.tool writes: fail here, while the file can still be skipped
    except (cst.ParserSyntaxError, UnicodeEncodeError) as error:
        raise SkipFile(f"the fixed code cannot be written: {error}") from error
    return fixed
