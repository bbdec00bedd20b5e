"""Child-process helper for the log-collection tests (run as a script).

    python _logproc.py append DIR N NAME   append N events with sequential keys,
                                           retrying on ConflictError, compacting
                                           now and then; prints "conflicts <n>"
    python _logproc.py churn DIR SEED      forever: one transaction = counter
                                           update + audit append, printing each
                                           acknowledged one; compacts at random
"""
from __future__ import annotations

import random
import sys

from data import CollectionSpec, ConflictError, Store

SPECS = [CollectionSpec("counters"), CollectionSpec("audit", resident=False)]


def key(seq: int) -> str:
    return f"{seq:012d}"


def next_seq(store: Store) -> int:
    last = store.last("audit")
    return 0 if last is None else int(last["_key"]) + 1


def append(directory: str, n: int, name: str) -> None:
    store = Store.open(directory, SPECS)
    print("ready", flush=True)
    sys.stdin.readline()                      # start together
    conflicts = 0
    for i in range(n):
        while True:
            store.refresh()
            try:
                store.insert("audit", key(next_seq(store)), {"by": name, "i": i},
                             actor=name)
                break
            except ConflictError:
                conflicts += 1                # memory was caught up by the failed write
        if i % 37 == 36:
            store.compact()
    print(f"conflicts {conflicts}", flush=True)
    store.close()


def churn(directory: str, seed: int) -> None:
    rng = random.Random(seed)
    store = Store.open(directory, SPECS)
    print("ready", flush=True)
    while True:
        current = store.get("counters", "n")
        n = 0 if current is None else current["n"]
        with store.transaction(actor="churn") as tx:
            tx.update("counters", "n", {"n": n + 1},
                      expected_version=None if current is None else current["_v"])
            tx.insert("audit", key(next_seq(store)),
                      {"action": "count", "n": n + 1, "pad": "é✨" * rng.randint(10, 300)})
        print(f"ack {n + 1}", flush=True)
        if rng.random() < 0.08:
            store.compact()
            print("compacted", flush=True)


if __name__ == "__main__":
    mode, directory = sys.argv[1], sys.argv[2]
    if mode == "append":
        append(directory, int(sys.argv[3]), sys.argv[4])
    elif mode == "churn":
        churn(directory, int(sys.argv[3]))
    else:
        raise SystemExit(f"unknown mode {mode}")
