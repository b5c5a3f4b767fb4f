"""Content decoding with the size cap held on the decoded bytes, while they are being decoded.

httpx inflates a whole network chunk at once, so a few KB of stacked gzip become gigabytes before
any cap can look. Here each layer inflates at most `STEP` bytes at a time and the caller counts
the output as it grows.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator

STEP = 64 * 1024
MAX_ENCODINGS = 2
#: zlib window bits: gzip header, zlib header (either, detected), and raw deflate.
_GZIP = zlib.MAX_WBITS | 16
_AUTO = zlib.MAX_WBITS | 32
_RAW = -zlib.MAX_WBITS


class DecodingError(ValueError):
    """The body's encoding is unknown, stacked too deep, or the compressed data is corrupt."""


def content_codings(header_values: Iterable[str]) -> list[str]:
    """The codings applied to a body, in the order they were applied (identity left out)."""
    codings = [
        part.strip().lower()
        for value in header_values
        for part in value.split(",")
        if part.strip() and part.strip().lower() != "identity"
    ]
    if len(codings) > MAX_ENCODINGS:
        raise DecodingError(f"{len(codings)} content encodings stacked (at most {MAX_ENCODINGS})")
    for coding in codings:
        if coding not in {"gzip", "x-gzip", "deflate"}:
            raise DecodingError(f"unsupported content encoding {coding!r}")
    return codings


def decode(chunks: Iterable[bytes], codings: list[str]) -> Iterator[bytes]:
    """The decoded body, in pieces of at most `STEP` bytes (undoing the last coding first)."""
    stream: Iterable[bytes] = chunks
    for coding in reversed(codings):
        stream = _inflate(stream, _GZIP if coding in {"gzip", "x-gzip"} else _AUTO)
    return iter(stream)


def _inflate(source: Iterable[bytes], wbits: int) -> Iterator[bytes]:
    inflater = zlib.decompressobj(wbits)
    started = False
    try:
        for chunk in source:
            data = chunk
            while True:
                if inflater.eof and inflater.unused_data:  # another gzip member follows
                    data = inflater.unused_data + data
                    inflater = zlib.decompressobj(wbits)
                try:
                    piece = inflater.decompress(data, STEP)
                except zlib.error:
                    if started or wbits != _AUTO:
                        raise
                    # "deflate" is often sent raw, without the zlib header it should have.
                    wbits = _RAW
                    inflater = zlib.decompressobj(wbits)
                    piece = inflater.decompress(data, STEP)
                started = True
                data = inflater.unconsumed_tail
                if piece:
                    yield piece
                # A full piece may leave output pending with no input left: ask again.
                if not data and len(piece) < STEP:
                    break
        if not inflater.eof:
            raise DecodingError("the compressed body ended early")
    except zlib.error as exc:
        raise DecodingError(f"corrupt compressed body: {exc}") from None
