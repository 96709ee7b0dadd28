"""Every rule, registered in one place, ordered by code."""

from __future__ import annotations

from flake8_asyncloop.rules.base import Example, Rule
from flake8_asyncloop.rules.elp100_direct_loop_construction import DirectLoopConstruction
from flake8_asyncloop.rules.elp101_get_event_loop_in_thread import GetEventLoopInThread
from flake8_asyncloop.rules.elp102_loop_not_installed import LoopNotInstalled
from flake8_asyncloop.rules.elp103_child_watcher_not_attached import ChildWatcherNotAttached

ALL_RULES: tuple[Rule, ...] = (
    DirectLoopConstruction(),
    GetEventLoopInThread(),
    LoopNotInstalled(),
    ChildWatcherNotAttached(),
)
RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in ALL_RULES}

__all__ = ["ALL_RULES", "RULES_BY_CODE", "Example", "Rule"]
