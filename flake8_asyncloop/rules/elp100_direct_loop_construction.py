from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Iterator, Optional

import libcst as cst

from flake8_asyncloop.engine import apis
from flake8_asyncloop.engine.diagnostics import Finding, Fix
from flake8_asyncloop.engine.guards import PLATFORMS
from flake8_asyncloop.engine.reads import Reads
from flake8_asyncloop.engine.versions import ALL_MINORS
from flake8_asyncloop.engine.timeline import Effect, every_version
from flake8_asyncloop.rules.base import Example, Rule, register

if TYPE_CHECKING:
    from flake8_asyncloop.engine.analysis import ModuleAnalysis
    from flake8_asyncloop.engine.guards import Reach
    from flake8_asyncloop.engine.index import CallSite, FunctionInfo


@register
class DirectLoopConstruction(Rule):
    code = "ELP100"
    name = "direct-loop-construction"
    summary = "An event-loop class is called directly instead of asyncio.new_event_loop()."
    why = (
        "asyncio.new_event_loop() asks the installed event-loop policy for a loop, so uvloop, "
        "Windows policies and test policies take effect. Calling SelectorEventLoop() silently "
        "ignores them; BaseEventLoop() has no I/O implementation and fails when run, and "
        "AbstractEventLoop() raises NotImplementedError on use. Not reported: a class the default "
        "policy would not make there, under a platform guard (SelectorEventLoop() under `if "
        "sys.platform == 'win32':`); the class of a policy the module installs (SelectorEventLoop() "
        "next to WindowsSelectorEventLoopPolicy, which ELP107 replaces with that very class as "
        "loop_factory); a class under a version guard that only 3.12+ passes, where calling it is "
        "the loop_factory recipe; and uvloop.Loop(), which is uvloop.new_event_loop(): choosing "
        "uvloop is the point."
    )
    how_to_fix = (
        "Create the loop with asyncio.new_event_loop(). On Python 3.12+ a specific loop class is "
        "chosen by passing it as loop_factory= to asyncio.run() or asyncio.Runner() (3.11+)."
    )
    versions = "every version"
    timeline = every_version(Effect.MISBEHAVES, "ignores the event-loop policy")
    fix_availability = "sometimes"
    fix_safety = "mixed"
    fix_details = (
        "Safe for asyncio.EventLoop(), which is the default policy's class. Unsafe "
        "for SelectorEventLoop() and ProactorEventLoop(): the policy's class differs by platform and "
        "version. No fix when the call has arguments, and none for BaseEventLoop(), "
        "BaseSelectorEventLoop(), BaseProactorEventLoop() and AbstractEventLoop(), which code "
        "constructs as test doubles (a working loop in their place breaks the tests that use them)."
    )
    reads = Reads(
        names=apis.LOOP_CLASSES | apis.INCOMPLETE_LOOP_CLASSES | apis.UVLOOP_CLASSES | apis.DEFAULT_LOOP_CLASSES
        | apis.SET_EVENT_LOOP_POLICY | frozenset(apis.POLICY_FACTORIES),
        incidental=apis.ASYNCIO_RUN | apis.ASYNCIO_RUNNER,
        context=frozenset({"loop_factory"}),
    )
    invalid = (
        Example(
            "import asyncio\nloop = asyncio.SelectorEventLoop()\n",
            expected_message=(
                "asyncio.SelectorEventLoop() bypasses the event-loop policy; create the loop with "
                "asyncio.new_event_loop()"
            ),
            expected_replacement="import asyncio\nloop = asyncio.new_event_loop()\n",
        ),
        Example(
            "from asyncio import unix_events\nloop = unix_events.SelectorEventLoop()\n",
            expected_message=(
                "unix_events.SelectorEventLoop() bypasses the event-loop policy; create the loop with "
                "asyncio.new_event_loop()"
            ),
            # The fix leaves unix_events unused: the import goes too.
            expected_replacement="import asyncio\nloop = asyncio.new_event_loop()\n",
        ),
    )
    valid = (
        Example("import asyncio\nloop = asyncio.new_event_loop()\n"),
        Example("import asyncio\nasyncio.run(main(), loop_factory=asyncio.SelectorEventLoop)\n", ">=3.12"),
        Example("import asyncio\nclass MyLoop(asyncio.SelectorEventLoop):\n    pass\n"),
        Example("class SelectorEventLoop:\n    pass\nloop = SelectorEventLoop()\n"),
        Example("import uvloop\nloop = uvloop.Loop()\n"),
        Example(
            "import asyncio, sys\n"
            "if sys.platform == 'win32':\n"
            "    asyncio.set_event_loop_policy(asyncio.WindowsSelectorEventLoopPolicy())\n"
            "loop = asyncio.SelectorEventLoop()\n"
        ),
    )

    def check(self, analysis: "ModuleAnalysis") -> Iterator[Finding]:
        factories: Optional[set["FunctionInfo"]] = None  # found once a class call needs them (rare)
        policy_classes: Optional[frozenset[str]] = None  # likewise
        for site in analysis.index.calls:
            callees = analysis.possible_callees(site)
            if not callees or not callees <= apis.LOOP_CLASSES or callees <= apis.UVLOOP_CLASSES:
                continue  # uvloop.Loop() is uvloop.new_event_loop(): the same call, chosen on purpose
            if site.node.args:
                continue  # SelectorEventLoop(selector): new_event_loop() cannot say that
            if policy_classes is None:
                policy_classes = _policy_loop_classes(analysis)
            if _made_by_the_modules_policy(callees, policy_classes):
                continue
            if site.function is not None:
                if factories is None:
                    factories = _loop_factories(analysis)
                if site.function in factories:
                    continue  # the loop factory itself, which is where a class is called
            if _chosen_for_some_platforms(analysis, site, callees) or _chosen_for_loop_factory_versions(analysis, site):
                continue
            written = analysis.source(site.node.func)
            if callees & apis.UVLOOP_CLASSES:
                instead = "uvloop.new_event_loop() or asyncio.new_event_loop()"
            else:
                instead = "asyncio.new_event_loop()"
            message = f"{written}() bypasses the event-loop policy; create the loop with {instead}"
            # The versions that can run this line, not all the targets: a guard may leave only 3.11+.
            reach = analysis.reach(site.node)
            if not reach.includes(range(_LOOP_FACTORY_IN_RUN)):
                message += f", or run the coroutine with asyncio.run(main(), loop_factory={written})"
            elif not reach.includes(range(_LOOP_FACTORY_IN_RUNNER)):
                message += f", or use asyncio.Runner(loop_factory={written})"
            yield Finding(site.node, message, partial(self._fix, analysis, site, callees))

    @staticmethod
    def _fix(analysis: "ModuleAnalysis", site: "CallSite", callees: frozenset[str]) -> Optional[Fix]:
        """``asyncio.new_event_loop()`` in place of the class call.

        Safe where the policy's default loop is that very class on every platform:
        ``asyncio.EventLoop`` (the default loop by definition). Unsafe for the others:
        SelectorEventLoop is not the default on Windows since 3.8 and ProactorEventLoop not on
        3.7, so the class the program gets can change.
        """
        if site.node.args:
            return None  # new_event_loop() takes no arguments: a selector or proactor stays
        if callees & apis.INCOMPLETE_LOOP_CLASSES:
            return None  # a base or abstract class is a test double or a mistake, not a loop to swap
        if callees & apis.UVLOOP_CLASSES:
            return None  # uvloop or asyncio, decided at run time
        safe = callees <= apis.DEFAULT_LOOP_CLASSES
        reference = analysis.fixes.module_reference("asyncio", site.scope)
        if reference is None:
            return None
        name, import_edits = reference
        edit = analysis.fixes.replace(site.node, f"{name}.new_event_loop()")
        return Fix(f"Create the loop with {name}.new_event_loop()", (edit, *import_edits), safe)


_PROACTOR_DEFAULT_FROM = 8  # the Windows policy's loop is the Proactor from 3.8, a selector loop before
_PLATFORM_LOOP_KINDS = {
    "SelectorEventLoop": "SelectorEventLoop",
    "_UnixSelectorEventLoop": "SelectorEventLoop",
    "_WindowsSelectorEventLoop": "SelectorEventLoop",
    "ProactorEventLoop": "ProactorEventLoop",
}
_LOOP_FACTORY_IN_RUN = 12  # asyncio.run(loop_factory=) is new in 3.12
_LOOP_FACTORY_IN_RUNNER = 11  # asyncio.Runner(loop_factory=) in 3.11


def _made_by_the_modules_policy(callees: frozenset[str], policy_classes: frozenset[str]) -> bool:
    """The module installs a policy whose loop is this class (WindowsSelectorEventLoopPolicy and
    SelectorEventLoop): calling the class says the same, and is what replaces the policy from
    3.14 (ELP107's ``loop_factory=asyncio.SelectorEventLoop``), so advising new_event_loop()
    would contradict that advice."""
    kinds = {_PLATFORM_LOOP_KINDS.get(name.rsplit(".", 1)[-1]) for name in callees}
    return len(kinds) == 1 and next(iter(kinds)) in policy_classes


def _policy_loop_classes(analysis: "ModuleAnalysis") -> frozenset[str]:
    """The loop classes of the policies the module installs: ``set_event_loop_policy(P())``."""
    classes = set()
    for site in analysis.index.calls:
        if analysis.callee(site) in apis.SET_EVENT_LOOP_POLICY and site.node.args:
            policy = site.node.args[0].value
            if isinstance(policy, cst.Call):
                factory = apis.POLICY_FACTORIES.get(analysis.callee_of(policy) or "")
                if factory is not None:
                    classes.add(factory[1])
    return frozenset(classes)


def _chosen_for_some_platforms(analysis: "ModuleAnalysis", site: "CallSite", callees: frozenset[str]) -> bool:
    """The class is picked on purpose for a platform: a platform guard leads to the call, and
    there the default policy makes another class. ipykernel's service threads need add_reader,
    which the Windows default (the Proactor, 3.8+) lacks: under ``if sys.platform == "win32":``
    a SelectorEventLoop() says exactly that, and the policy's loop is what it avoids. A class
    the policy would make anyway (the Proactor on Windows 3.8+, a selector loop on Unix) picks
    nothing and only bypasses policies such as uvloop's.
    """
    platforms = {platform for _, platform in site.reach.pairs}
    if not platforms or platforms == PLATFORMS:
        return False
    return _differs_from_default_loop(callees, analysis.reach(site.node))


def _differs_from_default_loop(callees: frozenset[str], reach: "Reach") -> bool:
    """Whether some (version, platform) in ``reach`` gets another class from the default policy:
    the Proactor on Windows from 3.8, a selector loop before 3.8 and on Unix. Only for the
    selector and proactor classes; base, abstract and uvloop classes are no platform choice."""
    kinds = {_PLATFORM_LOOP_KINDS.get(name.rsplit(".", 1)[-1]) for name in callees}
    if len(kinds) != 1 or None in kinds:
        return False
    (kind,) = kinds
    return any(kind != _default_loop_kind(minor, platform) for minor, platform in reach.pairs)


def _default_loop_kind(minor: int, platform: str) -> str:
    return "ProactorEventLoop" if platform == "windows" and minor >= _PROACTOR_DEFAULT_FROM else "SelectorEventLoop"


def _chosen_for_loop_factory_versions(analysis: "ModuleAnalysis", site: "CallSite") -> bool:
    """A version guard leaves the call only to targets with ``loop_factory=`` (3.12+), as anyio's
    ``if sys.version_info >= (3, 13): return asyncio.EventLoop()``: there a class is how a loop
    is picked without the policy (deprecated in 3.14), and code that needs the loop object
    itself (a fixture, a thread) has to call it. Targets alone (>=3.12, no guard) do not count:
    the class call is still the habit the rule is about.
    """
    guarded_minors = {minor for minor, _ in site.reach.pairs}
    return guarded_minors != ALL_MINORS and not analysis.reach(site.node).includes(range(_LOOP_FACTORY_IN_RUN))


def _loop_factories(analysis: "ModuleAnalysis") -> set["FunctionInfo"]:
    """Functions that are loop factories: a policy's ``new_event_loop`` method, and lambdas or
    functions passed as ``loop_factory=`` (asyncio.run, asyncio.Runner)."""
    factories: set["FunctionInfo"] = set()
    for info in analysis.index.functions.values():
        if info.owner_class is not None and info.name in ("new_event_loop", "_loop_factory"):
            factories.add(info)
    for site in analysis.index.calls:
        for arg in site.node.args:
            if arg.keyword is not None and arg.keyword.value == "loop_factory":
                factories.update(analysis.resolver.functions(arg.value, site.scope))
    return factories
