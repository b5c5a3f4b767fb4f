"""A word-wrapped plain-text label whose layout gives it the height its text needs at its width.

Qt lays a word-wrapped QLabel out from a size hint made for some other width, and a tab page does
not pass height-for-width on, so a long sentence in a dialog was clipped to a line or two. This
label asks for the height of its text at the width it actually has (`minimumSizeHint`), and for a
new layout when its text or width changes, so the window grows with it.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QWidget

#: The narrowest width, in average characters, a wrapped sentence is laid out for before the
#: label has a width of its own (a width of 100 px would make a window far too tall).
MIN_LINE_CHARS = 40


class WrappingLabel(QLabel):
    """Plain text (server text is shown, never drawn as markup), wrapped at words.

    `reserved_lines`: lines of height kept even while empty, so a result appearing does not
    move what is below it under the mouse.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None, reserved_lines: int = 0):
        super().__init__(parent)
        self._reserved_lines = reserved_lines
        self._laid_out_height = -1
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        self.setText(text)

    def setText(self, text: str) -> None:
        super().setText(text)
        self.updateGeometry()

    def _layout_width(self) -> int:
        return max(self.width(), self.fontMetrics().averageCharWidth() * MIN_LINE_CHARS)

    def heightForWidth(self, width: int) -> int:
        """Pixels: the text's height at `width`, at least the reserved lines."""
        text = super().heightForWidth(width) if self.text() else 0
        margins = self.contentsMargins()
        reserved = self.fontMetrics().lineSpacing() * self._reserved_lines
        return max(text, reserved + margins.top() + margins.bottom())

    def _needed_height(self) -> int:
        return self.heightForWidth(self._layout_width())

    def minimumSizeHint(self) -> QSize:
        width = self.fontMetrics().averageCharWidth() * MIN_LINE_CHARS // 2
        return QSize(width, self._needed_height())

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self._needed_height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        height = self._needed_height()
        if height != self._laid_out_height:  # a new width wraps differently: ask again
            self._laid_out_height = height
            self.updateGeometry()
