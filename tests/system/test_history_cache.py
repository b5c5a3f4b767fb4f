"""The year's history file: a round trip, once a day, another token's or address's file, damage,
and the safe-files rules (owner-only, never through a link)."""

from __future__ import annotations

import json
import os
import stat
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from desktop.core.history import DayUsage
from desktop.system import cache, history_cache
from desktop.system.history_cache import HistoryEntry

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
KEY = "https://neo.example.test"
TAG = "0123456789ab"
DAYS = (DayUsage(date(2026, 11, 27), 12.5, 3), DayUsage(date(2026, 11, 28), 0.0, 0))


def _saved(tmp_path: Path, fetched_at: datetime = NOW) -> Path:
    path = tmp_path / "app" / "year-history.json"
    history_cache.save(HistoryEntry(fetched_at, DAYS), KEY, TAG, path)
    return path


def test_a_round_trip_keeps_the_days_and_the_time(tmp_path: Path) -> None:
    path = _saved(tmp_path)
    assert history_cache.load(KEY, TAG, path, NOW) == HistoryEntry(NOW, DAYS)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_its_own_file_per_account_not_the_snapshot_cache() -> None:
    assert history_cache.default_path("default").name == "year-history.json"
    assert history_cache.default_path("e5f6a7b8").name == "year-history-e5f6a7b8.json"
    assert history_cache.default_path() != cache.default_path()
    assert history_cache.default_path().parent == cache.default_path().parent


@pytest.mark.parametrize(
    ("age", "fresh"),
    [
        (timedelta(0), True),
        (timedelta(hours=23, minutes=59), True),
        (timedelta(days=1), False),  # a day old: fetched again
        (timedelta(days=3), False),
        (-timedelta(minutes=1), True),  # a clock a little behind the one that wrote it
        (-timedelta(hours=1), False),
    ],
)
def test_fetched_at_most_once_a_day(tmp_path: Path, age: timedelta, fresh: bool) -> None:
    path = _saved(tmp_path, NOW - age)
    entry = history_cache.load(KEY, TAG, path, NOW)
    assert history_cache.is_fresh(entry, NOW) is fresh
    assert history_cache.is_fresh(None, NOW) is False


def test_another_tokens_or_addresss_file_is_not_used(tmp_path: Path) -> None:
    path = _saved(tmp_path)
    assert history_cache.load(KEY, "ffffffffffff", path, NOW) is None
    assert history_cache.load("https://other.example.test", TAG, path, NOW) is None
    assert history_cache.load(KEY, TAG, path, NOW) is not None


def test_a_file_from_the_future_is_not_used(tmp_path: Path) -> None:
    path = _saved(tmp_path, NOW + timedelta(hours=2))
    assert history_cache.load(KEY, TAG, path, NOW) is None


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: "{",
        lambda data: "[]",
        lambda data: json.dumps({**data, "format": 2}),
        lambda data: json.dumps({**data, "fetched_at": "yesterday"}),
        lambda data: json.dumps({**data, "fetched_at": "2026-11-29T12:00:00"}),  # no zone
        lambda data: json.dumps({**data, "days": {}}),
        lambda data: json.dumps({**data, "days": [["2026-11-27", 1.0]]}),
        lambda data: json.dumps({**data, "days": [["2026-13-27", 1.0, 1]]}),
        lambda data: json.dumps({**data, "days": [["2026-11-27", -1.0, 1]]}),
        lambda data: json.dumps({**data, "days": [["2026-11-27", 1e300, 1]]}),
        lambda data: json.dumps({**data, "days": [["2026-11-27", 1.0, 1.5]]}),
        lambda data: json.dumps({**data, "days": [["2026-11-27", True, 1]]}),
        lambda data: json.dumps({**data, "days": [["2026-11-27", 1.0, 1]] * 401}),
        lambda data: json.dumps(data).replace("12.5", "NaN"),
        lambda data: "x" * (history_cache.HISTORY_LIMIT + 1),
    ],
)
def test_a_damaged_file_is_ignored(tmp_path: Path, damage: object) -> None:
    path = _saved(tmp_path)
    data = json.loads(path.read_text())
    path.write_text(damage(data))  # type: ignore[operator]
    assert history_cache.load(KEY, TAG, path, NOW) is None


def test_a_link_is_neither_read_nor_written_through(tmp_path: Path) -> None:
    path = _saved(tmp_path)
    elsewhere = tmp_path / "elsewhere.json"
    os.replace(path, elsewhere)
    path.symlink_to(elsewhere)
    assert history_cache.load(KEY, TAG, path, NOW) is None
    history_cache.save(HistoryEntry(NOW, DAYS[:1]), KEY, TAG, path)
    assert not path.is_symlink()
    assert json.loads(elsewhere.read_text())["days"] == [
        ["2026-11-27", 12.5, 3],
        ["2026-11-28", 0.0, 0],
    ]


def test_a_folder_others_can_write_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o777)
    folder.chmod(0o777)
    path = folder / "year-history.json"
    history_cache.save(HistoryEntry(NOW, DAYS), KEY, TAG, path)
    assert not path.exists()
    assert history_cache.load(KEY, TAG, path, NOW) is None
