"""What a new user found in the words (issues 28 and 29): the forecast line's pace never repeats
or contradicts what it says of the expiry, a used-up cap is "cap reached", a member's menu keeps
the team and every figure within the menu's width, and a state with nothing to show but its
error has no empty credit lines."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from desktop.core import balance_text, tray_text
from desktop.core.derive import Derived
from desktop.core.errors import NeoError, NoPermission, NoSpendingCap
from desktop.core.forecast import Forecast, ForecastStatus
from desktop.core.i18n import Language, use
from desktop.core.levels import CreditLevel
from desktop.core.member import MemberCap, MemberProfile, MemberSnapshot
from desktop.core.presentation import ViewState
from desktop.core.snapshot import PollError
from desktop.core.text_fit import MENU_LIMIT
from tests.zones import local_zone

NOW = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
FEB_7 = datetime(2027, 2, 7, 0, 0, tzinfo=UTC)
BEHIND = "at an even pace you would have about 1,100 more left"
EVEN = "on an even pace"


@pytest.fixture(autouse=True)
def in_utc() -> Iterator[None]:
    with local_zone("UTC"):
        yield
    use(Language())


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def forecast(
    earliest: datetime | None,
    latest: datetime | None,
    pace: float,
    *,
    unused: tuple[float, float] = (0.0, 0.0),
    point_unused: float = 0.0,
    expires: datetime | None = FEB_7,
) -> Forecast:
    return Forecast(
        ForecastStatus.OK,
        45.0,
        earliest,
        None if earliest is None or expires is None else earliest < expires,
        point_unused,
        expires_at=expires,
        credits_per_day_range=(30.0, 60.0),
        runs_out_range=(earliest, latest),
        unused_at_expiry_range=unused if expires is not None else None,
        method="prediction-10-90",
        pace_fraction=pace,
    )


def derived(available: float, issued: float = 5_000) -> Derived:
    return Derived(
        available, issued, issued - available, available / issued, available / issued, False,
        CreditLevel.OK, FEB_7, FEB_7 - NOW, False, None, None,
    )  # fmt: skip


# (case, forecast, figures, the forecast's details): every forecast line against each pace.
DETAILS: list[tuple[str, Forecast, Derived, str]] = [
    (
        "the tester's: straddles the expiry, ahead: no 'will expire unused' after 'may run out'",
        forecast(at("2027-01-20"), None, 0.5, point_unused=620.0),
        derived(3_897),
        "45 credits/day · may run out before they expire (Feb 7)",
    ),
    (
        "the tester's: unused at the expiry, ahead: said once",
        forecast(None, None, 0.5, unused=(290.0, 1_400.0), point_unused=870.0),
        derived(3_986),
        "45 credits/day · ~290–1,400 credits will expire unused on Feb 7",
    ),
    (
        "straddles the expiry, behind: the behind line adds something",
        forecast(at("2027-01-20"), None, 0.52, point_unused=620.0),
        derived(1_500),
        f"45 credits/day · may run out before they expire (Feb 7) · {BEHIND}",
    ),
    (
        "unused at the expiry, behind",
        forecast(None, None, 0.52, unused=(290.0, 1_400.0)),
        derived(1_500),
        f"45 credits/day · ~290–1,400 credits will expire unused on Feb 7 · {BEHIND}",
    ),
    (
        "straddles the expiry, even",
        forecast(at("2027-01-20"), None, 0.5),
        derived(2_510),
        f"45 credits/day · may run out before they expire (Feb 7) · {EVEN}",
    ),
    (
        "unused at the expiry, even",
        forecast(None, None, 0.5, unused=(290.0, 1_400.0)),
        derived(2_510),
        f"45 credits/day · ~290–1,400 credits will expire unused on Feb 7 · {EVEN}",
    ),
    (
        "runs out on one day before the expiry, behind",
        forecast(at("2026-12-20T08:00"), at("2026-12-20T20:00"), 0.52),
        derived(1_500),
        f"45 credits/day · runs out ~Dec 20 · {BEHIND}",
    ),
    (
        "runs out over days before the expiry, ahead: nothing true to add",
        forecast(at("2026-12-20"), at("2026-12-24"), 0.3),
        derived(2_500),
        "45 credits/day · runs out Dec 20\u2009–\u200924",
    ),
    (
        "runs out, no expiry, ahead of a pace: the pace's own line stays",
        forecast(at("2026-12-20"), at("2026-12-24"), 0.3, expires=None)._replace(
            unused_at_expiry=700.0
        ),
        derived(2_500),
        "45 credits/day · runs out Dec 20\u2009–\u200924 · at this pace about 700 will expire unused",
    ),
    (
        "no sound forecast, ahead: the pace since the reset is all there is to say",
        Forecast(ForecastStatus.INSUFFICIENT_DATA, 3.0, pace_fraction=0.5, expires_at=FEB_7),
        derived(3_000),
        "not enough days of use yet · at this pace about 1,000 will expire unused",
    ),
]


@pytest.mark.parametrize(
    ("case", "ahead", "figures", "details"), DETAILS, ids=[row[0] for row in DETAILS]
)
def test_the_pace_never_repeats_or_contradicts_the_forecast(
    case: str, ahead: Forecast, figures: Derived, details: str
) -> None:
    assert balance_text.forecast_details(ahead, figures) == details
    assert details.count("expire unused") <= 1
    assert not ("may run out" in details and "expire unused" in details)


def test_the_german_forecast_line_says_its_expiry_once() -> None:
    use(Language("de", "de"))
    straddle = forecast(at("2027-01-20"), None, 0.5, point_unused=620.0)
    text = balance_text.forecast_details(straddle, derived(3_897))
    assert "ungenutzt" not in text
    assert "Ablauf" in text


# --- a member's cap -------------------------------------------------------------------------------
def in_member_mode(
    remaining: float = 32.0, team: str | None = "Acme Sec", *, from_cache: bool = False
) -> ViewState:
    cap = MemberCap(75.0, 75.0 - remaining, remaining)
    profile = MemberProfile("maya@acme.test", team, cap, True)
    return ViewState(
        member=MemberSnapshot(profile, NOW - timedelta(minutes=2), from_cache=from_cache)
    )


def test_a_used_up_cap_is_cap_reached_not_empty() -> None:
    view = in_member_mode(remaining=0)
    line = "Neo (member of Acme Sec): $0 of $75 cap left (0%) — cap reached"
    assert tray_text.tooltip(view, NOW).startswith(line)
    # Too long for one menu line: the team on its own, the cap whole on the next.
    menu = tray_text.menu_lines(view, NOW)[:2]
    assert menu == ("Neo (member of Acme Sec)", "$0 of $75 cap left (0%) — cap reached")
    assert balance_text.cap_level_word(CreditLevel.EMPTY) == "cap reached"
    assert balance_text.level_word(CreditLevel.EMPTY) == "empty"  # the credits' word stays
    assert balance_text.cap_level_word(CreditLevel.LOW) == "low"


@pytest.mark.parametrize("language", ["en", "de", "fr", "es"])
@pytest.mark.parametrize("remaining", [32.0, 15.0, 5.0, 0.0, 32.5])
@pytest.mark.parametrize("team", ["Acme Sec", "Acme Security Operations Europe", None])
@pytest.mark.parametrize("cached", [False, True])
def test_the_member_menu_keeps_the_team_and_every_figure(
    language: str, remaining: float, team: str | None, cached: bool
) -> None:
    use(Language(language, language))
    view = in_member_mode(remaining, team, from_cache=cached)
    lines = tray_text.menu_lines(view, NOW)
    assert all(len(line) <= MENU_LIMIT for line in lines)
    shown = "\n".join(lines[:2])
    assert "…" not in shown  # nothing cut: the team and the cap each on a line of their own
    cap = MemberCap(75.0, 75.0 - remaining, remaining)
    assert balance_text.cap_share(cap) in shown  # the whole figures, the percentage with them
    if team is not None:
        assert team in shown


def test_the_tester_s_french_menu_line_is_split_in_two() -> None:
    use(Language("fr", "fr"))
    lines = tray_text.menu_lines(in_member_mode(), NOW)
    assert lines[0].startswith("Neo (membre")
    assert "Acme Sec" in lines[0]
    assert lines[1] == "32\u00a0$US sur 75\u00a0$US de plafond restants (43\u00a0%)"
    # The tooltip keeps the one line.
    assert "Acme Sec" in tray_text.tooltip(in_member_mode(), NOW).split(":")[0]


def test_a_long_team_name_is_cut_on_its_own_line_only() -> None:
    view = in_member_mode(team="An extremely long team name " * 4)
    first, second, *_ = tray_text.menu_lines(view, NOW)
    assert first.startswith("Neo (member of An extremely long")
    assert first.endswith("…)")
    assert second == "$32 of $75 cap left (43%)"


# --- nothing but an error -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("error", "sentence"),
    [
        (NoSpendingCap(detail="HTTP 403"), "No permission, no team cap — ask your team admin"),
        (NoPermission(detail="HTTP 403"), None),
    ],
)
def test_a_forbidden_account_s_menu_says_its_error_only(
    error: NeoError, sentence: str | None
) -> None:
    view = ViewState(error=PollError.from_exception(error, NOW))
    lines = tray_text.menu_lines(view, NOW)
    assert lines[:5] == ("", "", "", "", "")
    assert lines[5]
    if sentence is not None:
        assert lines[5] == sentence
    assert "—" not in lines[5].replace(" — ", "")  # no "Available: —"


def test_an_account_with_figures_keeps_its_lines_under_an_error() -> None:
    view = replace(in_member_mode(), error=PollError.from_exception(NoPermission(), NOW))
    assert tray_text.menu_lines(view, NOW)[0].startswith("Neo (member of Acme Sec")


# --- French (and German) polish -------------------------------------------------------------------
def test_french_names_the_team_without_elision_and_one_apostrophe() -> None:
    use(Language("fr", "fr"))
    tip = tray_text.tooltip(in_member_mode(), NOW)
    assert tip.startswith("Neo (membre de l’équipe Acme Sec)\u00a0: ")
    assert "'" not in tip
    assert tray_text.tooltip(in_member_mode(team="Omega"), NOW).startswith(
        "Neo (membre de l’équipe Omega)\u00a0: "
    )  # never "membre de Omega" (which French would elide)
    assert "'" not in tray_text.tooltip(in_member_mode(team=None), NOW)
    reached = tray_text.menu_lines(in_member_mode(remaining=0), NOW)
    assert "plafond atteint" in "\n".join(reached)


@pytest.mark.parametrize(("language", "term"), [("fr", "remise à zéro"), ("de", "Zurücksetzen")])
def test_one_term_for_a_credit_reset(language: str, term: str) -> None:
    from desktop.core.history import RESET_MARK
    from desktop.core.i18n import _

    use(Language(language, language))
    assert term in balance_text.used_line(None)  # the header's "Used since last reset"
    assert term in _(RESET_MARK)  # the heatmap's mark
    legend = _(
        "Lighter to darker on a light theme (darker to lighter on a dark one): fewer to more "
        "credits. A dot marks the last credit reset, a cross the expiry."
    )
    assert term in legend
