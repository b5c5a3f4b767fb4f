"""Starting the app again the way it was started, once it has quit (a new language applies only
at start: every text is made in it then)."""

from __future__ import annotations

import logging
import os
import sys

from desktop.core.i18n import _
from desktop.core.sinks import terminal_text

log = logging.getLogger(__name__)

_requested = False


def command() -> list[str]:
    """The command line that started this process: the frozen binary and its arguments, or the
    interpreter with its own options, then the script (`neo-tray`) or `-m desktop`, then ours."""
    if getattr(sys, "frozen", False):
        return [sys.executable, *sys.argv[1:]]
    return [sys.executable, *sys.orig_argv[1:]]


def request() -> None:
    """Start again once the event loop has ended and the tray has let go of its lock."""
    global _requested  # noqa: PLW0603 (one process, one answer)
    _requested = True


def requested() -> bool:
    return _requested


def exec_if_requested() -> None:
    """Replace this process with a new start of the app, if one was requested. The single
    instance lock is an inheritable-never descriptor, so the new process can take it. Returns
    only when no restart was asked for, or when it failed (said in the log and on stderr)."""
    if not _requested:
        return
    argv = command()
    log.info("Restarting: %s", argv)
    for handler in logging.getLogger("desktop").handlers:
        handler.flush()
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execv(argv[0], argv)
    except OSError as exc:
        log.warning("Could not restart: %s", exc)
        message = _("could not start again ({problem}); start it yourself.")
        print(f"neo-tray: {terminal_text(message.format(problem=exc))}", file=sys.stderr)
