"""A table's share in the locale's percent format (issue 28's tester: `37.3 %` in English while
the rest of the app says `36%`): `fmt.percent_tenths`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from desktop.core import fmt
from desktop.core.i18n import Language, use

NBSP = "\u00a0"


@pytest.fixture(autouse=True)
def english_after() -> Iterator[None]:
    yield
    use(Language())


@pytest.mark.parametrize(
    ("language", "fraction", "text"),
    [
        ("en", 0.373, "37.3%"),
        ("en", 0.3735, "37.4%"),  # half up in decimal (37.349999… in binary)
        ("en", 0.12345, "12.3%"),
        ("en", 1.0, "100.0%"),
        ("en", 0.0, "0.0%"),
        ("en", None, "—"),
        ("de", 0.373, f"37,3{NBSP}%"),
        ("fr", 0.373, f"37,3{NBSP}%"),
        ("es", 0.05, f"5,0{NBSP}%"),
    ],
)
def test_a_table_share_in_the_locale_s_percent_format(
    language: str, fraction: float | None, text: str
) -> None:
    use(Language(language, language))
    assert fmt.percent_tenths(fraction) == text
