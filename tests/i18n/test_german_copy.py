"""German copy read once (issue 28's tester): no comma before a plain "oder" that joins two
alternatives of one sentence; "der Token" as everywhere else in the catalogue."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from desktop.core import i18n
from desktop.core.i18n import Language, _
from desktop.core.rules.catalogue import SWITCHES


@pytest.fixture(autouse=True)
def german() -> Iterator[None]:
    i18n.use(Language("de", "de"))
    yield
    i18n.use(Language())


def test_the_forecast_switch_has_no_comma_before_oder() -> None:
    label = _("Forecast: running out soon, or credits that will go unused")
    assert label == "Prognose: bald aufgebraucht oder Credits, die ungenutzt verfallen"
    assert label in [_(switch.label) for switch in SWITCHES]


@pytest.mark.parametrize(
    "sentence",
    [
        "The system keyring is locked, so its token was not read. Unlock it (log in again, or "
        "open your keyring manager, such as Passwords and Keys), save the token in a file in "
        "Settings, or set {variable}.",
        "The system keyring is not set up yet, so no token was read from it. Create a default "
        "keyring (such as with Passwords and Keys), save the token in a file in Settings, or set "
        "{variable}.",
    ],
)
def test_a_list_of_three_ways_has_no_comma_before_oder(sentence: str) -> None:
    translated = _(sentence)
    assert translated != sentence  # translated (the msgid is the source's)
    assert "in einer Datei oder setzen Sie {variable}." in translated


def test_the_demos_token_is_der_token() -> None:
    said = _("The demo's token is stored (in memory, until the demo quits).")
    assert said.startswith("Der Token der Demo")
