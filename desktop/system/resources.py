"""Finds the files in resources/, from a source checkout or inside a PyInstaller bundle."""

from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path | None:
    """The resources folder: the bundle's copy when frozen, the checkout's otherwise."""
    bundle = getattr(sys, "_MEIPASS", None)
    candidates = [Path(bundle) / "resources"] if bundle else []
    candidates.append(Path(__file__).resolve().parent.parent.parent / "resources")
    return next((path for path in candidates if path.is_dir()), None)


def loading_icons_dir() -> Path | None:
    """The folder of the tray's first icon (the loading ring, `ui/icon_boot`), if shipped."""
    folder = resources_dir()
    return folder / "icons" / "loading" if folder is not None else None


def app_icon_files() -> list[Path]:
    """The painted application icon at every size shipped, smallest first (may be empty)."""
    folder = resources_dir()
    if folder is None:
        return []
    icons = folder / "icons"
    found = [
        path
        for path in icons.glob("neo-usage-tray-*.png")
        if path.stem.rsplit("-", 1)[-1].isdigit()
    ]
    return sorted(found, key=lambda path: int(path.stem.rsplit("-", 1)[-1]))
