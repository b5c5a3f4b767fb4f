"""The status bars in member mode (`core/glance.py`): the share of the cap left, its level by the
settings' thresholds, the cap line, and a hostile team name escaped for each sink."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from desktop.core import fmt, glance, i18n
from desktop.core.levels import DEFAULT_THRESHOLDS, CreditLevel, Thresholds
from desktop.core.member_rules import MemberCap

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    i18n.use("en")
    yield
    i18n.use("en")


def seen(
    cap: MemberCap,
    team: str | None = "Acme Sec",
    *,
    stale: bool = False,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> glance.MemberGlance:
    return glance.MemberGlance(team, cap, NOW, stale, thresholds)


@pytest.mark.parametrize(
    ("cap", "thresholds", "level", "text", "percentage", "exit_code"),
    [
        (MemberCap(75, 43, 32), Thresholds(), CreditLevel.OK, "43%", 43, 0),
        (MemberCap(75, 43, 32), Thresholds(0.5, 0.1), CreditLevel.LOW, "43%", 43, 0),
        (MemberCap(75, 43, 32), Thresholds(0.5, 0.45), CreditLevel.CRITICAL, "43%", 43, 33),
        (MemberCap(75, 70.5, 4.5), Thresholds(), CreditLevel.CRITICAL, "6%", 6, 33),
        (MemberCap(75, 75, 0), Thresholds(), CreditLevel.EMPTY, "0%", 0, 33),
        (MemberCap(75, 80, -5), Thresholds(), CreditLevel.EMPTY, "0%", 0, 33),  # past the cap
        (MemberCap(75, -5, 80), Thresholds(), CreditLevel.OK, "100%", 100, 0),  # a refund
        # No share (a limit not positive, or below one cent): "—", never a dollar figure
        # where the share is promised; the class still the level's.
        (MemberCap(0, 3, 0), Thresholds(), CreditLevel.EMPTY, "—", 0, 33),
        (MemberCap(0, 3, 5), Thresholds(), CreditLevel.UNKNOWN, "—", 0, 0),
        (MemberCap(-75, 100, -25), Thresholds(), CreditLevel.EMPTY, "—", 0, 33),
        (MemberCap(5e-324, 0, 5e-324), Thresholds(), CreditLevel.UNKNOWN, "—", 0, 0),
        (MemberCap(0.009, 0, 0.009), Thresholds(), CreditLevel.UNKNOWN, "—", 0, 0),
        (MemberCap(0.01, 0, 0.01), Thresholds(), CreditLevel.OK, "100%", 100, 0),  # one cent
        (MemberCap(75, 74.9, 0.1), Thresholds(), CreditLevel.CRITICAL, "1%", 1, 33),
    ],
)
def test_levels_share_and_exit_codes(
    cap: MemberCap,
    thresholds: Thresholds,
    level: CreditLevel,
    text: str,
    percentage: int,
    exit_code: int,
) -> None:
    assert glance.cap_level(cap, thresholds) is level
    bar = json.loads(glance.member_waybar(seen(cap, thresholds=thresholds)))
    assert bar == {
        "text": text,
        "tooltip": glance.cap_line(seen(cap, thresholds=thresholds)),
        "class": level.value,
        "percentage": percentage,
    }
    output, code = glance.member_i3blocks(seen(cap, thresholds=thresholds))
    full, short, colour = output.split("\n")
    assert full == glance.cap_line(seen(cap, thresholds=thresholds))
    # A used-up cap is "cap reached" in words (issue 28's notification); its class stays `empty`.
    word = {
        CreditLevel.LOW: "low",
        CreditLevel.CRITICAL: "critical",
        CreditLevel.EMPTY: "cap reached",
    }
    if level in word:
        assert full.endswith(f" — {word[level]}")  # the level in words, never by colour alone
    else:
        assert full.endswith(")")
    assert short == f"Neo {text}"
    assert colour.startswith("#")
    assert code == exit_code


def test_the_cap_line_names_the_team_or_says_team_member() -> None:
    cap = MemberCap(75, 43, 32)
    left, limit = fmt.money(32), fmt.money(75)
    assert glance.cap_line(seen(cap)) == (
        f"Neo (member of Acme Sec): {left} of {limit} cap left (43%)"
    )
    assert left == "$32"  # no decimals when whole
    assert (
        glance.cap_line(seen(cap, None)) == f"Neo (team member): {left} of {limit} cap left (43%)"
    )
    stale = glance.cap_line(seen(cap, stale=True))
    assert stale.startswith("Neo (member of Acme Sec, stale): ")
    bar = json.loads(glance.member_waybar(seen(cap, stale=True)))
    assert bar["class"] == ["ok", "stale"]
    assert glance.cap_line(seen(MemberCap(75, 42.5, 32.5))).startswith(
        f"Neo (member of Acme Sec): {fmt.money(32.5)} of "
    )


@pytest.mark.parametrize(
    "team",
    [
        "R&D <b>Sec</b>",
        "Ops\nteam\x1b[31m",
        "\u202eceS emcA",
        "{left} {percent}",
    ],
)
def test_a_hostile_team_name_is_escaped_for_each_sink(team: str) -> None:
    cap = MemberCap(75, 43, 32)
    line = glance.cap_line(seen(cap, team))
    assert "\n" not in line
    assert "\x1b" not in line
    assert "\u202e" not in line
    assert line.endswith("of $75 cap left (43%)")  # the name fills no placeholder
    bar = json.loads(glance.member_waybar(seen(cap, team)))
    assert "<b>" not in bar["tooltip"]
    if "<b>" in team:
        assert "R&amp;D &lt;b&gt;Sec&lt;/b&gt;" in bar["tooltip"]
    output, _code = glance.member_i3blocks(seen(cap, team))
    assert len(output.split("\n")) == 3


def test_in_german() -> None:
    i18n.use("de")
    line = glance.cap_line(seen(MemberCap(75, 43, 32)))
    assert "Acme Sec" in line
    assert "43\xa0%" in line  # the locale's percent
    assert fmt.money(32) in line
