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
    assert json.loads(path.read_text())["cache_key"] == "https://neo.example.test"
    assert "token" not in path.read_text().lower().replace('"token_tag"', "")
    for junk in ("{", "[]", json.dumps({"base_url": "https://neo.example.test", "summary": {}})):
        path.write_text(junk)
        assert cache.load("https://neo.example.test", path) is None


def test_a_cache_written_by_the_previous_release_loads(tmp_path: Path) -> None:
    """Before the token tag and the cache key had their names, the cache called them "account"
    and "base_url" (and wrote instants with "+00:00")."""
    path = tmp_path / "snap.json"
    snapshot = realistic_snapshot()
    old: dict[str, object] = {
        "base_url": "https://neo.example.test",
        "summary": snapshot.summary.model_dump(mode="json"),
        "fetched_at": snapshot.fetched_at.isoformat(),
        "account": "0123456789ab",
        "interval_seconds": 300,
        "forecast": None,
        "retry_at": (NOW + timedelta(minutes=3)).isoformat(),
    }
    assert str(old["fetched_at"]).endswith("+00:00")
    path.write_text(json.dumps(old))
    entry = cache.load_entry("https://neo.example.test", path, NOW)
    assert entry is not None
    assert entry.snapshot.token_tag == "0123456789ab"
    assert entry.snapshot.fetched_at == snapshot.fetched_at
    assert entry.retry_at == NOW + timedelta(minutes=3)
    assert entry.interval_seconds == 300
