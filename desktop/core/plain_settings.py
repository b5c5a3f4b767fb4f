"""The settings file read without the model, for the status bar's cached path: what it needs
(the language, the thresholds, the accounts), and only when the model (`core/settings.py`) would
take the whole file as it is. Each rule is the one in `validators` and `account_rules`; a file
the model would change, migrate or log about gives None, and the caller takes the model's path.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from desktop.core import account_rules, validators
from desktop.core.errors import InvalidSetting
from desktop.core.i18n import LANGUAGES
from desktop.core.levels import DEFAULT_THRESHOLDS, Thresholds
from desktop.core.looks import IconContent, IconStyle, IconTone
from desktop.core.query import AuthScheme, GroupBy, validate_base_url

RANGE_PRESETS = ("last_7_days", "last_30_days", "this_month", "last_month", "all_time")
_ACCOUNT_KEYS = frozenset({"id", "name", "base_url", "auth_scheme", "address_lost", "web_url"})
_SWITCHES = frozenset(
    {
        "low_credit",
        "critical_credit",
        "empty",
        "expiry_near",
        "expired",
        "reset",
        "sign_in_failed",
        "forecast",
        "big_task",
        "unusual_member",
    }
)  # the rules' switches (`rules.catalogue.SWITCHES`, which imports what this path may not)
_CHOICES: dict[str, tuple[str, ...]] = {
    "default_range": RANGE_PRESETS,
    "default_group_by": tuple(GroupBy),
    "icon_content": tuple(IconContent),
    "icon_style": tuple(IconStyle),
    "icon_tone": tuple(IconTone),
}


class PlainAccount(NamedTuple):
    """An account as the settings hold it (`accounts.Account`'s fields)."""

    id: str
    name: str
    base_url: str | None = None
    auth_scheme: AuthScheme = AuthScheme.BEARER
    address_lost: bool = False
    web_url: str = account_rules.DEFAULT_WEB_URL


class PlainSettings(NamedTuple):
    language: str
    thresholds: Thresholds
    accounts: tuple[PlainAccount, ...]


#: No settings file: the model's defaults.
DEFAULTS = PlainSettings(
    "", DEFAULT_THRESHOLDS, (PlainAccount(account_rules.DEFAULT_ID, account_rules.DEFAULT_NAME),)
)


def plain_settings(raw: object) -> PlainSettings | None:
    """The settings in `raw` (the file's JSON), or None where the model would not take them as
    they are: the first release's shape, accounts set aside, or any value it refuses or changes."""
    if not isinstance(raw, dict) or not isinstance(raw.get("accounts"), list):
        return None
    if raw.get("accounts_set_aside", []) != []:
        return None
    try:
        if not all(_plain_field(name, raw[name]) for name in raw if name != "accounts"):
            return None
        accounts = tuple(_plain_account(item) for item in raw["accounts"])
        language = raw.get("language", "")
        low = validators.fraction(raw.get("low_threshold", DEFAULT_THRESHOLDS.low))
        critical = validators.fraction(raw.get("critical_threshold", DEFAULT_THRESHOLDS.critical))
        validators.thresholds_in_order(low, critical)
    except (ValueError, InvalidSetting):
        return None
    if not accounts or any(account is None for account in accounts):
        return None
    kept = tuple(account for account in accounts if account is not None)
    keys = {account_rules.name_key(account.name) for account in kept}
    if len({account.id for account in kept}) != len(kept) or len(keys) != len(kept):
        return None
    return PlainSettings(language, Thresholds(low=low, critical=critical), kept)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _plain_field(name: str, value: Any) -> bool:
    """A top-level setting the model keeps as it is (unknown names it ignores, as the model)."""
    if name == "language":
        return isinstance(value, str) and validators.language(value, LANGUAGES) == value
    if name in {"low_threshold", "critical_threshold"}:
        return bool(validators.fraction(value) == value)
    if name == "big_task_share":
        return bool(validators.task_share(value) == value)
    if name == "big_task_credits":
        return bool(validators.task_credits(value) == value)
    if name == "big_task_unit":
        return value in ("share", "credits")
    if name == "poll_interval_minutes":
        return _is_int(value) and bool(validators.poll_minutes(value) == value)
    if name == "expiry_warning_days":
        days = value if isinstance(value, list) else []
        return 1 <= len(days) <= 4 and all(_is_int(day) and 1 <= day <= 365 for day in days)
    if name == "notifications":
        return isinstance(value, dict) and all(
            isinstance(on, bool) for key, on in value.items() if key in _SWITCHES
        )
    if name == "hook_command":
        return isinstance(value, list) and validators.hook_command(value) == tuple(value)
    if name == "start_at_login":
        return isinstance(value, bool)
    if name == "tray_account":
        return value is None or isinstance(value, str)
    if name in _CHOICES:
        return isinstance(value, str) and value in _CHOICES[name]
    return name not in {"base_url", "auth_scheme"}  # the first release's, beside a list


def _plain_account(item: object) -> PlainAccount | None:
    if not isinstance(item, dict) or not set(item) <= _ACCOUNT_KEYS:
        return None
    ident, name = item.get("id"), item.get("name")
    address, scheme = item.get("base_url"), item.get("auth_scheme", AuthScheme.BEARER.value)
    lost = item.get("address_lost", False)
    web = item.get("web_url", account_rules.DEFAULT_WEB_URL)
    if not account_rules.is_stored_id(ident) or not isinstance(name, str):
        return None
    if account_rules.check_name(name) != name or scheme not in tuple(AuthScheme):
        return None
    if not isinstance(lost, bool) or (address is not None and not isinstance(address, str)):
        return None
    if address is not None:
        validate_base_url(address)
        if lost or not address.strip() or address != address.strip().rstrip("/"):
            return None
    # The model keeps a web address as it is only when its rule returns it unchanged (a blank
    # one becomes the default, a trailing `/` goes: the model's path says so).
    if not isinstance(web, str) or validators.web_url(web) != web:
        return None
    assert isinstance(ident, str)
    return PlainAccount(ident, name, address, AuthScheme(scheme), lost, web)
