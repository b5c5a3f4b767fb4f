"""What the tray shows for a given state: the icon's look, the tooltip and the menu's status lines.

Pure: the Qt tray only paints the `Look` and sets the strings this module returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from desktop.core import fmt
from desktop.core.derive import Derived, derive
from desktop.core.errors import ErrorKind
from desktop.core.levels import CreditLevel, Thresholds
from desktop.core.looks import Look, LookKind
from desktop.core.snapshot import PollError, Snapshot

TOOLTIP_LIMIT = 127  # Windows cuts tooltips here


@dataclass(frozen=True)
class ViewState:
    """The app state the tray renders: last good snapshot, last error, and what is going on."""

    snapshot: Snapshot | None = None
    error: PollError | None = None
    loading: bool = False
    paused: bool = False

    @property
    def error_is_current(self) -> bool:
        """The last error is newer than the last good data (or there is no good data)."""
        if self.error is None:
            return False
        return self.snapshot is None or self.error.at >= self.snapshot.fetched_at

    @property
    def stale(self) -> bool:
        if self.snapshot is None:
            return False
        return self.snapshot.from_cache or self.error_is_current


_BLOCKING_LOOKS = {
    ErrorKind.NO_TOKEN: LookKind.NO_TOKEN,
    ErrorKind.AUTH_REJECTED: LookKind.AUTH_REJECTED,
    ErrorKind.NO_PERMISSION: LookKind.NO_PERMISSION,
    ErrorKind.SETTINGS: LookKind.AUTH_REJECTED,
}


def figures(state: ViewState, now: datetime, thresholds: Thresholds) -> Derived | None:
    return derive(state.snapshot.summary, now, thresholds) if state.snapshot else None


def look(state: ViewState, now: datetime, thresholds: Thresholds) -> Look:
    return look_for(state, figures(state, now, thresholds))


def look_for(state: ViewState, derived: Derived | None) -> Look:
    """The look, from figures already derived (views that need both derive only once)."""
    error = state.error if state.error_is_current else None
    if error is not None and error.kind in _BLOCKING_LOOKS:
        return Look(_BLOCKING_LOOKS[error.kind])
    if derived is None:
        return Look(LookKind.OFFLINE) if error is not None else Look(LookKind.LOADING)
    if derived.expired:
        return Look(LookKind.EXPIRED, CreditLevel.EXPIRED, 0, dimmed=state.stale)
    percent = None if derived.gauge_fraction is None else round(derived.gauge_fraction * 100)
    return Look(LookKind.GAUGE, derived.level, percent, dimmed=state.stale)


def _clip(text: str, limit: int = TOOLTIP_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _credit_line(derived: Derived) -> str:
    available = fmt.credits(derived.available_credits)
    issued = fmt.credits(derived.issued_credits)
    return f"{available} / {issued} credits ({fmt.percent(derived.available_fraction)})"


def tooltip(state: ViewState, now: datetime, thresholds: Thresholds) -> str:
    return tooltip_for(state, now, figures(state, now, thresholds))


def tooltip_for(state: ViewState, now: datetime, derived: Derived | None) -> str:
    current = look_for(state, derived)
    error_sentence = state.error.user_message if state.error else ""
    if current.kind is LookKind.NO_TOKEN:
        return "Neo Usage: no token set — choose “Set token…”"
    if current.kind is LookKind.NO_PERMISSION:
        return "Neo Usage: no permission to see usage — ask your team admin"
    if current.kind in {LookKind.AUTH_REJECTED, LookKind.OFFLINE}:
        return _clip(f"Neo Usage: {error_sentence}")
    if derived is None or state.snapshot is None:
        return "Neo Usage: loading…"
    updated = fmt.ago(state.snapshot.fetched_at, now)
    prefix = "Neo"
    if state.snapshot.from_cache:
        prefix = "Neo (cached)"
    elif state.stale:
        prefix = "Neo (offline)"
    if derived.expired:
        return _clip(f"{prefix}: credits expired · {_credit_line(derived)} · {updated}")
    countdown = fmt.countdown(derived.expires_in, derived.expired)
    return _clip(f"{prefix}: {_credit_line(derived)} · {countdown} · {updated}")


def menu_lines(state: ViewState, now: datetime, thresholds: Thresholds) -> tuple[str, ...]:
    """The status lines at the top of the tray menu: credits, expiry, usage, freshness."""
    derived = figures(state, now, thresholds)
    if derived is None:
        credits_line = "Available: —"
        expiry_line = "Expiry: —"
        used_line = "Used since last reset: —"
    else:
        credits_line = (
            f"Available: {fmt.credits(derived.available_credits)} of "
            f"{fmt.credits(derived.issued_credits)} credits "
            f"({fmt.percent(derived.available_fraction)})"
        )
        if derived.expired:
            when = fmt.local_datetime(derived.expires_at) if derived.expires_at else ""
            expiry_line = f"Credits expired {when}".rstrip()
        elif derived.expires_at is None:
            expiry_line = "Credits never expire"
        else:
            expiry_line = (
                f"{fmt.countdown(derived.expires_in, False).capitalize()} "
                f"({fmt.local_datetime(derived.expires_at)})"
            )
        used_line = f"Used since last reset: {fmt.credits(derived.used_credits)} credits"
    return (credits_line, expiry_line, used_line, status_line(state, now))


def status_line(state: ViewState, now: datetime) -> str:
    """Freshness or the error sentence, with what is shown meanwhile."""
    if state.paused:
        suffix = f" · updated {fmt.ago(state.snapshot.fetched_at, now)}" if state.snapshot else ""
        return f"Polling paused{suffix}"
    if state.error_is_current and state.error is not None:
        if state.snapshot is not None:
            shown = fmt.ago(state.snapshot.fetched_at, now)
            return f"{state.error.user_message} Showing data from {shown}."
        return state.error.user_message
    if state.snapshot is None:
        return "Loading…"
    if state.snapshot.from_cache:
        return f"Updating… (showing data from {fmt.ago(state.snapshot.fetched_at, now)})"
    return f"Updated {fmt.ago(state.snapshot.fetched_at, now)}"
