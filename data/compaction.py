"""Compaction: fold the journal into fresh snapshots, start a new generation.

Runs under the store's file lock, after catching up. Order of the steps, and
why a crash after any of them leaves a store that opens correctly:

1. create empty ``journal-<G+1>`` (fsync dir). Crash: snapshots are all < G+1
   and replay journal G (and the empty G+1). Writers now append to G+1.
2. write each collection's snapshot with generation G+1 (atomic rename),
   and for each log collection (data/log.py) the archive segment of every
   journal < G+1 whose ops of it are not archived yet (``<name>.log/<g>``,
   atomic rename). Crash: collections already written skip journal G, the
   others replay it; a log skips the ops of journals whose segment exists.
3. delete ``journal-<G>`` and older (a journal with damaged entries is set
   aside instead). Crash: leftovers are skipped (< every snapshot generation,
   archived in a segment) and removed by the next compaction.

Step 2 is the slow one (a few tenths of a second for 100k records: the
records' JSON texts are written as they are, never re-encoded); it works on
lists of the (immutable) JSON texts and projection tuples captured in step 1,
so the store's in-process lock can be released meanwhile: other threads keep
reading, and their writes go to journal G+1, which every new snapshot replays.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .journal import JournalFile, encode_entry, fsync_dir, journal_name, list_journals
from .log import archive, remove_temp
from .snapshot import list_temp, move_aside, write_snapshot
from .state import State


@dataclass
class Plan:
    generation: int
    # (collection, schema, projected names, (keys, JSON texts, projections))
    snapshots: list[tuple[str, int, tuple[str, ...], tuple[list, list, list]]] = \
        field(default_factory=list)
    # (log collection, journal generations to archive)
    logs: list[tuple[str, list[int]]] = field(default_factory=list)
    archived: list[tuple[str, list[int]]] = field(default_factory=list)
    warn: Callable[[str], None] = lambda message: None


def begin(state: State, directory: Path, *, now: str) -> Plan:
    """Step 1 (in-process lock and file lock held, caught up)."""
    old = state.journal
    gen = old.gen + 1
    for name in list_temp(directory):      # left by a compaction that crashed
        try:
            os.unlink(directory / name)
        except OSError:
            pass
    for name in state.logs:
        remove_temp(directory, name)
    new = JournalFile(directory, gen, create=True)
    fsync_dir(directory)
    # Records of collections this code does not know, whose schema differs
    # from the one their snapshot is written at, go on as journal ops.
    carry = [{"c": c, "k": k, "s": v, "r": _without_key(state.data[c].get(k))}
             for c, odd in sorted(state.foreign.items()) for k, v in odd.items()
             if k in state.data.get(c, {})]
    if carry:
        line, _ = encode_entry({"seq": 1, "at": now, "by": "compaction", "ops": carry})
        try:
            new.append(line)
        except BaseException:
            new.close()
            raise
        new.offset, new.last_seq = len(line), 1
    plan = Plan(gen)
    for name, table in sorted(state.data.items()):
        odd = state.foreign.get(name, {})
        if not odd:
            rows = (list(table.raw), list(table.raw.values()), list(table.proj.values()))
        else:
            keys = [k for k in table.raw if k not in odd]
            rows = (keys, [table.raw[k] for k in keys], [table.proj[k] for k in keys])
        plan.snapshots.append((name, state.schema[name], table.projector.names, rows))
    for name, log in sorted(state.logs.items()):
        gens = sorted(g for g in log.pending if g < gen)
        if gens:
            plan.logs.append((name, gens))
    old.close()                            # fully read: journal G is final now
    state.journal = new
    return plan


def write_all(plan: Plan, directory: Path) -> None:
    """Step 2 (file lock held; the in-process lock need not be)."""
    for name, gens in plan.logs:           # re-read from the journals on disk
        plan.archived.append((name, archive(directory, name, gens, plan.warn)))
    for name, schema, projected, rows in plan.snapshots:
        write_snapshot(directory, name, generation=plan.generation,
                       schema_version=schema, rows=rows, projected=projected)


def finish(plan: Plan, state: State, directory: Path, warn: Callable[[str], None]) -> None:
    """Step 3 (file lock held)."""
    for name, _, _, _ in plan.snapshots:
        state.since[name] = plan.generation
        state.stale.discard(name)
    for name, gens in plan.archived:
        state.logs[name].pending.difference_update(gens)
    unarchived = set().union(*(log.pending for log in state.logs.values()))
    for g in list_journals(directory):
        if g >= plan.generation:
            continue
        if g in unarchived:                # never drop a log's only copy
            warn(f"{journal_name(g)} kept: its log events are not archived yet")
            continue
        path = directory / journal_name(g)
        if g in state.damaged_gens:
            aside = move_aside(path)
            warn(f"{path.name} had damaged entries; kept as {aside}")
        else:
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
    fsync_dir(directory)


def _without_key(record: dict) -> dict:
    return {k: v for k, v in record.items() if k != "_key"}
