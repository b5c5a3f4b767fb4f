"""The token's home: the OS keyring, with `NEO_API_TOKEN` overriding it, and, only where no
keyring works and the user opts in, a file only they can read.

keyring calls may block on an unlock prompt, so callers run them off the UI thread; every
keyring failure becomes `KeyringUnavailable` with a sentence that points to `NEO_API_TOKEN`.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeVar

from desktop.core.accounts import DEFAULT_ID, storage_suffix
from desktop.core.environment import TOKEN_ENV
from desktop.core.errors import KeyringUnavailable
from desktop.core.i18n import _
from desktop.system import paths, safe_files
from desktop.system.logs import redactor

log = logging.getLogger(__name__)

KEYRING_SERVICE = "neo-usage-tray"
KEYRING_ACCOUNT = "api-token"
KEYRING_TIMEOUT_SECONDS = 15.0
TOKEN_FILE_NAME = "token"
TOKEN_FILE_LIMIT = 64 << 10  # bytes: a token is under a hundred; larger is not read at all
_T = TypeVar("_T")


@dataclass(frozen=True)
class TokenLookup:
    token: str | None
    source: Literal["environment", "keyring", "file", "none"]
    #: Why the keyring could not be read, when it could not; the env token may still be there.
    keyring_problem: str | None = None


class KeyringWaits:
    """The app's waits on keyring calls, which the process can abandon when it quits.

    A keyring call cannot be cancelled (a D-Bus call waits for its reply, an unlock prompt for
    the user), so each runs on a daemon thread that the caller waits on; `abandon` ends every
    such wait, now and later, at once: quitting must not wait for a keyring that never answers.
    The daemon threads end with the process.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: set[threading.Event] = set()
        self._abandoned = False

    @property
    def abandoned(self) -> bool:
        return self._abandoned

    def abandon(self) -> None:
        with self._lock:
            self._abandoned = True
            for done in self._waiting:
                done.set()

    def call(self, action: Callable[[], _T], what: str, timeout: float) -> _T:
        """Run `action` on a daemon thread and wait at most `timeout` seconds (less once
        abandoned); every failure becomes KeyringUnavailable."""
        outcome: list[_T] = []
        failure: list[BaseException] = []
        done = threading.Event()

        def run() -> None:
            try:
                outcome.append(action())
            except BaseException as exc:  # any backend error: DBus, locked, missing, cancelled
                failure.append(exc)
            finally:
                done.set()

        with self._lock:
            if self._abandoned:
                raise KeyringUnavailable(detail=f"keyring {what} not started: quitting")
            self._waiting.add(done)
        try:
            threading.Thread(target=run, name=f"keyring-{what}", daemon=True).start()
            done.wait(timeout)
        finally:
            with self._lock:
                self._waiting.discard(done)
        if failure:
            exc = failure[0]
            raise KeyringUnavailable(detail=f"keyring {what} failed: {type(exc).__name__}: {exc}")
        if outcome:
            return outcome[0]
        if self._abandoned:
            raise KeyringUnavailable(detail=f"keyring {what} abandoned: quitting")
        raise KeyringUnavailable(
            _(
                "The system keyring did not answer (is it locked?). You can set {variable} instead."
            ).format(variable=TOKEN_ENV),
            f"keyring {what} timed out",
        )


#: Every keyring wait of this process (the quit path abandons them).
keyring_waits = KeyringWaits()


def abandon_keyring_waits() -> None:
    """The process is quitting: no keyring wait may hold it (see `KeyringWaits`)."""
    keyring_waits.abandon()


def _keyring_call(action: Callable[[], _T], what: str) -> _T:
    """Run one keyring call with a time limit, turning every failure into KeyringUnavailable."""
    return keyring_waits.call(action, what, KEYRING_TIMEOUT_SECONDS)


def keyring_entry(account_id: str = DEFAULT_ID) -> str:
    """The keyring's user name for an account; the first release's account keeps its entry."""
    return KEYRING_ACCOUNT + storage_suffix(account_id)


def _get_from_keyring(account_id: str = DEFAULT_ID) -> str | None:
    import keyring

    value = keyring.get_password(KEYRING_SERVICE, keyring_entry(account_id))
    return value if isinstance(value, str) else None


def token_file(account_id: str = DEFAULT_ID) -> Path:
    """Where the opt-in token file lives (desktops without a keyring): outside the settings."""
    return paths.data_dir() / (TOKEN_FILE_NAME + storage_suffix(account_id))


def _read_token_file(account_id: str = DEFAULT_ID) -> str | None:
    """The file's token; None when there is none, or when the file cannot be trusted: a link, a
    FIFO, too large, another user's, or in a folder that is not the user's alone."""
    path = token_file(account_id)
    try:
        text = safe_files.read_file(path, TOKEN_FILE_LIMIT).decode("utf-8").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        log.warning("Not using the token file %s: %s", path, exc)
        return None
    return text or None


def load_token(environ: dict[str, str] | None = None, account_id: str = DEFAULT_ID) -> TokenLookup:
    """An account's token: the environment first (with NEO_API_TOKEN set, the process has only
    the "environment" account), then the account's keyring entry, then its opt-in file."""
    env = os.environ if environ is None else environ
    env_token = env.get(TOKEN_ENV, "").strip()
    if env_token:
        redactor.add_secret(env_token)
        return TokenLookup(env_token, "environment")
    problem: str | None = None
    try:
        stored = _keyring_call(lambda: _get_from_keyring(account_id), "read")
    except KeyringUnavailable as exc:
        # Quitting cut it short: not a keyring problem worth a warning.
        log.log(logging.INFO if keyring_waits.abandoned else logging.WARNING, "%s", exc.detail)
        stored, problem = None, exc.user_message
    if stored and stored.strip():
        redactor.add_secret(stored.strip())
        return TokenLookup(stored.strip(), "keyring")
    from_file = _read_token_file(account_id)
    if from_file:
        redactor.add_secret(from_file)
        return TokenLookup(from_file, "file", problem)
    return TokenLookup(None, "none", problem)


def keyring_works() -> bool:
    """Whether a keyring backend answers (a read, which never prompts for a new secret)."""
    try:
        _keyring_call(_get_from_keyring, "probe")
    except KeyringUnavailable:
        return False
    return True


def save_token(token: str, account_id: str = DEFAULT_ID) -> None:
    import keyring

    token = token.strip()
    redactor.add_secret(token)
    entry = keyring_entry(account_id)
    _keyring_call(lambda: keyring.set_password(KEYRING_SERVICE, entry, token), "save")


def save_token_to_file(token: str, account_id: str = DEFAULT_ID) -> Path:
    """The opt-in home where no keyring works: a file only its owner can read (0600 in 0700)."""
    token = token.strip()
    redactor.add_secret(token)
    path = token_file(account_id)
    safe_files.write_atomically(path, token.encode("utf-8") + b"\n")
    return path


def move_file_token_to_keyring(account_id: str = DEFAULT_ID) -> bool:
    """A keyring appeared: keep the file's token there and delete the file. False: no file."""
    token = _read_token_file(account_id)
    if token is None:
        return False
    save_token(token, account_id)
    token_file(account_id).unlink(missing_ok=True)
    return True


def delete_token(account_id: str = DEFAULT_ID) -> None:
    """Sign out (or remove the account): its token leaves the keyring and the file."""
    import keyring
    from keyring.errors import PasswordDeleteError

    entry = keyring_entry(account_id)

    def delete() -> None:
        try:
            keyring.delete_password(KEYRING_SERVICE, entry)
        except PasswordDeleteError:
            pass  # nothing stored: already signed out

    path = token_file(account_id)
    # Never in someone else's folder; a link goes, never what it points to.
    had_file = safe_files.folder_problem(path.parent) is None and (
        path.is_symlink() or path.exists()
    )
    if had_file:
        path.unlink(missing_ok=True)
    try:
        _keyring_call(delete, "delete")
    except KeyringUnavailable:
        if not had_file:
            raise  # nothing was removed anywhere: say why
