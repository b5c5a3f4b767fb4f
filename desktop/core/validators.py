"""The one home of each rule a value read from the API, the cache or the settings must pass:
plain functions, no pydantic, so that the status bar's cached path (`desktop/cached_once.py`)
checks what the models check without importing them; the models call these too
(`BeforeValidator`, field validators).

Each check either returns the value as the model keeps it or raises ValueError; `is_*` say yes or
no without raising.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, urlsplit

from desktop.core.i18n import _
from desktop.core.instants import parse_instant
from desktop.core.limits import EARLIEST, LATEST, MAX_MAGNITUDE

#: The fields of a `by_email` / `by_period` row that hold figures (the model's row types).
ROW_FIGURES = ("neo_credits", "tasks")
#: What names each row: a member's email, a period's date.
ROW_NAME = {"by_email": "email", "by_period": "date"}
#: The figures of `byok` the API documents, in the order the model keeps them.
BYOK_FIGURES = ("total_llm_cost", "total_neo_cost", "total_streams", "total_tasks")
#: Minutes between polls a setting may hold; 0 is manual.
POLL_INTERVALS_MINUTES = (0, 1, 2, 5, 15, 30)
#: An account id: what names its files and keyring entry.
ACCOUNT_ID_PATTERN = r"[a-z0-9][a-z0-9-]{0,39}"


ELLIPSIS = "…"


def cut(text: str, limit: int) -> str:
    """`text` within `limit` characters: a longer one is cut on a character (never between the
    halves of a surrogate pair) and ends with "…". A new string: the long one can be freed."""
    if len(text) <= limit:
        return text
    end = limit - len(ELLIPSIS)
    if end > 0 and "\ud800" <= text[end - 1] <= "\udbff" and "\udc00" <= text[end] <= "\udfff":
        end -= 1
    return text[:end] + ELLIPSIS


def bounded_int(digits: str) -> int | float:
    """`json.loads`' `parse_int`: an integer of more than 20 digits becomes infinity, which the
    figure checks then refuse like NaN (never a 10,000-digit int to convert)."""
    return int(digits) if len(digits) <= 20 else math.inf


def is_json_number(value: object) -> bool:
    """A real JSON number in the representable range: no bools, no NaN or infinity, no 10^400."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if isinstance(value, float) and not math.isfinite(value):
        return False
    return -MAX_MAGNITUDE <= value <= MAX_MAGNITUDE


def instant_utc(value: object) -> datetime | None:
    """An API instant: ISO 8601 with `Z`, an offset or fractions (a time without a zone is UTC),
    years 1970-2199 in UTC, as an aware UTC datetime (precision kept); None stays None. Raises
    ValueError."""
    if value is None or isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        text = value.strip()
        if text.endswith(("z", "Z")):
            text = text[:-1] + "+00:00"
        parsed = datetime.fromisoformat(text)
    else:
        raise ValueError(f"expected a date-time string, got {type(value).__name__}")
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    # The years are UTC's: 1970-01-01T00:00+01:00 is 1969 (converting year 1 or 9999 with an
    # offset overflows: out of range too).
    try:
        utc = parsed.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"date {parsed.year} is outside {EARLIEST.year}-{LATEST.year}") from None
    if not EARLIEST <= utc < LATEST:
        raise ValueError(f"date {utc.year} is outside {EARLIEST.year}-{LATEST.year}")
    return utc


def stored_instant(value: object) -> datetime | None:
    """An instant the app wrote to a file (the cache's `fetched_at` and `retry_at`, its
    forecast's `runs_out_at`): with a zone, as `instants.parse_instant` reads it, and in the years
    `instant_utc` accepts (1970-2199), in UTC; None otherwise (year 1 with an offset overflows,
    year 9999 would print as "739948 d ago")."""
    parsed = parse_instant(value)
    if parsed is None:
        return None
    try:
        return instant_utc(parsed)
    except (ValueError, OverflowError):
        return None


def breakdown(value: object) -> dict[str, Any]:
    """A by_model/by_status mapping as the model keeps it: numbers stay numbers; objects keep
    their numeric fields (unknown ones included); anything else (strings, nested objects, nulls)
    carries no figure and is left out. Raises ValueError when `value` is not an object."""
    if not isinstance(value, dict):
        raise ValueError(f"expected an object, got {type(value).__name__}")
    cleaned: dict[str, Any] = {}
    for key, item in value.items():
        if is_json_number(item):
            cleaned[str(key)] = item
        elif isinstance(item, dict):
            cleaned[str(key)] = {str(k): v for k, v in item.items() if is_json_number(v)}
    return cleaned


def is_row(field: str, row: object) -> bool:
    """A `by_email` or `by_period` row (`field`): an object with its name as text and its
    figures, where given, real numbers in range. Cheap per row: a list of mostly bad rows costs
    no more than a valid one (no exception per row)."""
    if type(row) is not dict:
        return False
    if type(row.get(ROW_NAME[field])) is not str:
        return False
    for figure in ROW_FIGURES:
        value = row.get(figure, 0)
        kind = type(value)
        # Comparisons are False for NaN, and infinity is out of range: both are refused.
        if (kind is not int and kind is not float) or not -MAX_MAGNITUDE <= value <= MAX_MAGNITUDE:
            return False
    return True


def member_credits(member: Mapping[str, Any]) -> Any:
    """What `by_email` is ordered by, largest first: a member's credits (0 without)."""
    return member.get("neo_credits", 0)


def byok_figures(value: object) -> dict[str, Any]:
    """`byok`'s numbers only (anything else is left out). Raises ValueError when not an object."""
    if not isinstance(value, dict):
        raise ValueError("expected an object")
    return {key: item for key, item in value.items() if is_json_number(item)}


def fraction(value: object) -> float:
    """A threshold: a share of the issued credits, a JSON number 0 to 1 (no bool, no text)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
        raise ValueError("a threshold is a number from 0 to 1")
    return float(value)


#: The smallest big-task share the settings take (0.1 %): at 0 every task would be notified.
MIN_TASK_SHARE = 0.001


def task_share(value: object) -> float:
    """The big-task threshold as a share of the issued credits: a JSON number from 0.001 to 1.
    Raises ValueError."""
    share = fraction(value)
    if share < MIN_TASK_SHARE:
        raise ValueError(_("the task threshold must be at least 0.1 % of the issued credits"))
    return share


def task_credits(value: object) -> float:
    """The big-task threshold in credits: a JSON number above 0 (no bool, no text, no NaN).
    Raises ValueError."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("the task threshold is a number of credits")
    if not 0 < value <= MAX_MAGNITUDE:  # NaN fails this too
        raise ValueError(_("the task threshold must be more than 0 credits"))
    return float(value)


def thresholds_in_order(low: float, critical: float) -> None:
    """The critical threshold is at most the low one. Raises ValueError."""
    if critical > low:
        raise ValueError(_("the critical threshold must not be above the low threshold"))


def language(value: str, languages: Any) -> str:
    """A language setting: "" (the system's) or one of `languages`. Raises ValueError."""
    if value and value not in languages:
        raise ValueError(
            _("the language must be one of {codes}").format(codes=", ".join(languages))
        )
    return value


def poll_minutes(value: int) -> int:
    """Minutes between polls: one of `POLL_INTERVALS_MINUTES`. Raises ValueError."""
    if value not in POLL_INTERVALS_MINUTES:
        raise ValueError(
            _("the poll interval must be one of {minutes} minutes").format(
                minutes=", ".join(map(str, POLL_INTERVALS_MINUTES))
            )
        )
    return value


def is_account_id(value: object) -> bool:
    return isinstance(value, str) and re.fullmatch(ACCOUNT_ID_PATTERN, value) is not None


#: A hook command's bounds: arguments, and characters in one and in all of them.
HOOK_ARGUMENTS_LIMIT = 64
HOOK_ARGUMENT_LIMIT = 4096
HOOK_COMMAND_LIMIT = 16384


def hook_command(value: object) -> tuple[str, ...]:
    """The event hook's command: a JSON list of strings (no shell: the first is the program),
    empty for none; at most `HOOK_ARGUMENTS_LIMIT` arguments of `HOOK_ARGUMENT_LIMIT`
    characters, `HOOK_COMMAND_LIMIT` in all, a program that is not blank, and no NUL or lone
    surrogate (which execve cannot carry). Raises ValueError."""
    if not isinstance(value, list | tuple) or not all(isinstance(arg, str) for arg in value):
        raise ValueError("the event hook is a list of arguments")
    if not value:
        return ()
    if len(value) > HOOK_ARGUMENTS_LIMIT:
        raise ValueError(
            _("the event hook has at most {count} arguments").format(count=HOOK_ARGUMENTS_LIMIT)
        )
    if any(len(arg) > HOOK_ARGUMENT_LIMIT for arg in value) or (
        sum(map(len, value)) > HOOK_COMMAND_LIMIT
    ):
        raise ValueError(
            _("the event hook is too long: at most {count} characters").format(
                count=HOOK_COMMAND_LIMIT
            )
        )
    if not value[0].strip():
        raise ValueError(_("the event hook needs a program to run"))
    if any("\0" in arg or any(0xD800 <= ord(char) <= 0xDFFF for char in arg) for arg in value):
        raise ValueError(_("the event hook cannot hold a NUL character"))
    return tuple(value)


def web_url(value: str) -> str:
    """An account's Neo web address ("Open Neo"). A page link, so unlike the API address
    (`query.validate_base_url`) it may have a query and a fragment; otherwise https:// with a
    host, no user name or password, no control character (raw or percent-encoded). A space
    (outside the host) is percent-encoded as `%20`, as a browser does. Returned trimmed, and
    without a trailing `/` when it has neither query nor fragment. Raises ValueError with a
    sentence, which never repeats a user name or password."""
    text = value.strip()
    rest = text.split("//", 1)[1] if "//" in text else ""
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
    if "@" in authority:  # said before any sentence that would quote the address
        raise ValueError(
            _(
                "The Neo web address must not contain a user name or password: the settings "
                "would keep them in plain text. Sign in in the browser instead."
            )
        )
    if " " in authority:
        raise ValueError(_("The Neo web address cannot have a space in its host name."))
    text = text.replace(" ", "%20")
    shown = repr(text)
    if any(ord(ch) < 32 or ord(ch) == 127 or ch.isspace() for ch in text) or any(
        ord(ch) < 32 or ord(ch) == 127 for ch in unquote(text)
    ):
        raise ValueError(
            _("The Neo web address {address} cannot hold control characters.").format(address=shown)
        )
    refused = ValueError(
        _("The Neo web address {address} must be an https:// address.").format(address=shown)
    )
    try:
        parts = urlsplit(text)
        _port = parts.port  # raises ValueError for a port out of range or not a number
    except ValueError:
        raise refused from None
    if parts.scheme.lower() != "https" or not parts.hostname:
        raise refused
    return text if "?" in text or "#" in text else text.rstrip("/")
