"""What version and platform guards let through."""

from __future__ import annotations

import libcst as cst
import pytest

from flake8_asyncloop.engine.guards import condition_reach, only_reads


def reach(test: str, branch: int = 0) -> set[tuple[int, str]]:
    return set(condition_reach(cst.parse_expression(test))[branch].pairs)


def minors(test: str, branch: int = 0) -> set[int]:
    return {minor for minor, _ in reach(test, branch)}


@pytest.mark.parametrize(
    "test, body, orelse",
    [
        ("sys.version_info < (3, 8)", {6, 7}, set(range(8, 21))),
        ("sys.version_info >= (3, 8)", set(range(8, 21)), {6, 7}),
        ("sys.version_info >= (3,)", set(range(6, 21)), set()),
        ("sys.version_info >= (3, 7, 4)", set(range(7, 21)), {6, 7}),  # 3.7.0-3.7.3 take the else
        ("(3, 8) > sys.version_info", {6, 7}, set(range(8, 21))),
        ("sys.version_info[:2] == (3, 11)", {11}, set(range(6, 21)) - {11}),
        ("sys.version_info.minor <= 9", {6, 7, 8, 9}, set(range(10, 21))),
        ("sys.version_info[1] > 12", set(range(13, 21)), set(range(6, 13))),
        ("not sys.version_info < (3, 8)", set(range(8, 21)), {6, 7}),
    ],
)
def test_version_guards(test: str, body: set[int], orelse: set[int]) -> None:
    assert minors(test) == body and minors(test, 1) == orelse


@pytest.mark.parametrize(
    "test, platforms",
    [
        ('sys.platform == "win32"', {"windows"}),
        ('sys.platform != "win32"', {"unix"}),
        ('sys.platform.startswith("linux")', {"unix"}),
        ('os.name == "nt"', {"windows"}),
        ('platform.system() == "Windows"', {"windows"}),
        ('sys.platform in ("win32", "cygwin")', {"windows"}),
    ],
)
def test_platform_guards(test: str, platforms: set[str]) -> None:
    assert {platform for _, platform in reach(test)} == platforms


def test_combinations_are_exact() -> None:
    # The else of "windows or 3.8+" is "3.7 and older on Unix", not everything.
    assert reach('sys.platform == "win32" or sys.version_info >= (3, 8)', 1) == {(6, "unix"), (7, "unix")}


@pytest.mark.parametrize("test", ["TYPE_CHECKING", "typing.TYPE_CHECKING", "typing_extensions.TYPE_CHECKING"])
def test_type_checking_blocks_never_run(test: str) -> None:
    assert reach(test) == set() and len(reach(test, 1)) == 30
    assert len(reach(f"not {test}")) == 30 and reach(f"not {test}", 1) == set()


@pytest.mark.parametrize("test", ["PY38", "sys.version_info > x", "sys.version_info[0] == 3", "f(sys.platform)"])
def test_what_is_not_understood_narrows_nothing(test: str) -> None:
    assert len(reach(test)) == len(reach(test, 1)) == 30


@pytest.mark.parametrize(
    "test, body",
    [
        ('hasattr(asyncio, "SafeChildWatcher")', {(minor, "unix") for minor in range(6, 14)}),
        ('hasattr(asyncio, "PidfdChildWatcher")', {(minor, "unix") for minor in range(9, 14)}),
        ('hasattr(asyncio, "get_child_watcher")', {(minor, p) for minor in range(6, 14) for p in ("unix", "windows")}),
    ],
)
def test_hasattr_on_a_child_watcher_name_is_a_guard(test: str, body: set[tuple[int, str]]) -> None:
    # The child-watcher API exists up to 3.13 (the classes only on Unix): the else is the rest.
    assert reach(test) == body
    assert reach(f"not {test}", 1) == body
    assert reach(test, 1) == reach("anything") - body


@pytest.mark.parametrize(
    "test", ['hasattr(asyncio, "run")', 'hasattr(aio, "SafeChildWatcher")', "hasattr(asyncio, name)", "hasattr(x)"]
)
def test_other_hasattr_tests_narrow_nothing(test: str) -> None:
    assert len(reach(test)) == len(reach(test, 1)) == 30


@pytest.mark.parametrize(
    "test, reads_only",
    [
        ("sys.version_info < (3, 8)", True),
        ("sys.version_info[:2] >= (3, 8) and not PY37", True),
        ('sys.platform.startswith("linux") or os.name == "nt"', True),
        ('platform.system() == "Windows"', True),
        ('hasattr(asyncio, "SafeChildWatcher")', True),
        ("loop is not None", True),
        ('os.environ.get("ATTACH")', False),  # any other call may do something
        ("check()", False),
        ("(flag := compute())", False),
        ('f"{loop}"', False),  # formatting calls __format__
        ("await ready()", False),
    ],
)
def test_only_reads(test: str, reads_only: bool) -> None:
    """An if whose test only reads can go once its body is empty (ELP106's fixes)."""
    assert only_reads(cst.parse_expression(test)) is reads_only
