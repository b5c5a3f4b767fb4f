"""A hook program another user could change is not run (hardening, X8 item 2): before, a 0777
script, one in a folder others can write, or another user's ran silently as the user. Real
processes and files of such modes; the other owner needs root (skipped otherwise)."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.core import hooks
from desktop.core.hooks import HookOutcome, StartFailure
from desktop.ui.hook_runner import HookRunner, unsafe_program
from desktop.ui.state import AccountState
from desktop.ui.tray import TrayView
from desktop.ui.tray_menu import TrayAccount
from tests.helpers.views import closed_after_test
from tests.ui.test_hook_runner import EVENT, NOW

OTHER_UID = 54321
_MADE: list[HookRunner] = []


@pytest.fixture(autouse=True)
def _stop_runners() -> Iterator[None]:
    yield
    while _MADE:
        _MADE.pop().stop()


def runner(command: list[str], path: str | None = None) -> HookRunner:
    made = HookRunner(command, environ={"PATH": path or os.environ.get("PATH", "/usr/bin:/bin")})
    _MADE.append(made)
    return made


def script(folder: Path, mark: Path, mode: int = 0o755, name: str = "hook.sh") -> Path:
    """A hook that leaves `mark` when it runs, in `folder` (0700 unless the test says)."""
    folder.mkdir(mode=0o700, exist_ok=True)
    path = folder / name
    path.write_text(f"#!/bin/sh\ntouch '{mark}'\n")
    path.chmod(mode)
    return path


def finished(qtbot: QtBot, made: HookRunner) -> HookOutcome:
    with qtbot.waitSignal(made.finished, timeout=20_000) as blocker:
        assert made.run(EVENT)
    outcome = blocker.args[0]
    assert isinstance(outcome, HookOutcome)
    return outcome


@pytest.mark.parametrize("mode", [0o777, 0o775, 0o757, 0o727])
def test_a_program_others_can_write_is_not_run_and_said(
    qtbot: QtBot, tmp_path: Path, caplog: pytest.LogCaptureFixture, mode: int
) -> None:
    mark = tmp_path / "ran"
    hook = script(tmp_path / "bin", mark, mode)
    with caplog.at_level(logging.WARNING, logger="desktop.ui.hook_runner"):
        outcome = finished(qtbot, runner([str(hook)]))
    assert not mark.exists()
    assert outcome.not_started is StartFailure.OTHERS_CAN_WRITE
    assert not outcome.ok
    assert hooks.failure_line(outcome) == (
        f"Event hook not run: other users can write to {hook} (low)"
    )
    said = [r.getMessage() for r in caplog.records]
    assert said == [
        f"Event hook for low of account 'Work' not run: The event hook was not run: other "
        f"users can write to {hook}."
    ]
    hook.chmod(0o755)  # the control: the user's alone, it runs
    assert finished(qtbot, runner([str(hook)])).ok
    assert mark.exists()


@pytest.mark.parametrize("folder_mode", [0o777, 0o1777, 0o703])
def test_a_program_in_a_folder_others_can_write_is_not_run(
    qtbot: QtBot, tmp_path: Path, folder_mode: int
) -> None:
    mark = tmp_path / "ran"
    hook = script(tmp_path / "shared", mark)
    hook.parent.chmod(folder_mode)
    outcome = finished(qtbot, runner([str(hook)]))
    assert not mark.exists()
    assert outcome.not_started is StartFailure.OTHERS_CAN_WRITE_FOLDER
    assert hooks.failure_line(outcome) == (
        f"Event hook not run: other users can write to the folder {hook.parent} (low)"
    )
    hook.parent.chmod(0o770)  # group-writable only: what the brief allows of a folder
    assert finished(qtbot, runner([str(hook)])).ok


def test_a_name_is_looked_up_in_the_hooks_path_as_qprocess_would(
    qtbot: QtBot, tmp_path: Path
) -> None:
    mark = tmp_path / "ran"
    hook = script(tmp_path / "bin", mark, 0o777, name="neo-hook")
    outcome = finished(qtbot, runner(["neo-hook"], path=f"{hook.parent}:/usr/bin:/bin"))
    assert not mark.exists()
    assert outcome.not_started is StartFailure.OTHERS_CAN_WRITE
    assert outcome.program == str(hook)
    assert unsafe_program("neo-hook", "/nowhere") is None  # not found: its start says so


def test_a_link_is_judged_by_the_file_it_leads_to(qtbot: QtBot, tmp_path: Path) -> None:
    mark = tmp_path / "ran"
    target = script(tmp_path / "elsewhere", mark, 0o777)
    link = tmp_path / "bin" / "hook"
    link.parent.mkdir(mode=0o700)
    link.symlink_to(target)
    outcome = finished(qtbot, runner([str(link)]))
    assert not mark.exists()
    assert outcome.program == str(target)
    target.chmod(0o755)
    target.parent.chmod(0o777)  # the file's folder counts too, not only the link's
    assert finished(qtbot, runner([str(link)])).not_started is StartFailure.OTHERS_CAN_WRITE_FOLDER
    assert not mark.exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_another_users_program_is_not_run(qtbot: QtBot, tmp_path: Path) -> None:
    mark = tmp_path / "ran"
    hook = script(tmp_path / "bin", mark)
    os.chown(hook, OTHER_UID, -1)
    outcome = finished(qtbot, runner([str(hook)]))
    assert not mark.exists()
    assert outcome.not_started is StartFailure.ANOTHER_OWNER
    assert (
        hooks.failure_line(outcome) == f"Event hook not run: {hook} belongs to another user (low)"
    )
    os.chown(hook, 0, -1)  # root's: allowed, as /usr/bin's programs are
    assert finished(qtbot, runner([str(hook)])).ok


def test_the_menu_line_and_the_test_button_say_why(qtbot: QtBot, tmp_path: Path) -> None:
    mark = tmp_path / "ran"
    hook = script(tmp_path / "bin", mark, 0o777)
    view = closed_after_test(qtbot, TrayView(AccountState(), lambda: NOW))
    view.set_accounts([TrayAccount("a", "Work", AccountState())])
    made = runner([str(hook)])
    made.failure_changed.connect(view.set_hook_failure)
    finished(qtbot, made)
    lines = [a.text() for a in view.menu.actions() if a in view.hook_failure_actions]
    assert lines == [f"Event hook not run: other users can write to {hook} (low)"]
    with qtbot.waitSignal(made.test_finished, timeout=20_000) as blocker:
        assert made.test([str(hook)], hooks.trial_event("Work"))
    assert hooks.outcome_text(blocker.args[0]) == (
        f"The event hook was not run: other users can write to {hook}."
    )
    assert not mark.exists()


def test_program_problem_judges_owner_modes_and_folder() -> None:
    user = 1000
    assert hooks.program_problem(user, 0o100755, 0o40700, user) is None
    assert hooks.program_problem(0, 0o100755, 0o40755, user) is None
    assert hooks.program_problem(user, 0o100755, 0o40770, user) is None
    assert hooks.program_problem(OTHER_UID, 0o100755, 0o40700, user) is StartFailure.ANOTHER_OWNER
    assert hooks.program_problem(user, 0o100775, 0o40700, user) is StartFailure.OTHERS_CAN_WRITE
    assert hooks.program_problem(user, 0o100757, 0o40700, user) is StartFailure.OTHERS_CAN_WRITE
    assert (
        hooks.program_problem(user, 0o100755, 0o41777, user) is StartFailure.OTHERS_CAN_WRITE_FOLDER
    )
