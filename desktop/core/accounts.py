"""Named Neo accounts: each with its own address, header scheme and (elsewhere) token.

An account's `id` is generated once and never changes: the keyring entry, the token file, the
snapshot cache and the notification memory are keyed by it, so a rename changes nothing else.
The first release's single account becomes "Default" with the id `default`, whose stored files
and keyring entry keep the names they had then (nothing is copied or moved). Names are compared
by one key (`name_key`); an address lost to a damaged settings file stays lost (`address_lost`)
until the user sets one: it never falls back to the public API.
"""

from __future__ import annotations

import secrets
from collections.abc import Container, Iterable, Mapping, Sequence
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    StrictBool,
    field_validator,
    model_serializer,
    model_validator,
)

from desktop.core import validators
from desktop.core.account_rules import (
    DEFAULT_ID,
    DEFAULT_NAME,
    DEFAULT_WEB_URL,
    DEMO_ID,
    ENVIRONMENT_ID,
    ENVIRONMENT_NAME,
    ID_PATTERN,
    INVISIBLE_RANGES,
    LEGACY_FIELDS,
    NAME_LIMIT,
    NO_ADDRESS,
    RESERVED_IDS,
    UnknownAccount,
    base_url,
    cache_key,
    check_name,
    clean_name,
    find,
    is_invisible,
    is_stored_id,
    name_key,
    storage_suffix,
)
from desktop.core.environment import TOKEN_ENV, URL_ENV
from desktop.core.errors import InvalidSetting
from desktop.core.i18n import _
from desktop.core.query import AuthScheme, validate_base_url


def validate_web_url(value: str) -> str:
    """An account's Neo web address ("Open Neo"): `validators.web_url` (https:// only, a query
    and a fragment allowed, no credentials). Raises ValueError with a sentence."""
    return validators.web_url(value)


class Account(BaseModel):
    """One Neo account as the settings keep it; never holds the token.

    `base_url` None is the public API (unless NEO_API_URL is set); `address_lost` says the
    address could not be read from a damaged settings file: then nothing is sent for the
    account until the user sets an address (or NEO_API_URL), which clears it.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str = Field(pattern=ID_PATTERN)
    name: str
    base_url: str | None = None  # None: NEO_API_URL, then the public API
    auth_scheme: AuthScheme = AuthScheme.BEARER
    address_lost: StrictBool = False
    #: The Neo web app "Open Neo" opens for this account (https only).
    web_url: str = DEFAULT_WEB_URL

    @model_validator(mode="before")
    @classmethod
    def _address_found(cls, raw: Any) -> Any:
        """An address the user set is no longer lost."""
        address = raw.get("base_url") if isinstance(raw, dict) else None
        if isinstance(address, str) and address.strip():
            return {**raw, "address_lost": False}
        return raw

    @model_serializer(mode="wrap")
    def _only_a_loss(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Written only when lost: other accounts keep the shape earlier versions wrote."""
        data: dict[str, Any] = handler(self)
        if not self.address_lost:
            data.pop("address_lost", None)
        if data.get("web_url") == DEFAULT_WEB_URL:
            data.pop("web_url")  # the default: the file keeps its earlier shape
        return data

    @field_validator("name")
    @classmethod
    def _check_name(cls, value: str) -> str:
        return check_name(value)

    @field_validator("web_url")
    @classmethod
    def _check_web_url(cls, value: str) -> str:
        return validate_web_url(value) if value.strip() else DEFAULT_WEB_URL

    @field_validator("base_url")
    @classmethod
    def _check_base_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        try:
            validate_base_url(value)
        except InvalidSetting as exc:
            raise ValueError(exc.user_message) from None
        return value.strip().rstrip("/")


DEFAULT_ACCOUNT = Account(id=DEFAULT_ID, name=DEFAULT_NAME)
DEMO_ACCOUNT = Account(id=DEMO_ID, name="Demo")


def new_id(taken: Iterable[str] = ()) -> str:
    """A fresh id no account in `taken` has (random, so two machines never collide)."""
    used = set(taken)
    while True:
        candidate = secrets.token_hex(4)
        if candidate not in used and candidate not in {DEFAULT_ID, ENVIRONMENT_ID, DEMO_ID}:
            return candidate


def unique_name(wanted: str, taken: Iterable[str], form: str = "{name} {number}") -> str:
    """`wanted`, or `form` with 2, 3… (`wanted 2`, or `wanted (2)`) when another account's name
    has its key; cut to fit the name's length limit."""
    return free_name(wanted, {name_key(name) for name in taken}, form)[0]


def free_name(
    wanted: str, keys: Container[str], form: str = "{name} {number}", first: int = 2
) -> tuple[str, int]:
    """`unique_name` among the names whose keys (`name_key`) are `keys`, counting from `first`
    (a caller naming many accounts passes the number after the last one it got, so naming N
    of them costs N tries, not N²); with the number used, 0 when `wanted` is free."""
    if name_key(wanted) not in keys:
        return wanted, 0
    number = first
    while True:
        suffix = form.format(name="", number=number)
        candidate = form.format(name=wanted[: NAME_LIMIT - len(suffix)].rstrip(), number=number)
        if name_key(candidate) not in keys:
            return candidate, number
        number += 1


def migrate(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The first release's settings (one account's fields at the top) as one "Default" account;
    settings that already list accounts pass unchanged."""
    data = dict(raw)
    legacy = {key: data.pop(key) for key in LEGACY_FIELDS if key in data}
    if "accounts" not in data:
        data["accounts"] = [{"id": DEFAULT_ID, "name": DEFAULT_NAME, **legacy}]
    return data


def is_legacy(raw: Mapping[str, Any]) -> bool:
    return "accounts" not in raw


def check_accounts(accounts: Sequence[Account]) -> None:
    """At least one; ids unique and none reserved (`RESERVED_IDS`), and names unique by their
    key. Raises ValueError."""
    if not accounts:
        raise ValueError(_("keep at least one account"))
    ids = [account.id for account in accounts]
    if len(set(ids)) != len(ids):
        raise ValueError(_("two accounts have the same id"))
    reserved = sorted(RESERVED_IDS.intersection(ids))
    if reserved:  # never made by the app (`new_id`): a hand-edited file, said in the log only
        raise ValueError(f"the id {reserved[0]} is reserved, not a stored account's")
    seen: dict[str, str] = {}  # name key: the first name with it
    for account in accounts:
        key = name_key(account.name)
        if key in seen:
            raise ValueError(
                _(
                    "the name {name} is taken by {other}: names that differ only in case, "
                    "spacing or invisible characters are the same name"
                ).format(name=repr(account.name), other=repr(seen[key]))
            )
        seen[key] = account.name


def environment_account(
    stored: Sequence[Account],
    environ: Mapping[str, str],
    scheme: AuthScheme | None = None,
    *,
    some_set_aside: bool = False,
) -> Account | None:
    """With NEO_API_TOKEN set, the one account the process uses instead of the stored ones: the
    first stored account's address and header (as before accounts), unless overridden.
    `some_set_aside`: the settings file held accounts that could not be read, so which one was
    first is not known; the address is then lost (NEO_API_URL still wins), never another
    account's, which would send the token to an address it was not meant for."""
    if not environ.get(TOKEN_ENV, "").strip():
        return None
    first = stored[0] if stored else DEFAULT_ACCOUNT
    return Account(
        id=ENVIRONMENT_ID,
        name=ENVIRONMENT_NAME,
        base_url=None if some_set_aside else first.base_url,
        auth_scheme=scheme or first.auth_scheme,
        address_lost=first.address_lost or some_set_aside,
        # A page link, never sent a token: the first account's even with some set aside.
        web_url=first.web_url,
    )


def in_use(
    stored: Sequence[Account],
    environ: Mapping[str, str],
    scheme: AuthScheme | None = None,
    *,
    demo: bool = False,
    some_set_aside: bool = False,
) -> tuple[Account, ...]:
    """The accounts a process polls or prints: the demo's (with the web address of the first
    stored account, which the demo's settings let the user change), NEO_API_TOKEN's one, or
    the stored ones in their order; `--auth-scheme` (`scheme`) applies to each for this run.
    `some_set_aside`: see `environment_account`."""
    if demo:
        if stored and stored[0].web_url != DEMO_ACCOUNT.web_url:
            return (DEMO_ACCOUNT.model_copy(update={"web_url": stored[0].web_url}),)
        return (DEMO_ACCOUNT,)
    from_environment = environment_account(stored, environ, scheme, some_set_aside=some_set_aside)
    if from_environment is not None:
        return (from_environment,)
    if scheme is None:
        return tuple(stored)
    return tuple(account.model_copy(update={"auth_scheme": scheme}) for account in stored)


class AddressLost(InvalidSetting):
    """The account's API address was lost with a damaged settings file: nothing is sent for it
    until the user sets one (or NEO_API_URL)."""

    def __init__(self, account_name: str) -> None:
        super().__init__(
            _(
                "The API address of {account} was lost with a damaged settings file: set it in "
                "Settings (or set {variable}); nothing is sent for it until then."
            ).format(account=repr(account_name), variable=URL_ENV),
            f"address lost for account {account_name!r}",
            short=_("Settings damaged — set the API address"),
        )


# What this module offers, its own and the rules it gives on (`core/account_rules.py`).
__all__ = [
    "DEFAULT_ACCOUNT",
    "DEFAULT_ID",
    "DEFAULT_NAME",
    "DEFAULT_WEB_URL",
    "DEMO_ACCOUNT",
    "DEMO_ID",
    "ENVIRONMENT_ID",
    "ENVIRONMENT_NAME",
    "ID_PATTERN",
    "INVISIBLE_RANGES",
    "LEGACY_FIELDS",
    "NAME_LIMIT",
    "NO_ADDRESS",
    "RESERVED_IDS",
    "Account",
    "AddressLost",
    "UnknownAccount",
    "base_url",
    "cache_key",
    "check_accounts",
    "check_name",
    "clean_name",
    "environment_account",
    "find",
    "free_name",
    "in_use",
    "is_invisible",
    "is_legacy",
    "is_stored_id",
    "migrate",
    "name_key",
    "new_id",
    "storage_suffix",
    "unique_name",
    "validate_web_url",
]
