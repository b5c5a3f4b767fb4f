"""The tray's first icon: the shipped loading ring equals what the painter draws (so the two
cannot drift apart), and the launcher shows it without the painter (issue 26: cold start)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from desktop.core.looks import Look, LookKind
from desktop.system import resources
from desktop.ui import icon_boot
from desktop.ui.gauge import IconCache, render_image
from desktop.ui.icon_boot import (
    ICON_SIZES,
    SHIPPED_RATIOS,
    loading_file_name,
    loading_files,
    loading_icon,
)

REMAKE = "run `.venv/bin/python packaging/make_icons.py loading` and commit resources/icons/loading"


def straight(image: QImage) -> QImage:
    """As a PNG stores it (and a StatusNotifierItem host gets it): ARGB32, not premultiplied."""
    return image.convertToFormat(QImage.Format.Format_ARGB32)


@pytest.mark.parametrize("ratio", SHIPPED_RATIOS)
@pytest.mark.parametrize("dark", [False, True])
def test_the_shipped_loading_ring_is_what_the_painter_draws(
    qtbot: QtBot, dark: bool, ratio: float
) -> None:
    files = loading_files(dark, ratio)
    assert files is not None, REMAKE
    for size, path in zip(ICON_SIZES, files, strict=True):
        shipped = QImage(str(path))
        painted = render_image(Look(LookKind.LOADING), size, ratio, dark)
        assert shipped.size() == painted.size() == QSize(round(size * ratio), round(size * ratio))
        assert straight(shipped) == straight(painted), f"{path.name} differs: {REMAKE}"


def test_the_light_and_dark_rings_differ(qtbot: QtBot) -> None:
    """Both are shipped because the track's grey follows the theme."""
    light, dark = loading_files(False, 1.0), loading_files(True, 1.0)
    assert light is not None
    assert dark is not None
    assert QImage(str(light[-1])) != QImage(str(dark[-1]))


@pytest.mark.parametrize("dark", [False, True])
def test_the_boot_icon_holds_the_painters_pixmaps(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, dark: bool
) -> None:
    monkeypatch.setattr(icon_boot, "palette_is_dark", lambda: dark)
    shown = loading_icon()
    painted = IconCache().icon(Look(LookKind.LOADING), dark, 1.0)
    assert sorted(s.width() for s in shown.availableSizes()) == list(ICON_SIZES)
    for size in ICON_SIZES:
        ours = shown.pixmap(QSize(size, size)).toImage()
        theirs = painted.pixmap(QSize(size, size)).toImage()
        assert straight(ours) == straight(theirs)


def test_an_unshipped_ratio_or_a_missing_file_is_painted(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert loading_files(False, 1.5) is None
    folder = resources.loading_icons_dir()
    assert folder is not None
    copy = tmp_path / "loading"
    shutil.copytree(folder, copy)
    (copy / loading_file_name(True, 22, 1.0)).unlink()
    assert loading_files(True, 1.0, copy) is None
    assert loading_files(False, 1.0, copy) is not None

    monkeypatch.setattr(icon_boot, "device_pixel_ratio", lambda: 1.5)
    monkeypatch.setattr(icon_boot, "palette_is_dark", lambda: False)
    icon = loading_icon()
    painted = IconCache().icon(Look(LookKind.LOADING), False, 1.5)
    for size in ICON_SIZES:
        wanted = QSize(size, size)
        assert straight(icon.pixmap(wanted, 1.5).toImage()) == straight(
            painted.pixmap(wanted, 1.5).toImage()
        )


def test_shipped_files_are_named_by_theme_size_and_ratio() -> None:
    assert loading_file_name(True, 22, 2.0) == "loading-dark-22@2x.png"
    assert loading_file_name(False, 16, 1.0) == "loading-light-16.png"
    folder = resources.loading_icons_dir()
    assert folder is not None
    names = {path.name for path in folder.iterdir()}
    assert names == {
        loading_file_name(dark, size, ratio)
        for dark in (False, True)
        for size in ICON_SIZES
        for ratio in SHIPPED_RATIOS
    }
    # Not taken for the application icon (`app_icon_files` reads icons/ itself).
    assert all(path.parent.name == "icons" for path in resources.app_icon_files())
