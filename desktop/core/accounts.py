"""Named Neo accounts: each with its own address, header scheme and (elsewhere) token.

An account's `id` is generated once and never changes: the keyring entry, the token file, the
snapshot cache and the notification memory are keyed by it, so a rename changes nothing else.
The first release's single account becomes "Default" with the id `default`, whose stored files
and keyring entry keep the names they had then (nothing is copied or moved).
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from desktop.core.environment import TOKEN_ENV, URL_ENV
from desktop.core.errors import InvalidSetting
from desktop.core.i18n import _, ngettext
from desktop.core.query import DEFAULT_BASE_URL, AuthScheme, validate_base_url

DEFAULT_ID = "default"  # the first release's account: its files keep their old names
DEFAULT_NAME = "Default"
ENVIRONMENT_ID = "environment"  # NEO_API_TOKEN's account, used instead of the stored ones
ENVIRONMENT_NAME = "environment"
DEMO_ID = "demo"
NAME_LIMIT = 40
ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,39}$"
LEGACY_FIELDS = ("base_url", "auth_scheme")  # where the first release kept the one account


class Account(BaseModel):
    """One Neo account as the settings keep it; never holds the token."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str = Field(pattern=ID_PATTERN)
    name: str
    base_url: str | None = None  # None: NEO_API_URL, then the public API
    auth_scheme: AuthScheme = AuthScheme.BEARER

    @field_validator("name")
    @classmethod
    def _check_name(cls, value: str) -> str:
        return check_name(value)

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


def check_name(value: str) -> str:
    """A display name: trimmed, 1 to 40 characters, no control characters."""
    name = " ".join(value.split())
    if not name:
        raise ValueError(_("an account needs a name"))
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


DEFAULT_ACCOUNT = Account(id=DEFAULT_ID, name=DEFAULT_NAME)
DEMO_ACCOUNT = Account(id=DEMO_ID, name="Demo")


def new_id(taken: Iterable[str] = ()) -> str:
    """A fresh id no account in `taken` has (random, so two machines never collide)."""
    used = set(taken)
    while True:
        candidate = secrets.token_hex(4)
        if candidate not in used and candidate not in {DEFAULT_ID, ENVIRONMENT_ID, DEMO_ID}:
            return candidate


def unique_name(wanted: str, taken: Iterable[str]) -> str:
    """`wanted`, or `wanted 2`, `wanted 3`… when another account has that name."""
    names = {name.casefold() for name in taken}
    if wanted.casefold() not in names:
        return wanted
    number = 2
    while f"{wanted} {number}".casefold() in names:
        number += 1
    return f"{wanted} {number}"


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
    """At least one; ids and names (ignoring case) unique. Raises ValueError."""
    if not accounts:
        raise ValueError(_("keep at least one account"))
    ids = [account.id for account in accounts]
    if len(set(ids)) != len(ids):
        raise ValueError(_("two accounts have the same id"))
    names = [account.name.casefold() for account in accounts]
    if len(set(names)) != len(names):
        raise ValueError(_("two accounts have the same name"))


def environment_account(
    stored: Sequence[Account], environ: Mapping[str, str], scheme: AuthScheme | None = None
) -> Account | None:
    """With NEO_API_TOKEN set, the one account the process uses instead of the stored ones: the
    first stored account's address and header (as before accounts), unless overridden."""
    if not environ.get(TOKEN_ENV, "").strip():
        return None
    first = stored[0] if stored else DEFAULT_ACCOUNT
    return Account(
        id=ENVIRONMENT_ID,
        name=ENVIRONMENT_NAME,
        base_url=first.base_url,
        auth_scheme=scheme or first.auth_scheme,
    )


def in_use(
    stored: Sequence[Account],
    environ: Mapping[str, str],
    scheme: AuthScheme | None = None,
    *,
    demo: bool = False,
) -> tuple[Account, ...]:
    """The accounts a process polls or prints: the demo's, NEO_API_TOKEN's one, or the stored
    ones in their order; `--auth-scheme` (`scheme`) applies to each for this run."""
    if demo:
        return (DEMO_ACCOUNT,)
    from_environment = environment_account(stored, environ, scheme)
    if from_environment is not None:
        return (from_environment,)
    if scheme is None:
        return tuple(stored)
    return tuple(account.model_copy(update={"auth_scheme": scheme}) for account in stored)


def base_url(account: Account, environ: Mapping[str, str]) -> str:
    """The environment wins over the account's address, which wins over the public API."""
    return environ.get(URL_ENV, "").strip() or account.base_url or DEFAULT_BASE_URL


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


def find(accounts: Sequence[Account], wanted: str) -> Account:
    """The account named `wanted` (its exact name first, then ignoring case), or its id."""
    name = " ".join(wanted.split())
    exact = [account for account in accounts if account.name == name]
    folded = [account for account in accounts if account.name.casefold() == name.casefold()]
    by_id = [account for account in accounts if account.id == name]
    for found in (exact, folded, by_id):
        if found:
            return found[0]
    raise UnknownAccount(wanted, [account.name for account in accounts])


def storage_suffix(account_id: str) -> str:
    """What an account adds to the name of each file or keyring entry it owns; the first
    release's account adds nothing, so its stored token, cache and memory are found as they are."""
    if not re.fullmatch(ID_PATTERN, account_id):
        raise ValueError(f"not an account id: {account_id!r}")
    return "" if account_id == DEFAULT_ID else f"-{account_id}"
