"""Child-process helper for the multi-process store tests (run as a script).

    python _proc.py incr DIR N KEY...   CAS-increment each KEY N times; prints
                                        "conflicts <n>" at the end
    python _proc.py incr-compact ...    the same, compacting every 7 rounds
    python _proc.py write DIR KEY       insert KEY, print "done"
    python _proc.py churn DIR SEED      write forever, printing each
                                        acknowledged write, until killed
"""
from __future__ import annotations

import random
import sys

from data import CollectionSpec, ConflictError, Store

SPECS = [CollectionSpec("inbox"), CollectionSpec("counters"), CollectionSpec("audit")]


def incr(directory: str, n: int, keys: list[str], compact_every: int = 0) -> None:
    store = Store.open(directory, SPECS)
    print("ready", flush=True)
    sys.stdin.readline()                      # start together
    conflicts = 0
    for _ in range(n):
        for key in keys:
            while True:
                current = store.get("counters", key)
                try:
                    if current is None:
                        store.insert("counters", key, {"n": 1}, actor="proc")
                    else:
                        store.update("counters", key, {"n": current["n"] + 1},
                                     expected_version=current["_v"], actor="proc")
                    break
                except ConflictError:
                    conflicts += 1            # memory was caught up by the failed write
        if compact_every and _ % compact_every == 0:
            store.compact()
    print(f"conflicts {conflicts}", flush=True)
    store.close()


def write(directory: str, key: str) -> None:
    store = Store.open(directory, SPECS)
    print("ready", flush=True)
    sys.stdin.readline()
    store.insert("inbox", key, {"text": "from another process"}, actor="other")
    print("done", flush=True)
    store.close()


def churn(directory: str, seed: int) -> None:
    rng = random.Random(seed)
    store = Store.open(directory, SPECS)
    print("ready", flush=True)
    i = 0
    while True:
        r = rng.random()
        pad = "é✨x" * rng.randint(1, 1500)
        if r < 0.45:
            key = f"s-{seed}-{i}"
            store.insert("inbox", key, {"i": i, "pad": pad}, actor="churn")
            print(f"ack {key}", flush=True)
        elif r < 0.80:
            with store.transaction(actor="churn") as tx:
                for j in range(3):
                    tx.insert("inbox", f"t-{seed}-{i}-{j}", {"i": i, "pad": pad})
                count = store.get("counters", "tx")
                tx.update("counters", "tx", {"n": (count or {"n": 0})["n"] + 1},
                          expected_version=None if count is None else count["_v"])
                tx.insert("audit", f"a-{seed}-{i}", {"what": "tx", "i": i})
            print(f"tx {seed}-{i}", flush=True)
        elif r < 0.95:
            victim = f"s-{seed}-{i - 1}"
            if store.get("inbox", victim) is not None:
                print(f"deleting {victim}", flush=True)
                store.delete("inbox", victim, expected_version=None, actor="churn")
                print(f"del {victim}", flush=True)
        else:
            store.compact()
            print("compacted", flush=True)
        i += 1


if __name__ == "__main__":
    mode, directory = sys.argv[1], sys.argv[2]
    if mode == "incr":
        incr(directory, int(sys.argv[3]), sys.argv[4:])
    elif mode == "incr-compact":
        incr(directory, int(sys.argv[3]), sys.argv[4:], compact_every=7)
    elif mode == "write":
        write(directory, sys.argv[3])
    elif mode == "churn":
        churn(directory, int(sys.argv[3]))
    else:
        raise SystemExit(f"unknown mode {mode}")
