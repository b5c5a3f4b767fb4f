"""The rules of accounts that need no model: their ids and what they name, how names are compared
and checked, an account's API address and cache key, and `--account`'s lookup. Pydantic-free, so
the status bar's cached path (`desktop/cached_once.py`) uses them as `core/accounts.py` does.
"""

from __future__ import annotations

import importlib
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any, Protocol, TypeVar

from desktop.core import validators
from desktop.core.environment import api_url
from desktop.core.errors import InvalidSetting
from desktop.core.i18n import _, ngettext
from desktop.core.query import DEFAULT_BASE_URL

DEFAULT_ID = "default"  # the first release's account: its files keep their old names
DEFAULT_NAME = "Default"
ENVIRONMENT_ID = "environment"  # NEO_API_TOKEN's account, used instead of the stored ones
ENVIRONMENT_NAME = "environment"
DEMO_ID = "demo"
#: Where "Open Neo" goes unless the account says otherwise (`validators.web_url`).
DEFAULT_WEB_URL = "https://neo.projectdiscovery.io"
#: Ids a stored account may not have: NEO_API_TOKEN's account reads its token from the
#: environment and its caches by token tag, so a stored account with its id would be read one
#: way by the status bar's fast path and another by the model's. (`demo` stays allowed: the
#: demo's own settings store the demo account under it.)
RESERVED_IDS = frozenset({ENVIRONMENT_ID})
NAME_LIMIT = 40
ID_PATTERN = f"^{validators.ACCOUNT_ID_PATTERN}$"
LEGACY_FIELDS = ("base_url", "auth_scheme")  # where the first release kept the one account
NO_ADDRESS = ""  # `base_url()` of an account whose address was lost: no client accepts it
# Characters a name may hold that no one sees: the Hangul fillers and the blank Braille pattern
# (letters, so the control-character rule lets them in) and the Unicode default-ignorable code
# points (DerivedCoreProperties.txt, Unicode 15.1), as (first, last) ranges.
INVISIBLE_RANGES = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x2800, 0x2800),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)


class Addressed(Protocol):
    """What an account's address is made of (`accounts.Account` has it)."""

    @property
    def base_url(self) -> str | None: ...
    @property
    def address_lost(self) -> bool: ...


class Named(Protocol):
    """What `find` reads of an account."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...


AnyNamed = TypeVar("AnyNamed", bound=Named)


def is_invisible(char: str) -> bool:
    """Whitespace, or a character in `INVISIBLE_RANGES`."""
    point = ord(char)
    return char.isspace() or any(first <= point <= last for first, last in INVISIBLE_RANGES)


def name_key(name: str) -> str:
    """What two account names are compared by: casefold(NFKC(name)) without its invisible
    characters (`is_invisible`). "" means the name shows nothing."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return "".join(char for char in folded if not is_invisible(char))


def clean_name(value: str) -> str:
    """`value` without its invisible characters (`is_invisible`, but not whitespace) and format
    characters (Unicode category Cf: U+200B, U+00AD…): a stored name that holds them is kept,
    cleaned, on load, where the dialog refuses to type them (`check_name`)."""
    return "".join(
        char
        for char in value
        if char.isspace() or not (is_invisible(char) or unicodedata.category(char) == "Cf")
    )


def check_name(value: str) -> str:
    """A display name: trimmed, 1 to 40 characters, something visible, no control characters."""
    name = " ".join(value.split())
    if not name:
        raise ValueError(_("an account needs a name"))
    if not name_key(name):
        raise ValueError(
            _("an account name needs a visible character: spaces and invisible ones do not count")
        )
    if len(name) > NAME_LIMIT:
        raise ValueError(
            ngettext(
                "an account name has at most {count} character",
                "an account name has at most {count} characters",
                NAME_LIMIT,
            ).format(count=NAME_LIMIT)
        )
    if any(unicodedata.category(char).startswith("C") for char in name):
        raise ValueError(_("an account name cannot hold control characters"))
    return name


def base_url(account: Addressed, environ: Mapping[str, str]) -> str:
    """NEO_API_URL wins over the account's address, which wins over the public API; an account
    whose address was lost has none (NO_ADDRESS, which every client refuses)."""
    if overridden := api_url(environ):
        return overridden
    if account.address_lost:
        return NO_ADDRESS
    return account.base_url or DEFAULT_BASE_URL


def cache_key(account: Addressed, environ: Mapping[str, str], *, demo: bool) -> str:
    """The key a cached snapshot is stored under and read back by: the account's API address,
    so a cache is never shown for another address; the demo's fake server gets a new port each
    run, so its key is the fixed `DEMO_ID`."""
    return DEMO_ID if demo else base_url(account, environ)


class UnknownAccount(InvalidSetting):
    """`--account NAME` names no account: bad usage, listing the ones there are."""

    def __init__(self, wanted: str, known: Sequence[str]) -> None:
        listed = ", ".join(repr(name) for name in known) or _("none")
        super().__init__(
            _("No account is named {name}; the accounts are {names}.").format(
                name=repr(wanted), names=listed
            ),
            f"unknown account {wanted!r}",
            short=_("Unknown account"),
        )


def find(accounts: Sequence[AnyNamed], wanted: str) -> AnyNamed:
    """The account named `wanted` (its exact name first, then by `name_key`), or its id."""
    name = " ".join(wanted.split())
    key = name_key(name)
    exact = [account for account in accounts if account.name in {wanted, name}]
    by_key = [account for account in accounts if key and name_key(account.name) == key]
    by_id = [account for account in accounts if account.id == name]
    for found in (exact, by_key, by_id):
        if found:
            return found[0]
    raise UnknownAccount(wanted, [account.name for account in accounts])


def is_stored_id(value: object) -> bool:
    """An id a stored account may have: an account id (`validators.is_account_id`), not one of
    `RESERVED_IDS`. An account of the settings file without one is set aside."""
    return validators.is_account_id(value) and value not in RESERVED_IDS


def storage_suffix(account_id: str) -> str:
    """What an account adds to the name of each file or keyring entry it owns; the first
    release's account adds nothing, so its stored token, cache and memory are found as they are."""
    if not validators.is_account_id(account_id):
        raise ValueError(f"not an account id: {account_id!r}")
    return "" if account_id == DEFAULT_ID else f"-{account_id}"


def token_tag(token: str | None) -> str:
    """The token tag: a short, one-way fingerprint of the token (12 hex digits; "none" without a
    token) that tells tokens apart in the cache and the notification memory, never revealing
    the secret. Any text has one: a token no header can carry (a byte that is not UTF-8 in
    NEO_API_TOKEN) is refused where it would be sent, with its own sentence."""
    if not token:
        return "none"
    return str(_sha256(token.encode("utf-8", "surrogatepass")).hexdigest())[:12]


def _sha256(data: bytes) -> Any:
    """hashlib's SHA-256 without hashlib: it loads OpenSSL (2.5 ms) on the status bar's path
    for one small digest; CPython's own module gives the same digest."""
    for name in ("_sha256", "_sha2"):  # 3.11; 3.12 on
        try:
            return importlib.import_module(name).sha256(data)
        except ImportError:
            continue
    import hashlib

    return hashlib.sha256(data)
