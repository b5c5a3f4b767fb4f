"""Logging: a rotating file in the log dir, stderr only when asked for (--log-level), and one
redaction rule.

Every handler carries the same `SecretRedactor`, so a token can appear in no log line, not even
inside exception text.

The tray's first steps hold their records in memory (`configure_held`) and write them to the
file once its icon shows (`open_held_file`): the file's checks and opening are not part of the
cold start (issue 26).
"""

from __future__ import annotations

import logging
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


class PrivateRotatingFileHandler(logging.FileHandler):
    """Rotating log files that only their owner can read (0600), rotated ones included: a
    record that would take the file to `max_bytes` first renames it to `.1` (`.1` to `.2`...,
    keeping `backups`), as `logging.handlers.RotatingFileHandler` does. Written on
    `logging.FileHandler`: that module (with socket, pickle and queue) is not imported by the
    tray, whose first steps it cost 2-4 ms and whose RSS 0.5 MB (issue 26)."""

    def __init__(self, path: Path, max_bytes: int, backups: int) -> None:
        super().__init__(path, "a", encoding="utf-8", delay=True)
        self.max_bytes = max_bytes
        self.backups = backups

    def _open(self) -> Any:
        fd = paths.open_private(Path(self.baseFilename), os.O_APPEND | os.O_WRONLY)
        return open(fd, self.mode, encoding=self.encoding, errors=self.errors)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if self._should_roll_over(record):
                self._roll_over()
            super().emit(record)
        except Exception:
            self.handleError(record)

    def _should_roll_over(self, record: logging.LogRecord) -> bool:
        if os.path.exists(self.baseFilename) and not os.path.isfile(self.baseFilename):
            return False  # never a FIFO or a device (the open refuses them anyway)
        if self.stream is None:
            self.stream = self._open()
        self.stream.seek(0, os.SEEK_END)
        return bool(self.stream.tell() + len(self.format(record)) + 1 >= self.max_bytes)

    def _roll_over(self) -> None:
        if self.stream:
            self.stream.close()
            self.stream = None  # reopened by the next emit
        for number in range(self.backups - 1, 0, -1):
            older = f"{self.baseFilename}.{number}"
            if os.path.exists(older):
                os.replace(older, f"{self.baseFilename}.{number + 1}")
        if os.path.exists(self.baseFilename):
            os.replace(self.baseFilename, f"{self.baseFilename}.1")


redactor = SecretRedactor()
_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"
#: Records held before the log file opens (the tray's first ~150 ms log a few); more are counted.
HELD_LIMIT = 10_000


class _HeldRecords(logging.Handler):
    """The log file's records until it opens (`configure_held`), in order; then each record
    goes on to the file's handler (`target`), so none logged meanwhile is lost. Closed by
    `logging.shutdown` (at exit, or when the process must end at once) before the file opened,
    it opens the file then."""

    def __init__(self, stderr_level: int | None) -> None:
        super().__init__(logging.DEBUG)
        self.stderr_level = stderr_level
        self.records: list[logging.LogRecord] = []
        self.dropped = 0
        self.released = False
        self.target: logging.Handler | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if self.released:
            _forward(record, self.target)
        elif len(self.records) < HELD_LIMIT:
            self.records.append(record)
        else:
            self.dropped += 1

    def hand_over(self, target: logging.Handler | None) -> None:
        """Write the held records to `target` (none: the file could not be opened, they go
        nowhere, as they would have) and forward later ones to it."""
        self.acquire()
        try:
            if self.released:
                return
            self.released, self.target = True, target
            for record in self.records:
                _forward(record, target)
            if self.dropped:
                note = f"{self.dropped} log records of the start were dropped (over {HELD_LIMIT})"
                _forward(
                    logging.LogRecord(__name__, logging.WARNING, "", 0, note, None, None), target
                )
            self.records.clear()
        finally:
            self.release()

    def close(self) -> None:
        if not self.released:
            self.hand_over(_file_handler(self.stderr_level, None)[1])
        super().close()


def _forward(record: logging.LogRecord, target: logging.Handler | None) -> None:
    if target is not None and record.levelno >= target.level:
        target.handle(record)


def configure(stderr_level: int | None, log_file: Path | None = None) -> Path | None:
    """Install the handlers on the `desktop` logger; returns the log file used, if any. Records
    held since `configure_held` are written to the file first.

    `stderr_level` None (no --log-level): nothing goes to the terminal, whatever the level, so
    a person or a status bar sees only the app's own sentences; the details are in the file.
    """
    logger = logging.getLogger("desktop")
    held = _reset(logger, stderr_level)
    path, file_handler = _file_handler(stderr_level, log_file)
    if file_handler is not None:
        logger.addHandler(file_handler)
    elif stderr_level is None:
        # No log file: never fall through to Python's last-resort handler, which would print
        # unredacted lines on stderr (and break --once's one-line promise).
        logger.addHandler(logging.NullHandler())
    if held is not None:
        held.hand_over(file_handler)
    return path


def configure_held(stderr_level: int | None) -> None:
    """As `configure`, but the log file opens later (`open_held_file`): its records are held in
    memory until then. The terminal's handler (--log-level) is installed at once."""
    logger = logging.getLogger("desktop")
    _reset(logger, stderr_level)
    logger.addHandler(_HeldRecords(stderr_level))


def open_held_file(log_file: Path | None = None) -> Path | None:
    """Open the log file `configure_held` put off and write what it held first; returns the
    file, None when it cannot be opened or nothing is held (then it does nothing)."""
    held = [h for h in logging.getLogger("desktop").handlers if isinstance(h, _HeldRecords)]
    if not held:
        return None
    return configure(held[0].stderr_level, log_file)


def _reset(logger: logging.Logger, stderr_level: int | None) -> _HeldRecords | None:
    """Remove the logger's handlers (returning the holding one, not closed: its records are
    still to be written) and install the terminal's when asked for."""
    logger.setLevel(logging.DEBUG)
    held = None
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        if isinstance(handler, _HeldRecords) and not handler.released:
            held = handler
        else:
            handler.close()
    logger.propagate = False
    # A handler that fails (a full disk) says nothing: never a "Logging error" traceback.
    logging.raiseExceptions = False
    if stderr_level is not None:
        console = logging.StreamHandler(sys.stderr)
        console.setLevel(stderr_level)
        console.setFormatter(TerminalFormatter("neo-tray: %(levelname)s: %(message)s"))
        console.addFilter(redactor)
        logger.addHandler(console)
    return held


def _file_handler(
    stderr_level: int | None, log_file: Path | None
) -> tuple[Path | None, logging.Handler | None]:
    """The log file's path and handler (INFO, DEBUG with --log-level debug), or (None, None)
    when the file cannot be made private or opened."""
    path = log_file or paths.log_dir() / LOG_FILE
    try:
        paths.private_file(path)
        file_handler = PrivateRotatingFileHandler(path, max_bytes=1_000_000, backups=3)
    except OSError:
        return None, None
    file_handler.setLevel(logging.DEBUG if stderr_level == logging.DEBUG else logging.INFO)
    file_handler.setFormatter(logging.Formatter(_FORMAT))
    file_handler.addFilter(redactor)
    return path, file_handler


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
