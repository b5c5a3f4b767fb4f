"""Logging: a rotating file in the log dir, stderr only when asked for (--log-level), and one
redaction rule.

Every handler carries the same `SecretRedactor`, so a token can appear in no log line, not even
inside exception text.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
import threading
from pathlib import Path
from typing import Any

from desktop.core.redaction import redact
from desktop.core.sinks import terminal_text
from desktop.system import paths

LOG_FILE = "neo-tray.log"


class SecretRedactor(logging.Filter):
    """Replaces every registered secret in a record's message, arguments and exception text."""

    def __init__(self) -> None:
        super().__init__()
        self._secrets: set[str] = set()
        self._lock = threading.Lock()

    def add_secret(self, secret: str | None) -> None:
        if secret and len(secret) >= 4:
            with self._lock:
                self._secrets.add(secret)

    def redact(self, text: str) -> str:
        with self._lock:
            secrets = tuple(self._secrets)
        return redact(text, secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        record.msg = self.redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """Rotating log files that only their owner can read (0600), rotated ones included."""

    def _open(self) -> Any:
        fd = paths.open_private(Path(self.baseFilename), os.O_APPEND | os.O_WRONLY)
        return open(fd, self.mode, encoding=self.encoding, errors=self.errors)


redactor = SecretRedactor()
_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"


def configure(stderr_level: int | None, log_file: Path | None = None) -> Path | None:
    """Install the handlers on the `desktop` logger; returns the log file used, if any.

    `stderr_level` None (no --log-level): nothing goes to the terminal, whatever the level, so
    a person or a status bar sees only the app's own sentences; the details are in the file.
    """
    logger = logging.getLogger("desktop")
    logger.setLevel(logging.DEBUG)
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()
    logger.propagate = False

    if stderr_level is not None:
        console = logging.StreamHandler(sys.stderr)
        console.setLevel(stderr_level)
        console.setFormatter(TerminalFormatter("neo-tray: %(levelname)s: %(message)s"))
        console.addFilter(redactor)
        logger.addHandler(console)

    # A handler that fails (a full disk) says nothing: never a "Logging error" traceback.
    logging.raiseExceptions = False
    path = log_file or paths.log_dir() / LOG_FILE
    try:
        paths.private_file(path)
        file_handler: logging.Handler = PrivateRotatingFileHandler(
            path, maxBytes=1_000_000, backupCount=3, encoding="utf-8", delay=True
        )
    except OSError:
        # No log file: never fall through to Python's last-resort handler, which would print
        # unredacted lines on stderr (and break --once's one-line promise).
        if stderr_level is None:
            logger.addHandler(logging.NullHandler())
        return None
    file_handler.setLevel(logging.DEBUG if stderr_level == logging.DEBUG else logging.INFO)
    file_handler.setFormatter(logging.Formatter(_FORMAT))
    file_handler.addFilter(redactor)
    logger.addHandler(file_handler)
    return path


class TerminalFormatter(logging.Formatter):
    """Log records for stderr: the message is one terminal field (a line break in it cannot fake
    a line), a traceback keeps its lines, each cleaned by the terminal rule."""

    def format(self, record: logging.LogRecord) -> str:
        record.message = record.getMessage()
        if self.usesTime():
            record.asctime = self.formatTime(record, self.datefmt)
        head = terminal_text(self.formatMessage(record))
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        tails = [record.exc_text or "", self.formatStack(record.stack_info or "")]
        lines = [terminal_text(line) for tail in tails if tail for line in tail.splitlines()]
        return "\n".join([head, *lines])
