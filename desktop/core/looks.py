"""The tray icon's possible looks; import-free so the icon can be painted at once on start-up."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from enum import StrEnum
from typing import NamedTuple

from desktop.core.levels import CreditLevel


class LookKind(StrEnum):
    LOADING = "loading"
    NO_TOKEN = "no_token"
    AUTH_REJECTED = "auth_rejected"
    NO_PERMISSION = "no_permission"
    OFFLINE = "offline"  # failed and nothing to show yet
    GAUGE = "gauge"
    EXPIRED = "expired"


class ExpiryStage(StrEnum):
    """How close the credits' expiry is, by the settings' warning days (`expiry_warning_days`)."""

    NONE = "none"  # further off than every warning day, or never expires
    NEAR = "near"  # within the largest warning day: a clock mark
    LAST = "last"  # within the smallest (the last) warning day: the clock filled, the ring amber


def expiry_stage(expires_in: timedelta | None, warning_days: Iterable[int]) -> ExpiryStage:
    """The stage of a countdown (`expires_in` None: never expires; zero: expired, which has its
    own look). One warning day is both the largest and the last."""
    days = sorted(warning_days)
    if expires_in is None or not days or expires_in <= timedelta(0):
        return ExpiryStage.NONE
    if expires_in <= timedelta(days=days[0]):
        return ExpiryStage.LAST
    if expires_in <= timedelta(days=days[-1]):
        return ExpiryStage.NEAR
    return ExpiryStage.NONE


class IconContent(StrEnum):
    """What the tray icon shows."""

    RING = "ring"  # the gauge alone
    RING_PERCENT = "ring_percent"  # the gauge with the share left inside it
    NUMBER = "number"  # the credits left, shortened (87, 4.1k, 12k)


class IconStyle(StrEnum):
    COLOUR = "colour"
    MONOCHROME = "monochrome"  # the panel's text colour; the level told by shape


class IconTone(StrEnum):
    """Monochrome's colour: the desktop palette's text colour, or forced."""

    AUTO = "auto"
    LIGHT = "light"  # a light icon, for dark panels
    DARK = "dark"


class Look(NamedTuple):
    """Everything that decides the icon's pixels; equal looks paint equal icons."""

    kind: LookKind
    level: CreditLevel | None = None
    percent: int | None = None  # the gauge's fill, 0..100, bucketed to whole percents
    dimmed: bool = False
    text: str | None = None  # a figure to draw (percent or credits); dropped where too small
    content: IconContent = IconContent.RING
    expiry: ExpiryStage = ExpiryStage.NONE
    paused: bool = False  # polling paused: drawn dimmed, with a pause mark
