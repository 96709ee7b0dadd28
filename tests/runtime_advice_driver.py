"""Runs the code of messages and fixed programs on the Python that runs this file (3.6 and up).

tests/test_runtime_advice.py writes a JSON list of jobs to standard input and reads one JSON
result per job from standard output: {"id": ..., "error": "...", "skipped": "..."}. Each job
runs with DeprecationWarning as an error, in a fresh namespace holding what messages call the
user's code: ``main`` (a coroutine function), ``loop`` and ``self.loop`` (new loops), and the
modules ``asyncio``, ``sys`` and, where it imports, ``uvloop``. Kinds of job:

- ``call``: an expression, run as written; a call that is only legal inside a running loop
  (``get_running_loop()``) is run inside a coroutine;
- ``named``: a call written ``f()`` that names a function rather than calling it: ``f`` is
  looked up, and called when it takes no required argument;
- ``reference``: an expression that is looked up;
- ``statement``: code run as written; ``guard``: an ``if`` header, run with ``pass`` under it;
- ``program``: a whole program, run as ``__main__``.

asyncio's Windows-only names get stand-ins elsewhere (from the versions that have them on
Windows), so advice naming them can be run here: a stand-in checks that the name is spelled
right and takes the arguments the advice gives, not what it does on Windows.
"""

import asyncio
import inspect
import json
import sys
import types
import warnings

NO_RUNNING_LOOP = "no running event loop"


def install_windows_stand_ins():
    if sys.platform == "win32":
        return
    asyncio.ProactorEventLoop = asyncio.SelectorEventLoop
    if sys.version_info >= (3, 7):
        for name in ("WindowsSelectorEventLoopPolicy", "WindowsProactorEventLoopPolicy"):
            setattr(asyncio, name, type(name, (asyncio.DefaultEventLoopPolicy,), {}))


def namespace():
    async def main():
        return None

    names = {
        "__name__": "__main__",
        "asyncio": asyncio,
        "sys": sys,
        "main": main,
        "loop": asyncio.new_event_loop(),
        "self": types.SimpleNamespace(loop=asyncio.new_event_loop()),
    }
    try:
        import uvloop
    except ImportError:
        pass
    else:
        names["uvloop"] = uvloop
    return names


def takes_no_arguments(function):
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return False
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return not [p for p in parameters if p.default is p.empty and p.kind in positional]


def evaluate(code, names):
    """``code``'s value; inside a running loop if it is only legal there."""
    try:
        return eval(code, names)
    except RuntimeError as error:
        if NO_RUNNING_LOOP not in str(error):
            raise

    async def inside():
        return eval(code, names)

    runner = asyncio.new_event_loop()
    try:
        return runner.run_until_complete(inside())
    finally:
        runner.close()


def close(value):
    if asyncio.iscoroutine(value):
        value.close()
    elif isinstance(value, asyncio.AbstractEventLoop) and not value.is_closed():
        value.close()
    elif type(value).__name__ == "Runner":
        value.close()


def run(job, names):
    kind, code = job["kind"], job["code"]
    if kind == "program":
        exec(compile(code, "<program>", "exec"), {"__name__": "__main__"})
    elif kind == "statement":
        exec(compile(code, "<advice>", "exec"), names)
    elif kind == "guard":
        exec(compile(code + "\n    pass\n", "<advice>", "exec"), names)
    elif kind == "reference":
        eval(code, names)
    elif kind == "named":
        function = eval(code[: -len("()")], names)
        if takes_no_arguments(function):
            close(evaluate(code, names))
    else:
        close(evaluate(code, names))


def result(job):
    names = namespace()
    if "uvloop" in job["code"] and "uvloop" not in names:
        return {"id": job["id"], "skipped": "uvloop does not import here"}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", DeprecationWarning)
            run(job, names)
    except BaseException as error:  # noqa: B036 - every failure is a result, SystemExit too
        return {"id": job["id"], "error": "{}: {}".format(type(error).__name__, error)}
    finally:
        for loop in (names["loop"], names["self"].loop):
            loop.close()
        asyncio.set_event_loop(None)
    return {"id": job["id"]}


if __name__ == "__main__":
    install_windows_stand_ins()
    print(json.dumps([result(job) for job in json.load(sys.stdin)]))
