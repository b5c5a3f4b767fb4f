"""The few CLDR conventions the app shows (number symbols, the percent and currency patterns, the
US dollar's symbol, four date and time patterns, month and day-period names, the month-and-day
interval formats) for a locale, and a small formatter that applies them byte for byte as Babel
does, without importing Babel for the locales in `cldr_data`.

`cldr_data` is generated from Babel by `packaging/cldr_table.py` (a test fails when it differs
from what the installed Babel gives). A locale that is not in it is read from Babel itself.
"""

from __future__ import annotations

import re
from datetime import date, time
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any, NamedTuple, TypedDict

if TYPE_CHECKING:
    from babel import Locale


class NumberPattern(NamedTuple):
    """A parsed CLDR number pattern (`#,##0 %`), as Babel's `parse_pattern` reads it."""

    prefix: str
    negative_prefix: str
    suffix: str
    negative_suffix: str
    grouping: int  # digits in the group next to the decimal mark
    secondary_grouping: int  # digits in the groups further left (2 in `#,##,##0`)
    min_integer: int
    min_fraction: int
    max_fraction: int
    scale: int  # the power of ten applied first: 2 for a percent pattern


class Fields(TypedDict):
    """One locale's conventions as stored in `cldr_data` (each a language's common entry)."""

    decimal: str
    group: str
    percent: NumberPattern
    currency: NumberPattern  # the standard currency pattern, `¤` in its affixes: `#,##0.00 ¤`
    usd: str  # the US dollar's symbol: `$`, `US$`, `$US`
    month_day: str  # the skeleton `MMMd` resolved: `d. MMM`
    date: str  # the medium date: `dd.MM.y`
    time: str  # the short time: `HH:mm`, `h:mm a`
    date_time: str  # the medium date-time glue: `{1}, {0}` (date, time)
    months: tuple[str, ...]  # 12 abbreviated format names (`MMM`)
    periods: tuple[str, str]  # abbreviated format am, pm (`a`)
    # The skeleton `MMMd`'s interval formats: (the field that differs, the start's pattern, the
    # end's), in Babel's order of the greatest difference: (('M', 'MMM d - ', 'MMM d'), ...),
    # the dash an en dash between thin spaces in most locales.
    month_day_intervals: tuple[tuple[str, str, str], ...]
    interval_fallback: str  # `{0} - {1}` (en dash): two dates no interval format covers


class Overrides(TypedDict, total=False):
    """The fields of a locale that differ from its language's common entry."""

    decimal: str
    group: str
    percent: NumberPattern
    currency: NumberPattern
    usd: str
    month_day: str
    date: str
    time: str
    date_time: str
    months: tuple[str, ...]
    periods: tuple[str, str]
    month_day_intervals: tuple[tuple[str, str, str], ...]
    interval_fallback: str


@cache
def conventions(tag: str) -> Conventions:
    """The conventions of locale `tag` (`de_CH`), resolved as Babel's `Locale.parse` resolves it
    (`de_de` is `de_DE`, `de_DD` is `de_DE`), or as its language when Babel does not know it
    (`de_XY` is `de`). From `cldr_data` when the tag is there or is a language and territory of
    a language there; else from Babel; without Babel (the frozen app leaves it out), the
    language's entry (`en_Latn_US` is `en`; a language outside the table is English)."""
    from desktop.core import cldr_data

    key = tag
    language, _, territory = tag.partition("_")
    if _is_simple(language, territory):
        language = language.lower()
        key = f"{language}_{territory.upper()}" if territory else language
        key = cldr_data.ALIASES.get(key, key)
        if key not in cldr_data.LOCALES and language in cldr_data.COMMON:
            key = language  # Babel's UnknownLocaleError: the language's own
    if key not in cldr_data.LOCALES:
        try:
            return Conventions(**fields_from_babel(babel_locale(tag)))
        except ImportError:
            language = language.lower()
            key = language if language in cldr_data.COMMON else "en"
    common = Conventions(**cldr_data.COMMON[key.split("_", maxsplit=1)[0]])
    return common._replace(**cldr_data.LOCALES[key])


def _is_simple(language: str, territory: str) -> bool:
    """A language of two ASCII letters, alone or with a territory of two letters or three
    digits: the shapes `cldr_data` resolves without Babel (no script, no variant)."""
    if not (len(language) == 2 and language.isascii() and language.isalpha()):
        return False
    if len(territory) == 2:
        return territory.isascii() and territory.isalpha()
    return not territory or (len(territory) == 3 and territory.isascii() and territory.isdigit())


@cache
def babel_locale(tag: str) -> Locale:
    """Babel's data for `tag`, or for its language when Babel does not know the territory."""
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(tag)
    except (UnknownLocaleError, ValueError):
        return Locale.parse(tag.split("_", maxsplit=1)[0])


def fields_from_babel(locale: Locale) -> Fields:
    """What `cldr_data` holds for `locale`, read from Babel the way the app formats: the symbols
    of the Latin digits, the skeleton `MMMd` matched as `format_skeleton` matches it, the names
    as Babel's formatter picks them (its fallbacks between widths included)."""
    from babel.dates import PATTERN_CHAR_ORDER, format_date, format_time, match_skeleton
    from babel.numbers import (
        get_currency_symbol,
        get_decimal_symbol,
        get_group_symbol,
        parse_pattern,
    )

    percent = parse_pattern(locale.percent_formats[None])
    currency = parse_pattern(locale.currency_formats["standard"])
    for parsed in (percent, currency):
        if parsed.exp_prec or "@" in parsed.pattern:
            raise ValueError(f"{locale}: a pattern the formatter cannot apply: {parsed.pattern}")
    usd = get_currency_symbol("USD", locale)
    if "'" in usd or "¤" in usd:  # `format_money` puts it in after the quotes are read
        raise ValueError(f"{locale}: a dollar symbol the formatter cannot place: {usd!r}")
    skeletons = locale.datetime_skeletons
    skeleton = "MMMd" if "MMMd" in skeletons else match_skeleton("MMMd", skeletons) or "MMMd"
    intervals = locale.interval_formats
    if "MMMd" in intervals:
        formats = intervals["MMMd"]
    elif match_skeleton("MMMd", intervals) is None:
        formats = {}  # Babel's fallback: both days by `month_day`, joined by the fallback
    else:  # another skeleton's single day would not be `month_day`: the formatter's refusal
        raise ValueError(f"{locale}: no interval format of the skeleton MMMd")
    month_day_intervals = tuple(
        (field, str(formats[field][0]), str(formats[field][1]))
        for field in PATTERN_CHAR_ORDER
        if field in formats
    )
    for field, *patterns in month_day_intervals:
        for pattern in patterns:
            letters = {token[0] for token in _tokens(pattern) if not isinstance(token, str)}
            if not letters <= SUPPORTED_FIELDS or field not in _ATTRIBUTES:
                raise ValueError(f"{locale}: an interval the formatter cannot apply: {pattern}")
    return Fields(
        decimal=get_decimal_symbol(locale),
        group=get_group_symbol(locale),
        percent=_pattern(percent),
        currency=_pattern(currency),
        usd=usd,
        month_day=str(skeletons[skeleton]),
        date=str(locale.date_formats["medium"]),
        time=str(locale.time_formats["short"]),
        date_time=str(locale.datetime_formats["medium"]),
        months=tuple(
            format_date(date(2001, month, 1), "MMM", locale=locale) for month in range(1, 13)
        ),
        periods=(
            format_time(time(0), "a", locale=locale),
            format_time(time(12), "a", locale=locale),
        ),
        month_day_intervals=month_day_intervals,
        interval_fallback=str(intervals.get(None, "{0}-{1}")),
    )


def _pattern(parsed: Any) -> NumberPattern:
    """Babel's parsed pattern as the formatter's tuple."""
    return NumberPattern(
        parsed.prefix[0],
        parsed.prefix[1],
        parsed.suffix[0],
        parsed.suffix[1],
        parsed.grouping[0],
        parsed.grouping[1],
        parsed.int_prec[0],
        parsed.frac_prec[0],
        parsed.frac_prec[1],
        parsed.scale,
    )


class Conventions(NamedTuple):
    """What formats figures in one locale; see `Fields` for each field's shape. (A NamedTuple,
    not a dataclass: it is built in every process that shows a figure, and costs 10x less.)"""

    decimal: str
    group: str
    percent: NumberPattern
    currency: NumberPattern
    usd: str
    month_day: str
    date: str
    time: str
    date_time: str
    months: tuple[str, ...]
    periods: tuple[str, str]
    month_day_intervals: tuple[tuple[str, str, str], ...]
    interval_fallback: str


# Number formatting: babel.numbers.NumberPattern.apply for plain (not scientific, not significant
# digits, not currency) patterns, with Babel's quirks kept: the minus is ASCII `-`, half rounds to
# even, and quotes are stripped from the whole result (de_CH's `'` groups: 1234567 -> `1234567`).


def decimal_pattern(digits: int) -> NumberPattern:
    """`#,##0` with `digits` fixed decimals (`#,##0.00`): the app's one explicit pattern, so the
    locale's own grouping and minimum grouping digits do not apply (es: `3.932`)."""
    return NumberPattern("", "-", "", "", 3, 3, 1, digits, digits, 0)


def format_number(value: float | Decimal, pattern: NumberPattern, conventions: Conventions) -> str:
    """`value` by `pattern` in `conventions`' symbols, as Babel's `format_decimal` and
    `format_percent` with `decimal_quantization` give it. Finite values only (ValueError else);
    Decimal's InvalidOperation beyond 28 digits, as Babel."""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    number = number.scaleb(pattern.scale)
    negative = number.is_signed()
    number = abs(number).normalize()
    if not number.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    whole, _, fraction = f"{number.quantize(Decimal(10) ** -pattern.max_fraction):f}".partition(".")
    text = "".join(
        (
            pattern.negative_prefix if negative else pattern.prefix,
            _grouped(whole, pattern, conventions.group),
            _fraction(fraction or "0", pattern, conventions.decimal),
            pattern.negative_suffix if negative else pattern.suffix,
        )
    )
    if "'" not in text:  # the common case: no regular expression to compile
        return text
    return re.sub(r"'([^']*)'", lambda match: match.group(1) or "'", text)


#: Babel's currency precision for US dollars (`get_currency_precision("USD")`): cents.
USD_DIGITS = 2


def format_money(value: float | Decimal, conventions: Conventions, *, whole: bool) -> str:
    """US dollars by the locale's standard currency pattern and symbol, as Babel's
    `format_currency(value, "USD")` gives it (`$1,234.50`, `1.234,50 $`, `1 234,50 $US`);
    with `whole`, without the cents (`$32`, `32 $`: what Babel gives for a pattern without
    decimals). Finite values only (ValueError else)."""
    digits = 0 if whole else USD_DIGITS
    pattern = conventions.currency._replace(min_fraction=digits, max_fraction=digits)
    # The symbol holds no quote (`fields_from_babel` checks), so putting it in after the quotes
    # are read gives Babel's text, which puts it in before.
    return format_number(value, pattern, conventions).replace("¤", conventions.usd)


def _grouped(digits: str, pattern: NumberPattern, symbol: str) -> str:
    digits = digits.rjust(pattern.min_integer, "0")
    size = pattern.grouping
    groups = ""
    while len(digits) > size:
        groups = symbol + digits[-size:] + groups
        digits = digits[:-size]
        size = pattern.secondary_grouping
    return digits + groups


def _fraction(digits: str, pattern: NumberPattern, symbol: str) -> str:
    digits = digits.ljust(pattern.min_fraction, "0")
    if pattern.max_fraction == 0 or (pattern.min_fraction == 0 and int(digits) == 0):
        return ""
    while len(digits) > pattern.min_fraction and digits[-1] == "0":
        digits = digits[:-1]
    return symbol + digits


# Date formatting: babel.dates' pattern tokenizer and the fields these patterns use.

#: Babel's pattern letters (`babel.dates.PATTERN_CHARS`): a letter outside quotes is a field.
PATTERN_LETTERS = frozenset("GyYuQqMLwWdDFgEecabBhHKkmsSAzZOvVxX")
#: The fields `format_date_time` knows; `cldr_table.py` refuses a pattern with another.
SUPPORTED_FIELDS = frozenset("yMdHhma")


@cache
def _tokens(pattern: str) -> tuple[str | tuple[str, int], ...]:
    """`d. MMM` -> (('d', 1), '. ', ('M', 3)); `HH 'h' mm` keeps `h` literal, `''` is a quote."""
    tokens: list[str | tuple[str, int]] = []
    literal: list[str] = []
    quoted: list[str] | None = None
    field, count = "", 0

    def flush_field() -> None:
        nonlocal field, count
        if field:
            tokens.append((field, count))
        field, count = "", 0

    def flush_literal() -> None:
        if literal:
            tokens.append("".join(literal).replace("\0", "'"))
            literal.clear()

    for char in pattern.replace("''", "\0"):
        if quoted is not None:
            if char == "'":
                literal.extend(quoted)
                quoted = None
            else:
                quoted.append(char)
        elif char == "'":
            flush_field()
            flush_literal()
            quoted = []
        elif char in PATTERN_LETTERS:
            flush_literal()
            if char != field:
                flush_field()
                field = char
            count += 1
        else:
            flush_field()
            literal.append(char)
    flush_field()
    flush_literal()
    return tuple(tokens)


def format_date_time(pattern: str, value: date | time, conventions: Conventions) -> str:
    """`value` (a date, a datetime or a time) by a CLDR date or time `pattern`, as Babel's
    `format_date`, `format_time` and `format_skeleton` give it. Only the fields in
    `SUPPORTED_FIELDS` (KeyError else)."""
    parts = []
    for token in _tokens(pattern):
        if isinstance(token, str):
            parts.append(token)
            continue
        letter, count = token
        if letter not in SUPPORTED_FIELDS:
            raise KeyError(f"Unsupported date/time field {letter!r}")
        if letter == "M" and count >= 3:
            parts.append(conventions.months[getattr(value, _ATTRIBUTES["M"]) - 1])
        elif letter == "a":
            parts.append(conventions.periods[getattr(value, _ATTRIBUTES["H"]) >= 12])
        else:
            number = getattr(value, _ATTRIBUTES[letter])
            text = f"{number % 12 or 12 if letter == 'h' else number:0{count}d}"
            parts.append(text[-2:] if letter == "y" and count == 2 else text)
    return "".join(parts)


_ATTRIBUTES = {"y": "year", "M": "month", "d": "day", "H": "hour", "h": "hour", "m": "minute"}


def format_month_day_range(start: date, end: date, conventions: Conventions) -> str:
    """The days `start` to `end` (not before it) by the skeleton `MMMd`'s interval formats, as
    Babel's `format_interval(start, end, "MMMd")` gives it: `Dec 10 - 14`, `Nov 29 - Dec 3`,
    `10.-14. Dez.` (each dash an en dash, in English between thin spaces); one day is
    `month_day`. A span of a year or more, which month and day alone would read as a shorter
    one (Babel's `Mar 5 - 7` for 2027-03-05 to 2028-03-07), is both medium dates in the
    fallback: `Mar 5, 2027 - Mar 7, 2028`."""
    if start == end:
        return format_date_time(conventions.month_day, start, conventions)
    if start.year != end.year and (end.month, end.day) >= (start.month, start.day):
        return _joined(conventions.date, start, end, conventions)
    for field, first, second in conventions.month_day_intervals:
        attribute = _ATTRIBUTES[field]
        if getattr(start, attribute) != getattr(end, attribute):
            return format_date_time(first, start, conventions) + format_date_time(
                second, end, conventions
            )
    return _joined(conventions.month_day, start, end, conventions)


def _joined(pattern: str, start: date, end: date, conventions: Conventions) -> str:
    """Babel's fallback interval: both by `pattern`, once when they read alike."""
    first = format_date_time(pattern, start, conventions)
    second = format_date_time(pattern, end, conventions)
    if first == second:
        return first
    return conventions.interval_fallback.replace("{0}", first).replace("{1}", second)
