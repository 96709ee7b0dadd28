# asyncloop-target-version: >=3.7
"""ELP103 under version and platform guards: a loop that only 3.8+ or only Windows can reach needs
no child watcher; a guarded compatibility shim is never flagged; code that 3.7 on Unix reaches is."""
import asyncio
import os
import platform
import sys

PY38 = sys.version_info >= (3, 8)


async def spawn():
    process = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    return await process.wait()


def only_modern_pythons():
    if sys.version_info >= (3, 8):
        loop = asyncio.new_event_loop()  # error: ELP108  # ok: ELP103
        loop.run_until_complete(spawn())


def the_else_branch_is_37():
    if sys.version_info >= (3, 8):
        return asyncio.run(spawn())
    else:
        loop = asyncio.new_event_loop()  # error: ELP103, ELP108
        asyncio.get_child_watcher().attach_loop(loop)
        return loop.run_until_complete(spawn())


def compatibility_shim():
    loop = asyncio.new_event_loop()  # error: ELP108  # ok: ELP103
    try:
        if sys.version_info < (3, 8):
            asyncio.get_child_watcher().attach_loop(loop)
        asyncio.set_event_loop(loop)
        return loop.run_until_complete(spawn())
    finally:
        loop.close()


def slice_and_reversed_comparisons():
    if (3, 8) <= sys.version_info[:2]:
        loop = asyncio.new_event_loop()  # error: ELP108  # ok: ELP103
        loop.run_until_complete(spawn())
    if sys.version_info.minor >= 8:
        loop = asyncio.new_event_loop()  # error: ELP108  # ok: ELP103
        loop.run_until_complete(spawn())


def patch_level_guard_still_reaches_37():
    if sys.version_info >= (3, 7, 4):
        loop = asyncio.new_event_loop()  # error: ELP103, ELP108
        if sys.version_info < (3, 8):
            asyncio.get_child_watcher().attach_loop(loop)
        loop.run_until_complete(spawn())


def early_return_guard():
    if sys.version_info < (3, 8):
        return None
    loop = asyncio.new_event_loop()  # error: ELP108  # ok: ELP103
    try:
        return loop.run_until_complete(spawn())
    finally:
        loop.close()


def windows_only():
    if sys.platform == "win32":
        loop = asyncio.new_event_loop()  # error: ELP108  # ok: ELP103
        loop.run_until_complete(spawn())
    if os.name == "nt":
        loop = asyncio.new_event_loop()  # error: ELP108  # ok: ELP103
        loop.run_until_complete(spawn())
    if platform.system() == "Windows":
        loop = asyncio.new_event_loop()  # error: ELP108  # ok: ELP103
        loop.run_until_complete(spawn())


def unix_only_on_37():
    if sys.platform.startswith("linux") and sys.version_info < (3, 8):
        loop = asyncio.new_event_loop()  # error: ELP103, ELP108
        asyncio.get_child_watcher().attach_loop(loop)
        loop.run_until_complete(spawn())
    if sys.platform != "win32":
        loop = asyncio.new_event_loop()  # error: ELP103, ELP108
        if sys.version_info < (3, 8):
            asyncio.get_child_watcher().attach_loop(loop)
        loop.run_until_complete(spawn())


def not_windows_or_modern():
    if not (sys.platform == "win32" or sys.version_info >= (3, 8)):
        loop = asyncio.new_event_loop()  # error: ELP103, ELP108
        asyncio.get_child_watcher().attach_loop(loop)
        loop.run_until_complete(spawn())
    else:
        loop = asyncio.new_event_loop()  # error: ELP108  # ok: ELP103
        loop.run_until_complete(spawn())


def a_flag_guards_like_its_test():
    if PY38:
        # A module constant defined once from sys.version_info guards like its test.
        loop = asyncio.new_event_loop()  # error: ELP108  # ok: ELP103
        loop.run_until_complete(spawn())


if sys.version_info < (3, 8):
    raise ImportError("this module needs Python 3.8")


def after_a_module_level_guard():
    loop = asyncio.new_event_loop()  # error: ELP108  # ok: ELP103
    try:
        loop.run_until_complete(spawn())
    finally:
        loop.close()
