"""The notification rules, one row each: the table that decisions, memory, delivery and the
settings' switches all read, so adding a rule is one row here plus its decision."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import NamedTuple

from desktop.core.errors import ErrorKind
from desktop.core.i18n import N_
from desktop.core.levels import CreditLevel
from desktop.core.settings import Settings


class Rule(StrEnum):
    """A notification the app can send; the value is what the memory file stores."""

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
    BIG_TASK = "big_task"
    CAP_LOW = "cap_low"
    CAP_CRITICAL = "cap_critical"
    CAP_REACHED = "cap_reached"
    MEMBER_SPIKE = "member_spike"


class Urgency(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    CRITICAL = "critical"


class EpochKind(StrEnum):
    """What a sent rule's memory belongs to, so it is said once per that and again after it."""

    CREDIT = "credit"  # the credit epoch: (last reset, issued); a reset or top-up starts another
    EXPIRY = "expiry"  # the credits' expiry instant: a later expiry is a new one
    EPISODE = "episode"  # none: said once until a good answer ends the episode
    TASK = "task"  # the task (its id): said once per task
    CAP = "cap"  # a member's spending cap (its limit): a new limit is a new one
    MEMBER_DAY = "member_day"  # a team member and the user's local day: once per member a day


class Switch(NamedTuple):
    """A checkbox of the settings' notifications: a field of `NotificationSwitches`, and its
    label (marked for translation here, translated where shown)."""

    name: str
    label: str


LOW_CREDIT = Switch("low_credit", N_("Credits running low"))
CRITICAL_CREDIT = Switch("critical_credit", N_("Credits almost gone"))
EMPTY = Switch("empty", N_("Credits used up"))
EXPIRY_NEAR = Switch("expiry_near", N_("Credits expire soon (7 days, 1 day)"))
EXPIRED = Switch("expired", N_("Credits expired"))
RESET = Switch("reset", N_("Credits reset or topped up"))
SIGN_IN_FAILED = Switch("sign_in_failed", N_("Sign-in failed or no permission"))
FORECAST = Switch("forecast", N_("Forecast: running out soon, or credits that will go unused"))
UNUSUAL_MEMBER = Switch("unusual_member", N_("A team member uses far more than usual today"))
BIG_TASK = Switch("big_task", N_("A single task used more credits than the limit below"))


@dataclass(frozen=True)
class RuleSpec:
    """One rule's row.

    group: a later notification of the same group (and account) replaces the earlier one on
        screen; also the middle part of its freedesktop category.
    switch: the settings' checkbox that turns it on or off (rules may share one).
    epoch: what its memory belongs to.
    urgency: how the desktop shows it.
    error: the failed fetch it announces, for a sign-in rule.
    level: the level (decided by `derive.credit_level`) it announces, for a threshold rule:
        of the credits (epoch CREDIT) or of a member's spending cap (epoch CAP).
    threshold: its share of the issued credits, or of the cap's limit (from the settings);
        the share must climb `REARM_MARGIN` above it before the rule can fire again. A credit
        reset re-arms a credit threshold, a new limit a cap threshold.
    milder: the next milder rule, marked as said when this one is (crossing several lines in
        one poll says only the most severe).
    """

    rule: Rule
    group: str
    switch: Switch
    epoch: EpochKind
    urgency: Urgency = Urgency.NORMAL
    error: ErrorKind | None = None
    level: CreditLevel | None = None
    threshold: Callable[[Settings], float] | None = None
    milder: Rule | None = None


# In the settings' order: their checkboxes are this table's switches, first use first.
RULES: tuple[RuleSpec, ...] = (
    RuleSpec(
        Rule.LOW,
        "credit",
        LOW_CREDIT,
        EpochKind.CREDIT,
        level=CreditLevel.LOW,
        threshold=lambda settings: settings.low_threshold,
    ),
    RuleSpec(
        Rule.CRITICAL,
        "credit",
        CRITICAL_CREDIT,
        EpochKind.CREDIT,
        level=CreditLevel.CRITICAL,
        threshold=lambda settings: settings.critical_threshold,
        milder=Rule.LOW,
    ),
    RuleSpec(
        Rule.EMPTY,
        "credit",
        EMPTY,
        EpochKind.CREDIT,
        Urgency.CRITICAL,
        level=CreditLevel.EMPTY,
        threshold=lambda settings: 0.0,
        milder=Rule.CRITICAL,
    ),
    # The expiry ladder (each of the settings' warning days said once) is in `decisions`.
    RuleSpec(Rule.EXPIRY_7D, "expiry", EXPIRY_NEAR, EpochKind.EXPIRY),
    RuleSpec(Rule.EXPIRY_1D, "expiry", EXPIRY_NEAR, EpochKind.EXPIRY),
    RuleSpec(Rule.EXPIRED, "expiry", EXPIRED, EpochKind.EXPIRY, Urgency.CRITICAL),
    RuleSpec(Rule.RESET, "credit", RESET, EpochKind.CREDIT, Urgency.LOW),
    RuleSpec(
        Rule.AUTH_FAILED,
        "auth",
        SIGN_IN_FAILED,
        EpochKind.EPISODE,
        error=ErrorKind.AUTH_REJECTED,
    ),
    RuleSpec(
        Rule.NO_PERMISSION,
        "auth",
        SIGN_IN_FAILED,
        EpochKind.EPISODE,
        error=ErrorKind.NO_PERMISSION,
    ),
    RuleSpec(Rule.RUNS_OUT_SOON, "forecast", FORECAST, EpochKind.CREDIT),
    RuleSpec(Rule.EXPIRES_UNUSED, "forecast", FORECAST, EpochKind.CREDIT, Urgency.LOW),
    # An admin's radar (`core/radar`): `spikes.evaluate_radar`. Before the big task, whose
    # checkbox speaks of the limit the settings show right below it.
    RuleSpec(Rule.MEMBER_SPIKE, "team", UNUSUAL_MEMBER, EpochKind.MEMBER_DAY),
    # Its threshold is the settings' big_task_* (not a credit level): `decisions.evaluate_tasks`.
    RuleSpec(Rule.BIG_TASK, "tasks", BIG_TASK, EpochKind.TASK),
    # A member's cap (`/api/v1/user`'s `cap`, US dollars): the credits' switches and ladder.
    RuleSpec(
        Rule.CAP_LOW,
        "cap",
        LOW_CREDIT,
        EpochKind.CAP,
        level=CreditLevel.LOW,
        threshold=lambda settings: settings.low_threshold,
    ),
    RuleSpec(
        Rule.CAP_CRITICAL,
        "cap",
        CRITICAL_CREDIT,
        EpochKind.CAP,
        level=CreditLevel.CRITICAL,
        threshold=lambda settings: settings.critical_threshold,
        milder=Rule.CAP_LOW,
    ),
    RuleSpec(
        Rule.CAP_REACHED,
        "cap",
        EMPTY,
        EpochKind.CAP,
        Urgency.CRITICAL,
        level=CreditLevel.EMPTY,
        threshold=lambda settings: 0.0,
        milder=Rule.CAP_CRITICAL,
    ),
)

_BY_RULE = MappingProxyType({row.rule: row for row in RULES})


def spec(rule: Rule) -> RuleSpec:
    """The row of `rule` (every `Rule` has exactly one: tests/core/test_rules.py checks)."""
    return _BY_RULE[rule]


#: The settings' notification checkboxes, in order, each once.
SWITCHES: tuple[Switch, ...] = tuple(dict.fromkeys(row.switch for row in RULES))


def thresholds(
    settings: Settings, gauge: EpochKind = EpochKind.CREDIT
) -> tuple[tuple[Rule, float], ...]:
    """Each threshold rule of `gauge` (CREDIT: the credits, CAP: a member's cap) with its share
    (of the issued credits, of the cap's limit), mildest first."""
    return tuple(
        (row.rule, row.threshold(settings))
        for row in RULES
        if row.threshold is not None and row.epoch is gauge
    )


def credit_rule(level: CreditLevel, gauge: EpochKind = EpochKind.CREDIT) -> Rule | None:
    """The threshold rule of `gauge` (CREDIT, CAP) announcing `level`; None for a level no
    rule announces."""
    return next((row.rule for row in RULES if row.level is level and row.epoch is gauge), None)


def error_rule(kind: ErrorKind) -> Rule | None:
    """The sign-in rule announcing a failed fetch of `kind`; None: never a notification."""
    return next((row.rule for row in RULES if row.error is kind), None)


def milder_rules(rule: Rule) -> tuple[Rule, ...]:
    """Every rule milder than `rule`, nearest first (EMPTY: CRITICAL, LOW)."""
    milder = spec(rule).milder
    return (milder, *milder_rules(milder)) if milder is not None else ()
