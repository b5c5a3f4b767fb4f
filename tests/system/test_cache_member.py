"""The cache in member mode: one entry per account, a member's replacing a summary's and back,
read back by `load_entry` as its own kind, and never taken for a summary."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from desktop.core.member import MemberCap, MemberProfile, MemberSnapshot
from desktop.core.models import parse_summary
from desktop.core.snapshot import Snapshot
from desktop.system import cache
from tests.helpers.constants import shared_example

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
KEY = "https://neo.example.test"
PROFILE = MemberProfile("maya@acme.test", "Acme <Sec>", MemberCap(75.0, 43.0, 32.0), True)


def member(minutes_ago: float = 2, profile: MemberProfile = PROFILE) -> MemberSnapshot:
    return MemberSnapshot(profile, NOW - timedelta(minutes=minutes_ago), token_tag="0123456789ab")


def summary_snapshot() -> Snapshot:
    return Snapshot(
        parse_summary(shared_example("example-realistic.json")), NOW - timedelta(minutes=1)
    )


def test_a_member_entry_round_trips_with_what_the_tray_knew(tmp_path: Path) -> None:
    path = tmp_path / "snap.json"
    retry_at = NOW + timedelta(minutes=3, microseconds=500)
    cache.save_member(path, KEY, member(), 300.0, retry_at=retry_at)
    stored = json.loads(path.read_text(encoding="utf-8"))
    assert stored["mode"] == "member"
    assert stored["cache_key"] == KEY
    assert stored["retry_at"] == "2026-11-25T12:03:00Z"  # whole seconds, Z
    assert "summary" not in stored
    entry = cache.load_entry(KEY, path, NOW)
    assert isinstance(entry, cache.MemberEntry)
    assert entry.snapshot.profile == PROFILE
    assert entry.snapshot.from_cache
    assert entry.snapshot.token_tag == "0123456789ab"
    assert entry.snapshot.fetched_at == NOW - timedelta(minutes=2)
    assert (entry.interval_seconds, entry.retry_at) == (300.0, NOW + timedelta(minutes=3))
    assert cache.load(KEY, path, NOW) is None  # `load` gives summaries only
    assert cache.load_entry("https://other.example.test", path, NOW) is None


def test_one_entry_per_account_a_member_replaces_a_summary_and_back(tmp_path: Path) -> None:
    path = tmp_path / "snap.json"
    cache.save(summary_snapshot(), KEY, path, interval_seconds=300.0)
    assert isinstance(cache.load_entry(KEY, path, NOW), cache.CacheEntry)
    cache.save_member(path, KEY, member(), 300.0)
    assert isinstance(cache.load_entry(KEY, path, NOW), cache.MemberEntry)
    cache.save(summary_snapshot(), KEY, path, interval_seconds=300.0)  # promoted to admin
    entry = cache.load_entry(KEY, path, NOW)
    assert isinstance(entry, cache.CacheEntry)
    assert "mode" not in json.loads(path.read_text(encoding="utf-8"))
    assert [p.name for p in tmp_path.iterdir()] == ["snap.json"]


@pytest.mark.parametrize(
    "change",
    [
        {"member": None},
        {"member": {"email": "", "team": None, "cap": None}},
        {"member": {"email": "a@b.test", "team": None, "cap": {"limit": "75"}}},
        {"member": {"email": "a@b.test", "team": 7, "cap": None}},
        {"fetched_at": "yesterday"},
        {"fetched_at": "2026-11-25T13:00:00Z"},  # an hour ahead of now: a clock jump
        {"retry_at": "2026-11-26T12:00:00Z"},  # further ahead than the tray ever waits
    ],
)
def test_a_damaged_or_unbelievable_member_entry_is_none(
    tmp_path: Path, change: dict[str, object], caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "snap.json"
    cache.save_member(path, KEY, member(), 300.0)
    data = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**data, **change}), encoding="utf-8")
    assert cache.load_entry(KEY, path, NOW) is None
    assert "Ignoring" in caplog.text  # logged, never raised


def test_a_member_entry_holds_no_token(tmp_path: Path) -> None:
    path = tmp_path / "snap.json"
    cache.save_member(path, KEY, member(), None)
    text = path.read_text(encoding="utf-8")
    assert "token" not in text.lower().replace('"token_tag"', "")
    assert oct(path.stat().st_mode & 0o777) == oct(0o600)
