"""Credit levels and the thresholds that set them: tiny and import-free, so the tray icon can be
painted before the heavier modules load."""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


class CreditLevel(StrEnum):
    """How worried the user should be, in the order the tray colours them."""

    OK = "ok"
    LOW = "low"
    CRITICAL = "critical"
    EMPTY = "empty"
    EXPIRED = "expired"
    UNKNOWN = "unknown"  # issued credits missing or zero: no share to judge by


# One palette for every place a level has a colour: the tray icon, status bars.
LEVEL_HEX = {
    CreditLevel.OK: "#2fb35f",
    CreditLevel.LOW: "#f0a000",
    CreditLevel.CRITICAL: "#f2602b",
    CreditLevel.EMPTY: "#e53935",
    CreditLevel.EXPIRED: "#e53935",
    CreditLevel.UNKNOWN: "#6b8fb5",
}
ALERT_HEX = "#e53935"


class _ThresholdFields(NamedTuple):
    low: float = 0.25
    critical: float = 0.10


class Thresholds(_ThresholdFields):
    """Remaining-share limits below which the level turns low and critical; its defaults are
    the settings' too (`DEFAULT_THRESHOLDS`). A named tuple (a frozen dataclass costs the
    status bar's path `dataclasses` and `inspect`), checked on creation."""

    __slots__ = ()

    def __new__(cls, low: float = 0.25, critical: float = 0.10) -> Thresholds:
        if not 0.0 <= critical <= low <= 1.0:
            raise ValueError("thresholds must satisfy 0 <= critical <= low <= 1")
        return super().__new__(cls, low, critical)


#: The thresholds a user has not changed: the one home of their defaults.
DEFAULT_THRESHOLDS = Thresholds()
