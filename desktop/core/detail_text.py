"""The detail window's own texts: the banner (an error's full sentence, or why the data is
old), member mode's header lines and a range's dates.

Pure: the window renders the strings this module returns.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from desktop.core import fmt, i18n, sinks
from desktop.core.balance_text import cap_figures
from desktop.core.errors import ErrorKind
from desktop.core.glance import cap_level
from desktop.core.i18n import N_, _
from desktop.core.presentation import ViewState
from desktop.core.query import UsageQuery
from desktop.core.snapshot import PollError
from desktop.core.tray_text import status_line


def retry_time(error: PollError) -> datetime | None:
    """When a server's Retry-After lets the account ask again (None: it did not say)."""
    if error.retry_after is None:
        return None
    return error.at + timedelta(seconds=error.retry_after)


def banner_text(state: ViewState, now: datetime) -> str | None:
    """The detail window's banner: the error's full sentence, or why the data is old; None when
    all is well."""
    error = state.current_error
    shown = state.member if state.member is not None else state.snapshot
    if error is None:
        if shown is not None and shown.from_cache:
            return status_line(state, now)
        return None
    text = error.user_message
    until = retry_time(error)
    if until is not None and until > now:
        text += " " + _("The next request goes at {time}.").format(time=fmt.clock_time(until, now))
    if shown is not None:
        text += " " + _("Showing data from {ago}.").format(ago=fmt.ago(shown.fetched_at, now))
    return text


class MemberHeader(NamedTuple):
    """Member mode's header: the cap left (title), the team and the dollars used; plain text."""

    title: str
    team: str
    used: str


def member_header(state: ViewState) -> MemberHeader | None:
    """The detail window's header in member mode (None outside it): `$32 of $75 cap left
    (43%)` with the level in words when low, critical or used up (`cap reached`); `Team: Acme
    Sec` (`Team member` without a team's name; the name made a plain line); `Used: $43 of the
    $75 cap`. Figures from `/api/v1/user` `cap`, US dollars."""
    member = state.member
    if member is None:
        return None
    profile = member.profile
    team_name = sinks.line_text(profile.team).strip() if profile.team else ""
    team = _("Team: {team}").format(team=team_name) if team_name else _("Team member")
    cap = profile.cap
    if cap is None:  # member mode holds a cap; said plainly should one ever come without
        return MemberHeader(_("No spending cap"), team, "")
    title = cap_figures(cap, cap_level(cap, state.thresholds))
    used = _("Used: {used} of the {limit} cap").format(
        used=fmt.money(cap.used), limit=fmt.money(cap.limit)
    )
    return MemberHeader(title, team, used)


def member_range_text() -> str:
    """What the breakdowns say in member mode, where the usage endpoints answer 403."""
    return _(
        "Your team's usage is visible to the team's admin; as a member you see your own "
        "spending cap above."
    )


#: Member mode's Overview: (field, what it shows), in the order shown; `member_overview` fills
#: them. Labels through `N_`: `_()` where shown.
MEMBER_FIELDS = (
    ("cap_left", N_("Cap left")),
    ("cap_used", N_("Cap used")),
    ("cap_limit", N_("Spending cap")),
    ("team", N_("Team")),
    ("email", N_("Email")),
)


def member_overview(state: ViewState) -> tuple[tuple[str, str], ...] | None:
    """Member mode's Overview (None outside it): `(field key, text)` in `MEMBER_FIELDS`' order:
    the cap left with its share (`$32 (43%)`), the dollars used and the limit (`fmt.money`),
    the team's name (`—` without one) and the e-mail. Figures from `/api/v1/user` (`cap`, US
    dollars; `team.name`, `email`); the server's text made a plain line (`sinks.line_text`)."""
    member = state.member
    if member is None:
        return None
    profile = member.profile
    team = sinks.line_text(profile.team).strip() if profile.team else ""
    email = sinks.line_text(profile.email).strip()
    cap = profile.cap
    if cap is None:
        left = used = limit = _("no spending cap")
    else:
        left = _("{left} ({percent})").format(
            left=fmt.money(cap.remaining), percent=fmt.percent(cap.fraction_left)
        )
        used, limit = fmt.money(cap.used), fmt.money(cap.limit)
    values = (left, used, limit, team or "—", email or "—")
    return tuple((key, value) for (key, _title), value in zip(MEMBER_FIELDS, values, strict=True))


def no_permission_text() -> str:
    """What the usage tabs say when the summary answers 403 and there is no member's cap to
    show (the banner above says why, with its Retry)."""
    return _("Only your team's admin can see the team's usage: there is nothing to show here.")


def unavailable_text(state: ViewState) -> str | None:
    """Why the detail window's usage tabs and ranges have nothing to show, or None when they
    have: member mode (`member_range_text`), or a 403 with no summary ever seen
    (`no_permission_text`; a summary from before the 403 stays shown, marked old). The usage
    endpoints answer every range with 403 then: the window asks for none."""
    if state.member is not None:
        return member_range_text()
    error = state.current_error
    if state.snapshot is None and error is not None and error.kind is ErrorKind.NO_PERMISSION:
        return no_permission_text()
    return None


def range_text(query: UsageQuery) -> str:
    """`2026-11-01 → 2026-11-27` in local days, or `all time`."""

    def day(instant: datetime | None) -> str:
        return i18n.day(instant) if instant else "…"

    if query.start is None and query.end is None:
        return _("all time")
    return f"{day(query.start)} → {day(query.end)}"
