"""A response's body, read with the size cap held on the raw and on the decoded bytes at every
moment (a few KB of stacked gzip never become gigabytes in memory).
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx

from desktop.api.decoding import DecodingError, content_codings, decode
from desktop.core.errors import ResponseTooLarge, UnexpectedResponse
from desktop.core.i18n import _


def read_capped(response: httpx.Response, max_bytes: int) -> bytes:
    """The decoded body, never more than `max_bytes`, raw or decoded, at any moment.

    Raises UnexpectedResponse when it is larger, in an encoding the app does not accept, or cut
    off (for a 200; an error status returns what arrived, or nothing)."""
    if response.is_stream_consumed:  # a transport that built the body in memory
        if len(response.content) > max_bytes:
            raise _too_large(max_bytes)
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
        if response.status_code != 200:
            return b"".join(chunks)  # an error status says enough without its body
        raise UnexpectedResponse(
            _("The Neo API response was cut off before it ended."),
            f"incomplete body after {size} bytes: {type(exc).__name__}: {exc}",
        ) from None
    return b"".join(chunks)


def _too_large(limit: int) -> ResponseTooLarge:
    return ResponseTooLarge(
        _("The Neo API sent a response far larger than a usage summary."),
        f"body over {limit} bytes",
    )
