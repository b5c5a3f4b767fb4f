"""The Neo usage API client: one safe GET of the usage summary, every failure typed.

Safety rules it keeps: the token never leaves the configured origin (redirects are followed only
within it), never travels over plain HTTP to a host that is not loopback, and never appears in
an error message, not even in part. Bodies are capped on the decoded bytes; one deadline covers
the whole request; TLS is verified against the operating system's trust store.
"""

from __future__ import annotations

import email.utils
import json
import logging
import math
import os
import platform
import re
import ssl
import stat
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Self

import httpx

from desktop import __version__
from desktop.api.deadline import DeadlineBackend, install
from desktop.api.decoding import DecodingError, content_codings, decode
from desktop.core import fmt, sinks
from desktop.core.errors import (
    AuthRejected,
    BadToken,
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
from desktop.core.i18n import _
from desktop.core.models import UsageSummary, parse_summary
from desktop.core.query import AuthScheme, UsageQuery, is_loopback_host, validate_base_url
from desktop.core.redaction import redact
from desktop.core.schedule import MAX_BACKOFF_SECONDS

log = logging.getLogger(__name__)

SUMMARY_PATH = "/api/v1/usage/summary"
MAX_BODY_BYTES = 32 * 1024 * 1024
MAX_REDIRECTS = 5
TOTAL_DEADLINE_SECONDS = 45.0  # connect, TLS, head and body together: a trickling server ends
DEFAULT_TIMEOUT = httpx.Timeout(connect=10.0, read=20.0, write=10.0, pool=10.0)
USER_AGENT = f"neo-usage-tray/{__version__} ({platform.system() or 'unknown'})"
#: Retry-After beyond this is clamped: the backoff's own ceiling is a sane longest wait.
MAX_RETRY_AFTER_SECONDS = MAX_BACKOFF_SECONDS
ERROR_TEXT_LIMIT = 160


def parse_base_url(base_url: str) -> httpx.URL:
    """The checked base address as httpx reads it; InvalidSetting when either check fails."""
    checked = validate_base_url(base_url)
    try:
        return httpx.URL(checked)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise InvalidSetting(
            _("The API address {address} is not a valid URL.").format(address=repr(base_url)),
            "unparseable base URL",
        ) from None


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header (delta-seconds or an HTTP date), at most
    `MAX_RETRY_AFTER_SECONDS`; None when it says nothing usable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():  # a 5,000-digit wait is as long as the longest wait
        return min(float(value) if len(value) < 16 else math.inf, MAX_RETRY_AFTER_SECONDS)
    try:
        seconds = float(value[:64])
    except ValueError:
        pass
    else:
        if math.isnan(seconds) or seconds < 0:
            return None
        return min(seconds, MAX_RETRY_AFTER_SECONDS)
    try:
        when = email.utils.parsedate_to_datetime(value[:64])
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return min(max(0.0, seconds), MAX_RETRY_AFTER_SECONDS)


_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def error_body_message(
    body: bytes, secrets: tuple[str, ...] = (), limit: int = ERROR_TEXT_LIMIT
) -> str:
    """A short, printable reason from an error body: JSON message, HTML title, or plain text.

    Secrets are redacted before anything is cut, so no part of one survives the cut."""
    text = redact(body[:8192].decode("utf-8", "replace"), secrets).strip()
    if not text:
        return ""
    message = ""
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            data = None
        if isinstance(data, dict):
            for key in ("message", "error", "detail", "error_description"):
                if isinstance(data.get(key), str):
                    message = redact(data[key], secrets)
                    break
    elif text.startswith("<"):
        match = _TITLE.search(text)
        message = match.group(1) if match else ""
    else:
        message = text.splitlines()[0]
    # One line for the logs and the sentences that quote it: escape sequences removed whole,
    # other controls visible (the sinks' rule, so stderr shows it as the terminal rule says).
    message = sinks.line_text(message).strip()
    return message[:limit]


def _proxy_problem(exc: Exception) -> InvalidSetting:
    text = str(exc)
    if "socks" in text.lower():
        return InvalidSetting(
            _(
                "The proxy set in the environment (HTTPS_PROXY or ALL_PROXY) uses SOCKS, which "
                "this app does not support: use an http:// proxy, or unset it for the Neo API."
            ),
            f"proxy: {text}",
        )
    return InvalidSetting(
        _(
            "The proxy set in the environment (HTTPS_PROXY, HTTP_PROXY or ALL_PROXY) is not a "
            "valid proxy address: fix or unset it."
        ),
        f"proxy: {text}",
    )


#: OpenSSL's own variables for the trust store (it reads them itself, whatever httpx's trust_env).
TRUST_FILE_ENV = "SSL_CERT_FILE"
TRUST_DIR_ENV = "SSL_CERT_DIR"
# The names OpenSSL opens in a certificate folder: a subject hash, `.`, a number (`r`: a CRL).
_HASHED_CERT_NAME = re.compile(r"[0-9a-fA-F]{8}\.r?[0-9]+")


def trust_store_problem(environ: Mapping[str, str]) -> InvalidSetting | None:
    """Why the trust store named in the environment cannot be read safely, or None.

    OpenSSL opens `SSL_CERT_FILE`, and the certificates in each `SSL_CERT_DIR` folder, with a
    plain blocking open(): a FIFO (or a device) there blocks the request for ever, before any
    socket wait the deadline bounds. Such a path is refused before anything is opened; a path
    that does not exist is left to OpenSSL, which skips it (the certificate is then not
    trusted)."""
    candidates: list[tuple[str, str]] = []
    if environ.get(TRUST_FILE_ENV):
        candidates.append((TRUST_FILE_ENV, environ[TRUST_FILE_ENV]))
    for folder in filter(None, environ.get(TRUST_DIR_ENV, "").split(os.pathsep)):
        try:
            with os.scandir(folder) as entries:
                names = [e.path for e in entries if _HASHED_CERT_NAME.fullmatch(e.name)]
        except OSError:
            continue  # not a folder, or not readable: OpenSSL finds nothing there either
        candidates.extend((TRUST_DIR_ENV, name) for name in names)
    for variable, path in candidates:
        try:
            mode = os.stat(path).st_mode  # follows links, as OpenSSL does; never opens
        except OSError:
            continue
        if not stat.S_ISREG(mode):
            return InvalidSetting(
                _(
                    "{variable} leads to {path}, which is not a regular file, so the trusted "
                    "certificates cannot be read: fix or unset {variable}."
                ).format(variable=variable, path=path),
                f"trust store: {variable} leads to a non-regular file (mode {mode:o})",
            )
    return None


def _trust_context() -> ssl.SSLContext | bool:
    """The operating system's trust store (a company proxy's CA works), else certifi's bundle."""
    try:
        import truststore

        context: ssl.SSLContext = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        return context
    except Exception as exc:  # not installed, or the platform's store cannot load
        log.info("Using certifi's CA bundle: %s", exc)
        return True


def _certificate_problem(exc: BaseException) -> ssl.SSLCertVerificationError | None:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


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
        verify: ssl.SSLContext | bool | None = None,
    ) -> None:
        self.base_url = parse_base_url(base_url)
        if verify is None and self.base_url.scheme == "https":
            problem = trust_store_problem(os.environ)
            if problem is not None:
                raise problem
        self._token = token.strip() if token else None
        self.auth_scheme = AuthScheme(auth_scheme)
        self._max_body_bytes = max_body_bytes
        self._deadline_seconds = deadline_seconds
        self._backend = DeadlineBackend()
        try:
            self._http = httpx.Client(
                timeout=timeout,
                transport=transport,
                follow_redirects=False,
                verify=_trust_context() if verify is None else verify,
                # Proxies from the environment apply, except to this machine, which no proxy
                # reaches.
                trust_env=not is_loopback_host(self.base_url.host),
                headers={
                    "User-Agent": USER_AGENT,
                    "Accept": "application/json",
                    "Accept-Encoding": "gzip, deflate",  # what `decoding` undoes, capped
                },
            )
        except (ImportError, ValueError, httpx.InvalidURL) as exc:
            raise _proxy_problem(exc) from None
        install(self._http, self._backend)

    def close(self) -> None:
        self._http.close()

    def cancel(self) -> None:
        """From any thread: end the request in flight now (it fails as unreachable)."""
        self._backend.cancel()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def _secrets(self) -> tuple[str, ...]:
        return (self._token,) if self._token else ()

    def _redact(self, text: str) -> str:
        return redact(text, self._secrets)

    def _auth_headers(self) -> dict[str, str]:
        if not self._token:
            raise NoToken(detail="no token")
        if not self._token.isascii() or not self._token.isprintable():
            raise BadToken(detail="token with non-ASCII or control characters")
        if self.auth_scheme is AuthScheme.X_API_KEY:
            return {"X-Api-Key": self._token}
        return {"Authorization": f"Bearer {self._token}"}

    def summary_url(self) -> httpx.URL:
        return self.base_url.join(self.base_url.path.rstrip("/") + SUMMARY_PATH)

    def fetch_summary(
        self, query: UsageQuery | None = None, *, deadline_seconds: float | None = None
    ) -> UsageSummary:
        """GET the usage summary; raises a `NeoError` subclass for every failure.
        `deadline_seconds` shortens the whole request's deadline (an optional extra request)."""
        headers = self._auth_headers()
        url = self.summary_url().copy_merge_params((query or UsageQuery()).params())
        try:
            with self._backend.deadline(min(deadline_seconds or math.inf, self._deadline_seconds)):
                status, response_headers, body = self._get_following_same_origin(url, headers)
        except NeoError as exc:
            exc.detail = self._redact(exc.detail)
            raise
        except httpx.TimeoutException as exc:
            raise Unreachable(
                _("The Neo API did not answer in time."), self._redact(f"timeout: {exc!r}")
            ) from None
        except httpx.RemoteProtocolError as exc:
            if "without sending" in str(exc):  # closed before a word: an outage, try again
                raise self._network_problem(exc) from None
            if "location" in str(exc).lower():  # httpx could not read a redirect's target
                raise _invalid_redirect(self._redact(str(exc))) from None
            raise UnexpectedResponse(
                _("The Neo API answered with something that is not a valid HTTP response."),
                self._redact(f"protocol error: {exc}"),
            ) from None
        except httpx.HTTPError as exc:
            raise self._network_problem(exc) from None
        except httpx.InvalidURL as exc:  # httpx prepares a redirect to `javascript:` and fails
            raise _invalid_redirect(self._redact(str(exc))) from None
        except OSError as exc:  # raised below httpx on some platforms (e.g. proxy sockets)
            raise Unreachable(self._cannot_reach(), self._redact(repr(exc))) from None
        return self._interpret(status, response_headers, body)

    def _network_problem(self, exc: httpx.HTTPError) -> Unreachable:
        certificate = _certificate_problem(exc)
        if certificate is not None:
            return Unreachable(
                _(
                    "The certificate of {host} was not trusted, so the token was not sent (a "
                    "company proxy's CA must be trusted by the system)."
                ).format(host=self.base_url.host),
                self._redact(f"TLS: {certificate.verify_message or certificate}"),
            )
        return Unreachable(self._cannot_reach(), self._redact(f"{type(exc).__name__}: {exc}"))

    def _cannot_reach(self) -> str:
        return _("Cannot reach the Neo API at {host}.").format(host=self.base_url.host)

    def _get_following_same_origin(
        self, url: httpx.URL, headers: dict[str, str]
    ) -> tuple[int, httpx.Headers, bytes]:
        origin = (url.scheme, url.host, url.port)
        for _redirect in range(MAX_REDIRECTS + 1):
            with self._http.stream("GET", url, headers=headers) as response:
                if not response.is_redirect:
                    return response.status_code, response.headers, self._read_capped(response)
                location = response.headers.get("Location", "").strip()
            if not location:
                raise UnexpectedResponse(
                    _("The Neo API sent a redirect without saying where to."), "empty Location"
                )
            try:
                target = url.join(location)
            except (httpx.InvalidURL, ValueError, TypeError):
                raise _invalid_redirect("unparseable redirect target") from None
            if (target.scheme, target.host, target.port) != origin:
                raise Unreachable(
                    _("The Neo API redirected to another site; the token was not sent there."),
                    f"refused cross-origin redirect to {target.scheme}:",
                )
            url = target
        raise Unreachable(_("The Neo API redirected too many times."), "redirect loop")

    def _read_capped(self, response: httpx.Response) -> bytes:
        """The decoded body, never more than the cap, raw or decoded, at any moment."""
        if response.is_stream_consumed:  # a transport that built the body in memory
            if len(response.content) > self._max_body_bytes:
                raise _too_large(self._max_body_bytes)
            return response.content
        try:
            codings = content_codings(response.headers.get_list("Content-Encoding"))
        except DecodingError as exc:
            if response.status_code != 200:
                return b""  # an error status says enough without its body
            raise UnexpectedResponse(
                _("The Neo API sent a response in an encoding this app does not accept."),
                str(exc),
            ) from None
        chunks: list[bytes] = []
        size = 0
        raw_size = 0

        def raw() -> Iterator[bytes]:
            nonlocal raw_size
            for chunk in response.iter_raw():
                raw_size += len(chunk)
                if raw_size > self._max_body_bytes:
                    raise _too_large(self._max_body_bytes)
                yield chunk

        try:
            for piece in decode(raw(), codings):
                size += len(piece)
                if size > self._max_body_bytes:
                    raise _too_large(self._max_body_bytes)
                chunks.append(piece)
        except (httpx.RemoteProtocolError, httpx.ReadError, DecodingError) as exc:
            # Headers arrived, the body did not (or not intact): not a network outage.
            if response.status_code != 200:
                return b"".join(chunks)  # an error status says enough without its body
            raise UnexpectedResponse(
                _("The Neo API response was cut off before it ended."),
                f"incomplete body after {size} bytes: {type(exc).__name__}: {exc}",
            ) from None
        return b"".join(chunks)

    def _interpret(self, status: int, headers: httpx.Headers, body: bytes) -> UsageSummary:
        reason = error_body_message(body, self._secrets) if status >= 400 else ""
        detail = f"HTTP {status}" + (f": {reason}" if reason else "")
        if status == 200:
            try:
                return parse_summary(body)
            except UnexpectedResponse as exc:
                exc.detail = self._redact(exc.detail)
                raise
        if status == 401:
            raise AuthRejected(detail=detail)
        if status == 403:
            raise NoPermission(detail=detail)
        if status == 404:
            raise NotFound(
                _("The usage API was not found at {address}: check the API address.").format(
                    address=self.base_url
                ),
                detail,
            )
        if status == 429:
            return self._rate_limited(headers.get("Retry-After"), detail)
        if 500 <= status <= 599:
            raise ServerError(
                _("The Neo API is having trouble (HTTP {status}).").format(status=status), detail
            )
        raise UnexpectedResponse(
            _("The Neo API answered with unexpected HTTP {status}.").format(status=status), detail
        )

    def _rate_limited(self, header: str | None, detail: str) -> UsageSummary:
        retry_after = parse_retry_after(header)
        message = _("The Neo API is rate limiting requests.")
        if retry_after and retry_after >= MAX_RETRY_AFTER_SECONDS:
            message = _(
                "The Neo API is rate limiting requests (it asks to wait longer than {duration}; "
                "retrying then)."
            ).format(duration=fmt.duration(retry_after))
        elif retry_after:
            message = _("The Neo API is rate limiting requests (it asks to wait {duration}).")
            message = message.format(duration=fmt.duration(retry_after))
        raise RateLimited(message, detail, retry_after=retry_after)


def _invalid_redirect(detail: str) -> Unreachable:
    return Unreachable(
        _("The Neo API redirected to an address that is not valid."), f"invalid redirect: {detail}"
    )


def _too_large(limit: int) -> UnexpectedResponse:
    return UnexpectedResponse(
        _("The Neo API sent a response far larger than a usage summary."),
        f"body over {limit} bytes",
    )
