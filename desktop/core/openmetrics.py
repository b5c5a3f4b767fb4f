"""`--once --format openmetrics`: the documents `--once --json` prints, as OpenMetrics text
(gauges only), which Prometheus' text parser reads too (node_exporter's textfile collector).

Every figure is read from the JSON document, so a metric means exactly what its field means in
the README's contract; a figure the document does not know (`null`, absent, not finite) is left
out, never written as NaN. Two sections are the metrics' own, both with `--cached` only and
both left out of `--once --json`: `tasks_today` (`tasks_today_section`: the tray's cache's
figures of today's task ledger, named as the JSON's `tasks` names them) and `tray_failure`
(`TRAY_FAILURE`: the kind of the running tray's latest poll's failure, which makes `neo_up` 0
with that `error` while the figures it kept are still written).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

from desktop.core.errors import ErrorKind
from desktop.core.instants import parse_instant
from desktop.core.tasks import TasksStatus
from desktop.core.today_tasks import TodayTasks, is_today

#: The media type a scraper is told (not used by the textfile collector, which reads a file).
CONTENT_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8"
#: The kind written in `neo_up`'s `error` label for a failure that is a bug of ours.
INTERNAL_ERROR = "internal"
#: The kind written for a response the app does not understand (what `--once --json` exits 5
#: with: not JSON, not the shape, a figure it cannot represent, too large): not an outage.
BAD_RESPONSE = "bad_response"

#: One account's outcome: `--once --json`'s document (`once_output.document`), or its failure's
#: kind (`ErrorKind`, `BAD_RESPONSE` or `INTERNAL_ERROR`).
Outcome = Mapping[str, Any] | ErrorKind | str
Entry = tuple[str, Outcome]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EXACT_INT = 2**53  # larger integers are written as floats (what a scraper stores anyway)


class Family(NamedTuple):
    """A gauge: its name, its HELP text (plain ASCII: no escape needed), its OpenMetrics UNIT
    (only where the name ends with `_<unit>`, as the format asks) and where its figure is in
    the document (a path of keys, and an optional conversion)."""

    name: str
    help: str
    path: tuple[str | int, ...]
    unit: str | None = None
    convert: Callable[[object], object] | None = None


def _epoch_seconds(value: object) -> object:
    """An instant of the document (ISO 8601 with `Z`) as seconds since 1970 (UTC); None when
    it is not one."""
    instant = parse_instant(value)
    if instant is None:
        return None
    seconds = (instant - _EPOCH).total_seconds()
    return int(seconds) if seconds.is_integer() else seconds


#: The document's key of today's tasks (`tasks_today_section`), a section of the metrics only.
TASKS_TODAY = "tasks_today"
#: The document's key of the running tray's latest poll's failure (an `ErrorKind` value, from
#: its cache file), a section of the metrics only: `neo_up` is 0 with it as `error`.
TRAY_FAILURE = "tray_failure"

#: Every gauge after `neo_up`, in the order they are written.
FAMILIES: tuple[Family, ...] = (
    Family(
        "neo_stale",
        "1 when the figures are the running tray's snapshot, older than twice its poll "
        "interval, kept while it waits out a backoff (--cached), else 0.",
        ("stale",),
    ),
    Family(
        "neo_last_success_timestamp_seconds",
        "When the figures were fetched, in seconds since 1970 UTC (fetched_at); with --cached, "
        "the running tray's latest good poll.",
        ("fetched_at",),
        unit="seconds",
        convert=_epoch_seconds,
    ),
    Family(
        "neo_credits_available",
        "Neo credits available now (derived.available_credits).",
        ("derived", "available_credits"),
    ),
    Family(
        "neo_credits_issued",
        "Neo credits issued at the last reset or top-up (derived.issued_credits).",
        ("derived", "issued_credits"),
    ),
    Family(
        "neo_credits_used_since_reset",
        "Neo credits used since the last reset (derived.used_credits).",
        ("derived", "used_credits"),
    ),
    Family(
        "neo_credits_available_ratio",
        "Share of the issued credits still available, clamped to 0-1 (derived.gauge_fraction).",
        ("derived", "gauge_fraction"),
        unit="ratio",
    ),
    Family(
        "neo_credits_expiry_timestamp_seconds",
        "When the credits expire, in seconds since 1970 UTC (derived.expires_at).",
        ("derived", "expires_at"),
        unit="seconds",
        convert=_epoch_seconds,
    ),
    Family(
        "neo_credits_expires_in_seconds",
        "Seconds until the credits expire, 0 once expired (derived.expires_in_seconds).",
        ("derived", "expires_in_seconds"),
        unit="seconds",
    ),
    Family(
        "neo_forecast_credits_per_day",
        "Neo credits used per day, the mean of the last 14 complete UTC days "
        "(forecast.credits_per_day).",
        ("forecast", "credits_per_day"),
    ),
    Family(
        "neo_forecast_runs_out_timestamp_seconds",
        "When the credits run out at this pace, in seconds since 1970 UTC (forecast.runs_out_at).",
        ("forecast", "runs_out_at"),
        unit="seconds",
        convert=_epoch_seconds,
    ),
    Family(
        "neo_forecast_unused_at_expiry_credits",
        "Neo credits still available at the expiry at this pace, 0 when they run out first "
        "(forecast.unused_at_expiry).",
        ("forecast", "unused_at_expiry"),
        unit="credits",
    ),
    Family(
        "neo_forecast_unused_at_expiry_credits_low",
        "Low end of the forecast's range of the credits unused at the expiry "
        "(forecast.unused_at_expiry_range[0]).",
        ("forecast", "unused_at_expiry_range", 0),
    ),
    Family(
        "neo_forecast_unused_at_expiry_credits_high",
        "High end of the forecast's range of the credits unused at the expiry "
        "(forecast.unused_at_expiry_range[1]).",
        ("forecast", "unused_at_expiry_range", 1),
    ),
    Family(
        "neo_member_cap_limit_usd",
        "A team member's spending cap, in US dollars (member.cap.limit).",
        ("member", "cap", "limit"),
        unit="usd",
    ),
    Family(
        "neo_member_cap_used_usd",
        "US dollars of a team member's cap used (member.cap.used).",
        ("member", "cap", "used"),
        unit="usd",
    ),
    Family(
        "neo_member_cap_remaining_usd",
        "US dollars of a team member's cap remaining (member.cap.remaining).",
        ("member", "cap", "remaining"),
        unit="usd",
    ),
    Family(
        "neo_tasks_today",
        "Neo tasks of the local day so far, as the running tray last fetched them (--cached; "
        "GET /api/v1/usage/tasks, the rows received, at most 5000).",
        (TASKS_TODAY, "count"),
    ),
    Family(
        "neo_tasks_today_credits",
        "Neo credits of the local day's tasks so far, as the running tray last fetched them "
        "(--cached; the tasks' neo_credits summed).",
        (TASKS_TODAY, "neo_credits"),
        unit="credits",
    ),
)

_UP = Family(
    "neo_up",
    "1 when the account's figures were read, 0 on failure (the error label names its kind: "
    "no_token, auth_rejected, no_permission, settings, rate_limited, offline, bad_response "
    "or internal); with --cached also 0 while the running tray's latest poll failed, its "
    "kept figures still written.",
    (),
)


def tasks_today_section(figures: TodayTasks | None, now: datetime) -> dict[str, object] | None:
    """The document's `tasks_today` (`{"from", "to", "count", "neo_credits"}`, as the JSON's
    `tasks` names them) when the tray's cache gave today's task ledger's figures, the listing
    was fetched (status ok) and its window is the local day of `now`; None otherwise (no
    metric then: a refused or failed listing has no figures)."""
    if figures is None or figures.status is not TasksStatus.OK or not is_today(figures, now):
        return None
    figures_json = figures.to_json()
    return {key: figures_json[key] for key in ("from", "to", "count", "neo_credits")}


def render(entries: Sequence[Entry]) -> str:
    """The OpenMetrics text of `entries` (account name, its document or its failure's kind),
    ending with `# EOF` and a line break. Each family appears once (HELP, TYPE, UNIT, then its
    samples), only when some account has its figure; every sample carries `account`.
    Raises ValueError when two entries name the same account (the settings keep names unique):
    a scraper would refuse the duplicate series."""
    names = [name for name, _outcome in entries]
    if len(set(names)) != len(names):
        raise ValueError("two entries name the same account")
    lines: list[str] = []
    up = [_sample(_UP.name, name, *_up(outcome)) for name, outcome in entries]
    _add_family(lines, _UP, up)
    for family in FAMILIES:
        samples = []
        for name, outcome in entries:
            if not isinstance(outcome, Mapping):
                continue
            value = _number_text(_figure(outcome, family))
            if value is not None:
                samples.append(_sample(family.name, name, value))
        _add_family(lines, family, samples)
    lines.append("# EOF")
    return "\n".join(lines) + "\n"


def _up(outcome: Outcome) -> tuple[str, str | None]:
    """`neo_up`'s value and its `error` label (None: none): 1 for a document, 0 with the kind
    for a failure, or for a document of the tray's cache whose latest poll failed."""
    if not isinstance(outcome, Mapping):
        return "0", str(outcome)
    failure = outcome.get(TRAY_FAILURE)
    return ("0", failure) if isinstance(failure, str) else ("1", None)


def _add_family(lines: list[str], family: Family, samples: list[str]) -> None:
    if not samples:  # a family nobody has a figure for is left out
        return
    lines.append(f"# HELP {family.name} {family.help}")
    lines.append(f"# TYPE {family.name} gauge")
    if family.unit is not None:
        lines.append(f"# UNIT {family.name} {family.unit}")
    lines.extend(samples)


def _figure(document: Mapping[str, Any], family: Family) -> object:
    """The family's figure in `document`, None where a step of its path is missing."""
    value: object = document
    for step in family.path:
        if isinstance(step, int):
            if not isinstance(value, list | tuple) or len(value) <= step:
                return None
            value = value[step]
        elif isinstance(value, Mapping):
            value = value.get(step)
        else:
            return None
    if family.convert is not None and value is not None:
        value = family.convert(value)
    return value


def _number_text(value: object) -> str | None:
    """A sample's value: an integer as written, a float as `repr` writes it (the shortest text
    that reads back the same: `0.1`, `1e+16`), a bool as 1 or 0; None for anything unknown,
    not finite or past a float (never NaN, never an overflow a parser would refuse)."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        if abs(value) < _EXACT_INT:
            return str(value)
        try:
            value = float(value)
        except OverflowError:
            return None
    if isinstance(value, float) and math.isfinite(value):
        return repr(value)
    return None


def _sample(metric: str, account: str, value: str, error: str | None = None) -> str:
    labels = f'account="{label_value(account)}"'
    if error is not None:
        labels += f',error="{label_value(error)}"'
    return f"{metric}{{{labels}}} {value}"


def label_value(text: str) -> str:
    """`text` as a label value between double quotes: backslash, double quote and line feed
    escaped as the format says (`\\\\`, `\\"`, `\\n`), any other character as it is; a lone
    surrogate (which UTF-8 cannot encode) becomes U+FFFD."""
    clean = "".join("\ufffd" if "\ud800" <= char <= "\udfff" else char for char in text)
    return clean.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
