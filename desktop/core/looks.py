"""The tray icon's possible looks; import-free so the icon can be painted at once on start-up."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from desktop.core.levels import CreditLevel


class LookKind(StrEnum):
    LOADING = "loading"
    NO_TOKEN = "no_token"
    AUTH_REJECTED = "auth_rejected"
    NO_PERMISSION = "no_permission"
    OFFLINE = "offline"  # failed and nothing to show yet
    GAUGE = "gauge"
    EXPIRED = "expired"


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


@dataclass(frozen=True)
class Look:
    """Everything that decides the icon's pixels; equal looks paint equal icons."""

    kind: LookKind
    level: CreditLevel | None = None
    percent: int | None = None  # the gauge's fill, 0..100, bucketed to whole percents
    dimmed: bool = False
    text: str | None = None  # a figure to draw (percent or credits); dropped where too small
    content: IconContent = IconContent.RING
