"""The app's language: gettext catalogs for its sentences, CLDR conventions (from Babel) for
numbers and dates. Qt-free, so the tray, the detail window and `--once` say and format everything
alike.

The language follows the system (`LANGUAGE`, `LC_ALL`, `LC_MESSAGES`, `LANG`, as gettext reads
them) unless the settings choose one. `use()` is called once at start-up, before any text is made.
Sentences are written with named `{placeholders}`, so a translator can reorder them.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from desktop.core import local_time

if TYPE_CHECKING:
    from desktop.core import cldr

DOMAIN = "neo-usage-tray"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
SOURCE_LANGUAGE = "en"
#: The languages the app speaks, named in their own language (the setting lists them so).
LANGUAGES: Mapping[str, str] = {
    "en": "English",
    "de": "Deutsch",
    "es": "Español",
    "fr": "Français",
}
#: Where gettext looks for the user's language, first match wins.
LANGUAGE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


class Language(NamedTuple):
    """The language sentences are in (`de`) and the locale that formats figures (`de_CH`)."""

    code: str = SOURCE_LANGUAGE
    locale: str = SOURCE_LANGUAGE


def _tags(value: str) -> list[str]:
    """`de_DE.UTF-8@euro` → `de_DE`; `LANGUAGE` may hold a list (`fr:de`)."""
    tags = []
    for item in value.split(":"):
        tag = item.split(".")[0].split("@")[0].replace("-", "_").strip()
        if tag:
            tags.append(tag)
    return tags


def resolve(choice: str = "", environ: Mapping[str, str] | None = None) -> Language:
    """The language to use: the setting's `choice` when it is one the app speaks, else the first
    of the system's that it speaks; English for `C`, `POSIX` or nothing."""
    environ = os.environ if environ is None else environ
    if choice in LANGUAGES:
        candidates = [choice]
    else:
        candidates = []
        for name in LANGUAGE_VARIABLES:
            candidates.extend(_tags(environ.get(name, "")))
    for tag in candidates:
        if tag in {"C", "POSIX"}:
            break
        code = tag.split("_")[0].lower()
        if code not in LANGUAGES:
            continue
        locale = f"{code}_{tag.split('_', 1)[1]}" if "_" in tag else code
        # The setting names a language; a system locale of that language gives its territory.
        if choice and "_" not in tag:
            system = [t for name in LANGUAGE_VARIABLES for t in _tags(environ.get(name, ""))]
            locale = next((t for t in system if t.split("_")[0] == code and "_" in t), code)
        return Language(code, locale)
    return Language()


class _State:
    language = Language()
    translation: gettext.NullTranslations = gettext.NullTranslations()


def use(language: Language | str = "", translation: gettext.NullTranslations | None = None) -> None:
    """Speak `language` from now on (a setting's choice, "" for the system's). `translation`
    replaces the catalog (the pseudo-locale test hands in its own)."""
    chosen = language if isinstance(language, Language) else resolve(language)
    if translation is None:
        translation = catalog(chosen.code)
    _State.language = chosen
    _State.translation = translation


def catalog(code: str) -> gettext.NullTranslations:
    """The compiled catalog of `code`; English (and a missing file) translates nothing."""
    if code == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, [code], fallback=True)


def current() -> Language:
    return _State.language


def _(message: str) -> str:
    """`message` in the user's language ("" stays "": gettext would answer its catalog's header)."""
    return _State.translation.gettext(message) if message else message


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of a sentence for `count`, by the language's plural rules (French says 0 and 1
    alike, English does not)."""
    return _State.translation.ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Marks a sentence for translation where it is defined; `_()` translates it where used."""
    return message


# Formatting: the locale's CLDR conventions (desktop/core/cldr.py: a table generated from Babel,
# so the first figure costs no Babel import nor its whole locale data; Babel for other locales).
# Imported on the first figure, not at start-up: the tray's icon shows first.


def conventions() -> cldr.Conventions:
    """The CLDR conventions of the current locale (`de_CH`; an unknown territory's language)."""
    from desktop.core import cldr

    return cldr.conventions(_State.language.locale)


def decimal(value: float, digits: int = 0) -> str:
    """`value` with the locale's grouping and decimal mark, to `digits` places (half to even,
    as Babel's `format_decimal` with `#,##0.00`)."""
    from desktop.core import cldr

    return cldr.format_number(value, cldr.decimal_pattern(digits), conventions())


def decimal_mark() -> str:
    return conventions().decimal


def percent(fraction: float) -> str:
    """`78%`, `78 %` in German and French (the locale's percent pattern)."""
    from desktop.core import cldr

    where = conventions()
    return cldr.format_number(fraction, where.percent, where)


def month_day(instant: datetime) -> str:
    """`Dec 12`, `12. Dez.`, `12 déc.`: a day named briefly, in local time."""
    from desktop.core import cldr

    where = conventions()
    return cldr.format_date_time(where.month_day, local_time.to_local(instant), where)


def time_of_day(local: datetime) -> str:
    """The locale's short time of `local` (already local): `23:59`, `11:59 p. m.`."""
    from desktop.core import cldr

    where = conventions()
    return cldr.format_date_time(where.time, local.time(), where)


def date_time(instant: datetime) -> str:
    """A local date and time: ISO-like `2027-01-31 23:59` in English (one order for all English
    locales), the locale's own elsewhere (`31.01.2027, 23:59`, `31 janv. 2027, 23:59`)."""
    local = local_time.to_local(instant)
    if _State.language.code == SOURCE_LANGUAGE:
        return local.strftime("%Y-%m-%d %H:%M")
    from desktop.core import cldr

    where = conventions()
    return where.date_time.replace("'", "").format(
        cldr.format_date_time(where.time, local.time(), where),
        cldr.format_date_time(where.date, local.date(), where),
    )


def day(instant: datetime) -> str:
    """A local day: `2026-11-01` in English, `01.11.2026`, `01/11/2026` elsewhere."""
    local = local_time.to_local(instant)
    if _State.language.code == SOURCE_LANGUAGE:
        return local.strftime("%Y-%m-%d")
    from desktop.core import cldr

    where = conventions()
    return cldr.format_date_time(where.date, local.date(), where)
