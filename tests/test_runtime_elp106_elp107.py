"""ELP106 and ELP107 at run time: what their messages say each API does, version by version.

ELP106: the child-watcher API warns on 3.12-3.13 (deprecated) and raises AttributeError on 3.14
(removed), a subclass of a watcher class where the class is defined. ELP107: the policy API warns
on 3.14 ("slated for removal in Python 3.16"), a call where it is called and a policy class where
its name is read, so a subclass at the class line; set_event_loop(), which the fixes write, does
not warn. Each program runs under ``-W error::DeprecationWarning`` on every version listed, 3.14
where one is found (scripts/fetch_python314.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple, Optional

import pytest

from tests.test_runtime_elp101 import runtime_python
from tests.test_runtime_fixes import run

VERSIONS = ["3.8", "3.11", "3.12", "3.13", "3.14"]


class Case(NamedTuple):
    code: str  # the program's second line (and more), after "import asyncio"
    name: str  # the asyncio attribute that warns or is missing
    api: str  # "watcher", "policy", or "loop" (neither)


CASES = {
    "get_child_watcher": Case("asyncio.get_child_watcher()", "get_child_watcher", "watcher"),
    "set_child_watcher": Case(
        "asyncio.set_child_watcher(asyncio.ThreadedChildWatcher())", "set_child_watcher", "watcher"
    ),
    "watcher-subclass": Case("class W(asyncio.AbstractChildWatcher):\n    pass", "AbstractChildWatcher", "watcher"),
    "set_event_loop_policy": Case("asyncio.set_event_loop_policy(None)", "set_event_loop_policy", "policy"),
    "get_event_loop_policy": Case(
        "asyncio.get_event_loop_policy().new_event_loop().close()", "get_event_loop_policy", "policy"
    ),
    "policy-subclass": Case("class P(asyncio.DefaultEventLoopPolicy):\n    pass", "DefaultEventLoopPolicy", "policy"),
    "read-policy-getter": Case("getter = asyncio.get_event_loop_policy", "get_event_loop_policy", "loop"),
    "set_event_loop": Case(
        "loop = asyncio.new_event_loop()\nasyncio.set_event_loop(loop)\nasyncio.set_event_loop(None)\nloop.close()",
        "set_event_loop",
        "loop",
    ),
}


def _failure(case: Case, version: str) -> Optional[str]:
    """How the last line of the error starts on ``version``, or None where the program runs cleanly."""
    minor = int(version.split(".")[1])
    if case.api == "watcher" and minor >= 14:
        return f"AttributeError: module 'asyncio' has no attribute '{case.name}'"
    if case.api == "watcher" and minor >= 12:
        return f"DeprecationWarning: '{case.name}' is deprecated as of Python 3.12 and will be removed in Python 3.14"
    if case.api == "policy" and minor >= 14:
        return f"DeprecationWarning: 'asyncio.{case.name}' is deprecated and slated for removal in Python 3.16"
    return None


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("case", CASES.values(), ids=list(CASES))
def test_each_api_warns_or_is_gone_where_the_rules_say(case: Case, version: str, tmp_path: Path) -> None:
    python = runtime_python(version)
    program = tmp_path / "program.py"
    program.write_text(f"import asyncio\n{case.code}\n")
    result = run(python, program, warnings="error::DeprecationWarning")
    failure = _failure(case, version)
    if failure is None:
        assert result.returncode == 0 and result.stderr == "", result.stderr
        return
    assert result.stderr.splitlines()[-1].startswith(failure), result.stderr
    # At the line that uses the API: the call, or the class statement that reads the base.
    assert f'{program}", line 2' in result.stderr, result.stderr
