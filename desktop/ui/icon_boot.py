"""The tray's first icon, shown before the painter is imported: the loading ring as PNGs that
`packaging/make_icons.py` renders with the painter itself (`gauge.render_image`), one per size
the tray is given, for a light and a dark theme, at device pixel ratios 1 and 2.

Why not paint it at start: the painter's pens and brushes use PySide's `Qt` enum namespace, and
PySide creates all of its ~100 enums at the first use of any (13-15 ms of the main thread and
1.3 MB, issue 26). Qt's colour scheme is one of those enums too, so the first icon's theme is
the palette's (`palette_is_dark`); the tray repaints with the full check (`gauge.is_dark_theme`)
as soon as it adopts the icon, a few hundred milliseconds later. A test keeps the PNGs equal to
what the painter draws (`tests/ui/test_boot_icon.py`).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QGuiApplication, QIcon, QPixmap

from desktop.system import resources

#: The logical sizes each tray icon is made at (the tray host picks one), in pixels.
ICON_SIZES = (16, 22, 24, 32, 48, 64)
#: The device pixel ratios the loading ring is shipped at; at any other it is painted.
SHIPPED_RATIOS = (1.0, 2.0)


def device_pixel_ratio() -> float:
    """The primary screen's device pixel ratio (1.0 without a screen)."""
    screen = QGuiApplication.primaryScreen()
    return float(screen.devicePixelRatio()) if screen is not None else 1.0


def palette_is_dark() -> bool:
    """Whether the application palette's window colour is dark (lightness below 128 of 255)."""
    return QGuiApplication.palette().window().color().lightness() < 128


def loading_file_name(dark: bool, size: int, ratio: float) -> str:
    """The shipped PNG of the loading ring, e.g. `loading-dark-22@2x.png` (`size` logical
    pixels at `ratio`, one of SHIPPED_RATIOS)."""
    scale = "" if ratio == 1.0 else f"@{ratio:g}x"
    return f"loading-{'dark' if dark else 'light'}-{size}{scale}.png"


def loading_files(dark: bool, ratio: float, folder: Path | None = None) -> list[Path] | None:
    """The loading ring's PNGs for each of ICON_SIZES, or None when this ratio is not shipped
    or a file is missing (a checkout whose icons were not made)."""
    folder = folder or resources.loading_icons_dir()
    if folder is None or ratio not in SHIPPED_RATIOS:
        return None
    files = [folder / loading_file_name(dark, size, ratio) for size in ICON_SIZES]
    return files if all(path.is_file() for path in files) else None


def loading_icon() -> QIcon:
    """The loading look for the screen's ratio and the palette's theme: the shipped PNGs, or
    painted (importing the painter) when they do not fit."""
    dark, ratio = palette_is_dark(), device_pixel_ratio()
    files = loading_files(dark, ratio)
    if files is not None:
        icon = QIcon()
        for path in files:
            pixmap = QPixmap(str(path))
            if pixmap.isNull():
                break
            pixmap.setDevicePixelRatio(ratio)
            icon.addPixmap(pixmap)
        else:
            return icon
    from desktop.core.looks import Look, LookKind
    from desktop.ui.gauge import IconCache

    return IconCache().icon(Look(LookKind.LOADING), dark, ratio)
