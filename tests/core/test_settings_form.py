"""The settings dialog's edits merged into `Settings`, without Qt: a table per edit."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from desktop.core import settings_form
from desktop.core.accounts import Account
from desktop.core.query import AuthScheme, GroupBy
from desktop.core.settings import Settings
from desktop.core.settings_form import Refused, SettingsForm

ACME = Account(id="e5f6a7b8", name="Acme", base_url="https://acme.example.test")
LOST = Account(id="default", name="Work", address_lost=True)
TWO = Settings(accounts=(*Settings().accounts, ACME))


def shown(settings: Settings, account_id: str = "default", **changes: Any) -> SettingsForm:
    """The form as the dialog fills it from `settings`, with `changes` typed over it."""
    account = settings.account(account_id)
    assert account is not None
    form = SettingsForm(
        account_id=account_id,
        base_url=account.base_url or "",
        auth_scheme=account.auth_scheme,
        tray_account=settings.tray_account,
        poll_interval_minutes=settings.poll_interval_minutes,
        low_percent=settings.low_threshold * 100,
        critical_percent=settings.critical_threshold * 100,
        notifications=settings.notifications.model_dump(),
        default_range=settings.default_range,
        default_group_by=settings.default_group_by,
        start_at_login=settings.start_at_login,
        icon_content=settings.icon_content,
        icon_style=settings.icon_style,
        icon_tone=settings.icon_tone,
        language=settings.language,
    )
    return dataclasses.replace(form, **changes)


@pytest.mark.parametrize(
    ("current", "changes", "field", "expected"),
    [
        (Settings(), {}, "poll_interval_minutes", 5),
        (Settings(), {"poll_interval_minutes": 15}, "poll_interval_minutes", 15),
        (Settings(), {"low_percent": 49.6}, "low_threshold", 0.5),  # whole percents
        (Settings(), {"critical_percent": 0.0}, "critical_threshold", 0.0),
        (Settings(), {"notifications": {"reset": False}}, "notifications.reset", False),
        (Settings(), {"start_at_login": True}, "start_at_login", True),
        (Settings(), {"default_group_by": "week"}, "default_group_by", GroupBy.WEEK),
        (Settings(), {"default_range": "this_month"}, "default_range", "this_month"),
        (Settings(), {"language": "de"}, "language", "de"),
        (TWO, {"tray_account": ACME.id}, "tray_account", ACME.id),
        (
            Settings(),
            {"base_url": " https://neo.example.test/ "},
            "base_url",
            "https://neo.example.test",
        ),
        (Settings(), {"base_url": ""}, "base_url", None),  # the public address
        (Settings(), {"auth_scheme": AuthScheme.X_API_KEY}, "auth_scheme", AuthScheme.X_API_KEY),
        # Set for this run by the environment or a flag: the stored value stays.
        (TWO, {"account_id": ACME.id, "base_url": None}, "base_url", ACME.base_url),
        (
            Settings(accounts=(ACME.model_copy(update={"auth_scheme": AuthScheme.X_API_KEY}),)),
            {"account_id": ACME.id, "auth_scheme": None},
            "auth_scheme",
            AuthScheme.X_API_KEY,
        ),
        # A lost address stays lost while the field is empty: empty is not "the public API".
        (Settings(accounts=(LOST,)), {"base_url": ""}, "address_lost", True),
        (Settings(accounts=(LOST,)), {"base_url": "https://a.test"}, "address_lost", False),
    ],
)
def test_the_form_is_merged_into_the_settings(
    current: Settings, changes: dict[str, Any], field: str, expected: object
) -> None:
    changes = dict(changes)
    account_id = changes.pop("account_id", current.accounts[0].id)
    result = settings_form.merged(current, shown(current, account_id, **changes))
    assert isinstance(result, Settings)
    if field in {"base_url", "auth_scheme", "address_lost"}:
        account = result.account(account_id)
        assert getattr(account, field) == expected
    elif field.startswith("notifications."):
        assert getattr(result.notifications, field.split(".")[1]) == expected
    else:
        assert getattr(result, field) == expected


def test_an_unchanged_form_gives_the_same_settings_and_touches_only_its_account() -> None:
    assert settings_form.merged(TWO, shown(TWO)) == TWO
    result = settings_form.merged(TWO, shown(TWO, ACME.id, auth_scheme=AuthScheme.X_API_KEY))
    assert isinstance(result, Settings)
    assert result.accounts[0] == TWO.accounts[0]  # the other account is untouched


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"base_url": "http://neo.example.test"}, "https://"),
        ({"base_url": "https://neo.example.test/?team=1"}, "query"),
        ({"critical_percent": 40.0}, "critical"),  # above the low threshold (25 %)
        ({"language": "xx"}, ""),
        ({"poll_interval_minutes": 7}, ""),
    ],
)
def test_an_invalid_form_is_refused_with_one_sentence(changes: dict[str, Any], said: str) -> None:
    result = settings_form.merged(Settings(), shown(Settings(), **changes))
    assert isinstance(result, Refused)
    assert said in result.reason
    assert not result.reason.startswith("Value error")


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("Acme", None),
        ("  Globex ", None),
        ("", "name"),
        ("\u3164", "visible character"),
    ],
)
def test_a_new_account_gets_a_free_id_or_the_reason_its_name_is_refused(
    name: str, said: str | None
) -> None:
    account = settings_form.new_account(TWO, name)
    if said is None:
        assert isinstance(account, Account)
        assert account.id not in {a.id for a in TWO.accounts}
        assert account.name == name.strip()
    else:
        assert isinstance(account, Refused)
        assert said in account.reason


@pytest.mark.parametrize(
    ("account_id", "name", "names", "said"),
    [
        (ACME.id, "Globex", ["Default", "Globex"], None),
        (ACME.id, "ＤＥＦＡＵＬＴ", None, "same name"),  # another account's name by its key
        ("default", "\u2800", None, "visible character"),
        ("nobody", "Globex", ["Default", "Acme"], None),  # no such account: nothing renamed
    ],
)
def test_a_rename_changes_the_name_only(
    account_id: str, name: str, names: list[str] | None, said: str | None
) -> None:
    result = settings_form.renamed(TWO, account_id, name)
    if said is not None:
        assert isinstance(result, Refused)
        assert said in result.reason
        return
    assert isinstance(result, Settings)
    assert [a.name for a in result.accounts] == names
    assert [a.id for a in result.accounts] == [a.id for a in TWO.accounts]


@pytest.mark.parametrize(
    ("account_id", "step", "order"),
    [
        (ACME.id, -1, [ACME.id, "default"]),
        ("default", 1, [ACME.id, "default"]),
        ("default", -1, None),  # already first
        (ACME.id, 1, None),  # already last
        ("nobody", 1, None),
    ],
)
def test_moving_an_account(account_id: str, step: int, order: list[str] | None) -> None:
    result = settings_form.moved(TWO, account_id, step)
    assert (None if result is None else [a.id for a in result.accounts]) == order


@pytest.mark.parametrize(
    ("current", "account_id", "left"),
    [
        (TWO, ACME.id, ["default"]),
        (TWO, "default", [ACME.id]),
        (TWO, "nobody", None),
        (Settings(), "default", "keep at least one account"),
    ],
)
def test_removing_an_account_keeps_at_least_one(
    current: Settings, account_id: str, left: list[str] | str | None
) -> None:
    result = settings_form.removed(current, account_id)
    if isinstance(left, str):
        assert isinstance(result, Refused)
        assert left in result.reason
    elif left is None:
        assert result is None
    else:
        assert isinstance(result, Settings)
        assert [a.id for a in result.accounts] == left


def test_a_tray_account_that_is_not_listed_falls_back_to_the_one_needing_attention() -> None:
    result = settings_form.merged(TWO, shown(TWO, tray_account="nobody"))
    assert isinstance(result, Settings)
    assert result.tray_account is None
