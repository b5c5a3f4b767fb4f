"""`neo-tray --once`: one fetch, printed as JSON (or a short text) on stdout.

Imported only for `--once`, so the tray's start-up does not pay for it, and it never imports Qt.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from contextlib import ExitStack
from datetime import UTC, datetime

from desktop.api.client import NeoClient
from desktop.core import fmt, presentation
from desktop.core.derive import breakdown_json, derive, model_shares, top_model
from desktop.core.environment import URL_ENV
from desktop.core.errors import (
    EXIT_OK,
    InvalidSetting,
    KeyringUnavailable,
    NeoError,
    NoToken,
    UnexpectedResponse,
)
from desktop.core.forecast import Forecast
from desktop.core.forecast import compute as compute_forecast
from desktop.core.forecast import window_query as forecast_window
from desktop.core.models import UsageSummary
from desktop.core.query import AuthScheme, GroupBy, UsageQuery
from desktop.core.settings import Settings, resolve_base_url
from desktop.options import Options
from desktop.system import logs, settings_store
from desktop.system.secrets import load_token

log = logging.getLogger(__name__)


def once_report(
    summary: UsageSummary, settings: Settings, fetched_at: datetime, forecast: Forecast
) -> dict[str, object]:
    return {
        "summary": summary.model_dump(mode="json"),
        "derived": {
            **derive(summary, fetched_at, settings.thresholds).to_json(),
            **breakdown_json(summary),
        },
        "forecast": forecast.to_json(),
        "fetched_at": fetched_at.isoformat().replace("+00:00", "Z"),
    }


def fetch_forecast(client: NeoClient, summary: UsageSummary, now: datetime) -> Forecast:
    """One more request, for the daily window; its failure only makes the forecast unavailable."""
    try:
        window = client.fetch_summary(forecast_window(now))
    except NeoError as exc:
        log.warning("No forecast: %s (%s)", exc.user_message, exc.detail)
        window = None
    return compute_forecast(summary, window, now)


def human_report(
    summary: UsageSummary, settings: Settings, fetched_at: datetime, forecast: Forecast
) -> str:
    figures = derive(summary, fetched_at, settings.thresholds)
    lines = [
        presentation.credit_line(figures),
        f"Level:     {figures.level.value}",
        f"Expiry:    {fmt.countdown(figures.expires_in, figures.expired)}"
        + (f" ({fmt.local_datetime(figures.expires_at)})" if figures.expires_at else ""),
        f"Used:      {fmt.credits(figures.used_credits)} since the last reset; "
        f"{fmt.credits(summary.total_neo_credits)} in range over {summary.total_tasks:,} tasks",
    ]
    lines.append(presentation.forecast_summary(forecast, figures).replace(":", ": ", 1))
    top = top_model(model_shares(summary))
    if top:
        lines.append(f"Top model: {top}")
    return "\n".join(lines)


def run_once(options: Options, environ: Mapping[str, str]) -> int:
    loaded = settings_store.load()  # read only: --once never moves or rewrites the file
    if loaded.problem:
        log.warning("%s", loaded.problem)
    if loaded.address_lost and not options.demo and not environ.get(URL_ENV, "").strip():
        raise InvalidSetting(
            f"The settings file {loaded.damaged_path} is damaged, so the API address is not "
            f"known: fix or delete the file, or set {URL_ENV}.",
            "settings file damaged",
        )
    settings = loaded.settings
    scheme = AuthScheme(options.auth_scheme) if options.auth_scheme else settings.auth_scheme
    query = UsageQuery(
        options.start, options.end, GroupBy(options.group_by) if options.group_by else None
    )
    with ExitStack() as stack:
        if options.demo:
            from desktop.fakeapi import FakeNeoApi

            api = stack.enter_context(FakeNeoApi(scenario=options.scenario))
            base_url, token = api.url, api.token
        else:
            base_url = resolve_base_url(settings, environ)
            lookup = load_token(dict(environ))
            if lookup.token is None:
                if lookup.keyring_problem:
                    raise KeyringUnavailable(lookup.keyring_problem, "no token: keyring unreadable")
                raise NoToken(detail="no token in environment or keyring")
            token = lookup.token
        logs.redactor.add_secret(token)
        client = stack.enter_context(NeoClient(base_url, token, scheme))
        summary = client.fetch_summary(query)
        fetched_at = datetime.now(UTC)
        forecast = fetch_forecast(client, summary, fetched_at)
    if options.as_json:
        try:  # ASCII-safe, strict JSON: the model lets no NaN or infinity through
            report = once_report(summary, settings, fetched_at, forecast)
            text = json.dumps(report, allow_nan=False)
        except ValueError as exc:
            raise UnexpectedResponse(
                "The Neo API sent figures this app cannot print as JSON.", str(exc)
            ) from None
        print(text)
    else:
        print(human_report(summary, settings, fetched_at, forecast))
    return EXIT_OK
