"""A bad setting is logged by its name and reason, never its value (hardening, X8 item 7): an
invalid web address is quoted whole by its validator (its query may hold a token), and
pydantic's own text lists a shortened `input_value` of a hook's arguments."""

from __future__ import annotations

import json
import logging

import pytest
from pydantic import ValidationError

from desktop.core.accounts import Account
from desktop.system import paths, settings_store

SECRET = "neo_sk_live_SECRET0123456789"


@pytest.mark.parametrize(
    "stored",
    [
        {"hook_command": ["/bin/sh", "-c", f"curl -H {SECRET}", 5]},
        {"hook_command": ["/bin/sh", "x" * 300 + SECRET, 5]},
        {"accounts": [{"id": "default", "name": "Work", "web_url": f"javascript:x?t={SECRET}"}]},
        {"accounts": [{"id": "default", "name": "Work", "web_url": f"http://neo.test/?{SECRET}"}]},
        {"language": SECRET},
        {"poll_interval_minutes": SECRET},
        {"notifications": {"low_credit": SECRET}},
    ],
)
def test_a_bad_settings_value_never_reaches_the_log(
    stored: dict[str, object], caplog: pytest.LogCaptureFixture
) -> None:
    path = settings_store.default_path()
    paths.private_dir(path.parent)
    path.write_text(json.dumps(stored))
    with caplog.at_level(logging.DEBUG):
        loaded = settings_store.load()
    assert loaded.problem  # it was found invalid
    said = "\n".join(record.getMessage() for record in caplog.records)
    assert said
    assert SECRET not in said
    assert "input_value" not in said
    field = next(iter(stored))
    assert field in said or "web address" in said  # the name is still said


def test_a_validators_sentence_quoting_the_value_is_cut_out() -> None:
    with pytest.raises(ValidationError) as raised:
        Account.model_validate({"id": "a", "name": "A", "web_url": f"ftp://x/?{SECRET}"})
    reason = settings_store._reason(raised.value)
    assert reason.startswith("web_url: ")
    assert SECRET not in reason
    assert settings_store.NOT_SHOWN in reason
