"""The connection policy: where each account's poller connects, with which header and token, and
whether it may connect at all (an address lost with no `NEO_API_URL` sends the token nowhere)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from desktop.core import accounts
from desktop.core.accounts import ENVIRONMENT_ID, Account
from desktop.core.environment import TOKEN_ENV, forecast_interval_seconds, poll_interval_seconds
from desktop.core.query import AuthScheme
from desktop.core.settings import Settings
from desktop.system import paths
from desktop.ui.fetch_worker import ClientConfig


class DemoApi(Protocol):
    """The demo's own API (`desktop.fakeapi.FakeNeoApi`, which the ui layer may not import)."""

    token: str

    @property
    def url(self) -> str: ...


class ConnectionPolicy:
    """Turns an account into its poller's `ClientConfig`, keeping the tokens the keyring could
    not keep (session-only, by account id) until the user saves or signs out."""

    def __init__(
        self,
        environ: Mapping[str, str],
        *,
        demo_api: DemoApi | None = None,
        auth_scheme: AuthScheme | None = None,
    ) -> None:
        self._environ = environ
        self._demo_api = demo_api
        self._auth_scheme = auth_scheme  # --auth-scheme: every account's header
        self._session_tokens: dict[str, str] = {}

    @property
    def demo(self) -> bool:
        return self._demo_api is not None

    def accounts_in_use(self, settings: Settings) -> tuple[Account, ...]:
        """The accounts that get a session: the settings', or the environment's, or the demo's."""
        return accounts.in_use(
            settings.accounts,
            self._environ,
            self._auth_scheme,
            demo=self.demo,
            some_set_aside=bool(settings.accounts_set_aside),
        )

    def client_config(self, account: Account, token: str | None) -> ClientConfig:
        """A poller's client settings; `token` None reads the account's keyring entry."""
        if self._demo_api is not None:
            # The demo's own API, with the token asked for, else the one in its sandbox's store
            # (Sign out there signs the demo out); a demo without a sandbox (tests) uses the
            # server's token.
            stored = None if paths.sandbox() is not None else self._demo_api.token
            return ClientConfig(self._demo_api.url, AuthScheme.BEARER, token or stored, account.id)
        if account.id == ENVIRONMENT_ID:
            token = self._environ.get(TOKEN_ENV, "").strip() or token
        scheme = self._auth_scheme or account.auth_scheme
        return ClientConfig(accounts.base_url(account, self._environ), scheme, token, account.id)

    def current_config(self, account: Account) -> ClientConfig:
        """`client_config` with the account's session-only token, if the user typed one."""
        return self.client_config(account, self._session_tokens.get(account.id))

    def use_token(self, account_id: str, token: str | None) -> None:
        """A token for this session only (the keyring refused it), or None: read the keyring."""
        if token is None:
            self._session_tokens.pop(account_id, None)
        else:
            self._session_tokens[account_id] = token

    def address_unknown(self, account: Account) -> bool:
        """Nothing may be sent for `account`: its address was lost and NEO_API_URL is unset."""
        return not self.demo and not accounts.base_url(account, self._environ)

    def cache_key(self, account: Account) -> str:
        return accounts.cache_key(account, self._environ, demo=self.demo)

    def interval_seconds(self, settings: Settings) -> float | None:
        """Seconds between main polls (None: manual), the environment's override first."""
        return poll_interval_seconds(settings.poll_interval_minutes, self.demo, self._environ)

    def forecast_seconds(self) -> float:
        return forecast_interval_seconds(self._environ)
