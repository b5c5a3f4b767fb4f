"""The notification rules' table: one row per rule, and every column the other modules read
agrees with the settings (switches, thresholds) and with the rules' behaviour."""

from __future__ import annotations

from collections import Counter

import pytest

from desktop.core.errors import ErrorKind
from desktop.core.levels import CreditLevel
from desktop.core.rules.catalogue import (
    BIG_TASK,
    RULES,
    SWITCHES,
    UNUSUAL_MEMBER,
    EpochKind,
    Rule,
    Urgency,
    credit_rule,
    error_rule,
    milder_rules,
    spec,
    thresholds,
)
from desktop.core.settings import NotificationSwitches, Settings


def test_every_rule_has_exactly_one_row() -> None:
    assert Counter(row.rule for row in RULES) == Counter(Rule)
    assert all(spec(rule).rule is rule for rule in Rule)


def test_the_switches_are_the_settings_fields_in_the_settings_order() -> None:
    assert [switch.name for switch in SWITCHES] == list(NotificationSwitches.model_fields)
    assert len({switch.label for switch in SWITCHES}) == len(SWITCHES)


def test_the_threshold_rules_read_the_settings_mildest_first() -> None:
    settings = Settings(low_threshold=0.3, critical_threshold=0.2)
    assert thresholds(settings) == ((Rule.LOW, 0.3), (Rule.CRITICAL, 0.2), (Rule.EMPTY, 0.0))


@pytest.mark.parametrize(
    ("level", "rule"),
    [
        (CreditLevel.OK, None),
        (CreditLevel.LOW, Rule.LOW),
        (CreditLevel.CRITICAL, Rule.CRITICAL),
        (CreditLevel.EMPTY, Rule.EMPTY),
        (CreditLevel.EXPIRED, None),
        (CreditLevel.UNKNOWN, None),
    ],
)
def test_each_credit_level_has_at_most_one_rule(level: CreditLevel, rule: Rule | None) -> None:
    assert credit_rule(level) is rule


@pytest.mark.parametrize(
    ("kind", "rule"),
    [
        (ErrorKind.AUTH_REJECTED, Rule.AUTH_FAILED),
        (ErrorKind.NO_PERMISSION, Rule.NO_PERMISSION),
        (ErrorKind.OFFLINE, None),
    ],
)
def test_only_sign_in_errors_are_rules(kind: ErrorKind, rule: Rule | None) -> None:
    assert error_rule(kind) is rule


def test_the_milder_rules_of_a_crossing_go_down_the_credit_ladder() -> None:
    assert milder_rules(Rule.EMPTY) == (Rule.CRITICAL, Rule.LOW)
    assert milder_rules(Rule.CRITICAL) == (Rule.LOW,)
    assert milder_rules(Rule.LOW) == ()


def test_a_rule_with_an_error_is_an_episode_and_a_threshold_a_credit_or_cap_epoch() -> None:
    for row in RULES:
        if row.error is not None:
            assert row.epoch is EpochKind.EPISODE
        if row.threshold is not None or row.milder is not None:
            assert row.level is not None
            assert row.epoch in {EpochKind.CREDIT, EpochKind.CAP}
            if row.milder is not None:
                assert spec(row.milder).epoch is row.epoch  # a ladder stays on its gauge


def test_the_cap_ladder_reads_the_same_settings_and_switches_as_the_credits() -> None:
    settings = Settings(low_threshold=0.3, critical_threshold=0.2)
    assert thresholds(settings, EpochKind.CAP) == (
        (Rule.CAP_LOW, 0.3),
        (Rule.CAP_CRITICAL, 0.2),
        (Rule.CAP_REACHED, 0.0),
    )
    assert milder_rules(Rule.CAP_REACHED) == (Rule.CAP_CRITICAL, Rule.CAP_LOW)
    for level, rule in [
        (CreditLevel.LOW, Rule.CAP_LOW),
        (CreditLevel.CRITICAL, Rule.CAP_CRITICAL),
        (CreditLevel.EMPTY, Rule.CAP_REACHED),
        (CreditLevel.EXPIRED, None),
    ]:
        assert credit_rule(level, EpochKind.CAP) is rule
        credit = credit_rule(level)
        assert (credit is None) == (rule is None)
        if credit is not None and rule is not None:
            assert spec(rule).switch == spec(credit).switch
    assert spec(Rule.CAP_REACHED).urgency is Urgency.CRITICAL


def test_the_unusual_member_has_its_own_switch_and_the_big_task_stays_above_its_limit() -> None:
    assert spec(Rule.MEMBER_SPIKE).switch == UNUSUAL_MEMBER
    # The big task's checkbox speaks of "the limit below": the settings show it last.
    assert SWITCHES[-2:] == (UNUSUAL_MEMBER, BIG_TASK)
    assert spec(Rule.MEMBER_SPIKE).epoch is EpochKind.MEMBER_DAY
