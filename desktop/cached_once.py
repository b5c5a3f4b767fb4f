"""The status bar's fast path: `--once --cached --format waybar|i3blocks|text|json` (and
`--account NAME`) with a fresh cache, printed from the tray's cache file without the models,
the client or the keyring. It prints what the full path (`once.py`) prints for the same cache,
through the same functions (`once_output`), or nothing: `run` returns None at anything unusual
(another argument, settings the model would change or log about, a cache that is missing, stale,
unbelievable, not as the tray writes it or fetched with another token than `NEO_API_TOKEN`'s,
anything logged) and the caller then takes the full path, which behaves as it always did.
"""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

from desktop.core import account_rules, cache_rules, i18n
from desktop.core.account_rules import ENVIRONMENT_ID, ENVIRONMENT_NAME
from desktop.core.environment import TOKEN_ENV
from desktop.core.forecast import compute, forecast_from_json
from desktop.core.member_rules import MemberProfile, profile_from_json
from desktop.core.plain_settings import DEFAULTS, PlainAccount, PlainSettings, plain_settings
from desktop.core.query import validate_base_url
from desktop.core.summary_figures import PlainSummary, normal_summary
from desktop.core.validators import stored_instant
from desktop.options import OutputFormat
from desktop.standard_output import print_line
from desktop.system import cache, paths, safe_files

#: The formats this path prints (the human report is not one of them).
FORMATS = {f.value: f for f in (OutputFormat.JSON, OutputFormat.WAYBAR, OutputFormat.I3BLOCKS)}
FORMATS[OutputFormat.TEXT.value] = OutputFormat.TEXT


def parse(argv: Sequence[str]) -> tuple[OutputFormat, str | None] | None:
    """(format, --account's name) when `argv` is exactly `--once --cached --format F` in any
    order, optionally with `--account NAME` (each once; `--opt=value` too); None otherwise."""
    seen: dict[str, str] = {}
    items = list(argv)
    while items:
        item = items.pop(0)
        flag, equals, value = item.partition("=")
        if flag in {"--once", "--cached"} and not equals:
            value = ""
        elif flag in {"--format", "--account"}:
            if not equals:
                if not items:
                    return None
                value = items.pop(0)
            if value.startswith("-") or not value.strip():
                return None
        else:
            return None
        if flag in seen:
            return None
        seen[flag] = value
    if not {"--once", "--cached", "--format"} <= set(seen) or seen["--format"] not in FORMATS:
        return None
    return FORMATS[seen["--format"]], seen.get("--account")


def run(argv: Sequence[str], environ: Mapping[str, str] | None = None) -> int | None:
    """Print the cached snapshot as asked and return the exit code; None: print nothing, take
    the full path."""
    asked = parse(argv)
    environ = os.environ if environ is None else environ
    if asked is None:
        return None
    # Anything said on the way (a log record, a line on stderr) sends it the full way, which
    # says it properly. `logging` is imported on this path only to write a record: when it
    # was not loaded before, its arrival tells; when it was (a test), a handler watches.
    logged_before = "logging" in sys.modules
    noticed: list[object] = []
    unwatch = _watch_log(noticed) if logged_before else None
    said = io.StringIO()
    refusals = safe_files.said()
    stderr, sys.stderr = sys.stderr, said  # not even Python's last-resort log line leaks
    try:
        printed = _printed(*asked, environ)
    except Exception:  # never a traceback from the fast path: the full path says what is wrong
        printed = None
    finally:
        sys.stderr = stderr
        if unwatch is not None:
            unwatch()
    logged = noticed or said.getvalue() or (not logged_before and "logging" in sys.modules)
    if printed is None or logged:
        safe_files.unsay(refusals)  # what it logged went nowhere: the full path says it once
        return None
    text, code = printed
    print_line(text)  # raises OutputClosed, which `cli` says
    return code


def _watch_log(noticed: list[object]) -> Callable[[], None]:
    """Keep the records of the app's loggers in `noticed` (and from their handlers) until the
    returned function is called."""
    import logging

    class Noticed(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            noticed.append(record)

    logger = logging.getLogger("desktop")
    handler = Noticed(logging.DEBUG)
    logger.addHandler(handler)
    propagate, logger.propagate = logger.propagate, False

    def unwatch() -> None:
        logger.removeHandler(handler)
        logger.propagate = propagate

    return unwatch


def _settings() -> PlainSettings | None:
    try:
        data = safe_files.read_file(
            paths.settings_file(), paths.SETTINGS_LIMIT, follow_to_own_file=True
        )
    except safe_files.BrokenLink:  # a link to a missing file is not "no settings"
        return None
    except FileNotFoundError:
        return DEFAULTS
    except OSError:
        return None
    return plain_settings(json.loads(data.decode("utf-8")))


class _FullPath(Exception):
    """This cache is for the full path to judge: it would log, or the model would change it."""


class _Cached(NamedTuple):
    data: dict[str, Any]
    fetched_at: datetime
    retry_at: datetime | None


#: A member entry's `mode` (`core.member.MemberSnapshot.to_json`, `cache.save_member`).
MEMBER_MODE = "member"


def _entry(address: str, account_id: str, now: datetime, tag: str | None) -> _Cached | None:
    """The account's cache as the tray wrote it (a summary's or a member's), its summary not
    yet checked (`_summary`: the costly part, last); None when there is none for `address` or
    it is another token's (`tag`; None: any), which the full path skips too. Raises
    `_FullPath`."""
    path = paths.cache_dir() / f"last-snapshot{account_rules.storage_suffix(account_id)}.json"
    # The cache key is the address (never the demo here); kept for the full path, if it follows.
    data = cache.read_data(address, path, keep=True)
    if data is None:
        return None
    # The cheap rules first: a cache the full path would not show is given up on at once.
    fetched_at = stored_instant(data["fetched_at"])
    retry_at = stored_instant(data.get("retry_at"))
    if "token_tag" not in data or fetched_at is None:
        raise _FullPath
    if not cache_rules.believable(fetched_at, retry_at, now):
        raise _FullPath
    if tag is not None and data["token_tag"] != tag:
        # Skipped, but one the model would log about is the full path's.
        if data.get("mode") == MEMBER_MODE:
            _member(data)
        else:
            _summary(data)
        return None
    return _Cached(data, fetched_at, retry_at)


def _summary(data: dict[str, Any]) -> tuple[dict[str, Any], PlainSummary]:
    """The cached summary in the model's order, and its figures. Raises `_FullPath` where the
    model would change or log about it (`normal_summary`)."""
    normal = normal_summary(data["summary"])
    if normal is None:
        raise _FullPath
    return normal


def _member(data: dict[str, Any]) -> MemberProfile:
    """The cached member's profile, by the rules the full path reads it with
    (`core.member.MemberSnapshot.from_json`). Raises `_FullPath` where it would not read it."""
    profile = profile_from_json(data.get("member"))
    if profile is None:
        raise _FullPath
    return profile


def _printed(
    output: OutputFormat, wanted: str | None, environ: Mapping[str, str]
) -> tuple[str, int] | None:
    settings = _settings()
    if settings is None:
        return None
    i18n.use(settings.language)  # as `cli.main` chooses it, before any text
    token = environ.get(TOKEN_ENV, "").strip()
    known = settings.accounts
    if token:  # NEO_API_TOKEN's one account, as `accounts.environment_account` makes it
        first = known[0]
        known = (
            PlainAccount(
                ENVIRONMENT_ID,
                ENVIRONMENT_NAME,
                first.base_url,
                first.auth_scheme,
                first.address_lost,
            ),
        )
    account = known[0] if wanted is None else account_rules.find(known, wanted)
    address = account_rules.base_url(account, environ)
    if address == account_rules.NO_ADDRESS:
        return None
    validate_base_url(address)
    now = datetime.now(UTC)
    # The token's account may read a stored account's cache, fetched with that very token only.
    candidates = (account, *settings.accounts) if token else (account,)
    tag = account_rules.token_tag(token) if token else None
    entries = (_entry(address, candidate.id, now, tag) for candidate in candidates)
    entry = next((e for e in entries if e), None)
    if entry is None:
        return None
    data, fetched_at, retry_at = entry
    interval = cache_rules.poll_interval(data.get("interval_seconds"))
    stale = cache_rules.staleness(fetched_at, interval, retry_at, now)
    if stale is None:
        return None
    from desktop import once_output

    if data.get("mode") == MEMBER_MODE:
        profile = _member(data)
        if profile.cap is None:  # not member mode: the full path fetches
            return None
        if output is OutputFormat.JSON:
            document = once_output.member_document(profile, fetched_at, source="cache", stale=stale)
            return json.dumps(document, allow_nan=False), 0
        return once_output.member_status_bar(
            output, profile, fetched_at, stale=stale, thresholds=settings.thresholds
        )
    summary_json, summary = _summary(data)
    expires_at = summary.neo_credits_expires_at
    forecast = forecast_from_json(data.get("forecast"), expires_at) or compute(summary, None, now)
    if output is OutputFormat.JSON:
        document = once_output.document(
            summary_json,
            summary,
            forecast,
            fetched_at,
            source="cache",
            stale=stale,
            thresholds=settings.thresholds,
            now=now,
        )
        return json.dumps(document, allow_nan=False), 0
    return once_output.status_bar(
        output,
        summary,
        forecast,
        fetched_at,
        stale=stale,
        thresholds=settings.thresholds,
        now=now,
    )
