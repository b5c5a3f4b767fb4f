"""Credit levels and the thresholds that set them: tiny and import-free, so the tray icon can be
painted before the heavier modules load."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


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


@dataclass(frozen=True)
class Thresholds:
    """Remaining-share limits below which the level turns low and critical; its defaults are
    the settings' too (`DEFAULT_THRESHOLDS`)."""

    low: float = 0.25
    critical: float = 0.10

    def __post_init__(self) -> None:
        if not 0.0 <= self.critical <= self.low <= 1.0:
            raise ValueError("thresholds must satisfy 0 <= critical <= low <= 1")


#: The thresholds a user has not changed: the one home of their defaults.
DEFAULT_THRESHOLDS = Thresholds()
