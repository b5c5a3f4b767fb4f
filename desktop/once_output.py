"""What `--once` prints for one account, made once for the full path (`once.py`) and the status
bar's cached path (`cached_once.py`): the JSON document and the status bars' lines. Imports no
model: the summary comes as its JSON and as the figures `derive` reads."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from desktop.core import glance
from desktop.core.derive import breakdown_json, derive
from desktop.core.errors import EXIT_OK
from desktop.core.forecast import Forecast
from desktop.core.instants import utc_text
from desktop.core.levels import Thresholds
from desktop.core.summary_figures import SummaryFigures
from desktop.options import OutputFormat

SCHEMA_VERSION = 1  # of the JSON output; see the README for what a change of it means


def document(
    summary_json: dict[str, Any],
    summary: SummaryFigures,
    forecast: Forecast,
    fetched_at: datetime,
    *,
    source: str,
    stale: bool,
    thresholds: Thresholds,
    now: datetime,
    tasks_json: dict[str, Any] | None = None,
) -> dict[str, object]:
    """`--once --json`'s object; `summary_json` is the summary as the model writes it, and
    `tasks_json` (`--tasks` only) the window's task ledger (`core.tasks.TaskListing.to_json`),
    printed as `tasks`."""
    document: dict[str, object] = {
        "schema_version": SCHEMA_VERSION,
        "source": source,
        "stale": stale,
        "summary": summary_json,
        "derived": {**derive(summary, now, thresholds).to_json(), **breakdown_json(summary)},
        "forecast": forecast.to_json(),
        "fetched_at": utc_text(fetched_at, whole_seconds=True),
    }
    if tasks_json is not None:
        document["tasks"] = tasks_json
    return document


def status_bar(
    output: OutputFormat,
    summary: SummaryFigures,
    forecast: Forecast,
    fetched_at: datetime,
    *,
    stale: bool,
    thresholds: Thresholds,
    now: datetime,
) -> tuple[str, int]:
    """The `waybar`, `i3blocks` or `text` output and its exit code (i3blocks' 33: urgent)."""
    seen = glance.Glance(derive(summary, now, thresholds), forecast, fetched_at, stale)
    if output is OutputFormat.WAYBAR:
        return glance.waybar(seen, now), EXIT_OK
    if output is OutputFormat.I3BLOCKS:
        return glance.i3blocks(seen, now)
    return glance.line(seen, now), EXIT_OK
