"""Member mode's data (issue 28): `/api/v1/user` read into a profile, the cap's figures and
share, the profile's JSON and its way back from the cache (pydantic-free), and the snapshot."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from desktop.core.errors import UnexpectedResponse
from desktop.core.member import (
    MAX_EMAIL_CHARS,
    MAX_TEAM_CHARS,
    MemberCap,
    MemberProfile,
    MemberSnapshot,
    parse_user,
    profile_from_api,
    profile_from_json,
)

ACME = {"id": "t1", "name": "Acme Sec", "auto_joined": False, "role": "member"}
CAP = {"limit": 75, "used": 43, "remaining": 32, "source": "member"}


def user(**fields: Any) -> dict[str, Any]:
    return {"email": "maya@acme.test", "role": "user", "features": {"neo_ai": True}, **fields}


@pytest.mark.parametrize(
    ("cap", "fraction"),
    [
        (MemberCap(75.0, 43.0, 32.0), 32 / 75),
        (MemberCap(75.0, 0.0, 75.0), 1.0),
        (MemberCap(75.0, 75.0, 0.0), 0.0),
        (MemberCap(75.0, 80.0, -5.0), 0.0),  # over the cap: clamped, figures kept
        (MemberCap(75.0, -10.0, 85.0), 1.0),  # a refund: clamped
        (MemberCap(0.0, 0.0, 0.0), None),
        (MemberCap(-1.0, 0.0, 3.0), None),
        (MemberCap(5e-324, 0.0, 5e-324), None),  # a limit below one cent gives no share
        (MemberCap(0.0099, 0.0, 0.0099), None),
        (MemberCap(0.01, 0.0, 0.005), 0.5),
        (MemberCap(1e15, 1.0, 1e15 - 1), (1e15 - 1) / 1e15),
    ],
)
def test_fraction_left_is_clamped_and_unrounded(cap: MemberCap, fraction: float | None) -> None:
    assert cap.fraction_left == fraction
    assert cap.to_json() == {
        "limit": cap.limit,
        "used": cap.used,
        "remaining": cap.remaining,
        "fraction_left": fraction,
        "unit": "usd",
    }


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            user(team=ACME, cap=CAP),
            MemberProfile("maya@acme.test", "Acme Sec", MemberCap(75.0, 43.0, 32.0), True),
        ),
        (user(team=ACME, cap=None), MemberProfile("maya@acme.test", "Acme Sec", None, True)),
        (user(team=None, cap=None), MemberProfile("maya@acme.test", None, None, False)),
        (user(), MemberProfile("maya@acme.test", None, None, False)),  # team and cap optional
        # A team without a usable name is still a team.
        (
            user(team={"id": "t1", "name": 7}, cap=CAP),
            MemberProfile("maya@acme.test", None, MemberCap(75.0, 43.0, 32.0), True),
        ),
        (
            user(team={"name": "   "}, cap=None),
            MemberProfile("maya@acme.test", None, None, True),
        ),
        # Not an object: not a team.
        (user(team="Acme Sec"), MemberProfile("maya@acme.test", None, None, False)),
        # Server figures kept as sent: over the cap, negative, fractional, integral floats.
        (
            user(team=ACME, cap={"limit": 75.5, "used": 80.25, "remaining": -4.75}),
            MemberProfile("maya@acme.test", "Acme Sec", MemberCap(75.5, 80.25, -4.75), True),
        ),
        # Unknown fields ignored, an explicit dollar unit accepted.
        (
            user(team=ACME, cap={**CAP, "unit": "USD", "extra": [1]}, byok_models=[], tag="beta"),
            MemberProfile("maya@acme.test", "Acme Sec", MemberCap(75.0, 43.0, 32.0), True),
        ),
        # Hostile text is kept as data (the sinks escape it where it lands).
        (
            user(team={"name": "<b>Acme</b>\x1b[31m\u202e"}, email="a\nb@x.test"),
            MemberProfile("a\nb@x.test", "<b>Acme</b>\x1b[31m\u202e", None, True),
        ),
    ],
)
def test_profile_from_api(body: dict[str, Any], expected: MemberProfile) -> None:
    got = profile_from_api(body)
    assert got == expected
    assert all(type(figure) is float for figure in got.cap or ())


def test_long_text_is_cut_within_its_bound() -> None:
    got = profile_from_api(user(email="a" * 10_000, team={"name": "T" * 10_000}))
    assert len(got.email) == MAX_EMAIL_CHARS
    assert got.email.endswith("…")
    assert got.team is not None
    assert len(got.team) == MAX_TEAM_CHARS
    assert got.team.endswith("…")
    # Never between the halves of a surrogate pair.
    odd = profile_from_api(user(team={"name": "x" * (MAX_TEAM_CHARS - 2) + "\ud83d\ude00" * 3}))
    assert odd.team is not None
    assert odd.team[-2:-1] != "\ud83d"


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        "maya@acme.test",
        7,
        {},
        user(email=None),
        user(email=""),
        user(email="  "),
        user(email=42),
        user(cap="75"),
        user(cap=[75, 43, 32]),
        user(cap=75),
        user(cap=True),
        user(cap={"limit": 75, "used": 43}),
        user(cap={"used": 43, "remaining": 32}),
        user(cap={}),
        user(cap={**CAP, "limit": None}),
        user(cap={**CAP, "limit": "75"}),
        user(cap={**CAP, "limit": True}),
        user(cap={**CAP, "used": float("nan")}),
        user(cap={**CAP, "remaining": float("inf")}),
        user(cap={**CAP, "remaining": float("-inf")}),
        user(cap={**CAP, "limit": 10**16}),
        user(cap={**CAP, "limit": -(10**16)}),
        user(cap={**CAP, "limit": 10**400}),
        user(cap={**CAP, "unit": "eur"}),
        user(cap={**CAP, "currency": "EUR"}),
        user(cap={**CAP, "currency": 1}),
        # A currency named under another key is a currency too (issue 28's hostile tester).
        user(cap={**CAP, "source": "team", "currency_code": "EUR"}),
        user(cap={**CAP, "currencyCode": "eur"}),
        user(cap={**CAP, "currency_code": None, "currencyCode": 978}),
        user(cap={**CAP, "billing_currency": "GBP"}),
        user(cap={**CAP, "Currency": "JPY"}),
        user(cap={**CAP, "unit": "credits"}),
    ],
)
def test_a_body_that_is_not_a_profile_is_not_understood(body: object) -> None:
    with pytest.raises(UnexpectedResponse) as caught:
        profile_from_api(body)
    assert caught.value.exit_code == 5


@pytest.mark.parametrize(
    "cap",
    [
        {**CAP, "currency_code": "USD"},
        {**CAP, "currencyCode": "usd ", "currency": "$", "unit": "dollars"},
        {**CAP, "billing_currency": "USD"},
        {**CAP, "currency_code": None},  # says nothing: dollars, as the reference has it
        {**CAP, "currency_rate": 1.0},  # not text: not a currency's name
    ],
)
def test_a_cap_that_names_us_dollars_is_kept(cap: dict[str, Any]) -> None:
    profile = profile_from_api(user(team=ACME, cap=cap))
    assert profile.cap == MemberCap(75.0, 43.0, 32.0)


@pytest.mark.parametrize(
    "text",
    [
        '{"email": "m@a.test", "team": {"name": "A"}, "cap": {"limit": NaN, "used": 1, '
        '"remaining": 1}}',
        '{"email": "m@a.test", "cap": {"limit": Infinity, "used": 1, "remaining": 1}}',
        '{"email": "m@a.test", "cap": {"limit": 1e400, "used": 1, "remaining": 1}}',
        '{"email": "m@a.test", "cap": {"limit": -1e400, "used": 1, "remaining": 1}}',
        '{"email": "m@a.test", "cap": {"limit": ' + "9" * 5000 + ', "used": 1, "remaining": 1}}',
        '{"email": "m@a.test", "cap": {"limit": 75, "used": 1, "remaining": 1}',  # cut off
        "",
        "<html><title>Login</title></html>",
        "[" * 100_000,
    ],
)
def test_bodies_the_app_cannot_represent_are_not_understood(text: str) -> None:
    with pytest.raises(UnexpectedResponse):
        parse_user(text.encode())


def test_a_body_that_is_not_utf8_is_not_understood() -> None:
    with pytest.raises(UnexpectedResponse):
        parse_user(b'{"email": "\xff"}')


def test_a_body_with_a_bom_is_read() -> None:
    body = "\ufeff" + json.dumps(user(team=ACME, cap=CAP))
    assert parse_user(body.encode()).cap == MemberCap(75.0, 43.0, 32.0)


@pytest.mark.parametrize(
    "profile",
    [
        MemberProfile("maya@acme.test", "Acme Sec", MemberCap(75.0, 43.0, 32.0), True),
        MemberProfile("maya@acme.test", None, MemberCap(75.0, 80.0, -5.0), True),
        MemberProfile("maya@acme.test", "Acme Sec", None, True),
        MemberProfile("solo@x.test", None, None, False),
        MemberProfile("maya@acme.test", "<i>\x1b]8;;x\x07", MemberCap(0.0, 0.0, 0.0), True),
    ],
)
def test_profile_json_round_trips(profile: MemberProfile) -> None:
    written = json.loads(json.dumps(profile.to_json(), allow_nan=False))
    assert set(written) == {"email", "team", "cap"}
    assert profile_from_json(written) == profile


def test_member_json_is_the_documented_shape() -> None:
    profile = MemberProfile("maya@acme.test", "Acme Sec", MemberCap(75.0, 43.0, 32.0), True)
    assert profile.to_json() == {
        "email": "maya@acme.test",
        "team": "Acme Sec",
        "cap": {
            "limit": 75.0,
            "used": 43.0,
            "remaining": 32.0,
            "fraction_left": 0.4266666666666667,
            "unit": "usd",
        },
    }


@pytest.mark.parametrize(
    "stored",
    [
        None,
        [],
        "x",
        {},
        {"email": "m@a.test", "team": 3, "cap": None},
        {"email": "", "team": None, "cap": None},
        {"email": "m@a.test", "team": None, "cap": "75"},
        {"email": "m@a.test", "team": None, "cap": {"limit": 75, "used": 1}},
        {"email": "m@a.test", "team": None, "cap": {"limit": 1e300, "used": 1, "remaining": 1}},
        {
            "email": "m@a.test",
            "team": None,
            "cap": {"limit": 75, "used": 1, "remaining": 1, "unit": "eur"},
        },
    ],
)
def test_a_stored_profile_that_is_not_one_is_none(stored: object) -> None:
    assert profile_from_json(stored) is None


def test_a_stored_fraction_is_recomputed_not_believed() -> None:
    stored = {
        "email": "m@a.test",
        "team": "A",
        "cap": {"limit": 10, "used": 5, "remaining": 5, "fraction_left": 0.99, "unit": "usd"},
    }
    got = profile_from_json(stored)
    assert got is not None
    assert got.cap is not None
    assert got.cap.fraction_left == 0.5


NOW = datetime(2026, 11, 29, 12, 30, 15, 123456, tzinfo=UTC)


def test_snapshot_round_trips_through_the_cache() -> None:
    profile = MemberProfile("maya@acme.test", None, MemberCap(75.0, 43.0, 32.0), True)
    snapshot = MemberSnapshot(profile, NOW, token_tag="abc123")
    written = json.loads(json.dumps(snapshot.to_json(), allow_nan=False))
    assert written["mode"] == "member"
    assert written["fetched_at"] == "2026-11-29T12:30:15Z"
    back = MemberSnapshot.from_json(written)
    # A team without a name keeps `in_team` through the cache.
    assert back == MemberSnapshot(
        profile, NOW.replace(microsecond=0), token_tag="abc123", from_cache=True
    )


def test_snapshot_reads_an_offset_instant_in_utc() -> None:
    profile = MemberProfile("maya@acme.test", "A", MemberCap(1.0, 0.0, 1.0), True)
    written = MemberSnapshot(profile, NOW).to_json()
    written["fetched_at"] = "2026-11-29T14:30:15+02:00"
    back = MemberSnapshot.from_json(written)
    assert back.fetched_at == NOW.replace(microsecond=0)
    assert back.fetched_at.utcoffset() == timedelta(0)
    assert back.fetched_at.tzinfo is UTC


@pytest.mark.parametrize(
    "change",
    [
        {"mode": "summary"},
        {"mode": None},
        {"member": None},
        {"member": {"email": 3}},
        {"fetched_at": "2026-11-29T12:30:15"},  # no zone
        {"fetched_at": "9999-01-01T00:00:00Z"},
        {"fetched_at": 5},
    ],
)
def test_a_stored_snapshot_that_is_not_one_raises_value_error(change: dict[str, Any]) -> None:
    profile = MemberProfile("maya@acme.test", "A", MemberCap(1.0, 0.0, 1.0), True)
    written = {**MemberSnapshot(profile, NOW).to_json(), **change}
    with pytest.raises(ValueError, match="cached"):
        MemberSnapshot.from_json(written)
    with pytest.raises(ValueError, match="not a member snapshot"):
        MemberSnapshot.from_json([written])


def test_the_stored_member_is_read_without_pydantic_or_dataclasses() -> None:
    """What the status bar's cached path imports to rebuild a member stays lean."""
    code = (
        "import sys\n"
        "from desktop.core.member_rules import profile_from_json\n"
        "p = profile_from_json({'email': 'm@a.test', 'team': 'A', "
        "'cap': {'limit': 2, 'used': 1, 'remaining': 1}})\n"
        "assert p is not None and p.cap.fraction_left == 0.5\n"
        "heavy = [m for m in ('pydantic', 'dataclasses', 'logging', 'httpx', 'json') "
        "if m in sys.modules]\n"
        "print(heavy)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]", result.stdout
