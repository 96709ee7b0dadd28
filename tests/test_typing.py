"""The package's type hints are checked (mypy --strict, configured in pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys

from tests.fixture_support import ROOT


def test_mypy_strict_passes() -> None:
    result = subprocess.run([sys.executable, "-m", "mypy"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
