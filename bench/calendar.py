"""Calendar benchmark: the Calendar panel with N posts over 90 days, and how
soon a due post goes out.

    python -m bench.calendar --posts 10000 --runs 5

Fills a throwaway workspace (``SOCOPS_HOME`` in a temporary folder) with N
posts over the 90 days around now (``bench/calendar_seed.py``: written
straight into the store in large transactions), then measures:

* ``open_ms``: in a fresh process (``--runs`` of them), from the panel's
  mount to the first frame that shows the calendar's posts, at 80x24; and
  ``key_to_open_ms``, from pressing 3 (the panel's module is imported then
  too, as on a first open, and the screen composed) to that frame;
* ``key_ms``: in one process, a key to the next frame the app writes, keys at
  a human pace, per kind: ``j``/``k`` (posts), ``h``/``l`` (days), ``]``/``[``
  (weeks) in the agenda, ``j``/``k`` in the week and month views, ``z`` (time
  zone). Frames are timestamped as ``bench/inbox.py`` does;
* ``due_ms``: the real worker (``socops worker`` in a subprocess) on the
  sandbox with the N posts in the store; a post approved and scheduled
  ``--ahead`` seconds ahead through the services; from its scheduled moment
  to the moment the store says it was published (``observed``, polled every
  20 ms), and to the ``published_at`` the worker recorded (``recorded``; the
  store keeps times to the second), ``--due-runs`` times.

Prints one JSON object with the medians, every run, and the targets (issue
11: open <= 100 ms, key median <= 20 ms, due post sent within 2 s).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from bench.calendar_seed import seed_calendar
from bench.inbox import record_frames

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"open_ms": 100, "key_median_ms": 20, "due_s": 2.0}
#: The publishing rules of the run: nothing in the way of a post a few seconds ahead.
PUBLISHING_RULES = """[publishing]
min_spacing_minutes = 0
duplicate_days = 0
missed_after_minutes = 15
"""


def _bench_actor():
    from console.permissions import PERMISSIONS, SystemActor

    # Opening is measured from an authenticated session; login has its own benchmark.
    return SystemActor("bench", frozenset(PERMISSIONS))


def write_governance(home: Path) -> None:
    """The shipped governance file with publishing rules that let a post go out in seconds."""
    from console.governance import EXAMPLE_GOVERNANCE, GOVERNANCE_FILE
    from console.paths import workspace_paths

    paths = workspace_paths({"SOCOPS_HOME": str(home)})
    paths.config_dir.mkdir(parents=True, exist_ok=True)
    head = EXAMPLE_GOVERNANCE.split("\n[publishing]\n", 1)[0]
    (paths.config_dir / GOVERNANCE_FILE).write_text(head + "\n" + PUBLISHING_RULES, encoding="utf-8")


def _quiet_app(workspace):
    from screens.app import make_app

    return make_app(workspace, _bench_actor(), run_worker=False, poll_seconds=None, clock_tick_seconds=None,
                    autosave_seconds=None)


def _press(app, key: str, character: str | None = None) -> None:
    from textual import events

    event = events.Key(key, character if character is not None else key)
    event.set_sender(app)
    app._driver.send_message(event)  # as Pilot does, without its idle waits


async def _quiet(app, pilot, seconds: float = 0.4) -> None:
    """Let loads, the detail pane and the wide window finish."""
    await app.workers.wait_for_complete()
    await pilot.pause(seconds)
    await app.workers.wait_for_complete()


# -- one fresh process: opening the panel -----------------------------------------------------
def child_open() -> None:
    import gc

    from console.workspace import Workspace
    from screens.calendar.screen import CalendarScreen

    workspace = Workspace.open()
    gc.freeze()                                  # as `socops` does once the workspace is open
    app = _quiet_app(workspace)
    result = {}
    mounted: list[float] = []
    on_mount = CalendarScreen.on_mount

    def timed_mount(screen) -> None:             # the bench's only hook into the screen
        mounted.append(time.perf_counter())
        on_mount(screen)

    CalendarScreen.on_mount = timed_mount  # type: ignore[method-assign]

    async def run() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await _quiet(app, pilot, 0.5)
            frames: list[tuple[float, bool]] = []
            display = app._display

            def timed_display(screen, renderable):
                data = getattr(app.screen, "data", None)
                frames.append((time.perf_counter(), data is not None and bool(data.entries)))
                return display(screen, renderable)

            app._display = timed_display
            started = time.perf_counter()
            _press(app, "3")
            while not any(shown for _, shown in frames) and time.perf_counter() - started < 10:
                await asyncio.sleep(0.0005)
            app._display = display
            first = next(at for at, shown in frames if shown)
            result["open_ms"] = (first - mounted[0]) * 1000
            result["key_to_open_ms"] = (first - started) * 1000
            result["entries"] = len(app.screen.data.entries)
            await _quiet(app, pilot)

    asyncio.run(run())
    workspace.close()
    print(json.dumps(result))


def measure_open(home: Path, runs: int) -> list[dict]:
    env = {**os.environ, "SOCOPS_HOME": str(home)}
    return [json.loads(subprocess.run([sys.executable, "-m", "bench.calendar", "--child-open"], env=env, cwd=ROOT,
                                      check=True, capture_output=True, text=True, timeout=120).stdout.splitlines()[-1])
            for _ in range(runs)]


# -- keys ---------------------------------------------------------------------------------------
KEY_ROUNDS = (
    ("agenda j/k", None, ("j", "k")),
    ("agenda h/l", None, ("l", "h")),
    ("agenda ]/[", None, (("right_square_bracket", "]"), ("left_square_bracket", "["))),
    ("zone z", None, ("z",)),
    ("week j/k", "w", ("j", "k")),
    ("month j/k", "m", ("j", "k")),
)


async def measure_keys(presses: int) -> dict[str, list[float]]:
    """Milliseconds from a key event to the next frame the app writes, per kind of key."""
    from console.workspace import Workspace

    workspace = Workspace.open()
    app = _quiet_app(workspace)
    timings: dict[str, list[float]] = {}
    async with app.run_test(size=(80, 24)) as pilot:
        await _quiet(app, pilot, 0.5)
        await pilot.press("3")
        await _quiet(app, pilot, 1.0)
        frames = record_frames(app, time.perf_counter)
        for name, view_key, keys in KEY_ROUNDS:
            if view_key:
                await pilot.press(view_key)
                await _quiet(app, pilot, 0.6)
            found = timings.setdefault(name, [])
            for n in range(presses):
                key = keys[(n // 10) % len(keys)]                # ten one way, ten back
                name_, character = key if isinstance(key, tuple) else (key, key)
                frames.clear()
                started = time.perf_counter()
                _press(app, name_, character)
                while not frames and time.perf_counter() - started < 2:
                    await asyncio.sleep(0.0005)
                if frames:
                    found.append((frames[0] - started) * 1000)
                await asyncio.sleep(0.12)
            await _quiet(app, pilot, 0.3)
    workspace.close()
    return timings


# -- a due post, sent by the real worker ----------------------------------------------------
def measure_due(home: Path, runs: int, ahead: float) -> list[dict]:
    """Schedule a post ``ahead`` seconds from now, ``runs`` times, with ``socops worker`` running."""
    from console.paths import workspace_paths
    from console.publishing import PUBLISHED, ScheduleRequest
    from console.records import utc_now
    from console.workspace import Workspace

    from bench.publish_faults import TEXTS, Person

    env = {**os.environ, "SOCOPS_HOME": str(home),
           "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    env.pop("SOCOPS_SANDBOX_FAULTS", None)
    log = open(Path(home).parent / "worker.log", "ab")
    worker = subprocess.Popen([sys.executable, "-m", "console.cli.main", "worker"], cwd=ROOT, env=env,
                              stdout=log, stderr=subprocess.STDOUT)
    results = []
    editor, manager = Person("ed", "editor"), Person("mia", "manager")
    try:
        with Workspace.open(workspace_paths({"SOCOPS_HOME": str(home)}), operator="bench") as workspace:
            deadline = time.monotonic() + 60
            while not workspace.worker_lock.holder() and time.monotonic() < deadline:
                time.sleep(0.1)
            if not workspace.worker_lock.holder():
                raise RuntimeError("the worker did not start; see worker.log next to the bench's home")
            time.sleep(2.0)          # its first pass (sync, expiry) over
            for n in range(runs):
                account = workspace.accounts[n % len(workspace.accounts)]
                text = TEXTS.get(account.language, TEXTS["en"]).format(n=f"{n}-{int(time.time())}")
                post = workspace.posts.draft(editor, [account.account_id], text,
                                             proposed_at=utc_now() + timedelta(days=1))
                workspace.posts.submit(editor, post.id)
                workspace.approvals.approve(manager, post.id)
                at = (utc_now() + timedelta(seconds=ahead)).replace(microsecond=0)
                workspace.scheduling.schedule(manager, post.id, ScheduleRequest(at=at))
                observed = None
                while time.monotonic() < deadline + 120:
                    workspace.store.refresh()
                    target = workspace.scheduling.get(post.id).targets[account.account_id]
                    if target.state == PUBLISHED:
                        observed = utc_now()
                        break
                    if target.state in ("failed", "needs_check", "missed"):
                        break
                    time.sleep(0.02)
                results.append({
                    "account": account.account_id, "state": target.state,
                    "observed_ms": round((observed - at).total_seconds() * 1000, 1) if observed else None,
                    # the published_at the worker recorded: the store keeps times to the second
                    "recorded_ms": round((target.published_at - at).total_seconds() * 1000, 1)
                    if target.published_at else None})
                deadline = time.monotonic() + 30
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
        log.close()
    return results


def _summary(values: list[float]) -> dict:
    ordered = sorted(values)
    return {"median": round(statistics.median(ordered), 2), "p95": round(ordered[int(len(ordered) * 0.95) - 1], 2),
            "max": round(ordered[-1], 2), "presses": len(ordered)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5, help="fresh processes that open the panel")
    parser.add_argument("--presses", type=int, default=40, help="presses per kind of key")
    parser.add_argument("--due-runs", type=int, default=3, help="due posts to time")
    parser.add_argument("--ahead", type=float, default=4.0, help="seconds ahead each due post is scheduled")
    parser.add_argument("--child-open", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child-keys", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_open:
        child_open()
        return
    if args.child_keys:
        print(json.dumps(asyncio.run(measure_keys(args.child_keys))))
        return
    with tempfile.TemporaryDirectory(prefix="socops-calendar-bench-") as scratch:
        home = Path(scratch) / "home"
        write_governance(home)
        began = time.perf_counter()
        kinds = seed_calendar(home, args.posts)
        seed_s = time.perf_counter() - began
        opens = measure_open(home, args.runs)
        env = {**os.environ, "SOCOPS_HOME": str(home)}
        keys = json.loads(subprocess.run([sys.executable, "-m", "bench.calendar", "--child-keys", str(args.presses)],
                                         env=env, cwd=ROOT, check=True, capture_output=True, text=True,
                                         timeout=600).stdout.splitlines()[-1])
        due = measure_due(home, args.due_runs, args.ahead)
    every_key = [t for values in keys.values() for t in values]
    observed = [d["observed_ms"] for d in due if d["observed_ms"] is not None]
    report = {
        "posts": args.posts, "kinds": kinds, "seed_s": round(seed_s, 1),
        "entries_loaded": opens[0]["entries"],
        "open_ms": round(statistics.median(o["open_ms"] for o in opens), 1),
        "open_runs_ms": [round(o["open_ms"], 1) for o in opens],
        "key_to_open_ms": round(statistics.median(o["key_to_open_ms"] for o in opens), 1),
        "key_to_open_runs_ms": [round(o["key_to_open_ms"], 1) for o in opens],
        "key_ms": _summary(every_key),
        "key_ms_by_kind": {name: _summary(values) for name, values in keys.items()},
        "due_ms": {"observed_median": round(statistics.median(observed), 1) if observed else None,
                   "runs": due},
        "targets": TARGETS,
        "within_targets": {
            "open": statistics.median(o["open_ms"] for o in opens) <= TARGETS["open_ms"],
            "key": statistics.median(every_key) <= TARGETS["key_median_ms"],
            "due": bool(observed) and len(observed) == len(due)
            and max(observed) <= TARGETS["due_s"] * 1000,
        },
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
