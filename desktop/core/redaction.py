"""The one redaction rule: a secret, or any piece of it of `MIN_FRAGMENT` characters or more,
never appears in text the app logs or shows. Pure, so every layer can use it."""

from __future__ import annotations

from collections.abc import Iterable

MIN_FRAGMENT = 12
REDACTED = "[redacted]"


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret and every fragment of one (12+ characters) replaced.

    Runs in time linear in the text: each window of `MIN_FRAGMENT` characters is looked up in the
    set of the secrets' windows, and overlapping hits merge into one redacted run.
    """
    windows: set[str] = set()
    short: list[str] = []
    for secret in secrets:
        if len(secret) >= MIN_FRAGMENT:
            windows.update(
                secret[i : i + MIN_FRAGMENT] for i in range(len(secret) - MIN_FRAGMENT + 1)
            )
        elif secret:
            short.append(secret)
    for secret in sorted(short, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    if not windows or len(text) < MIN_FRAGMENT:
        return text
    covered_until = -1
    runs: list[tuple[int, int]] = []
    for start in range(len(text) - MIN_FRAGMENT + 1):
        if text[start : start + MIN_FRAGMENT] in windows:
            end = start + MIN_FRAGMENT
            if runs and start <= covered_until:
                runs[-1] = (runs[-1][0], end)
            else:
                runs.append((start, end))
            covered_until = end
    if not runs:
        return text
    pieces: list[str] = []
    position = 0
    for start, end in runs:
        pieces.append(text[position:start])
        pieces.append(REDACTED)
        position = end
    pieces.append(text[position:])
    return "".join(pieces)
