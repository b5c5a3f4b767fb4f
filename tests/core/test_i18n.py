"""The app's language: which one is chosen, and how sentences, plurals, numbers and dates come
out in it. English output is the app's first release's, byte for byte."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from desktop.core import balance_text, fmt, i18n
from desktop.core.errors import AuthRejected, NoToken
from desktop.core.i18n import Language, resolve
from desktop.core.settings import Settings

Speak = Callable[..., None]
DAY = datetime(2027, 1, 31, 22, 59, tzinfo=UTC)


@pytest.fixture
def speak() -> Iterator[Speak]:
    def use(code: str) -> None:
        i18n.use(Language(code, code))

    yield use
    i18n.use(Language())


@pytest.mark.parametrize(
    ("environ", "wanted"),
    [
        ({}, Language("en", "en")),
        ({"LANG": "C.UTF-8"}, Language("en", "en")),
        ({"LANG": "POSIX"}, Language("en", "en")),
        ({"LANG": "de_DE.UTF-8"}, Language("de", "de_DE")),
        ({"LANG": "de_CH.UTF-8"}, Language("de", "de_CH")),
        ({"LANG": "fr_CA.UTF-8@euro"}, Language("fr", "fr_CA")),
        ({"LC_ALL": "fr_FR.UTF-8", "LANG": "de_DE.UTF-8"}, Language("fr", "fr_FR")),
        ({"LC_MESSAGES": "de_AT.UTF-8", "LANG": "fr_FR.UTF-8"}, Language("de", "de_AT")),
        # LANGUAGE is a list: the first language the app speaks wins.
        ({"LANGUAGE": "it:fr", "LANG": "it_IT.UTF-8"}, Language("fr", "fr")),
        ({"LANGUAGE": "", "LANG": "de_DE.UTF-8"}, Language("de", "de_DE")),
        ({"LANG": "it_IT.UTF-8"}, Language("en", "en")),
        ({"LANG": "xx_YY"}, Language("en", "en")),
        ({"LANG": "de_ZZ.UTF-8"}, Language("de", "de_ZZ")),
    ],
)
def test_the_language_follows_the_system(environ: dict[str, str], wanted: Language) -> None:
    assert resolve("", environ) == wanted


def test_the_setting_overrides_the_system_and_keeps_its_territory() -> None:
    assert resolve("fr", {"LANG": "de_DE.UTF-8"}) == Language("fr", "fr")
    assert resolve("de", {"LANG": "de_CH.UTF-8"}) == Language("de", "de_CH")
    assert resolve("en", {"LANGUAGE": "de"}) == Language("en", "en")
    assert resolve("tlh", {"LANG": "de_DE.UTF-8"}) == Language("de", "de_DE")  # unknown: system


def test_english_is_what_the_first_release_said(speak: Speak) -> None:
    assert fmt.credits(4067) == "4,067"
    assert fmt.credits(512.44) == "512.4"
    assert fmt.credits(1234.56) == "1,235"
    assert fmt.percent(0.776) == "78%"
    assert fmt.short_number(4100) == "4.1k"
    assert fmt.short_number(12_400) == "12k"
    assert fmt.duration(timedelta(hours=3, minutes=5)) == "3 h 05 min"
    assert fmt.duration(timedelta(days=2, hours=4)) == "2 d 4 h"
    assert (
        fmt.countdown(timedelta(minutes=12, seconds=5), False, expires_at=None)
        == "expires in 12 min 05 s"
    )
    assert fmt.local_datetime(DAY) == DAY.astimezone().strftime("%Y-%m-%d %H:%M")
    assert balance_text.short_date(datetime(2026, 12, 12, 12, tzinfo=UTC)) == "Dec 12"
    assert fmt.credit_share(3882, 5000, 0.7764) == "3,882 of 5,000 credits (78%)"


@pytest.mark.parametrize(
    ("code", "credits", "decimal", "percent", "short", "month_day"),
    [
        ("de", "4.067", "512,4", "78\u00a0%", "4,1k", "12. Dez."),
        ("fr", "4\u202f067", "512,4", "78\u00a0%", "4,1k", "12 déc."),
    ],
)
def test_figures_follow_the_language(
    speak: Speak, code: str, credits: str, decimal: str, percent: str, short: str, month_day: str
) -> None:
    speak(code)
    assert fmt.credits(4067) == credits
    assert fmt.credits(512.44) == decimal
    assert fmt.percent(0.776) == percent
    assert fmt.short_number(4100) == short
    assert balance_text.short_date(datetime(2026, 12, 12, 12, tzinfo=UTC)) == month_day


def test_german_sentences_dates_and_plurals(speak: Speak) -> None:
    speak("de")
    local = DAY.astimezone()
    assert fmt.local_datetime(DAY) == f"{local:%d.%m.%Y}, {local:%H:%M}"
    assert fmt.credit_share(3882, 5000, 0.7764) == "3.882 von 5.000 Credits (78\u00a0%)"
    assert fmt.credit_share(1, 1, 1.0) == "1 von 1 Credit (100\u00a0%)"
    assert fmt.countdown(timedelta(days=12), False, expires_at=None) == "läuft in 12 Tg. ab"
    assert fmt.ago(DAY - timedelta(minutes=3), DAY) == "vor 3 Min."
    assert NoToken().user_message.startswith("Es ist kein Neo-API-Token festgelegt")
    assert "NEO_API_TOKEN" in NoToken().user_message
    assert AuthRejected().short_message == "Anmeldung fehlgeschlagen – Token prüfen"


def test_french_counts_zero_and_one_alike(speak: Speak) -> None:
    """French says "0 tâche" like "1 tâche"; English says "0 tasks". The language's plural rule
    decides, not `n != 1`."""
    assert i18n.ngettext("{count} task", "{count} tasks", 0) == "{count} tasks"
    speak("fr")
    assert i18n.ngettext("{count} task", "{count} tasks", 0) == "{count} tâche"
    assert i18n.ngettext("{count} task", "{count} tasks", 1) == "{count} tâche"
    assert i18n.ngettext("{count} task", "{count} tasks", 2) == "{count} tâches"
    speak("de")
    assert i18n.ngettext("{count} task", "{count} tasks", 0) == "{count} Aufgaben"


def test_an_empty_message_is_not_the_catalogs_header(speak: Speak) -> None:
    speak("de")
    assert i18n._("") == ""


def test_a_missing_catalog_falls_back_to_english() -> None:
    assert i18n.catalog("xx").gettext("Neo Usage") == "Neo Usage"


def test_a_territory_babel_does_not_know_formats_as_its_language() -> None:
    i18n.use(Language("de", "de_ZZ"))
    try:
        assert fmt.credits(4067) == "4.067"
    finally:
        i18n.use(Language())


def test_the_language_setting_keeps_only_a_language_the_app_speaks() -> None:
    assert Settings().language == ""
    assert Settings(language="de").language == "de"
    for unknown in ("tlh", ["de"]):  # refused: the store logs it and uses "" (the system's)
        with pytest.raises(ValidationError):
            Settings.model_validate({"language": unknown})
