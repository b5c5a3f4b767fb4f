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


@dataclass(frozen=True)
class Look:
    """Everything that decides the icon's pixels; equal looks paint equal icons."""

    kind: LookKind
    level: CreditLevel | None = None
    percent: int | None = None  # the gauge's fill, 0..100, bucketed to whole percents
    dimmed: bool = False
