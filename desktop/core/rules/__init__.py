"""Notification rules: which notifications a poll result or forecast deserves, without spam.

catalogue: the rules, one row each (the table); memory: what was sent and the credit epoch, as
saved between runs; decisions: `evaluate`, `evaluate_forecast`; messages: what each rule says.
"""

# Temporary, while other modules' imports move to the modules above (issue 25): remove then.
from desktop.core.rules.catalogue import Rule, Urgency
from desktop.core.rules.decisions import evaluate, evaluate_forecast
from desktop.core.rules.memory import (
    AccountContext,
    NotifyMemory,
    SnoozeChoice,
    apply_snooze,
    snooze_for_an_hour,
    snooze_until_tomorrow,
)
from desktop.core.rules.messages import Notification

__all__ = [
    "AccountContext",
    "Notification",
    "NotifyMemory",
    "Rule",
    "SnoozeChoice",
    "Urgency",
    "apply_snooze",
    "evaluate",
    "evaluate_forecast",
    "snooze_for_an_hour",
    "snooze_until_tomorrow",
]
