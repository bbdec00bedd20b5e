"""Store benchmark: ``python -m bench.store --items 100000``.

Fills a temporary store with inbox-like records (the fields of
console.records.InboxItem) in a collection with a realistic projection,
compacts it, then measures open time and RSS after open (current and peak,
each in a fresh process), durable CAS update latency, refresh latency seen by
a second Store instance, a scan of the projections, and snapshot size. Prints
ONE JSON object on stdout (progress goes to stderr).
"""
from __future__ import annotations

import argparse
import gc
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from data import CollectionSpec, Store, where

from bench.measure import peak_rss_mb, rss_mb

FIELDS = ("status", "sla_due", "created_at", "account_id", "platform", "kind", "assignee",
          "tags", "first_response_at", "thread_id", "snoozed_until")


def search_text(record: dict) -> str:
    return f"{record.get('text', '')} {record.get('author_handle', '')}".casefold()


def pending(record: dict) -> bool:
    return any(r.get("status") in ("queued", "retrying") for r in record.get("replies", ()))


def search_utf8(record: dict) -> str:
    """The same text as UTF-8 bytes held in a 1-byte-per-char str: a third of
    the memory of a str holding emoji (4 bytes per char); search it with
    ``needle.casefold().encode().decode("latin-1") in value``."""
    return search_text(record).encode().decode("latin-1")


def specs(search: str = "casefold") -> list[CollectionSpec]:
    fn = search_utf8 if search == "utf8" else search_text
    return [CollectionSpec("inbox", schema_version=1, fields=FIELDS,
                           derived={"search": fn, "pending": pending}),
            CollectionSpec("audit")]


SPECS = specs()
WORDS = ("thanks", "order", "refund", "late", "great", "service", "where", "is",
         "my", "parcel", "love", "this", "brand", "not", "happy", "help", "please",
         "ありがとう", "配達", "遅い", "😀", "🙏", "🔥", "📦", "😡", "✨", "café", "naïve")
PLATFORMS = ("mastodon", "bluesky", "facebook", "instagram", "x", "linkedin")
STATUSES = ("open", "open", "open", "snoozed", "closed", "closed")


def text(rng: random.Random) -> str:
    target = rng.randint(80, 280)
    out: list[str] = []
    size = 0
    while size < target:
        word = rng.choice(WORDS)
        out.append(word)
        size += len(word) + 1
    return " ".join(out)[:target]


def stamp(rng: random.Random) -> str:
    return (f"2026-11-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:"
            f"{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}+00:00")


def make_record(rng: random.Random, i: int) -> dict:
    platform = rng.choice(PLATFORMS)
    status = rng.choice(STATUSES)
    replied = status == "closed" or rng.random() < 0.3
    return {
        "platform": platform,
        "account_id": f"{platform}:northwind_{rng.choice(('en', 'de', 'jp'))}",
        "remote_id": f"{rng.getrandbits(63):x}",
        "kind": rng.choice(("comment", "dm", "mention")),
        "thread_id": f"t{rng.randint(1, 20000)}",
        "author_id": f"u{rng.randint(1, 50000)}",
        "author_handle": f"@user{rng.randint(1, 50000)}",
        "author_name": rng.choice(("Ana", "Bo", "Chen 陈", "Dee 🌟", "Eli")),
        "text": text(rng),
        "created_at": stamp(rng),
        "received_at": stamp(rng),
        "sla_due": stamp(rng),
        "status": status,
        "snoozed_until": stamp(rng) if status == "snoozed" else None,
        "assignee": rng.choice(("", "alice", "bob", "carol")),
        "tags": rng.sample(["refund", "shipping", "praise", "vip", "crisis"], rng.randint(0, 2)),
        "notes": [],
        "replies": [],
        "parent_remote_id": "",
        "url": f"https://{platform}.example/{i}",
        "language": rng.choice(("en", "de", "ja")),
        "first_response_at": stamp(rng) if replied else None,
        "closed_at": stamp(rng) if status == "closed" else None,
    }


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))]


def measure_open(root: str, search: str) -> None:
    """Child mode: open the store once in a fresh process, report time and memory."""
    SPECS[:] = specs(search)
    rss0 = peak_rss_mb()
    t0 = time.perf_counter()
    store = Store.open(root, SPECS)
    elapsed = time.perf_counter() - t0
    peak = peak_rss_mb()
    rss = rss_mb()
    count, warnings = store.count("inbox"), store.warnings
    t0 = time.perf_counter()
    open_keys = [k for k, p in store.projection("inbox").items() if p[0] == "open"]
    scan = time.perf_counter() - t0
    store.close()
    del store
    gc.collect()
    print(json.dumps({"open_s": elapsed, "peak_rss_mb": peak, "baseline_rss_mb": rss0,
                      "rss_after_open_mb": rss, "projection_scan_s": scan,
                      "open_matches": len(open_keys), "count": count,
                      "warnings": warnings}))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--updates", type=int, default=500)
    parser.add_argument("--batch", type=int, default=2000, help="records per fill transaction")
    parser.add_argument("--dir", help="store directory (default: a temp dir, removed after)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--search", choices=("casefold", "utf8"), default="casefold",
                        help="how the derived search text is held (see search_utf8)")
    parser.add_argument("--measure-open", metavar="DIR", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    SPECS[:] = specs(args.search)
    if args.measure_open:
        measure_open(args.measure_open, args.search)
        return 0

    rng = random.Random(args.seed)
    root = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="socops-bench-"))
    result: dict = {"items": args.items, "search": args.search}
    try:
        t0 = time.perf_counter()
        with Store.open(root, SPECS) as store:
            for start in range(0, args.items, args.batch):
                with store.transaction(actor="bench") as tx:
                    for i in range(start, min(args.items, start + args.batch)):
                        tx.insert("inbox", f"sandbox:{i}", make_record(rng, i))
            result["fill_s"] = round(time.perf_counter() - t0, 3)
            t0 = time.perf_counter()
            store.compact()
            result["compact_s"] = round(time.perf_counter() - t0, 3)
        result["snapshot_mb"] = round((root / "inbox.json").stat().st_size / 1e6, 2)
        print(f"filled {args.items} in {result['fill_s']} s", file=sys.stderr)

        runs = []
        for _ in range(3):   # each in a fresh process: cold interpreter, own peak RSS
            out = subprocess.run([sys.executable, "-m", "bench.store", "--measure-open",
                                  str(root), "--search", args.search], check=True, capture_output=True, text=True)
            runs.append(json.loads(out.stdout))
            assert runs[-1]["count"] == args.items, runs[-1]
        result["open_s_median"] = round(statistics.median(r["open_s"] for r in runs), 3)
        result["open_s_runs"] = [round(r["open_s"], 3) for r in runs]
        result["open_peak_rss_mb"] = round(max(r["peak_rss_mb"] for r in runs), 1)
        result["open_rss_before_mb"] = round(runs[0]["baseline_rss_mb"], 1)
        result["rss_after_open_mb"] = round(max(r["rss_after_open_mb"] for r in runs), 1)
        result["projection_scan_open_ms"] = round(
            statistics.median(r["projection_scan_s"] for r in runs) * 1000, 1)
        store = Store.open(root, SPECS)

        other = Store.open(root, SPECS)
        update_ms, refresh_ms, seen_ms = [], [], []
        keys = [f"sandbox:{rng.randrange(args.items)}" for _ in range(args.updates)]
        for n, key in enumerate(keys):
            current = store.get("inbox", key)
            t0 = time.perf_counter()
            store.update("inbox", key, {"status": "done", "note": f"n{n}"},
                         expected_version=current["_v"], actor="bench")
            t1 = time.perf_counter()
            update_ms.append((t1 - t0) * 1000)
            changes = other.refresh()
            t2 = time.perf_counter()
            assert changes and changes[-1].key == key, "second store did not see the update"
            refresh_ms.append((t2 - t1) * 1000)
            seen_ms.append((t2 - t0) * 1000)
        idle = []
        for _ in range(1000):
            t0 = time.perf_counter()
            other.refresh()
            idle.append((time.perf_counter() - t0) * 1e6)
        t0 = time.perf_counter()
        found = store.find("inbox", where("status") == "open")
        find_ms = (time.perf_counter() - t0) * 1000
        t0 = time.perf_counter()
        needle = "配達 📦"
        if args.search == "utf8":
            needle = needle.encode().decode("latin-1")
        hits = [k for k, p in store.projection("inbox").items() if needle in p[11]]
        search_ms = (time.perf_counter() - t0) * 1000

        result.update({
            "update_median_ms": round(statistics.median(update_ms), 3),
            "update_p95_ms": round(percentile(update_ms, 0.95), 3),
            "refresh_one_entry_median_ms": round(statistics.median(refresh_ms), 3),
            "refresh_one_entry_p95_ms": round(percentile(refresh_ms, 0.95), 3),
            "write_to_seen_by_other_median_ms": round(statistics.median(seen_ms), 3),
            "refresh_idle_median_us": round(statistics.median(idle), 2),
            "find_open_ms": round(find_ms, 1),
            "find_open_matches": len(found),
            "projection_search_ms": round(search_ms, 1),
            "projection_search_matches": len(hits),
            "journal_bytes_after_updates": store.stats()["journal_bytes"],
            "bench_process_peak_rss_mb_two_stores": round(peak_rss_mb(), 1),
            "warnings": store.warnings + other.warnings,
        })
        store.close()
        other.close()
    finally:
        if not args.dir:
            shutil.rmtree(root, ignore_errors=True)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
