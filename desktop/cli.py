"""Command line: pick a mode (tray, demo tray, or one fetch with `--once`); the grammar lives in
`arguments`, the status bar's fast path in `cached_once`.

`--once` never imports Qt; it prints one JSON object (or a short text summary) and exits with the
code of its failure class. Every failure is one line on stderr, never a traceback, never the token.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from desktop.core import i18n, sinks
from desktop.core.environment import TOKEN_ENV
from desktop.core.errors import EXIT_BAD_RESPONSE, EXIT_USAGE, NeoError
from desktop.core.i18n import _
from desktop.options import PLAIN_TRAY, Options, OutputFormat
from desktop.standard_output import OutputClosed, print_line
from desktop.system import paths

# A bug of ours while handling an answer: the contract knows no code for it (never 1), and 5
# ("the response was not understood") is what the user sees: this answer could not be handled.
EXIT_INTERNAL = EXIT_BAD_RESPONSE


def _fail(message: str) -> None:
    """One stderr line: redacted first (cleaning changes the text), then a terminal field."""
    from desktop.system import logs

    print(f"neo-tray: {sinks.terminal_text(logs.redactor.redact(message))}", file=sys.stderr)


def _prepare_streams() -> None:
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is None:  # a windowed (no console) frozen build
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115
        elif hasattr(stream, "reconfigure"):  # an ASCII-only terminal must not crash the output
            stream.reconfigure(errors="backslashreplace")


def _machine_stdout() -> None:
    """Status bars and scripts read UTF-8 whatever the locale's charset (i3bar rejects the whole
    bar for a Latin-1 byte); the human report, and stderr in every mode (a person reads it, in
    the terminal), keep the terminal's charset."""
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(encoding="utf-8", errors="backslashreplace")


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if "--cached" in argv:  # a status bar, every few seconds: its fast path when it can
        from desktop import cached_once

        if cached_once.parse(argv) is not None:
            _prepare_streams()
            _machine_stdout()
            try:
                code = cached_once.run(argv)
            except OutputClosed as exc:
                return _closed(exc)
            if code is not None:
                return code
    return run_full(argv)


def run_full(argv: Sequence[str]) -> int:
    """Every mode, `--once --cached`'s included (`cached_once` prints only what this would)."""
    # The parser (argparse), logging and the log's module only here: the status bar's fast path
    # does without them.
    import logging

    from desktop.system import logs

    log = logging.getLogger(__name__)

    i18n.use(paths.stored_language())  # before any text: --help is translated too
    _prepare_streams()
    if not argv:  # plain `neo-tray` (menus, autostart): its icon without the parser (issue 26)
        options = PLAIN_TRAY
    else:
        from desktop.arguments import UsageError, parse_options

        try:
            options = parse_options(argv)
        except UsageError as exc:
            _fail(_("{problem} (see neo-tray --help)").format(problem=exc))
            return EXIT_USAGE
    if options.once and options.output is not OutputFormat.HUMAN:
        _machine_stdout()
    level = getattr(logging, options.log_level.upper()) if options.log_level else None
    env_token = os.environ.get(TOKEN_ENV, "").strip()
    logs.redactor.add_secret(env_token)
    if not options.once:
        from desktop.launcher import run_tray

        # It sets up the log itself: the demo's goes in its sandbox, made first.
        code = run_tray(options.demo, options.scenario, options.auth_scheme, level)
        from desktop.system import restart

        restart.exec_if_requested()  # "Restart now" in the settings: the same command again
        return code
    logs.configure(level)
    try:
        from desktop.once import run_once

        return run_once(options, os.environ)
    except NeoError as exc:
        log.warning("%s (%s)", exc.user_message, exc.detail)
        return _report(options, exc)
    except KeyboardInterrupt:
        _fail(_("interrupted"))
        return 130
    except OutputClosed as exc:
        log.warning("%s", exc)
        return _closed(exc)
    except Exception as exc:  # the contract: one line, never a traceback
        log.exception("Unexpected error in --once")
        message = _("unexpected error ({kind}); details are in the log file").format(
            kind=type(exc).__name__
        )
        return _report(options, NeoError(message, short=_("Unexpected error (see the log)")))


def _report(options: Options, error: NeoError) -> int:
    """A failure as the output format needs it: status bars get a line they show (and Waybar an
    exit 0, or it hides the module); scripts get one stderr line and the contract's exit code.
    Bad usage is one stderr line and exit 2 whatever the format."""
    from desktop.system import logs

    exit_code = EXIT_INTERNAL if type(error) is NeoError else error.exit_code
    if exit_code == EXIT_USAGE or options.output not in {
        OutputFormat.WAYBAR,
        OutputFormat.I3BLOCKS,
    }:
        _fail(error.user_message)
        return exit_code
    from desktop.core import glance

    # Redacted before glance escapes them: `&amp;` or a JSON escape would hide a token's text.
    short = logs.redactor.redact(error.short_message)
    if options.output is OutputFormat.WAYBAR:
        text, code = glance.waybar_failure(short, logs.redactor.redact(error.user_message)), 0
    else:
        text, code = glance.i3blocks_failure(short)
    try:
        print_line(text)
    except OutputClosed as exc:
        return _closed(exc)
    return code


def _closed(error: OutputClosed) -> int:
    """stdout cannot be written (its reader went away, a full disk): whatever the format, one
    stderr line and exit 5, as a bug of ours would be (no status bar reads a closed stdout)."""
    _fail(str(error))
    return EXIT_INTERNAL
