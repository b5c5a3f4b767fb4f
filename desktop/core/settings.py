"""User settings: a validated, frozen pydantic model. Never holds the token.

Every field is checked as it is read, with the JSON type it is written with (no `"yes"` for a
switch, no `true` for a number): `system/settings_store.py` replaces a bad value by its default,
one field (one switch, one account) at a time.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    JsonValue,
    StrictBool,
    StrictInt,
    ValidationInfo,
    field_validator,
    model_validator,
)

from desktop.core import accounts, validators
from desktop.core.accounts import DEFAULT_ACCOUNT, Account
from desktop.core.i18n import LANGUAGES
from desktop.core.levels import DEFAULT_THRESHOLDS, Thresholds
from desktop.core.looks import IconContent, IconStyle, IconTone
from desktop.core.query import GroupBy

POLL_INTERVALS_MINUTES = validators.POLL_INTERVALS_MINUTES  # 0 = manual
RangePreset = Literal["last_7_days", "last_30_days", "this_month", "last_month", "all_time"]
#: A share of the issued credits, 0 to 1 (NaN is refused by the bounds).
Fraction = Annotated[float, BeforeValidator(validators.fraction)]
#: Days before the credits expire at which to warn: 1 to 4 of them, each 1 to 365.
WarningDays = Annotated[
    tuple[Annotated[StrictInt, Field(ge=1, le=365)], ...], Field(min_length=1, max_length=4)
]
#: How the big-task notification's threshold is given: a share of the issued credits, or credits.
BigTaskUnit = Literal["share", "credits"]


#: Credits above 0 (the big-task threshold).
TaskCredits = Annotated[float, BeforeValidator(validators.task_credits)]
#: A share of the issued credits from 0.1 % to 1 (the big-task threshold).
TaskShare = Annotated[float, BeforeValidator(validators.task_share)]
#: The event hook: a list of arguments run without a shell (`validators.hook_command`).
HookCommand = Annotated[tuple[str, ...], BeforeValidator(validators.hook_command)]
#: The two thresholds, which must stay in order (critical at most low): out of order on
#: disk, both go back to their defaults.
THRESHOLD_PAIR = ("low_threshold", "critical_threshold")


class NotificationSwitches(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    low_credit: StrictBool = True
    critical_credit: StrictBool = True
    empty: StrictBool = True
    expiry_near: StrictBool = True
    expired: StrictBool = True
    reset: StrictBool = True
    sign_in_failed: StrictBool = True
    forecast: StrictBool = True
    unusual_member: StrictBool = True
    big_task: StrictBool = True


class Settings(BaseModel):
    """Everything the user can change in the settings dialog, with safe defaults."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    accounts: tuple[Account, ...] = (DEFAULT_ACCOUNT,)
    #: The account the tray icon shows; None: whichever needs attention most.
    tray_account: str | None = None
    poll_interval_minutes: StrictInt = 5
    low_threshold: Fraction = DEFAULT_THRESHOLDS.low
    critical_threshold: Fraction = DEFAULT_THRESHOLDS.critical
    expiry_warning_days: WarningDays = (7, 1)
    #: A notification when a single task of today used more than this: a share of the issued
    #: credits (`big_task_share`, 0.001 to 1) or a number of credits (`big_task_credits`).
    big_task_unit: BigTaskUnit = "share"
    big_task_share: TaskShare = 0.05
    big_task_credits: TaskCredits = 50.0
    notifications: NotificationSwitches = NotificationSwitches()
    default_range: RangePreset = "last_30_days"
    default_group_by: GroupBy = GroupBy.DAY
    start_at_login: StrictBool = False
    icon_content: IconContent = IconContent.RING
    icon_style: IconStyle = IconStyle.COLOUR
    icon_tone: IconTone = IconTone.AUTO
    #: The language of the app ("" follows the system); it applies at the next start.
    language: str = ""
    #: The event hook run for each notification whose switch is on (`ui/hook_runner.py`): a
    #: program and its arguments, no shell; () runs nothing.
    hook_command: HookCommand = ()
    #: Accounts the file holds that could not be read (no usable id or name, an id used
    #: twice), kept as they were so that nothing is deleted; never used.
    accounts_set_aside: tuple[JsonValue, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _migrate(cls, raw: Any) -> Any:
        """The first release kept one account's fields at the top: make it "Default"."""
        return accounts.migrate(raw) if isinstance(raw, dict) else raw

    @field_validator("accounts")
    @classmethod
    def _check_accounts(cls, value: tuple[Account, ...]) -> tuple[Account, ...]:
        accounts.check_accounts(value)
        return value

    @field_validator("tray_account")
    @classmethod
    def _known_account(cls, value: str | None, info: ValidationInfo) -> str | None:
        listed = info.data.get("accounts", ())
        return value if any(account.id == value for account in listed) else None  # removed

    @field_validator("language")
    @classmethod
    def _spoken_language(cls, value: str) -> str:
        return validators.language(value, LANGUAGES)

    @field_validator("poll_interval_minutes")
    @classmethod
    def _known_interval(cls, value: int) -> int:
        return validators.poll_minutes(value)

    @model_validator(mode="after")
    def _ordered_thresholds(self) -> Settings:
        validators.thresholds_in_order(self.low_threshold, self.critical_threshold)
        return self

    def account(self, account_id: str) -> Account | None:
        return next((account for account in self.accounts if account.id == account_id), None)

    @property
    def thresholds(self) -> Thresholds:
        return Thresholds(low=self.low_threshold, critical=self.critical_threshold)
