"""Which Python versions and platforms can run a piece of code, from the guards around it.

``if sys.version_info < (3, 8):`` (and ``>=``, ``==``, ``[:2]``, ``.minor``, reversed operands,
``and``/``or``/``not``), ``sys.platform == "win32"``, ``sys.platform.startswith("linux")``,
``os.name == "nt"``, ``platform.system() == "Windows"`` and ``hasattr(asyncio, "SafeChildWatcher")``
(any child-watcher name: they exist up to 3.13) narrow what reaches their body, their ``else`` the
rest; an ``if`` whose body ends in ``return``/``raise``/``sys.exit()`` narrows what follows it in
the same block. Anything else is not understood and narrows nothing, so a guard
can only silence a rule, never make one fire.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Any, Callable, Optional, Union

import libcst as cst
from libcst.helpers import get_full_name_for_node

from flake8_asyncloop.engine.versions import ALL_MINORS, PATCH_PROBES

PLATFORMS = frozenset({"windows", "unix"})

_OPERATORS: dict[type, Callable[[Any, Any], bool]] = {
    cst.LessThan: operator.lt,
    cst.LessThanEqual: operator.le,
    cst.GreaterThan: operator.gt,
    cst.GreaterThanEqual: operator.ge,
    cst.Equal: operator.eq,
    cst.NotEqual: operator.ne,
}
_FLIPPED: dict[type, type] = {
    cst.LessThan: cst.GreaterThan,
    cst.LessThanEqual: cst.GreaterThanEqual,
    cst.GreaterThan: cst.LessThan,
    cst.GreaterThanEqual: cst.LessThanEqual,
    cst.Equal: cst.Equal,
    cst.NotEqual: cst.NotEqual,
}
_VERSION_INFO = ("sys.version_info", "version_info")
_PLATFORM_NAMES = ("sys.platform", "platform")
_LAST_CHILD_WATCHER_MINOR = 13  # the whole child-watcher API was removed in 3.14
# asyncio's child-watcher names: (first 3.x minor that has it, platforms that have it). The
# classes live in asyncio.unix_events, which Windows does not import; the functions are in
# asyncio.events everywhere (on Windows they raise NotImplementedError when called).
_CHILD_WATCHER_NAMES: dict[str, tuple[int, frozenset[str]]] = {
    "AbstractChildWatcher": (min(ALL_MINORS), frozenset({"unix"})),
    "SafeChildWatcher": (min(ALL_MINORS), frozenset({"unix"})),
    "FastChildWatcher": (min(ALL_MINORS), frozenset({"unix"})),
    "ThreadedChildWatcher": (8, frozenset({"unix"})),
    "MultiLoopChildWatcher": (8, frozenset({"unix"})),
    "PidfdChildWatcher": (9, frozenset({"unix"})),
    "get_child_watcher": (min(ALL_MINORS), frozenset({"unix", "windows"})),
    "set_child_watcher": (min(ALL_MINORS), frozenset({"unix", "windows"})),
}


@dataclass(frozen=True)
class Reach:
    """The (3.x minor, platform) pairs that can execute some code.

    Pairs, not a range of versions times a set of platforms: ``not (windows or 3.8+)`` is
    exactly "3.7 and older, not on Windows", which no product of the two would say.
    """

    pairs: frozenset[tuple[int, str]]

    @staticmethod
    def of(minors: frozenset[int] = ALL_MINORS, platforms: frozenset[str] = PLATFORMS) -> "Reach":
        return Reach(frozenset((minor, platform) for minor in minors for platform in platforms))

    def __and__(self, other: "Reach") -> "Reach":
        return Reach(self.pairs & other.pairs)

    def __or__(self, other: "Reach") -> "Reach":
        return Reach(self.pairs | other.pairs)

    def includes(self, minors: "range | frozenset[int]", platform: str | None = None) -> bool:
        """Whether some version in ``minors`` (on ``platform``, if given) is reached."""
        return any(m in minors and (platform is None or p == platform) for m, p in self.pairs)


EVERYWHERE = Reach.of()


_TYPE_CHECKING = frozenset({"TYPE_CHECKING", "typing.TYPE_CHECKING", "typing_extensions.TYPE_CHECKING"})


def condition_reach(test: cst.BaseExpression) -> tuple[Reach, Reach]:
    """What reaches the body of ``if test:`` and what reaches its ``else``."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        when_true, when_false = condition_reach(test.expression)
        return when_false, when_true
    if isinstance(test, cst.BooleanOperation):
        left_true, left_false = condition_reach(test.left)
        right_true, right_false = condition_reach(test.right)
        if isinstance(test.operator, cst.And):
            return left_true & right_true, left_false | right_false
        return left_true | right_true, left_false & right_false
    if isinstance(test, cst.Comparison):
        # ``(3, 14) <= sys.version_info < (3, 15)`` is both comparisons, joined by ``and``.
        when_true, when_false = EVERYWHERE, Reach(frozenset())
        left = test.left
        for target in test.comparisons:
            part_true, part_false = _comparison(left, target.operator, target.comparator)
            when_true, when_false = when_true & part_true, when_false | part_false
            left = target.comparator
        return when_true, when_false
    if isinstance(test, (cst.Name, cst.Attribute)) and get_full_name_for_node(test) in _TYPE_CHECKING:
        return Reach(frozenset()), EVERYWHERE  # only type checkers read the body
    if isinstance(test, cst.Call) and get_full_name_for_node(test.func) == "hasattr":
        return _asyncio_hasattr(test)
    if isinstance(test, cst.Call) and isinstance(test.func, cst.Attribute) and test.func.attr.value == "startswith":
        # sys.platform.startswith("win")
        if get_full_name_for_node(test.func.value) in _PLATFORM_NAMES and len(test.args) == 1:
            prefix = _string(test.args[0].value)
            if prefix is not None:
                platform = _platform_of(prefix)
                return Reach.of(platforms=frozenset({platform})), EVERYWHERE
    return EVERYWHERE, EVERYWHERE


def _comparison(left: cst.BaseExpression, op: cst.BaseCompOp, right: cst.BaseExpression) -> tuple[Reach, Reach]:
    if type(op) not in _OPERATORS:
        return _membership(left, op, right)
    if _version_operand(right) is not None and _version_operand(left) is None:
        left, right, op = right, left, _FLIPPED[type(op)]()
    version = _version_operand(left)
    if version is not None:
        bound = _int_tuple(right)
        if bound is None:
            return EVERYWHERE, EVERYWHERE
        if version == "minor":
            bound = (3, *bound)
            version = 2
        compare = _OPERATORS[type(op)]
        true_minors: set[int] = set()
        false_minors: set[int] = set()
        for minor in ALL_MINORS:
            for patch in PATCH_PROBES:
                running = (3, minor, patch, "final", 0)[: version if version else 5]
                try:
                    outcome = compare(running, bound)
                except TypeError:
                    return EVERYWHERE, EVERYWHERE
                (true_minors if outcome else false_minors).add(minor)
        return Reach.of(minors=frozenset(true_minors)), Reach.of(minors=frozenset(false_minors))
    platform = _platform_comparison(left, right)
    if platform is not None and isinstance(op, (cst.Equal, cst.NotEqual)):
        this, others = Reach.of(platforms=frozenset({platform})), Reach.of(platforms=PLATFORMS - {platform})
        return (this, others) if isinstance(op, cst.Equal) else (others, this)
    return EVERYWHERE, EVERYWHERE


def _membership(left: cst.BaseExpression, op: cst.BaseCompOp, right: cst.BaseExpression) -> tuple[Reach, Reach]:
    """``sys.platform in ("win32", "cygwin")``."""
    if not isinstance(op, (cst.In, cst.NotIn)) or get_full_name_for_node(left) not in _PLATFORM_NAMES:
        return EVERYWHERE, EVERYWHERE
    if not isinstance(right, (cst.Tuple, cst.List, cst.Set)):
        return EVERYWHERE, EVERYWHERE
    values = [_string(element.value) for element in right.elements]
    if any(value is None for value in values):
        return EVERYWHERE, EVERYWHERE
    platforms = frozenset(_platform_of(value) for value in values if value is not None)
    reach = Reach.of(platforms=platforms)
    return (reach, EVERYWHERE) if isinstance(op, cst.In) else (EVERYWHERE, reach)


def _asyncio_hasattr(test: cst.Call) -> tuple[Reach, Reach]:
    """``hasattr(asyncio, "SafeChildWatcher")``: true exactly where asyncio has that name.

    Libraries test for the child-watcher API this way instead of comparing versions (asynctest's
    policy raises NotImplementedError without it), so the test says "3.13 and older" as surely as
    ``sys.version_info < (3, 14)`` does. Other names are not known and narrow nothing.
    """
    if len(test.args) != 2 or any(arg.keyword is not None or arg.star for arg in test.args):
        return EVERYWHERE, EVERYWHERE
    name = _string(test.args[1].value)
    if get_full_name_for_node(test.args[0].value) != "asyncio" or name not in _CHILD_WATCHER_NAMES:
        return EVERYWHERE, EVERYWHERE
    first_minor, platforms = _CHILD_WATCHER_NAMES[name]
    present = Reach.of(
        minors=frozenset(minor for minor in ALL_MINORS if first_minor <= minor <= _LAST_CHILD_WATCHER_MINOR),
        platforms=platforms,
    )
    return present, Reach(EVERYWHERE.pairs - present.pairs)


def _version_operand(expr: cst.BaseExpression) -> Optional[Any]:
    """How much of sys.version_info ``expr`` is: 0 (all of it), 2 or 3 (a slice), "minor"."""
    if isinstance(expr, (cst.Name, cst.Attribute)) and get_full_name_for_node(expr) in _VERSION_INFO:
        return 0
    if isinstance(expr, cst.Attribute) and expr.attr.value == "minor":
        return "minor" if get_full_name_for_node(expr.value) in _VERSION_INFO else None
    if isinstance(expr, cst.Subscript) and get_full_name_for_node(expr.value) in _VERSION_INFO:
        if len(expr.slice) != 1:
            return None
        index = expr.slice[0].slice
        if isinstance(index, cst.Slice) and index.lower is None and index.step is None:
            upper = index.upper
            if isinstance(upper, cst.Integer) and upper.evaluated_value in (2, 3):
                return upper.evaluated_value
        if isinstance(index, cst.Index) and isinstance(index.value, cst.Integer) and index.value.evaluated_value == 1:
            return "minor"
    return None


def _int_tuple(expr: cst.BaseExpression) -> Optional[tuple[int, ...]]:
    if isinstance(expr, cst.Integer):
        return (int(expr.evaluated_value),)
    if not isinstance(expr, cst.Tuple) or not expr.elements:
        return None
    values = []
    for element in expr.elements:
        if not isinstance(element.value, cst.Integer):
            return None
        values.append(int(element.value.evaluated_value))
    return tuple(values)


def _platform_comparison(left: cst.BaseExpression, right: cst.BaseExpression) -> Optional[str]:
    """The platform ``left == right`` selects, for sys.platform, os.name, platform.system()."""
    for subject, value in ((left, right), (right, left)):
        text = _string(value)
        if text is None:
            continue
        name = get_full_name_for_node(subject.func if isinstance(subject, cst.Call) else subject)
        if name in _PLATFORM_NAMES or name in ("os.name", "platform.system", "system"):
            return _platform_of(text)
    return None


def _platform_of(value: str) -> str:
    return "windows" if value.lower().startswith(("win", "nt", "cygwin")) else "unix"


def _string(expr: cst.BaseExpression) -> Optional[str]:
    if isinstance(expr, cst.SimpleString):
        value = expr.evaluated_value
        return value if isinstance(value, str) else None
    return None


def ends_in_exit(body: cst.BaseSuite) -> bool:
    """Whether a block always leaves: its last statement returns, raises or calls sys.exit()."""
    last: Union[cst.BaseStatement, cst.BaseSmallStatement]
    if isinstance(body, cst.IndentedBlock):
        if not body.body or not isinstance(body.body[-1], cst.SimpleStatementLine):
            return False
        last = body.body[-1].body[-1]
    elif isinstance(body, cst.SimpleStatementSuite) and body.body:
        last = body.body[-1]
    else:
        return False
    if isinstance(last, (cst.Return, cst.Raise)):
        return True
    return (
        isinstance(last, cst.Expr)
        and isinstance(last.value, cst.Call)
        and get_full_name_for_node(last.value.func) in ("sys.exit", "exit", "os._exit")
    )


_READING_CALLS = frozenset({"platform.system", "hasattr"})
_CONSTANTS = (cst.Name, cst.Integer, cst.Float, cst.Imaginary, cst.SimpleString, cst.Ellipsis)
# The parts of an expression that only reads if they do.
_READ_PARTS: dict[type, Callable[[Any], list[Any]]] = {
    cst.Attribute: lambda node: [node.value],
    cst.ConcatenatedString: lambda node: [node.left, node.right],
    cst.Comparison: lambda node: [node.left, *(target.comparator for target in node.comparisons)],
    cst.BooleanOperation: lambda node: [node.left, node.right],
    cst.UnaryOperation: lambda node: [node.expression],
    cst.Tuple: lambda node: list(node.elements),
    cst.List: lambda node: list(node.elements),
    cst.Element: lambda node: [node.value],
    cst.Subscript: lambda node: [node.value, *(element.slice for element in node.slice)],
    cst.Index: lambda node: [node.value],
    cst.Slice: lambda node: [bound for bound in (node.lower, node.upper, node.step) if bound is not None],
}


def only_reads(test: cst.CSTNode) -> bool:
    """Whether evaluating ``test`` does nothing but read: names, attributes, subscripts and
    constants, compared and combined with ``and``/``or``/``not``, and the calls guards make
    (``platform.system()``, ``sys.platform.startswith(...)``, ``hasattr(...)``). An ``if`` with
    such a test and nothing left in its body can go; any other call, an await or a walrus may
    do something the program needs."""
    if isinstance(test, _CONSTANTS):
        return True
    if isinstance(test, cst.Call):
        return _guard_call(test) and all(not arg.star and only_reads(arg.value) for arg in test.args)
    parts = _READ_PARTS.get(type(test))
    return parts is not None and all(only_reads(part) for part in parts(test))


def _guard_call(call: cst.Call) -> bool:
    """``platform.system()``, ``hasattr(...)``, ``sys.platform.startswith(...)``."""
    if get_full_name_for_node(call.func) in _READING_CALLS:
        return True
    func = call.func
    return (
        isinstance(func, cst.Attribute)
        and func.attr.value == "startswith"
        and get_full_name_for_node(func.value) in _PLATFORM_NAMES
    )
