"""Fitting text into the tray's limits: the tooltip's and a menu line's length, and cutting at
words or at the " · " between phrases, never inside one when a whole one can go.

Pure; every sentence the tray and the status bars show is cut here.
"""

from __future__ import annotations

from collections.abc import Sequence

from desktop.core import sinks

TOOLTIP_LIMIT = 127  # Windows cuts tooltips here


MENU_LIMIT = 60  # narrow tray hosts cut menu lines; the full sentence is in the window


PHRASE_SEPARATOR = " · "


def fit_parts(parts: Sequence[str | None], limit: int = TOOLTIP_LIMIT) -> str:
    """Parts joined with " · ", whole parts dropped from the end to fit; a first part too long
    alone is cut between words, with an ellipsis (`clip_words`)."""
    kept = [part for part in parts if part]
    while len(kept) > 1 and len(PHRASE_SEPARATOR.join(kept)) > limit:
        kept.pop()
    return clip_words(PHRASE_SEPARATOR.join(kept), limit)


def clip_phrases(text: str, limit: int) -> str:
    """`text` within `limit` characters, cut where its " · " phrases meet (whole phrases
    dropped from the end), never inside one unless the first is too long alone."""
    return text if len(text) <= limit else fit_parts(text.split(PHRASE_SEPARATOR), limit)


def clip_words(text: str, limit: int) -> str:
    """`text` cut at a word boundary to `limit` characters, with an ellipsis, when longer."""
    if len(text) <= limit:
        return text
    kept = text[: limit - 1]
    if text[limit - 1] != " ":  # the cut falls inside a word: drop that word
        kept = kept.rsplit(" ", 1)[0]
    return kept.rstrip(" ·—,") + "…"


NOTICE_LINES = 4  # a start-up notice's lines in the menu; the log has the whole sentence


def notice_lines(sentence: str) -> tuple[str, ...]:
    """A start-up notice (a refused folder, a damaged setting) as menu lines of at most
    `MENU_LIMIT` characters each, broken between words, at most `NOTICE_LINES` of them (the
    last cut with an ellipsis): a path in it stays readable on a narrow tray host."""
    words = sinks.line_text(sentence).split()
    lines: list[str] = []
    for word in words:
        if lines and len(lines[-1]) + 1 + len(word) <= MENU_LIMIT:
            lines[-1] += " " + word
        else:
            lines.extend(_pieces(word, MENU_LIMIT))
    if len(lines) > NOTICE_LINES:
        last = clip_words(lines[NOTICE_LINES - 1], MENU_LIMIT - 1)
        lines = [*lines[: NOTICE_LINES - 1], last if last.endswith("…") else last + "…"]
    return tuple(lines)


def _pieces(word: str, limit: int) -> list[str]:
    return [word[start : start + limit] for start in range(0, len(word), limit)] or [""]
