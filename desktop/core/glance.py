"""What status bars show: one line for Waybar, three for i3blocks, one of text; and the exit code
each bar needs. Pure: `--once` hands in the figures, or the failure, and prints the result.

Every field goes through its sink's helper (`core/sinks.py`): Waybar's as Pango markup, the
lines' as one line of plain text, so no field adds a line, a control or invalid markup."""

from __future__ import annotations

import json
from datetime import datetime
from typing import NamedTuple

from desktop.core import fmt, sinks
from desktop.core.balance_text import balance_line, member_name
from desktop.core.balance_text import cap_line as balance_cap_line
from desktop.core.derive import Derived, credit_level
from desktop.core.forecast import Forecast
from desktop.core.i18n import _
from desktop.core.levels import ALERT_HEX, DEFAULT_THRESHOLDS, LEVEL_HEX, CreditLevel, Thresholds
from desktop.core.member_rules import MemberCap

I3BLOCKS_URGENT = 33  # i3blocks shows the block as urgent and keeps its output
URGENT_LEVELS = frozenset({CreditLevel.CRITICAL, CreditLevel.EMPTY, CreditLevel.EXPIRED})


class Glance(NamedTuple):
    """The figures a status bar shows, and how old they are."""

    derived: Derived
    forecast: Forecast | None
    fetched_at: datetime
    stale: bool = False


def short_figure(derived: Derived) -> str:
    """What the panel shows without hovering: the share left, or the credits without a share."""
    if derived.expired:
        return _("expired")
    if derived.available_fraction is not None:
        return fmt.percent(derived.available_fraction)  # the true share: `102%` may show
    return fmt.short_number(derived.available_credits)


def line(glance: Glance, now: datetime) -> str:
    """`--format text`'s line (and the tooltip's content): figures, expiry, forecast, age (parts
    dropped from the end), as one line of plain text."""
    prefix = _("Neo (stale)") if glance.stale else _("Neo")
    return sinks.line_text(
        balance_line(prefix, glance.derived, glance.forecast, glance.fetched_at, now)
    )


def waybar(glance: Glance, now: datetime) -> str:
    """One JSON line as Waybar's custom module reads it (`return-type: json`)."""
    derived = glance.derived
    level = derived.level.value
    return json.dumps(
        {
            "text": sinks.pango_text(short_figure(derived)),
            "tooltip": sinks.pango_text(line(glance, now)),
            "class": [level, "stale"] if glance.stale else level,
            "percentage": fmt.gauge_points(derived.gauge_fraction),
        }
    )


def waybar_failure(short: str, message: str) -> str:
    """A failure for Waybar: its short sentence shown, the full one (which may quote an address
    with `&`) as the tooltip. Redact both before: escaping changes the text."""
    return json.dumps(
        {
            "text": sinks.pango_text(short),
            "tooltip": sinks.pango_text(message),
            "class": "error",
            "percentage": 0,
        }
    )


def i3blocks(glance: Glance, now: datetime) -> tuple[str, int]:
    """Full text, short text and colour, and the exit code (33: urgent)."""
    derived = glance.derived
    full = line(glance, now)
    short = sinks.line_text(_("Neo {figure}").format(figure=short_figure(derived)))
    colour = LEVEL_HEX[derived.level]
    urgent = derived.level in URGENT_LEVELS
    return f"{full}\n{short}\n{colour}", I3BLOCKS_URGENT if urgent else 0


def i3blocks_failure(short: str) -> tuple[str, int]:
    """A failure for i3blocks (urgent, in the alert colour); `short`: its redacted sentence."""
    full = _("Neo: {error}").format(error=sinks.line_text(short))
    short = _("Neo: !")
    return f"{full}\n{short}\n{ALERT_HEX}", I3BLOCKS_URGENT


# --- member mode: a team member's own spending cap (US dollars), after the summary's 403 -------


class MemberGlance(NamedTuple):
    """What a status bar shows in member mode: the team's name (None: unnamed), the cap
    (`/api/v1/user` `cap`, dollars), when it was fetched, and the thresholds its level uses."""

    team: str | None
    cap: MemberCap
    fetched_at: datetime
    stale: bool = False
    thresholds: Thresholds = DEFAULT_THRESHOLDS


def cap_level(cap: MemberCap, thresholds: Thresholds) -> CreditLevel:
    """The cap's level: the settings' low and critical thresholds applied to the share of the
    cap left; nothing left is `empty`; a limit that is not positive gives no share (`unknown`)."""
    return credit_level(cap.fraction_left, cap.remaining, False, thresholds)


def cap_line(seen: MemberGlance) -> str:
    """`Neo (member of Acme Sec): $32 of $75 cap left (43%)` (`Neo (team member): …` without a
    team name; `stale` inside the parentheses; the level in words when low, critical or empty),
    the tray's phrasing (`balance_text.cap_line`), as one line of plain text: `--format text`,
    i3blocks' full text, Waybar's tooltip."""
    named = member_name(_("Neo"), seen.team, _("stale") if seen.stale else None)
    level = cap_level(seen.cap, seen.thresholds)
    return sinks.line_text(balance_cap_line(named, seen.cap, level))


def cap_figure(cap: MemberCap) -> str:
    """What the panel shows without hovering: the share of the cap left; "—" when the limit
    gives no share (not positive, or below one cent: `MemberCap.fraction_left` None), never a
    dollar figure where a share is promised (a negative one least of all)."""
    return fmt.percent(cap.fraction_left)


def member_waybar(seen: MemberGlance) -> str:
    """Waybar's line in member mode: the share of the cap left ("—" without one), the cap line
    as the tooltip, the class of the cap's level and its gauge points (0 without a share, which
    Waybar reads as an empty gauge, as it reads no `percentage`)."""
    level = cap_level(seen.cap, seen.thresholds).value
    return json.dumps(
        {
            "text": sinks.pango_text(cap_figure(seen.cap)),
            "tooltip": sinks.pango_text(cap_line(seen)),
            "class": [level, "stale"] if seen.stale else level,
            "percentage": fmt.gauge_points(seen.cap.fraction_left),
        }
    )


def member_i3blocks(seen: MemberGlance) -> tuple[str, int]:
    """i3blocks in member mode: the cap line, a short text and the level's colour; 33 (urgent)
    when the cap is critical or reached."""
    level = cap_level(seen.cap, seen.thresholds)
    short = sinks.line_text(_("Neo {figure}").format(figure=cap_figure(seen.cap)))
    urgent = level in URGENT_LEVELS
    return f"{cap_line(seen)}\n{short}\n{LEVEL_HEX[level]}", I3BLOCKS_URGENT if urgent else 0
