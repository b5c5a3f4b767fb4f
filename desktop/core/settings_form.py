"""The settings dialog's edits as pure functions: what its fields show, and each account change,
merged into the current `Settings`, giving the new settings or the one sentence saying why not.

The dialog reads its widgets into a `SettingsForm` (plain values) and shows the answer; every
decision on what the edit means and whether it is valid is made here, without Qt.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pydantic import ValidationError

from desktop.core import accounts, hooks, validators
from desktop.core.accounts import Account
from desktop.core.query import AuthScheme
from desktop.core.settings import NotificationSwitches, Settings

#: The big-task share as the dialog takes it: percents to a tenth, 0.1 % to 100 %.
BIG_TASK_PERCENT_DECIMALS = 1
BIG_TASK_PERCENT_RANGE = (validators.MIN_TASK_SHARE * 100, 100.0)


@dataclass(frozen=True)
class Refused:
    """An edit that was not applied: `reason` is the first reason, one sentence for the user."""

    reason: str


@dataclass(frozen=True)
class SettingsForm:
    """What the dialog's fields show, as plain values.

    `base_url` and `auth_scheme` are the connection fields of the account `account_id`; None
    where the environment or the command line sets them for this run (the stored value stays).
    """

    account_id: str
    base_url: str | None  # as typed; "" (or blanks) for the public address
    auth_scheme: AuthScheme | None
    tray_account: str | None  # None: the account that needs attention most
    poll_interval_minutes: int
    low_percent: float  # 0 to 100, as the spin box shows it
    critical_percent: float
    notifications: Mapping[str, bool]  # a switch's key -> on
    default_range: str
    default_group_by: str
    start_at_login: bool
    icon_content: str
    icon_style: str
    icon_tone: str
    language: str  # "" follows the system
    #: The big-task notification's limit: "share" or "credits" (None: as stored), the share in
    #: percent (0.1 to 100, to a tenth) and the credits; each kept as typed when the other is
    #: shown.
    big_task_unit: str | None = None
    big_task_percent: float | None = None
    big_task_credits: float | None = None
    #: The account's Neo web address as typed ("" or blanks: the default); None: as stored.
    web_url: str | None = None
    #: The event hook's command line as typed (`hooks.parse_command`); None: as stored.
    hook_line: str | None = None


def reason(error: ValidationError) -> str:
    """The first reason pydantic gives, without its "Value error, " prefix."""
    return str(error.errors()[0]["msg"]).removeprefix("Value error, ")


def merged(current: Settings, form: SettingsForm) -> Settings | Refused:
    """The settings the form shows over `current`: percentages become fractions (whole
    percents), an empty address means the public one."""
    account = current.account(form.account_id)
    try:
        hook_command = (
            current.hook_command if form.hook_line is None else hooks.parse_command(form.hook_line)
        )
    except ValueError as exc:
        return Refused(str(exc).removeprefix("Value error, "))
    try:
        accounts_now = list(current.accounts)
        if account is not None:
            edited = Account.model_validate(
                {
                    **account.model_dump(),
                    "base_url": (
                        account.base_url if form.base_url is None else form.base_url.strip() or None
                    ),
                    "auth_scheme": (
                        account.auth_scheme if form.auth_scheme is None else form.auth_scheme
                    ),
                    "web_url": account.web_url if form.web_url is None else form.web_url,
                }
            )
            accounts_now = [edited if a.id == account.id else a for a in accounts_now]
        return Settings.model_validate(
            {
                **current.model_dump(),
                "accounts": [a.model_dump() for a in accounts_now],
                "tray_account": form.tray_account,
                "poll_interval_minutes": form.poll_interval_minutes,
                "low_threshold": round(form.low_percent) / 100,
                "critical_threshold": round(form.critical_percent) / 100,
                "notifications": NotificationSwitches(**form.notifications),
                "default_range": form.default_range,
                "default_group_by": form.default_group_by,
                "start_at_login": form.start_at_login,
                "icon_content": form.icon_content,
                "icon_style": form.icon_style,
                "icon_tone": form.icon_tone,
                "language": form.language,
                "hook_command": hook_command,
                **_big_task(current, form),
            }
        )
    except ValidationError as exc:
        return Refused(reason(exc))


def _big_task(current: Settings, form: SettingsForm) -> dict[str, object]:
    """The big-task limit's fields the form gives (a share from percents to a tenth)."""
    return {
        "big_task_unit": current.big_task_unit
        if form.big_task_unit is None
        else form.big_task_unit,
        "big_task_share": (
            current.big_task_share
            if form.big_task_percent is None
            else round(form.big_task_percent, BIG_TASK_PERCENT_DECIMALS) / 100
        ),
        "big_task_credits": (
            current.big_task_credits if form.big_task_credits is None else form.big_task_credits
        ),
    }


def with_accounts(current: Settings, changed: Sequence[Account]) -> Settings | Refused:
    """`current` with another account list (added, renamed, removed or reordered)."""
    try:
        return Settings.model_validate(
            {**current.model_dump(), "accounts": [a.model_dump() for a in changed]}
        )
    except ValidationError as exc:
        return Refused(reason(exc))


def new_account(current: Settings, name: str) -> Account | Refused:
    """A new account named `name`, with an id none of `current`'s accounts has; it is not
    added (`with_accounts` checks it against the others)."""
    try:
        return Account(id=accounts.new_id(a.id for a in current.accounts), name=name)
    except ValidationError as exc:
        return Refused(reason(exc))


def renamed(current: Settings, account_id: str, name: str) -> Settings | Refused:
    """`current` with the account `account_id` named `name`."""
    try:
        changed = [
            Account.model_validate({**a.model_dump(), "name": name}) if a.id == account_id else a
            for a in current.accounts
        ]
    except ValidationError as exc:
        return Refused(reason(exc))
    return with_accounts(current, changed)


def moved(current: Settings, account_id: str, step: int) -> Settings | None:
    """`current` with the account `account_id` moved `step` places (-1 up, 1 down); None when
    it is not there or would leave the list."""
    order = list(current.accounts)
    index = next((i for i, a in enumerate(order) if a.id == account_id), None)
    if index is None or not 0 <= index + step < len(order):
        return None
    order[index], order[index + step] = order[index + step], order[index]
    result = with_accounts(current, order)
    return None if isinstance(result, Refused) else result


def removed(current: Settings, account_id: str) -> Settings | Refused | None:
    """`current` without the account `account_id`; None when it has no such account (the last
    one is refused: at least one stays)."""
    rest = [a for a in current.accounts if a.id != account_id]
    if len(rest) == len(current.accounts):
        return None
    return with_accounts(current, rest)
