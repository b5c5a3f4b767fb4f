"""The years an API instant may hold (1970-2199) are UTC's, checked after the conversion: an
offset cannot carry 1969 or 2200 in (issue 27's tester, F6), for the task rows and the summary."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import pytest

from desktop.core import validators
from desktop.core.models import parse_summary


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1970-01-01T00:00:00+01:00", None),  # 1969-12-31T23:00:00Z
        ("1970-01-01T00:59:59.999+01:00", None),
        ("1970-01-01T01:00:00+01:00", datetime(1970, 1, 1, tzinfo=UTC)),
        ("1970-01-01T00:00:00-01:00", datetime(1970, 1, 1, 1, tzinfo=UTC)),
        ("1969-12-31T23:30:00-01:00", datetime(1970, 1, 1, 0, 30, tzinfo=UTC)),
        ("2199-12-31T23:00:00-05:00", None),  # 2200-01-01T04:00:00Z
        ("2199-12-31T23:59:59.999999Z", datetime(2199, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)),
        ("2200-01-01T00:30:00+01:00", datetime(2199, 12, 31, 23, 30, tzinfo=UTC)),
        ("0001-01-01T00:00:00+14:00", None),  # the conversion overflows: out of range too
        ("9999-12-31T23:59:59-14:00", None),
        ("1969-12-31T23:00:00", None),  # no zone: UTC
    ],
)
def test_instant_years_are_utc_s(text: str, expected: datetime | None) -> None:
    if expected is None:
        with pytest.raises(ValueError, match="outside 1970-2200"):
            validators.instant_utc(text)
    else:
        assert validators.instant_utc(text) == expected
        assert validators.stored_instant(text) == expected
    if expected is None:
        assert validators.stored_instant(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2199-12-31T23:00:00-05:00", None),  # dropped like any odd value, the rest kept
        ("1970-01-01T00:00:00+01:00", None),
        ("2030-01-01T00:00:00+01:00", datetime(2029, 12, 31, 23, tzinfo=UTC)),
    ],
)
def test_the_summary_s_instants_follow_the_same_rule(
    text: str, expected: datetime | None, caplog: pytest.LogCaptureFixture
) -> None:
    document = {
        "by_model": {},
        "by_status": {},
        "total_neo_credits": 12.5,
        "total_tasks": 3,
        "total_available_neo_credits": 87.5,
        "total_issued_neo_credits": 100,
        "last_credit_reset": "2026-11-09T00:00:00Z",
        "neo_credits_expires_at": text,
    }
    with caplog.at_level(logging.WARNING):
        summary = parse_summary(json.dumps(document).encode())
    assert ("Ignoring field 'neo_credits_expires_at'" in caplog.text) is (expected is None)
    assert summary.neo_credits_expires_at == expected
    assert summary.last_credit_reset == datetime(2026, 11, 9, tzinfo=UTC)
    assert summary.total_available_neo_credits == 87.5
