"""The fixer's guarantees on small programs: imports, aliases, indentation, fixpoint, safety."""

from __future__ import annotations

import pytest

from flake8_asyncloop.engine.fixer import fix_source
from flake8_asyncloop.engine.versions import parse_target_versions
from flake8_asyncloop.rules import ALL_RULES

TARGETS = parse_target_versions(">=3.7")


def fixed(source: str, unsafe: bool = False, targets: str = ">=3.7") -> str:
    result = fix_source(source, parse_target_versions(targets), ALL_RULES, unsafe=unsafe)
    assert fix_source(result.source, parse_target_versions(targets), ALL_RULES, unsafe=unsafe).source == result.source
    return result.source


def test_an_existing_alias_is_used() -> None:
    source = (
        "import asyncio as aio\n\ndef main():\n    loop = aio.new_event_loop()\n"
        "    aio.ensure_future(job())\n    loop.run_forever()\n    loop.close()\n"
    )
    assert fixed(source) == (
        "import asyncio as aio\n\ndef main():\n    loop = aio.new_event_loop()\n"
        "    aio.set_event_loop(loop)\n    aio.ensure_future(job())\n    loop.run_forever()\n    loop.close()\n"
    )


def test_a_missing_import_is_added_once_after_the_leading_imports() -> None:
    source = (
        '"""Docstring."""\n'
        "from __future__ import annotations\n"
        "from asyncio import ensure_future, new_event_loop\n"
        "import os\n"
        "\n"
        "def a():\n"
        "    loop = new_event_loop()\n"
        "    ensure_future(job())\n"
        "    loop.run_forever()\n"
        "    loop.close()\n"
        "\n"
        "def b():\n"
        "    other = new_event_loop()\n"
        "    ensure_future(job())\n"
        "    other.run_forever()\n"
        "    other.close()\n"
    )
    assert fixed(source) == (
        '"""Docstring."""\n'
        "from __future__ import annotations\n"
        "from asyncio import ensure_future, new_event_loop\n"
        "import os\n"
        "import asyncio\n"
        "\n"
        "def a():\n"
        "    loop = new_event_loop()\n"
        "    asyncio.set_event_loop(loop)\n"
        "    ensure_future(job())\n"
        "    loop.run_forever()\n"
        "    loop.close()\n"
        "\n"
        "def b():\n"
        "    other = new_event_loop()\n"
        "    asyncio.set_event_loop(other)\n"
        "    ensure_future(job())\n"
        "    other.run_forever()\n"
        "    other.close()\n"
    )


def test_no_fix_when_the_module_name_is_taken_in_that_scope() -> None:
    source = (
        "from asyncio import ensure_future, new_event_loop\n"
        "\n"
        "def main(asyncio):\n"
        "    loop = new_event_loop()\n"
        "    ensure_future(job())\n"
        "    loop.run_forever()\n"
        "    loop.close()\n"
    )
    result = fix_source(source, TARGETS, ALL_RULES)
    assert result.source == source and [d.code for d in result.remaining] == ["ELP102"]


def test_tabs_and_crlf_are_kept_in_inserted_lines() -> None:
    source = (
        "import asyncio\r\n\r\nclass A:\r\n\tdef run(self):\r\n"
        "\t\tloop = asyncio.new_event_loop()\r\n\t\tasyncio.ensure_future(job())\r\n"
        "\t\tloop.run_forever()\r\n\t\tloop.close()\r\n"
    )
    assert fixed(source) == source.replace(
        "new_event_loop()\r\n", "new_event_loop()\r\n\t\tasyncio.set_event_loop(loop)\r\n"
    )


def test_last_line_without_a_newline() -> None:
    source = (
        "import asyncio\nloop = asyncio.new_event_loop()\nasyncio.ensure_future(job())\n"
        "loop.run_forever(); loop2 = asyncio.EventLoop()"
    )
    assert fixed(source) == (
        "import asyncio\nloop = asyncio.new_event_loop()\nasyncio.set_event_loop(loop)\nasyncio.ensure_future(job())\n"
        "loop.run_forever(); loop2 = asyncio.new_event_loop()"
    )


def test_a_one_line_compound_statement_gets_no_insertion() -> None:
    source = (
        "import asyncio\nif True: loop = asyncio.new_event_loop(); asyncio.ensure_future(job())\n"
        "loop.run_forever()\nloop.close()\n"
    )
    assert fixed(source) == source


def test_installing_the_loop_settles_the_child_watcher_in_the_same_run() -> None:
    """ELP102's fix (set_event_loop) wins the shared insertion point; on 3.7 it also attaches the
    watcher, so ELP103 is gone at the fixpoint instead of adding a redundant attach."""
    source = (
        "import asyncio\n"
        "async def spawn():\n"
        "    await asyncio.create_subprocess_exec('true')\n"
        "def main():\n"
        "    loop = asyncio.new_event_loop()\n"
        "    loop.run_until_complete(asyncio.gather(spawn()))\n"
        "    loop.close()\n"
    )
    result = fix_source(source, TARGETS, ALL_RULES)
    assert result.applied == 1 and not result.remaining
    assert result.source == source.replace("new_event_loop()\n", "new_event_loop()\n    asyncio.set_event_loop(loop)\n")


def test_attach_fix_under_a_version_guard_adds_sys() -> None:
    source = (
        "import asyncio\n"
        "class Server:\n"
        "    def start(self):\n"
        "        self.loop = asyncio.new_event_loop()\n"
        "        self.done = asyncio.Future()\n"
        "        self.loop.run_until_complete(spawn())\n"
        "async def spawn():\n"
        "    await asyncio.create_subprocess_exec('true')\n"
    )
    result = fixed(source)  # ELP102's fix is unsafe for self.loop, so ELP103's attach is applied
    assert result == (
        "import asyncio\n"
        "import sys\n"
        "class Server:\n"
        "    def start(self):\n"
        "        self.loop = asyncio.new_event_loop()\n"
        "        if sys.version_info < (3, 8):\n"
        "            asyncio.get_child_watcher().attach_loop(self.loop)\n"
        "        self.done = asyncio.Future()\n"
        "        self.loop.run_until_complete(spawn())\n"
        "async def spawn():\n"
        "    await asyncio.create_subprocess_exec('true')\n"
    )


@pytest.mark.parametrize(
    "source",
    [
        "import asyncio\nloop = asyncio.SelectorEventLoop()\n",
        "import asyncio, threading\ndef w():\n    loop = asyncio.get_event_loop()\n    loop.run_forever()\n"
        "threading.Thread(target=w).start()\n",
    ],
)
def test_unsafe_fixes_need_to_be_asked_for(source: str) -> None:
    assert fixed(source) == source
    assert fixed(source, unsafe=True) != source


def test_multiline_strings_moved_into_try_keep_their_content() -> None:
    source = (
        "import asyncio, threading\n"
        "def w():\n"
        "    loop = asyncio.get_event_loop()\n"
        "    text = '''\n"
        "first\n"
        "  second\n"
        "'''\n"
        "    loop.run_until_complete(show(text))\n"
        "threading.Thread(target=w).start()\n"
    )
    assert fixed(source, unsafe=True) == (
        "import asyncio, threading\n"
        "def w():\n"
        "    loop = asyncio.new_event_loop()\n"
        "    asyncio.set_event_loop(loop)\n"
        "    try:\n"
        "        text = '''\n"
        "first\n"
        "  second\n"
        "'''\n"
        "        loop.run_until_complete(show(text))\n"
        "    finally:\n"
        "        loop.close()\n"
        "threading.Thread(target=w).start()\n"
    )


# Imports a fix leaves unused go (flake8's F401); imports that were unused before stay.


def test_an_import_the_fix_leaves_unused_is_removed() -> None:
    source = (
        "import asyncio\n"
        "import json\n"
        "from asyncio import SelectorEventLoop, get_event_loop  # the loop classes\n"
        "from asyncio import (\n"
        "    ProactorEventLoop,\n"
        "    get_running_loop,\n"
        ")\n"
        "async def main():\n"
        "    return get_event_loop(), get_running_loop\n"
        "def make():\n"
        "    return SelectorEventLoop()\n"
    )
    assert fixed(source, unsafe=True, targets=">=3.9") == (
        "import asyncio\n"
        "import json\n"
        "from asyncio import (\n"
        "    ProactorEventLoop,\n"
        "    get_running_loop,\n"
        ")\n"
        "async def main():\n"
        "    return asyncio.get_running_loop(), get_running_loop\n"
        "def make():\n"
        "    return asyncio.new_event_loop()\n"
    )


def test_only_the_alias_that_lost_its_use_goes() -> None:
    source = (
        "import asyncio\n"
        "from asyncio import (\n"
        "    SelectorEventLoop,\n"
        "    sleep,  # kept\n"
        ")\n"
        "from asyncio import get_event_loop as lookup, gather\n"
        "async def main():\n"
        "    await sleep(0)\n"
        "    return lookup(), gather\n"
        "loop = SelectorEventLoop()\n"
        "asyncio.set_event_loop(loop)\n"
        "loop.close()\n"
    )
    assert fixed(source, unsafe=True, targets=">=3.9") == (
        "import asyncio\n"
        "from asyncio import (\n"
        "    sleep,  # kept\n"
        ")\n"
        "from asyncio import gather\n"
        "async def main():\n"
        "    await sleep(0)\n"
        "    return asyncio.get_running_loop(), gather\n"
        "loop = asyncio.new_event_loop()\n"
        "asyncio.set_event_loop(loop)\n"
        "loop.close()\n"
    )


@pytest.mark.parametrize(
    "imports",
    [
        "from asyncio import get_event_loop  # noqa: F401\n",  # the user's noqa
        "from asyncio import get_event_loop; import json\n",  # shares its line
        "__all__ = ['get_event_loop']\nfrom asyncio import get_event_loop\n",  # exported
        "if True:\n    from asyncio import get_event_loop\n",  # the only statement of its block
    ],
)
def test_imports_that_may_still_matter_stay(imports: str) -> None:
    source = f"import asyncio\n{imports}async def main():\n    return get_event_loop()\n"
    result = fixed(source, targets=">=3.9")
    assert result == source.replace("return get_event_loop()", "return asyncio.get_running_loop()")


def test_elp106_deletions_keep_crlf_and_tabs_and_leave_no_empty_block() -> None:
    source = (
        "import asyncio\r\nimport sys\r\n\r\ndef attach(loop):\r\n"
        "\tif sys.platform != 'win32':\r\n\t\tasyncio.get_child_watcher().attach_loop(loop)\r\n"
        "\r\ndef attach_by_name(loop):\r\n\tprint(loop)\r\n"
        "\twatcher = asyncio.get_child_watcher()\r\n\twatcher.attach_loop(loop)\r\n"
        "\r\ndef attach_or_else(loop):\r\n"
        "\tif sys.platform != 'win32':\r\n\t\tasyncio.get_child_watcher().attach_loop(loop)  # kept\r\n"
        "\telse:\r\n\t\tprint(loop)\r\n"
    )
    assert fixed(source, targets=">=3.8") == (
        "import sys\r\n\r\ndef attach(loop):\r\n\tpass\r\n"
        "\r\ndef attach_by_name(loop):\r\n\tprint(loop)\r\n"
        "\r\ndef attach_or_else(loop):\r\n"
        "\tif sys.platform != 'win32':\r\n\t\tpass  # kept\r\n"
        "\telse:\r\n\t\tprint(loop)\r\n"
    )


def test_elp106_guard_moves_a_watcher_kept_in_a_name_with_crlf_and_tabs() -> None:
    source = (
        "import asyncio\r\n\r\ndef attach(loop):\r\n"
        "\twatcher = asyncio.get_child_watcher()  # the default one\r\n\twatcher.attach_loop(loop)\r\n\treturn loop\r\n"
    )
    assert fixed(source) == (
        "import asyncio\r\nimport sys\r\n\r\ndef attach(loop):\r\n\tif sys.version_info < (3, 8):\r\n"
        "\t\twatcher = asyncio.get_child_watcher()  # the default one\r\n\t\twatcher.attach_loop(loop)\r\n"
        "\treturn loop\r\n"
    )
