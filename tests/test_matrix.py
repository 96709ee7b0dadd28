"""The test matrix (noxfile.py) covers what pyproject.toml declares."""

from __future__ import annotations

import re
import sys

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from tests.fixture_support import ROOT

nox = pytest.importorskip("nox", reason="the matrix is run by nox, a test extra")
noxfile = pytest.importorskip("noxfile", reason="noxfile.py is at the project's root")

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_every_declared_python_is_in_the_matrix() -> None:
    allowed = SpecifierSet(PROJECT["requires-python"])
    lowest = next(f"3.{minor}" for minor in range(6, 20) if f"3.{minor}" in allowed)
    assert noxfile.PYTHONS[0] == lowest, "the oldest Python requires-python admits is tested"
    assert all(version in allowed for version in noxfile.PYTHONS)
    classified = [
        match.group(1)
        for classifier in PROJECT["classifiers"]
        for match in [re.fullmatch(r"Programming Language :: Python :: (3\.\d+)", classifier)]
        if match
    ]
    assert classified == noxfile.PYTHONS


def test_lowest_session_pins_every_lower_bound() -> None:
    requirements = [*PROJECT["dependencies"], *PROJECT["optional-dependencies"]["test"]]
    pins = [Requirement(pin) for pin in noxfile.lowest_constraints()]
    assert len(pins) == len(requirements)
    for requirement, pin in zip(map(Requirement, requirements), pins):
        (lower,) = [spec.version for spec in requirement.specifier if spec.operator == ">="]
        assert (pin.name, str(pin.specifier), pin.marker) == (requirement.name, f"=={lower}", requirement.marker)
    assert {"libcst", "flake8", "rich", "pygls", "tomli"} <= {pin.name for pin in pins}
