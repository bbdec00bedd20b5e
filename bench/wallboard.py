"""Wallboard benchmark: the big screen left running for a simulated hour against
a store that another process keeps changing; its memory at the start and the end.

    python -m bench.wallboard [--minutes 60] [--step 5] [--items-per-minute 36] [--seed-items 5000]

The simulation. A throwaway workspace (``SOCOPS_HOME`` in a temporary folder)
gets the shipped governance file (its crisis plan), a team (olivia the owner,
mia and max managers, ada an admin, vic a viewer), ``--seed-items`` inbox items of
sandbox history, a few scheduled posts and the worker's job records. The
wallboard runs headless (``App.run_test`` at 240x67) as vic, in this process,
with its timers off: the bench drives it. A *writer process* (``multiprocessing``,
spawned) opens the same workspace as a second socops process would and changes
the store through the services.

Both processes run on one simulated clock: it starts at the real time and each
*cycle* moves it ``--step`` seconds (5 s: ten times the wallboard's real poll of
0.5 s, so each cycle folds several polls' worth of change into one). A cycle is:
the writer applies that step's changes (new inbound items at
``--items-per-minute``, one in ten assigned and one in ten closed, so the SLA
counts move; the worker's job records every simulated minute, a job failing
for a while; a manual hold from minute 5 to 50; a crisis declared at minute 15,
a runbook step and a note, resolved by two people at minute 40) and answers;
then the wallboard takes its snapshot exactly as its poll does (``refresh_board``:
read the other process's journal, snapshot, draw), and every four cycles it
shows the next scene, so every scene is drawn throughout. ``--minutes 60`` with
``--step 5`` is 720 cycles: the hour.

RSS (VmRSS of this, the wallboard's, process) is read after a warm-up of five
simulated minutes (fonts of every scene drawn, caches built) and at the end;
the store's own growth (the new items it holds in memory, about 9 KB each, as
in any console) is part of it. As a control, the writer process, which holds
the same store but no board, reports its RSS too: ``writer_rss_growth_mb`` is
what the new records cost, and ``board_growth_beyond_the_store_mb`` what the
board itself grew. The default traffic is twice the sandbox's usual inbound
rate, three times that while the crisis lasts (``--items-per-minute``,
``--crisis-factor``). Prints one JSON object; the target (issue 12) is growth
<= 10%; ``--items-per-minute 0`` shows the board alone.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone

from bench.measure import log, rss_mb

TARGET_GROWTH_PERCENT = 10.0
WARM_UP_MINUTES = 5
HOLD_FROM, HOLD_TO = 5, 50             # simulated minutes
CRISIS_FROM, CRISIS_TO = 15, 40
ACCOUNTS = ("sandbox:northwind_en", "sandbox:northwind_es", "sandbox:northwind_ja")
TEAM = {"mia": "manager", "max": "manager", "ada": "admin", "vic": "viewer"}
#: Texts each account's content rules accept (language, region tags).
POST_TEXTS = {
    ACCOUNTS[0]: "Trail notes {n}: the Ridgeline rain jacket is back in every size. See you out there!",
    ACCOUNTS[1]: "Notas del sendero {n}: vuelve la chaqueta Ridgeline en todas las tallas. #NorthwindLatAm",
    ACCOUNTS[2]: "トレイル通信 {n}: Ridgelineレインジャケットが全サイズ再入荷しました。#ノースウィンド",
}
#: Publishing rules that let the bench schedule many posts.
PUBLISHING_RULES = """[publishing]
min_spacing_minutes = 0
duplicate_days = 0
reapprove_on_reschedule = false
missed_after_minutes = 15
"""


class SimClock:
    """The simulated clock; each process keeps its own, moved to the same moments."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _paths(home: str):
    from console.paths import workspace_paths

    return workspace_paths({"SOCOPS_HOME": home})


def _login(workspace, name: str):
    """A fresh session (a fresh code: high-risk actions pass); one per TOTP step and person."""
    from console.identity import code_at, totp_entry

    session = workspace.auth.login(name, code_at(workspace.secrets.get(totp_entry(name)), workspace.clock()))
    if session.user.policy_version_acknowledged < workspace.governance.version:
        session.acknowledge_policy()
    return session


def prepare(home: str, clock: SimClock, seed_items: int) -> None:
    """The workspace, its team, its history and a few posts on the way out."""
    from console.governance import EXAMPLE_GOVERNANCE, GOVERNANCE_FILE
    from console.inbox import seed_inbox
    from console.permissions import PERMISSIONS, SystemActor
    from console.publishing import ScheduleRequest
    from console.workspace import Workspace

    paths = _paths(home)
    paths.config_dir.mkdir(parents=True, exist_ok=True)
    head, rest = EXAMPLE_GOVERNANCE.split("\n[publishing]\n", 1)
    plan = rest[rest.index("# ==== Crisis plan"):]
    (paths.config_dir / GOVERNANCE_FILE).write_text(head + "\n" + PUBLISHING_RULES + "\n" + plan, encoding="utf-8")
    with Workspace.open(paths, clock=clock, operator="olivia", demo_content=True) as workspace:
        workspace.users.bootstrap_owner("olivia", "Olivia Owner")
        owner = _login(workspace, "olivia")
        for name, role in TEAM.items():
            workspace.users.add(owner, name, role)
        seed_inbox(workspace.store, workspace.audit, workspace.accounts, seed_items,
                   actor=SystemActor("bench", frozenset(PERMISSIONS)), seed=7, now=clock(),
                   sla=workspace.config.sla, rate_per_hour=max(seed_items / 24 / 3, 1))
        clock.now += timedelta(seconds=30)
        mia = _login(workspace, "mia")
        for n in range(6):
            account = ACCOUNTS[n % 3]
            post = workspace.posts.draft(mia, [account], POST_TEXTS[account].format(n=n),
                                         proposed_at=clock() + timedelta(days=1))
            workspace.posts.submit(mia, post.id)
            workspace.approvals.approve(_login_again(workspace, clock, "max"), post.id)
            workspace.scheduling.schedule(mia, post.id, ScheduleRequest(at=clock() + timedelta(minutes=20 + 25 * n)))


def _login_again(workspace, clock: SimClock, name: str):
    clock.now += timedelta(seconds=30)     # a code is good once: the next one is a step later
    return _login(workspace, name)


# -- the writer process -------------------------------------------------------------------
def writer_main(connection, home: str, start: str, items_per_minute: float, crisis_factor: float,
                step_seconds: float) -> None:
    """Open the workspace as another socops process; apply each cycle's changes when told."""
    os.environ["SOCOPS_HOME"] = home
    from console.inbox import INBOX, item_key, record_from_inbound
    from console.records import format_time
    from console.worker import HealthRecorder, JobHealth
    from console.workspace import Workspace
    from integrations.base import Author, InboundItem, ItemKind

    clock = SimClock(datetime.fromisoformat(start))
    workspace = Workspace.open(_paths(home), clock=clock, operator="mia")
    recorder = HealthRecorder(workspace.store, ["sync", "replies", "publishing"], actor="worker")
    kinds = (ItemKind.COMMENT, ItemKind.MENTION, ItemKind.DM)
    sessions: dict[str, tuple[object, datetime]] = {}

    def session_of(name: str):
        """The writer's session of ``name``, logged in again every four minutes: fresh
        enough for high-risk actions (step-up lasts five), and never two logins in one TOTP step."""
        kept = sessions.get(name)
        if kept is None or clock() - kept[1] >= timedelta(minutes=4):
            kept = sessions[name] = (_login(workspace, name), clock())
        return kept[0]

    made = 0.0
    count = 0
    hold_id = ""
    crisis_started = False
    while True:
        message = connection.recv()
        if message is None:
            break
        cycle, now_text = message
        clock.now = now = datetime.fromisoformat(now_text)
        minute = cycle * step_seconds / 60
        spike = crisis_factor if CRISIS_FROM <= minute < CRISIS_TO else 1
        made += items_per_minute * spike * step_seconds / 60
        new = []
        while made >= 1:
            made -= 1
            count += 1
            new.append(InboundItem(platform="sandbox", account_id=ACCOUNTS[count % 3], remote_id=f"bench-{count}",
                                   kind=kinds[count % 3], thread_id=f"bench-thread-{count}",
                                   author=Author(f"a-{count % 50}", f"@fan{count % 50}", f"Fan {count % 50}"),
                                   text=f"is the Ridgeline jacket safe? asking for the {count}th time",
                                   created_at=now - timedelta(seconds=count % 40)))
        if new:
            with workspace.store.transaction(actor="sync") as tx:
                for item in new:
                    tx.insert(INBOX, item_key(item.platform, item.remote_id),
                              record_from_inbound(item, received_at=format_time(now), sla=workspace.config.sla))
        if count and cycle % 10 == 0:
            # SLA changes: the oldest open item closed, another assigned
            mia = session_of("mia")
            open_ids = workspace.inbox.list_ids(None, actor=mia)
            if open_ids:
                workspace.inbox.close(open_ids[0], actor=mia)
            if len(open_ids) > 1:
                workspace.inbox.assign(open_ids[1], "mia", actor=mia)
        if cycle % max(int(60 / step_seconds), 1) == 0:
            failing = 20 <= minute < 25
            recorder.record([
                JobHealth("sync", timedelta(seconds=5), last_run=now, last_success=now, report=f"new {len(new)}"),
                JobHealth("replies", timedelta(seconds=5), last_run=now,
                          last_success=None if failing else now, last_error="platform timed out" if failing else "",
                          last_error_at=now if failing else None, failing_since=now if failing else None,
                          failures=1 if failing else 0),
                JobHealth("publishing", timedelta(seconds=5), last_run=now, last_success=now)], now)
        if minute == HOLD_FROM:
            hold_id = workspace.holds.hold(session_of("ada"), "brand review of the LatAm posts",
                                           accounts=[ACCOUNTS[1]]).id
        if minute == HOLD_TO and hold_id:
            workspace.holds.release(session_of("ada"), hold_id, "review done")
        if minute == CRISIS_FROM:
            declared = workspace.crisis.declare(session_of("mia"), 3, "Zipper recall",
                                                "pulls snap on the Ridgeline jacket", playbook="recall")
            crisis_started = True
            first_step = declared.crisis.steps[0].id
        if crisis_started and minute == CRISIS_FROM + 5:
            from console.crisis import STEP_DONE

            mia = session_of("mia")
            workspace.crisis.step(mia, first_step, STEP_DONE, "checked: frozen everywhere")
            workspace.crisis.note(mia, "holding statement with legal")
        if minute == CRISIS_TO:
            workspace.crisis.request_resolve(session_of("mia"), "recall notice out, replies flowing")
        if minute == CRISIS_TO + 1:
            workspace.crisis.confirm(session_of("ada"))
        connection.send((count, rss_mb()))
    workspace.close()
    connection.close()


# -- the wallboard, driven ----------------------------------------------------------------
async def run_board(home: str, clock: SimClock, args, connection) -> dict:
    from screens.wallboard.app import make_wallboard
    from console.workspace import Workspace

    workspace = Workspace.open(_paths(home), clock=clock, operator="vic")
    vic = _login_again(workspace, clock, "vic")
    app = make_wallboard(workspace, vic, poll_seconds=None, rotate_seconds=0, display_tz=timezone.utc)
    cycles = int(args.minutes * 60 / args.step)
    warm_up = int(WARM_UP_MINUTES * 60 / args.step)
    refresh_ms: list[float] = []
    scenes_seen: set[str] = set()
    takeover = {"declared_cycle": None, "shown_cycle": None, "resolved_shown_cycle": None}
    result: dict = {}
    async with app.run_test(size=(240, 67)) as pilot:
        for cycle in range(1, cycles + 1):
            clock.now += timedelta(seconds=args.step)
            connection.send((cycle, clock.now.isoformat()))
            items, writer_rss = await asyncio.to_thread(connection.recv)
            started = time.perf_counter()
            app.refresh_board()
            while app._refreshing.is_set():      # the poll's own worker, as on the TV
                await asyncio.sleep(0.001)
            await pilot.pause()
            refresh_ms.append((time.perf_counter() - started) * 1000)
            minute = cycle * args.step / 60
            if minute == CRISIS_FROM:
                takeover["declared_cycle"] = cycle
            if takeover["declared_cycle"] and takeover["shown_cycle"] is None and app.board.scene == "crisis":
                takeover["shown_cycle"] = cycle
            if minute > CRISIS_TO + 1 and takeover["resolved_shown_cycle"] is None and "crisis" not in app.scenes:
                takeover["resolved_shown_cycle"] = cycle
            if cycle % 4 == 0:
                app.action_next_scene()
                await pilot.pause()
            scenes_seen.add(app.board.scene)
            if cycle == warm_up:
                result["rss_start_mb"] = round(rss_mb(), 1)
                result["items_at_start"] = items
                result["writer_rss_start_mb"] = round(writer_rss, 1)
            if cycle % 120 == 0:
                log(f"simulated minute {minute:g}: rss {rss_mb():.1f} MB, {items} items written, "
                    f"refresh median {statistics.median(refresh_ms[-120:]):.1f} ms")
        result["rss_end_mb"] = round(rss_mb(), 1)
        result["items_written"] = items
        result["writer_rss_end_mb"] = round(writer_rss, 1)
    workspace.close()
    result["refresh_ms_median"] = round(statistics.median(refresh_ms), 2)
    result["refresh_ms_p95"] = round(sorted(refresh_ms)[int(len(refresh_ms) * 0.95)], 2)
    result["scenes_drawn"] = sorted(scenes_seen)
    result["crisis"] = takeover
    result["cycles"] = cycles
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=60, help="simulated minutes (default 60)")
    parser.add_argument("--step", type=float, default=5, help="simulated seconds per cycle (default 5)")
    parser.add_argument("--items-per-minute", type=float, default=4,
                        help="new inbound items per simulated minute (default 4: twice the sandbox's usual rate)")
    parser.add_argument("--crisis-factor", type=float, default=3,
                        help="the inbound rate is this many times higher while the crisis lasts (default 3)")
    parser.add_argument("--seed-items", type=int, default=5000, help="inbox history before the hour (default 5000)")
    args = parser.parse_args(argv)
    if args.minutes <= CRISIS_TO + 2:
        parser.error(f"--minutes must be more than {CRISIS_TO + 2}: the crisis is resolved at minute {CRISIS_TO + 1}")
    home = tempfile.mkdtemp(prefix="socops-bench-wallboard-")
    os.environ["SOCOPS_HOME"] = home
    # No keyring on a bench box: the sandbox workspace keeps its TOTP seeds in a file, read by both processes.
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    start = datetime.now(timezone.utc).replace(microsecond=0)
    clock = SimClock(start)
    began = time.monotonic()
    log(f"preparing {home} ({args.seed_items} items of history)")
    prepare(home, clock, args.seed_items)
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    writer = context.Process(target=writer_main, args=(theirs, home, clock.now.isoformat(),
                                                       args.items_per_minute, args.crisis_factor, args.step),
                             daemon=True)
    writer.start()
    try:
        result = asyncio.run(run_board(home, clock, args, ours))
    finally:
        ours.send(None)
        writer.join(timeout=30)
        shutil.rmtree(home, ignore_errors=True)
    growth = (result["rss_end_mb"] - result["rss_start_mb"]) / result["rss_start_mb"] * 100
    board_growth = result["rss_end_mb"] - result["rss_start_mb"]
    store_growth = result["writer_rss_end_mb"] - result["writer_rss_start_mb"]
    report = {
        "simulated_minutes": args.minutes,
        "step_seconds": args.step,
        "items_per_minute": args.items_per_minute,
        "crisis_factor": args.crisis_factor,
        "seed_items": args.seed_items,
        **result,
        "rss_growth_percent": round(growth, 2),
        # The control: the writer holds the same store without a board; what it grew is the store's records.
        "writer_rss_growth_mb": round(store_growth, 1),
        "board_growth_beyond_the_store_mb": round(board_growth - store_growth, 1),
        "target_growth_percent": TARGET_GROWTH_PERCENT,
        "ok": growth <= TARGET_GROWTH_PERCENT,
        "wall_seconds": round(time.monotonic() - began, 1),
    }
    print(json.dumps(report, indent=2))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
