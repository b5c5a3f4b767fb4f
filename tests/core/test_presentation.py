from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from desktop.core import balance_text, sinks, text_fit, tray_text
from desktop.core.errors import ErrorKind
from desktop.core.levels import CreditLevel, Thresholds
from desktop.core.looks import ExpiryStage, IconContent, Look, LookKind
from desktop.core.models import parse_summary
from desktop.core.presentation import ViewState, look
from desktop.core.snapshot import PollError, Snapshot
from desktop.core.text_fit import TOOLTIP_LIMIT
from desktop.core.tray_text import menu_lines, tooltip

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
T = Thresholds()


def snapshot(minutes_ago: float = 3, from_cache: bool = False, **fields: Any) -> Snapshot:
    body = {
        "by_model": {},
        "by_status": {},
        "total_neo_credits": 10,
        "total_tasks": 2,
        "total_available_neo_credits": 4067,
        "total_issued_neo_credits": 5000,
        "total_neo_credits_post_reset": 933,
        "neo_credits_expires_at": "2026-12-07T12:00:00Z",
        **fields,
    }
    return Snapshot(
        parse_summary(json.dumps(body)), NOW - timedelta(minutes=minutes_ago), from_cache=from_cache
    )


def failure(
    kind: ErrorKind, message: str = "Cannot reach the Neo API.", minutes_ago: float = 0
) -> PollError:
    return PollError(
        kind, message, NOW - timedelta(minutes=minutes_ago), short_message="Offline — short"
    )


def test_gauge_tooltip_reads_like_the_spec() -> None:
    state = ViewState(snapshot())
    assert look(state, NOW) == Look(LookKind.GAUGE, CreditLevel.OK, 81)
    assert tooltip(state, NOW) == "Neo: 4,067 of 5,000 credits (81%) · expires in 12 d · 3 min ago"


@pytest.mark.parametrize(
    ("state", "kind", "phrase"),
    [
        (ViewState(), LookKind.LOADING, "loading"),
        (
            ViewState(error=failure(ErrorKind.NO_TOKEN, "No Neo API token is set.")),
            LookKind.NO_TOKEN,
            "No Neo API token",
        ),
        (
            ViewState(error=failure(ErrorKind.AUTH_REJECTED, "Sign-in failed: rejected.")),
            LookKind.AUTH_REJECTED,
            "Sign-in failed",
        ),
        (
            ViewState(
                error=failure(ErrorKind.NO_PERMISSION, "No permission: ask your team admin.")
            ),
            LookKind.NO_PERMISSION,
            "ask your team admin",
        ),
        (ViewState(error=failure(ErrorKind.OFFLINE)), LookKind.OFFLINE, "Cannot reach"),
        (
            ViewState(snapshot(neo_credits_is_expired=True, total_available_neo_credits=0)),
            LookKind.EXPIRED,
            "expired",
        ),
    ],
)
def test_each_state_has_its_own_look_and_tooltip(
    state: ViewState, kind: LookKind, phrase: str
) -> None:
    assert look(state, NOW).kind is kind
    assert phrase in tooltip(state, NOW)


def test_blocking_errors_win_over_old_data() -> None:
    state = ViewState(snapshot(minutes_ago=10), failure(ErrorKind.NO_PERMISSION, minutes_ago=1))
    assert look(state, NOW).kind is LookKind.NO_PERMISSION


def test_offline_keeps_the_last_value_dimmed() -> None:
    state = ViewState(snapshot(minutes_ago=30), failure(ErrorKind.OFFLINE, minutes_ago=1))
    current = look(state, NOW)
    assert current == Look(LookKind.GAUGE, CreditLevel.OK, 81, dimmed=True)
    assert tooltip(state, NOW).startswith("Neo (offline): 4,067")
    assert menu_lines(state, NOW)[-1] == "Offline — short · data from 30 min ago"


def test_an_error_older_than_the_data_is_history() -> None:
    state = ViewState(snapshot(minutes_ago=1), failure(ErrorKind.OFFLINE, minutes_ago=5))
    assert not look(state, NOW).dimmed


def test_cached_snapshot_is_stale_until_the_first_fetch() -> None:
    state = ViewState(snapshot(minutes_ago=300, from_cache=True))
    assert look(state, NOW).dimmed
    assert tooltip(state, NOW).startswith("Neo (cached)")
    assert menu_lines(state, NOW)[-1].startswith("Updating…")


@pytest.mark.parametrize(
    ("available", "level"),
    [(1200, CreditLevel.LOW), (300, CreditLevel.CRITICAL), (0, CreditLevel.EMPTY)],
)
def test_levels_reach_the_look(available: int, level: CreditLevel) -> None:
    state = ViewState(snapshot(total_available_neo_credits=available))
    assert look(state, NOW).level is level


def test_menu_lines() -> None:
    lines = menu_lines(ViewState(snapshot()), NOW)
    assert lines[0] == "Available: 4,067 of 5,000 credits (81%)"
    assert lines[1].startswith("Expires in 12 d (")
    assert lines[2] == ""  # no forecast yet: its line is hidden
    assert lines[3] == "Used since last reset: 933 credits"
    assert lines[4] == ""  # today's tasks not fetched yet: hidden
    assert lines[5] == "Updated 3 min ago"
    never = menu_lines(ViewState(snapshot(neo_credits_expires_at=None)), NOW)
    assert never[1] == "Credits never expire"
    short = menu_lines(ViewState(snapshot()), NOW, short=True)
    assert short[3] == ""  # an account's block among several: the window has the usage
    assert [line for index, line in enumerate(short) if index != 3] == [
        line for index, line in enumerate(lines) if index != 3
    ]
    empty = menu_lines(ViewState(), NOW)
    assert empty == ("Available: —", "Expiry: —", "", "Used since last reset: —", "", "Loading…")


def test_countdown_ticks_by_the_second_in_the_last_hour() -> None:
    soon = ViewState(snapshot(neo_credits_expires_at="2026-11-25T12:30:15Z"))
    assert "expires in 30 min 15 s" in tooltip(soon, NOW)
    later = NOW + timedelta(seconds=1)
    assert "expires in 30 min 14 s" in tooltip(soon, later)


def test_paused_status() -> None:
    assert menu_lines(ViewState(snapshot(), paused=True), NOW)[-1].startswith("Polling paused")


def test_tooltip_never_exceeds_the_windows_limit() -> None:
    long_error = failure(ErrorKind.OFFLINE, "x" * 400)
    assert len(tooltip(ViewState(error=long_error), NOW)) <= TOOLTIP_LIMIT
    huge = ViewState(snapshot(total_available_neo_credits=10**15, total_issued_neo_credits=10**16))
    assert len(tooltip(huge, NOW)) <= TOOLTIP_LIMIT


def forecast_state(
    available: float, rate: float, expires: str, minutes_ago: float = 3
) -> ViewState:
    main = snapshot(
        minutes_ago=minutes_ago,
        total_available_neo_credits=available,
        neo_credits_expires_at=expires,
        last_credit_reset="2026-11-01T00:00:00Z",
    )
    first = datetime(2026, 11, 11, tzinfo=UTC)
    rows = [
        {"date": (first + timedelta(days=i)).date().isoformat(), "neo_credits": rate}
        for i in range(14)
    ]
    window = Snapshot(
        parse_summary(
            json.dumps({**json.loads(main.summary.model_dump_json()), "by_period": rows})
        ),
        NOW,
    )
    return ViewState(main, forecast_window=window)


def test_the_forecast_joins_the_tooltip_and_the_menu() -> None:
    runs_out = forecast_state(available=100, rate=10, expires="2027-01-30T00:00:00Z")
    assert "runs out ~Dec 5 ·" in tooltip(runs_out, NOW)  # steady use: one day (issue 29)
    assert menu_lines(runs_out, NOW)[2] == "Runs out ~Dec 5"
    unused = forecast_state(available=4000, rate=10, expires="2026-12-20T00:00:00Z")
    assert "~3,800 credits will expire unused on Dec 20" in tooltip(unused, NOW)
    for state in (runs_out, unused):
        assert len(tooltip(state, NOW)) <= TOOLTIP_LIMIT


def test_no_forecast_line_unless_it_is_sound() -> None:
    idle = forecast_state(available=4000, rate=0, expires="2026-12-20T00:00:00Z")
    assert menu_lines(idle, NOW)[2] == ""
    assert "unused" not in tooltip(idle, NOW)
    failed = ViewState(snapshot(), forecast_failed=True)
    assert menu_lines(failed, NOW)[2] == ""


def test_a_long_tooltip_drops_whole_parts_from_the_end() -> None:
    state = forecast_state(
        available=10**14, rate=10**13, expires="2026-12-20T00:00:00Z", minutes_ago=300
    )
    state = ViewState(
        state.snapshot,
        failure(ErrorKind.OFFLINE, minutes_ago=1),
        forecast_window=state.forecast_window,
    )
    tip = tooltip(state, NOW)
    assert len(tip) <= TOOLTIP_LIMIT
    assert not tip.endswith("…")  # parts were dropped, nothing was cut mid-word
    assert tip.startswith("Neo (offline): ")


@pytest.mark.parametrize(
    ("content", "text"),
    [(IconContent.RING, None), (IconContent.RING_PERCENT, "81"), (IconContent.NUMBER, "4.1k")],
)
def test_the_icon_setting_decides_the_figure(content: IconContent, text: str | None) -> None:
    current = look(ViewState(snapshot(), icon_content=content), NOW)
    assert current.text == text
    assert current.content is (content if text else IconContent.RING)


def test_the_level_is_said_in_words_not_colour_alone() -> None:
    assert "— low" in tooltip(ViewState(snapshot(total_available_neo_credits=1200)), NOW)
    assert "— critical" in tooltip(ViewState(snapshot(total_available_neo_credits=300)), NOW)
    assert "— empty" in tooltip(ViewState(snapshot(total_available_neo_credits=0)), NOW)
    assert "— " not in tooltip(ViewState(snapshot()), NOW).split("·")[0]


@pytest.mark.parametrize(
    "state",
    [
        ViewState(snapshot(total_available_neo_credits=10**15, total_issued_neo_credits=10**15)),
        ViewState(snapshot(minutes_ago=600), failure(ErrorKind.OFFLINE, "x " * 200)),
        ViewState(
            snapshot(),
            PollError(
                ErrorKind.NO_PERMISSION,
                "No permission to see usage: ask your team admin (a long sentence).",
                NOW,
                short_message="No permission — ask your team admin",
            ),
        ),
        ViewState(error=failure(ErrorKind.OFFLINE, "y" * 300)),
        ViewState(snapshot(), paused=True),
    ],
)
def test_every_menu_line_fits_a_narrow_tray_host(state: ViewState) -> None:
    for line in menu_lines(state, NOW):
        assert len(line) <= 60, line


def test_short_dates_do_not_follow_the_c_library_locale(tmp_path: Path) -> None:
    """Qt sets the process locale from the environment; the app's English sentences must not
    pick up a German month from it (`Dez 12`), nor differ from what `--once` prints."""
    import locale
    import shutil
    import subprocess

    if not shutil.which("localedef"):
        pytest.skip("needs localedef")
    built = subprocess.run(
        ["localedef", "-i", "de_DE", "-f", "UTF-8", str(tmp_path / "de_DE.UTF-8")],
        capture_output=True,
        check=False,
    )
    if built.returncode not in (0, 1) or not (tmp_path / "de_DE.UTF-8").exists():
        pytest.skip("the de_DE locale sources are not installed")
    previous = locale.setlocale(locale.LC_TIME)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LOCPATH", str(tmp_path))
        try:
            locale.setlocale(locale.LC_TIME, "de_DE.UTF-8")
        except locale.Error:
            pytest.skip("the C library cannot load the generated locale")
        try:
            assert f"{datetime(2026, 12, 12, 12, tzinfo=UTC):%b}" == "Dez"  # the trap is armed
            assert balance_text.short_date(datetime(2026, 12, 12, 12, tzinfo=UTC)) == "Dec 12"
        finally:
            locale.setlocale(locale.LC_TIME, previous)


@pytest.mark.parametrize(
    "sentence",
    [
        "The folder /home/bob/.cache/neo-usage-tray belongs to another user, so the app does "
        "not use it.",
        "x" * 130,
        "word " * 100,
        "Bad \x1b]52;c;cHduZWQ=\x07value\nhere",
    ],
)
def test_a_notice_fits_the_menu_and_keeps_its_words(sentence: str) -> None:
    lines = text_fit.notice_lines(sentence)
    assert 1 <= len(lines) <= text_fit.NOTICE_LINES
    assert all(0 < len(line) <= text_fit.MENU_LIMIT for line in lines)
    assert all("\x1b" not in line and "\n" not in line for line in lines)
    joined = " ".join(lines)
    if len(sentence) < 200:
        assert joined.replace(" ", "") == sinks.line_text(sentence).replace(" ", "")
    else:
        assert joined.endswith("…")


def expiring_in(delta: timedelta, **view: Any) -> ViewState:
    return ViewState(snapshot(neo_credits_expires_at=(NOW + delta).isoformat()), **view)


@pytest.mark.parametrize(
    ("delta", "days", "stage"),
    [
        (timedelta(days=150), (7, 1), ExpiryStage.NONE),
        (timedelta(days=7, seconds=1), (7, 1), ExpiryStage.NONE),
        (timedelta(days=7), (7, 1), ExpiryStage.NEAR),
        (timedelta(days=2), (7, 1), ExpiryStage.NEAR),
        (timedelta(days=1), (7, 1), ExpiryStage.LAST),
        (timedelta(hours=5), (7, 1), ExpiryStage.LAST),
        (timedelta(days=20), (30, 14, 3), ExpiryStage.NEAR),
        (timedelta(days=2), (30, 14, 3), ExpiryStage.LAST),
        (timedelta(days=3), (3,), ExpiryStage.LAST),  # one day is the largest and the last
    ],
)
def test_the_icon_tells_an_expiry_within_the_warning_days(
    delta: timedelta, days: tuple[int, ...], stage: ExpiryStage
) -> None:
    """5 hours and 5 months left showed the same healthy ring."""
    shown = look(expiring_in(delta, expiry_warning_days=days), NOW)
    assert shown.expiry is stage
    assert shown.level is CreditLevel.OK  # the level is the credits' own


def test_no_expiry_mark_for_credits_that_never_expire_or_have_expired() -> None:
    assert look(ViewState(snapshot(neo_credits_expires_at=None)), NOW).expiry is ExpiryStage.NONE
    gone = look(expiring_in(timedelta(hours=-1)), NOW)
    assert gone.kind is LookKind.EXPIRED
    assert gone.expiry is ExpiryStage.NONE


def test_a_menu_line_is_cut_where_its_phrases_meet() -> None:
    """'…data from just…': a status line was cut mid-phrase."""
    rate_limited = PollError(
        ErrorKind.RATE_LIMITED,
        "The Neo API asks to slow down.",
        NOW,
        short_message="Rate limited by the Neo API — retrying in 3 min",
    )
    line = menu_lines(ViewState(snapshot(minutes_ago=0), rate_limited), NOW)[-1]
    assert line == "Rate limited by the Neo API — retrying in 3 min"
    assert text_fit.clip_phrases("one two · three four · five", 20) == "one two · three four"
    assert text_fit.clip_phrases("a first phrase far too long · b", 12) == "a first…"


def named(count: int, **fields: Any) -> list[tuple[str, ViewState]]:
    return [(f"Team {index}", ViewState(snapshot(**fields))) for index in range(count)]


def test_the_tooltip_has_a_line_per_account_then_how_many_more() -> None:
    one = tray_text.tray_tooltip(named(1), 0, NOW, "linux")
    assert one == tooltip(ViewState(snapshot()), NOW)  # one account: its line, as before
    assert "\n" not in one
    three = tray_text.tray_tooltip(named(3), 1, NOW, "linux").split("\n")
    assert [line.split(":")[0] for line in three] == ["Team 1", "Team 0", "Team 2"]
    assert all(line.endswith("3 min ago") for line in three)  # each whole on Linux
    eight = tray_text.tray_tooltip(named(8), 6, NOW, "linux").split("\n")
    assert len(eight) == 6
    assert eight[0].startswith("Team 6:")
    assert eight[-1] == "+3 more accounts"
    assert all(len(line) <= TOOLTIP_LIMIT for line in eight)


@pytest.mark.parametrize("count", [1, 2, 5, 9])
def test_the_tooltip_fits_windows_127_characters(count: int) -> None:
    long_names = [
        ("A team with a long name " * 3, ViewState(snapshot())) for _index in range(count)
    ]
    for accounts in (named(count), long_names):
        tip = tray_text.tray_tooltip(accounts, 0, NOW, "win32")
        assert len(tip) <= 127, tip
        lines = tip.split("\n")
        assert len(lines) == min(count, 5) + (count > 5)
        assert all(line.strip(" …") for line in lines)
