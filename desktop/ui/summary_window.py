"""A small summary window: shown where there is no tray, and behind "Open details" until the
full detail window replaces it. It renders the AppState and sends intents back as signals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core import trayview
from desktop.core.derive import Thresholds
from desktop.ui.state import AppState


class SummaryWindow(QWidget):
    refresh_requested = Signal()
    token_requested = Signal()

    def __init__(
        self,
        state: AppState,
        thresholds: Callable[[], Thresholds],
        clock: Callable[[], datetime],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._state = state
        self._thresholds = thresholds
        self._clock = clock
        self.setWindowTitle("Neo Usage")
        self.setObjectName("summaryWindow")
        self.setMinimumWidth(380)

        self.title = QLabel("<b>Neo credits</b>")
        self.bar = QProgressBar()
        self.bar.setRange(0, 100)
        self.bar.setTextVisible(True)
        self.bar.setAccessibleName("Available credits")
        self.lines = [QLabel() for _ in range(4)]
        for line in self.lines:
            line.setWordWrap(True)
            line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.refresh_button = QPushButton("&Refresh now")
        self.token_button = QPushButton("Set &token…")
        self.refresh_button.clicked.connect(self.refresh_requested)
        self.token_button.clicked.connect(self.token_requested)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.token_button)
        buttons.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.bar)
        for line in self.lines:
            layout.addWidget(line)
        layout.addStretch(1)
        layout.addLayout(buttons)

        state.changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        view = self._state.view
        now = self._clock()
        thresholds = self._thresholds()
        derived = trayview.figures(view, now, thresholds)
        if derived is None or derived.gauge_fraction is None:
            self.bar.setValue(0)
            self.bar.setFormat("—")
        else:
            self.bar.setValue(round(derived.gauge_fraction * 100))
            self.bar.setFormat("%p% available")
        for label, text in zip(self.lines, trayview.menu_lines(view, now, thresholds), strict=True):
            label.setText(text)

    def show_and_raise(self) -> None:
        self.refresh()
        self.show()
        self.raise_()
        self.activateWindow()

    def closeEvent(self, event: QCloseEvent) -> None:
        event.ignore()
        self.hide()  # closing hides; only Quit ends the app
