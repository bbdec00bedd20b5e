"""A store with only the job-health collection, and jobs that do as the test says."""

from __future__ import annotations

from datetime import timedelta

import pytest

from console.worker import JOB_HEALTH_COLLECTIONS
from data import Store


class ScriptedJob:
    """Runs as told: returns a report, or raises ``error`` while one is set."""

    def __init__(self, name: str, interval: timedelta = timedelta(seconds=5)) -> None:
        self.name = name
        self.interval = interval
        self.error: Exception | None = None
        self.runs: list = []

    async def run(self, now):
        self.runs.append(now)
        if self.error is not None:
            raise self.error
        return f"{self.name} run {len(self.runs)}"


@pytest.fixture
def store(tmp_path, clock):
    opened = Store.open(tmp_path / "store", JOB_HEALTH_COLLECTIONS, clock=clock)
    yield opened
    opened.close()
