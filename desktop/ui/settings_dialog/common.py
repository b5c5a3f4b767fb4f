"""What the settings dialog's parts share: the modal prompts, the status colours and the combo
box that applies a choice at once."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import QApplication, QComboBox, QInputDialog, QLineEdit, QMessageBox, QWidget

from desktop.core.i18n import _

ERROR_STYLE = "color: #d32f2f;"
OK_STYLE = "color: #2e7d32;"


#: Asks for an account name: (window title, the name to start from, why the last one was
#: refused or "") -> the name, or None.
AskName = Callable[[QWidget, str, str, str], str | None]
#: Asks to confirm: (question, what it does) -> yes.
Confirm = Callable[[QWidget, str, str], bool]


def ask_name(parent: QWidget, title: str, current: str, problem: str = "") -> str | None:
    label = _("Account &name:")
    name, ok = QInputDialog.getText(
        parent,
        title,
        f"{problem}\n\n{label}" if problem else label,
        QLineEdit.EchoMode.Normal,
        current,
    )
    return name if ok else None


def confirm(parent: QWidget, question: str, consequence: str) -> bool:
    # The app's own name as the title: Qt adds it to any other title, never to itself.
    title = QApplication.applicationDisplayName()
    box = QMessageBox(QMessageBox.Icon.Question, title, question, parent=parent)
    box.setInformativeText(consequence)
    box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    return box.exec() == QMessageBox.StandardButton.Yes


def relay(signal: SignalInstance) -> Callable[..., None]:
    """A slot that emits `signal` (which carries nothing) whatever the sender's signal carries."""
    return lambda *_args: signal.emit()


def choice(
    name: str, items: Mapping[object, str], current: object, changed: Callable[..., None]
) -> QComboBox:
    """A combo box of `items` (value: label) showing `current`, named `name` for screen
    readers; `changed` runs on every change (a change applies at once)."""
    combo = QComboBox()
    combo.setAccessibleName(name)
    for value, label in items.items():
        combo.addItem(label, value)
    combo.setCurrentIndex(combo.findData(current))
    combo.currentIndexChanged.connect(changed)
    return combo
