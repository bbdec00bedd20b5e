"""Child process for the freeze race: the worker's publishing job in a process of
its own, on the workspace at SOCOPS_HOME (run as a script).

    python _publisher_proc.py STOP_FILE

It prints "ready", then publishes round after round (reading the other
process's writes before each) until STOP_FILE exists.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from console.workspace import Workspace


async def publish_until(stop: Path) -> None:
    with Workspace.open(operator="worker") as workspace:
        adapters = workspace.make_account_adapters()
        print("ready", flush=True)
        try:
            while not stop.exists():
                workspace.store.refresh()
                report = await workspace.publisher.run(await adapters.current(), workspace.clock())
                await asyncio.sleep(0 if report.summary() != "nothing due" else 0.001)
        finally:
            await adapters.aclose()


if __name__ == "__main__":
    asyncio.run(publish_until(Path(sys.argv[1])))
