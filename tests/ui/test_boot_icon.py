"""The tray's first icon: the shipped loading ring equals what the painter draws (so the two
cannot drift apart), and the launcher shows it without the painter (issue 26: cold start)."""

from __future__ import annotations

import shutil
import zlib
from pathlib import Path

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QImage
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
    png_file,
    png_pixels,
    read_pixmap,
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


@pytest.mark.parametrize("ratio", SHIPPED_RATIOS)
@pytest.mark.parametrize("dark", [False, True])
def test_the_shipped_pngs_are_read_without_qts_image_reader(
    qtbot: QtBot, dark: bool, ratio: float
) -> None:
    """Each file is in the shape the boot reads itself (Qt's reader would cost ~1 MB of RSS),
    and what it reads is what Qt's reader reads."""
    files = loading_files(dark, ratio)
    assert files is not None
    for path in files:
        pixels = png_pixels(path.read_bytes())
        assert pixels is not None, f"{path.name} is not in png_file's shape: {REMAKE}"
        ours = read_pixmap(path, ratio)
        assert ours.devicePixelRatio() == ratio
        assert straight(ours.toImage()) == straight(QImage(str(path)))


def test_the_reader_refuses_what_it_does_not_read_and_qt_reads_it(
    qtbot: QtBot, tmp_path: Path
) -> None:
    rgba = bytes([255, 0, 0, 255, 0, 0, 255, 128]) * 2  # 2 x 2: red, half-transparent blue
    good = png_file(2, 2, rgba)
    assert png_pixels(good) == (2, 2, rgba)
    damaged = good[:-20] + bytes([good[-20] ^ 1]) + good[-19:]  # a flipped bit in IDAT
    assert png_pixels(damaged) is None
    assert png_pixels(b"GIF89a") is None
    assert png_pixels(good[:30]) is None  # cut short
    # The same pixels with the second row "Sub"-filtered (type 1): not this reader's shape.
    sub = bytes((blue - red) % 256 for red, blue in zip(rgba[8:12], rgba[12:16], strict=True))
    rows = b"\x00" + rgba[:8] + b"\x01" + rgba[8:12] + sub
    body = zlib.compress(rows)
    idat = len(body).to_bytes(4, "big") + b"IDAT" + body
    idat += zlib.crc32(b"IDAT" + body).to_bytes(4, "big")
    start = good.index(b"IDAT") - 4
    end = good.index(b"IEND") - 4
    filtered = good[:start] + idat + good[end:]
    assert png_pixels(filtered) is None
    (tmp_path / "filtered.png").write_bytes(filtered)  # a valid PNG all the same: Qt reads it
    shown = read_pixmap(tmp_path / "filtered.png", 1.0).toImage()
    assert shown.pixelColor(0, 1) == QColor(255, 0, 0, 255)
    assert shown.pixelColor(1, 1) == QColor(0, 0, 255, 128)
    # A PNG from another writer (Qt's, filtered rows or another colour type): read by Qt.
    image = QImage(2, 2, QImage.Format.Format_ARGB32)
    image.fill(QColor(10, 200, 30, 255))
    path = tmp_path / "qt.png"
    assert image.save(str(path))
    assert png_pixels(path.read_bytes()) is None
    pixmap = read_pixmap(path, 2.0)
    assert pixmap.devicePixelRatio() == 2.0
    assert pixmap.toImage().pixelColor(1, 1) == QColor(10, 200, 30, 255)
