"""Every account the process rebuilds keeps the Neo web address the user set (issue 30's
tester): NEO_API_TOKEN's account takes the first stored account's, and the demo follows the
first account of its own settings."""

from __future__ import annotations

from desktop.core import accounts
from desktop.core.accounts import DEFAULT_WEB_URL, DEMO_ACCOUNT, Account
from desktop.core.query import AuthScheme

OWN = "https://neo.example.com/team?x=1"
FIRST = Account(id="a1", name="Work", web_url=OWN, auth_scheme=AuthScheme.X_API_KEY)
SECOND = Account(id="b2", name="Home", web_url="https://second.example.com")
TOKEN = {"NEO_API_TOKEN": "neo_sk_env_0123456789"}


def test_the_environment_account_opens_the_first_accounts_web_address() -> None:
    environment = accounts.environment_account((FIRST, SECOND), TOKEN)
    assert environment is not None
    assert (environment.auth_scheme, environment.web_url) == (AuthScheme.X_API_KEY, OWN)
    (used,) = accounts.in_use((FIRST, SECOND), TOKEN)
    assert used.web_url == OWN
    # Accounts set aside: the API address is lost (it could be another's), the page link is not.
    (aside,) = accounts.in_use((FIRST,), TOKEN, some_set_aside=True)
    assert (aside.address_lost, aside.web_url) == (True, OWN)
    (bare,) = accounts.in_use((), TOKEN)
    assert bare.web_url == DEFAULT_WEB_URL


def test_the_demo_follows_the_web_address_its_settings_keep() -> None:
    stored = DEMO_ACCOUNT.model_copy(update={"web_url": OWN})
    (demo,) = accounts.in_use((stored, SECOND), {}, demo=True)
    assert (demo.id, demo.name, demo.web_url) == (DEMO_ACCOUNT.id, DEMO_ACCOUNT.name, OWN)
    assert accounts.in_use((DEMO_ACCOUNT,), {}, demo=True) == (DEMO_ACCOUNT,)
    assert accounts.in_use((), {}, demo=True) == (DEMO_ACCOUNT,)
