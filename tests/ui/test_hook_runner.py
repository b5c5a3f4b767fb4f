"""The event hook's runner with real processes (issue 30): the environment a hook sees, same-event
runs dropped, the bound (a shorter one injected), bounded output, failures in the tray menu until
a success or a settings change, the alert center hooking snoozed notifications once, and quitting
killing what runs. No timed assertions: each test waits for the runner's own signals."""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from desktop.core import hooks
from desktop.core.account_rules import token_tag
from desktop.core.hooks import HookEvent, HookOutcome
from desktop.core.levels import CreditLevel
from desktop.core.models import parse_summary
from desktop.core.rules.catalogue import Rule
from desktop.core.rules.memory import SnoozeChoice
from desktop.core.rules.messages import Notification
from desktop.core.settings import NotificationSwitches, Settings
from desktop.core.snapshot import Snapshot
from desktop.ui.alerts import AlertCenter
from desktop.ui.hook_runner import HookRunner
from desktop.ui.hook_slot import HookedNotifier
from desktop.ui.state import AccountState
from desktop.ui.tray import TrayView
from desktop.ui.tray_menu import TrayAccount
from tests.helpers.hooks import secret_test
from tests.helpers.views import closed_after_test

TOKEN = "neo_sk_live_0123456789abcdefghij"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
EVENT = HookEvent(
    "low", "Work", "Neo credits running low", "Left: 15%.", CreditLevel.LOW, 150.0, 1000.0, NOW
)
#: Waits for a file to appear (the test's go-ahead), never for a time.
WAIT_FOR = 'while [ ! -e "$1" ]; do sleep 0.02; done'
#: Writes the hook's environment as JSON to its first argument.
DUMP_ENV = "import json, os, sys; json.dump(dict(os.environ), open(sys.argv[1], 'w'))"


_MADE: list[HookRunner] = []


@pytest.fixture(autouse=True)
def _stop_runners() -> Iterator[None]:
    """Each runner a test made is stopped after it (what quitting does): nothing outlives it."""
    yield
    while _MADE:
        _MADE.pop().stop()


def runner(_qtbot: QtBot, command: list[str], **options: Any) -> HookRunner:
    hooks_runner = HookRunner(
        command,
        environ={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **options.pop("environ", {})},
        holds_secret=secret_test([TOKEN]),
        **options,
    )
    _MADE.append(hooks_runner)
    return hooks_runner


def finished(qtbot: QtBot, hooks_runner: HookRunner, event: HookEvent = EVENT) -> HookOutcome:
    with qtbot.waitSignal(hooks_runner.finished, timeout=20_000) as blocker:
        assert hooks_runner.run(event)
    outcome = blocker.args[0]
    assert isinstance(outcome, HookOutcome)
    return outcome


def alive(pid: int) -> bool:
    """The process exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_the_hook_sees_the_event_and_never_the_token(qtbot: QtBot, tmp_path: Path) -> None:
    dump = tmp_path / "env.json"
    hooks_runner = runner(
        qtbot,
        [sys.executable, "-c", DUMP_ENV, str(dump)],
        environ={"NEO_API_TOKEN": TOKEN, "COPY_OF_IT": TOKEN, "HOME": "/home/me"},
    )
    outcome = finished(qtbot, hooks_runner)
    assert outcome.ok
    env = json.loads(dump.read_text())
    assert {name: env[name] for name in hooks.EVENT_VARIABLES} == hooks.event_variables(EVENT)
    assert env["NEO_AVAILABLE_CREDITS"] == "150"
    assert env["NEO_EXPIRES_AT"] == "2026-11-25T12:00:00Z"
    assert "NEO_API_TOKEN" not in env
    assert "COPY_OF_IT" not in env
    assert not any(TOKEN in value for value in env.values())
    assert env["HOME"] == "/home/me"


def test_the_default_secret_rule_is_the_logs_redactor(qtbot: QtBot, tmp_path: Path) -> None:
    from desktop.system import logs

    logs.redactor.add_secret(TOKEN)
    dump = tmp_path / "env.json"
    hooks_runner = HookRunner(
        [sys.executable, "-c", DUMP_ENV, str(dump)],
        environ={"PATH": os.environ.get("PATH", ""), "SOMEWHERE": f"x{TOKEN}x", "KEPT": "yes"},
    )
    _MADE.append(hooks_runner)
    assert finished(qtbot, hooks_runner).ok
    env = json.loads(dump.read_text())
    assert "SOMEWHERE" not in env
    assert env["KEPT"] == "yes"


def test_a_run_of_the_same_event_is_dropped_while_one_runs(
    qtbot: QtBot, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    go = tmp_path / "go"
    hooks_runner = runner(qtbot, ["sh", "-c", WAIT_FOR, "hook", str(go)])
    caplog.set_level(logging.INFO, "desktop.ui.hook_runner")
    ended: list[HookOutcome] = []
    hooks_runner.finished.connect(ended.append)
    assert hooks_runner.run(EVENT)
    assert not hooks_runner.run(EVENT._replace(body="a later one"))  # dropped
    assert "dropped" in caplog.text
    assert hooks_runner.run(EVENT._replace(event="critical"))  # another event runs beside it
    go.touch()
    qtbot.waitUntil(lambda: len(ended) == 2, timeout=20_000)
    assert sorted(outcome.event for outcome in ended) == ["critical", "low"]
    assert all(outcome.ok for outcome in ended)
    assert finished(qtbot, hooks_runner).ok  # once it ended, the event runs again


def test_a_hook_past_its_bound_is_killed_with_its_children(qtbot: QtBot, tmp_path: Path) -> None:
    pid_file = tmp_path / "child"
    never = tmp_path / "never"
    script = f'sleep 600 & echo $! > "$1"; {WAIT_FOR.replace("$1", "$2")}'
    hooks_runner = runner(
        qtbot, ["sh", "-c", script, "hook", str(pid_file), str(never)], timeout_seconds=0.3
    )
    failures: list[object] = []
    hooks_runner.failure_changed.connect(failures.append)
    outcome = finished(qtbot, hooks_runner)
    assert outcome.timed_out
    assert outcome.exit_code is None
    assert not outcome.ok
    assert "0.3 s" in hooks.outcome_text(outcome)
    child = int(pid_file.read_text())
    qtbot.waitUntil(lambda: not alive(child), timeout=20_000)  # the whole group was killed
    assert failures == [outcome]
    assert hooks.failure_line(outcome) == "Event hook stopped after 0.3 s (low)"
    assert not hooks_runner.running("low")


def test_output_is_bounded_and_logged(qtbot: QtBot, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, "desktop.ui.hook_runner")
    chatty = "import sys; sys.stdout.write('x' * 2_000_000); sys.stderr.write('done'); exit(4)"
    hooks_runner = runner(qtbot, [sys.executable, "-c", chatty], output_limit=100)
    outcome = finished(qtbot, hooks_runner)
    assert outcome.exit_code == 4
    assert outcome.output == "x" * 100
    assert "exit status 4" in caplog.text
    assert "x" * 100 in caplog.text
    assert "x" * 101 not in caplog.text


def test_a_program_that_cannot_start_fails_without_blocking(qtbot: QtBot, tmp_path: Path) -> None:
    hooks_runner = runner(qtbot, [str(tmp_path / "no-such-program")])
    outcome = finished(qtbot, hooks_runner)
    assert outcome.exit_code is None
    assert outcome.error  # Qt's words, in the system's language: for the log and the tooltip
    assert outcome.not_started is hooks.StartFailure.NO_PROGRAM
    assert not hooks_runner.running("low")
    assert hooks.outcome_text(outcome) == (
        "The event hook could not start: there is no such program."
    )
    assert hooks.failure_line(outcome) == "Event hook could not start: no such program (low)"


@pytest.mark.parametrize(
    ("program", "why"),
    [
        ("no-such-hook-program-x5", hooks.StartFailure.NO_PROGRAM),  # looked up on PATH
        ("{tmp}/plain-file", hooks.StartFailure.NOT_EXECUTABLE),
        ("{tmp}", hooks.StartFailure.NOT_EXECUTABLE),  # a folder
        ("{tmp}/no-interpreter", hooks.StartFailure.OTHER),  # its #! names no program
    ],
)
def test_why_a_program_did_not_start_is_said_in_the_apps_words(
    qtbot: QtBot, tmp_path: Path, program: str, why: hooks.StartFailure
) -> None:
    (tmp_path / "plain-file").write_text("#!/bin/sh\nexit 0\n")
    script = tmp_path / "no-interpreter"
    script.write_text("#!/no/such/interpreter\n")
    script.chmod(0o755)
    outcome = finished(qtbot, runner(qtbot, [program.format(tmp=tmp_path)]))
    assert outcome.not_started is why
    assert "execve" not in hooks.failure_line(outcome)


def test_a_failure_shows_once_in_the_menu_until_a_success_or_a_settings_change(
    qtbot: QtBot, tmp_path: Path
) -> None:
    view = closed_after_test(qtbot, TrayView(AccountState(), lambda: NOW))
    view.set_accounts([TrayAccount("a", "Work", AccountState())])
    hooks_runner = runner(qtbot, ["sh", "-c", "exit 3"])
    hooks_runner.failure_changed.connect(view.set_hook_failure)

    def failure_lines() -> list[str]:
        return [a.text() for a in view.menu.actions() if a in view.hook_failure_actions]

    assert failure_lines() == []
    finished(qtbot, hooks_runner)
    finished(qtbot, hooks_runner)  # a second failure: still one line, never two
    assert failure_lines() == ["Event hook failed: exit status 3 (low)"]
    hooks_runner.set_command(["true"])  # the settings changed
    assert failure_lines() == []
    hooks_runner.set_command(["sh", "-c", "exit 3"])
    finished(qtbot, hooks_runner)
    assert failure_lines()
    # Fails once (leaving a mark), then succeeds: the line goes with the success.
    mark = tmp_path / "failed-once"
    hooks_runner.set_command(
        ["sh", "-c", 'test -e "$1" && exit 0; touch "$1"; exit 3', "hook", str(mark)]
    )
    assert not finished(qtbot, hooks_runner).ok
    assert failure_lines()
    assert finished(qtbot, hooks_runner).ok
    assert failure_lines() == []


def test_the_settings_test_reports_without_touching_the_menu(qtbot: QtBot) -> None:
    hooks_runner = runner(qtbot, [])
    failures: list[object] = []
    hooks_runner.failure_changed.connect(failures.append)
    assert not hooks_runner.run(EVENT)  # no command: nothing runs
    with qtbot.waitSignal(hooks_runner.test_finished, timeout=20_000) as blocker:
        assert hooks_runner.test(
            ["sh", "-c", 'test "$NEO_EVENT" = test || exit 9; exit 5'], hooks.trial_event("Work")
        )
    assert blocker.args[0].exit_code == 5  # it saw NEO_EVENT=test
    assert failures == []


def test_two_accounts_run_the_same_event_each_and_a_repeat_is_dropped_by_account(
    qtbot: QtBot, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 30's tester: two accounts going critical at once ran one hook; the second was
    dropped, unnamed. Each account's run goes; a repeat for the same account is dropped, and
    the log names that account."""
    go = tmp_path / "go"
    record = tmp_path / "runs"
    script = f'echo "$NEO_EVENT $NEO_ACCOUNT" >> "$2"; {WAIT_FOR}'
    hooks_runner = runner(qtbot, ["sh", "-c", script, "hook", str(go), str(record)])
    caplog.set_level(logging.INFO, "desktop.ui.hook_runner")
    ended: list[HookOutcome] = []
    hooks_runner.finished.connect(ended.append)
    names = {"a1": "Work", "b2": "Home"}
    notifier = HookedNotifier(
        Recorder(),
        hooks_runner,
        lambda note: hooks.hook_event(
            note, names[note.account_id], summary(40, NOW), Settings().thresholds, NOW
        ),
    )
    centers = [
        AlertCenter(
            notifier,
            Settings(),
            f"https://{ident}.example.test",
            tmp_path / f"memory-{ident}.json",
            clock=lambda: NOW,
            account_id=ident,
        )
        for ident in names
    ]
    for center in centers:
        center.on_snapshot(summary(40, NOW))  # critical for both
    assert hooks_runner.running("critical", "Work")
    assert hooks_runner.running("critical", "Home")
    assert "dropped" not in caplog.text
    assert not hooks_runner.run(EVENT._replace(event="critical", account="Home"))
    assert "Event hook for critical of account 'Home' still running" in caplog.text
    go.touch()
    qtbot.waitUntil(lambda: len(ended) == 2, timeout=20_000)
    assert sorted((o.event, o.account) for o in ended) == [
        ("critical", "Home"),
        ("critical", "Work"),
    ]
    assert all(outcome.ok for outcome in ended)
    assert sorted(record.read_text().splitlines()) == ["critical Home", "critical Work"]


def test_quitting_kills_a_running_hook(qtbot: QtBot, tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    hooks_runner = runner(
        qtbot,
        [
            "sh",
            "-c",
            f'echo $$ > "$1"; {WAIT_FOR.replace("$1", "$2")}',
            "hook",
            str(pid_file),
            str(tmp_path / "never"),
        ],
    )
    assert hooks_runner.run(EVENT)
    qtbot.waitUntil(
        lambda: pid_file.exists() and pid_file.read_text().strip() != "", timeout=20_000
    )
    pid = int(pid_file.read_text())
    assert alive(pid)
    hooks_runner.stop()
    assert not hooks_runner.running("low")
    assert not alive(pid)


# --- the alert center -------------------------------------------------------------------------
class Recorder:
    """A notifier that also runs hooks: what was shown and what was hooked."""

    def __init__(self) -> None:
        self.shown: list[Notification] = []
        self.hooked: list[Notification] = []

    def notify(self, note: Notification) -> None:
        self.shown.append(note)

    def run_hook(self, note: Notification) -> None:
        self.hooked.append(note)


def summary(available: float, at: datetime) -> Snapshot:
    body = {
        "by_model": {},
        "by_status": {},
        "total_neo_credits": 0,
        "total_tasks": 0,
        "total_available_neo_credits": available,
        "total_issued_neo_credits": 1000,
        "last_credit_reset": "2026-11-01T00:00:00Z",
        "neo_credits_expires_at": "2027-03-01T00:00:00Z",
    }
    return Snapshot(parse_summary(json.dumps(body)), at, token_tag=token_tag(TOKEN))


def test_the_alert_center_hooks_snoozed_notifications_once(qtbot: QtBot, tmp_path: Path) -> None:
    clock = [NOW]
    recorder = Recorder()
    alerts = AlertCenter(
        recorder,
        Settings(),
        "https://neo.example.test",
        tmp_path / "memory.json",
        clock=lambda: clock[0],
        account_id="a1",
    )
    alerts.on_snapshot(summary(150, clock[0]))
    assert [n.rule for n in recorder.shown] == [Rule.LOW]
    assert [n.rule for n in recorder.hooked] == [Rule.LOW]
    assert recorder.hooked[0].account_id == "a1"
    alerts.snooze(SnoozeChoice.HOUR)
    for minutes in (5, 10, 15):  # critical while snoozed: one hook, nothing shown
        clock[0] = NOW + timedelta(minutes=minutes)
        alerts.on_snapshot(summary(40, clock[0]))
    assert [n.rule for n in recorder.shown] == [Rule.LOW]
    assert [n.rule for n in recorder.hooked] == [Rule.LOW, Rule.CRITICAL]
    clock[0] = NOW + timedelta(hours=2)  # the snooze is over: shown, not hooked again
    alerts.on_snapshot(summary(40, clock[0]))
    assert [n.rule for n in recorder.shown] == [Rule.LOW, Rule.CRITICAL]
    assert [n.rule for n in recorder.hooked] == [Rule.LOW, Rule.CRITICAL]


def test_a_switched_off_rule_runs_no_hook(qtbot: QtBot, tmp_path: Path) -> None:
    recorder = Recorder()
    settings = Settings(notifications=NotificationSwitches(low_credit=False))
    alerts = AlertCenter(
        recorder, settings, "https://neo.example.test", tmp_path / "m.json", clock=lambda: NOW
    )
    alerts.snooze(SnoozeChoice.HOUR)
    alerts.on_snapshot(summary(150, NOW))
    alerts.snooze(SnoozeChoice.RESUME)
    alerts.on_snapshot(summary(150, NOW))
    assert recorder.shown == recorder.hooked == []


def test_the_hooked_notifier_runs_only_with_a_command(qtbot: QtBot, tmp_path: Path) -> None:
    dump = tmp_path / "env.json"
    hooks_runner = runner(qtbot, [])
    recorder = Recorder()
    described: list[Notification] = []

    def describe(note: Notification) -> HookEvent:
        described.append(note)
        return hooks.hook_event(note, "Work", summary(150, NOW), Settings().thresholds, NOW)

    notifier = HookedNotifier(recorder, hooks_runner, describe)
    note = Notification(Rule.LOW, "Neo credits running low", "Left: 15%.", account_id="a1")
    notifier.notify(note)
    notifier.run_hook(note)
    assert recorder.shown == [note]
    assert described == []  # no command: nothing made, nothing run
    hooks_runner.set_command([sys.executable, "-c", DUMP_ENV, str(dump)])
    with qtbot.waitSignal(hooks_runner.finished, timeout=20_000):
        notifier.run_hook(note)
    env = json.loads(dump.read_text())
    assert (env["NEO_EVENT"], env["NEO_ACCOUNT"], env["NEO_LEVEL"]) == ("low", "Work", "low")
    assert (env["NEO_AVAILABLE_CREDITS"], env["NEO_ISSUED_CREDITS"]) == ("150", "1000")
