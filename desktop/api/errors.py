"""One exception type per failure a user can see: a sentence for the user, detail for the log.

Each carries the `--once` exit code of its class, so the command line and the tray agree on meaning.
"""

from __future__ import annotations

from desktop.core.bad_response import BadResponse

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_AUTH = 3
EXIT_UNREACHABLE = 4
EXIT_BAD_RESPONSE = 5


class NeoError(Exception):
    """Base of every failure the app explains to its user."""

    exit_code = EXIT_UNREACHABLE
    #: True where polling again cannot help until the user acts (401, 403, no token).
    needs_user_action = False

    def __init__(self, user_message: str, detail: str = "") -> None:
        super().__init__(user_message)
        self.user_message = user_message
        self.detail = detail or user_message


class NoToken(NeoError):
    exit_code = EXIT_AUTH
    needs_user_action = True


class KeyringUnavailable(NeoError):
    """The OS keyring is missing, locked or failing; the environment token still works."""

    exit_code = EXIT_AUTH
    needs_user_action = True


class AuthRejected(NeoError):
    """401: the token is wrong or expired."""

    exit_code = EXIT_AUTH
    needs_user_action = True


class NoPermission(NeoError):
    """403: team members and viewers may not read the usage summary."""

    exit_code = EXIT_AUTH
    needs_user_action = True


class InvalidSetting(NeoError):
    """The request was refused before sending: bad base URL, insecure URL, bad range."""

    exit_code = EXIT_USAGE
    needs_user_action = True


class NotFound(NeoError):
    """404: most likely a wrong base URL."""

    exit_code = EXIT_UNREACHABLE


class RateLimited(NeoError):
    """429: back off, for `retry_after` seconds when the server said so."""

    exit_code = EXIT_UNREACHABLE

    def __init__(self, user_message: str, detail: str = "", retry_after: float | None = None):
        super().__init__(user_message, detail)
        self.retry_after = retry_after


class ServerError(NeoError):
    """5xx from the API or a proxy in front of it."""

    exit_code = EXIT_UNREACHABLE


class Unreachable(NeoError):
    """DNS, refused connection, timeout, TLS failure, refused redirect."""

    exit_code = EXIT_UNREACHABLE


class UnexpectedResponse(NeoError):
    """A response the app cannot use: bad body, or an HTTP status the API does not document."""

    exit_code = EXIT_BAD_RESPONSE

    @classmethod
    def from_bad_response(cls, error: BadResponse) -> UnexpectedResponse:
        return cls(error.user_message, error.detail)
