"""The cheap test that keeps most files away from libcst.

Every rule starts from a name that must appear in the source text under any alias: an import of
the loop API (``from asyncio import get_event_loop as gel``) spells it out, and attribute access
(``aio.new_event_loop``) does too. A file without any of these words has nothing to report.
"""

from __future__ import annotations

import re

_LOOP_API_WORDS = re.compile(r"event_loop|EventLoop|uvloop|child_watcher|ChildWatcher")


def mentions_loop_api(source: str) -> bool:
    return _LOOP_API_WORDS.search(source) is not None
