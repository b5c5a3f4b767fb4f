"""What `--once` prints meets stdout here, on both paths (`cached_once`, `once`, `cli`): a
stdout that cannot be written (its reader went away, as `| head -c 10` does, or a full disk)
becomes one `OutputClosed`, which `cli` says in one stderr line (exit 5), never a traceback.
"""

from __future__ import annotations

import os
import sys

from desktop.core.i18n import _


class OutputClosed(Exception):
    """stdout could not be written; `str()` is the sentence for stderr."""

    def __init__(self, error: OSError) -> None:
        reason = error.strerror or type(error).__name__
        super().__init__(_("Could not write {path}: {reason}").format(path="stdout", reason=reason))


def print_line(text: str) -> None:
    """`text` and a line break on stdout, flushed at once (so a failure is met here, not in
    the interpreter's last flush). Raises OutputClosed after pointing stdout at the null device:
    nothing written later (a status bar's failure line) nor the last flush says it again."""
    try:
        print(text, flush=True)
    except OSError as exc:
        _to_null_device()
        raise OutputClosed(exc) from None


def _to_null_device() -> None:
    """stdout's descriptor, or else the stream, now writes to the null device: what is still
    in the stream's buffer goes there when it is flushed."""
    try:
        descriptor = sys.stdout.fileno()
    except (OSError, ValueError, AttributeError):  # not a file (a test's capture)
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
        return
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, descriptor)
    finally:
        os.close(null)
