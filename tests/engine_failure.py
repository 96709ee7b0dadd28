"""An engine that fails as a bug would, for the tests of how each adapter reports it (ELP900).

``ModuleAnalysis`` raises on a module whose text holds ``MARKER`` (a comment on a statement that
names a loop API, so that flake8's focused path keeps it too); every other file is checked as
usual. In this process: ``monkeypatch.setattr(ModuleAnalysis, "__init__", failing(...))``. In a
subprocess (flake8, the command and its worker processes, libcst.tool, the language server):
``environment(directory)``, which installs this file as the subprocess's ``sitecustomize``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any, Callable

from flake8_asyncloop.engine.analysis import ModuleAnalysis
from flake8_asyncloop.engine.internal import RAISE_VARIABLE

MARKER = "FORCED-ENGINE-BUG"
REASON = "forced for a test"

Init = Callable[..., None]


def failing(original: Init) -> Init:
    def init(self: ModuleAnalysis, module: Any, *args: Any, **kwargs: Any) -> None:
        if MARKER in module.code:
            raise RuntimeError(REASON)
        original(self, module, *args, **kwargs)

    return init


def environment(directory: Path) -> dict[str, str]:
    """The environment of a subprocess whose engine fails on MARKER, as users run it (internal
    errors reported, not raised)."""
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(__file__, directory / "sitecustomize.py")
    environ = {key: value for key, value in os.environ.items() if key != RAISE_VARIABLE}
    environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(directory), os.environ.get("PYTHONPATH")]))
    return environ


if __name__ == "sitecustomize":  # imported by Python at the start of a subprocess
    setattr(ModuleAnalysis, "__init__", failing(ModuleAnalysis.__init__))
