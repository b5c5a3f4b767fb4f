"""The tray's cutting of text to a length: at a word, never dropping a word that fits."""

from __future__ import annotations

import pytest

from desktop.core.text_fit import clip_words


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("alpha beta gamma", 16, "alpha beta gamma"),  # fits: as it is
        ("alpha beta gamma", 11, "alpha beta…"),  # the cut falls on a space: keep "beta"
        ("alpha beta gamma", 12, "alpha beta…"),
        ("alpha beta gamma", 10, "alpha…"),  # the cut falls inside "beta": drop it
        ("alpha · beta gamma", 9, "alpha…"),  # no dangling separator before the ellipsis
        ("Write a nuclei template", 15, "Write a nuclei…"),
    ],
)
def test_clip_words(text: str, limit: int, expected: str) -> None:
    assert clip_words(text, limit) == expected
    assert len(clip_words(text, limit)) <= limit
