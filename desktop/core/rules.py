"""Notification rules: which notifications a new poll result deserves, without spam.

Pure and Qt-free. `evaluate` takes what was already sent (`NotifyMemory`), the account context,
one poll outcome and "now", and returns the notifications to show plus the updated memory.
Thresholds fire once when crossed downward and re-arm only after the share recovers above
them by `REARM_MARGIN` or after a credit reset; failed or partial fetches never count.
"""

from __future__ import annotations

import math
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Any, NamedTuple

from desktop.core import fmt, i18n, local_time
from desktop.core.derive import Derived, derive
from desktop.core.errors import ErrorKind
from desktop.core.forecast import Forecast
from desktop.core.i18n import _, ngettext
from desktop.core.levels import CreditLevel
from desktop.core.presentation import credit_share
from desktop.core.settings import NotificationSwitches, Settings
from desktop.core.snapshot import PollError, Snapshot, account_fingerprint

REARM_MARGIN = 0.05  # the share must climb 5 points above a threshold before it can fire again
RESET_JITTER = timedelta(minutes=5)
NO_TIME = timedelta(0)  # a reset time that moves less than this is the same reset


class Rule(StrEnum):
    LOW = "low"
    CRITICAL = "critical"
    EMPTY = "empty"
    EXPIRY_7D = "expiry_7d"
    EXPIRY_1D = "expiry_1d"
    EXPIRED = "expired"
    RESET = "reset"
    AUTH_FAILED = "auth_failed"
    NO_PERMISSION = "no_permission"
    RUNS_OUT_SOON = "runs_out_soon"
    EXPIRES_UNUSED = "expires_unused"


# The credit level (decided in `derive`) that each credit rule announces.
CREDIT_RULE = {
    CreditLevel.LOW: Rule.LOW,
    CreditLevel.CRITICAL: Rule.CRITICAL,
    CreditLevel.EMPTY: Rule.EMPTY,
}


class Urgency(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    CRITICAL = "critical"


# A later notification of the same group replaces the earlier one on screen.
RULE_GROUP = {
    Rule.LOW: "credit",
    Rule.CRITICAL: "credit",
    Rule.EMPTY: "credit",
    Rule.EXPIRY_7D: "expiry",
    Rule.EXPIRY_1D: "expiry",
    Rule.EXPIRED: "expiry",
    Rule.RESET: "credit",
    Rule.AUTH_FAILED: "auth",
    Rule.NO_PERMISSION: "auth",
    Rule.RUNS_OUT_SOON: "forecast",
    Rule.EXPIRES_UNUSED: "forecast",
}

RULE_SWITCH = {
    Rule.LOW: "low_credit",
    Rule.CRITICAL: "critical_credit",
    Rule.EMPTY: "empty",
    Rule.EXPIRY_7D: "expiry_near",
    Rule.EXPIRY_1D: "expiry_near",
    Rule.EXPIRED: "expired",
    Rule.RESET: "reset",
    Rule.AUTH_FAILED: "sign_in_failed",
    Rule.NO_PERMISSION: "sign_in_failed",
    Rule.RUNS_OUT_SOON: "forecast",
    Rule.EXPIRES_UNUSED: "forecast",
}


@dataclass(frozen=True)
class Notification:
    rule: Rule
    title: str
    body: str
    urgency: Urgency = Urgency.NORMAL
    account_id: str = ""  # whose: each account's notifications replace only their own
    #: What its memory belongs to, when the rule alone does not say (a middle expiry warning
    #: day: each of the settings' days is said once); None: the rule's usual epoch.
    epoch: tuple[str, ...] | None = None

    @property
    def group(self) -> str:
        return (
            f"{RULE_GROUP[self.rule]}@{self.account_id}"
            if self.account_id
            else RULE_GROUP[self.rule]
        )


Epoch = tuple[str, ...]  # what a rule's memory belongs to: a credit epoch, an expiry instant


class SentKey(NamedTuple):
    """One notification that was sent: for this API address, account, rule and epoch."""

    base_url: str
    account: str
    rule: Rule
    epoch: Epoch = ()


class AccountKey(NamedTuple):
    base_url: str
    account: str


@dataclass(frozen=True)
class AccountContext:
    """Who the memory is about: the API address and a fingerprint of the token (never the token)."""

    base_url: str
    account: str

    @classmethod
    def for_token(cls, base_url: str, token: str | None) -> AccountContext:
        return cls(base_url.rstrip("/"), account_fingerprint(token))

    def key(self, rule: Rule, epoch: Epoch = ()) -> SentKey:
        return SentKey(self.base_url, self.account, rule, epoch)

    @property
    def account_key(self) -> AccountKey:
        return AccountKey(self.base_url, self.account)


class SnoozeChoice(StrEnum):
    HOUR = "hour"
    TOMORROW = "tomorrow"
    RESUME = "resume"


MEMORY_VERSION = 2


@dataclass(frozen=True)
class NotifyMemory:
    """What was sent, persisted between runs: when each key fired, the last credit epoch seen
    per account (to notice resets and top-ups), and the snooze."""

    sent: dict[SentKey, str] = field(default_factory=dict)
    epochs: dict[AccountKey, Epoch] = field(default_factory=dict)
    snoozed_until: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "version": MEMORY_VERSION,
            "sent": [
                {
                    "base_url": key.base_url,
                    "account": key.account,
                    "rule": key.rule.value,
                    "epoch": list(key.epoch),
                    "at": at,
                }
                for key, at in self.sent.items()
            ],
            "epochs": [
                {"base_url": key.base_url, "account": key.account, "epoch": list(epoch)}
                for key, epoch in self.epochs.items()
            ],
            "snoozed_until": self.snoozed_until,
        }

    @classmethod
    def from_json(cls, data: Any) -> NotifyMemory:
        """Read this release's memory, or migrate the first release's `|`-joined keys."""
        if not isinstance(data, dict):
            return cls()
        snoozed = data.get("snoozed_until")
        snoozed_until = snoozed if isinstance(snoozed, str) else None
        if data.get("version") == MEMORY_VERSION:
            return cls(
                _read_sent(data.get("sent")), _read_epochs(data.get("epochs")), snoozed_until
            )
        return cls(
            _migrate_sent(data.get("sent")), _migrate_epochs(data.get("epochs")), snoozed_until
        )

    def snoozed(self, now: datetime) -> bool:
        if not self.snoozed_until:
            return False
        try:
            return datetime.fromisoformat(self.snoozed_until) > now
        except ValueError:
            return False


def _strings(value: Any) -> Epoch | None:
    if isinstance(value, list) and all(isinstance(part, str) for part in value):
        return tuple(value)
    return None


def _read_sent(rows: Any) -> dict[SentKey, str]:
    sent: dict[SentKey, str] = {}
    for row in rows if isinstance(rows, list) else []:
        if not isinstance(row, dict):
            continue
        epoch = _strings(row.get("epoch"))
        fields = (row.get("base_url"), row.get("account"), row.get("at"))
        if epoch is None or not all(isinstance(part, str) for part in fields):
            continue
        with suppress(ValueError):
            sent[SentKey(row["base_url"], row["account"], Rule(str(row.get("rule"))), epoch)] = row[
                "at"
            ]
    return sent


def _read_epochs(rows: Any) -> dict[AccountKey, Epoch]:
    epochs: dict[AccountKey, Epoch] = {}
    for row in rows if isinstance(rows, list) else []:
        if not isinstance(row, dict):
            continue
        epoch = _strings(row.get("epoch"))
        base_url, account = row.get("base_url"), row.get("account")
        if epoch is not None and isinstance(base_url, str) and isinstance(account, str):
            epochs[AccountKey(base_url, account)] = epoch
    return epochs


def _old_epoch(text: str) -> Epoch:
    return tuple(text.split("|")) if text else ()


def _migrate_sent(old: Any) -> dict[SentKey, str]:
    """First release: `url|account|rule|epoch`, where a credit epoch was itself `reset|issued`."""
    sent: dict[SentKey, str] = {}
    for key, at in old.items() if isinstance(old, dict) else ():
        parts = str(key).split("|", 3)
        if len(parts) < 3:
            continue
        with suppress(ValueError):
            epoch = _old_epoch(parts[3] if len(parts) > 3 else "")
            sent[SentKey(parts[0], parts[1], Rule(parts[2]), epoch)] = str(at)
    return sent


def _migrate_epochs(old: Any) -> dict[AccountKey, Epoch]:
    """First release: `url|account|reset|` mapped to `last_reset|issued`."""
    epochs: dict[AccountKey, Epoch] = {}
    for key, value in old.items() if isinstance(old, dict) else ():
        parts = str(key).split("|")
        if len(parts) >= 2 and value:
            epochs[AccountKey(parts[0], parts[1])] = _old_epoch(str(value))
    return epochs


def snooze(memory: NotifyMemory, until: datetime) -> NotifyMemory:
    return replace(memory, snoozed_until=until.isoformat())


def snooze_for_an_hour(memory: NotifyMemory, now: datetime) -> NotifyMemory:
    return snooze(memory, now + timedelta(hours=1))


def snooze_until_tomorrow(memory: NotifyMemory, now: datetime) -> NotifyMemory:
    """Until 09:00 tomorrow in the user's local time."""
    tomorrow = local_time.local_date(now) + timedelta(days=1)
    return snooze(memory, local_time.local_instant(tomorrow, time(9)))


def apply_snooze(memory: NotifyMemory, choice: SnoozeChoice, now: datetime) -> NotifyMemory:
    if choice is SnoozeChoice.HOUR:
        return snooze_for_an_hour(memory, now)
    if choice is SnoozeChoice.TOMORROW:
        return snooze_until_tomorrow(memory, now)
    return replace(memory, snoozed_until=None)


def reset_epoch(snapshot: Snapshot, previous: Epoch | None = None) -> tuple[Epoch | None, bool]:
    """The credit epoch after this snapshot, and whether a reset or top-up happened.

    The epoch is (last reset, issued, available, expiry); its first two name the epoch that
    alert memory lives in. A reset or top-up counts only when credits actually came back
    (available or issued rose, or the expiry moved later); a reset time that moved by less than
    `RESET_JITTER` is the same epoch. A figure the API left out keeps its previous value:
    partial data never resets."""
    summary = snapshot.summary
    old = (*(previous or ()), "", "", "", "")
    old_reset, old_issued, old_available, old_expires = old[:4]
    reset = summary.last_credit_reset.isoformat() if summary.last_credit_reset else old_reset
    issued = _figure(summary.total_issued_neo_credits) or old_issued
    available = _figure(summary.total_available_neo_credits) or old_available
    expires = _instant(summary.neo_credits_expires_at) or old_expires
    if not reset and not issued:
        return None, False
    issued_rose = _rose(old_issued, issued)
    reset_moved = bool(old_reset and reset) and _apart(old_reset, reset) >= RESET_JITTER
    came_back = (
        issued_rose
        or _rose(old_available, available)
        or (bool(old_expires and expires) and _apart(old_expires, expires, signed=True) > NO_TIME)
        or (reset_moved and not old_available and bool(available) and float(available) > 0)
    )
    changed = (reset_moved or issued_rose) and came_back
    first = not (old_reset or old_issued)
    name = (reset, issued) if changed or first else (old_reset, old_issued)
    return (*name, available, expires), changed


def epoch_name(epoch: Epoch) -> Epoch:
    """The part of a credit epoch that alert memory is keyed by: (last reset, issued)."""
    return epoch[:2]


def _figure(value: float | None) -> str:
    return repr(float(value)) if value is not None else ""


def _instant(value: datetime | None) -> str:
    return value.isoformat() if value is not None else ""


def _rose(before: str, after: str) -> bool:
    return bool(before and after) and float(after) > float(before)


def _apart(before: str, after: str, signed: bool = False) -> timedelta:
    """How far `after` is from `before`; unreadable instants count as far apart."""
    try:
        delta = datetime.fromisoformat(after) - datetime.fromisoformat(before)
    except (ValueError, TypeError):
        return timedelta.max
    return delta if signed else abs(delta)


def evaluate(
    memory: NotifyMemory,
    context: AccountContext,
    outcome: Snapshot | PollError,
    now: datetime,
    settings: Settings,
) -> tuple[list[Notification], NotifyMemory]:
    """The notifications this outcome deserves, and the memory to keep afterwards."""
    if isinstance(outcome, PollError):
        found, memory = _evaluate_error(memory, context, outcome, now)
    else:
        found, memory = _evaluate_snapshot(memory, context, outcome, now, settings)
    if memory.snoozed(now):
        # Nothing is marked as sent while snoozed: what still holds is said when the snooze ends.
        return [], memory
    wanted = [n for n in found if _switched_on(settings.notifications, n.rule)]
    sent = dict(memory.sent)
    for notification in wanted:
        epoch = notification.epoch
        if epoch is None:
            epoch = _rule_epoch(notification.rule, memory, context, outcome)
        sent[context.key(notification.rule, epoch)] = now.isoformat()
    return wanted, replace(memory, sent=sent)


def _switched_on(switches: NotificationSwitches, rule: Rule) -> bool:
    return bool(getattr(switches, RULE_SWITCH[rule]))


def _rule_epoch(
    rule: Rule, memory: NotifyMemory, context: AccountContext, outcome: Snapshot | PollError
) -> Epoch:
    if rule in {Rule.AUTH_FAILED, Rule.NO_PERMISSION}:
        return ()
    if isinstance(outcome, Snapshot) and rule in {Rule.EXPIRY_7D, Rule.EXPIRY_1D, Rule.EXPIRED}:
        return _expiry_epoch(outcome)
    return epoch_name(memory.epochs.get(context.account_key, ()))


def _expiry_epoch(snapshot: Snapshot) -> Epoch:
    expires = snapshot.summary.neo_credits_expires_at
    return (expires.isoformat(),) if expires else ("flag",)


def _evaluate_error(
    memory: NotifyMemory, context: AccountContext, error: PollError, now: datetime
) -> tuple[list[Notification], NotifyMemory]:
    rule = {ErrorKind.AUTH_REJECTED: Rule.AUTH_FAILED, ErrorKind.NO_PERMISSION: Rule.NO_PERMISSION}
    if error.kind not in rule:
        return [], memory  # offline, rate limited...: never a crossing, never a clearing
    chosen = rule[error.kind]
    if context.key(chosen) in memory.sent:
        return [], memory  # same episode
    if chosen is Rule.AUTH_FAILED:
        title = _("Neo sign-in failed")
    else:
        title = _("No permission to see Neo usage")
    return [Notification(chosen, title, error.user_message, Urgency.NORMAL)], memory


def _evaluate_snapshot(
    memory: NotifyMemory,
    context: AccountContext,
    snapshot: Snapshot,
    now: datetime,
    settings: Settings,
) -> tuple[list[Notification], NotifyMemory]:
    sent = dict(memory.sent)
    epochs = dict(memory.epochs)
    found: list[Notification] = []
    # A good answer ends any sign-in episode.
    for rule in (Rule.AUTH_FAILED, Rule.NO_PERMISSION):
        sent.pop(context.key(rule), None)

    derived = derive(snapshot.summary, now, settings.thresholds)
    epoch_key = context.account_key
    previous_epoch = epochs.get(epoch_key)
    epoch, changed = reset_epoch(snapshot, previous_epoch)
    if epoch is not None:
        if changed and previous_epoch is not None:
            found.append(_reset_notification(snapshot, derived, previous_epoch))
            sent = {k: v for k, v in sent.items() if not _is_threshold_key(k, context)}
        epochs[epoch_key] = epoch
    current_epoch = epoch_name(epochs.get(epoch_key, ()))

    credit_rule = CREDIT_RULE.get(derived.level)
    for rule, threshold in _thresholds(settings):
        key = context.key(rule, current_epoch)
        if (
            key in sent
            and derived.available_fraction is not None
            and derived.available_fraction > threshold + REARM_MARGIN
        ):
            del sent[key]  # recovered: re-armed
    if credit_rule is not None:
        key = context.key(credit_rule, current_epoch)
        if key not in sent:
            found.append(_credit_notification(credit_rule, derived))
            # Crossing several lines in one poll says only the most severe one.
            for milder in _milder(credit_rule):
                sent[context.key(milder, current_epoch)] = now.isoformat()

    stages = _expiry_stages(derived.expired, derived.expires_in, settings)
    if stages:
        (expiry_rule, day), *milder_stages = stages
        expiry_epoch = _expiry_epoch(snapshot)
        if context.key(expiry_rule, expiry_epoch + day) not in sent:
            note = _expiry_notification(expiry_rule, derived.expires_in, derived.expires_at)
            found.append(replace(note, epoch=expiry_epoch + day) if day else note)
            for milder, milder_day in milder_stages:
                sent[context.key(milder, expiry_epoch + milder_day)] = now.isoformat()
    return found, replace(memory, sent=sent, epochs=epochs)


def _thresholds(settings: Settings) -> tuple[tuple[Rule, float], ...]:
    return (
        (Rule.LOW, settings.low_threshold),
        (Rule.CRITICAL, settings.critical_threshold),
        (Rule.EMPTY, 0.0),
    )


def _is_threshold_key(key: SentKey, context: AccountContext) -> bool:
    return (key.base_url, key.account) == context.account_key and key.rule in {
        Rule.LOW,
        Rule.CRITICAL,
        Rule.EMPTY,
    }


def _expiry_stages(
    expired: bool, expires_in: timedelta | None, settings: Settings
) -> list[tuple[Rule, Epoch]]:
    """The expiry warning reached, then every milder one (marked as said with it), each with
    what its memory adds to the expiry's epoch: the smallest warning day is EXPIRY_1D, the
    largest EXPIRY_7D (their memory as it always was), a day between them EXPIRY_7D under
    its own `("14d",)`, so that each of the settings' days is said once. [] before the largest
    day or without an expiry."""
    days = sorted(set(settings.expiry_warning_days))
    ladder: list[tuple[Rule, Epoch]] = [(Rule.EXPIRED, ()), (Rule.EXPIRY_1D, ())]
    ladder += [(Rule.EXPIRY_7D, (f"{day}d",)) for day in days[1:-1]]
    ladder += [(Rule.EXPIRY_7D, ())] if len(days) > 1 else []
    if expired:
        return ladder
    if expires_in is None:
        return []
    for index, day in enumerate(days):
        if expires_in <= timedelta(days=day):
            return ladder[index + 1 :]
    return []


def _milder(rule: Rule) -> tuple[Rule, ...]:
    order = {
        Rule.EMPTY: (Rule.CRITICAL, Rule.LOW),
        Rule.CRITICAL: (Rule.LOW,),
    }
    return order.get(rule, ())


def _credit_notification(rule: Rule, derived: Derived) -> Notification:
    figures = _("Left: {balance}.").format(balance=credit_share(derived))
    if rule is Rule.EMPTY:
        return Notification(
            rule,
            _("Neo credits used up"),
            _("No credits left: new tasks will fail until credits are added."),
            Urgency.CRITICAL,
        )
    if rule is Rule.CRITICAL:
        return Notification(rule, _("Neo credits almost gone"), figures, Urgency.NORMAL)
    return Notification(rule, _("Neo credits running low"), figures, Urgency.NORMAL)


def _expiry_notification(
    rule: Rule, expires_in: timedelta | None, expires_at: datetime | None
) -> Notification:
    when = fmt.local_datetime(expires_at) if expires_at else ""
    if rule is Rule.EXPIRED:
        if when:
            body = _("Your credits expired on {when}; available credits are now 0.")
        else:
            body = _("Your credits expired; available credits are now 0.")
        return Notification(
            rule, _("Neo credits expired"), body.format(when=when), Urgency.CRITICAL
        )
    if expires_in is None or not when:
        body = _("Your credits expire soon.")
    else:
        body = _("Your credits expire in {duration} ({when}).")
    left = fmt.duration(expires_in) if expires_in is not None else ""
    return Notification(
        rule,
        _("Neo credits expire soon"),
        body.format(duration=left, when=when),
        Urgency.NORMAL,
    )


def _reset_notification(
    snapshot: Snapshot, derived: Derived, previous_epoch: Epoch
) -> Notification:
    issued = snapshot.summary.total_issued_neo_credits
    before = previous_epoch[1] if len(previous_epoch) >= 2 else ""
    topped_up = bool(before) and issued is not None and float(before) < float(issued)
    title = _("Neo credits topped up") if topped_up else _("Neo credits reset")
    body = _("Available: {balance}.").format(balance=credit_share(derived))
    return Notification(Rule.RESET, title, body, Urgency.LOW)


FORECAST_HORIZON = timedelta(days=7)
UNUSED_WORTH_TELLING = 0.05  # of the issued credits


def forecast_rule(forecast: Forecast | None, issued: float | None, now: datetime) -> Rule | None:
    """What a sound forecast is worth telling: running out within a week (before any expiry), or
    at least 5 % of the issued credits expiring unused within a week."""
    if forecast is None or not forecast.ok:
        return None
    runs_out = forecast.runs_out_at
    if runs_out is not None and forecast.runs_out_before_expiry is not False:
        return Rule.RUNS_OUT_SOON if runs_out - now <= FORECAST_HORIZON else None
    expires = forecast.expires_at
    unused = forecast.unused_at_expiry or 0.0
    if expires is None or expires - now > FORECAST_HORIZON or not issued or issued <= 0:
        return None
    return Rule.EXPIRES_UNUSED if unused >= UNUSED_WORTH_TELLING * issued else None


def evaluate_forecast(
    memory: NotifyMemory,
    context: AccountContext,
    current: Forecast | None,
    previous: Forecast | None,
    *,
    issued: float | None,
    now: datetime,
    settings: Settings,
) -> tuple[list[Notification], NotifyMemory]:
    """A forecast notification, once per credit epoch, and only when two forecast refreshes in
    a row agree (never on the first one after start-up; a flaky fetch gives no sound forecast)."""
    rule = forecast_rule(current, issued, now)
    if rule is None or rule != forecast_rule(previous, issued, now) or current is None:
        return [], memory
    epoch = epoch_name(memory.epochs.get(context.account_key, ()))
    key = context.key(rule, epoch)
    if key in memory.sent or memory.snoozed(now) or not _switched_on(settings.notifications, rule):
        return [], memory
    note = _forecast_notification(rule, current, now)
    return [note], replace(memory, sent={**memory.sent, key: now.isoformat()})


def _forecast_notification(rule: Rule, forecast: Forecast, now: datetime) -> Notification:
    if rule is Rule.RUNS_OUT_SOON and forecast.runs_out_at is not None:
        days = max(1, math.ceil((forecast.runs_out_at - now).total_seconds() / 86400))
        if forecast.runs_out_before_expiry:
            body = ngettext(
                "At this pace your credits run out in {count} day, before they expire.",
                "At this pace your credits run out in {count} days, before they expire.",
                days,
            )
        else:
            body = ngettext(
                "At this pace your credits run out in {count} day.",
                "At this pace your credits run out in {count} days.",
                days,
            )
        title = _("Neo credits run out soon")
        return Notification(rule, title, body.format(count=days), Urgency.NORMAL)
    unused = round(forecast.unused_at_expiry or 0.0)
    if forecast.expires_at is not None:
        body = ngettext(
            "About {credits} credit will expire unused on {date}.",
            "About {credits} credits will expire unused on {date}.",
            unused,
        ).format(credits=fmt.credits(unused), date=i18n.day(forecast.expires_at))
    else:
        body = ngettext(
            "About {credits} credit will expire unused.",
            "About {credits} credits will expire unused.",
            unused,
        ).format(credits=fmt.credits(unused))
    return Notification(rule, _("Neo credits will go unused"), body, Urgency.LOW)
