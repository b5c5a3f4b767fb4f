"""The last good summary on disk: a round trip, another account's file, and damage."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from desktop.core.models import parse_summary
from desktop.core.snapshot import Snapshot
from desktop.system import cache
from tests.helpers.constants import shared_example

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def realistic_snapshot(minutes_ago: float = 2) -> Snapshot:
    return Snapshot(
        parse_summary(shared_example("example-realistic.json")),
        NOW - timedelta(minutes=minutes_ago),
    )


def test_snapshot_cache_round_trip_and_corruption(tmp_path: Path) -> None:
    path = tmp_path / "snap.json"
    snapshot = realistic_snapshot()
    cache.save(snapshot, "https://neo.example.test", path)
    loaded = cache.load("https://neo.example.test", path)
    assert loaded is not None
    assert loaded.from_cache
    assert loaded.summary == snapshot.summary
    assert loaded.fetched_at == snapshot.fetched_at
    assert cache.load("https://other.example.test", path) is None  # another account's data
    assert "token" not in path.read_text().lower()
    for junk in ("{", "[]", json.dumps({"base_url": "https://neo.example.test", "summary": {}})):
        path.write_text(junk)
        assert cache.load("https://neo.example.test", path) is None
