"""Every failure a user can see, as a type: its kind, its `--once` exit code and its sentences.

Each type carries a full sentence (marked for translation, said in the user's language when the
error is made) for the detail window, the tooltip and `--once`, and a short one of at
most 60 characters (menus and status bars); the log keeps `detail`. Import-free, so it stays light.
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar

from desktop.core.environment import TOKEN_ENV
from desktop.core.i18n import N_, _

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_AUTH = 3
EXIT_UNREACHABLE = 4
EXIT_BAD_RESPONSE = 5
SHORT_MESSAGE_LIMIT = 60


class ErrorKind(StrEnum):
    """What went wrong, in the terms the views draw differently."""

    NO_TOKEN = "no_token"
    AUTH_REJECTED = "auth_rejected"
    NO_PERMISSION = "no_permission"
    SETTINGS = "settings"
    RATE_LIMITED = "rate_limited"
    OFFLINE = "offline"  # unreachable, timeout, 5xx, 404, bad response: try again later


#: Kinds that polling again cannot fix until the user acts.
NEEDS_USER_ACTION = frozenset(
    {ErrorKind.NO_TOKEN, ErrorKind.AUTH_REJECTED, ErrorKind.NO_PERMISSION, ErrorKind.SETTINGS}
)


class NeoError(Exception):
    """Base of every failure the app explains to its user."""

    exit_code: ClassVar[int] = EXIT_UNREACHABLE
    kind: ClassVar[ErrorKind] = ErrorKind.OFFLINE
    message: ClassVar[str] = N_("Something went wrong while fetching Neo usage.")
    short: ClassVar[str] = N_("Cannot fetch usage — retrying later")

    def __init__(
        self, user_message: str | None = None, detail: str = "", *, short: str | None = None
    ) -> None:
        text = user_message or _(self.message).format(variable=TOKEN_ENV)
        super().__init__(text)
        self.user_message = text
        self.short_message = short or _(self.short)
        self.detail = detail or text


class NoToken(NeoError):
    exit_code = EXIT_AUTH
    kind = ErrorKind.NO_TOKEN
    message = N_("No Neo API token is set: save one in Settings or set {variable}.")
    short = N_("No token set — choose “Set token…”")


class BadToken(NeoError):
    """The token cannot be sent at all: a header cannot carry its characters."""

    exit_code = EXIT_AUTH
    kind = ErrorKind.AUTH_REJECTED
    message = N_(
        "The token has characters a header cannot carry (only printable ASCII): paste it again."
    )
    short = N_("The token has invalid characters")


class KeyringUnavailable(NeoError):
    """The OS keyring is missing, locked or failing; the environment token still works."""

    exit_code = EXIT_AUTH
    kind = ErrorKind.NO_TOKEN
    message = N_("The system keyring is not available. You can set {variable} instead.")
    short = N_("The system keyring is not available")


class AuthRejected(NeoError):
    """401: the token is wrong or expired."""

    exit_code = EXIT_AUTH
    kind = ErrorKind.AUTH_REJECTED
    message = N_("Sign-in failed: the Neo API rejected the token (wrong or expired).")
    short = N_("Sign-in failed — check your token")


class NoPermission(NeoError):
    """403: team members and viewers may not read the usage summary."""

    exit_code = EXIT_AUTH
    kind = ErrorKind.NO_PERMISSION
    message = N_(
        "No permission to see usage: ask your team admin (team members and viewers cannot read "
        "the usage summary)."
    )
    short = N_("No permission — ask your team admin")


class NoSpendingCap(NoPermission):
    """403 on the summary, and `/api/v1/user` says the caller's team sets no spending cap (`cap`
    null): nothing to show in member mode, so the same state as `NoPermission`, said fully."""

    message = N_(
        "No permission to see usage: ask your team admin (team members and viewers cannot read "
        "the usage summary); your team has no spending cap."
    )
    short = N_("No permission, no team cap — ask your team admin")


class InvalidSetting(NeoError):
    """The request was refused before sending: bad base URL, insecure URL, bad range."""

    exit_code = EXIT_USAGE
    kind = ErrorKind.SETTINGS
    message = N_("A setting is not valid.")
    short = N_("A setting is not valid — open Settings")


class NotFound(NeoError):
    """404: most likely a wrong base URL."""

    kind = ErrorKind.OFFLINE
    message = N_("The usage API was not found at this address: check the API address.")
    short = N_("Usage API not found — check the address")


class RateLimited(NeoError):
    """429: back off, for `retry_after` seconds when the server said so."""

    kind = ErrorKind.RATE_LIMITED
    message = N_("The Neo API is rate limiting requests.")
    short = N_("Rate limited — retrying later")

    def __init__(
        self, user_message: str | None = None, detail: str = "", retry_after: float | None = None
    ) -> None:
        super().__init__(user_message, detail)
        self.retry_after = retry_after


class ServerError(NeoError):
    """5xx from the API or a proxy in front of it."""

    kind = ErrorKind.OFFLINE
    message = N_("The Neo API is having trouble.")
    short = N_("The Neo API is having trouble — retrying")


class Unreachable(NeoError):
    """DNS, refused connection, timeout, TLS failure, refused redirect."""

    kind = ErrorKind.OFFLINE
    message = N_("Cannot reach the Neo API.")
    short = N_("Offline — cannot reach the Neo API")


class UnexpectedResponse(NeoError):
    """A response the app cannot use: bad body, or an HTTP status the API does not document."""

    exit_code = EXIT_BAD_RESPONSE
    kind = ErrorKind.OFFLINE
    message = N_("The Neo API sent a response this app does not understand.")
    short = N_("Unexpected answer from the Neo API")


class ResponseTooLarge(UnexpectedResponse):
    """A body over the size cap; a task page so refused is asked again with a smaller limit."""
