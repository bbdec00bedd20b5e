"""Audit-log benchmark: ``python -m bench.audit_store --events 1000000``.

Appends N hash-chained audit events (~250-byte records) to a temporary store
in batches (one transaction per batch), compacting whenever the journal
passes ``--compact-bytes`` (so events end up in archive segments), then
measures, each open in a fresh process: open time and RSS with N archived
events (vs. an empty log), a full ``scan`` of the N events, and the median
latency of one durable transaction with one resident update, with and without
one log append in it. Prints ONE JSON object on stdout (progress on stderr).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from data import CollectionSpec, Store

from bench.measure import log, rss_mb

SPECS = [CollectionSpec("inbox"), CollectionSpec("audit", resident=False)]
ACTIONS = ("inbox.assign", "inbox.close", "inbox.reopen", "inbox.snooze", "reply.send",
           "note.add", "tag.add", "account.connect")
ACTORS = ("alice", "bob", "carol", "worker")


def seq_key(seq: int) -> str:
    return f"{seq:012d}"


def make_event(rng: random.Random, seq: int, prev: str, at: str) -> dict:
    action = rng.choice(ACTIONS)
    target = f"inbox:mastodon:{rng.getrandbits(40):x}"
    body = {"time": at, "actor": rng.choice(ACTORS), "action": action, "target": target,
            "summary": f"status open→done, rule {rng.randint(1, 99)}", "prev": prev}
    # 128-bit BLAKE2b chain hashes (32 hex digits) keep the event ~250 bytes
    body["hash"] = hashlib.blake2b(json.dumps(body, sort_keys=True).encode(),
                                   digest_size=16).hexdigest()
    return body


def fill(root: Path, n: int, batch: int, compact_bytes: int, seed: int = 7) -> dict:
    rng = random.Random(seed)
    started = time.perf_counter()
    compactions, compact_s = 0, 0.0
    prev = "0" * 32
    with Store.open(root, SPECS) as store:
        for i in range(200):
            store.insert("inbox", f"item:{i}", {"status": "open", "n": 0}, actor="bench")
        seq = 0
        while seq < n:
            at = "2026-11-26T10:42:05.123456+00:00"
            with store.transaction(actor="bench") as tx:
                for _ in range(min(batch, n - seq)):
                    event = make_event(rng, seq, prev, at)
                    tx.insert("audit", seq_key(seq), event)
                    prev = event["hash"]
                    seq += 1
            t0 = time.perf_counter()
            if store.maybe_compact(compact_bytes):
                compactions += 1
                compact_s += time.perf_counter() - t0
            if seq % 100_000 < batch:
                log(f"  {seq} events appended ({time.perf_counter() - started:.1f} s)")
        t0 = time.perf_counter()
        store.compact()                     # everything archived
        compactions += 1
        compact_s += time.perf_counter() - t0
        stats = store.stats()["logs"]["audit"]
    sample = make_event(rng, 0, prev, at)
    return {"fill_s": round(time.perf_counter() - started, 2), "compactions": compactions,
            "compaction_s_mean": round(compact_s / compactions, 3),
            "segments": stats["segments"], "segment_mb": round(stats["segment_bytes"] / 1e6, 1),
            "event_bytes": len(json.dumps(sample, ensure_ascii=False).encode()),
            "stored_event_bytes": len(json.dumps(
                {**sample, "_v": 1, "_by": "worker", "_at": at, "_key": seq_key(0)},
                ensure_ascii=False, separators=(",", ":")).encode())}


def measure_open(root: str) -> None:
    """Child mode: open once in a fresh process; time, RSS, then scan."""
    import data  # noqa: F401  (imports are not part of the open time)
    rss0 = rss_mb()
    t0 = time.perf_counter()
    store = Store.open(root, SPECS)
    opened = time.perf_counter() - t0
    rss = rss_mb()
    count = store.count("audit")
    t0 = time.perf_counter()
    scanned = 0
    prev = "0" * 32
    chained = True
    for event in store.scan("audit"):
        scanned += 1
        if event["prev"] != prev:
            chained = False
        prev = event["hash"]
    scan_s = time.perf_counter() - t0
    print(json.dumps({"open_s": opened, "rss_before_open_mb": rss0, "rss_after_open_mb": rss,
                      "count": count, "scan_s": scan_s, "scanned": scanned,
                      "chain_ok": chained, "rss_after_scan_mb": rss_mb(),
                      "warnings": store.warnings}))
    store.close()


def open_in_child(root: Path) -> dict:
    out = subprocess.run([sys.executable, "-m", "bench.audit_store", "--measure-open",
                          str(root)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def measure_tx(root: Path, rounds: int) -> dict:
    """Median latency of a durable transaction: one resident update, with and
    without one audit append (interleaved, so both see the same disk)."""
    rng = random.Random(11)
    alone: list[float] = []
    with_log: list[float] = []
    with Store.open(root, SPECS) as store:
        last = store.last("audit")
        seq = int(last["_key"]) + 1 if last else 0
        prev = last["hash"] if last else "0" * 32
        for r in range(rounds):
            for append in ((False, True) if r % 2 else (True, False)):
                key = f"item:{rng.randrange(200)}"
                t0 = time.perf_counter()
                current = store.get("inbox", key)
                with store.transaction(actor="bench") as tx:
                    tx.update("inbox", key, {"n": current["n"] + 1},
                              expected_version=current["_v"])
                    if append:
                        event = make_event(rng, seq, prev, "2026-11-26T10:42:05+00:00")
                        tx.insert("audit", seq_key(seq), event)
                if append:
                    prev = event["hash"]
                    seq += 1
                (with_log if append else alone).append(time.perf_counter() - t0)
    a, w = statistics.median(alone), statistics.median(with_log)
    return {"tx_rounds": rounds, "tx_update_ms_median": round(a * 1e3, 3),
            "tx_update_plus_append_ms_median": round(w * 1e3, 3),
            "tx_append_added_ms": round((w - a) * 1e3, 3)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=1000, help="events per transaction")
    parser.add_argument("--compact-bytes", type=int, default=8_000_000,
                        help="maybe_compact() threshold while filling")
    parser.add_argument("--tx-rounds", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3, help="fresh-process opens")
    parser.add_argument("--dir", help="work in this directory (kept) instead of a temp one")
    parser.add_argument("--measure-open", metavar="DIR", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure_open:
        measure_open(args.measure_open)
        return 0
    base = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="socops-audit-"))
    try:
        result: dict = {"events": args.events, "batch": args.batch}
        empty = base / "empty"
        with Store.open(empty, SPECS) as store:
            store.insert("inbox", "item:0", {"status": "open", "n": 0}, actor="bench")
        result["empty_log"] = {k: round(v, 4) if isinstance(v, float) else v
                               for k, v in open_in_child(empty).items()
                               if k in ("open_s", "rss_after_open_mb", "rss_before_open_mb")}
        root = base / "store"
        log(f"appending {args.events} events in batches of {args.batch} ...")
        result.update(fill(root, args.events, args.batch, args.compact_bytes))
        log("opening in fresh processes ...")
        runs = [open_in_child(root) for _ in range(args.runs)]
        result["open_s_median"] = round(statistics.median(r["open_s"] for r in runs), 4)
        result["open_s_runs"] = [round(r["open_s"], 4) for r in runs]
        result["rss_before_open_mb"] = round(runs[0]["rss_before_open_mb"], 1)
        result["rss_after_open_mb"] = round(max(r["rss_after_open_mb"] for r in runs), 1)
        result["rss_after_scan_mb"] = round(max(r["rss_after_scan_mb"] for r in runs), 1)
        result["count_after_open"] = runs[0]["count"]
        result["scan_s_median"] = round(statistics.median(r["scan_s"] for r in runs), 3)
        result["scan_events_per_s"] = int(runs[0]["scanned"] / statistics.median(
            r["scan_s"] for r in runs))
        result["scanned"] = runs[0]["scanned"]
        result["chain_ok"] = all(r["chain_ok"] for r in runs)
        result["warnings"] = runs[0]["warnings"]
        log("timing transactions ...")
        result.update(measure_tx(root, args.tx_rounds))
        print(json.dumps(result, indent=1))
    finally:
        if not args.dir:
            shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
