from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Iterator, Optional, Sequence

import libcst as cst

from flake8_asyncloop.engine import apis
from flake8_asyncloop.engine.calls import argument, keyword_argument
from flake8_asyncloop.engine.diagnostics import Edit, Finding, Fix
from flake8_asyncloop.engine.guards import EVERYWHERE, condition_reach
from flake8_asyncloop.engine.reads import Reads
from flake8_asyncloop.engine.timeline import RAISES_REMOVED, WARNS_DEPRECATED, Effect, Timeline, from_version
from flake8_asyncloop.rules.advice import (
    RUN_LOOP_FACTORY,
    RUNNER_LOOP_FACTORY,
    UVLOOP_RUN,
    choices,
    some_older,
    version_guard,
)
from flake8_asyncloop.rules.base import Example, Rule, register

if TYPE_CHECKING:
    from flake8_asyncloop.engine.analysis import ModuleAnalysis
    from flake8_asyncloop.engine.index import CallSite

_FROM_314 = range(14, 100)
_FROM_316 = range(16, 100)  # the policy system is gone (CPython's main branch)
_FROM_314_SET = frozenset(_FROM_314)
_FROM_316_SET = frozenset(_FROM_316)
# How to make loops without a policy: (code, first 3.x minor that has it).
_FACTORY_RECIPES = (
    ("asyncio.Runner(loop_factory=...)", RUNNER_LOOP_FACTORY),
    ("asyncio.run(main(), loop_factory=...)", RUN_LOOP_FACTORY),
)
_UVLOOP_RECIPES = (
    ("uvloop.run(main())", UVLOOP_RUN),
    ("asyncio.run(main(), loop_factory=uvloop.new_event_loop)", RUN_LOOP_FACTORY),
)
# What replaces each policy API.
_INSTEAD = {
    "install": _UVLOOP_RECIPES,
    "EventLoopPolicy": _UVLOOP_RECIPES,
    "WindowsSelectorEventLoopPolicy": (
        ("asyncio.run(main(), loop_factory=asyncio.SelectorEventLoop)", RUN_LOOP_FACTORY),
    ),
    "WindowsProactorEventLoopPolicy": (
        ("asyncio.run(main(), loop_factory=asyncio.ProactorEventLoop)", RUN_LOOP_FACTORY),
    ),
}
_DEFAULT_INSTEAD = tuple(reversed(_FACTORY_RECIPES))


@register
class EventLoopPolicyApi(Rule):
    code = "ELP107"
    name = "event-loop-policy-api"
    summary = "An event-loop policy API is used on targets that reach Python 3.14, where it is deprecated."
    why = (
        "Python 3.14 deprecated the event-loop policy system (get/set_event_loop_policy, the "
        "*EventLoopPolicy classes) for removal in 3.16; uvloop.install() warns from 3.12 and only "
        "sets a policy. The replacement is the loop factory: asyncio.run(main(), loop_factory=...) "
        "(3.12+) and asyncio.Runner(loop_factory=...) (3.11+), or uvloop.run(). A call that only "
        "3.14-3.15 run, inside a warnings.catch_warnings() block that ignores DeprecationWarning, "
        "is not reported: it works there, and no warning shows. Nor is a policy class called by a "
        "name imported inside such a block: it warns where the name is read. A class that "
        "subclasses asyncio's policy classes reads the name where it is defined: importing its "
        "module warns on 3.14-3.15 and raises AttributeError on 3.16."
    )
    how_to_fix = (
        "Pass the loop class or factory to asyncio.run() or asyncio.Runner() as loop_factory "
        "(asyncio.SelectorEventLoop for WindowsSelectorEventLoopPolicy, uvloop.new_event_loop for "
        "uvloop), or call uvloop.run(main())."
    )
    versions = "3.14+ (deprecated, to be removed in 3.16); uvloop.install() warns from 3.12"
    timeline = from_version(
        (14, Effect.WARNS, WARNS_DEPRECATED), (16, Effect.REMOVED, RAISES_REMOVED)
    )
    fix_availability = "sometimes"
    fix_safety = "unsafe"
    fix_details = (
        "Where every target is 3.12+ and the module runs its coroutines only with asyncio.run() or "
        "asyncio.Runner(): the set_event_loop_policy(<policy>()) or uvloop.install() statement is "
        "deleted and loop_factory= (uvloop.new_event_loop, asyncio.SelectorEventLoop, "
        "asyncio.ProactorEventLoop) is passed to each of them, conditionally when the policy was "
        "under a platform or version test. Unsafe: the policy also reached loops that other modules "
        "and libraries create. No fix when the module makes or looks up loops in other ways."
    )
    reads = Reads(
        names=apis.POLICY_APIS | apis.SET_EVENT_LOOP_POLICY | apis.UVLOOP_INSTALL | apis.GET_EVENT_LOOP
        | apis.NEW_EVENT_LOOP | apis.LOOP_CLASSES | apis.POLICY_BASE_CLASSES,
        incidental=apis.ASYNCIO_RUN | apis.ASYNCIO_RUNNER,
        context=frozenset({"loop_factory"}),
    )
    invalid = (
        Example(
            "import asyncio\n"
            "asyncio.set_event_loop_policy(asyncio.WindowsSelectorEventLoopPolicy())\n"
            "asyncio.run(main())\n",
            ">=3.12",
            expected_message=(
                "asyncio.set_event_loop_policy() is deprecated from Python 3.14 (the policy system goes in 3.16); use "
                "asyncio.run(main(), loop_factory=asyncio.SelectorEventLoop)"
            ),
            expected_replacement="import asyncio\nasyncio.run(main(), loop_factory=asyncio.SelectorEventLoop)\n",
        ),
        Example(
            "import uvloop\nuvloop.install()\n",
            ">=3.10",
            expected_message=(
                "uvloop.install() is deprecated from Python 3.14 (the policy system goes in 3.16); use "
                "uvloop.run(main()) or asyncio.run(main(), loop_factory=uvloop.new_event_loop) (3.12+)"
            ),
            expected_replacement=None,
        ),
        Example(
            "import asyncio\nclass Policy(asyncio.DefaultEventLoopPolicy):\n    pass\n",
            ">=3.12",
            expected_message=(
                "class Policy subclasses asyncio.DefaultEventLoopPolicy, which warns on 3.14-3.15 (deprecated) "
                "and is gone in 3.16, where defining the class raises AttributeError; the policy system goes "
                "with it: make loops with asyncio.Runner(loop_factory=...) or asyncio.run(main(), loop_factory=...)"
            ),
            expected_replacement=None,
        ),
    )
    valid = (
        Example("import asyncio\nasyncio.run(main(), loop_factory=asyncio.SelectorEventLoop)\n", ">=3.12"),
        Example("import asyncio\nasyncio.set_event_loop_policy(None)\n", ">=3.8,<3.14"),
    )

    def check(self, analysis: "ModuleAnalysis") -> Iterator[Finding]:
        if not analysis.targets.includes_from(14):
            return
        yield from self._calls(analysis)
        yield from self._subclasses(analysis)

    @staticmethod
    def _subclasses(analysis: "ModuleAnalysis") -> Iterator[Finding]:
        """``class P(asyncio.DefaultEventLoopPolicy):`` reads the class where it is defined: that
        warns on 3.14-3.15 and raises AttributeError on 3.16, when the module is imported."""
        for info, base in analysis.subclasses_of(apis.POLICY_BASE_CLASSES):
            # A name imported where the warning is silenced reads quietly: only 3.16 breaks.
            quiet = analysis.name_read_silently_from(base, info.outer_scope, _FROM_314.start)
            if not analysis.minors_reaching(info.node) & (_FROM_316_SET if quiet else _FROM_314_SET):
                continue
            warns = "" if quiet else "warns on 3.14-3.15 (deprecated) and "
            minors = analysis.minors_reaching(info.node)
            advice = (
                f"the policy system goes with it: make loops with {choices(_FACTORY_RECIPES, minors)}"
                f"{_before(minors, _FACTORY_RECIPES, 'define it only')}"
            )
            yield Finding(
                info.node,
                f"class {info.name} subclasses {analysis.source(base)}, which {warns}is gone in 3.16, where "
                f"defining the class raises AttributeError; {advice}",
                timeline=from_version((16, Effect.REMOVED, RAISES_REMOVED)) if quiet else None,
            )

    def _calls(self, analysis: "ModuleAnalysis") -> Iterator[Finding]:
        flagged: dict[cst.BaseExpression, str] = {}  # a call -> the API's short name
        for site in analysis.index.calls:
            names = analysis.possible_callees(site)
            if names and names <= apis.POLICY_APIS and _misbehaves(analysis, site):
                flagged[site.node] = next(iter(names)).rsplit(".", 1)[1]
        # set_event_loop_policy(uvloop.EventLoopPolicy()) is one problem: reported once, on the
        # outer call, with the advice for the policy it installs.
        inner = {
            arg.value: site.node
            for site in analysis.index.calls
            if site.node in flagged
            for arg in site.node.args
            if arg.value in flagged
        }
        for site in analysis.index.calls:
            key = site.node
            if key not in flagged or key in inner:
                continue
            advised = next((flagged[i] for i, outer in inner.items() if outer is key), flagged[key])
            recipes = _INSTEAD.get(advised, _DEFAULT_INSTEAD)
            minors = analysis.minors_reaching(site.node)
            advice = f"use {choices(recipes, minors)}{_before(minors, recipes, 'keep the call')}"
            written = analysis.source(site.node.func)
            yield Finding(
                site.node,
                f"{written}() is deprecated from Python 3.14 (the policy system goes in 3.16); {advice}",
                partial(_loop_factory_fix, analysis, site),
                _timeline(analysis, site),
            )


def _before(minors: frozenset[int], recipes: Sequence[tuple[str, int]], keep: str) -> str:
    """What the versions older than every recipe do: keep the policy code, under a version guard
    (there it is neither deprecated nor replaceable); "" when every version has a recipe."""
    first = min(minor for _, minor in recipes)
    return f"; before 3.{first}: {keep} under {version_guard(first)}" if some_older(minors, first) else ""


def _timeline(analysis: "ModuleAnalysis", site: "CallSite") -> Optional[Timeline]:
    """uvloop.install() warns from 3.12 (uvloop's own deprecation); a call whose 3.14-3.15
    warning is silenced breaks only where the API is gone. None: the rule's timeline."""
    removed = (16, Effect.REMOVED, RAISES_REMOVED)
    if analysis.deprecation_silenced(site):
        return from_version(removed)
    if analysis.possible_callees(site) <= apis.UVLOOP_INSTALL:
        return from_version((12, Effect.WARNS, WARNS_DEPRECATED), removed)
    return None


def _misbehaves(analysis: "ModuleAnalysis", site: "CallSite") -> bool:
    """The call runs where it warns (3.14-3.15) with the warning shown, or where it is gone (3.16+)."""
    reach = analysis.reach(site.node)
    if reach.includes(_FROM_316):
        return True
    if not reach.includes(_FROM_314) or analysis.deprecation_silenced(site):
        return False
    # A policy class warns where its name is read: a name imported where that is silenced is quiet.
    reads_on_import = analysis.possible_callees(site) <= apis.POLICY_CLASSES_WARNING_ON_READ
    return not (reads_on_import and analysis.read_silently_from(site, _FROM_314.start))


def _loop_factory_fix(analysis: "ModuleAnalysis", site: "CallSite") -> Optional[Fix]:
    """``set_event_loop_policy(<policy>())`` or ``uvloop.install()`` deleted, and the policy's
    loop factory passed to every ``asyncio.run()`` / ``asyncio.Runner()`` of the module instead.

    Only where that is all the policy did here: every target has ``loop_factory`` (3.12+), the
    module runs its coroutines with asyncio.run()/Runner() and makes or looks up no loop in any
    other way. A policy guarded by a platform or version test (``if sys.platform == "win32":``)
    becomes a conditional factory. Unsafe: the policy also applied to loops that libraries and
    other modules create, which the factory does not reach.
    """
    if analysis.targets.includes_below(12):
        return None
    factory = _factory_for(analysis, site)
    statement = site.statement
    if factory is None or statement is None or not site.is_whole_statement:
        return None
    runs = _runs_without_factory(analysis, site)
    if not runs:
        return None
    guard = _sole_statement_of_if(analysis, statement)
    deletion = analysis.fixes.delete_statement(guard if guard is not None else statement)
    passing = _pass_factory(analysis, runs, factory, guard)
    if deletion is None or passing is None:
        return None
    module_name, attribute = factory
    return Fix(f"Pass loop_factory={module_name}.{attribute} instead of setting a policy", (deletion, *passing), False)


def _runs_without_factory(analysis: "ModuleAnalysis", site: "CallSite") -> Optional[list["CallSite"]]:
    """The module's ``asyncio.run()`` / ``asyncio.Runner()`` calls without a ``loop_factory``;
    None when the policy set at ``site`` matters to other code too (a loop made or looked up
    another way, another policy call) or a run's ``**options`` may hold a factory already."""
    runs: list["CallSite"] = []
    policy_calls = {site.node, *(arg.value for arg in site.node.args)}
    for other in analysis.index.calls:
        callee = analysis.callee(other)
        if callee in apis.ASYNCIO_RUN | apis.ASYNCIO_RUNNER:
            if any(arg.star for arg in other.node.args):
                return None
            if keyword_argument(other.node, "loop_factory") is None:  # one given is not the policy's
                runs.append(other)
        elif other.node not in policy_calls and (
            analysis.creates_loop(other)
            or analysis.is_get_event_loop(other)
            or analysis.possible_callees(other) & apis.POLICY_APIS
        ):
            return None
    return runs


def _pass_factory(
    analysis: "ModuleAnalysis", runs: list["CallSite"], factory: tuple[str, str], guard: Optional[cst.If]
) -> Optional[list[Edit]]:
    """The edits that pass ``factory`` to each of ``runs`` (conditionally, under ``guard``'s
    test), with the imports they need; None when a module cannot be referred to."""
    edits: list[Edit] = []
    module_name, attribute = factory
    for run in runs:
        reference = analysis.fixes.module_reference(module_name, run.scope)
        if reference is None:
            return None
        name, import_edits = reference
        value = f"{name}.{attribute}"
        if guard is not None:
            value = f"{value} if {analysis.source(guard.test)} else None"
        new_args = _with_keyword(analysis, run.node, "loop_factory", cst.parse_expression(value))
        edits.append(analysis.fixes.rewrite(run.node, run.node.with_changes(args=new_args)))
        edits.extend(edit for edit in import_edits if edit not in edits)
    return edits


def _with_keyword(
    analysis: "ModuleAnalysis", call: cst.Call, keyword: str, value: cst.BaseExpression
) -> list[cst.Arg]:
    """``call``'s arguments and ``keyword=value`` after them, in the call's own layout: on the
    same line, or on a line of its own when the arguments are one per line (the trailing comma,
    if any, moves to the new last argument)."""
    new = cst.Arg(
        value,
        keyword=cst.Name(keyword),
        equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")),
    )
    if not call.args:
        return [new]
    *first, last = call.args
    separator: cst.Comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    if isinstance(last.comma, cst.Comma):
        new = new.with_changes(comma=last.comma)
        if isinstance(last.comma.whitespace_after, cst.ParenthesizedWhitespace):
            (line, column), _ = analysis.span(last)
            indentation = analysis.fixes.lines.line(line)[:column]
            if not indentation.strip():
                on_its_own_line = cst.ParenthesizedWhitespace(indent=False, last_line=cst.SimpleWhitespace(indentation))
                separator = cst.Comma(whitespace_after=on_its_own_line)
    return [*first, last.with_changes(comma=separator), new]


def _factory_for(analysis: "ModuleAnalysis", site: "CallSite") -> Optional[tuple[str, str]]:
    callee = analysis.callee(site)
    if callee in apis.UVLOOP_INSTALL:
        return apis.POLICY_FACTORIES[callee]
    if callee not in apis.SET_EVENT_LOOP_POLICY:
        return None
    policy = argument(site.node, 0, "policy")
    if not isinstance(policy, cst.Call) or policy.args:
        return None
    policy_callee = analysis.callee_of(policy)
    return apis.POLICY_FACTORIES.get(policy_callee) if policy_callee is not None else None


def _sole_statement_of_if(analysis: "ModuleAnalysis", statement: cst.SimpleStatementLine) -> Optional[cst.If]:
    """The ``if test:`` (no ``else``) whose body is just ``statement``, when ``test`` is a version
    or platform guard."""
    found = analysis.index.if_of_sole_statement.get(statement)
    if found is None:
        return None
    return found if condition_reach(found.test) != (EVERYWHERE, EVERYWHERE) else None
