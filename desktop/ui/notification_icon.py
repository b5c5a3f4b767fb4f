"""The picture a notification shows: the account's gauge as the tray draws it, painted at 64 px
and written to a file of the user's cache for the notification daemon to read."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from desktop.core import accounts, presentation
from desktop.core.rules.messages import Notification
from desktop.system import paths, safe_files
from desktop.ui.gauge import render_image
from desktop.ui.sessions import AccountSessions

log = logging.getLogger(__name__)
ICON_PIXELS = 64


def notification_icon(
    note: Notification, sessions: AccountSessions, clock: Callable[[], datetime]
) -> str:
    """The path of a picture of `note`'s account's gauge ('' when it could not be written)."""
    session = sessions.get(note.account_id) or sessions[0]
    look = presentation.look(session.state.view, clock())
    # One file per account: two accounts' notes on their way must not share one picture.
    name = f"notification-icon{accounts.storage_suffix(session.id)}.png"
    return write_icon(paths.cache_dir() / name, render_image(look, ICON_PIXELS))


def write_icon(path: Path, image: Any) -> str:
    """Save a QImage as PNG for the notification daemon to read; '' when that fails. Encoded in
    memory, then written atomically (`safe_files`): a link planted at `path` is replaced, never
    followed, and a folder that is not the user's alone is not used."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    encoded = QByteArray()
    buffer = QBuffer(encoded)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        return ""
    buffer.close()
    try:
        safe_files.write_atomically(path, bytes(encoded.data()))
    except OSError as exc:
        log.warning("No icon for the notification: %s", exc)
        return ""
    return str(path)
