"""The tray's texts: the tooltip (a line per account, within the platform's limit), the menu's
status lines (which the detail window's header repeats; today's tasks among them) and its
snooze entry.

Pure: the tray renders the strings this module returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from desktop.core import fmt, sinks
from desktop.core.balance_text import (
    balance_line,
    cap_figures,
    credit_line,
    expiry_line,
    forecast_line,
    member_name,
    used_line,
)
from desktop.core.derive import Derived
from desktop.core.glance import cap_level
from desktop.core.i18n import _, ngettext
from desktop.core.looks import LookKind
from desktop.core.presentation import (
    RefreshRefusal,
    ViewState,
    figures,
    forecast,
    look_for,
)
from desktop.core.tasks import TaskListing, TasksStatus, today_window
from desktop.core.tasks_report import credits_text, task_name
from desktop.core.text_fit import MENU_LIMIT, TOOLTIP_LIMIT, clip_phrases, clip_words, fit_parts

#: A task's title is cut (first) to fit the menu line, but never below this many characters:
#: shorter, the line leaves the top task out instead.
TITLE_AT_LEAST = 8


#: Looks whose error is all there is to say (the tooltip says its sentence; the menu, when there
#: are no figures, only its status line).
ERROR_ONLY_LOOKS = frozenset(
    {LookKind.NO_TOKEN, LookKind.NO_PERMISSION, LookKind.AUTH_REJECTED, LookKind.OFFLINE}
)


def _clip(text: str, limit: int = TOOLTIP_LIMIT) -> str:
    return clip_words(text, limit)


def tooltip(
    state: ViewState, now: datetime, account: str | None = None, limit: int = TOOLTIP_LIMIT
) -> str:
    return tooltip_for(state, now, figures(state, now), account, limit)


def tooltip_for(
    state: ViewState,
    now: datetime,
    derived: Derived | None,
    account: str | None = None,
    limit: int = TOOLTIP_LIMIT,
) -> str:
    """One account's tooltip line, plain text of at most `limit` characters; `account` names
    it when there are several (`tray_tooltip`)."""
    account = sinks.line_text(account) if account else None
    current = look_for(state, derived)
    if current.kind in ERROR_ONLY_LOOKS:
        message = sinks.line_text(state.error.user_message) if state.error else ""
        who = account or _("Neo Usage")
        line = _("{who}: {message}").format(who=who, message=message)
        if len(line) > limit and state.error and state.error.short_message:
            # Cut, the sentence would lose its end (a 403's "your team has no spending cap"):
            # the short one says it all.
            short = sinks.line_text(state.error.short_message)
            line = _("{who}: {message}").format(who=who, message=short)
        return _clip(line, limit)
    if derived is None and state.member is not None:
        line = member_line(state, account or _("Neo"), limit)
        return fit_parts([line, fmt.ago(state.member.fetched_at, now)], limit)
    if derived is None or state.snapshot is None:
        return _clip(_("{who}: loading…").format(who=account or _("Neo Usage")), limit)
    prefix = account or _("Neo")
    if state.paused:
        prefix = _("{name} (polling paused)").format(name=prefix)
    elif state.snapshot.from_cache:
        prefix = _("{name} (cached)").format(name=prefix)
    elif state.stale:
        prefix = _("{name} (offline)").format(name=prefix)
    ahead = forecast(state, now)
    return balance_line(prefix, derived, ahead, state.snapshot.fetched_at, now, limit=limit)


#: A team's name is cut (first) to fit a member's line, but never below this many characters:
#: shorter, the line says "team member" instead.
TEAM_AT_LEAST = 8


def member_line(state: ViewState, name: str, limit: int) -> str:
    """Member mode's line (tooltip and menu): `Neo (member of Acme Sec): $32 of $75 cap left
    (43%)` (`Neo (team member): …` without a team's name; "cached", "offline" or "polling
    paused" inside the parentheses), the level in words when low, critical or empty. The team's
    name (the server's text, made a plain line) is cut first to fit `limit`. `state.member`
    must be set."""
    team, word, figures = _member_parts(state)
    line = _("{name}: {balance}").format(name=member_name(name, team, word), balance=figures)
    if team and len(line) > limit:
        room = limit - (len(line) - len(team))
        shown = clip_words(team, room) if room >= TEAM_AT_LEAST else None
        line = _("{name}: {balance}").format(name=member_name(name, shown, word), balance=figures)
    return clip_words(line, limit)


def member_menu_lines(state: ViewState, limit: int = MENU_LIMIT) -> tuple[str, str]:
    """Member mode's first two menu lines: `member_line` and "" when it fits `limit` whole;
    else the team on a line of its own (`Neo (member of Acme Sec)`, the team's name cut to
    fit; "cached", "offline" or "paused" left to the status line) and the cap on the next
    (`$32 of $75 cap left (43%) — low`), so neither the team nor a figure is lost to the
    menu's width."""
    team, word, figures = _member_parts(state)
    whole = _("{name}: {balance}").format(name=member_name(_("Neo"), team, word), balance=figures)
    if len(whole) <= limit:
        return whole, ""
    # The menu's status line says cached, offline or paused: the team's line needs no word.
    named = member_name(_("Neo"), team)
    if team and len(named) > limit:
        room = limit - (len(named) - len(team))
        named = member_name(_("Neo"), clip_words(team, room) if room >= TEAM_AT_LEAST else None)
    return clip_words(named, limit), clip_phrases(figures, limit)


def _member_parts(state: ViewState) -> tuple[str | None, str | None, str]:
    """Member mode's team (the server's text made a plain line; None without one), state word
    (cached, offline, polling paused) and cap figures with the level in words
    (`balance_text.cap_figures`). `state.member` must be set."""
    member = state.member
    assert member is not None
    cap = member.profile.cap
    word = None
    if state.paused:
        word = _("polling paused")
    elif member.from_cache:
        word = _("cached")
    elif state.stale:
        word = _("offline")
    team = sinks.line_text(member.profile.team).strip() if member.profile.team else None
    if cap is None:  # member mode holds a cap; a profile without one is no member mode
        return team or None, word, _("no spending cap")
    return team or None, word, cap_figures(cap, cap_level(cap, state.thresholds))


TOOLTIP_ACCOUNTS = 5  # accounts with a line in the tooltip; then "+N more accounts"


#: The whole tooltip's limit where a platform has one (Windows cuts at 127 characters).
TOOLTIP_TOTAL_LIMITS = {"win32": TOOLTIP_LIMIT}


def tray_tooltip(
    accounts: Sequence[tuple[str, ViewState]],
    shown: int,
    now: datetime,
    platform: str,
) -> str:
    """The tray icon's tooltip: with one account its line (as `tooltip`); with several a line
    each, `accounts[shown]` (the one the icon shows) first and then the others in their order,
    at most `TOOLTIP_ACCOUNTS`, then "+N more accounts". Each line is at most `TOOLTIP_LIMIT`
    characters, and the whole fits `platform`'s limit (`sys.platform`; see
    `TOOLTIP_TOTAL_LIMITS`) by shortening every line alike, dropping whole phrases first."""
    if len(accounts) == 1:
        return tooltip(accounts[0][1], now, None, TOOLTIP_TOTAL_LIMITS.get(platform, TOOLTIP_LIMIT))
    order = [shown, *(index for index in range(len(accounts)) if index != shown)]
    listed = [accounts[index] for index in order[:TOOLTIP_ACCOUNTS]]
    hidden = len(accounts) - len(listed)
    more = (
        ngettext("+{count} more account", "+{count} more accounts", hidden).format(count=hidden)
        if hidden
        else None
    )
    per_line = TOOLTIP_LIMIT
    total = TOOLTIP_TOTAL_LIMITS.get(platform)
    if total is not None:
        newlines = len(listed) - (0 if more else 1)
        per_line = min(per_line, (total - newlines - len(more or "")) // len(listed))
    lines = [tooltip(state, now, name or _("Neo"), per_line) for name, state in listed]
    return "\n".join([*lines, *([more] if more else [])])


def menu_lines(state: ViewState, now: datetime, short: bool = False) -> tuple[str, ...]:
    """The status lines at the top of the tray menu: credits, expiry, forecast ("" when there is
    none to tell), usage, today's tasks ("" when there is nothing to tell: `tasks_line`),
    freshness. `short` (an account's block among several) leaves the usage since the reset out
    ("", like a missing forecast): the window has it. Plain text, one line each, cut after
    cleaning (so an escape sequence never counts nor splits): the tray writes them as menu
    labels (`sinks.menu_label`). Member mode has no credit lines: its cap line (or the team's
    and the cap's, `member_menu_lines`), then freshness. A state whose error leaves nothing to
    show (no token, no permission, a rejected token, offline before any figures) has only
    the error's sentence (the status line): no "Available: —"."""
    derived = figures(state, now)
    if derived is None and state.member is not None:
        lines = (*member_menu_lines(state), "", "", "", status_line(state, now))
        return tuple(clip_phrases(sinks.line_text(line), MENU_LIMIT) for line in lines)
    if derived is None and look_for(state, derived).kind in ERROR_ONLY_LOOKS:
        return (
            "",
            "",
            "",
            "",
            "",
            clip_phrases(sinks.line_text(status_line(state, now)), MENU_LIMIT),
        )
    ahead = forecast_line(forecast(state, now)) or ""
    lines = (
        credit_line(derived),
        expiry_line(derived),
        ahead[:1].upper() + ahead[1:],
        "" if short else used_line(derived),
        tasks_line(state.tasks_today, now),
        status_line(state, now),
    )
    return tuple(clip_phrases(sinks.line_text(line), MENU_LIMIT) for line in lines)


def tasks_line(listing: TaskListing | None, now: datetime, limit: int = MENU_LIMIT) -> str:
    """Today's tasks in one menu line of at most `limit` characters, from today's ledger
    (`/api/v1/usage/tasks`, the credits summed over the rows received): `Today: 42.5 credits ·
    7 tasks · top: Scan staging API (18.2)`, the costliest task's title (or id) cut first, left
    out when too little of it would show. "" with no listing yet, one of another day, or a
    refused one (403: the account's own status line already says what it may not see);
    a failed fetch says so, and no task today says that."""
    if listing is None or listing.start != today_window(now)[0]:
        return ""
    if listing.status is TasksStatus.FORBIDDEN:
        return ""
    if listing.status is not TasksStatus.OK:
        return _("Today's tasks: unavailable")
    if not listing.rows:
        return _("Today: no tasks yet")
    count = listing.count
    spent = credits_text(listing.neo_credits)
    top = listing.rows[0]  # the ledger's order: the costliest first
    title = sinks.line_text(task_name(top)).strip()
    whole = ngettext(
        "Today: {credits} · {count} task · top: {title} ({top})",
        "Today: {credits} · {count} tasks · top: {title} ({top})",
        count,
    )

    def said(shown_title: str) -> str:
        return whole.format(
            credits=spent,
            count=fmt.number(count),
            title=shown_title,
            top=fmt.credits(top.neo_credits),
        )

    room = limit - (len(said(title)) - len(title))
    if len(title) <= room:
        return said(title)
    if room >= TITLE_AT_LEAST:
        return said(clip_words(title, room))
    short = ngettext("Today: {credits} · {count} task", "Today: {credits} · {count} tasks", count)
    return clip_phrases(short.format(credits=spent, count=fmt.number(count)), limit)


def snooze_title(state: ViewState, now: datetime) -> str:
    """The menu's snooze entry: until when notifications are snoozed, while they are."""
    until = state.snoozed_until
    if until is None or until <= now:
        return _("S&nooze notifications")
    return _("Notifications s&noozed until {time}").format(time=fmt.clock_time(until, now))


def refresh_note_text(state: ViewState, now: datetime) -> str | None:
    """Why the last "Refresh now" sent nothing, while that still holds; else None."""
    note = state.refresh_note
    if note is None or now >= note.until:
        return None
    if note.reason is RefreshRefusal.RATE_LIMITED:
        return _("Rate limited: the next request goes at {time}").format(
            time=fmt.clock_time(note.until, now)
        )
    return _("Just refreshed: try again in {duration}").format(
        duration=fmt.duration(max(1.0, (note.until - now).total_seconds() + 0.999))
    )


def status_line(state: ViewState, now: datetime) -> str:
    """Freshness, or the error's short sentence with the age of what is shown meanwhile; a
    refused "Refresh now" says why while that holds."""
    note = refresh_note_text(state, now)
    if note is not None:
        return note
    data = state.member if state.member is not None else state.snapshot
    shown = fmt.ago(data.fetched_at, now) if data is not None else None
    if state.paused:
        if shown:
            return _("Polling paused · updated {ago}").format(ago=shown)
        return _("Polling paused")
    error = state.current_error
    if error is not None:
        short = error.short_message or error.user_message
        return _("{error} · data from {ago}").format(error=short, ago=shown) if shown else short
    if data is None:
        return _("Loading…")
    if data.from_cache:
        return _("Updating… (showing data from {ago})").format(ago=shown)
    return _("Updated {ago}").format(ago=shown)
