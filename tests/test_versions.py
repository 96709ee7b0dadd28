from __future__ import annotations

from pathlib import Path

import pytest

from flake8_asyncloop.engine.versions import (
    DEFAULT_TARGET_VERSION,
    TargetVersionError,
    parse_target_versions,
    requires_python_for,
    resolve_target_versions,
)


@pytest.mark.parametrize(
    "spec, low, high",
    [
        (">=3.8", 8, 20),
        (">=3.8,<3.13", 8, 12),
        ("~=3.10", 10, 20),
        ("~=3.9.2", 9, 9),
        ("==3.11.*", 11, 11),
        (">=3.8.1", 8, 20),  # part of 3.8 qualifies
        (">3.7", 7, 20),  # 3.7.1 and later are newer than 3.7
        ("<3.8", 6, 7),
        ("3.9", 9, 20),
        ("py311", 11, 20),
        (">=3.7, !=3.9.*", 7, 20),
        (">=2.7", 6, 20),
    ],
)
def test_parse_ranges(spec: str, low: int, high: int) -> None:
    minors = parse_target_versions(spec).minors
    assert (min(minors), max(minors)) == (low, high)


def test_excluded_minor_is_absent() -> None:
    assert 9 not in parse_target_versions(">=3.7, !=3.9.*").minors


@pytest.mark.parametrize("spec", ["", "bogus", ">=three", "~=3", ">=3.9.*", "<3.0"])
def test_malformed_ranges_are_rejected(spec: str) -> None:
    with pytest.raises(TargetVersionError):
        parse_target_versions(spec)


def test_requires_python_from_nearest_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nrequires-python = ">=3.7"\n')
    package = tmp_path / "src" / "pkg"
    package.mkdir(parents=True)
    assert requires_python_for(str(package / "mod.py")) == ">=3.7"
    assert resolve_target_versions(None, str(package / "mod.py")).includes_below(8)
    # An explicit setting wins over requires-python.
    assert not resolve_target_versions(">=3.12", str(package / "mod.py")).includes_below(12)


def test_nearest_pyproject_without_requires_python_means_default(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nrequires-python = ">=3.7"\n')
    inner = tmp_path / "inner"
    inner.mkdir()
    (inner / "pyproject.toml").write_text("[tool.other]\nx = 1\n")
    assert requires_python_for(str(inner / "mod.py")) is None
    assert resolve_target_versions(None, str(inner / "mod.py")) == parse_target_versions(DEFAULT_TARGET_VERSION)


def test_broken_pyproject_falls_back_to_default(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project\nrequires-python = \n")
    assert resolve_target_versions(None, str(tmp_path / "mod.py")) == parse_target_versions(DEFAULT_TARGET_VERSION)
