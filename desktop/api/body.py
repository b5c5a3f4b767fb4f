"""A response's body, read with the size cap held on the raw and on the decoded bytes at every
moment (a few KB of stacked gzip never become gigabytes in memory); of an error, only its first
bytes (its status says what happened, the excerpt only why).
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx

from desktop.api.decoding import DecodingError, content_codings, decode
from desktop.core.errors import ResponseTooLarge, UnexpectedResponse
from desktop.core.i18n import _

#: What is kept of an answer other than 200: enough for the error's excerpt
#: (`responses.error_body_message`), however large the body says it is.
ERROR_BODY_BYTES = 8 * 1024


def read_capped(response: httpx.Response, max_bytes: int) -> bytes:
    """The decoded body, never more than `max_bytes`, raw or decoded, at any moment.

    Raises UnexpectedResponse (ResponseTooLarge) when it is larger, in an encoding the app does
    not accept, or cut off: for a 200. Any other status returns at most its first
    `ERROR_BODY_BYTES` decoded bytes, what arrived of them, or nothing, and never raises: a 401
    or 403 with a huge body is still a 401 or 403."""
    if response.status_code != 200:
        return _error_excerpt(response, max_bytes)
    if response.is_stream_consumed:  # a transport that built the body in memory
        if len(response.content) > max_bytes:
            raise _too_large(max_bytes)
        return response.content
    try:
        codings = content_codings(response.headers.get_list("Content-Encoding"))
    except DecodingError as exc:
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
            if raw_size > max_bytes:
                raise _too_large(max_bytes)
            yield chunk

    try:
        for piece in decode(raw(), codings):
            size += len(piece)
            if size > max_bytes:
                raise _too_large(max_bytes)
            chunks.append(piece)
    except (httpx.RemoteProtocolError, httpx.ReadError, DecodingError) as exc:
        # Headers arrived, the body did not (or not intact): not a network outage.
        raise UnexpectedResponse(
            _("The Neo API response was cut off before it ended."),
            f"incomplete body after {size} bytes: {type(exc).__name__}: {exc}",
        ) from None
    return b"".join(chunks)


def _error_excerpt(response: httpx.Response, max_bytes: int) -> bytes:
    """The first `ERROR_BODY_BYTES` decoded bytes of an error's body (reading stops there, or
    when `max_bytes` raw bytes came without them); what arrived when it is cut off or its
    encoding is unknown or corrupt (nothing, for an unknown one)."""
    if response.is_stream_consumed:
        return response.content[:ERROR_BODY_BYTES]
    try:
        codings = content_codings(response.headers.get_list("Content-Encoding"))
    except DecodingError:
        return b""  # an error status says enough without its body
    excerpt = bytearray()
    raw_size = 0

    def raw() -> Iterator[bytes]:
        nonlocal raw_size
        for chunk in response.iter_raw():
            raw_size += len(chunk)
            yield chunk
            if raw_size > max_bytes:  # raw bytes that decode to nothing: stop all the same
                return

    try:
        for piece in decode(raw(), codings):
            excerpt += piece[: ERROR_BODY_BYTES - len(excerpt)]
            if len(excerpt) >= ERROR_BODY_BYTES:
                break
    except (httpx.RemoteProtocolError, httpx.ReadError, DecodingError):
        pass  # what arrived says why, as far as it goes
    return bytes(excerpt)


def _too_large(limit: int) -> ResponseTooLarge:
    return ResponseTooLarge(
        _("The Neo API sent a response far larger than a usage summary."),
        f"body over {limit} bytes",
    )
