"""The project's own code passes its checks: mypy --strict and flake8 (configured in the repo)."""

from __future__ import annotations

import subprocess
import sys

from tests.fixture_support import ROOT


def test_mypy_strict_passes() -> None:
    result = subprocess.run([sys.executable, "-m", "mypy"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_flake8_passes_on_the_project() -> None:
    result = subprocess.run([sys.executable, "-m", "flake8"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
