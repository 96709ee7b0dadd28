"""Every rule, registered in one place, ordered by code."""

from __future__ import annotations

from flake8_asyncloop.rules.base import Example, Rule
from flake8_asyncloop.rules.elp100_direct_loop_construction import DirectLoopConstruction
from flake8_asyncloop.rules.elp101_get_event_loop_in_thread import GetEventLoopInThread
from flake8_asyncloop.rules.elp102_loop_not_installed import LoopNotInstalled
from flake8_asyncloop.rules.elp103_child_watcher_not_attached import ChildWatcherNotAttached
from flake8_asyncloop.rules.elp104_get_event_loop_in_coroutine import GetEventLoopInCoroutine
from flake8_asyncloop.rules.elp105_get_event_loop_without_loop import GetEventLoopWithoutLoop
from flake8_asyncloop.rules.elp106_child_watcher_api import ChildWatcherApi
from flake8_asyncloop.rules.elp107_event_loop_policy import EventLoopPolicyApi
from flake8_asyncloop.rules.elp108_loop_never_closed import LoopNeverClosed

ALL_RULES: tuple[Rule, ...] = (
    DirectLoopConstruction(),
    GetEventLoopInThread(),
    LoopNotInstalled(),
    ChildWatcherNotAttached(),
    GetEventLoopInCoroutine(),
    GetEventLoopWithoutLoop(),
    ChildWatcherApi(),
    EventLoopPolicyApi(),
    LoopNeverClosed(),
)
RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in ALL_RULES}

__all__ = ["ALL_RULES", "RULES_BY_CODE", "Example", "Rule"]
