"""The task ledger in `--once --tasks`' human summary: its last lines, the window's count and
credits, then the five costliest tasks (rows for `once_text.aligned`, which escapes each value for
the terminal through `sinks.terminal_text`; a task's line holds two fields, each escaped before
it is composed)."""

from __future__ import annotations

from desktop.core import fmt, sinks
from desktop.core.i18n import _, ngettext
from desktop.core.tasks import TaskListing, TaskRow, TasksStatus

#: How many of the costliest tasks the human summary lists.
COSTLIEST = 5
#: A task that finished: its status is not said beside it.
FINISHED = "completed"


def task_name(row: TaskRow) -> str:
    """What a task is called: its title (`task_title`), or its id when it has none. Hostile
    text, as received: escape it where it lands."""
    return row.task_title if row.task_title and row.task_title.strip() else row.task_id


def credits_text(value: float | None) -> str:
    """`18.2 credits`, `1 credit`, `— credits` (a missing figure)."""
    return ngettext("{credits} credit", "{credits} credits", fmt.plural_count(value)).format(
        credits=fmt.credits(value)
    )


def task_line(row: TaskRow) -> str:
    """One costly task for the terminal: `18.2 credits · Scan staging API`, with its status when
    it did not complete (`12.4 credits · Scan prod (failed)`). The title and the status are each
    a field escaped (`sinks.terminal_text`) before the line is composed, so a title's
    unterminated escape sequence cannot swallow the app's text after it."""
    title = sinks.terminal_text(task_name(row))
    if row.status is None or row.status.strip().lower() == FINISHED:
        return _("{credits} · {title}").format(credits=credits_text(row.neo_credits), title=title)
    return _("{credits} · {title} ({status})").format(
        credits=credits_text(row.neo_credits),
        title=title,
        status=sinks.terminal_text(row.status),
    )


def report_rows(listing: TaskListing, *, today: bool) -> list[tuple[str, str]]:
    """(label, value) rows closing the human summary: the listing's count and credits (source:
    `/api/v1/usage/tasks`, the credits summed over the rows received), a note when it was
    truncated, then up to `COSTLIEST` tasks in the ledger's order, each on a row with an empty
    label (a continuation); the truncation note says how many of the API's `total` were
    fetched when it knows. `today`: the window is the local day, else the summary's range.
    A refused (403) or failed listing is one row saying so."""
    label = _("Tasks")
    if listing.status is TasksStatus.FORBIDDEN:
        return [
            (
                label,
                _(
                    "This account may not list its tasks: ask your team admin (team members "
                    "and viewers cannot read them)."
                ),
            )
        ]
    if listing.status is not TasksStatus.OK:
        return [(label, _("The tasks could not be fetched; details are in the log."))]
    count = listing.count
    if today:
        counted = ngettext(
            "{count} task today used {credits}", "{count} tasks today used {credits}", count
        )
    else:
        counted = ngettext(
            "{count} task in range used {credits}", "{count} tasks in range used {credits}", count
        )
    rows = [
        (label, counted.format(count=fmt.number(count), credits=credits_text(listing.neo_credits)))
    ]
    truncated = truncated_text(listing)
    if truncated is not None:
        rows.append(("", truncated))
    rows.extend(("", task_line(row)) for row in listing.rows[:COSTLIEST])
    return rows


def truncated_text(listing: TaskListing) -> str | None:
    """Why the totals may be short: more tasks existed than were fetched (the 5,000-row cap, or
    a page refused even small); None when the listing is whole."""
    if not listing.truncated:
        return None
    if listing.total is not None and listing.total > listing.count:
        return ngettext(
            "Only {count} of {total} tasks were fetched: the figures cover those.",
            "Only {count} of {total} tasks were fetched: the figures cover those.",
            listing.total,
        ).format(count=fmt.number(listing.count), total=fmt.number(listing.total))
    return _("More tasks exist than were fetched.")
