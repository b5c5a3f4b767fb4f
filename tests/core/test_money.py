"""`fmt.money` (issue 28: a member's cap in US dollars): the locale's currency format and symbol
from the CLDR table, without cents when whole, byte for byte what Babel's `format_currency`
gives, and without importing Babel."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from babel.numbers import format_currency

from desktop.core import cldr, cldr_data, fmt, i18n
from desktop.core.i18n import Language

ROOT = Path(__file__).resolve().parents[2]
NBSP = "\xa0"
NNBSP = "\u202f"


@pytest.fixture
def speak() -> Iterator[None]:
    yield
    i18n.use(Language())


def use(tag: str) -> None:
    i18n.use(Language(tag[:2], tag))


@pytest.mark.parametrize(
    ("tag", "amount", "text"),
    [
        ("en", 32, "$32"),
        ("en", 32.0, "$32"),
        ("en", 32.5, "$32.50"),
        ("en", 0.07, "$0.07"),
        ("en", 0, "$0"),
        ("en", 1234.5, "$1,234.50"),
        ("en", -5, "-$5"),
        ("en", -1234567.25, "-$1,234,567.25"),
        ("en", 10**15, "$1,000,000,000,000,000"),
        ("en", -(10**15), "-$1,000,000,000,000,000"),
        ("en", 31.999, "$32"),  # to the cent first: whole
        ("en", 32.005, "$32.01"),  # half up, as `half_up` rounds credits
        ("en", -0.004, "$0"),  # no "-$0"
        ("en", 1e-9, "$0"),
        ("en_US", 75, "$75"),
        ("en_GB", 75, "US$75"),
        ("en_IN", 1234567, "$12,34,567"),
        ("de", 32, f"32{NBSP}$"),
        ("de", 32.5, f"32,50{NBSP}$"),
        ("de", -1234.5, f"-1.234,50{NBSP}$"),
        ("de", 10**15, f"1.000.000.000.000.000{NBSP}$"),
        ("de_DE", 43.1, f"43,10{NBSP}$"),
        ("de_AT", 32, f"${NBSP}32"),
        ("de_CH", 32, f"${NBSP}32"),
        ("de_CH", 32.5, f"${NBSP}32.50"),
        ("de_CH", -5, "$-5"),  # de_CH's own negative pattern
        ("de_CH", 1234567, "$\xa01234567"),  # Babel's quirk: quoted text (the ' group) goes
        ("fr", 32, f"32{NBSP}$US"),
        ("fr", 32.5, f"32,50{NBSP}$US"),
        ("fr", -1234.5, f"-1{NNBSP}234,50{NBSP}$US"),
        ("fr", 10**15, f"1{NNBSP}000{NNBSP}000{NNBSP}000{NNBSP}000{NNBSP}000{NBSP}$US"),
        ("fr_CA", 32, f"32{NBSP}${NBSP}US"),
        ("es", 32, f"32{NBSP}US$"),
        ("es", 32.5, f"32,50{NBSP}US$"),
        ("es", -1234.5, f"-1.234,50{NBSP}US$"),
        ("es_MX", 32, "USD32"),
        ("es_US", 32.5, "$32.50"),
    ],
)
def test_money_in_each_locale(speak: None, tag: str, amount: float, text: str) -> None:
    use(tag)
    assert fmt.money(amount) == text
    assert fmt.money(amount, "USD") == text


@pytest.mark.parametrize("tag", sorted(cldr_data.LOCALES))
def test_money_is_babels_format_currency(speak: None, tag: str) -> None:
    """Every locale of the table: Babel's `format_currency(…, "USD")` for amounts with cents,
    and Babel's own pattern without decimals for whole ones."""
    where = cldr.babel_locale(tag)
    use(tag)
    pattern = where.currency_formats["standard"].pattern
    whole_pattern = ";".join(part.replace(".00", "") for part in pattern.split(";"))
    for amount in (0.5, 32.5, 1234.56, -1234.56, 999999.99, 10**12 + 0.25):
        assert fmt.money(amount) == format_currency(amount, "USD", locale=where), amount
    for amount in (1, 32, 75, -5, 1234567, 10**15, -(10**15)):
        assert fmt.money(amount) == format_currency(
            amount, "USD", format=whole_pattern, locale=where, currency_digits=False
        ), amount


@pytest.mark.parametrize("amount", [float("nan"), float("inf"), float("-inf")])
def test_money_refuses_what_is_not_an_amount(amount: float) -> None:
    with pytest.raises(ValueError, match="finite"):
        fmt.money(amount)


def test_money_is_only_dollars() -> None:
    with pytest.raises(ValueError, match="US dollars"):
        fmt.money(5, "EUR")


def test_format_money_keeps_the_cents_it_is_given() -> None:
    en = cldr.conventions("en")
    assert cldr.format_money(Decimal("32.50"), en, whole=False) == "$32.50"
    assert cldr.format_money(Decimal("32"), en, whole=True) == "$32"
    assert cldr.format_money(Decimal("32"), en, whole=False) == "$32.00"


def test_money_imports_no_babel() -> None:
    """The status bar's member line formats dollars from the table, in every language."""
    probe = (
        "import sys\n"
        "import desktop.core.fmt as fmt\n"
        "from desktop.core import i18n\n"
        "for tag in ('en', 'en_US', 'de', 'de_DE', 'fr', 'es', 'de_CH', 'es_MX', 'de_ZZ'):\n"
        "    i18n.use(i18n.Language(tag[:2], tag))\n"
        "    fmt.money(32.0), fmt.money(32.5), fmt.money(-1234.5)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'babel'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        cwd=ROOT,
    )
    assert result.stdout.strip() == "[]"
