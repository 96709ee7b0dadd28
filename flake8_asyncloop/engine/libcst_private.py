"""The one place that relies on libcst's internals: parsing without re-validating.

Every node libcst builds runs ``_validate()`` from ``CSTNode.__post_init__``, a guard for nodes
built by hand; a tree its own parser makes from valid code passes by construction, and inside
flake8 the checks are a fifth of the plugin's time. libcst's source notes the same ("It might
make more sense to move validation work into the visitor, which would allow us to avoid
validating the tree when parsing a file"). Skipping them means replacing ``__post_init__`` on the
class while the parser runs, which is right only while it does nothing else: ``USABLE`` checks
that once, at import. When a libcst release changes the hook, it is False and every parse is
libcst's public ``parse_module``, validation included.
"""

from __future__ import annotations

import threading

import libcst as cst

_VALIDATING_POST_INIT = cst.CSTNode.__dict__.get("__post_init__")


def _validates_only(post_init: object) -> bool:
    code = getattr(post_init, "__code__", None)
    return code is not None and code.co_names == ("_validate",)


USABLE = _validates_only(_VALIDATING_POST_INIT)
# The switch is on a class every thread shares: our parses take turns, so none restores
# validation while another still relies on it being off.
_SWITCH_LOCK = threading.Lock()


def _no_validation(node: cst.CSTNode) -> None:
    pass


def parse_module_unvalidated(code: str) -> cst.Module:
    """``cst.parse_module(code)``, without re-validating the parser's own nodes when ``USABLE``.

    Nodes built meanwhile by another thread are not validated either: only the adapters that
    own their process parse this way (``process.OWNER``)."""
    if not USABLE:
        return cst.parse_module(code)
    with _SWITCH_LOCK:
        setattr(cst.CSTNode, "__post_init__", _no_validation)
        try:
            return cst.parse_module(code)
        finally:
            setattr(cst.CSTNode, "__post_init__", _VALIDATING_POST_INIT)
