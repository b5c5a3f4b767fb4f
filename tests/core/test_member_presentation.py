"""Member mode and the admin's radar as the views read them (issue 28): the icon's look, the
tooltip and menu lines, the detail window's header, and `presentation.radar`. Pure tables."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from desktop.core import detail_text, presentation, tray_text
from desktop.core.errors import ErrorKind, NoPermission, NoSpendingCap
from desktop.core.levels import CreditLevel, Thresholds
from desktop.core.looks import IconContent, Look, LookKind
from desktop.core.member import MemberCap, MemberProfile, MemberSnapshot
from desktop.core.models import parse_summary
from desktop.core.presentation import ViewState
from desktop.core.query import UsageQuery
from desktop.core.radar import OK, UNAVAILABLE, today_query, today_window
from desktop.core.snapshot import PollError, Snapshot
from desktop.core.text_fit import MENU_LIMIT, TOOLTIP_LIMIT

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def member(
    remaining: float = 32.0,
    limit: float = 75.0,
    team: str | None = "Acme Sec",
    *,
    minutes_ago: float = 2,
    from_cache: bool = False,
) -> MemberSnapshot:
    cap = MemberCap(limit, limit - remaining, remaining)
    profile = MemberProfile("maya@acme.test", team, cap, True)
    return MemberSnapshot(profile, NOW - timedelta(minutes=minutes_ago), from_cache=from_cache)


def in_member_mode(**fields: Any) -> ViewState:
    return ViewState(member=member(**fields))


def summary(by_email: list[dict[str, Any]] | None = None, **figures: Any) -> Any:
    body: dict[str, Any] = {
        "by_model": {},
        "by_status": {},
        "total_neo_credits": sum(row["neo_credits"] for row in by_email or []),
        "total_tasks": 0,
        "total_available_neo_credits": 500,
        "total_issued_neo_credits": 1000,
        **figures,
    }
    if by_email is not None:
        body["by_email"] = by_email
    return parse_summary(json.dumps(body))


def error(kind: ErrorKind = ErrorKind.OFFLINE, message: str = "Offline.") -> PollError:
    return PollError(kind, message, NOW, short_message=message)


# --- the icon -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("remaining", "limit", "level", "percent"),
    [
        (32, 75, CreditLevel.OK, 43),
        (15, 75, CreditLevel.LOW, 20),  # below the low threshold (25 %)
        (5, 75, CreditLevel.CRITICAL, 7),
        (0, 75, CreditLevel.EMPTY, 0),  # nothing left: empty
        (-3, 75, CreditLevel.EMPTY, 0),  # over the cap
        (80, 75, CreditLevel.OK, 100),  # more left than the limit: clamped
        (0, 0, CreditLevel.EMPTY, None),  # no limit and nothing left
        (5, 0, CreditLevel.UNKNOWN, None),  # no share to judge by
    ],
)
def test_member_mode_icon_is_a_gauge_of_the_cap_left(
    remaining: float, limit: float, level: CreditLevel, percent: int | None
) -> None:
    look = presentation.look(in_member_mode(remaining=remaining, limit=limit), NOW)
    assert look == Look(LookKind.GAUGE, level, percent)


def test_member_mode_levels_follow_the_settings_thresholds() -> None:
    view = replace(in_member_mode(remaining=30), thresholds=Thresholds(0.5, 0.45))
    assert presentation.look(view, NOW).level is CreditLevel.CRITICAL


@pytest.mark.parametrize(
    ("content", "remaining", "text"),
    [
        (IconContent.RING_PERCENT, 32, "43"),
        (IconContent.NUMBER, 32, "$32"),
        (IconContent.NUMBER, 31.6, "$32"),  # whole dollars on the icon
        (IconContent.NUMBER, -4, "$0"),
        (IconContent.NUMBER, 1234, "$1.2k"),  # shortened as credits are
        (IconContent.NUMBER, 12_400, "$12k"),
    ],
)
def test_member_mode_icon_figures(content: IconContent, remaining: float, text: str) -> None:
    view = replace(in_member_mode(remaining=remaining, limit=20_000 if remaining > 75 else 75))
    view = replace(view, icon_content=content)
    look = presentation.look(view, NOW)
    assert (look.text, look.content) == (text, content)


def test_member_mode_icon_when_cached_offline_paused_or_blocked() -> None:
    cached = presentation.look(in_member_mode(from_cache=True), NOW)
    assert cached.dimmed
    offline = presentation.look(replace(in_member_mode(), error=error()), NOW)
    assert offline.dimmed
    assert offline.kind is LookKind.GAUGE  # a passing failure keeps the member's gauge
    paused = presentation.look(replace(in_member_mode(), paused=True), NOW)
    assert paused.paused
    lost = replace(in_member_mode(), error=error(ErrorKind.AUTH_REJECTED, "Rejected."))
    assert presentation.look(lost, NOW).kind is LookKind.AUTH_REJECTED


def test_attention_reads_the_cap_left() -> None:
    low = in_member_mode(remaining=5)
    full = in_member_mode(remaining=70)
    assert presentation.attention(low, NOW) < presentation.attention(full, NOW)
    assert presentation.most_attention([full, low], NOW) == 1


# --- the tooltip and the menu ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("view", "line"),
    [
        (in_member_mode(), "Neo (member of Acme Sec): $32 of $75 cap left (43%) · 2 min ago"),
        (in_member_mode(team=None), "Neo (team member): $32 of $75 cap left (43%) · 2 min ago"),
        (
            in_member_mode(remaining=15),
            "Neo (member of Acme Sec): $15 of $75 cap left (20%) — low · 2 min ago",
        ),
        (
            in_member_mode(remaining=0),
            "Neo (member of Acme Sec): $0 of $75 cap left (0%) — cap reached · 2 min ago",
        ),
        (
            in_member_mode(remaining=32.5),
            "Neo (member of Acme Sec): $32.50 of $75 cap left (43%) · 2 min ago",
        ),
        (
            in_member_mode(from_cache=True),
            "Neo (member of Acme Sec, cached): $32 of $75 cap left (43%) · 2 min ago",
        ),
        (
            replace(in_member_mode(), paused=True),
            "Neo (member of Acme Sec, polling paused): $32 of $75 cap left (43%) · 2 min ago",
        ),
        (
            replace(in_member_mode(), error=error()),
            "Neo (member of Acme Sec, offline): $32 of $75 cap left (43%) · 2 min ago",
        ),
    ],
)
def test_member_tooltip(view: ViewState, line: str) -> None:
    assert tray_text.tooltip(view, NOW) == line


def test_member_tooltip_names_the_account_among_several() -> None:
    tip = tray_text.tray_tooltip(
        [("Work", in_member_mode()), ("Home", ViewState())], 0, NOW, "linux"
    )
    assert tip.splitlines()[0] == "Work (member of Acme Sec): $32 of $75 cap left (43%) · 2 min ago"


@pytest.mark.parametrize(
    "team",
    [
        "Acme <b>Sec</b> & \x1b[31mred\x1b[0m\u202e",  # markup, an escape sequence, an override
        "An extremely long team name " * 8,  # cut first, the figures kept
        "x" * 200,  # one word too long to cut: "team member" instead
    ],
)
def test_a_hostile_team_name_is_plain_and_cut_first(team: str) -> None:
    view = in_member_mode(team=team)
    tip = tray_text.tooltip(view, NOW)
    lines = tray_text.menu_lines(view, NOW)
    assert len(tip) <= TOOLTIP_LIMIT
    assert all(len(line) <= MENU_LIMIT for line in lines)
    for text in (tip, "\n".join(lines)):
        assert "\x1b" not in text
        assert "\u202e" not in text
        assert "$32 of $75 cap left (43%)" in text


def test_member_menu_has_no_credit_lines() -> None:
    lines = tray_text.menu_lines(in_member_mode(), NOW)
    assert lines == (
        "Neo (member of Acme Sec): $32 of $75 cap left (43%)",
        "",
        "",
        "",
        "",
        "Updated 2 min ago",
    )
    cached = tray_text.menu_lines(in_member_mode(from_cache=True), NOW)
    assert cached[-1] == "Updating… (showing data from 2 min ago)"


def test_the_no_cap_state_says_so_in_tooltip_and_menu() -> None:
    exc = NoSpendingCap(detail="HTTP 403; /api/v1/user: cap null")
    view = ViewState(error=PollError.from_exception(exc, NOW))
    tip = tray_text.tooltip(view, NOW)
    # The whole sentence is longer than a tooltip: its short form, not its cut start.
    assert tip == "Neo Usage: No permission, no team cap — ask your team admin"
    assert tray_text.menu_lines(view, NOW)[-1] == "No permission, no team cap — ask your team admin"
    assert presentation.look(view, NOW).kind is LookKind.NO_PERMISSION
    plain = ViewState(error=PollError.from_exception(NoPermission(detail="HTTP 403"), NOW))
    assert tray_text.tooltip(plain, NOW) == (
        "Neo Usage: No permission to see usage: ask your team admin (team members and viewers "
        "cannot read the usage summary)."
    )


# --- the detail window's header ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("view", "expected"),
    [
        (
            in_member_mode(),
            ("$32 of $75 cap left (43%)", "Team: Acme Sec", "Used: $43 of the $75 cap"),
        ),
        (
            in_member_mode(team=None, remaining=5),
            ("$5 of $75 cap left (7%) — critical", "Team member", "Used: $70 of the $75 cap"),
        ),
        (ViewState(), None),
    ],
)
def test_member_header(view: ViewState, expected: tuple[str, str, str] | None) -> None:
    assert detail_text.member_header(view) == expected


def test_member_banner_says_a_cached_member_and_an_error_over_it() -> None:
    assert detail_text.banner_text(in_member_mode(), NOW) is None
    cached = detail_text.banner_text(in_member_mode(from_cache=True), NOW)
    assert cached == "Updating… (showing data from 2 min ago)"
    failed = detail_text.banner_text(replace(in_member_mode(), error=error()), NOW)
    assert failed == "Offline. Showing data from 2 min ago."


# --- the admin's radar ---------------------------------------------------------------------------
WINDOW = [{"email": "bo@example.com", "neo_credits": 28.0, "tasks": 7}]
TODAY = [
    {"email": "bo@example.com", "neo_credits": 30.0, "tasks": 3},
    {"email": "new@example.com", "neo_credits": 12.0, "tasks": 1},
]


def admin_view(**fields: Any) -> ViewState:
    start, end = today_window(NOW)
    return ViewState(
        snapshot=Snapshot(summary(WINDOW), NOW),
        **{
            "forecast_window": Snapshot(summary(WINDOW), NOW, UsageQuery()),
            "team_today": Snapshot(summary(TODAY), NOW, UsageQuery(start, end)),
            **fields,
        },
    )


@pytest.mark.parametrize(
    ("view", "status"),
    [
        (admin_view(), OK),
        (admin_view(team_today=None, team_today_failed=True), UNAVAILABLE),
        (admin_view(forecast_window=None, forecast_failed=True), UNAVAILABLE),
        (admin_view(team_today=None), None),  # not fetched yet
        (admin_view(forecast_window=None), None),
        (ViewState(snapshot=Snapshot(summary(), NOW)), None),  # no by_email: not an admin
        (in_member_mode(), None),
    ],
)
def test_radar_from_the_view(view: ViewState, status: str | None) -> None:
    radar = presentation.radar(view, NOW)
    assert (radar.status if radar is not None else None) == status


def test_radar_figures_and_today_from() -> None:
    radar = presentation.radar(admin_view(), NOW)
    assert radar is not None
    assert radar.today_from == today_query(NOW).start
    by_email = {item.email: item for item in radar.items}
    assert by_email["bo@example.com"].baseline_credits_per_day == pytest.approx(2.0)
    assert by_email["bo@example.com"].ratio == pytest.approx(15.0)
    assert by_email["bo@example.com"].unusual
    assert by_email["new@example.com"].ratio is None
    assert by_email["new@example.com"].unusual
