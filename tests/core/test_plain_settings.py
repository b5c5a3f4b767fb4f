"""The status bar's settings reader agrees with the model: what the model keeps as it is, the
plain reader takes; what the model refuses (reset and logged by the store), it refuses (None)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from desktop.core import plain_settings as plain
from desktop.core.rules.catalogue import SWITCHES
from desktop.core.settings import Settings


def test_the_plain_readers_switches_are_the_rules_switches() -> None:
    assert {switch.name for switch in SWITCHES} == plain._SWITCHES


ACCOUNT = {"id": "default", "name": "Default"}


@pytest.mark.parametrize(
    ("fields", "kept"),
    [
        ({"big_task_unit": "credits", "big_task_credits": 12.5, "big_task_share": 0.02}, True),
        ({"big_task_unit": "share", "big_task_share": 0.001}, True),
        ({"notifications": {"big_task": False}}, True),
        ({"big_task_unit": "percent"}, False),
        ({"big_task_share": 1.5}, False),
        ({"big_task_share": 0}, False),  # every task would be "big"
        ({"big_task_share": 0.0005}, False),
        ({"big_task_share": True}, False),
        ({"big_task_credits": 0}, False),
        ({"big_task_credits": -3.0}, False),
        ({"big_task_credits": "50"}, False),
        ({"notifications": {"big_task": "yes"}}, False),
    ],
)
def test_big_task_settings_as_the_model_reads_them(fields: dict[str, Any], kept: bool) -> None:
    raw = {"accounts": [ACCOUNT], **fields}
    assert (plain.plain_settings(raw) is not None) == kept
    if not kept:  # the model refuses it (the settings store then resets the field and logs)
        with pytest.raises(ValidationError):
            Settings.model_validate(raw)
        return
    dumped = Settings.model_validate(raw).model_dump(mode="json")
    switches = fields.pop("notifications", {})
    assert all(dumped[name] == value for name, value in fields.items())
    assert all(dumped["notifications"][name] == on for name, on in switches.items())
