"""Which notifications a new poll result, forecast or task ledger deserves, without spam.

Pure and Qt-free. `evaluate` takes what was already sent (`NotifyMemory`), the account context,
one poll outcome (a summary, a member's cap, a failure) and "now", and returns the
notifications to show plus the updated memory. Thresholds fire once when crossed downward and
re-arm only after the share recovers above them by `REARM_MARGIN` or after a credit reset (a
new limit, for a member's cap); failed or partial fetches never count.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from desktop.core.derive import derive
from desktop.core.forecast import Forecast
from desktop.core.glance import cap_level
from desktop.core.instants import parse_instant, utc_text
from desktop.core.member import MemberCap, MemberSnapshot
from desktop.core.rules.catalogue import (
    RULES,
    EpochKind,
    Rule,
    credit_rule,
    error_rule,
    milder_rules,
    spec,
    thresholds,
)
from desktop.core.rules.memory import (
    AccountContext,
    Epoch,
    NotifyMemory,
    SentKey,
    credit_epoch,
    epoch_name,
)
from desktop.core.rules.messages import (
    Notification,
    big_task_notification,
    cap_notification,
    credit_notification,
    expiry_notification,
    forecast_notification,
    reset_notification,
    sign_in_notification,
)
from desktop.core.settings import NotificationSwitches, Settings
from desktop.core.snapshot import PollError, Snapshot
from desktop.core.tasks import TaskListing, TasksStatus

REARM_MARGIN = 0.05  # the share must climb 5 points above a threshold before it can fire again
FORECAST_HORIZON = timedelta(days=7)
UNUSED_WORTH_TELLING = 0.05  # of the issued credits
#: A big task's memory is kept this long: today's ledger never shows an older task again.
BIG_TASK_MEMORY = timedelta(days=3)
Outcome = Snapshot | MemberSnapshot | PollError


def evaluate(
    memory: NotifyMemory,
    context: AccountContext,
    outcome: Outcome,
    now: datetime,
    settings: Settings,
) -> tuple[list[Notification], NotifyMemory]:
    """The notifications this outcome deserves, and the memory to keep afterwards: a summary's
    credit, expiry and reset rules; a member's cap rules (`MemberSnapshot`); a failure's
    sign-in rules."""
    memory = _forget_other_tokens(memory, context)
    if isinstance(outcome, PollError):
        found, memory = _evaluate_error(memory, context, outcome)
    elif isinstance(outcome, MemberSnapshot):
        found, memory = _evaluate_member(memory, context, outcome, now, settings)
    else:
        found, memory = _evaluate_snapshot(memory, context, outcome, now, settings)
    if memory.snoozed(now):
        # Nothing is marked as sent while snoozed: what still holds is said when the snooze ends.
        return [], memory
    wanted = [n for n in found if switched_on(settings.notifications, n.rule)]
    sent = dict(memory.sent)
    for notification in wanted:
        epoch = notification.epoch
        if epoch is None:
            epoch = _rule_epoch(notification.rule, memory, context, outcome)
        sent[context.key(notification.rule, epoch)] = utc_text(now, whole_seconds=True)
    return wanted, replace(memory, sent=sent)


def switched_on(switches: NotificationSwitches, rule: Rule) -> bool:
    """Whether the settings' switch of `rule` is on."""
    return bool(getattr(switches, spec(rule).switch.name))


def _rule_epoch(
    rule: Rule, memory: NotifyMemory, context: AccountContext, outcome: Outcome
) -> Epoch:
    kind = spec(rule).epoch
    if kind is EpochKind.EPISODE:
        return ()
    if isinstance(outcome, Snapshot) and kind is EpochKind.EXPIRY:
        return _expiry_epoch(outcome)
    return epoch_name(memory.epochs.get(context.account_key, ()))


def _expiry_epoch(snapshot: Snapshot) -> Epoch:
    expires = snapshot.summary.neo_credits_expires_at
    return (utc_text(expires),) if expires else ("flag",)


def _evaluate_error(
    memory: NotifyMemory, context: AccountContext, error: PollError
) -> tuple[list[Notification], NotifyMemory]:
    chosen = error_rule(error.kind)
    if chosen is None:
        return [], memory  # offline, rate limited...: never a crossing, never a clearing
    if chosen is Rule.NO_PERMISSION and context.account_key in memory.caps:
        # A member whose cap is known: the summary's 403 is their usual answer, and this one
        # came when `/user` failed once. Not news; the cap's own rules speak for the account.
        return [], memory
    if context.key(chosen) in memory.sent:
        return [], memory  # same episode
    return [sign_in_notification(chosen, error.user_message)], memory


def _evaluate_snapshot(
    memory: NotifyMemory,
    context: AccountContext,
    snapshot: Snapshot,
    now: datetime,
    settings: Settings,
) -> tuple[list[Notification], NotifyMemory]:
    sent = _episodes_ended(memory.sent, context)
    epochs = dict(memory.epochs)
    found: list[Notification] = []
    # The summary answered: member mode has ended, and with it the cap this token had.
    caps = {key: cap for key, cap in memory.caps.items() if key != context.account_key}

    derived = derive(snapshot.summary, now, settings.thresholds)
    epoch_key = context.account_key
    previous_epoch = epochs.get(epoch_key)
    epoch, changed = credit_epoch(snapshot, previous_epoch)
    if epoch is not None:
        if changed and previous_epoch is not None:
            issued = snapshot.summary.total_issued_neo_credits
            found.append(reset_notification(issued, derived, previous_epoch))
            sent = {k: v for k, v in sent.items() if not _is_threshold_key(k, context)}
        epochs[epoch_key] = epoch
    current_epoch = epoch_name(epochs.get(epoch_key, ()))

    for rule, threshold in thresholds(settings):
        key = context.key(rule, current_epoch)
        if (
            key in sent
            and derived.available_fraction is not None
            and derived.available_fraction > threshold + REARM_MARGIN
        ):
            del sent[key]  # recovered: re-armed
    crossed = credit_rule(derived.level)
    if crossed is not None:
        key = context.key(crossed, current_epoch)
        if key not in sent:
            found.append(credit_notification(crossed, derived))
            # Crossing several lines in one poll says only the most severe one.
            for milder in milder_rules(crossed):
                sent[context.key(milder, current_epoch)] = utc_text(now, whole_seconds=True)

    stages = _expiry_stages(derived.expired, derived.expires_in, settings)
    if stages:
        (expiry_rule, day), *milder_stages = stages
        expiry_epoch = _expiry_epoch(snapshot)
        if context.key(expiry_rule, expiry_epoch + day) not in sent:
            note = expiry_notification(expiry_rule, derived.expires_in, derived.expires_at)
            found.append(replace(note, epoch=expiry_epoch + day) if day else note)
            for milder, milder_day in milder_stages:
                sent[context.key(milder, expiry_epoch + milder_day)] = utc_text(
                    now, whole_seconds=True
                )
    return found, replace(memory, sent=sent, epochs=epochs, caps=caps)


def _episodes_ended(sent: dict[SentKey, str], context: AccountContext) -> dict[SentKey, str]:
    """`sent` after a good answer (a summary or a member's cap), which ends any sign-in
    episode of this account."""
    ended = {context.key(row.rule) for row in RULES if row.epoch is EpochKind.EPISODE}
    return {key: at for key, at in sent.items() if key not in ended}


def _forget_other_tokens(memory: NotifyMemory, context: AccountContext) -> NotifyMemory:
    """`memory` without the caps known for another token of this account's address: a token
    change forgets that the account was a member (a new token may be an admin's, or nobody's)."""
    caps = {
        key: cap
        for key, cap in memory.caps.items()
        if key.cache_key != context.cache_key or key == context.account_key
    }
    return replace(memory, caps=caps) if len(caps) != len(memory.caps) else memory


def cap_epoch(cap: MemberCap) -> Epoch:
    """What a cap warning's memory belongs to: the cap's limit (in dollars, as `repr` writes
    the float); an admin who changes the limit starts another."""
    return (repr(float(cap.limit)),)


def _evaluate_member(
    memory: NotifyMemory,
    context: AccountContext,
    snapshot: MemberSnapshot,
    now: datetime,
    settings: Settings,
) -> tuple[list[Notification], NotifyMemory]:
    """A member's cap (`/api/v1/user` `cap`, dollars): CAP_LOW, CAP_CRITICAL, CAP_REACHED on
    the share left, once per crossing and limit, only the most severe at once. The account is
    remembered as a member of this token (`NotifyMemory.caps`) even without a cap figure."""
    sent = _episodes_ended(memory.sent, context)
    cap = snapshot.profile.cap
    epoch = cap_epoch(cap) if cap is not None else ()
    caps = {**memory.caps, context.account_key: epoch}
    found: list[Notification] = []
    if cap is not None:
        # Another limit re-arms every cap warning: the old limit's are forgotten, which also
        # keeps the memory to one limit's keys.
        sent = {k: v for k, v in sent.items() if not _is_cap_key(k, context) or k.epoch == epoch}
        fraction = cap.fraction_left
        for rule, threshold in thresholds(settings, EpochKind.CAP):
            key = context.key(rule, epoch)
            if key in sent and fraction is not None and fraction > threshold + REARM_MARGIN:
                del sent[key]  # recovered: re-armed
        crossed = credit_rule(cap_level(cap, settings.thresholds), EpochKind.CAP)
        if crossed is not None and context.key(crossed, epoch) not in sent:
            found.append(replace(cap_notification(crossed, cap), epoch=epoch))
            # Crossing several lines in one poll says only the most severe one.
            for milder in milder_rules(crossed):
                sent[context.key(milder, epoch)] = utc_text(now, whole_seconds=True)
    return found, replace(memory, sent=sent, caps=caps)


def _is_threshold_key(key: SentKey, context: AccountContext) -> bool:
    same_account = (key.cache_key, key.token_tag) == context.account_key
    return (
        same_account
        and spec(key.rule).epoch is EpochKind.CREDIT
        and (spec(key.rule).threshold is not None)
    )


def _is_cap_key(key: SentKey, context: AccountContext) -> bool:
    same_account = (key.cache_key, key.token_tag) == context.account_key
    return same_account and spec(key.rule).epoch is EpochKind.CAP


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
    if key in memory.sent or memory.snoozed(now) or not switched_on(settings.notifications, rule):
        return [], memory
    note = forecast_notification(rule, current, now)
    return [note], replace(memory, sent={**memory.sent, key: utc_text(now, whole_seconds=True)})


def big_task_limit(settings: Settings, issued: float | None) -> tuple[float, float | None] | None:
    """The credits a single task may use before the big-task rule speaks, and the share of the
    issued credits it came from (None: the settings give credits); None when it is a share and
    the issued credits are unknown or 0."""
    if settings.big_task_unit == "credits":
        return settings.big_task_credits, None
    if issued is None or issued <= 0:
        return None
    return settings.big_task_share * issued, settings.big_task_share


def evaluate_tasks(
    memory: NotifyMemory,
    context: AccountContext,
    listing: TaskListing,
    *,
    issued: float | None,
    now: datetime,
    settings: Settings,
) -> tuple[list[Notification], NotifyMemory]:
    """BIG_TASK for today's ledger: the tasks that used more than the settings' limit
    (`big_task_limit`, from `issued`: the summary's `total_issued_neo_credits`), each said once
    (its memory is its task id, kept `BIG_TASK_MEMORY`); several new ones in one listing are
    one notification, counted as "more" when some of today's were said before. Nothing while
    snoozed or switched off, and nothing is then remembered: what still holds is said later."""
    sent = {
        key: at
        for key, at in memory.sent.items()
        if key.rule is not Rule.BIG_TASK or not _older_than(at, now, BIG_TASK_MEMORY)
    }
    memory = replace(memory, sent=sent) if len(sent) != len(memory.sent) else memory
    limit = big_task_limit(settings, issued)
    if listing.status is not TasksStatus.OK or limit is None:
        return [], memory
    threshold, share = limit
    over = [row for row in listing.rows if (row.neo_credits or 0.0) > threshold]
    new = [  # costliest first
        row for row in over if context.key(Rule.BIG_TASK, (row.task_id,)) not in memory.sent
    ]
    if not new or memory.snoozed(now) or not switched_on(settings.notifications, Rule.BIG_TASK):
        return [], memory
    said = utc_text(now, whole_seconds=True)
    sent = {**memory.sent, **{context.key(Rule.BIG_TASK, (row.task_id,)): said for row in new}}
    # The listing is today's: the ones over the limit already remembered were said today.
    note = big_task_notification(new, threshold, share, earlier=len(over) - len(new))
    return [replace(note, epoch=(new[0].task_id,))], replace(memory, sent=sent)


def _older_than(at: str, now: datetime, age: timedelta) -> bool:
    when = parse_instant(at)
    return when is None or now - when > age
