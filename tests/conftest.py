import os

import pytest
from hypothesis import HealthCheck, settings

from tests.fixture_support import ROOT
from tests.snapshot_support import UPDATE_OPTION, UPDATE_VARIABLE, Snapshots, update_requested

# Every flake8 this suite starts (and the plugin imported in-process) re-raises engine errors
# instead of logging them, so a bug fails a test rather than hiding as "no diagnostics".
os.environ["FLAKE8_ASYNCLOOP_RAISE_INTERNAL_ERRORS"] = "1"
# The output the tests pin is plain: a FORCE_COLOR in the environment (some CI sets it) would
# colour every command's text output. The colour tests set it themselves.
os.environ.pop("FORCE_COLOR", None)

# The reliability runs have a quick default, for CI, and a long one on request: many more
# generated programs, real flake8 over the whole standard library, every test_asyncio module.
LONG_OPTION = "--long-reliability"
LONG_VARIABLE = "FLAKE8_ASYNCLOOP_LONG_RELIABILITY"

# Generated programs are slow to make (hypothesmith), and how long one check takes depends
# on the machine: no deadline, and no health check failing a test for slow generation. The
# quick run is the same programs every time, so CI stays reproducible; the long run explores.
for _profile, _examples in (("quick", 25), ("long", 1000)):
    settings.register_profile(
        _profile,
        max_examples=_examples,
        derandomize=_profile == "quick",
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        LONG_OPTION,
        action="store_true",
        help=f"run the long reliability tests (also: {LONG_VARIABLE}=1); minutes instead of seconds",
    )
    parser.addoption(
        UPDATE_OPTION,
        action="store_true",
        help=f"rewrite the stored flake8 output and fix diffs instead of comparing (also: {UPDATE_VARIABLE}=1)",
    )


def long_runs_requested(config: pytest.Config) -> bool:
    return bool(config.getoption(LONG_OPTION)) or os.environ.get(LONG_VARIABLE) == "1"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"long: runs only with {LONG_OPTION} or {LONG_VARIABLE}=1")
    settings.load_profile("long" if long_runs_requested(config) else "quick")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if long_runs_requested(config):
        return
    skip = pytest.mark.skip(reason=f"long run: pass {LONG_OPTION} or set {LONG_VARIABLE}=1")
    for item in items:
        if "long" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def long_run(request: pytest.FixtureRequest) -> bool:
    """Whether the long reliability runs were asked for (tests scale their input by it)."""
    return long_runs_requested(request.config)


@pytest.fixture
def snapshots(request: pytest.FixtureRequest) -> Snapshots:
    """Compares with the stored expectations, or rewrites them with --update-snapshots (tests/snapshot_support.py)."""
    return Snapshots(update_requested(request.config), request.path.relative_to(ROOT).as_posix())
