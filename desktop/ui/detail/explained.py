"""A detail tab's page that can say, in its place, why it has nothing to show (member mode, a
403): the sentence wraps at the tab's width, never widening the window."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QStackedWidget, QVBoxLayout, QWidget

from desktop.core.i18n import _
from desktop.ui.plain import plain_label
from desktop.ui.wrapping_label import WrappingLabel


class ExplainedPage(QStackedWidget):
    """`content`, or instead the sentence `explain` gives (with, on the Overview, rows of
    figures above it: `set_rows`)."""

    def __init__(self, content: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.content = content
        self.note = WrappingLabel()
        self.note.setObjectName("unavailableNote")
        self.note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._rows_page = QWidget()
        self.rows = QFormLayout()
        self.rows.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        layout = QVBoxLayout(self._rows_page)
        layout.addLayout(self.rows)
        layout.addSpacing(self.fontMetrics().lineSpacing())
        layout.addWidget(self.note)
        layout.addStretch(1)
        self.addWidget(content)
        self.addWidget(self._rows_page)
        self.shown_rows: tuple[tuple[str, str], ...] = ()  # (field title, value)

    @property
    def explaining(self) -> bool:
        """The sentence is shown instead of the content."""
        return self.currentWidget() is self._rows_page

    def explain(self, why: str | None) -> None:
        """Say `why` in the content's place (None: the content again)."""
        if why is None:
            self.setCurrentWidget(self.content)
            return
        if self.note.text() != why:
            self.note.setText(why)
            self.note.setAccessibleName(why)
        self.setCurrentWidget(self._rows_page)

    def set_rows(self, rows: tuple[tuple[str, str], ...]) -> None:
        """Figures above the sentence: `(field title, value)`, plain text (the value may be the
        server's: an e-mail, a team's name); the same rows again change nothing."""
        if rows == self.shown_rows:
            return
        self.shown_rows = rows
        # Under figures the sentence reads as their note (left); alone, it is the page's (centred).
        alignment = Qt.AlignmentFlag.AlignLeft if rows else Qt.AlignmentFlag.AlignCenter
        self.note.setAlignment(alignment)
        while self.rows.rowCount():
            self.rows.removeRow(0)
        for title, value in rows:
            shown = WrappingLabel(value)  # a long e-mail or team's name never widens the window
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            # A screen reader says a label's name, not its text: the name carries the figure.
            shown.setAccessibleName(_("{field}: {value}").format(field=title, value=value))
            self.rows.addRow(plain_label(_("{field}:").format(field=title)), shown)
