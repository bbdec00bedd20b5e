from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from data import CollectionSpec, Store

SPECS = [CollectionSpec("inbox"), CollectionSpec("counters"), CollectionSpec("audit")]


class FakeClock:
    def __init__(self, start: datetime = datetime(2026, 11, 26, 10, 42, 5, tzinfo=timezone.utc)):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def tick(self, seconds: float = 1) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store_dir(tmp_path):
    return tmp_path / "store"


@pytest.fixture
def open_store(store_dir):
    opened: list[Store] = []

    def _open(specs=SPECS, **kw) -> Store:
        s = Store.open(store_dir, specs, **kw)
        opened.append(s)
        return s

    yield _open
    for s in opened:
        s.close()
