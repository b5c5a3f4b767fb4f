"""The token's one home: the OS keyring, with `NEO_API_TOKEN` overriding it.

keyring calls may block on an unlock prompt, so callers run them off the UI thread; every
keyring failure becomes `KeyringUnavailable` with a sentence that points to `NEO_API_TOKEN`.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, TypeVar

from desktop.core.environment import TOKEN_ENV
from desktop.core.errors import KeyringUnavailable
from desktop.system.logs import redactor

log = logging.getLogger(__name__)

KEYRING_SERVICE = "neo-usage-tray"
KEYRING_ACCOUNT = "api-token"
KEYRING_TIMEOUT_SECONDS = 15.0
_T = TypeVar("_T")


@dataclass(frozen=True)
class TokenLookup:
    token: str | None
    source: Literal["environment", "keyring", "none"]
    #: Why the keyring could not be read, when it could not; the env token may still be there.
    keyring_problem: str | None = None


def _keyring_call(action: Callable[[], _T], what: str) -> _T:
    """Run one keyring call with a time limit, turning every failure into KeyringUnavailable."""
    outcome: list[_T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(action())
        except BaseException as exc:  # any backend error: DBus, locked, missing, cancelled
            failure.append(exc)

    worker = threading.Thread(target=run, name=f"keyring-{what}", daemon=True)
    worker.start()
    worker.join(KEYRING_TIMEOUT_SECONDS)
    if worker.is_alive():
        raise KeyringUnavailable(
            f"The system keyring did not answer (is it locked?). You can set {TOKEN_ENV} instead.",
            f"keyring {what} timed out",
        )
    if failure:
        exc = failure[0]
        raise KeyringUnavailable(detail=f"keyring {what} failed: {type(exc).__name__}: {exc}")
    return outcome[0]


def _get_from_keyring() -> str | None:
    import keyring

    value = keyring.get_password(KEYRING_SERVICE, KEYRING_ACCOUNT)
    return value if isinstance(value, str) else None


def load_token(environ: dict[str, str] | None = None) -> TokenLookup:
    """The token to use: the environment first, then the keyring."""
    env = os.environ if environ is None else environ
    env_token = env.get(TOKEN_ENV, "").strip()
    if env_token:
        redactor.add_secret(env_token)
        return TokenLookup(env_token, "environment")
    try:
        stored = _keyring_call(_get_from_keyring, "read")
    except KeyringUnavailable as exc:
        log.warning("%s", exc.detail)
        return TokenLookup(None, "none", exc.user_message)
    if stored and stored.strip():
        redactor.add_secret(stored.strip())
        return TokenLookup(stored.strip(), "keyring")
    return TokenLookup(None, "none")


def save_token(token: str) -> None:
    import keyring

    token = token.strip()
    redactor.add_secret(token)
    _keyring_call(lambda: keyring.set_password(KEYRING_SERVICE, KEYRING_ACCOUNT, token), "save")


def delete_token() -> None:
    import keyring
    from keyring.errors import PasswordDeleteError

    def delete() -> None:
        try:
            keyring.delete_password(KEYRING_SERVICE, KEYRING_ACCOUNT)
        except PasswordDeleteError:
            pass  # nothing stored: already signed out

    _keyring_call(delete, "delete")
