"""The command line's grammar: the parser (argparse, translated), its checks across options and
the `Options` they give. The status bar's fast path (`cached_once`) needs none of it."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any, NoReturn

from desktop import __version__
from desktop.core import local_time
from desktop.core.environment import TOKEN_ENV, URL_ENV
from desktop.core.i18n import _
from desktop.core.limits import EARLIEST, LATEST
from desktop.core.query import AuthScheme, GroupBy
from desktop.options import Options, OutputFormat

GROUP_BY_CHOICES = tuple(group.value for group in GroupBy)
FORMAT_CHOICES = tuple(f.value for f in OutputFormat if f is not OutputFormat.HUMAN)
AUTH_SCHEME_CHOICES = tuple(scheme.value for scheme in AuthScheme)
LOG_LEVELS = ("debug", "info", "warning", "error")


class UsageError(Exception):
    """Bad command-line usage; exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's own words ("usage:") come from Python's catalog, which has no translations:
    the app says them itself."""

    def add_usage(
        self, usage: str | None, actions: Any, groups: Any, prefix: str | None = None
    ) -> None:
        super().add_usage(usage, actions, groups, _("usage: ") if prefix is None else prefix)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="neo-tray",
        add_help=False,
        formatter_class=_HelpFormatter,
        description=_("System-tray gauge of your ProjectDiscovery Neo credits."),
        epilog=_(
            "Environment: {token} (token; the process then uses that one account, named "
            "'environment', instead of the stored ones), {url} (API base URL). "
            "Exit codes of --once: 0 ok, 2 bad usage, 3 no token or sign-in refused (401/403), "
            "4 API unreachable, timeout, 5xx or 429, 5 response not understood."
        ).format(token=TOKEN_ENV, url=URL_ENV),
    )
    parser._optionals.title = _("options")
    parser.add_argument("-h", "--help", action="help", help=_("show this help message and exit"))
    parser.add_argument(
        "--version",
        action="version",
        version=f"neo-tray {__version__}",
        help=_("show the version number and exit"),
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help=_("run against an embedded fake Neo API (no token needed)"),
    )
    parser.add_argument(
        "--once", action="store_true", help=_("fetch the usage summary once and exit")
    )
    parser.add_argument(
        "--json", action="store_true", help=_("with --once: print JSON (the same as --format json)")
    )
    parser.add_argument(
        "--format",
        choices=FORMAT_CHOICES,
        help=_(
            "with --once: json, waybar, i3blocks, text (a line for status bars) or openmetrics "
            "(Prometheus gauges; a failure is a metric, exit 0)"
        ),
    )
    parser.add_argument(
        "--cached",
        action="store_true",
        help=_("with --once: print the running tray's snapshot when it is fresh; fetch otherwise"),
    )
    parser.add_argument(
        "--account",
        metavar="NAME",
        help=_("with --once: the account to print (default: the first)"),
    )
    parser.add_argument(
        "--all-accounts",
        action="store_true",
        help=_("with --once: print every account (JSON or the text summary)"),
    )
    parser.add_argument(
        "--tasks",
        action="store_true",
        help=_(
            "with --once: add the window's tasks (today without --from and --to) to JSON or "
            "the text summary"
        ),
    )
    parser.add_argument("--from", dest="start", metavar="T", help=_("with --once: ISO 8601 start"))
    parser.add_argument("--to", dest="end", metavar="T", help=_("with --once: ISO 8601 end"))
    parser.add_argument(
        "--group-by", choices=GROUP_BY_CHOICES, help=_("with --once: fill by_period")
    )
    parser.add_argument(
        "--auth-scheme",
        choices=AUTH_SCHEME_CHOICES,
        help=_("how to send the token (default: the setting, else bearer)"),
    )
    parser.add_argument(
        "--log-level", choices=LOG_LEVELS, help=_("also log to stderr from this level")
    )
    parser.add_argument("--scenario", help=argparse.SUPPRESS)  # demo fault scenario, for trying
    return parser


def parse_time_argument(text: str, flag: str) -> datetime:
    """ISO 8601 date-time or date, as an aware UTC instant; without a zone it is the user's local
    time. Raises UsageError."""
    value = text.strip()
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            parsed = datetime(day.year, day.month, day.day)
        else:
            parsed = datetime.fromisoformat(value[:-1] + "+00:00" if value[-1:] in "zZ" else value)
    except ValueError:
        raise UsageError(
            _("{flag} {text} is not an ISO 8601 date-time (e.g. 2026-11-01T00:00:00Z)").format(
                flag=flag, text=repr(text)
            )
        ) from None
    if not EARLIEST.year <= parsed.year < LATEST.year:  # before converting: year 1 overflows
        raise UsageError(
            _("{flag} {text} is outside {first}-{last}").format(
                flag=flag, text=repr(text), first=EARLIEST.year, last=LATEST.year - 1
            )
        )
    # Local time by the zone's rules for that date (UTC where the zone cannot be represented).
    return local_time.from_local(parsed).astimezone(UTC)


def parse_options(argv: Sequence[str]) -> Options:
    args = build_parser().parse_args(argv)
    ranged = args.start is not None or args.end is not None or args.group_by is not None
    if (args.json or args.format or args.cached) and not args.once:
        raise UsageError(_("--json, --format and --cached need --once"))
    if (args.account is not None or args.all_accounts) and not args.once:
        raise UsageError(_("--account and --all-accounts need --once"))
    if args.account is not None and args.all_accounts:
        raise UsageError(_("--account and --all-accounts ask for different accounts"))
    if args.account is not None and not args.account.strip():
        raise UsageError(_("--account needs a name"))
    if args.all_accounts and args.format not in {None, "json", "openmetrics"}:
        raise UsageError(
            _("--all-accounts prints JSON, OpenMetrics or text, not --format {format}").format(
                format=args.format
            )
        )
    if args.json and args.format not in {None, "json"}:
        raise UsageError(
            _("--json and --format {format} ask for different outputs").format(format=args.format)
        )
    if args.tasks and not args.once:
        raise UsageError(_("--tasks needs --once"))
    if args.tasks and args.format not in {None, "json"}:
        raise UsageError(
            _("--tasks adds to JSON or the text summary, not to --format {format}").format(
                format=args.format
            )
        )
    output = OutputFormat(args.format or ("json" if args.json else "human"))
    if ranged and not args.once:
        raise UsageError(_("--from, --to and --group-by need --once"))
    if ranged and output is OutputFormat.OPENMETRICS:  # its gauges are the account's of now
        raise UsageError(
            _(
                "--format {format} prints the figures of now, not a window: leave out --from, "
                "--to and --group-by"
            ).format(format=args.format)
        )
    if args.scenario and not args.demo:
        raise UsageError(_("--scenario needs --demo"))
    if args.scenario:
        from desktop.fakeapi.server import SCENARIOS

        if args.scenario not in SCENARIOS:
            raise UsageError(
                _("unknown --scenario {name}; one of {names}").format(
                    name=repr(args.scenario), names=", ".join(SCENARIOS)
                )
            )
    start = parse_time_argument(args.start, "--from") if args.start is not None else None
    end = parse_time_argument(args.end, "--to") if args.end is not None else None
    if start is not None and end is not None and start > end:
        raise UsageError(_("--from is after --to"))
    return Options(
        demo=args.demo,
        once=args.once,
        output=output,
        start=start,
        end=end,
        group_by=args.group_by,
        auth_scheme=args.auth_scheme,
        log_level=args.log_level,
        scenario=args.scenario or "ok",
        cached=args.cached,
        account=args.account,
        all_accounts=args.all_accounts,
        tasks=args.tasks,
    )
