"""What each rule says: the notification value and its translated title and body."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from desktop.core import fmt, local_time, sinks
from desktop.core.balance_text import cap_share, credit_share, runs_out_range, short_date
from desktop.core.derive import Derived
from desktop.core.forecast import Forecast
from desktop.core.i18n import _, ngettext
from desktop.core.member import MemberCap
from desktop.core.radar import MemberRadar
from desktop.core.radar_text import spike_body, spike_title
from desktop.core.rules.catalogue import Rule, Urgency, spec
from desktop.core.rules.memory import Epoch
from desktop.core.tasks import TaskRow
from desktop.core.tasks_report import credits_text, task_name
from desktop.core.text_fit import clip_words

#: A task's title in a notification is cut to this many characters (the body is a few lines).
NOTIFIED_TITLE_LIMIT = 80
#: Members named, one a line, in a notification of several unusual ones; the rest are counted.
NOTIFIED_MEMBERS_LIMIT = 3


@dataclass(frozen=True)
class Notification:
    rule: Rule
    title: str
    body: str
    urgency: Urgency = Urgency.NORMAL
    account_id: str = ""  # whose: each account's notifications replace only their own
    #: What its memory belongs to, when the rule alone does not say (a middle expiry warning
    #: day: each of the settings' days is said once); None: the rule's usual epoch.
    epoch: Epoch | None = None

    @property
    def group(self) -> str:
        group = spec(self.rule).group
        return f"{group}@{self.account_id}" if self.account_id else group


def _said(rule: Rule, title: str, body: str) -> Notification:
    return Notification(rule, title, body, spec(rule).urgency)


def sign_in_notification(rule: Rule, user_message: str) -> Notification:
    """AUTH_FAILED or NO_PERMISSION, with the error's own sentence as the body."""
    if rule is Rule.AUTH_FAILED:
        return _said(rule, _("Neo sign-in failed"), user_message)
    return _said(rule, _("No permission to see Neo usage"), user_message)


def credit_notification(rule: Rule, derived: Derived) -> Notification:
    """LOW, CRITICAL or EMPTY."""
    figures = _("Left: {balance}.").format(balance=credit_share(derived))
    if rule is Rule.EMPTY:
        return _said(
            rule,
            _("Neo credits used up"),
            _("No credits left: new tasks will fail until credits are added."),
        )
    if rule is Rule.CRITICAL:
        return _said(rule, _("Neo credits almost gone"), figures)
    return _said(rule, _("Neo credits running low"), figures)


def expiry_notification(
    rule: Rule, expires_in: timedelta | None, expires_at: datetime | None
) -> Notification:
    """EXPIRED, or an expiry warning (EXPIRY_7D, EXPIRY_1D)."""
    when = fmt.local_datetime(expires_at) if expires_at else ""
    if rule is Rule.EXPIRED:
        if when:
            body = _("Your credits expired on {when}; available credits are now 0.")
        else:
            body = _("Your credits expired; available credits are now 0.")
        return _said(rule, _("Neo credits expired"), body.format(when=when))
    if expires_in is None or not when:
        body = _("Your credits expire soon.")
    else:
        body = _("Your credits expire in {duration} ({when}).")
    left = fmt.time_left(expires_in, expires_at) if expires_in is not None else ""
    return _said(rule, _("Neo credits expire soon"), body.format(duration=left, when=when))


def reset_notification(
    issued: float | None, derived: Derived, previous_epoch: Epoch
) -> Notification:
    """RESET: "topped up" when the issued credits rose above the previous epoch's."""
    before = previous_epoch[1] if len(previous_epoch) >= 2 else ""
    topped_up = bool(before) and issued is not None and float(before) < float(issued)
    title = _("Neo credits topped up") if topped_up else _("Neo credits reset")
    body = _("Available: {balance}.").format(balance=credit_share(derived))
    return _said(Rule.RESET, title, body)


def forecast_notification(rule: Rule, forecast: Forecast, now: datetime) -> Notification:
    """RUNS_OUT_SOON or EXPIRES_UNUSED, from the forecast that decided it, in the tray's figures:
    the days are `local_time.calendar_days` to the tray's date (`runs out ~Dec 4` is "in 5
    days" on Nov 29, whatever the hours; a range of days when the tray shows a range of
    dates), the credits unused `fmt.about_credits`' (2 significant digits, the tray's range)."""
    earliest, latest = runs_out_range(forecast) or (None, None)
    if rule is Rule.RUNS_OUT_SOON and earliest is not None:
        body = _runs_out_body(forecast, now, earliest, latest or earliest)
        return _said(rule, _("Neo credits run out soon"), body)
    point = forecast.unused_at_expiry or 0.0
    low, high = forecast.unused_at_expiry_range or (point, point)
    fewest, most = fmt.about_credits(low), fmt.about_credits(high)
    count = fmt.plural_count(fmt.significant(high))
    if forecast.expires_at is None:
        body = ngettext(
            "About {credits} credit will expire unused.",
            "About {credits} credits will expire unused.",
            count,
        ).format(credits=most)
    elif fewest == most:
        body = ngettext(
            "About {credits} credit will expire unused on {date}.",
            "About {credits} credits will expire unused on {date}.",
            count,
        ).format(credits=most, date=short_date(forecast.expires_at))
    else:
        body = ngettext(
            "About {low}–{high} credit will expire unused on {date}.",
            "About {low}–{high} credits will expire unused on {date}.",
            count,
        ).format(low=fewest, high=most, date=short_date(forecast.expires_at))
    return _said(rule, _("Neo credits will go unused"), body)


def _runs_out_body(forecast: Forecast, now: datetime, earliest: datetime, latest: datetime) -> str:
    """`At this pace your credits run out in 5 days.` (or `in 4-6 days` with an en dash,
    `today`), `, before they expire` when even the `latest` day is before the expiry."""
    low = max(0, local_time.calendar_days(now, earliest))
    high = max(low, local_time.calendar_days(now, latest))
    before = forecast.expires_at is not None and latest < forecast.expires_at
    if high == 0:
        if before:
            return _("At this pace your credits run out today, before they expire.")
        return _("At this pace your credits run out today.")
    if low == high:
        if before:
            body = ngettext(
                "At this pace your credits run out in {count} day, before they expire.",
                "At this pace your credits run out in {count} days, before they expire.",
                high,
            )
        else:
            body = ngettext(
                "At this pace your credits run out in {count} day.",
                "At this pace your credits run out in {count} days.",
                high,
            )
        return body.format(count=fmt.number(high))
    if before:
        body = ngettext(
            "At this pace your credits run out in {low}–{high} day, before they expire.",
            "At this pace your credits run out in {low}–{high} days, before they expire.",
            high,
        )
    else:
        body = ngettext(
            "At this pace your credits run out in {low}–{high} day.",
            "At this pace your credits run out in {low}–{high} days.",
            high,
        )
    return body.format(low=fmt.number(low), high=fmt.number(high))


def big_task_limit_text(limit: float, share: float | None) -> str:
    """The big-task threshold in words: `50 credits`, or `5% of the issued credits (250
    credits)` when it is a share (`share`, 0 to 1) of them."""
    if share is None:
        return credits_text(limit)
    return _("{percent} of the issued credits ({credits})").format(
        percent=fmt.setting_percent(share), credits=credits_text(limit)
    )


def big_task_notification(
    tasks: list[TaskRow], limit: float, share: float | None, *, earlier: int = 0
) -> Notification:
    """BIG_TASK: the task of today that used more than `limit` credits (`share`: the settings'
    share of the issued credits it came from; None: a number of credits), or how many did and
    the costliest (`tasks`: the new ones, costliest first, never empty). `earlier`: how many of
    today's tasks over the limit were already said; then the count is of the new ones, said
    as "more" with today's total, so a second notification never reads like a total that went
    down. The heading agrees with the count. The task's title is hostile text: one line, cut,
    escaped by the notifier for its sink."""
    top = tasks[0]
    name = clip_words(sinks.line_text(task_name(top)).strip(), NOTIFIED_TITLE_LIMIT)
    over = big_task_limit_text(limit, share)
    count = len(tasks)
    # One task has its own sentence; ngettext's singular serves languages whose first form
    # also covers other numbers (21 in Russian), so it keeps the count.
    if count == 1:
        title = (
            _("Another Neo task used many credits")
            if earlier > 0
            else _("A Neo task used many credits")
        )
    elif earlier > 0:
        title = ngettext(
            "{count} more Neo task used many credits",
            "{count} more Neo tasks used many credits",
            count,
        ).format(count=fmt.number(count))
    else:
        title = ngettext(
            "{count} Neo task used many credits", "{count} Neo tasks used many credits", count
        ).format(count=fmt.number(count))
    if count == 1:
        body = _("{task} used {credits} today, more than {limit}.").format(
            task=name, credits=credits_text(top.neo_credits), limit=over
        )
    elif earlier > 0:
        body = ngettext(
            "{count} more task used more than {limit} today ({total} in all); the costliest: "
            "{task} ({credits}).",
            "{count} more tasks used more than {limit} today ({total} in all); the costliest: "
            "{task} ({credits}).",
            count,
        ).format(
            count=fmt.number(count),
            limit=over,
            total=fmt.number(count + earlier),
            task=name,
            credits=credits_text(top.neo_credits),
        )
    else:
        body = ngettext(
            "{count} task used more than {limit} today; the costliest: {task} ({credits}).",
            "{count} tasks used more than {limit} today; the costliest: {task} ({credits}).",
            count,
        ).format(
            count=fmt.number(count),
            limit=over,
            task=name,
            credits=credits_text(top.neo_credits),
        )
    return _said(Rule.BIG_TASK, title, body)


def cap_notification(rule: Rule, cap: MemberCap) -> Notification:
    """CAP_LOW, CAP_CRITICAL or CAP_REACHED: a team member's spending cap (`/api/v1/user`
    `cap`, US dollars), from the figures that decided it."""
    if rule is Rule.CAP_REACHED:
        body = _(
            "You have used {used} of your {limit} cap: tasks are blocked until an admin raises it."
        ).format(used=fmt.money(cap.used), limit=fmt.money(cap.limit))
        return _said(rule, _("Neo spending cap reached"), body)
    figures = _("You have {share}.").format(share=cap_share(cap))  # the tray's phrasing
    if rule is Rule.CAP_CRITICAL:
        return _said(rule, _("Neo spending cap almost reached"), figures)
    return _said(rule, _("Neo spending cap running low"), figures)


def spike_notification(members: list[MemberRadar]) -> Notification:
    """MEMBER_SPIKE: the team members newly unusual today (`members`, never empty, most unusual
    first): one is the radar's own sentence ("bo@example.com used 15 times their usual today (30
    credits)"); several are counted in the title and named one a line, the first
    `NOTIFIED_MEMBERS_LIMIT` of them, the rest counted. Emails are hostile text: the notifier
    escapes title and body for its sink."""
    first = members[0]
    if len(members) == 1:
        return _said(Rule.MEMBER_SPIKE, spike_title(first), spike_body(first))
    count = len(members)
    title = ngettext(
        "{count} team member used far more than usual today",
        "{count} team members used far more than usual today",
        count,
    ).format(count=fmt.number(count))
    lines = [spike_body(member) for member in members[:NOTIFIED_MEMBERS_LIMIT]]
    rest = count - len(lines)
    if rest > 0:
        lines.append(
            ngettext("and {count} more member", "and {count} more members", rest).format(
                count=fmt.number(rest)
            )
        )
    return _said(Rule.MEMBER_SPIKE, title, "\n".join(lines))
