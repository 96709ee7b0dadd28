"""The project's own code passes its checks: mypy --strict and flake8 (configured in the repo)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.fixture_support import ROOT


def test_mypy_strict_passes() -> None:
    # mypy 1.20 runs on 3.10+ (and checks for 3.10 at the least); the matrix runs this test there.
    pytest.importorskip("mypy", reason="mypy, the checker this project pins, needs Python 3.10")
    result = subprocess.run([sys.executable, "-m", "mypy"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_flake8_passes_on_the_project() -> None:
    result = subprocess.run([sys.executable, "-m", "flake8"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
