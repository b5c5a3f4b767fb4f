"""The Neo usage API client: one safe GET of the usage summary, every failure typed.

Safety rules it keeps: the token never leaves the configured origin (redirects are followed only
within it), never travels over plain HTTP to a host that is not loopback, and never appears in
an error message. Bodies are capped; timeouts are bounded; TLS is always verified.
"""

from __future__ import annotations

import email.utils
import json
import logging
import platform
import re
import time
from datetime import UTC, datetime
from typing import Self

import httpx

from desktop import __version__
from desktop.core import fmt
from desktop.core.errors import (
    AuthRejected,
    InvalidSetting,
    NeoError,
    NoPermission,
    NotFound,
    NoToken,
    RateLimited,
    ServerError,
    UnexpectedResponse,
    Unreachable,
)
from desktop.core.models import UsageSummary, parse_summary
from desktop.core.query import AuthScheme, UsageQuery, is_loopback_host, validate_base_url

log = logging.getLogger(__name__)

SUMMARY_PATH = "/api/v1/usage/summary"
MAX_BODY_BYTES = 32 * 1024 * 1024
MAX_REDIRECTS = 5
TOTAL_DEADLINE_SECONDS = 45.0  # a server trickling bytes forever still ends
DEFAULT_TIMEOUT = httpx.Timeout(connect=10.0, read=20.0, write=10.0, pool=10.0)
USER_AGENT = f"neo-usage-tray/{__version__} ({platform.system() or 'unknown'})"


def parse_base_url(base_url: str) -> httpx.URL:
    """The checked base address as httpx reads it; InvalidSetting when either check fails."""
    checked = validate_base_url(base_url)
    try:
        return httpx.URL(checked)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise InvalidSetting(
            f"The API address {base_url!r} is not a valid URL.", "unparseable base URL"
        ) from None


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return seconds if seconds >= 0 else None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def error_body_message(body: bytes, limit: int = 160) -> str:
    """A short, printable reason from an error body: JSON message, HTML title, or plain text."""
    text = body[:8192].decode("utf-8", "replace").strip()
    if not text:
        return ""
    message = ""
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if isinstance(data, dict):
            for key in ("message", "error", "detail", "error_description"):
                if isinstance(data.get(key), str):
                    message = data[key]
                    break
    elif text.startswith("<"):
        match = _TITLE.search(text)
        message = match.group(1) if match else ""
    else:
        message = text.splitlines()[0]
    message = _CONTROL.sub(" ", message).strip()
    return message[:limit]


class NeoClient:
    """One httpx client per poller or process; `fetch_summary` is the only network call."""

    def __init__(
        self,
        base_url: str,
        token: str | None,
        auth_scheme: AuthScheme = AuthScheme.BEARER,
        *,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
        max_body_bytes: int = MAX_BODY_BYTES,
        deadline_seconds: float = TOTAL_DEADLINE_SECONDS,
    ) -> None:
        self.base_url = parse_base_url(base_url)
        self._token = token.strip() if token else None
        self.auth_scheme = AuthScheme(auth_scheme)
        self._max_body_bytes = max_body_bytes
        self._deadline_seconds = deadline_seconds
        self._http = httpx.Client(
            timeout=timeout,
            transport=transport,
            follow_redirects=False,
            verify=True,
            # Proxies from the environment apply, except to this machine, which no proxy reaches.
            trust_env=not is_loopback_host(self.base_url.host),
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _redact(self, text: str) -> str:
        return text.replace(self._token, "[token]") if self._token else text

    def _auth_headers(self) -> dict[str, str]:
        if not self._token:
            raise NoToken(detail="no token")
        if any(ch in self._token for ch in "\r\n\x00"):
            raise InvalidSetting("The Neo API token contains invalid characters.", "bad token")
        if self.auth_scheme is AuthScheme.X_API_KEY:
            return {"X-Api-Key": self._token}
        return {"Authorization": f"Bearer {self._token}"}

    def summary_url(self) -> httpx.URL:
        return self.base_url.join(self.base_url.path.rstrip("/") + SUMMARY_PATH)

    def fetch_summary(self, query: UsageQuery | None = None) -> UsageSummary:
        """GET the usage summary; raises a `NeoError` subclass for every failure."""
        headers = self._auth_headers()
        url = self.summary_url().copy_merge_params((query or UsageQuery()).params())
        started = time.monotonic()
        try:
            status, response_headers, body = self._get_following_same_origin(url, headers, started)
        except NeoError:
            raise
        except httpx.TimeoutException as exc:
            raise Unreachable(
                "The Neo API did not answer in time.", self._redact(f"timeout: {exc!r}")
            ) from None
        except httpx.HTTPError as exc:
            raise Unreachable(
                f"Cannot reach the Neo API at {self.base_url.host}.",
                self._redact(f"{type(exc).__name__}: {exc}"),
            ) from None
        except OSError as exc:  # raised below httpx on some platforms (e.g. proxy sockets)
            raise Unreachable(
                f"Cannot reach the Neo API at {self.base_url.host}.", self._redact(repr(exc))
            ) from None
        return self._interpret(status, response_headers, body)

    def _get_following_same_origin(
        self, url: httpx.URL, headers: dict[str, str], started: float
    ) -> tuple[int, httpx.Headers, bytes]:
        origin = (url.scheme, url.host, url.port)
        for _ in range(MAX_REDIRECTS + 1):
            with self._http.stream("GET", url, headers=headers) as response:
                if not response.is_redirect:
                    return (
                        response.status_code,
                        response.headers,
                        self._read_capped(response, started),
                    )
                location = response.headers.get("Location", "")
            target = url.join(location)
            if (target.scheme, target.host, target.port) != origin:
                raise Unreachable(
                    "The Neo API redirected to another site; the token was not sent there.",
                    f"refused cross-origin redirect to {target.scheme}://{target.host}",
                )
            url = target
        raise Unreachable("The Neo API redirected too many times.", "redirect loop")

    def _read_capped(self, response: httpx.Response, started: float) -> bytes:
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > self._max_body_bytes:
                    raise UnexpectedResponse(
                        "The Neo API sent a response far larger than a usage summary.",
                        f"body over {self._max_body_bytes} bytes",
                    )
                if time.monotonic() - started > self._deadline_seconds:
                    raise Unreachable(
                        "The Neo API is answering too slowly.", "total deadline exceeded"
                    )
                chunks.append(chunk)
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.DecodingError) as exc:
            # Headers arrived, the body did not: a cut-off response, not a network outage.
            if response.status_code != 200:
                return b"".join(chunks)  # an error status says enough without its body
            raise UnexpectedResponse(
                "The Neo API response was cut off before it ended.",
                f"incomplete body after {size} bytes: {type(exc).__name__}",
            ) from None
        return b"".join(chunks)

    def _interpret(self, status: int, headers: httpx.Headers, body: bytes) -> UsageSummary:
        reason = self._redact(error_body_message(body)) if status >= 400 else ""
        detail = f"HTTP {status}" + (f": {reason}" if reason else "")
        if status == 200:
            return parse_summary(body)
        if status == 401:
            raise AuthRejected(detail=detail)
        if status == 403:
            raise NoPermission(detail=detail)
        if status == 404:
            raise NotFound(
                f"The usage API was not found at {self.base_url}: check the API address.", detail
            )
        if status == 429:
            retry_after = parse_retry_after(headers.get("Retry-After"))
            wait = f" (it asks to wait {fmt.duration(retry_after)})" if retry_after else ""
            raise RateLimited(
                f"The Neo API is rate limiting requests{wait}.", detail, retry_after=retry_after
            )
        if 500 <= status <= 599:
            raise ServerError(f"The Neo API is having trouble (HTTP {status}).", detail)
        raise UnexpectedResponse(f"The Neo API answered with unexpected HTTP {status}.", detail)
