"""The domain's request values: what to ask the usage API for, how to sign it, and where.

Pure: the base-URL check uses `urllib.parse`, so the settings can validate an address without
loading the HTTP client.
"""

from __future__ import annotations

import ipaddress
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

from desktop.core.environment import URL_ENV
from desktop.core.errors import InvalidSetting
from desktop.core.i18n import _
from desktop.core.instants import utc_text

DEFAULT_BASE_URL = "https://neo.api.projectdiscovery.io"


class AuthScheme(StrEnum):
    """How the token is sent: the one home of each scheme's header (the client sends it, the
    settings show it)."""

    BEARER = "bearer"
    X_API_KEY = "x-api-key"

    def header(self, token: str) -> tuple[str, str]:
        """The header that sends `token`, as (name, value): ("Authorization", "Bearer <token>")
        or ("X-Api-Key", "<token>")."""
        if self is AuthScheme.X_API_KEY:
            return "X-Api-Key", token
        return "Authorization", f"Bearer {token}"

    def header_text(self, token: str) -> str:
        """The header as the settings show it, e.g. "X-Api-Key: <token>"."""
        name, value = self.header(token)
        return f"{name}: {value}".strip().rstrip(":")

    @property
    def header_label(self) -> str:
        """The header without a token, as a test result names it: "Authorization: Bearer" or
        "X-Api-Key"."""
        return self.header_text("")


class GroupBy(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


class _QueryFields(NamedTuple):
    start: datetime | None = None
    end: datetime | None = None
    group_by: GroupBy | None = None


class UsageQuery(_QueryFields):
    """The optional window and grouping of one summary request, validated on creation (a named
    tuple: a frozen dataclass costs the status bar's path `dataclasses` and `inspect`)."""

    __slots__ = ()

    def __new__(
        cls,
        start: datetime | None = None,
        end: datetime | None = None,
        group_by: GroupBy | None = None,
    ) -> UsageQuery:
        for instant in (start, end):
            if instant is not None and instant.tzinfo is None:
                raise InvalidSetting(
                    _("Dates must carry a time zone."), f"naive datetime {instant}"
                )
        if start and end and start > end:
            raise InvalidSetting(
                _("The start of the range is after its end."), f"from {start} > to {end}"
            )
        return super().__new__(cls, start, end, group_by)

    def params(self) -> dict[str, str]:
        params: dict[str, str] = {}
        if self.start is not None:
            params["from"] = utc_text(self.start)
        if self.end is not None:
            params["to"] = utc_text(self.end)
        if self.group_by is not None:
            params["group_by"] = self.group_by.value
        return params


def is_loopback_host(host: str) -> bool:
    """A literal loopback address, or exactly `localhost`: names that merely end in .localhost
    are resolved by whoever answers for them, so they are not trusted with plain HTTP."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def validate_base_url(base_url: str) -> str:
    """The address, trimmed, if it may carry the token: http(s) only, plain HTTP only to this
    computer, no credentials, query or fragment in it; raises InvalidSetting otherwise. The one
    rule for every address: the settings', NEO_API_URL, and the one a client is made with."""
    text = base_url.strip()
    if not text:
        raise InvalidSetting(
            _("No API address is set: set one in Settings, or set {variable}.").format(
                variable=URL_ENV
            ),
            "no base URL",
        )
    invalid = InvalidSetting(
        _("The API address {address} is not a valid URL.").format(address=repr(base_url)),
        "unparseable base URL",
    )
    # Raw or percent-encoded (`%00`), a control character has no place in an address.
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in text + unquote(text)):
        raise invalid
    try:
        parts = urlsplit(text)
        _port = parts.port  # raises ValueError for a port out of range or not a number
    except ValueError:
        raise invalid from None
    if "?" in text or "#" in text:  # the request's path replaces them: never cut silently
        raise InvalidSetting(
            _(
                "The API address {address} must not have a query (?) or a fragment (#): "
                "they would be dropped."
            ).format(address=repr(base_url)),
            "query or fragment in base URL",
        )
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    if scheme not in {"http", "https"} or not host:
        raise InvalidSetting(
            _("The API address {address} must start with https://.").format(address=repr(base_url)),
            f"scheme {scheme!r}",
        )
    if parts.username is not None or parts.password is not None:
        raise InvalidSetting(_("The API address must not contain a user name or password."))
    if scheme == "http" and not is_loopback_host(host):
        raise InvalidSetting(
            _(
                "Refusing to send the token over plain http:// to a host that is not this "
                "computer; use https://."
            ),
            f"insecure base URL host {host!r}",
        )
    return text
