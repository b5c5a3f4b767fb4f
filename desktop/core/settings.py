"""User settings: a validated, frozen pydantic model. Never holds the token."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from desktop.core.environment import URL_ENV
from desktop.core.errors import InvalidSetting
from desktop.core.levels import Thresholds
from desktop.core.looks import IconContent, IconStyle, IconTone
from desktop.core.query import DEFAULT_BASE_URL, AuthScheme, GroupBy, validate_base_url

POLL_INTERVALS_MINUTES = (0, 1, 2, 5, 15, 30)  # 0 = manual
RangePreset = Literal["last_7_days", "last_30_days", "this_month", "last_month", "all_time"]


class NotificationSwitches(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    low_credit: bool = True
    critical_credit: bool = True
    empty: bool = True
    expiry_near: bool = True
    expired: bool = True
    reset: bool = True
    sign_in_failed: bool = True
    forecast: bool = True


class Settings(BaseModel):
    """Everything the user can change in the settings dialog, with safe defaults."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    base_url: str | None = None  # None: NEO_API_URL, then the public API
    auth_scheme: AuthScheme = AuthScheme.BEARER
    poll_interval_minutes: int = 5
    low_threshold: float = Field(default=0.25, ge=0.0, le=1.0)
    critical_threshold: float = Field(default=0.10, ge=0.0, le=1.0)
    expiry_warning_days: tuple[int, ...] = (7, 1)
    notifications: NotificationSwitches = NotificationSwitches()
    default_range: RangePreset = "last_30_days"
    default_group_by: GroupBy = GroupBy.DAY
    start_at_login: bool = False
    icon_content: IconContent = IconContent.RING
    icon_style: IconStyle = IconStyle.COLOUR
    icon_tone: IconTone = IconTone.AUTO

    @field_validator("base_url")
    @classmethod
    def _check_base_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        try:
            validate_base_url(value)
        except InvalidSetting as exc:
            raise ValueError(exc.user_message) from None
        return value.strip().rstrip("/")

    @field_validator("poll_interval_minutes")
    @classmethod
    def _known_interval(cls, value: int) -> int:
        if value not in POLL_INTERVALS_MINUTES:
            raise ValueError(f"poll interval must be one of {POLL_INTERVALS_MINUTES} minutes")
        return value

    @model_validator(mode="after")
    def _ordered_thresholds(self) -> Settings:
        if self.critical_threshold > self.low_threshold:
            raise ValueError("the critical threshold must not be above the low threshold")
        return self

    @property
    def thresholds(self) -> Thresholds:
        return Thresholds(low=self.low_threshold, critical=self.critical_threshold)


def resolve_base_url(settings: Settings, environ: Mapping[str, str]) -> str:
    """The environment wins over the setting, which wins over the public API."""
    return environ.get(URL_ENV, "").strip() or settings.base_url or DEFAULT_BASE_URL
