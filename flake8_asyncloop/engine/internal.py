"""When the engine fails on a file: a bug in flake8-asyncloop, not a problem in the checked code.

Every adapter reports it as one ELP900 diagnostic at the top of the file, with the exception and
where to report it, so that the failure is in the results (flake8's output and exit code, the
command's summary, libcst.tool's failures, the editor's problems) and not only in a traceback on
standard error, which CI logs tend to hide. The traceback still goes where each adapter logs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, metadata
from traceback import format_exception
from typing import Optional

from flake8_asyncloop.engine.diagnostics import Diagnostic

INTERNAL_ERROR_CODE = "ELP900"
INTERNAL_ERROR_NAME = "internal-error"
INTERNAL_ERROR_SUMMARY = "flake8-asyncloop itself failed on the file: a bug to report, not a problem in the code."
# Set by this project's own tests, so that an engine bug fails them instead of becoming ELP900.
RAISE_VARIABLE = "FLAKE8_ASYNCLOOP_RAISE_INTERNAL_ERRORS"
ON_STANDARD_ERROR = "on standard error"
# [project.urls] labels PyPI shows as the issue tracker; without one, the message names it.
ISSUE_LABELS = ("issues", "issuetracker", "bugtracker", "bugs", "tracker", "bugreports")
_REASON_LENGTH = 100


def raise_internal_errors() -> bool:
    return os.environ.get(RAISE_VARIABLE) == "1"


def _normalized_label(label: str) -> str:
    # As PyPI compares [project.urls] labels: case, spaces and punctuation do not count.
    return "".join(character for character in label.lower() if character.isalnum())


def project_url(*labels: str) -> Optional[str]:
    """The installed distribution's ``[project.urls]`` entry under one of ``labels``, if any."""
    try:
        entries: list[str] = metadata("flake8-asyncloop").get_all("Project-URL") or []
    except PackageNotFoundError:
        return None
    wanted = {_normalized_label(label) for label in labels}
    for entry in entries:
        label, _, url = entry.partition(",")
        if _normalized_label(label) in wanted:
            return url.strip()
    return None


def internal_error_message(error: BaseException, traceback_at: str = ON_STANDARD_ERROR) -> str:
    """One line: the exception, shortened, and where to report it with the traceback."""
    reason = " ".join(str(error).split())
    if len(reason) > _REASON_LENGTH:
        reason = f"{reason[:_REASON_LENGTH - 3]}..."
    what = f"{type(error).__name__}: {reason}" if reason else type(error).__name__
    where = project_url(*ISSUE_LABELS) or "the flake8-asyncloop issue tracker"
    return f"flake8-asyncloop internal error ({what}); please report it, with the traceback {traceback_at}, to {where}"


@dataclass(frozen=True)
class InternalError:
    """The engine's failure on one file: the line ELP900 says, and the traceback to report."""

    message: str
    traceback: str

    @classmethod
    def of(cls, error: BaseException, traceback_at: str = ON_STANDARD_ERROR) -> InternalError:
        lines = format_exception(type(error), error, error.__traceback__)
        return cls(internal_error_message(error, traceback_at), "".join(lines))

    def diagnostic(self) -> Diagnostic:
        return Diagnostic(1, 0, INTERNAL_ERROR_CODE, self.message)


def configuration_error(reason: str) -> Diagnostic:
    """ELP900 for configuration the adapter cannot use (a ``[tool.flake8-asyncloop]`` table with a
    bad target-version): flake8 has no other way to make it visible in its results and exit code."""
    return Diagnostic(1, 0, INTERNAL_ERROR_CODE, f"flake8-asyncloop cannot use its configuration: {reason}")
