"""Notification rules: which notifications a new poll result deserves, without spam.

Pure and Qt-free. `evaluate` takes what was already sent (`NotifyMemory`), the account context,
one poll outcome and "now", and returns the notifications to show plus the updated memory.
Thresholds fire once when crossed downward and re-arm only after the share recovers above
them by `REARM_MARGIN` or after a credit reset; failed or partial fetches never count.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from desktop.core import fmt
from desktop.core.derive import derive
from desktop.core.errors import ErrorKind
from desktop.core.settings import NotificationSwitches, Settings
from desktop.core.snapshot import PollError, Snapshot, account_fingerprint

REARM_MARGIN = 0.05  # the share must climb 5 points above a threshold before it can fire again


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
}


@dataclass(frozen=True)
class Notification:
    rule: Rule
    title: str
    body: str
    urgency: Urgency = Urgency.NORMAL

    @property
    def group(self) -> str:
        return RULE_GROUP[self.rule]


@dataclass(frozen=True)
class AccountContext:
    """Who the memory is about: the API address and a fingerprint of the token (never the token)."""

    base_url: str
    account: str

    @classmethod
    def for_token(cls, base_url: str, token: str | None) -> AccountContext:
        return cls(base_url.rstrip("/"), account_fingerprint(token))

    def key(self, rule: Rule, epoch: str = "") -> str:
        return f"{self.base_url}|{self.account}|{rule.value}|{epoch}"


@dataclass(frozen=True)
class NotifyMemory:
    """What was sent, persisted between runs. `sent` maps rule keys to when they fired."""

    sent: dict[str, str] = field(default_factory=dict)
    #: Per account: the last reset epoch seen, to notice resets and top-ups.
    epochs: dict[str, str] = field(default_factory=dict)
    snoozed_until: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"sent": self.sent, "epochs": self.epochs, "snoozed_until": self.snoozed_until}

    @classmethod
    def from_json(cls, data: Any) -> NotifyMemory:
        if not isinstance(data, dict):
            return cls()
        sent = data.get("sent")
        epochs = data.get("epochs")
        snoozed = data.get("snoozed_until")
        return cls(
            {str(k): str(v) for k, v in sent.items()} if isinstance(sent, dict) else {},
            {str(k): str(v) for k, v in epochs.items()} if isinstance(epochs, dict) else {},
            snoozed if isinstance(snoozed, str) else None,
        )

    def snoozed(self, now: datetime) -> bool:
        if not self.snoozed_until:
            return False
        try:
            return datetime.fromisoformat(self.snoozed_until) > now
        except ValueError:
            return False


def snooze(memory: NotifyMemory, until: datetime) -> NotifyMemory:
    return replace(memory, snoozed_until=until.isoformat())


def snooze_for_an_hour(memory: NotifyMemory, now: datetime) -> NotifyMemory:
    return snooze(memory, now + timedelta(hours=1))


def snooze_until_tomorrow(memory: NotifyMemory, now: datetime) -> NotifyMemory:
    """Until 09:00 tomorrow in the user's local time."""
    local = now.astimezone()
    tomorrow = (local + timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
    return snooze(memory, tomorrow)


def reset_epoch(snapshot: Snapshot, previous: str | None = None) -> tuple[str | None, bool]:
    """The credit epoch after this snapshot ("reset|issued"), and whether a reset or top-up
    happened. A figure the API left out keeps its previous value: partial data never resets."""
    summary = snapshot.summary
    old_reset, _, old_issued = (previous or "").partition("|")
    reset = summary.last_credit_reset.isoformat() if summary.last_credit_reset else old_reset
    issued_value = summary.total_issued_neo_credits
    issued = repr(float(issued_value)) if issued_value is not None else old_issued
    if not reset and not issued:
        return None, False
    changed = bool(old_reset and reset != old_reset) or bool(
        old_issued and issued and float(issued) > float(old_issued)
    )
    return f"{reset}|{issued}", changed


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
        epoch = _rule_epoch(notification.rule, memory, context, outcome)
        sent[context.key(notification.rule, epoch)] = now.isoformat()
    return wanted, replace(memory, sent=sent)


def _switched_on(switches: NotificationSwitches, rule: Rule) -> bool:
    return bool(getattr(switches, RULE_SWITCH[rule]))


def _rule_epoch(
    rule: Rule, memory: NotifyMemory, context: AccountContext, outcome: Snapshot | PollError
) -> str:
    if rule in {Rule.AUTH_FAILED, Rule.NO_PERMISSION}:
        return ""
    if isinstance(outcome, Snapshot) and rule in {Rule.EXPIRY_7D, Rule.EXPIRY_1D, Rule.EXPIRED}:
        expires = outcome.summary.neo_credits_expires_at
        return expires.isoformat() if expires else "flag"
    return memory.epochs.get(context.key(Rule.RESET), "")


def _evaluate_error(
    memory: NotifyMemory, context: AccountContext, error: PollError, now: datetime
) -> tuple[list[Notification], NotifyMemory]:
    rule = {ErrorKind.AUTH_REJECTED: Rule.AUTH_FAILED, ErrorKind.NO_PERMISSION: Rule.NO_PERMISSION}
    if error.kind not in rule:
        return [], memory  # offline, rate limited...: never a crossing, never a clearing
    chosen = rule[error.kind]
    if context.key(chosen) in memory.sent:
        return [], memory  # same episode
    title = "Neo sign-in failed" if chosen is Rule.AUTH_FAILED else "No permission to see Neo usage"
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

    epoch_key = context.key(Rule.RESET)
    previous_epoch = epochs.get(epoch_key)
    epoch, changed = reset_epoch(snapshot, previous_epoch)
    if epoch is not None:
        if changed and previous_epoch is not None:
            found.append(_reset_notification(snapshot, previous_epoch))
            sent = {k: v for k, v in sent.items() if not _is_threshold_key(k, context)}
        epochs[epoch_key] = epoch
    current_epoch = epochs.get(epoch_key, "")

    derived = derive(snapshot.summary, now, settings.thresholds)
    credit_rule = _credit_rule(derived.available_fraction, derived.available_credits, settings)
    for rule, threshold in _thresholds(settings):
        key = context.key(rule, current_epoch)
        if (
            key in sent
            and derived.available_fraction is not None
            and derived.available_fraction > threshold + REARM_MARGIN
        ):
            del sent[key]  # recovered: re-armed
    if credit_rule is not None and not derived.expired:
        key = context.key(credit_rule, current_epoch)
        if key not in sent:
            found.append(
                _credit_notification(
                    credit_rule,
                    derived.available_credits,
                    derived.issued_credits,
                    derived.available_fraction,
                )
            )
            # Crossing several lines in one poll says only the most severe one.
            for milder in _milder(credit_rule):
                sent[context.key(milder, current_epoch)] = now.isoformat()

    expiry_rule = _expiry_rule(derived.expired, derived.expires_in, settings)
    if expiry_rule is not None:
        expires = snapshot.summary.neo_credits_expires_at
        expiry_epoch = expires.isoformat() if expires else "flag"
        if context.key(expiry_rule, expiry_epoch) not in sent:
            found.append(_expiry_notification(expiry_rule, derived.expires_in, derived.expires_at))
            for milder in _milder(expiry_rule):
                sent[context.key(milder, expiry_epoch)] = now.isoformat()
    return found, replace(memory, sent=sent, epochs=epochs)


def _thresholds(settings: Settings) -> tuple[tuple[Rule, float], ...]:
    return (
        (Rule.LOW, settings.low_threshold),
        (Rule.CRITICAL, settings.critical_threshold),
        (Rule.EMPTY, 0.0),
    )


def _is_threshold_key(key: str, context: AccountContext) -> bool:
    prefix = f"{context.base_url}|{context.account}|"
    return key.startswith(prefix) and key[len(prefix) :].split("|", 1)[0] in {
        Rule.LOW.value,
        Rule.CRITICAL.value,
        Rule.EMPTY.value,
    }


def _credit_rule(
    fraction: float | None, available: float | None, settings: Settings
) -> Rule | None:
    if available is not None and available <= 0:
        return Rule.EMPTY
    if fraction is None:
        return None  # partial data: never a crossing
    if fraction < settings.critical_threshold:
        return Rule.CRITICAL
    if fraction < settings.low_threshold:
        return Rule.LOW
    return None


def _expiry_rule(expired: bool, expires_in: timedelta | None, settings: Settings) -> Rule | None:
    if expired:
        return Rule.EXPIRED
    if expires_in is None:
        return None
    days = sorted(settings.expiry_warning_days)
    if days and expires_in <= timedelta(days=days[0]):
        return Rule.EXPIRY_1D
    if len(days) > 1 and expires_in <= timedelta(days=days[-1]):
        return Rule.EXPIRY_7D
    return None


def _milder(rule: Rule) -> tuple[Rule, ...]:
    order = {
        Rule.EMPTY: (Rule.CRITICAL, Rule.LOW),
        Rule.CRITICAL: (Rule.LOW,),
        Rule.EXPIRED: (Rule.EXPIRY_1D, Rule.EXPIRY_7D),
        Rule.EXPIRY_1D: (Rule.EXPIRY_7D,),
    }
    return order.get(rule, ())


def _credit_notification(
    rule: Rule, available: float | None, issued: float | None, fraction: float | None
) -> Notification:
    figures = f"{fmt.credits(available)} of {fmt.credits(issued)} credits left"
    if rule is Rule.EMPTY:
        return Notification(
            rule,
            "Neo credits used up",
            "No credits left: new tasks will fail until credits are added.",
            Urgency.CRITICAL,
        )
    if rule is Rule.CRITICAL:
        return Notification(
            rule, "Neo credits almost gone", f"{figures} ({fmt.percent(fraction)}).", Urgency.NORMAL
        )
    return Notification(
        rule, "Neo credits running low", f"{figures} ({fmt.percent(fraction)}).", Urgency.NORMAL
    )


def _expiry_notification(
    rule: Rule, expires_in: timedelta | None, expires_at: datetime | None
) -> Notification:
    when = fmt.local_datetime(expires_at) if expires_at else ""
    if rule is Rule.EXPIRED:
        return Notification(
            rule,
            "Neo credits expired",
            f"Your credits expired{(' on ' + when) if when else ''}; available credits are now 0.",
            Urgency.CRITICAL,
        )
    left = fmt.duration(expires_in) if expires_in is not None else "soon"
    return Notification(
        rule, "Neo credits expire soon", f"Your credits expire in {left} ({when}).", Urgency.NORMAL
    )


def _reset_notification(snapshot: Snapshot, previous_epoch: str) -> Notification:
    issued = snapshot.summary.total_issued_neo_credits
    before = previous_epoch.partition("|")[2]
    topped_up = bool(before) and issued is not None and float(before) < float(issued)
    title = "Neo credits topped up" if topped_up else "Neo credits reset"
    available = fmt.credits(snapshot.summary.total_available_neo_credits)
    body = f"{available} of {fmt.credits(issued)} credits available."
    return Notification(Rule.RESET, title, body, Urgency.LOW)
