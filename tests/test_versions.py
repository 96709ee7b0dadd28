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


def test_broken_pyproject_is_an_error_naming_it(tmp_path: Path) -> None:
    # It may hold the [tool.flake8-asyncloop] table that applies: guessing would be silent.
    (tmp_path / "pyproject.toml").write_text("[project\nrequires-python = \n")
    assert requires_python_for(str(tmp_path / "mod.py")) is None
    with pytest.raises(TargetVersionError, match=r"pyproject\.toml: cannot read it"):
        resolve_target_versions(None, str(tmp_path / "mod.py"))


def test_the_tables_target_version_wins_over_requires_python(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nrequires-python = ">=3.12"\n[tool.flake8-asyncloop]\ntarget-version = ">=3.8"\n'
    )
    inner = tmp_path / "inner"
    inner.mkdir()
    (inner / "pyproject.toml").write_text('[project]\nrequires-python = ">=3.13"\n')
    # The nearest table applies, as ruff's does; a nearer pyproject.toml without one does not hide it.
    assert resolve_target_versions(None, str(inner / "mod.py")) == parse_target_versions(">=3.8")
    assert resolve_target_versions(">=3.11", str(inner / "mod.py")) == parse_target_versions(">=3.11")


@pytest.mark.parametrize(
    ("value", "message"), [('"bogus"', "cannot read target version 'bogus'"), ("39", "must be a string")]
)
def test_a_bad_target_version_in_the_table_names_the_file(tmp_path: Path, value: str, message: str) -> None:
    (tmp_path / "pyproject.toml").write_text(f"[tool.flake8-asyncloop]\ntarget-version = {value}\n")
    with pytest.raises(TargetVersionError, match=rf"pyproject\.toml \[tool\.flake8-asyncloop\]: .*{message}"):
        resolve_target_versions(None, str(tmp_path / "mod.py"))
