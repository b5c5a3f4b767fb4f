"""What `--once` prints for one account, made once for the full path (`once.py`) and the status
bar's cached path (`cached_once.py`): the JSON document and the status bars' lines, in summary or
member mode. Imports no model: the summary comes as its JSON and as the figures `derive` reads,
a member as the pydantic-free profile (`core/member_rules.py`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from desktop.core import glance
from desktop.core.derive import breakdown_json, derive
from desktop.core.errors import EXIT_OK
from desktop.core.forecast import Forecast
from desktop.core.instants import utc_text
from desktop.core.levels import Thresholds
from desktop.core.member_rules import MemberProfile
from desktop.core.summary_figures import SummaryFigures
from desktop.options import OutputFormat

SCHEMA_VERSION = 1  # of the JSON output; see the README for what a change of it means
#: The document's `mode`: the usage summary, or a team member's own cap (`/api/v1/user`).
SUMMARY_MODE = "summary"
MEMBER_MODE = "member"


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
    members_json: dict[str, Any] | None = None,
) -> dict[str, object]:
    """`--once --json`'s object in summary mode; `summary_json` is the summary as the model
    writes it, `members_json` (an admin's, JSON only) the radar (`core.radar.Radar.to_json`),
    printed as `members`, and `tasks_json` (`--tasks` only) the window's task ledger
    (`core.tasks.TaskListing.to_json`), printed as `tasks`."""
    document: dict[str, object] = {
        "schema_version": SCHEMA_VERSION,
        "mode": SUMMARY_MODE,
        "source": source,
        "stale": stale,
        "summary": summary_json,
        "derived": {**derive(summary, now, thresholds).to_json(), **breakdown_json(summary)},
        "forecast": forecast.to_json(),
        "fetched_at": utc_text(fetched_at, whole_seconds=True),
    }
    if members_json is not None:
        document["members"] = members_json
    if tasks_json is not None:
        document["tasks"] = tasks_json
    return document


def member_document(
    profile: MemberProfile,
    fetched_at: datetime,
    *,
    source: str,
    stale: bool,
    tasks_json: dict[str, Any] | None = None,
) -> dict[str, object]:
    """`--once --json`'s object in member mode (the summary answered 403, `/api/v1/user` gave
    a cap): no summary, derived figures nor forecast; `member` is the profile
    (`MemberProfile.to_json`: email, team, the cap in US dollars)."""
    document: dict[str, object] = {
        "schema_version": SCHEMA_VERSION,
        "mode": MEMBER_MODE,
        "source": source,
        "stale": stale,
        "summary": None,
        "derived": None,
        "forecast": None,
        "fetched_at": utc_text(fetched_at, whole_seconds=True),
        "member": profile.to_json(),
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


def member_status_bar(
    output: OutputFormat,
    profile: MemberProfile,
    fetched_at: datetime,
    *,
    stale: bool,
    thresholds: Thresholds,
) -> tuple[str, int]:
    """The status bars' output in member mode: the cap left (`glance.MemberGlance`); `profile`
    must carry a cap."""
    assert profile.cap is not None, "member mode needs a cap"
    seen = glance.MemberGlance(profile.team, profile.cap, fetched_at, stale, thresholds)
    if output is OutputFormat.WAYBAR:
        return glance.member_waybar(seen), EXIT_OK
    if output is OutputFormat.I3BLOCKS:
        return glance.member_i3blocks(seen)
    return glance.cap_line(seen), EXIT_OK
