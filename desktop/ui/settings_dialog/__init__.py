"""The settings dialog (`dialog`) and its parts: the accounts editor, the token panel and the
preference forms; `common` holds what they share."""

from __future__ import annotations

from desktop.ui.settings_dialog.common import AskName, Confirm, Overrides, ask_name, confirm
from desktop.ui.settings_dialog.dialog import SettingsDialog

__all__ = ["AskName", "Confirm", "Overrides", "SettingsDialog", "ask_name", "confirm"]
