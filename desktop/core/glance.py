"""What status bars show: one line for Waybar, three for i3blocks, one of text; and the exit code
each bar needs. Pure: `--once` hands in the figures, or the failure, and prints the result.

Every field goes through its sink's helper (`core/sinks.py`): Waybar's as Pango markup, the
lines' as one line of plain text, so no field adds a line, a control or invalid markup."""

from __future__ import annotations

import json
from datetime import datetime
from typing import NamedTuple

from desktop.core import fmt, sinks
from desktop.core.balance_text import balance_line
from desktop.core.derive import Derived
from desktop.core.forecast import Forecast
from desktop.core.i18n import _
from desktop.core.levels import ALERT_HEX, LEVEL_HEX, CreditLevel

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
