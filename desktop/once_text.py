"""`--once`'s text report (without `--json`): one account's figures in aligned rows, in the
user's language; the summary's, or in member mode the cap's (US dollars)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from desktop.core import balance_text, fmt, glance, sinks, tasks_report
from desktop.core.derive import derive, model_shares, top_model
from desktop.core.i18n import _, ngettext
from desktop.core.settings import Settings

if TYPE_CHECKING:  # `once` makes the results and imports this module
    from desktop.once import MemberResult, Result


def summary_report(result: Result, settings: Settings, now: datetime) -> str:
    """The balance, its level, expiry, usage, forecast and top model, then `tail_rows`."""
    summary = result.summary
    figures = derive(summary, now, settings.thresholds)
    expiry = fmt.countdown(figures.expires_in, figures.expired, expires_at=figures.expires_at)
    if figures.expires_at:
        expiry = _("{countdown} ({when})").format(
            countdown=expiry, when=fmt.local_datetime(figures.expires_at)
        )
    used = _("{used} since the last reset; {in_range} in range over {tasks}").format(
        used=fmt.credits(figures.used_credits),
        in_range=fmt.credits(summary.total_neo_credits),
        tasks=ngettext(
            "{count} task", "{count} tasks", fmt.plural_count(summary.total_tasks)
        ).format(count=fmt.number(summary.total_tasks)),
    )
    rows = [
        (_("Available"), balance_text.credit_share(figures)),
        (_("Level"), balance_text.level_word(figures.level)),
        (_("Expiry"), expiry),
        (_("Used"), used),
        (_("Forecast"), balance_text.forecast_details(result.forecast, figures)),
    ]
    top = top_model(model_shares(summary))
    if top:
        rows.append((_("Top model"), top))
    rows.extend(tail_rows(result, now))
    return aligned(rows)


def member_report(result: MemberResult, settings: Settings, now: datetime) -> str:
    """Member mode: who (the email and team), the cap in the tray's words (`$32 of $75 cap
    left (43%)`), its level (`cap reached` when used up), used and limit (US dollars,
    `/api/v1/user` `cap`), then `tail_rows`."""
    cap = result.profile.cap
    assert cap is not None, "member mode has a cap"
    level = glance.cap_level(cap, settings.thresholds)
    rows = [
        (_("Email"), result.profile.email),
        (_("Team"), result.profile.team or "—"),
        (_("Cap"), balance_text.cap_share(cap)),
        (_("Level"), balance_text.cap_level_word(level)),
        (_("Used"), fmt.money(cap.used)),
        (_("Limit"), fmt.money(cap.limit)),
    ]
    rows.extend(tail_rows(result, now))
    return aligned(rows)


def tail_rows(result: Result | MemberResult, now: datetime) -> list[tuple[str, str]]:
    """The report's last rows: where the figures came from (the tray's cache), and with --tasks
    the window's costliest tasks."""
    rows: list[tuple[str, str]] = []
    if result.source == "cache":
        age = fmt.ago(result.fetched_at, now)
        source = _("the tray's snapshot, {ago} (stale)") if result.stale else None
        rows.append((_("Source"), (source or _("the tray's snapshot, {ago}")).format(ago=age)))
    if result.tasks is not None:  # --tasks: the summary ends with the costliest tasks
        rows.extend(tasks_report.report_rows(result.tasks, today=result.tasks_today))
    return rows


def aligned(rows: Sequence[tuple[str, str]]) -> str:
    """`Label:     value` lines, the values in one column (of every report, whatever the
    language's labels: an account's error lines up with another's figures). Each value is a
    terminal field (`sinks.terminal_text`): a model's name can add no line, colour nor escape.
    A row with an empty label continues the one above (no head, the value in its column)."""
    labels = [_("Available"), _("Level"), _("Expiry"), _("Used"), _("Forecast"), _("Top model")]
    labels += [_("Source"), _("Error"), _("Tasks"), _("Email"), _("Team"), _("Cap"), _("Limit")]
    heads = {label: _("{label}:").format(label=label) for label in (*labels, *dict(rows))}
    heads[""] = ""
    width = max(len(head) for head in heads.values()) + 1
    return "\n".join(
        f"{heads[label]:<{width}}{sinks.terminal_text(value)}" for label, value in rows
    )
