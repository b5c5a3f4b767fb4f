"""Figures derived from a usage summary: gauge share, credit level, expiry, per-task costs, and
the model and status shares (computed only where they are shown).

Pure and Qt-free; "now" is always passed in so tests and the countdown can move time.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from desktop.core.instants import utc_text
from desktop.core.levels import CreditLevel, Thresholds
from desktop.core.summary_figures import BreakdownValue, SummaryFigures

# Keys an object-shaped by_model/by_status value may use for its figures, most specific first.
CREDIT_KEYS = ("neo_credits", "credits", "total_neo_credits", "total_credits", "cost")
TASK_KEYS = ("tasks", "total_tasks", "task_count")
COUNT_KEYS = ("count", "tasks", "total", "total_tasks", "task_count")


class Share(NamedTuple):
    """One named slice of a breakdown (a model, a status); `value` None: no figure to read."""

    name: str
    value: float | None
    share: float | None
    tasks: float | None = None


class Derived(NamedTuple):
    """Everything the views show that is not a raw API field."""

    available_credits: float | None
    issued_credits: float | None
    used_credits: float | None
    available_fraction: float | None  # the true ratio, may be < 0 or > 1
    gauge_fraction: float | None  # clamped to [0, 1] for drawing
    fraction_out_of_range: bool
    level: CreditLevel
    expires_at: datetime | None
    expires_in: timedelta | None  # None: never expires; zero once expired
    expired: bool
    credits_per_task: float | None
    ms_per_task: float | None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (durations in seconds, instants in ISO 8601)."""
        return {
            "available_credits": self.available_credits,
            "issued_credits": self.issued_credits,
            "used_credits": self.used_credits,
            "available_fraction": self.available_fraction,
            "gauge_fraction": self.gauge_fraction,
            "fraction_out_of_range": self.fraction_out_of_range,
            "level": self.level.value,
            "expires_at": utc_text(self.expires_at) if self.expires_at else None,
            "expires_in_seconds": (
                self.expires_in.total_seconds() if self.expires_in is not None else None
            ),
            "expired": self.expired,
            "credits_per_task": self.credits_per_task,
            "ms_per_task": self.ms_per_task,
        }


def breakdown_json(summary: SummaryFigures) -> dict[str, Any]:
    """`--once`'s share figures: the top model and each model's and status's share."""
    models = model_shares(summary)
    return {
        "top_model": top_model(models),
        "model_shares": [_share_json(item) for item in models if item.value is not None],
        "status_shares": [
            _share_json(item) for item in status_shares(summary) if item.value is not None
        ],
    }


def top_model(shares: tuple[Share, ...]) -> str | None:
    return shares[0].name if shares and shares[0].value is not None else None


def _share_json(item: Share) -> dict[str, Any]:
    return {"name": item.name, "value": item.value, "share": item.share, "tasks": item.tasks}


def _first_number(value: BreakdownValue, keys: tuple[str, ...]) -> float | None:
    if isinstance(value, int | float):
        return float(value)
    for key in keys:
        if key in value:
            return float(value[key])
    return None


def entry_credits(value: BreakdownValue) -> float | None:
    """Credits of one by_model value: the number itself, or its credits-like field."""
    return _first_number(value, CREDIT_KEYS)


def entry_tasks(value: BreakdownValue) -> float | None:
    if isinstance(value, int | float):
        return None
    return _first_number(value, TASK_KEYS)


def entry_count(value: BreakdownValue) -> float | None:
    """Task count of one by_status value: the number itself, or its count-like field."""
    return _first_number(value, COUNT_KEYS)


def _shares(
    items: Mapping[str, BreakdownValue],
    figure: Callable[[BreakdownValue], float | None],
    tasks: Callable[[BreakdownValue], float | None] | None = None,
) -> tuple[Share, ...]:
    """Each entry's share of the known total, largest first; entries without a figure last."""
    figures = [(name, figure(value), value) for name, value in items.items()]
    total = sum(amount for _, amount, _ in figures if amount is not None)
    shares = [
        Share(
            name=name,
            value=amount,
            share=share_of(amount, total),
            tasks=tasks(value) if tasks else None,
        )
        for name, amount, value in figures
    ]
    return tuple(
        sorted(shares, key=lambda item: (item.value is None, -(item.value or 0.0), item.name))
    )


def share_of(part: float | None, total: float) -> float | None:
    return _ratio(part, total)


def model_shares(summary: SummaryFigures) -> tuple[Share, ...]:
    """Credits per model, with shares and task counts."""
    return _shares(summary.by_model, entry_credits, entry_tasks)


def status_shares(summary: SummaryFigures) -> tuple[Share, ...]:
    """Tasks per status, with shares."""
    return _shares(summary.by_status, entry_count)


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    """numerator / denominator, or None where that is no finite number (1 / 1e-308)."""
    if numerator is None or denominator is None or denominator <= 0:
        return None
    ratio = numerator / denominator
    return ratio if math.isfinite(ratio) else None


def is_expired(summary: SummaryFigures, now: datetime) -> bool:
    """Expired by the API's flag, or by an expiry instant already past."""
    if summary.neo_credits_is_expired:
        return True
    expires_at = summary.neo_credits_expires_at
    return expires_at is not None and expires_at <= now


def credit_level(
    fraction: float | None, available: float | None, expired: bool, thresholds: Thresholds
) -> CreditLevel:
    if expired:
        return CreditLevel.EXPIRED
    if available is not None and available <= 0:
        return CreditLevel.EMPTY
    if fraction is None:
        return CreditLevel.UNKNOWN
    if fraction < thresholds.critical:
        return CreditLevel.CRITICAL
    if fraction < thresholds.low:
        return CreditLevel.LOW
    return CreditLevel.OK


def derive(summary: SummaryFigures, now: datetime, thresholds: Thresholds | None = None) -> Derived:
    """Compute the derived figures of `summary` as seen at `now` (timezone-aware)."""
    thresholds = thresholds or Thresholds()
    available = _as_float(summary.total_available_neo_credits)
    issued = _as_float(summary.total_issued_neo_credits)
    used = _as_float(summary.total_neo_credits_post_reset)
    # More available than issued (or a negative issue) tells no use: no figure, never "-1,000".
    if used is None and available is not None and issued is not None and issued >= 0:
        used = issued - available if available <= issued else None

    fraction = _ratio(available, issued)
    gauge = None if fraction is None else min(max(fraction, 0.0), 1.0)
    expired = is_expired(summary, now)
    expires_at = summary.neo_credits_expires_at
    expires_in: timedelta | None = None
    if expired:
        expires_in = timedelta(0)
    elif expires_at is not None:
        expires_in = expires_at - now

    return Derived(
        available_credits=available,
        issued_credits=issued,
        used_credits=used,
        available_fraction=fraction,
        gauge_fraction=gauge,
        fraction_out_of_range=fraction is not None and gauge != fraction,
        level=credit_level(fraction, available, expired, thresholds),
        expires_at=expires_at,
        expires_in=expires_in,
        expired=expired,
        credits_per_task=_ratio(float(summary.total_neo_credits), float(summary.total_tasks)),
        ms_per_task=_ratio(_as_float(summary.total_execution_ms), float(summary.total_tasks)),
    )


def _as_float(value: float | None) -> float | None:
    return None if value is None else float(value)
