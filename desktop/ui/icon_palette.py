"""The tray icon's colours: the level palette (3:1 on light and dark panels alike), the error
looks' greys, monochrome's tints and the dimmed looks' grey.
"""

from __future__ import annotations

from PySide6.QtGui import QColor

from desktop.core.levels import ALERT_HEX, LEVEL_HEX, CreditLevel
from desktop.core.looks import ExpiryStage, IconTone, Look

# A tray host may draw any panel under any application palette, so every colour the icon draws
# with keeps 3:1 contrast (WCAG relative luminance) against both a white and a #1e1e1e panel:
# a luminance between 0.14 and 0.30. The status bars' palette (LEVEL_HEX) is lighter where it
# sits on its bar's own background; the icon darkens green and amber to stay in that band.
ICON_HEX = {
    **LEVEL_HEX,
    CreditLevel.OK: "#27a055",
    CreditLevel.LOW: "#cc7a00",
}
LEVEL_COLOURS = {level: QColor(hex_colour) for level, hex_colour in ICON_HEX.items()}
ALERT = QColor(ALERT_HEX)
NEUTRAL = QColor("#4f8fcf")
# Monochrome's forced tones, and AUTO's pick by the desktop's colour scheme.
LIGHT_TINT = QColor(240, 240, 240)  # for dark panels
DARK_TINT = QColor(32, 32, 32)  # for light panels
# A dimmed look (stale data, offline) is greyed out rather than made transparent: any
# transparency loses 3:1 on one of the two panels. Monochrome dims its tint by this opacity,
# which its own panel's contrast allows.
DIMMED_HEX = ("#7a7a7a", "#8a8a8a")  # on a light, on a dark theme
MONOCHROME_DIMMED_OPACITY = 0.6


def track_colour(dark: bool) -> QColor:
    """The empty part of the ring: a mid grey that stays visible whatever the panel really is
    (hosts often draw a dark panel under a light application palette)."""
    return QColor(175, 175, 175, 170) if dark else QColor(120, 120, 120, 170)


def glyph_colour(dark: bool) -> QColor:
    """The error looks' grey: lighter on a dark theme, and 3:1 on either panel all the same."""
    return QColor("#909090") if dark else QColor("#6e6e6e")


def dimmed_tint(dark: bool, tint: QColor | None) -> QColor:
    """The one colour a dimmed look is painted in: a mid grey, or the monochrome tint made
    fainter."""
    if tint is None:
        return QColor(DIMMED_HEX[dark])
    faint = QColor(tint)
    faint.setAlphaF(tint.alphaF() * MONOCHROME_DIMMED_OPACITY)
    return faint


def monochrome_tint(tone: IconTone, dark: bool) -> QColor:
    """The one colour of a monochrome icon: forced, or (AUTO) light on a dark desktop (`dark`:
    `is_dark_theme`) and dark on a light one. Not the palette's text colour: a light palette
    often sits under a dark panel, and its black icon vanished there."""
    if tone is IconTone.LIGHT or (tone is IconTone.AUTO and dark):
        return QColor(LIGHT_TINT)
    return QColor(DARK_TINT)


class IconColours:
    """The palette of one icon: the level colours, or one tint with a faint track."""

    def __init__(self, dark: bool, tint: QColor | None) -> None:
        self._tint = tint
        if tint is None:
            self.track = track_colour(dark)
            self.glyph = glyph_colour(dark)
            self.alert = ALERT
            self.neutral = NEUTRAL
        else:
            faint = QColor(tint)
            faint.setAlpha(round(tint.alpha() * 0.32))
            self.track = faint
            self.glyph = self.alert = self.neutral = tint

    def level(self, level: CreditLevel) -> QColor:
        return LEVEL_COLOURS[level] if self._tint is None else self._tint

    @property
    def monochrome(self) -> bool:
        return self._tint is not None


def gauge_colour(look: Look, colours: IconColours) -> QColor:
    """The gauge's colour: its level's, turned amber in the last warning day unless the level
    is already as grave or worse."""
    level = look.level or CreditLevel.UNKNOWN
    if look.expiry is ExpiryStage.LAST and level in {CreditLevel.OK, CreditLevel.UNKNOWN}:
        return colours.level(CreditLevel.LOW)
    return colours.level(level)
