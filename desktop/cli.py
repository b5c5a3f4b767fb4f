"""Command line: parse arguments and pick a mode (tray, demo tray, or one fetch with `--once`).

`--once` never imports Qt; it prints one JSON object (or a short text summary) and exits with the
code of its failure class. Every failure is one line on stderr, never a traceback, never the token.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import NoReturn

from desktop import __version__
from desktop.api.client import DEFAULT_BASE_URL, AuthScheme, GroupBy, NeoClient, UsageQuery
from desktop.api.errors import (
    EXIT_OK,
    EXIT_USAGE,
    InvalidSetting,
    NeoError,
    NoToken,
)
from desktop.core import fmt
from desktop.core.derive import derive
from desktop.core.models import UsageSummary
from desktop.core.settings import Settings
from desktop.system import logs, settings_store
from desktop.system.secrets import TOKEN_ENV, load_token

log = logging.getLogger(__name__)
URL_ENV = "NEO_API_URL"
EXIT_INTERNAL = 1
LOG_LEVELS = ("debug", "info", "warning", "error")


class UsageError(Exception):
    """Bad command-line usage; exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="neo-tray",
        description="System-tray gauge of your ProjectDiscovery Neo credits.",
        epilog=(
            f"Environment: {TOKEN_ENV} (token, overrides the keyring), {URL_ENV} (API base URL). "
            "Exit codes of --once: 0 ok, 2 bad usage, 3 no token or sign-in refused (401/403), "
            "4 API unreachable, timeout, 5xx or 429, 5 response not understood."
        ),
    )
    parser.add_argument("--version", action="version", version=f"neo-tray {__version__}")
    parser.add_argument(
        "--demo", action="store_true", help="run against an embedded fake Neo API (no token needed)"
    )
    parser.add_argument("--once", action="store_true", help="fetch the usage summary once and exit")
    parser.add_argument("--json", action="store_true", help="with --once: print JSON on stdout")
    parser.add_argument("--from", dest="start", metavar="T", help="with --once: ISO 8601 start")
    parser.add_argument("--to", dest="end", metavar="T", help="with --once: ISO 8601 end")
    parser.add_argument(
        "--group-by", choices=[g.value for g in GroupBy], help="with --once: fill by_period"
    )
    parser.add_argument(
        "--auth-scheme",
        choices=[s.value for s in AuthScheme],
        help="how to send the token (default: the setting, else bearer)",
    )
    parser.add_argument(
        "--log-level", choices=LOG_LEVELS, help="also log to stderr from this level"
    )
    parser.add_argument("--scenario", help=argparse.SUPPRESS)  # demo fault scenario, for trying
    return parser


@dataclass(frozen=True)
class Options:
    demo: bool
    once: bool
    as_json: bool
    query: UsageQuery
    auth_scheme: AuthScheme | None
    log_level: str | None
    scenario: str


def parse_instant(text: str, flag: str) -> datetime:
    """ISO 8601 date-time or date; without a zone it is the user's local time."""
    value = text.strip()
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            parsed = datetime(day.year, day.month, day.day)
        else:
            parsed = datetime.fromisoformat(value[:-1] + "+00:00" if value[-1:] in "zZ" else value)
    except ValueError:
        raise UsageError(
            f"{flag} {text!r} is not an ISO 8601 date-time (e.g. 2026-11-01T00:00:00Z)"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.astimezone()  # local time, made explicit
    return parsed.astimezone(UTC)


def parse_options(argv: Sequence[str]) -> Options:
    args = build_parser().parse_args(argv)
    ranged = args.start is not None or args.end is not None or args.group_by is not None
    if args.json and not args.once:
        raise UsageError("--json needs --once")
    if ranged and not args.once:
        raise UsageError("--from, --to and --group-by need --once")
    if args.scenario and not args.demo:
        raise UsageError("--scenario needs --demo")
    start = parse_instant(args.start, "--from") if args.start is not None else None
    end = parse_instant(args.end, "--to") if args.end is not None else None
    try:
        query = UsageQuery(start, end, GroupBy(args.group_by) if args.group_by else None)
    except InvalidSetting as exc:
        raise UsageError(f"--from/--to: {exc.user_message}") from None
    return Options(
        demo=args.demo,
        once=args.once,
        as_json=args.json,
        query=query,
        auth_scheme=AuthScheme(args.auth_scheme) if args.auth_scheme else None,
        log_level=args.log_level,
        scenario=args.scenario or "ok",
    )


def resolve_base_url(settings: Settings, environ: dict[str, str] | os._Environ[str]) -> str:
    """The environment wins over the setting, which wins over the public API."""
    return environ.get(URL_ENV, "").strip() or settings.base_url or DEFAULT_BASE_URL


def once_report(
    summary: UsageSummary, settings: Settings, fetched_at: datetime
) -> dict[str, object]:
    return {
        "summary": summary.model_dump(mode="json"),
        "derived": derive(summary, fetched_at, settings.thresholds).to_json(),
        "fetched_at": fetched_at.isoformat().replace("+00:00", "Z"),
    }


def human_report(summary: UsageSummary, settings: Settings, fetched_at: datetime) -> str:
    figures = derive(summary, fetched_at, settings.thresholds)
    share = fmt.percent(figures.available_fraction)
    lines = [
        f"Available: {fmt.credits(figures.available_credits)} of "
        f"{fmt.credits(figures.issued_credits)} credits ({share})",
        f"Level:     {figures.level.value}",
        f"Expiry:    {fmt.countdown(figures.expires_in, figures.expired)}"
        + (f" ({fmt.local_datetime(figures.expires_at)})" if figures.expires_at else ""),
        f"Used:      {fmt.credits(figures.used_credits)} since the last reset; "
        f"{fmt.credits(summary.total_neo_credits)} in range over {summary.total_tasks:,} tasks",
    ]
    if figures.top_model:
        lines.append(f"Top model: {figures.top_model}")
    return "\n".join(lines)


def run_once(options: Options, environ: dict[str, str] | os._Environ[str]) -> int:
    loaded = settings_store.load()
    if loaded.problem:
        log.warning("%s", loaded.problem)
    settings = loaded.settings
    scheme = options.auth_scheme or settings.auth_scheme
    with ExitStack() as stack:
        if options.demo:
            from desktop.fakeapi import FakeNeoApi

            api = stack.enter_context(FakeNeoApi(scenario=options.scenario))
            base_url, token = api.url, api.token
        else:
            base_url = resolve_base_url(settings, environ)
            lookup = load_token(dict(environ))
            if lookup.token is None:
                hint = " (the system keyring could not be read)" if lookup.keyring_problem else ""
                raise NoToken(
                    f"No Neo API token: set {TOKEN_ENV} or save one in the tray's settings{hint}.",
                    "no token in environment or keyring",
                )
            token = lookup.token
        logs.redactor.add_secret(token)
        client = stack.enter_context(NeoClient(base_url, token, scheme))
        summary = client.fetch_summary(options.query)
    fetched_at = datetime.now(UTC)
    if options.as_json:
        print(json.dumps(once_report(summary, settings, fetched_at), ensure_ascii=False))
    else:
        print(human_report(summary, settings, fetched_at))
    return EXIT_OK


def _fail(message: str) -> None:
    print(f"neo-tray: {logs.redactor.redact(message)}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:  # a windowed (no console) frozen build
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115
    try:
        options = parse_options(argv)
    except UsageError as exc:
        _fail(f"{exc} (see neo-tray --help)")
        return EXIT_USAGE
    level = getattr(logging, options.log_level.upper()) if options.log_level else None
    env_token = os.environ.get(TOKEN_ENV, "").strip()
    logs.redactor.add_secret(env_token)
    if not options.once:
        from desktop.app import run_tray

        logs.configure(level if level is not None else logging.WARNING)
        return run_tray(
            demo=options.demo, scenario=options.scenario, auth_scheme=options.auth_scheme
        )
    logs.configure(level)
    try:
        return run_once(options, os.environ)
    except NeoError as exc:
        log.warning("%s (%s)", exc.user_message, exc.detail)
        _fail(exc.user_message)
        return exc.exit_code
    except KeyboardInterrupt:
        _fail("interrupted")
        return 130
    except Exception as exc:  # the contract: one line, never a traceback
        log.exception("Unexpected error in --once")
        _fail(f"unexpected error ({type(exc).__name__}); details are in the log file")
        return EXIT_INTERNAL
