"""`neo-tray --once --format openmetrics`: each chosen account's `--once --json` document (or its
failure) rendered as OpenMetrics text (`core/openmetrics.py`), so a scrape is never empty: a
failure is `neo_up{…,error="<kind>"} 0` and exit 0, and so, with `--cached`, is the running
tray's latest failed poll (its kept figures still written). Only bad usage exits 2.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from desktop import once
from desktop.core import openmetrics, sinks
from desktop.core.accounts import DEFAULT_ACCOUNT, DEMO_ACCOUNT, ENVIRONMENT_NAME
from desktop.core.environment import TOKEN_ENV
from desktop.core.errors import EXIT_OK, NeoError, UnexpectedResponse
from desktop.core.i18n import _, ngettext
from desktop.options import Options
from desktop.standard_output import print_line
from desktop.system import logs

log = logging.getLogger(__name__)


def print_metrics(options: Options, environ: Mapping[str, str]) -> int:
    """Print the chosen accounts' metrics; returns 0. Raises NeoError only for bad usage (an
    unknown `--account`), which `cli` says in one stderr line (exit 2). Every other failure
    (the settings, the token, the API, a bug of ours) is that account's `neo_up` 0, logged,
    and the first is said in one stderr line (redacted, never the token)."""
    try:
        if options.demo and options.cached:  # no demo running: its settings are not there
            once.use_running_demo()
        settings = once.read_settings(options, environ)
    except NeoError as exc:  # the settings cannot be read: no account's figures can be
        names = [options.account] if options.account else [_unread_account_name(environ, options)]
        return _print([(name, exc) for name in names])
    chosen = once.chosen_accounts(options, settings, environ)  # UnknownAccount: bad usage
    outcomes: list[tuple[str, Mapping[str, object] | NeoError]] = []
    for account in chosen:
        try:
            result = once.fetch(options, account, settings, environ)
            now = datetime.now(UTC)
            document = once.once_report(result, settings, now)
            if isinstance(result, once.Result):  # --cached: the tray's figures of today's tasks
                tasks = openmetrics.tasks_today_section(result.cached_tasks_today, now)
                if tasks is not None:
                    document[openmetrics.TASKS_TODAY] = tasks
            if result.tray_failure is not None:  # --cached: the tray's latest poll failed
                document[openmetrics.TRAY_FAILURE] = result.tray_failure
            outcomes.append((account.name, document))
        except NeoError as exc:
            outcomes.append((account.name, exc))
        except Exception as exc:  # a bug of ours: a metric too (the scrape stays valid)
            log.exception("Unexpected error in --once --format openmetrics (%s)", account.name)
            message = _("unexpected error ({kind}); details are in the log file").format(
                kind=type(exc).__name__
            )
            outcomes.append((account.name, NeoError(message)))
    return _print(outcomes)


def _unread_account_name(environ: Mapping[str, str], options: Options) -> str:
    """The account a run without readable settings would have read: the demo's, the
    environment token's, else the first release's default one."""
    if options.demo:
        return DEMO_ACCOUNT.name
    return ENVIRONMENT_NAME if environ.get(TOKEN_ENV, "").strip() else DEFAULT_ACCOUNT.name


def _kind(error: NeoError) -> str:
    """The `error` label: the error's kind (`ErrorKind`); `bad_response` for an answer not
    understood (`UnexpectedResponse`, exit 5 in `--once --json`: its `ErrorKind` is the
    outage's); `internal` for a bug of ours."""
    if type(error) is NeoError:
        return openmetrics.INTERNAL_ERROR
    if isinstance(error, UnexpectedResponse):
        return openmetrics.BAD_RESPONSE
    return error.kind.value


def _print(outcomes: Sequence[tuple[str, Mapping[str, object] | NeoError]]) -> int:
    entries: list[openmetrics.Entry] = []
    failures: list[tuple[str, NeoError]] = []
    for name, outcome in outcomes:
        if isinstance(outcome, NeoError):
            log.warning("%s: %s (%s)", name, outcome.user_message, outcome.detail)
            failures.append((name, outcome))
            entries.append((name, _kind(outcome)))
        else:
            entries.append((name, outcome))
    print_line(openmetrics.render(entries).removesuffix("\n"))
    if failures:  # one stderr line (a journal's), as `--all-accounts` says its first failure
        name, first = failures[0]
        more = len(failures) - 1
        others = ngettext("({count} more failed)", "({count} more failed)", more).format(count=more)
        message = sinks.terminal_text(logs.redactor.redact(first.user_message))
        tail = f" {others}" if more else ""
        print(f"neo-tray: {sinks.terminal_text(name)}: {message}{tail}", file=sys.stderr)
    return EXIT_OK
