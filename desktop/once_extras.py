"""The optional requests `--once` makes after the summary: the forecast's daily window, and for a
team admin (JSON only) today's figures of each member; their failures never change the exit code.
"""

from __future__ import annotations

import logging
from datetime import datetime

from desktop.api.client import NeoClient
from desktop.core import radar
from desktop.core.errors import NeoError
from desktop.core.forecast import Forecast
from desktop.core.forecast import compute as compute_forecast
from desktop.core.forecast import window_query as forecast_window
from desktop.core.models import UsageSummary

log = logging.getLogger(__name__)
#: Seconds for each optional request: it may not double the wait.
OPTIONAL_DEADLINE = 15.0


def fetch_forecast(
    client: NeoClient, summary: UsageSummary, now: datetime
) -> tuple[Forecast, UsageSummary | None]:
    """One more request, for the daily window (`forecast.window_query`); its failure only makes
    the forecast unavailable. Returns the forecast and the window's answer (None: it failed),
    whose `by_email` the admin's radar reads (`fetch_members`)."""
    try:
        window = client.fetch_summary(forecast_window(now), deadline_seconds=OPTIONAL_DEADLINE)
    except NeoError as exc:
        log.warning("No forecast: %s (%s)", exc.user_message, exc.detail)
        window = None
    return compute_forecast(summary, window, now), window


def fetch_members(
    client: NeoClient, summary: UsageSummary, window: UsageSummary | None, now: datetime
) -> radar.Radar | None:
    """An admin's radar (`members`): each member's credits today (one more request, from the
    local midnight to `now`: `radar.today_query`) against their usual day in the forecast's
    `window`. None when the summary has no `by_email` (not an admin's). A failed window (no
    request for today then) or today's request gives the "unavailable" radar, never an error."""
    if not radar.has_team(summary):
        return None
    now = now.replace(microsecond=0)  # the app's own instants are whole seconds
    today = None
    if window is not None:
        try:
            today = client.fetch_summary(radar.today_query(now), deadline_seconds=OPTIONAL_DEADLINE)
        except NeoError as exc:
            log.warning("No figures for today's members: %s (%s)", exc.user_message, exc.detail)
    return radar.compute(window, today, radar.today_window(now)[0])
