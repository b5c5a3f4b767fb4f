"""One account's state: what it holds, and that it says so once per change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pytestqt.qtbot import QtBot

from desktop.core.models import parse_summary
from desktop.core.settings import Settings
from desktop.core.snapshot import Snapshot
from desktop.ui.state import AccountState
from tests.helpers.constants import shared_example

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def realistic_snapshot(minutes_ago: float = 2) -> Snapshot:
    return Snapshot(
        parse_summary(shared_example("example-realistic.json")),
        NOW - timedelta(minutes=minutes_ago),
    )


def test_app_state_changes_once_per_change(qtbot: QtBot) -> None:
    state = AccountState()
    changes: list[None] = []
    state.changed.connect(lambda: changes.append(None))
    snapshot = realistic_snapshot()
    state.on_snapshot(snapshot)
    state.on_snapshot(snapshot)  # the same: no change
    with qtbot.waitSignal(state.paused_changed) as blocker:
        state.set_paused(True)
    assert blocker.args == [True]
    state.set_paused(True)
    state.apply_settings(Settings(low_threshold=0.8, critical_threshold=0.5))
    assert len(changes) == 3
    assert state.view.paused
    assert state.view.thresholds.low == 0.8


def test_thresholds_in_the_state_move_the_level(qtbot: QtBot) -> None:
    from desktop.core import presentation
    from desktop.core.levels import CreditLevel

    state = AccountState()
    state.on_snapshot(realistic_snapshot())
    assert presentation.look(state.view, NOW).level == CreditLevel.OK
    state.apply_settings(Settings(low_threshold=0.9, critical_threshold=0.8))
    assert presentation.look(state.view, NOW).level == CreditLevel.CRITICAL


def test_the_expiry_warning_days_reach_the_icon(qtbot: QtBot) -> None:
    from desktop.core import presentation
    from desktop.core.looks import ExpiryStage

    state = AccountState()
    state.on_snapshot(realistic_snapshot())
    expires_at = state.view.snapshot.summary.neo_credits_expires_at if state.view.snapshot else None
    assert expires_at is not None
    days_left = (expires_at - NOW).days
    state.apply_settings(Settings(expiry_warning_days=(days_left + 1,)))
    assert state.view.expiry_warning_days == (days_left + 1,)
    assert presentation.look(state.view, NOW).expiry is ExpiryStage.LAST
