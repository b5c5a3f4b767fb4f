"""`neo-tray --once`: one fetch (or the running tray's fresh snapshot, with `--cached`), printed
as JSON, a line for a status bar, or a short text on stdout. A summary's 403 asks `/api/v1/user`:
with a spending cap the account is in member mode (its own cap, in US dollars).

Imported only for `--once`, so the tray's start-up does not pay for it, and it never imports Qt.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from desktop import once_extras, once_output, once_text
from desktop.api.client import NeoClient
from desktop.api.member import member_after_forbidden
from desktop.api.tasks import fetch_task_listing
from desktop.core import accounts, cache_rules, radar, sinks
from desktop.core.account_rules import token_tag
from desktop.core.accounts import ENVIRONMENT_ID, Account
from desktop.core.environment import TOKEN_ENV, URL_ENV
from desktop.core.errors import (
    EXIT_OK,
    InvalidSetting,
    NeoError,
    NoPermission,
    UnexpectedResponse,
)
from desktop.core.forecast import Forecast, forecast_from_json
from desktop.core.forecast import compute as compute_forecast
from desktop.core.i18n import _, ngettext
from desktop.core.limits import EARLIEST
from desktop.core.member import MemberProfile
from desktop.core.models import UsageSummary
from desktop.core.query import AuthScheme, GroupBy, UsageQuery, validate_base_url
from desktop.core.settings import Settings
from desktop.core.tasks import LISTING_SECONDS, PAGE_SECONDS, TaskListing, TasksStatus, today_window
from desktop.core.today_tasks import TodayTasks
from desktop.once_output import SCHEMA_VERSION
from desktop.options import Options, OutputFormat
from desktop.standard_output import print_line
from desktop.system import cache, logs, paths, settings_store
from desktop.system.secrets import load_token

log = logging.getLogger(__name__)
# `--tasks`: the whole listing, and each page of it, in seconds (module values, so a test can
# shorten them).
TASKS_DEADLINE = LISTING_SECONDS
TASKS_PAGE_DEADLINE = PAGE_SECONDS


@dataclass(frozen=True)
class Result:
    """What `--once` prints: the summary, its forecast, and where it came from."""

    summary: UsageSummary
    forecast: Forecast
    fetched_at: datetime
    source: str = "api"  # or "cache": the running tray's snapshot
    stale: bool = False  # the tray is waiting out a backoff: older than it should be
    tasks: TaskListing | None = None  # with --tasks: the window's task ledger, always fetched
    tasks_today: bool = False  # that window is the local day (no --from nor --to)
    members: radar.Radar | None = None  # an admin's radar (JSON only; never from the cache)
    # With --cached: the tray's figures of today's tasks (`--format openmetrics` says them).
    cached_tasks_today: TodayTasks | None = None
    # With --cached: the kind of the tray's latest poll's failure (`ErrorKind` value), None
    # after a good one (`--format openmetrics` says it as `neo_up` 0; JSON does not).
    tray_failure: str | None = None


@dataclass(frozen=True)
class MemberResult:
    """What `--once` prints in member mode: the summary answered 403 and `/api/v1/user` gave the
    caller's profile with a spending cap (US dollars), fetched at `fetched_at` (UTC)."""

    profile: MemberProfile
    fetched_at: datetime
    source: str = "api"  # or "cache": the running tray's member snapshot
    stale: bool = False
    tasks: TaskListing | None = None
    tasks_today: bool = False
    tray_failure: str | None = None  # as in `Result`


def once_report(
    result: Result | MemberResult, settings: Settings, now: datetime
) -> dict[str, object]:
    tasks_json = None if result.tasks is None else result.tasks.to_json()
    if isinstance(result, MemberResult):
        return once_output.member_document(
            result.profile,
            result.fetched_at,
            source=result.source,
            stale=result.stale,
            tasks_json=tasks_json,
        )
    return once_output.document(
        result.summary.model_dump(mode="json"),
        result.summary,
        result.forecast,
        result.fetched_at,
        source=result.source,
        stale=result.stale,
        thresholds=settings.thresholds,
        now=now,
        tasks_json=tasks_json,
        members_json=None if result.members is None else result.members.to_json(),
    )


def fetch_from_api(client: NeoClient, query: UsageQuery, *, members: bool) -> Result | MemberResult:
    """The summary and its forecast (and, with `members`, an admin's radar); after a 403, member
    mode when `/api/v1/user` gives a cap (`member_after_forbidden`, which raises NoPermission,
    or its no-cap variant, otherwise: `--once` has no member state, so a failing `/user` keeps
    the 403's exit 3). `/user` is optional after the 403: the optional requests' deadline."""
    try:
        summary = client.fetch_summary(query)
    except NoPermission as forbidden:
        deadline = once_extras.OPTIONAL_DEADLINE
        profile = member_after_forbidden(client, forbidden, deadline_seconds=deadline)
        return MemberResult(profile, datetime.now(UTC))
    fetched_at = datetime.now(UTC)
    forecast, window = once_extras.fetch_forecast(client, summary, fetched_at)
    radar_now = once_extras.fetch_members(client, summary, window, fetched_at) if members else None
    return Result(summary, forecast, fetched_at, members=radar_now)


def human_report(result: Result | MemberResult, settings: Settings, now: datetime) -> str:
    """The text report (without --json): the summary's figures, or the member's cap."""
    if isinstance(result, MemberResult):
        return once_text.member_report(result, settings, now)
    return once_text.summary_report(result, settings, now)


def print_result(options: Options, result: Result | MemberResult, settings: Settings) -> int:
    """Print in the asked format; returns the exit code (i3blocks' 33 marks urgent levels)."""
    now = datetime.now(UTC)
    if options.output is OutputFormat.JSON:
        try:  # ASCII-safe, strict JSON: the model lets no NaN or infinity through
            text = json.dumps(once_report(result, settings, now), allow_nan=False)
        except ValueError as exc:
            raise UnexpectedResponse(
                _("The Neo API sent figures this app cannot print as JSON."), str(exc)
            ) from None
        print_line(text)
        return EXIT_OK
    if options.output is OutputFormat.HUMAN:
        print_line(human_report(result, settings, now))
        return EXIT_OK
    if isinstance(result, MemberResult):
        text, code = once_output.member_status_bar(
            options.output,
            result.profile,
            result.fetched_at,
            stale=result.stale,
            thresholds=settings.thresholds,
        )
        print_line(text)
        return code
    text, code = once_output.status_bar(
        options.output,
        result.summary,
        result.forecast,
        result.fetched_at,
        stale=result.stale,
        thresholds=settings.thresholds,
        now=now,
    )
    print_line(text)
    return code


def cached_entry(
    account: Account,
    stored: Sequence[Account],
    key: str,
    environ: Mapping[str, str],
    now: datetime,
) -> cache.CacheEntry | cache.MemberEntry | None:
    """The tray's cache of `account` (a summary's or a member's). NEO_API_TOKEN's account may
    read a stored account's cache too, but only one its tray fetched with the very same token
    (by its token tag):
    a status bar given the token never shows another account's figures. An entry whose times
    cannot be at `now` is no entry (`cache.believable`)."""
    if account.id != ENVIRONMENT_ID:
        return cache.load_entry(key, cache.default_path(account.id), now)
    tag = token_tag(environ.get(TOKEN_ENV, "").strip())
    for candidate in (account, *stored):
        entry = cache.load_entry(key, cache.default_path(candidate.id), now)
        if entry is not None and entry.snapshot.token_tag == tag:
            return entry
    return None


def from_cache(
    entry: cache.CacheEntry | cache.MemberEntry | None, now: datetime
) -> Result | MemberResult | None:
    """The running tray's snapshot (a summary's, or a member's with its cap) when it is fresh
    (twice the poll interval, 10 minutes when polling is manual), or, stale, while the tray
    waits out a backoff; None: fetch instead, also when its times cannot be (after a clock
    jump: fetched in the future, a retry planned further ahead than the tray ever waits)."""
    if entry is None or not cache.believable(entry, now):
        return None
    stale = cache_rules.staleness(
        entry.snapshot.fetched_at, entry.interval_seconds, entry.retry_at, now
    )
    if stale is None:
        return None
    if isinstance(entry, cache.MemberEntry):
        member = entry.snapshot
        if member.profile.cap is None:  # not member mode: the tray never stores one
            return None
        return MemberResult(
            member.profile,
            member.fetched_at,
            source="cache",
            stale=stale,
            tray_failure=entry.failure,
        )
    summary = entry.snapshot.summary
    forecast = forecast_from_json(entry.forecast, summary.neo_credits_expires_at)
    return Result(
        summary,
        forecast or compute_forecast(summary, None, now),
        entry.snapshot.fetched_at,
        source="cache",
        stale=stale,
        cached_tasks_today=entry.tasks_today,
        tray_failure=entry.failure,
    )


def chosen_accounts(
    options: Options, settings: Settings, environ: Mapping[str, str]
) -> tuple[Account, ...]:
    """The accounts to print: `--account`'s, every one with `--all-accounts`, else the first."""
    scheme = AuthScheme(options.auth_scheme) if options.auth_scheme else None
    known = accounts.in_use(
        settings.accounts,
        environ,
        scheme,
        demo=options.demo,
        some_set_aside=bool(settings.accounts_set_aside),
    )
    if options.all_accounts:
        return known
    if options.account is not None:
        return (accounts.find(known, options.account),)
    return known[:1]


def fetch(
    options: Options, account: Account, settings: Settings, environ: Mapping[str, str]
) -> Result | MemberResult:
    """One account's summary and forecast (in member mode its cap): the tray's fresh cache with
    --cached, else the API (with --json an admin's radar too); with --tasks, the window's task
    ledger too, always from the API (its failure is the listing's status, never the
    command's)."""
    query = UsageQuery(
        options.start, options.end, GroupBy(options.group_by) if options.group_by else None
    )
    base_url = accounts.base_url(account, environ)
    if not options.demo:  # an address that cannot carry the token stops us before the token
        if base_url == accounts.NO_ADDRESS:
            raise accounts.AddressLost(account.name)
        validate_base_url(base_url)
    cached = None
    if options.cached and query == UsageQuery():  # the tray caches the main summary only
        key = accounts.cache_key(account, environ, demo=options.demo)
        now = datetime.now(UTC)
        cached = from_cache(cached_entry(account, settings.accounts, key, environ, now), now)
        if cached is not None and not options.tasks:
            return cached
    with ExitStack() as stack:
        client: NeoClient | None
        result: Result | MemberResult
        if cached is None:
            client = open_client(stack, options, account, base_url, environ)
            members = options.output is OutputFormat.JSON
            result = fetch_from_api(client, query, members=members)
        else:  # the summary is the tray's; the tasks still need the token
            result = cached
            try:
                client = open_client(stack, options, account, base_url, environ)
            except NeoError as exc:
                log.warning("No tasks: %s (%s)", exc.user_message, exc.detail)
                client = None
        if options.tasks:
            # The app's own instants are whole seconds (the README's contract).
            start, end = tasks_window(options, datetime.now(UTC).replace(microsecond=0))
            today = options.start is None and options.end is None
            result = replace(result, tasks=fetch_tasks(client, start, end), tasks_today=today)
    return result


def open_client(
    stack: ExitStack,
    options: Options,
    account: Account,
    base_url: str,
    environ: Mapping[str, str],
) -> NeoClient:
    """The account's client (the demo's embedded fake API with `--demo`), closed with `stack`.
    Raises NeoError (no token, a setting the client refuses)."""
    if options.demo:
        from desktop.fakeapi import FakeNeoApi

        api = stack.enter_context(FakeNeoApi(scenario=options.scenario))
        base_url, token = api.url, api.token
    else:
        # Never a prompt: a status bar runs this every minute, nobody to answer it.
        token = load_token(dict(environ), account.id, may_prompt=False).required(account.id)
    logs.redactor.add_secret(token)
    return stack.enter_context(NeoClient(base_url, token, account.auth_scheme))


def tasks_window(options: Options, now: datetime) -> tuple[datetime, datetime]:
    """`--tasks`' window (UTC): the local day so far without --from and --to, else the
    summary's: `to` defaults to `now` (to `from` when that is later), `from` to the earliest
    instant the app represents (the summary then counts from the start too)."""
    if options.start is None and options.end is None:
        return today_window(now)
    start = options.start or EARLIEST
    return start, options.end or max(start, now)


def fetch_tasks(client: NeoClient | None, start: datetime, end: datetime) -> TaskListing:
    """The task ledger from `start` to `end` (`/api/v1/usage/tasks`, page after page, within
    `TASKS_DEADLINE` seconds, each page within `TASKS_PAGE_DEADLINE`); without a client (no
    token) it is unavailable. Never raises a NeoError: the listing's status tells."""
    if client is None:
        return TaskListing(TasksStatus.UNAVAILABLE, start, end)
    return fetch_task_listing(
        client,
        start,
        end,
        deadline_seconds=TASKS_DEADLINE,
        page_seconds=TASKS_PAGE_DEADLINE,
    )


def use_running_demo() -> None:
    """`--demo --cached`: read the files of the demo that runs now (its sandbox, found through
    its single-instance lock). Raises InvalidSetting (exit 2) when no demo runs."""
    from desktop.demo import running_sandbox

    sandbox = running_sandbox()
    if sandbox is None:
        raise InvalidSetting(
            _(
                "No demo is running, so it has nothing cached: start `neo-tray --demo` first, "
                "or leave out --cached."
            ),
            "--demo --cached: no running demo",
        )
    paths.use_sandbox(sandbox)  # read only, as everything in --once


def run_once(options: Options, environ: Mapping[str, str]) -> int:
    # Every failure is a metric in OpenMetrics (exit 0), a missing demo too.
    if options.output is OutputFormat.OPENMETRICS:
        from desktop.once_metrics import print_metrics

        return print_metrics(options, environ)
    if options.demo and options.cached:
        use_running_demo()
    settings = read_settings(options, environ)
    chosen = chosen_accounts(options, settings, environ)
    if not options.all_accounts:
        return print_result(options, fetch(options, chosen[0], settings, environ), settings)
    outcomes: list[tuple[Account, Result | MemberResult | NeoError]] = []
    for account in chosen:
        try:
            outcomes.append((account, fetch(options, account, settings, environ)))
        except NeoError as exc:
            log.warning("%s: %s (%s)", account.name, exc.user_message, exc.detail)
            outcomes.append((account, exc))
    return print_all(options, outcomes, settings)


def read_settings(options: Options, environ: Mapping[str, str]) -> Settings:
    """The settings `--once` uses, read only. Raises InvalidSetting when they stop the
    command (unreadable, a refused folder, a damaged file that lost the API address)."""
    loaded = settings_store.load()  # read only: --once never moves or rewrites the file
    # A problem that stops the command is said once, as its error (logged by the caller).
    if loaded.unreadable:  # not a regular file, too large, permission denied
        raise InvalidSetting(loaded.problem, "settings file unreadable")
    lost = loaded.address_lost and not options.demo and not environ.get(URL_ENV, "").strip()
    if lost and loaded.damaged_path is None:  # its folder was refused: the problem names it
        raise InvalidSetting(loaded.problem, "settings folder refused")
    if loaded.problem:
        log.warning("%s", loaded.problem)
    if lost:
        raise InvalidSetting(
            _(
                "The settings file {path} is damaged, so the API address is not known: fix or "
                "delete the file, or set {variable}."
            ).format(path=loaded.damaged_path, variable=URL_ENV),
            "settings file damaged",
        )
    return loaded.settings


def print_all(
    options: Options,
    outcomes: Sequence[tuple[Account, Result | MemberResult | NeoError]],
    settings: Settings,
) -> int:
    """Every account, each with its summary or its error; exits with the first failure's code
    (one stderr line names it), 0 when all succeeded."""
    now = datetime.now(UTC)
    entries: list[dict[str, object]] = []
    texts: list[str] = []
    failures: list[tuple[Account, NeoError]] = []
    for account, outcome in outcomes:
        error = outcome if isinstance(outcome, NeoError) else None
        if isinstance(outcome, Result | MemberResult):
            try:
                report = once_report(outcome, settings, now)
                json.dumps(report, allow_nan=False)
            except ValueError as exc:
                error = UnexpectedResponse(
                    _("The Neo API sent figures this app cannot print as JSON."), str(exc)
                )
            else:
                entries.append({"name": account.name, **report})
                name = sinks.terminal_text(account.name)
                texts.append(f"{name}\n{human_report(outcome, settings, now)}")
                continue
        assert error is not None
        failures.append((account, error))
        message = logs.redactor.redact(error.user_message)
        entries.append(
            {"name": account.name, "error": {"exit_code": error.exit_code, "message": message}}
        )
        error_line = once_text.aligned([(_("Error"), message)])
        texts.append(f"{sinks.terminal_text(account.name)}\n{error_line}")
    if options.output is OutputFormat.JSON:
        print_line(
            json.dumps({"schema_version": SCHEMA_VERSION, "accounts": entries}, allow_nan=False)
        )
    else:
        print_line("\n\n".join(texts))
    if not failures:
        return EXIT_OK
    account, first = failures[0]
    more = len(failures) - 1
    others = " " + ngettext("({count} more failed)", "({count} more failed)", more).format(
        count=more
    )
    others = others if more else ""
    name = sinks.terminal_text(account.name)
    message = sinks.terminal_text(logs.redactor.redact(first.user_message))
    print(f"neo-tray: {name}: {message}{others}", file=sys.stderr)
    return first.exit_code
