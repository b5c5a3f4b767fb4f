"""What an HTTP answer means: the usage summary, a task page or the caller's profile, or the
typed error its status says (with the error body's reason and a Retry-After read safely).
"""

from __future__ import annotations

import email.utils
import json
import math
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

import httpx

from desktop.api.body import ERROR_BODY_BYTES
from desktop.core import fmt, sinks
from desktop.core.errors import (
    AuthRejected,
    NeoError,
    NoPermission,
    NotFound,
    RateLimited,
    ServerError,
    UnexpectedResponse,
)
from desktop.core.i18n import _
from desktop.core.limits import MAX_BACKOFF_SECONDS
from desktop.core.redaction import redact

#: Retry-After beyond this is clamped: the backoff's own ceiling is a sane longest wait.
MAX_RETRY_AFTER_SECONDS = MAX_BACKOFF_SECONDS
ERROR_TEXT_LIMIT = 160


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
    text = redact(body[:ERROR_BODY_BYTES].decode("utf-8", "replace"), secrets).strip()
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


Answer = TypeVar("Answer")


def interpret(
    status: int,
    headers: httpx.Headers,
    body: bytes,
    secrets: tuple[str, ...],
    address: httpx.URL,
    *,
    parse: Callable[[bytes], Answer],
) -> Answer:
    """What a 200 carries, read by `parse` (`models.parse_summary` for the summary,
    `tasks.parse_page` for a task page, `member.parse_user` for `/api/v1/user`), else the
    `NeoError` its status says; `secrets` are redacted from every detail, `address` (the API's
    base address) is named when the API is not found."""
    if status == 200:
        try:
            return parse(body)
        except UnexpectedResponse as exc:
            exc.detail = redact(exc.detail, secrets)
            raise
    raise error_for_status(status, headers, body, secrets, address)


def error_for_status(
    status: int, headers: httpx.Headers, body: bytes, secrets: tuple[str, ...], address: httpx.URL
) -> NeoError:
    """The `NeoError` an answer other than 200 means (its body's reason in the detail)."""
    reason = error_body_message(body, secrets) if status >= 400 else ""
    detail = f"HTTP {status}" + (f": {reason}" if reason else "")
    if status == 401:
        return AuthRejected(detail=detail)
    if status == 403:
        return NoPermission(detail=detail)
    if status == 404:
        return NotFound(
            _("The usage API was not found at {address}: check the API address.").format(
                address=address
            ),
            detail,
        )
    if status == 429:
        return _rate_limited(headers.get("Retry-After"), detail)
    if 500 <= status <= 599:
        return ServerError(
            _("The Neo API is having trouble (HTTP {status}).").format(status=status), detail
        )
    return UnexpectedResponse(
        _("The Neo API answered with unexpected HTTP {status}.").format(status=status), detail
    )


def _rate_limited(header: str | None, detail: str) -> RateLimited:
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
    return RateLimited(message, detail, retry_after=retry_after)
