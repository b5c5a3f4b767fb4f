"""Accounts: the first release's settings become "Default", names and ids, which accounts a
process uses, and finding one by name."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from desktop.core import accounts
from desktop.core.accounts import DEFAULT_ID, ENVIRONMENT_ID, Account, UnknownAccount
from desktop.core.errors import EXIT_USAGE
from desktop.core.query import AuthScheme
from desktop.core.settings import Settings

PERSONAL = Account(id="a1b2c3d4", name="Personal")
ACME = Account(id="e5f6a7b8", name="Acme", base_url="https://acme.example.test")


def test_first_release_settings_become_one_default_account() -> None:
    old = {
        "base_url": "https://neo.example.test/",
        "auth_scheme": "x-api-key",
        "poll_interval_minutes": 15,
    }
    settings = Settings.model_validate(old)
    assert settings.accounts == (
        Account(
            id=DEFAULT_ID,
            name="Default",
            base_url="https://neo.example.test",
            auth_scheme=AuthScheme.X_API_KEY,
        ),
    )
    assert settings.poll_interval_minutes == 15
    assert "base_url" not in settings.model_dump()  # one home: the account
    assert accounts.is_legacy(old)
    assert not accounts.is_legacy(settings.model_dump(mode="json"))
    again = Settings.model_validate(settings.model_dump(mode="json"))
    assert again == settings  # today's shape passes unchanged


def test_defaults_are_one_default_account() -> None:
    assert Settings().accounts == (accounts.DEFAULT_ACCOUNT,)


@pytest.mark.parametrize(
    "listed",
    [
        [],
        [PERSONAL, PERSONAL],
        [PERSONAL, Account(id="ffff0000", name="PERSONAL")],  # names ignore case
    ],
)
def test_the_list_keeps_one_account_and_unique_ids_and_names(listed: list[Account]) -> None:
    with pytest.raises(ValidationError):
        Settings(accounts=tuple(listed))


@pytest.mark.parametrize("name", ["", "   ", "x" * 41, "\u202eevil", "bell\x07"])
def test_names_are_short_printable_text(name: str) -> None:
    with pytest.raises(ValidationError):
        Account(id="a1b2c3d4", name=name)


def test_names_are_trimmed_and_ids_are_fixed_form() -> None:
    assert Account(id="a1b2c3d4", name="  Acme   Corp ").name == "Acme Corp"
    with pytest.raises(ValidationError):
        Account(id="../etc", name="x")  # an id names files: never a path
    fresh = {accounts.new_id() for _ in range(50)}
    assert len(fresh) == 50
    assert all(Account(id=value, name="x").id == value for value in fresh)


def test_unique_name_counts_up() -> None:
    assert accounts.unique_name("Account", ["Personal"]) == "Account"
    assert accounts.unique_name("Account", ["account", "Account 2"]) == "Account 3"
    assert accounts.unique_name("Account", ["ＡＣＣＯＵＮＴ", "Account２"]) == "Account 3"
    form = "{name} ({number})"
    assert accounts.unique_name("Acme", ["Acme"], form) == "Acme (2)"
    long = "x" * 40
    assert accounts.unique_name(long, [long], form) == "x" * 36 + " (2)"  # fits the limit


# Each is the same name as "Acme" by the one key (casefold of NFKC, nothing invisible).
SAME_AS_ACME = [
    "ACME",
    "acme",
    "Ａｃｍｅ",  # fullwidth
    "A c m e",
    "Acme\u3164",  # Hangul filler
    "\u115fAcme",  # Hangul choseong filler
    "Ac\uffa0me",  # halfwidth Hangul filler
    "Ac\u2800me",  # Braille blank
    "Ac\u1160me",  # Hangul jungseong filler
    "Acme\u00a0",  # no-break space
    "\u2003Acme",  # em space
]
INVISIBLE_FORMAT = ["Acme\u180e", "Ac\u200bme", "\u2060Acme"]  # refused as names anyway


@pytest.mark.parametrize("name", SAME_AS_ACME + INVISIBLE_FORMAT)
def test_names_compare_by_one_key(name: str) -> None:
    assert accounts.name_key(name) == accounts.name_key("Acme") == "acme"


@pytest.mark.parametrize("name", SAME_AS_ACME)
def test_a_name_with_the_key_of_another_is_a_duplicate(name: str) -> None:
    with pytest.raises(ValidationError, match="same name"):
        Settings(accounts=(Account(id="a1b2c3d4", name="Acme"), Account(id="e5f6a7b8", name=name)))


@pytest.mark.parametrize("name", ["\u3164", "\u115f\u1160", "\uffa0", "\u2800\u2800", "\u3000"])
def test_a_name_that_shows_nothing_is_empty(name: str) -> None:
    with pytest.raises(ValidationError, match=r"(needs a name|visible character)"):
        Account(id="a1b2c3d4", name=name)


def test_find_matches_exactly_first_then_by_the_key() -> None:
    fullwidth = Account(id="a1b2c3d4", name="Ａｃｍｅ")
    listed = (fullwidth, Account(id="e5f6a7b8", name="a1b2c3d4"))
    assert accounts.find(listed, "acme") == fullwidth
    assert accounts.find(listed, "A C M E\u3164") == fullwidth
    assert accounts.find(listed, "a1b2c3d4") == listed[1]  # an exact name before an id
    with pytest.raises(UnknownAccount):
        accounts.find(listed, "\u3164")  # an empty key matches nothing


def test_a_lost_address_is_its_own_state() -> None:
    lost = Account(id="a1b2c3d4", name="Personal", address_lost=True)
    assert accounts.base_url(lost, {}) == accounts.NO_ADDRESS  # never the public API
    assert accounts.base_url(lost, {"NEO_API_URL": "https://env.example.test"}) == (
        "https://env.example.test"
    )
    env = accounts.in_use((lost,), {"NEO_API_TOKEN": "env-token-1234"})
    assert accounts.base_url(env[0], {}) == accounts.NO_ADDRESS  # it took the first's address
    found = Account.model_validate({**lost.model_dump(), "base_url": "https://x.example.test"})
    assert not found.address_lost
    assert Account.model_validate({**lost.model_dump(), "base_url": " "}).address_lost
    assert accounts.AddressLost("Personal").exit_code == EXIT_USAGE


@pytest.mark.parametrize(
    "address",
    ["https://neo.example.test/?team=1", "https://neo.example.test/#x", "https://x.test?"],
)
def test_an_address_with_a_query_or_fragment_is_refused(address: str) -> None:
    with pytest.raises(ValidationError, match="query"):
        Account(id="a1b2c3d4", name="Acme", base_url=address)


def test_a_removed_tray_account_falls_back_to_the_most_attention() -> None:
    settings = Settings(accounts=(PERSONAL, ACME), tray_account=ACME.id)
    assert settings.tray_account == ACME.id
    assert Settings(accounts=(PERSONAL,), tray_account=ACME.id).tray_account is None


def test_stored_accounts_are_used_in_their_order() -> None:
    assert accounts.in_use((PERSONAL, ACME), {}) == (PERSONAL, ACME)


def test_the_environment_token_is_one_account_instead_of_the_stored_ones() -> None:
    used = accounts.in_use((ACME, PERSONAL), {"NEO_API_TOKEN": "env-token-1234"})
    assert [(a.id, a.name) for a in used] == [(ENVIRONMENT_ID, "environment")]
    assert used[0].base_url == ACME.base_url  # the first stored address, as before accounts
    assert accounts.in_use((), {"NEO_API_TOKEN": " "}) == ()  # blank: not set


def test_auth_scheme_flag_applies_to_every_account_for_the_run() -> None:
    used = accounts.in_use((PERSONAL, ACME), {}, AuthScheme.X_API_KEY)
    assert {a.auth_scheme for a in used} == {AuthScheme.X_API_KEY}
    env = accounts.in_use((PERSONAL,), {"NEO_API_TOKEN": "t" * 20}, AuthScheme.X_API_KEY)
    assert env[0].auth_scheme is AuthScheme.X_API_KEY


def test_demo_has_its_own_account() -> None:
    assert accounts.in_use((PERSONAL,), {"NEO_API_TOKEN": "x" * 20}, demo=True) == (
        accounts.DEMO_ACCOUNT,
    )


def test_the_address_follows_the_environment_then_the_account() -> None:
    assert accounts.base_url(ACME, {}) == "https://acme.example.test"
    assert accounts.base_url(PERSONAL, {}) == "https://neo.api.projectdiscovery.io"
    env = {"NEO_API_URL": "https://env.example.test"}
    assert accounts.base_url(ACME, env) == "https://env.example.test"


def test_find_by_name_then_ignoring_case_then_id() -> None:
    listed = (PERSONAL, ACME)
    assert accounts.find(listed, "Acme") == ACME
    assert accounts.find(listed, "  acme ") == ACME
    assert accounts.find(listed, PERSONAL.id) == PERSONAL
    with pytest.raises(UnknownAccount) as caught:
        accounts.find(listed, "Globex")
    assert caught.value.exit_code == EXIT_USAGE
    assert "'Personal', 'Acme'" in caught.value.user_message
    assert "Globex" in caught.value.user_message


def test_each_account_owns_differently_named_files() -> None:
    assert accounts.storage_suffix(DEFAULT_ID) == ""  # the first release's names, kept
    assert accounts.storage_suffix(ACME.id) == f"-{ACME.id}"
    with pytest.raises(ValueError, match="not an account id"):
        accounts.storage_suffix("../x")


def test_the_token_tag_is_sha256s_first_12_hex_digits() -> None:
    """The status bar's path digests without hashlib (OpenSSL costs it 2.5 ms): same tag."""
    import hashlib

    from desktop.core.account_rules import token_tag

    for token in ("bench-token-123456", "ü-token", "x" * 500):
        assert token_tag(token) == hashlib.sha256(token.encode()).hexdigest()[:12]
    assert token_tag(None) == token_tag("") == "none"
