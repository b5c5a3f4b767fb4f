"""A damaged or oversized notification memory is kept aside, not overwritten (hardening, X8 item
4): before, the next save replaced it and what it recorded as sent was lost (repeat
notifications) with nothing left to look at."""

from __future__ import annotations

import logging
import os
from datetime import datetime
from pathlib import Path

import pytest

from desktop.core.rules.memory import NotifyMemory
from desktop.system import notify_store, paths

SNOOZED = NotifyMemory(snoozed_until="2026-12-01T00:00:00Z")


def spoil(path: Path, how: str) -> bytes:
    paths.private_dir(path.parent)
    if how == "damaged":
        path.write_bytes(b'{"version": 2, "sent": [')
    elif how == "not utf-8":
        path.write_bytes(b'{"snoozed_until": "\xff"}')
    else:
        with path.open("wb") as handle:
            handle.truncate(notify_store.STATE_LIMIT + 1)
    return path.read_bytes()


@pytest.mark.parametrize("how", ["damaged", "not utf-8", "oversized"])
def test_a_damaged_or_oversized_memory_is_kept_aside_and_said_once(
    how: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = notify_store.default_path()
    before = spoil(path, how)
    with caplog.at_level(logging.WARNING, logger="desktop.system.notify_store"):
        assert notify_store.load(path) == NotifyMemory()
    copies = list(path.parent.glob("notifications.json.corrupt-*"))
    assert len(copies) == 1
    assert copies[0].read_bytes() == before
    assert not path.exists()
    said = [r.getMessage() for r in caplog.records]
    assert len(said) == 1
    assert f"is kept as {copies[0].name} and starts afresh" in said[0]
    notify_store.save(SNOOZED, path)  # starting afresh leaves the copy alone
    assert copies[0].read_bytes() == before
    assert notify_store.load(path) == SNOOZED
    assert len(list(path.parent.glob("notifications.json.corrupt-*"))) == 1


def test_at_most_a_few_copies_are_kept_the_oldest_removed() -> None:
    path = notify_store.default_path()
    names = []
    for second in range(notify_store.KEEP_ASIDE + 2):
        spoil(path, "damaged")
        copy = notify_store.set_aside(path, datetime(2026, 11, 29, 19, 0, second))
        assert copy is not None
        names.append(copy.name)
    spoil(path, "damaged")  # the same second twice: a second name, not one lost
    again = notify_store.set_aside(path, datetime(2026, 11, 29, 19, 0, 4))
    assert again is not None
    assert again.name.endswith("-190004-2")
    kept = sorted(p.name for p in path.parent.glob("notifications.json.corrupt-*"))
    assert len(kept) == notify_store.KEEP_ASIDE
    assert kept == sorted([*names, again.name])[-notify_store.KEEP_ASIDE :]


def test_a_link_or_a_file_others_can_write_is_ignored_not_kept(tmp_path: Path) -> None:
    path = notify_store.default_path()
    paths.private_dir(path.parent)
    target = tmp_path / "elsewhere.json"
    target.write_text("{")
    path.symlink_to(target)
    assert notify_store.load(path) == NotifyMemory()
    assert path.is_symlink()
    path.unlink()
    notify_store.save(SNOOZED, path)
    os.chmod(path, 0o666)
    assert notify_store.load(path) == NotifyMemory()
    assert not list(path.parent.glob("notifications.json.corrupt-*"))
