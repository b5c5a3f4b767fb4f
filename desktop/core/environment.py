"""The environment variables users, scripts and tests set, and how each is read; import-free."""

from __future__ import annotations

import math
from collections.abc import Mapping
from contextlib import suppress

TOKEN_ENV = "NEO_API_TOKEN"  # the token; overrides the keyring
URL_ENV = "NEO_API_URL"  # the API base URL; overrides the setting
POLL_OVERRIDE_ENV = "NEO_TRAY_POLL_SECONDS"  # for demos and tests: poll faster than the settings
FORECAST_OVERRIDE_ENV = "NEO_TRAY_FORECAST_SECONDS"  # likewise for the forecast's hourly window
FORECAST_SECONDS = 3600.0
# For trying notifications in the demo: a task every N seconds, each costing M times the usual.
DEMO_TASK_SECONDS_ENV = "NEO_TRAY_DEMO_TASK_SECONDS"
DEMO_DRAIN_ENV = "NEO_TRAY_DEMO_DRAIN"
DEMO_POLL_SECONDS = 60.0
DEMO_TASK_SECONDS = 15.0


def api_url(environ: Mapping[str, str]) -> str | None:
    """NEO_API_URL, trimmed; None when unset or blank. It wins over every account's address and
    is checked like one where a client is made (`query.validate_base_url`)."""
    return environ.get(URL_ENV, "").strip() or None


def positive_float(environ: Mapping[str, str], name: str, default: float, floor: float) -> float:
    """`name` as a number of at least `floor`, or `default` when unset or not a number."""
    with suppress(ValueError):
        value = float(environ.get(name, "").strip())
        if math.isfinite(value):
            return max(floor, value)
    return default


def poll_interval_seconds(minutes: int, demo: bool, environ: Mapping[str, str]) -> float | None:
    """Seconds between polls: the override, the demo's minute, or the setting (0: manual)."""
    override = positive_float(environ, POLL_OVERRIDE_ENV, 0.0, 1.0)
    if override:
        return override
    if demo:
        return DEMO_POLL_SECONDS
    return None if minutes == 0 else minutes * 60.0


def forecast_interval_seconds(environ: Mapping[str, str]) -> float:
    """Seconds between fetches of the forecast's daily window: an hour, or the override."""
    return positive_float(environ, FORECAST_OVERRIDE_ENV, FORECAST_SECONDS, 1.0)
