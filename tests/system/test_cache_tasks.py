"""Today's task ledger's figures in the tray's cache (issue 30): written beside the summary, read
back on their local day only; a cache without them (the previous release) or with damaged ones
still gives its snapshot."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from desktop.core.models import parse_summary
from desktop.core.snapshot import Snapshot
from desktop.core.tasks import TasksStatus
from desktop.core.today_tasks import TodayTasks
from desktop.system import cache
from tests.helpers.constants import shared_example
from tests.zones import local_zone

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
KEY = "https://neo.example.test"
TODAY = TodayTasks(
    TasksStatus.OK, datetime(2026, 11, 25, tzinfo=UTC), NOW - timedelta(minutes=1), 7, 42.5
)


@pytest.fixture(autouse=True)
def _utc() -> object:
    with local_zone("UTC"):
        yield


def save(path: Path, tasks: TodayTasks | None) -> Snapshot:
    snapshot = Snapshot(
        parse_summary(shared_example("example-realistic.json")), NOW - timedelta(minutes=1)
    )
    cache.save(snapshot, KEY, path, interval_seconds=300.0, tasks_today=tasks)
    return snapshot


def test_todays_figures_round_trip_beside_the_summary(tmp_path: Path) -> None:
    path = tmp_path / "snap.json"
    snapshot = save(path, TODAY)
    data = json.loads(path.read_text())
    assert data["tasks_today"] == {
        "status": "ok",
        "from": "2026-11-25T00:00:00Z",
        "to": "2026-11-25T11:59:00Z",
        "count": 7,
        "neo_credits": 42.5,
    }
    entry = cache.load_entry(KEY, path, NOW)
    assert isinstance(entry, cache.CacheEntry)
    assert entry.tasks_today == TODAY
    assert entry.snapshot.summary == snapshot.summary
    # Read the next day, the figures are yesterday's: none, the snapshot still read.
    tomorrow = cache.load_entry(KEY, path, NOW + timedelta(hours=12, minutes=1))
    assert isinstance(tomorrow, cache.CacheEntry)
    assert tomorrow.tasks_today is None


def test_without_figures_and_from_the_previous_release(tmp_path: Path) -> None:
    path = tmp_path / "snap.json"
    save(path, None)
    assert json.loads(path.read_text())["tasks_today"] is None
    entry = cache.load_entry(KEY, path, NOW)
    assert isinstance(entry, cache.CacheEntry)
    assert entry.tasks_today is None
    old = json.loads(path.read_text())
    del old["tasks_today"]  # a cache of the release before
    path.write_text(json.dumps(old))
    entry = cache.load_entry(KEY, path, NOW)
    assert isinstance(entry, cache.CacheEntry)
    assert entry.tasks_today is None


@pytest.mark.parametrize(
    "damage",
    [
        "not an object",
        {"status": "ok"},
        {"count": -3},
        {"count": 10**9},
        {"neo_credits": "NaN"},
        {"from": "2026-11-25T00:00:00"},
    ],
)
def test_damaged_figures_are_left_out_the_snapshot_read(tmp_path: Path, damage: object) -> None:
    path = tmp_path / "snap.json"
    save(path, TODAY)
    data = json.loads(path.read_text())
    if isinstance(damage, dict):
        data["tasks_today"] = {**data["tasks_today"], **damage}
        if damage == {"status": "ok"}:
            data["tasks_today"] = damage
    else:
        data["tasks_today"] = damage
    path.write_text(json.dumps(data))
    entry = cache.load_entry(KEY, path, NOW)
    assert isinstance(entry, cache.CacheEntry)
    assert entry.tasks_today is None
    assert entry.interval_seconds == 300.0
