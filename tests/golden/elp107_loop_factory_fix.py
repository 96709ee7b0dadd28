"""ELP107's fix: on 3.12+ targets a policy set only to choose the loop class becomes loop_factory=
on every asyncio.run()/asyncio.Runner() of the module (tests/golden/ holds the fixed file)."""
# asyncloop-target-version: >=3.12
import asyncio
import sys


async def main():
    await asyncio.sleep(0)



def run_once():
    asyncio.run(main(), loop_factory=asyncio.SelectorEventLoop if sys.platform == "win32" else None)


def run_twice():
    with asyncio.Runner(debug=True, loop_factory=asyncio.SelectorEventLoop if sys.platform == "win32" else None) as runner:
        runner.run(main())
        runner.run(main())


def run_with_factory_already():
    asyncio.run(main(), loop_factory=asyncio.SelectorEventLoop)  # ok: ELP107
