"""The Neo usage API client: one safe GET of the usage summary, a page of the task ledger or the
caller's profile (`/api/v1/user`), every failure typed.

Safety rules it keeps: the token never leaves the configured origin (redirects are followed only
within it), never travels over plain HTTP to a host that is not loopback, and never appears in
an error message, not even in part. Bodies are capped on the decoded bytes (`body`); one
deadline covers the whole request (`deadline`); TLS is verified against the operating
system's trust store (`trust`). What an answer means is `responses`; failures on the way
(network, TLS, protocol, redirects) are typed here.
"""

from __future__ import annotations

import math
import os
import platform
import ssl
from datetime import datetime
from typing import Self

import httpx

from desktop import __version__
from desktop.api.body import read_capped
from desktop.api.deadline import DeadlineBackend, install
from desktop.api.responses import interpret
from desktop.api.trust import certificate_problem, trust_context, trust_store_problem
from desktop.core.errors import (
    BadToken,
    InvalidSetting,
    NeoError,
    NoToken,
    UnexpectedResponse,
    Unreachable,
)
from desktop.core.i18n import _
from desktop.core.instants import utc_text
from desktop.core.member import MemberProfile, parse_user, redact_profile
from desktop.core.models import UsageSummary, parse_summary
from desktop.core.query import AuthScheme, UsageQuery, is_loopback_host, validate_base_url
from desktop.core.redaction import redact
from desktop.core.tasks import TasksPage, parse_page

SUMMARY_PATH = "/api/v1/usage/summary"
TASKS_PATH = "/api/v1/usage/tasks"
USER_PATH = "/api/v1/user"
MAX_BODY_BYTES = 32 * 1024 * 1024
#: A task page's cap: decoded JSON costs ~10x its bytes in Python, and a page over it is asked
#: again with fewer rows (long `tool_call_history` lists are what make pages big).
TASKS_PAGE_MAX_BYTES = 8 * 1024 * 1024
#: The profile's cap: a real one is a few kilobytes (its lists are model ids and flags).
USER_MAX_BYTES = 1024 * 1024
MAX_REDIRECTS = 5
TOTAL_DEADLINE_SECONDS = 45.0  # connect, TLS, head and body together: a trickling server ends
DEFAULT_TIMEOUT = httpx.Timeout(connect=10.0, read=20.0, write=10.0, pool=10.0)
USER_AGENT = f"neo-usage-tray/{__version__} ({platform.system() or 'unknown'})"


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


class NeoClient:
    """One httpx client per poller or process; its network calls are `fetch_summary`,
    `fetch_tasks_page` and `fetch_user`, all through `_get`."""

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
                verify=trust_context() if verify is None else verify,
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
    def deadline_seconds(self) -> float:
        """The whole request's deadline, in seconds (connect, TLS, head and body)."""
        return self._deadline_seconds

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
        name, value = self.auth_scheme.header(self._token)
        return {name: value}

    def summary_url(self) -> httpx.URL:
        return self.base_url.join(self.base_url.path.rstrip("/") + SUMMARY_PATH)

    def tasks_url(self) -> httpx.URL:
        return self.base_url.join(self.base_url.path.rstrip("/") + TASKS_PATH)

    def user_url(self) -> httpx.URL:
        return self.base_url.join(self.base_url.path.rstrip("/") + USER_PATH)

    def fetch_summary(
        self, query: UsageQuery | None = None, *, deadline_seconds: float | None = None
    ) -> UsageSummary:
        """GET the usage summary; raises a `NeoError` subclass for every failure.
        `deadline_seconds` shortens the whole request's deadline (an optional extra request)."""
        url = self.summary_url().copy_merge_params((query or UsageQuery()).params())
        status, headers, body = self._get(url, deadline_seconds, self._max_body_bytes)
        return interpret(status, headers, body, self._secrets, self.base_url, parse=parse_summary)

    def fetch_tasks_page(
        self,
        start: datetime,
        end: datetime,
        limit: int,
        offset: int,
        *,
        deadline_seconds: float | None = None,
    ) -> TasksPage:
        """GET one page of the task ledger (`/api/v1/usage/tasks`, tasks created from `start` to
        `end`, `limit` rows from `offset`); raises a `NeoError` subclass for every failure, and
        `ResponseTooLarge` for a body over `TASKS_PAGE_MAX_BYTES` (ask again with a smaller
        limit). Same auth, redirects, deadline and redaction as the summary."""
        if start.tzinfo is None or end.tzinfo is None:
            raise InvalidSetting(_("Dates must carry a time zone."), "naive task window")
        params = {
            "from": utc_text(start),
            "to": utc_text(end),
            "limit": str(limit),
            "offset": str(offset),
        }
        url = self.tasks_url().copy_merge_params(params)
        cap = min(self._max_body_bytes, TASKS_PAGE_MAX_BYTES)
        status, headers, body = self._get(url, deadline_seconds, cap)
        return interpret(status, headers, body, self._secrets, self.base_url, parse=parse_page)

    def fetch_user(self, *, deadline_seconds: float | None = None) -> MemberProfile:
        """GET the caller's profile (`/api/v1/user`: email, team, spending cap in dollars);
        raises a `NeoError` subclass for every failure (`UnexpectedResponse` for a body that is
        not a profile, `ResponseTooLarge` past `USER_MAX_BYTES`). Same auth, redirects, deadline
        and redaction as the summary; the profile's text (email, team name) has the token
        redacted too, before anything stores, shows or prints it (a server may echo it)."""
        cap = min(self._max_body_bytes, USER_MAX_BYTES)
        status, headers, body = self._get(self.user_url(), deadline_seconds, cap)
        profile = interpret(status, headers, body, self._secrets, self.base_url, parse=parse_user)
        return redact_profile(profile, self._secrets)

    def _get(
        self, url: httpx.URL, deadline_seconds: float | None, max_bytes: int
    ) -> tuple[int, httpx.Headers, bytes]:
        """GET `url` signed, within the deadline, following redirects within the origin; the
        answer as (status, headers, capped body); every failure on the way a `NeoError`."""
        headers = self._auth_headers()
        try:
            with self._backend.deadline(min(deadline_seconds or math.inf, self._deadline_seconds)):
                return self._get_following_same_origin(url, headers, max_bytes)
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

    def _network_problem(self, exc: httpx.HTTPError) -> Unreachable:
        certificate = certificate_problem(exc)
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
        self, url: httpx.URL, headers: dict[str, str], max_bytes: int
    ) -> tuple[int, httpx.Headers, bytes]:
        origin = (url.scheme, url.host, url.port)
        for _redirect in range(MAX_REDIRECTS + 1):
            with self._http.stream("GET", url, headers=headers) as response:
                if not response.is_redirect:
                    return (
                        response.status_code,
                        response.headers,
                        read_capped(response, max_bytes),
                    )
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


def _invalid_redirect(detail: str) -> Unreachable:
    return Unreachable(
        _("The Neo API redirected to an address that is not valid."), f"invalid redirect: {detail}"
    )
