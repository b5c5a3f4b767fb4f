"""The tray's latest failed poll in the cache (issue 30): its kind is stored beside the figures
and the retry, validated on read (anything but an `ErrorKind` value is no failure, the rest
read), and the caches of releases before it read as they did."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from desktop.core.errors import ErrorKind
from desktop.core.member import MemberCap, MemberProfile, MemberSnapshot
from desktop.core.models import parse_summary
from desktop.core.snapshot import Snapshot
from desktop.system import cache
from tests.helpers.constants import shared_example

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
KEY = "https://neo.example.test"
RETRY = NOW + timedelta(minutes=3)


def summary_snapshot() -> Snapshot:
    return Snapshot(
        parse_summary(shared_example("example-realistic.json")), NOW - timedelta(minutes=1)
    )


def member_snapshot() -> MemberSnapshot:
    profile = MemberProfile("maya@acme.test", "Acme", MemberCap(75.0, 43.0, 32.0), True)
    return MemberSnapshot(profile, NOW - timedelta(minutes=2), token_tag="0123456789ab")


@pytest.mark.parametrize("kind", list(ErrorKind))
def test_each_kind_round_trips_with_the_figures(tmp_path: Path, kind: ErrorKind) -> None:
    path = tmp_path / "snap.json"
    cache.save(summary_snapshot(), KEY, path, retry_at=RETRY, failure=kind.value)
    entry = cache.load_entry(KEY, path, NOW)
    assert isinstance(entry, cache.CacheEntry)
    assert (entry.failure, entry.retry_at) == (kind.value, RETRY)
    cache.save_member(path, KEY, member_snapshot(), 300.0, RETRY, failure=kind.value)
    member = cache.load_entry(KEY, path, NOW)
    assert isinstance(member, cache.MemberEntry)
    assert (member.failure, member.retry_at) == (kind.value, RETRY)


@pytest.mark.parametrize(
    "stored",
    ["absent", None, "", "OFFLINE", "exploded", 3, ["offline"], {"kind": "offline"}, True],
)
def test_anything_but_a_kind_is_no_failure_and_the_rest_is_read(
    tmp_path: Path, stored: object
) -> None:
    path = tmp_path / "snap.json"
    cache.save(summary_snapshot(), KEY, path, interval_seconds=300.0, retry_at=RETRY)
    data = json.loads(path.read_text(encoding="utf-8"))
    if stored == "absent":  # a cache of a release before the failure's kind
        del data["failure"]
    else:
        data["failure"] = stored
    path.write_text(json.dumps(data), encoding="utf-8")
    entry = cache.load_entry(KEY, path, NOW)
    assert isinstance(entry, cache.CacheEntry)
    assert entry.failure is None
    assert (entry.interval_seconds, entry.retry_at) == (300.0, RETRY)
    assert entry.snapshot.summary == summary_snapshot().summary


def test_a_good_poll_stores_no_failure(tmp_path: Path) -> None:
    path = tmp_path / "snap.json"
    cache.save(summary_snapshot(), KEY, path)
    assert json.loads(path.read_text(encoding="utf-8"))["failure"] is None
    entry = cache.load_entry(KEY, path, NOW)
    assert entry is not None
    assert entry.failure is None
