"""The settings dialog (`dialog`) and its parts: the accounts editor, the token panel and the
preference forms; `common` holds what they share."""

from __future__ import annotations

from desktop.ui.settings_dialog.common import AskName, Confirm, ask_name, confirm
from desktop.ui.settings_dialog.dialog import SettingsDialog

__all__ = ["AskName", "Confirm", "SettingsDialog", "ask_name", "confirm"]
