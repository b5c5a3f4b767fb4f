"""The settings model checks every value with the JSON type it is written with, and the ranges
the rules can use (the store then falls back one field at a time: tests/system)."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from desktop.core.account_rules import token_tag
from desktop.core.models import parse_summary
from desktop.core.rules.catalogue import Rule
from desktop.core.rules.decisions import evaluate
from desktop.core.rules.memory import AccountContext, NotifyMemory
from desktop.core.settings import NotificationSwitches, Settings
from desktop.core.snapshot import Snapshot


@pytest.mark.parametrize(
    "days",
    [[], [0], [366], [-1], [1, 2, 3, 4, 5], [True], ["7"], [7.5], [1_000_000_000], 7, None],
)
def test_expiry_warning_days_hold_one_to_four_days_of_one_to_a_year(days: Any) -> None:
    with pytest.raises(ValidationError):
        Settings.model_validate({"expiry_warning_days": days})


@pytest.mark.parametrize("days", [[1], [7, 1], [365, 30, 7, 1], [1, 1]])
def test_every_valid_warning_day_is_one_the_rules_can_use(days: list[int]) -> None:
    settings = Settings.model_validate({"expiry_warning_days": days})
    assert settings.expiry_warning_days == tuple(days)
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    body = {
        "by_model": {},
        "by_status": {},
        "total_neo_credits": 0,
        "total_tasks": 0,
        "total_available_neo_credits": 60,
        "total_issued_neo_credits": 1000,
        "last_credit_reset": "2026-11-01T00:00:00Z",
        "neo_credits_expires_at": "2027-12-30T00:00:00Z",  # 400 days away
    }
    snapshot = Snapshot(parse_summary(json.dumps(body)), now)
    context = AccountContext("https://neo.example.test", token_tag("secret-token"))
    notes, _memory = evaluate(NotifyMemory(), context, snapshot, now, settings)
    assert [note.rule for note in notes] == [Rule.CRITICAL]


@pytest.mark.parametrize(
    "fields",
    [
        {"poll_interval_minutes": True},  # lax pydantic reads it as 1 minute
        {"poll_interval_minutes": "5"},
        {"poll_interval_minutes": 5.0},
        {"low_threshold": True},
        {"low_threshold": "0.3"},
        {"low_threshold": math.nan},  # Python's json reads NaN
        {"critical_threshold": -0.01},
        {"start_at_login": "yes"},
        {"start_at_login": 1},
        {"notifications": {"low_credit": "yes"}},
        {"notifications": {"empty": 0}},
        {"language": "tlh"},
        {"language": ["de"]},
        {"low_threshold": 0.1, "critical_threshold": 0.2},
    ],
)
def test_a_value_of_the_wrong_type_or_range_is_refused(fields: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        Settings.model_validate(fields)


def test_the_values_the_dialog_and_the_file_write_are_accepted() -> None:
    settings = Settings.model_validate(
        {
            "poll_interval_minutes": 0,
            "low_threshold": 1,  # JSON writes a whole number without a point
            "critical_threshold": 0,
            "start_at_login": True,
            "notifications": NotificationSwitches(empty=False),
            "language": "de",
            "icon_style": "monochrome",
        }
    )
    assert settings.low_threshold == 1.0
    assert Settings.model_validate(settings.model_dump(mode="json")) == settings
