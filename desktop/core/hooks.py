"""Event hooks, the pure part: what a hook is told of one notification (its environment), which
notifications held back by a snooze have had their hook already, and what a run's outcome says.

The hook is a command (a list of arguments, run without a shell: `ui/hook_runner.py`) told of
each notification whose switch is on, snoozed or not, in environment variables (`EVENT_VARIABLES`).
Its environment is the app's minus the token (`NEO_API_TOKEN`, and any variable whose value holds
a known secret), so a script cannot leak what the app keeps from its own log.
"""

from __future__ import annotations

import math
import os
import shlex
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from desktop.core import sinks, validators
from desktop.core.derive import derive
from desktop.core.environment import TOKEN_ENV
from desktop.core.glance import cap_level
from desktop.core.i18n import _
from desktop.core.instants import utc_text
from desktop.core.levels import DEFAULT_THRESHOLDS, CreditLevel, Thresholds
from desktop.core.member import MemberSnapshot
from desktop.core.rules.catalogue import Rule
from desktop.core.rules.memory import NotifyMemory, SentKey
from desktop.core.rules.messages import Notification
from desktop.core.snapshot import Snapshot

#: The event the settings' Test button runs the hook with (never a rule's id).
TEST_EVENT = "test"
#: The variables the app sets for each run, in the order the README lists them.
EVENT_VARIABLES = (
    "NEO_EVENT",
    "NEO_ACCOUNT",
    "NEO_TITLE",
    "NEO_BODY",
    "NEO_LEVEL",
    "NEO_AVAILABLE_CREDITS",
    "NEO_ISSUED_CREDITS",
    "NEO_EXPIRES_AT",
    "NEO_CAP_LIMIT_USD",
    "NEO_CAP_USED_USD",
    "NEO_CAP_REMAINING_USD",
)
#: A title or body longer than this is cut (Linux refuses one string past 128 KiB in execve).
TEXT_LIMIT = 4096
#: What stands for a character execve cannot carry (NUL) or UTF-8 cannot encode (a lone surrogate).
REPLACEMENT = "\ufffd"
#: How many snoozed notifications' memory keys are kept as "hook already run" (the oldest go).
HOOKED_LIMIT = 256


class HookEvent(NamedTuple):
    """One notification as a hook is told of it.

    event: the rule's stable id (`Rule` values, as the memory file stores them) or `TEST_EVENT`.
    account: the account's name as the user gave it.
    title, body: the notification's text, as shown (plain text).
    level: the account's credit level (`core/levels.CreditLevel`), in member mode its cap's
        (`glance.cap_level`); None when unknown.
    available_credits, issued_credits: the summary's `total_available_neo_credits` and
        `total_issued_neo_credits` (credits), None when unknown (always in member mode).
    expires_at: the summary's `neo_credits_expires_at`, None when the credits never expire or
        it is unknown (the two are not told apart: the summary says null for both).
    cap_limit_usd, cap_used_usd, cap_remaining_usd: member mode's cap (`/api/v1/user`'s
        `cap`: `limit`, `used`, `remaining`, US dollars); None when not in member mode.
    """

    event: str
    account: str
    title: str
    body: str
    level: CreditLevel | None = None
    available_credits: float | None = None
    issued_credits: float | None = None
    expires_at: datetime | None = None
    cap_limit_usd: float | None = None
    cap_used_usd: float | None = None
    cap_remaining_usd: float | None = None


def _with_figures(
    event: HookEvent,
    snapshot: Snapshot | None,
    member: MemberSnapshot | None,
    thresholds: Thresholds,
    now: datetime,
) -> HookEvent:
    """`event` with the account's figures: its latest summary's (`snapshot`:
    `/api/v1/usage/summary`'s credits and expiry, the level as `derive` judges it at `now`), or
    in member mode its cap (`member`: `/api/v1/user`'s cap, its level by `glance.cap_level`);
    without either (a failure before any answer) the figures are unknown."""
    if snapshot is not None:
        derived = derive(snapshot.summary, now, thresholds)
        return event._replace(
            level=derived.level,
            available_credits=derived.available_credits,
            issued_credits=derived.issued_credits,
            expires_at=derived.expires_at,
        )
    cap = member.profile.cap if member is not None else None
    if cap is None:
        return event
    return event._replace(
        level=cap_level(cap, thresholds),
        cap_limit_usd=cap.limit,
        cap_used_usd=cap.used,
        cap_remaining_usd=cap.remaining,
    )


def hook_event(
    note: Notification,
    account: str,
    snapshot: Snapshot | None,
    thresholds: Thresholds,
    now: datetime,
    *,
    member: MemberSnapshot | None = None,
) -> HookEvent:
    """`note` for the hook, with the account's figures (`_with_figures`: the latest summary's,
    or in member mode the cap's)."""
    event = HookEvent(note.rule.value, account, note.title, note.body)
    return _with_figures(event, snapshot, member, thresholds, now)


def plain_value(text: str, limit: int | None = None) -> str:
    """`text` as an environment value can carry it: every NUL and lone surrogate replaced by
    `REPLACEMENT`, cut to `limit` characters when given."""
    if limit is not None:
        text = text[:limit]
    return "".join(
        REPLACEMENT if char == "\0" or 0xD800 <= ord(char) <= 0xDFFF else char for char in text
    )


def credits_text(value: float | None) -> str:
    """A figure for a script: `.` decimals, no grouping, no exponent, no trailing zeros
    (`1234.5`, `1200`, `0.0000001`, `-3`); "" when unknown (or not finite, which the model
    never lets through)."""
    if value is None or not math.isfinite(value):
        return ""
    text = format(Decimal(repr(float(value))), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def event_variables(event: HookEvent) -> dict[str, str]:
    """The `EVENT_VARIABLES` of `event`: unknown figures and a never-expiring credit are ""."""
    return {
        "NEO_EVENT": plain_value(event.event, TEXT_LIMIT),
        "NEO_ACCOUNT": plain_value(event.account, TEXT_LIMIT),
        "NEO_TITLE": plain_value(event.title, TEXT_LIMIT),
        "NEO_BODY": plain_value(event.body, TEXT_LIMIT),
        "NEO_LEVEL": event.level.value if event.level is not None else "",
        "NEO_AVAILABLE_CREDITS": credits_text(event.available_credits),
        "NEO_ISSUED_CREDITS": credits_text(event.issued_credits),
        "NEO_EXPIRES_AT": utc_text(event.expires_at, whole_seconds=True)
        if event.expires_at is not None
        else "",
        "NEO_CAP_LIMIT_USD": credits_text(event.cap_limit_usd),
        "NEO_CAP_USED_USD": credits_text(event.cap_used_usd),
        "NEO_CAP_REMAINING_USD": credits_text(event.cap_remaining_usd),
    }


def hook_environment(
    event: HookEvent, base: Mapping[str, str], holds_secret: Callable[[str], bool]
) -> dict[str, str]:
    """The hook's whole environment: `base` (the app's) without `NEO_API_TOKEN`, without any
    variable whose value `holds_secret` (a known token, or part of one: `logs.redactor`), and
    without a name execve cannot carry (empty, with `=` or NUL), then `event`'s variables."""
    kept = {
        name: plain_value(value)
        for name, value in base.items()
        if name != TOKEN_ENV
        and name
        and "=" not in name
        and "\0" not in name
        and not any(0xD800 <= ord(char) <= 0xDFFF for char in name)
        and not holds_secret(value)
    }
    return {**kept, **event_variables(event)}


def trial_event(
    account: str,
    snapshot: Snapshot | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    now: datetime | None = None,
    *,
    member: MemberSnapshot | None = None,
) -> HookEvent:
    """What the settings' Test button runs the hook with: `NEO_EVENT=test`, and the account's
    current figures when it has them (`_with_figures`; `now` is needed for them)."""
    event = HookEvent(
        TEST_EVENT,
        account,
        _("Neo Usage test event"),
        _("This is a test of the event hook from the settings."),
    )
    if now is None:
        return event
    return _with_figures(event, snapshot, member, thresholds, now)


def note_keys(note: Notification, before: NotifyMemory, after: NotifyMemory) -> frozenset[SentKey]:
    """The memory keys the rules marked as said for `note` between `before` and `after` (those
    of its rule): what tells one notification from another across polls."""
    return frozenset(key for key in after.sent.keys() - before.sent.keys() if key.rule is note.rule)


class HookDecision(NamedTuple):
    """Which notes get a hook run, and the keys (`note_keys`) of those run while snoozed."""

    hooked: tuple[Notification, ...]
    remembered: dict[SentKey, None]


def while_snoozed(
    notes: Sequence[Notification],
    before: NotifyMemory,
    would_be: NotifyMemory,
    remembered: Mapping[SentKey, None],
) -> HookDecision:
    """Snoozed, the rules say nothing and remember nothing, so each poll would decide the same
    notification again: `notes` (what the rules would say without the snooze, with `would_be`
    the memory they would keep) get their hook once, remembered by their keys; at most
    `HOOKED_LIMIT` keys are kept (the newest)."""
    kept = dict(remembered)
    hooked: list[Notification] = []
    for note in notes:
        keys = note_keys(note, before, would_be)
        if keys and keys <= kept.keys():
            continue
        hooked.append(note)
        kept.update(dict.fromkeys(keys))
    while len(kept) > HOOKED_LIMIT:
        del kept[next(iter(kept))]
    return HookDecision(tuple(hooked), kept)


def when_shown(
    notes: Sequence[Notification],
    before: NotifyMemory,
    after: NotifyMemory,
    remembered: Mapping[SentKey, None],
) -> HookDecision:
    """`notes` are shown now (the snooze, if any, is over): each gets its hook unless it already
    had it while snoozed; their keys are then forgotten."""
    kept = dict(remembered)
    hooked: list[Notification] = []
    for note in notes:
        keys = note_keys(note, before, after)
        if not (keys and keys <= kept.keys()):
            hooked.append(note)
        for key in keys:
            kept.pop(key, None)
    return HookDecision(tuple(hooked), kept)


class StartFailure(StrEnum):
    """Why a hook's program did not start, in the app's words (Qt's own sentence, in the
    system's language, goes to the log and the menu line's tooltip)."""

    NO_PROGRAM = "no_program"  # no such file, nor such a name on PATH
    NOT_EXECUTABLE = "not_executable"  # found, but not a file the user may run
    OTHER = "other"  # found and executable (a script's interpreter missing, out of memory…)
    # Not run at all: another user could change what it runs (`HookOutcome.program` names it).
    OTHERS_CAN_WRITE = "others_can_write"  # the program: writable by group or others
    OTHERS_CAN_WRITE_FOLDER = "others_can_write_folder"  # its folder: writable by others
    ANOTHER_OWNER = "another_owner"  # the program: neither the user's nor root's


class HookOutcome(NamedTuple):
    """How one run ended.

    event: its `NEO_EVENT`. exit_code: the process's exit status (None when it did not exit by
    itself: killed, crashed or never started). timed_out: killed after the bound. error: why it
    could not start or crashed (Qt's words, for the log), "" otherwise. output: its standard
    output and error, merged, at most the runner's bound, decoded as UTF-8 (bad bytes replaced).
    timeout_seconds: the bound it ran under. account: its `NEO_ACCOUNT`. not_started: why it
    did not start (None when it did). title: its `NEO_TITLE` (the notification, as shown).
    program: the file or folder another user could change, when `not_started` says so ("").
    """

    event: str
    exit_code: int | None
    timed_out: bool = False
    error: str = ""
    output: str = ""
    timeout_seconds: float = 10.0
    account: str = ""
    not_started: StartFailure | None = None
    title: str = ""
    program: str = ""

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.timed_out and not self.error


def outcome_text(outcome: HookOutcome) -> str:
    """The outcome in a sentence, in the app's words: the settings' Test result, and the first
    line of the menu's failure line's tooltip."""
    if outcome.timed_out:
        return _("The event hook took longer than {seconds} s and was stopped.").format(
            seconds=f"{outcome.timeout_seconds:g}"
        )
    if outcome.not_started is StartFailure.NO_PROGRAM:
        return _("The event hook could not start: there is no such program.")
    if outcome.not_started is StartFailure.NOT_EXECUTABLE:
        return _("The event hook could not start: the program is not executable.")
    path = sinks.line_text(outcome.program)
    if outcome.not_started is StartFailure.OTHERS_CAN_WRITE:
        return _("The event hook was not run: other users can write to {path}.").format(path=path)
    if outcome.not_started is StartFailure.OTHERS_CAN_WRITE_FOLDER:
        return _("The event hook was not run: other users can write to the folder {path}.").format(
            path=path
        )
    if outcome.not_started is StartFailure.ANOTHER_OWNER:
        return _("The event hook was not run: {path} belongs to another user.").format(path=path)
    if outcome.not_started is not None:
        return _("The event hook could not start; the log says why.")
    if outcome.exit_code is None:
        return _("The event hook ended abnormally (it crashed or was killed).")
    if outcome.exit_code != 0:
        return _("The event hook failed with exit status {status}.").format(
            status=outcome.exit_code
        )
    return _("The event hook ran and succeeded.")


UNSAFE = frozenset(
    {
        StartFailure.OTHERS_CAN_WRITE,
        StartFailure.OTHERS_CAN_WRITE_FOLDER,
        StartFailure.ANOTHER_OWNER,
    }
)


def program_problem(owner: int, mode: int, folder_mode: int, user: int) -> StartFailure | None:
    """Why a hook's program must not run, from its file's `owner` (uid) and `mode`, its
    folder's `folder_mode` and the `user` (uid) running the app; None when only the user or
    root can change it: the file is theirs and not writable by group or others, and others
    cannot write its folder (else another user could rewrite or replace what runs as the
    user). A sticky folder such as /tmp counts as writable: the check is kept simple."""
    if owner not in (user, 0):
        return StartFailure.ANOTHER_OWNER
    if mode & 0o022:
        return StartFailure.OTHERS_CAN_WRITE
    if folder_mode & 0o002:
        return StartFailure.OTHERS_CAN_WRITE_FOLDER
    return None


def failure_line(outcome: HookOutcome) -> str:
    """The menu's one short line after a failed run, naming its `NEO_EVENT` (the id a script
    sees, never translated); `failure_details` says the rest."""
    event = outcome.event
    if outcome.timed_out:
        return _("Event hook stopped after {seconds} s ({event})").format(
            seconds=f"{outcome.timeout_seconds:g}", event=event
        )
    if outcome.not_started is StartFailure.NO_PROGRAM:
        return _("Event hook could not start: no such program ({event})").format(event=event)
    if outcome.not_started is StartFailure.NOT_EXECUTABLE:
        return _("Event hook could not start: not executable ({event})").format(event=event)
    path = sinks.line_text(outcome.program)
    if outcome.not_started is StartFailure.OTHERS_CAN_WRITE:
        return _("Event hook not run: other users can write to {path} ({event})").format(
            path=path, event=event
        )
    if outcome.not_started is StartFailure.OTHERS_CAN_WRITE_FOLDER:
        return _("Event hook not run: other users can write to the folder {path} ({event})").format(
            path=path, event=event
        )
    if outcome.not_started is StartFailure.ANOTHER_OWNER:
        return _("Event hook not run: {path} belongs to another user ({event})").format(
            path=path, event=event
        )
    if outcome.not_started is not None:
        return _("Event hook could not start ({event})").format(event=event)
    if outcome.exit_code is None:
        return _("Event hook crashed ({event})").format(event=event)
    return _("Event hook failed: exit status {status} ({event})").format(
        status=outcome.exit_code, event=event
    )


def failure_details(outcome: HookOutcome) -> str:
    """The failure line's tooltip, plain text of a few lines: the outcome in a sentence, the
    notification and account it ran for, and the system's own words (Qt's error) when it gave
    any. Each field the app does not control is one line (`sinks.line_text`); the caller
    redacts secrets first and escapes for where it lands."""
    lines = [outcome_text(outcome)]
    if outcome.title and outcome.account:
        lines.append(
            _("It ran for {account}: {title}").format(
                account=sinks.line_text(outcome.account), title=sinks.line_text(outcome.title)
            )
        )
    if outcome.error:
        lines.append(
            _("The system said: {reason}").format(reason=sinks.line_text(outcome.error)[:300])
        )
    return "\n".join(lines)


def parse_command(text: str, home: str | None = None) -> tuple[str, ...]:
    """The settings' command line as the hook's arguments: split with shell-like quoting
    (`shlex`, POSIX rules) but never run by a shell; blank is no hook. A program written
    `~/…` is in the home folder (`home`; None: the user's, `os.path.expanduser`): it is kept
    with the full path, the one thing of a shell's `~` the hook gets. Raises ValueError with
    a sentence (an open quote or backslash, or what `validators.hook_command` refuses)."""
    try:
        arguments = shlex.split(text, comments=False, posix=True)
    except ValueError:
        raise ValueError(
            _("The event hook's command line leaves a quote or a backslash open.")
        ) from None
    if arguments and arguments[0].startswith("~/"):
        folder = os.path.expanduser("~") if home is None else home
        arguments[0] = folder.rstrip("/") + arguments[0][1:]
    return validators.hook_command(arguments)


def command_line(command: Sequence[str]) -> str:
    """The hook's arguments as the settings show them: quoted so `parse_command` reads them back."""
    return shlex.join(command)


#: Every event a hook may be told of: each rule's id, then the Test button's.
EVENT_IDS = (*(rule.value for rule in Rule), TEST_EVENT)
