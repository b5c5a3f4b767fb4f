"""The worker of the poller thread: owns the httpx client and the keyring reads, and turns every
fetch into an immutable `Snapshot` or `PollError` that names the query it answers (the main
poll's 403 into a `MemberSnapshot` when `/api/v1/user` gives the member's cap)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from PySide6.QtCore import QObject, Signal, Slot

from desktop.api.client import NeoClient
from desktop.api.member import USER_DEADLINE_SECONDS, member_after_forbidden
from desktop.core.account_rules import token_tag
from desktop.core.accounts import DEFAULT_ID
from desktop.core.errors import ErrorKind, NeoError, NoPermission, ResponseTooLarge
from desktop.core.i18n import _
from desktop.core.member import MemberSnapshot
from desktop.core.query import AuthScheme, UsageQuery
from desktop.core.snapshot import PollError, Snapshot
from desktop.core.task_channel import PageFailure, PageTrouble, TaskPageQuery
from desktop.core.tasks import PAGE_SECONDS, TasksPage
from desktop.system.secrets import load_token

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ClientConfig:
    """What the worker needs to build its client. `token=None` means: read the keyring."""

    base_url: str
    auth_scheme: AuthScheme = AuthScheme.BEARER
    token: str | None = None
    account_id: str = DEFAULT_ID  # whose keyring entry (or token file) to read


def open_client(config: ClientConfig) -> tuple[NeoClient, str]:
    """A client for `config` and its token's tag; reads the keyring if needed."""
    token = config.token
    if token is None:
        token = load_token(account_id=config.account_id).required(config.account_id)
    return NeoClient(config.base_url, token, config.auth_scheme), token_tag(token)


#: Builds the worker's client for a config (tests hand in their own).
ClientFactory = Callable[[ClientConfig], tuple[NeoClient, str]]


#: What a fetch gives when it works: a summary's snapshot, or (the main poll) a member's.
Good = TypeVar("Good", Snapshot, Snapshot | MemberSnapshot)


def fetch_outcome(
    attempt: Callable[[], Good],
    query: UsageQuery,
    clock: Clock,
    tag: str = "",
    *,
    cut_short: bool = False,
) -> Good | PollError:
    """Run one fetch of `query`; every failure becomes a PollError naming that query (a bug
    must not kill the thread). `cut_short`: a failure now is the quit cutting it short, worth
    no warning."""
    try:
        return attempt()
    except NeoError as exc:
        level = logging.INFO if cut_short else logging.WARNING
        log.log(level, "Fetch failed: %s (%s)", exc.user_message, exc.detail)
        return PollError.from_exception(exc, clock(), tag, query)
    except Exception:
        log.exception("Unexpected error while fetching the usage summary")
        return PollError(
            ErrorKind.OFFLINE,
            _("Unexpected error while fetching usage (see the log)."),
            clock(),
            query=query,
        )


def fetch_task_page(
    client: Callable[[], NeoClient], query: TaskPageQuery, clock: Clock, *, cut_short: bool = False
) -> TasksPage | PageFailure:
    """One page of a task listing (within `PAGE_SECONDS`); every failure becomes a
    PageFailure: too large, forbidden (403), or unavailable (anything else, with the server's
    Retry-After)."""
    try:
        return client().fetch_tasks_page(
            query.start, query.end, query.limit, query.offset, deadline_seconds=PAGE_SECONDS
        )
    except ResponseTooLarge as exc:
        log.info("Task page too large with limit %d: %s", query.limit, exc.detail)
        return PageFailure(PageTrouble.TOO_LARGE, clock())
    except NoPermission as exc:
        log.info("Tasks refused: %s", exc.detail)
        return PageFailure(PageTrouble.FORBIDDEN, clock())
    except NeoError as exc:
        level = logging.INFO if cut_short else logging.WARNING
        log.log(level, "Task page failed: %s (%s)", exc.user_message, exc.detail)
        return PageFailure(PageTrouble.UNAVAILABLE, clock(), getattr(exc, "retry_after", None))
    except Exception:
        log.exception("Unexpected error while fetching a task page")
        return PageFailure(PageTrouble.UNAVAILABLE, clock())


class FetchWorker(QObject):
    """Lives in the poller thread; owns one account's httpx client and its keyring reads.

    Signals:
        finished(int, Snapshot | MemberSnapshot | PollError | TasksPage | PageFailure): the
            request id and the outcome of one fetch (a summary's, a member's after the main
            poll's 403, or a task page's).
    """

    finished = Signal(int, object)

    def __init__(
        self,
        config: ClientConfig,
        clock: Clock,
        client_factory: ClientFactory,
        monotonic: Callable[[], float] = time.monotonic,  # what the main request's deadline spent
    ) -> None:
        super().__init__()
        self._config = config
        self._clock = clock
        self._monotonic = monotonic
        self._open_client = client_factory
        self._client: NeoClient | None = None
        self._token_tag = ""
        self._stopping = False  # set by `cancel`: what fails now was cut short on purpose

    @Slot(object)
    def configure(self, config: ClientConfig) -> None:
        self._close_client()
        self._config = config

    @Slot(int, object, bool, bool)
    def fetch(
        self,
        request_id: int,
        query: UsageQuery | TaskPageQuery,
        main: bool = False,
        member: bool = False,
    ) -> None:
        """Fetch `query` and say `finished`; `main`: the account's main poll, whose 403 asks
        `/api/v1/user` for the member's cap (`member_after_forbidden`): a cap makes the answer
        a `MemberSnapshot`, anything else the 403's PollError (the no-cap variant's words when
        the team has none). `member`: the account is in member mode (`PollQueue.member` when
        the request was made), so a passing `/user` failure is that failure (member mode kept,
        backoff, Retry-After), not the 403's stop. `/user` gets what is left of the main
        request's deadline, `USER_DEADLINE_SECONDS` at most."""
        if isinstance(query, TaskPageQuery):
            # A task page's failure is its listing's alone: the client stays (even on a 401).
            page = fetch_task_page(
                self._ensure_client, query, self._clock, cut_short=self._stopping
            )
            self.finished.emit(request_id, page)
            return

        def attempt() -> Snapshot | MemberSnapshot:
            client = self._ensure_client()
            started = self._monotonic()
            try:
                summary = client.fetch_summary(query)
            except NoPermission as forbidden:
                if not main or self._stopping:
                    raise  # quitting: no second request
                left = client.deadline_seconds - (self._monotonic() - started)
                profile = member_after_forbidden(
                    client,
                    forbidden,
                    deadline_seconds=min(left, USER_DEADLINE_SECONDS),
                    in_member_mode=member,
                )
                return MemberSnapshot(profile, self._clock(), token_tag=self._token_tag)
            return Snapshot(summary, self._clock(), query, token_tag=self._token_tag)

        result = fetch_outcome(
            attempt, query, self._clock, self._token_tag, cut_short=self._stopping
        )
        if isinstance(result, PollError) and result.needs_user_action:
            self._close_client()  # re-read the token next time
        self.finished.emit(request_id, result)

    def cancel(self) -> None:
        """Called from the UI thread: end the fetch in flight now (quitting must not wait for a
        stuck server). Safe from any thread: it only shuts the request's sockets down."""
        self._stopping = True
        if self._client is not None:
            self._client.cancel()

    def cancelled_fetches_end(self) -> None:
        """The poller starts (again): failures are worth a warning again."""
        self._stopping = False

    @Slot()
    def shutdown(self) -> None:
        self._close_client()

    def _ensure_client(self) -> NeoClient:
        if self._client is None:
            self._client, self._token_tag = self._open_client(self._config)
        return self._client

    def _close_client(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
