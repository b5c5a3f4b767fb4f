"""Regenerate the README's pictures: `.venv/bin/python docs/screenshots.py`.

- docs/icons.png: every tray look at 16/22/32/48 px on a light and a dark panel (offscreen).
- docs/tray-menu.png: the demo on a real StatusNotifierItem tray under Xvfb, its menu open.
- docs/detail-light.png, docs/detail-dark.png: the detail window with demo data;
  docs/detail-large-font.png: its overview at 1.5 times the system font.
- docs/settings.png: the settings dialog; docs/settings-accounts.png: with two accounts.
- docs/tray-menu-accounts.png: two accounts (two fake APIs) in one tray, its menu open.
- docs/detail-de.png, docs/settings-de.png, docs/tray-menu-de.png: the same in German.
- docs/tasks-light.png, docs/tasks-dark.png: the detail window's Tasks tab with the demo's
  task ledger (`--tasks` makes only these two).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtGui import QPalette

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DOCS = ROOT / "docs"

LOOK_LABELS = (
    "ok 81%",
    "low 18%",
    "critical 6%",
    "empty",
    "no issued",
    "stale/offline",
    "expired",
    "loading",
    "no token",
    "sign-in failed",
    "no permission",
    "offline, no data",
    "expiry in 7 d",
    "expiry in 1 d",
)


def icon_grid() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QColor, QFont, QImage, QPainter

    from desktop.core.levels import CreditLevel
    from desktop.core.looks import ExpiryStage, Look, LookKind
    from desktop.ui.gauge import render_image

    looks = [
        Look(LookKind.GAUGE, CreditLevel.OK, 81),
        Look(LookKind.GAUGE, CreditLevel.LOW, 18),
        Look(LookKind.GAUGE, CreditLevel.CRITICAL, 6),
        Look(LookKind.GAUGE, CreditLevel.EMPTY, 0),
        Look(LookKind.GAUGE, CreditLevel.UNKNOWN, None),
        Look(LookKind.GAUGE, CreditLevel.OK, 81, dimmed=True),
        Look(LookKind.EXPIRED, CreditLevel.EXPIRED, 0),
        Look(LookKind.LOADING),
        Look(LookKind.NO_TOKEN),
        Look(LookKind.AUTH_REJECTED),
        Look(LookKind.NO_PERMISSION),
        Look(LookKind.OFFLINE),
        Look(LookKind.GAUGE, CreditLevel.OK, 81, expiry=ExpiryStage.NEAR),
        Look(LookKind.GAUGE, CreditLevel.OK, 81, expiry=ExpiryStage.LAST),
    ]
    sizes = (16, 22, 32, 48)
    cell, label_height, ratio = 84, 30, 2.0
    width, height = cell * len(looks), label_height + cell * len(sizes) * 2
    image = QImage(round(width * ratio), round(height * ratio), QImage.Format.Format_ARGB32)
    image.setDevicePixelRatio(ratio)
    painter = QPainter(image)
    painter.fillRect(QRectF(0, 0, width, height), QColor("#ffffff"))
    painter.setFont(QFont("DejaVu Sans", 7))
    for column, label in enumerate(LOOK_LABELS):
        painter.drawText(
            QRectF(column * cell, 4, cell, label_height - 4),
            Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
            label,
        )
    for band, dark in enumerate((False, True)):
        top = label_height + band * cell * len(sizes)
        painter.fillRect(
            QRectF(0, top, width, cell * len(sizes)),
            QColor("#2b2b2b") if dark else QColor("#ececec"),
        )
        for row, size in enumerate(sizes):
            for column, look in enumerate(looks):
                icon = render_image(look, size, ratio, dark)
                x = column * cell + (cell - size) / 2
                y = top + row * cell + (cell - size) / 2
                painter.drawImage(QRectF(x, y, size, size), icon)
    painter.end()
    image.save(str(DOCS / "icons.png"))
    icon_modes()


def icon_modes() -> None:
    """Each icon setting (ring, ring with the share, number; colour and monochrome) per level."""
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QColor, QFont, QImage, QPainter

    from desktop.core.fmt import short_number
    from desktop.core.levels import CreditLevel
    from desktop.core.looks import IconContent, IconTone, Look, LookKind
    from desktop.ui.gauge import render_image
    from desktop.ui.icon_palette import monochrome_tint

    levels = ((CreditLevel.OK, 78, 3882), (CreditLevel.LOW, 18, 870), (CreditLevel.CRITICAL, 6, 87))
    modes = (
        ("ring", IconContent.RING),
        ("ring + share", IconContent.RING_PERCENT),
        ("number", IconContent.NUMBER),
    )
    sizes, cell, ratio = (16, 22, 32, 48), 60, 2.0
    columns = [
        (name, content, level, share, credits)
        for name, content in modes
        for level, share, credits in levels
    ]
    rows = (
        ("colour", False, None),
        ("monochrome", True, monochrome_tint(IconTone.DARK, False)),
        ("monochrome", True, monochrome_tint(IconTone.LIGHT, True)),
    )
    label_height = 30
    width = cell * len(columns)
    height = label_height + cell * len(sizes) * len(rows)
    image = QImage(round(width * ratio), round(height * ratio), QImage.Format.Format_ARGB32)
    image.setDevicePixelRatio(ratio)
    painter = QPainter(image)
    painter.fillRect(QRectF(0, 0, width, height), QColor("#ffffff"))
    painter.setFont(QFont("DejaVu Sans", 7))
    for column, (name, _content, level, _share, _credits) in enumerate(columns):
        painter.drawText(
            QRectF(column * cell, 2, cell, label_height - 2),
            Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
            f"{name}\n{level.value}",
        )
    for band, (_name, _mono, tint) in enumerate(rows):
        top = label_height + band * cell * len(sizes)
        dark_band = tint is not None and tint.lightness() > 128
        painter.fillRect(
            QRectF(0, top, width, cell * len(sizes)),
            QColor("#2b2b2b") if dark_band else QColor("#ececec"),
        )
        for row, size in enumerate(sizes):
            for column, (_name, content, level, share, credits) in enumerate(columns):
                text = {
                    IconContent.RING_PERCENT: str(share),
                    IconContent.NUMBER: short_number(credits),
                }
                look = Look(LookKind.GAUGE, level, share, text=text.get(content), content=content)
                icon = render_image(look, size, ratio, dark_band, tint)
                x = column * cell + (cell - size) / 2
                y = top + row * cell + (cell - size) / 2
                painter.drawImage(QRectF(x, y, size, size), icon)
    painter.end()
    image.save(str(DOCS / "icon-modes.png"))


def tray_with_menu(two_accounts: bool = False, language: str = "") -> None:
    """The tray's menu on a real SNI host: the demo, or two accounts (two fake APIs); in
    `language` when given (the file name says it)."""
    from desktop.fakeapi import FakeNeoApi
    from tests.e2e.desktop_session import DesktopSession, wait_until
    from tests.e2e.test_tray_desktop import write_accounts

    with (
        tempfile.TemporaryDirectory() as home,
        FakeNeoApi(token="personal-token-0123456", live_task_interval=20.0) as personal,
        FakeNeoApi(token="acme-token-0123456789", scenario="low") as acme,
    ):
        suffix = f"-{language}" if language else ""
        session = DesktopSession("sni", Path(home)).start()
        env = session.env_for(Path(home))
        args = ["--demo"]
        if language:
            env["LANGUAGE"] = language
        if two_accounts:
            write_accounts(
                Path(home), ("default", "Personal", personal), ("e5f6a7b8", "Acme", acme)
            )
            env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
            args = []
        tray = subprocess.Popen(
            [sys.executable, "-m", "desktop", *args], env=env, stdin=subprocess.DEVNULL
        )
        try:
            wait_until(
                lambda: (
                    "credits"
                    in "".join(
                        session.item_tooltip(item) for item in session.registered_items()
                    ).lower()
                ),
                30,
            )
            subprocess.run(["xdotool", "mousemove", "9", "9"], env=env, check=True)
            time.sleep(0.5)
            subprocess.run(["xdotool", "click", "3"], env=env, check=True)
            time.sleep(1.5)
            shot = Path(home) / "screen.png"
            session.screenshot(shot)
            subprocess.run(
                [
                    "convert",
                    str(shot),
                    "-crop",
                    "420x470+0+0" if two_accounts else "420x350+0+0",
                    "+repage",
                    str(DOCS / (f"tray-menu{'-accounts' if two_accounts else ''}{suffix}.png")),
                ],
                check=True,
            )
        finally:
            tray.terminate()
            tray.wait(15)
            session.stop()


def dark_palette() -> QPalette:
    """A dark palette for the Fusion style (the offscreen platform has no desktop theme)."""
    from PySide6.QtGui import QColor, QPalette

    dark = QPalette()
    for role, colour in (
        (QPalette.ColorRole.Window, "#2b2b2b"),
        (QPalette.ColorRole.WindowText, "#e6e6e6"),
        (QPalette.ColorRole.Base, "#1f1f1f"),
        (QPalette.ColorRole.AlternateBase, "#2a2a2a"),
        (QPalette.ColorRole.Text, "#e6e6e6"),
        (QPalette.ColorRole.Button, "#353535"),
        (QPalette.ColorRole.ButtonText, "#e6e6e6"),
        (QPalette.ColorRole.Highlight, "#3d8ee0"),
        (QPalette.ColorRole.HighlightedText, "#ffffff"),
        (QPalette.ColorRole.PlaceholderText, "#8a8a8a"),
    ):
        dark.setColor(role, QColor(colour))
    return dark


DETAIL_VARIANTS = (("light", False, 3), ("dark", True, 1), ("large-font", False, 0))


def detail_windows(variants: tuple[tuple[str, bool, int], ...] = DETAIL_VARIANTS) -> None:
    """The detail window with demo data, in the light and the dark palette (Fusion style):
    (file name's end, dark, tab shown) for each picture."""
    from datetime import UTC, datetime, timedelta

    from PySide6.QtWidgets import QApplication

    from desktop.core import forecast
    from desktop.core.models import summary_from_json
    from desktop.core.query import GroupBy, UsageQuery
    from desktop.core.snapshot import Snapshot
    from desktop.fakeapi.world import UsageWorld
    from desktop.ui.detail.window import DetailWindow
    from desktop.ui.state import AccountState

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    app.setStyle("Fusion")
    now = datetime.now(UTC)
    world = UsageWorld(now)
    light = app.palette()
    dark = dark_palette()
    normal_font = app.font()
    large_font = app.font()
    large_font.setPointSizeF(normal_font.pointSizeF() * 1.5)
    for name, is_dark, tab in variants:
        app.setPalette(dark if is_dark else light)
        app.setFont(large_font if name == "large-font" else normal_font)
        state = AccountState()
        main = Snapshot(summary_from_json(world.summary(now)), now)
        state.on_snapshot(main)
        window_query = forecast.window_query(now)
        assert window_query.start is not None
        assert window_query.end is not None
        daily = world.summary(now, window_query.start, window_query.end, "day")
        state.on_forecast_window(Snapshot(summary_from_json(daily), now, window_query))
        window = DetailWindow(state, lambda: now)
        balance = forecast.balance_query(main.summary, now)
        window.request_balance()
        assert balance.start is not None
        history = world.summary(now, balance.start, now, "day")
        window.on_range_answer("", Snapshot(summary_from_json(history), now, balance))
        start = (now - timedelta(days=29)).replace(hour=0, minute=0, second=0, microsecond=0)
        query = UsageQuery(start, now, GroupBy.DAY)
        window.range_bar.pending = query
        window.on_range_answer(
            "", Snapshot(summary_from_json(world.summary(now, start, now, "day")), now, query)
        )
        window.tabs.setCurrentIndex(tab)
        window.resize(780, 640)
        if name == "large-font":
            window.resize(window.sizeHint().expandedTo(window.minimumSizeHint()))
        window.show()
        app.processEvents()
        window.grab().save(str(DOCS / f"detail-{name}.png"))
        window.hide()
    app.setPalette(light)
    app.setFont(normal_font)


def tasks_windows() -> None:
    """The Tasks tab with the demo's last 30 days of tasks (the fake API's rows, as a team
    admin sees them), in the light and the dark palette."""
    from datetime import UTC, datetime, timedelta

    from PySide6.QtWidgets import QApplication

    from desktop.core import forecast
    from desktop.core.models import summary_from_json
    from desktop.core.snapshot import Snapshot
    from desktop.core.tasks import TaskListing, TasksStatus, row_from_json, sort_key
    from desktop.fakeapi.ledger import task_row
    from desktop.fakeapi.world import UsageWorld
    from desktop.ui.detail.window import DetailWindow
    from desktop.ui.state import AccountState

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    app.setStyle("Fusion")
    now = datetime.now(UTC)
    world = UsageWorld(now - timedelta(hours=6))  # a few hours of live tasks since it began
    light = app.palette()
    for name, palette in (("light", light), ("dark", dark_palette())):
        app.setPalette(palette)
        state = AccountState()
        main = Snapshot(summary_from_json(world.summary(now)), now)
        state.on_snapshot(main)
        daily = forecast.window_query(now)
        assert daily.start is not None
        assert daily.end is not None
        day_by_day = world.summary(now, daily.start, daily.end, "day")
        state.on_forecast_window(Snapshot(summary_from_json(day_by_day), now, daily))
        window = DetailWindow(state, lambda: now)
        window.resize(1040, 720)
        window.request_balance()
        balance = forecast.balance_query(main.summary, now)
        assert balance.start is not None
        history = world.summary(now, balance.start, now, "day")
        window.on_range_answer("", Snapshot(summary_from_json(history), now, balance))
        asked: list[tuple[datetime, datetime]] = []
        window.tasks_requested.connect(
            lambda _account, start, end, asked=asked: asked.append((start, end))
        )
        window.show_and_raise()
        query = window.range_bar.pending
        assert query is not None
        assert query.start is not None
        window.on_range_answer(
            "", Snapshot(summary_from_json(world.summary(now, query.start, now, "day")), now, query)
        )
        window.tabs.setCurrentIndex(window.tabs.tasks_index)
        start, end = asked[-1]
        parsed = (row_from_json(task_row(task, now, True)) for task in world.tasks_until(now))
        rows = tuple(
            sorted(
                (row for row in parsed if row is not None and start <= row.created_at <= end),
                key=sort_key,
            )
        )
        window.on_tasks_answer("", TaskListing(TasksStatus.OK, start, end, rows, len(rows)))
        app.processEvents()
        window.grab().save(str(DOCS / f"tasks-{name}.png"))
        window.hide()
        window.deleteLater()
    app.setPalette(light)


def settings_dialog(suffix: str = "") -> None:
    """The settings with one account, and with two (the second selected); German ones (suffix
    `-de`) only with two."""
    from PySide6.QtWidgets import QApplication

    from desktop.core import fmt
    from desktop.core.accounts import Account
    from desktop.core.i18n import _, ngettext
    from desktop.core.settings import Settings
    from desktop.ui.settings_dialog import SettingsDialog

    def works(credits: int) -> str:
        available = ngettext("{credits} credit available.", "{credits} credits available.", 2)
        return f"{_('It works{connection}.').format(connection='')} " + available.format(
            credits=fmt.credits(credits)
        )

    app = QApplication.instance()
    two = (
        Account(id="default", name="Personal"),
        Account(id="e5f6a7b8", name="Acme", base_url="https://neo.acme.example"),
    )
    variants = [("settings-accounts", Settings(accounts=two), works(1204))]
    if not suffix:
        variants.insert(0, ("settings", Settings(), works(3882)))
    for name, settings, status in variants:
        dialog = SettingsDialog(settings)
        dialog.select_account(settings.accounts[-1].id)
        dialog.set_token_status(status, True)
        dialog.show()
        if app is not None:
            app.processEvents()
        dialog.grab().save(
            str(DOCS / f"{name.replace('-accounts', '') if suffix else name}{suffix}.png")
        )
        dialog.hide()


def in_german() -> None:
    """The window, the settings and the tray menu as a German user sees them."""
    from PySide6.QtWidgets import QApplication

    from desktop.core import i18n
    from desktop.launcher import install_language

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    i18n.use(i18n.Language("de", "de_DE"))
    translator = install_language(app)
    detail_windows((("de", False, 0),))
    settings_dialog("-de")
    if translator is not None:
        app.removeTranslator(translator)
    i18n.use(i18n.Language())


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    qt_app = QApplication([])
    if "--tasks" in sys.argv:
        tasks_windows()
        raise SystemExit(0)
    icon_grid()
    detail_windows()
    tasks_windows()
    settings_dialog()
    in_german()
    if "--no-desktop" not in sys.argv:
        tray_with_menu()
        tray_with_menu(two_accounts=True)
        tray_with_menu(language="de")
    print("wrote", ", ".join(sorted(p.name for p in DOCS.glob("*.png"))))
