"""The token's home: the OS keyring, with `NEO_API_TOKEN` overriding it, and, only where no
keyring works and the user opts in, a file only they can read.

keyring calls may block on an unlock prompt, so callers run them off the UI thread; every
keyring failure becomes `KeyringUnavailable` with a sentence that points to `NEO_API_TOKEN`.
Before a read, the Secret Service is asked over D-Bus, without any prompt, whether it has a
default keyring and whether it is unlocked (`keyring_state`): a keyring that is not set up is
never read (reading it would ask for a new keyring's password), a locked one at most once per
tray (`--once` never: a status bar must not wait on a prompt).

In the demo (`paths.sandbox()` set) the token store is this process's memory and the file in its
sandbox: the demo never reads or writes the user's keyring, environment token or token file.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal, TypeVar

from desktop.core.accounts import DEFAULT_ID, storage_suffix
from desktop.core.environment import TOKEN_ENV
from desktop.core.errors import KeyringUnavailable, NoToken
from desktop.core.i18n import _
from desktop.system import paths, safe_files
from desktop.system.logs import redactor

log = logging.getLogger(__name__)

KEYRING_SERVICE = "neo-usage-tray"
KEYRING_ACCOUNT = "api-token"
KEYRING_TIMEOUT_SECONDS = 15.0
TOKEN_FILE_NAME = "token"
TOKEN_FILE_LIMIT = 64 << 10  # bytes: a token is under a hundred; larger is not read at all
PROBE_TIMEOUT_SECONDS = 2.0  # each D-Bus call of the probe (a started service answers in ms)
SECRETS_BUS_NAME = "org.freedesktop.secrets"
SECRETS_PATH = "/org/freedesktop/secrets"
_T = TypeVar("_T")


class KeyringState(StrEnum):
    """What a keyring read would do, found without prompting."""

    READY = "ready"  # set up and unlocked: a read answers at once
    LOCKED = "locked"  # its default keyring is locked: a read asks the user to unlock it
    NOT_SET_UP = "not_set_up"  # no default keyring yet: a read asks for a new keyring's password
    OTHER = "other"  # not the Secret Service (macOS, Windows, KWallet, none): read as before

    @property
    def readable(self) -> bool:
        """Whether a read cannot raise a prompt (OTHER: as far as this app can tell)."""
        return self in (KeyringState.READY, KeyringState.OTHER)

    def problem(self) -> str | None:
        """The sentence for a token that was not read because of this state, or None."""
        if self is KeyringState.LOCKED:
            return _(
                "The system keyring is locked, so its token was not read. Unlock it (log in "
                "again, or open your keyring manager, such as Passwords and Keys), save the "
                "token in a file in Settings, or set {variable}."
            ).format(variable=TOKEN_ENV)
        if self is KeyringState.NOT_SET_UP:
            return _(
                "The system keyring is not set up yet, so no token was read from it. Create "
                "a default keyring (such as with Passwords and Keys), save the token in a "
                "file in Settings, or set {variable}."
            ).format(variable=TOKEN_ENV)
        return None

    def short(self) -> str:
        """A few words for a status bar or a menu line."""
        if self is KeyringState.LOCKED:
            return _("Keyring locked — unlock it or use a token file")
        return _("No keyring set up — use a token file")


@dataclass(frozen=True)
class TokenLookup:
    token: str | None
    source: Literal["environment", "keyring", "file", "none"]
    #: Why the keyring could not be read, when it could not; the env token may still be there.
    keyring_problem: str | None = None
    #: The same in a few words (a status bar, a menu line).
    keyring_short: str | None = None

    def required(self, account_id: str) -> str:
        """The token, or the error a missing one is: the keyring's problem when it was not
        read (KeyringUnavailable), else NoToken; both exit 3."""
        if self.token is not None:
            return self.token
        if self.keyring_problem:
            raise KeyringUnavailable(
                self.keyring_problem,
                f"no token: keyring unread ({account_id})",
                short=self.keyring_short,
            )
        raise NoToken(detail=f"no token for account {account_id}")


class MemoryTokenStore:
    """The demo's keyring: entries in this process's memory, gone when it quits."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, str] = {}

    def get(self, entry: str) -> str | None:
        with self._lock:
            return self._entries.get(entry)

    def set(self, entry: str, token: str) -> None:
        with self._lock:
            self._entries[entry] = token

    def delete(self, entry: str) -> None:
        with self._lock:
            self._entries.pop(entry, None)


#: The demo's token store; used only while `paths.sandbox()` is set.
sandbox_store = MemoryTokenStore()


def _in_sandbox() -> bool:
    return paths.sandbox() is not None


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
    if _in_sandbox():
        return sandbox_store.get(keyring_entry(account_id))
    import keyring

    value = keyring.get_password(KEYRING_SERVICE, keyring_entry(account_id))
    return value if isinstance(value, str) else None


def _uses_secret_service() -> bool:
    """Whether keyring reads go to the freedesktop Secret Service (directly or first in a
    chain): only there can a read raise gnome-keyring's prompts."""
    import keyring

    try:
        from keyring.backends.chainer import ChainerBackend
        from keyring.backends.SecretService import Keyring as SecretServiceKeyring
    except ImportError:  # another platform: no Secret Service backend at all
        return False
    backend: Any = keyring.get_keyring()
    chain = backend.backends if isinstance(backend, ChainerBackend) else [backend]
    return any(isinstance(item, SecretServiceKeyring) for item in chain)


def secret_service_state(timeout: float = PROBE_TIMEOUT_SECONDS) -> KeyringState:
    """Ask the Secret Service over the session bus, without any prompt, whether it has a default
    keyring (ReadAlias("default") is "/" when not) and whether that is locked. A service that is
    not running is started by D-Bus as a read would start it (starting raises no prompt).
    Raises OSError or jeepney's errors when the bus or the service fails."""
    from jeepney import DBusAddress, Properties, new_method_call
    from jeepney.io.blocking import open_dbus_connection
    from jeepney.wrappers import unwrap_msg

    service = DBusAddress(SECRETS_PATH, SECRETS_BUS_NAME, "org.freedesktop.Secret.Service")
    with open_dbus_connection(bus="SESSION") as connection:
        reply = connection.send_and_get_reply(
            new_method_call(service, "ReadAlias", "s", ("default",)), timeout=timeout
        )
        (path,) = unwrap_msg(reply)
        if path == "/":
            return KeyringState.NOT_SET_UP
        collection = DBusAddress(path, SECRETS_BUS_NAME, "org.freedesktop.Secret.Collection")
        reply = connection.send_and_get_reply(Properties(collection).get("Locked"), timeout=timeout)
        ((_signature, locked),) = unwrap_msg(reply)
    return KeyringState.LOCKED if locked else KeyringState.READY


def keyring_state() -> KeyringState:
    """What a keyring read would do, found in well under a second and never by prompting. A
    Secret Service that does not answer the probe counts as locked: reading it could wait on
    a prompt."""
    if _in_sandbox():
        return KeyringState.READY  # the demo's memory store
    try:
        if not _uses_secret_service():
            return KeyringState.OTHER
        return secret_service_state()
    except Exception as exc:  # no bus, no service, a timeout, a malformed reply
        log.info("Keyring probe failed: %s: %s", type(exc).__name__, exc)
        return KeyringState.LOCKED


class UnlockPrompts:
    """The tray may ask the user to unlock a locked keyring once per run, never again: a
    dismissed prompt must not come back at every poll."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._left = 1

    def take(self) -> bool:
        with self._lock:
            if self._left <= 0:
                return False
            self._left -= 1
            return True


unlock_prompts = UnlockPrompts()


def token_file(account_id: str = DEFAULT_ID) -> Path:
    """Where the opt-in token file lives (desktops without a keyring): outside the settings."""
    return paths.data_dir() / (TOKEN_FILE_NAME + storage_suffix(account_id))


def _read_token_file(account_id: str = DEFAULT_ID) -> tuple[str | None, str | None]:
    """(the file's token, why the file was refused): no token when there is none, or when the
    file cannot be trusted (a link, a FIFO, too large, another user's, or in a folder that is
    not the user's alone: then the sentence naming it says so)."""
    path = token_file(account_id)
    try:
        text = safe_files.read_file(path, TOKEN_FILE_LIMIT).decode("utf-8").strip()
    except FileNotFoundError:
        return None, None
    except (safe_files.RefusedFile, safe_files.RefusedFolder) as exc:
        log.warning("Not using the token file %s: %s", path, exc)
        return None, _("The token file cannot be used: {reason}").format(reason=exc)
    except (OSError, UnicodeDecodeError) as exc:
        log.warning("Not using the token file %s: %s", path, exc)
        return None, None
    return text or None, None


def load_token(
    environ: dict[str, str] | None = None,
    account_id: str = DEFAULT_ID,
    *,
    may_prompt: bool = True,
) -> TokenLookup:
    """An account's token: the environment first (with NEO_API_TOKEN set, the process has only
    the "environment" account), then the account's keyring entry if the keyring is set up and
    unlocked, then its opt-in file. `may_prompt`: a locked keyring may be read (asking the user
    to unlock it) once in this process; False (`--once`) never. `keyring_problem` says why the
    keyring was not read; with no token it is the answer's sentence."""
    env = {} if _in_sandbox() else os.environ if environ is None else environ
    env_token = env.get(TOKEN_ENV, "").strip()
    if env_token:
        redactor.add_secret(env_token)
        return TokenLookup(env_token, "environment")
    problem: str | None = None
    short: str | None = None
    stored: str | None = None
    state = keyring_state()
    if state.readable or (state is KeyringState.LOCKED and may_prompt and unlock_prompts.take()):
        try:
            stored = _keyring_call(lambda: _get_from_keyring(account_id), "read")
        except KeyringUnavailable as exc:
            # Quitting cut it short: not a keyring problem worth a warning.
            level = logging.INFO if keyring_waits.abandoned else logging.WARNING
            log.log(level, "%s", exc.detail)
            problem = exc.user_message
    else:
        log.info("Keyring not read: %s", state.value)
        problem, short = state.problem(), state.short()
    if stored and stored.strip():
        redactor.add_secret(stored.strip())
        return TokenLookup(stored.strip(), "keyring")
    from_file, refused = _read_token_file(account_id)
    if from_file:
        redactor.add_secret(from_file)
        return TokenLookup(from_file, "file", problem, short)
    if refused:  # the answer names the refused file first, then what the keyring said
        problem, short = " ".join(filter(None, (refused, problem))), _("Token file refused")
    return TokenLookup(None, "none", problem, short)


def keyring_works() -> bool:
    """Whether a keyring can be read now without a prompt: a Secret Service that is set up and
    unlocked, or another backend that answers a read."""
    state = keyring_state()
    if state is not KeyringState.OTHER:
        return state is KeyringState.READY
    try:
        _keyring_call(_get_from_keyring, "probe")
    except KeyringUnavailable:
        return False
    return True


def save_token(token: str, account_id: str = DEFAULT_ID) -> None:
    """Keep the token in the keyring (which may ask to create or unlock it: the user asked)."""
    token = token.strip()
    redactor.add_secret(token)
    entry = keyring_entry(account_id)
    if _in_sandbox():
        sandbox_store.set(entry, token)
        return
    import keyring

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
    token, _refused = _read_token_file(account_id)
    if token is None:
        return False
    save_token(token, account_id)
    token_file(account_id).unlink(missing_ok=True)
    return True


def delete_token(account_id: str = DEFAULT_ID) -> None:
    """Sign out (or remove the account): its token leaves the keyring and the file."""
    entry = keyring_entry(account_id)

    def delete() -> None:
        if _in_sandbox():
            sandbox_store.delete(entry)
            return
        import keyring
        from keyring.errors import PasswordDeleteError

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
