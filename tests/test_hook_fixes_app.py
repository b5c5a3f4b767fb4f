"""Issue 30's integrations tester, in the whole tray: the settings' hook Test sends the account's
current figures (a summary's credits, or a member's cap), and a program typed `~/…` is saved
with its full path, as the field's hint says."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from desktop.app import TrayApp
from desktop.core import hooks
from desktop.core.settings import Settings
from desktop.fakeapi.server import FakeNeoApi
from desktop.ui.settings_dialog import SettingsDialog

DUMP_ENV = "import json, os, sys; json.dump(dict(os.environ), open(sys.argv[1], 'w'))"


def env_of_the_test(qtbot: QtBot, tray_app: TrayApp, dump: Path) -> dict[str, Any]:
    """The environment the settings' Test gave the hook."""
    tray_app.open_settings()
    dialog = tray_app.settings_controller.dialog
    assert dialog is not None
    dialog.hook_form.command_edit.setText(
        hooks.command_line([sys.executable, "-c", DUMP_ENV, str(dump)])
    )
    with qtbot.waitSignal(tray_app.hooks.test_finished, timeout=20_000):
        dialog.hook_form.test_button.click()
    env: dict[str, Any] = json.loads(dump.read_text())
    return env


def test_the_settings_test_sends_the_accounts_figures(
    qtbot: QtBot, tray_app: TrayApp, tmp_path: Path
) -> None:
    with qtbot.waitSignal(tray_app.sessions[0].poller.snapshot_ready, timeout=10_000):
        tray_app.start()
    snapshot = tray_app.sessions[0].state.view.snapshot
    assert snapshot is not None
    env = env_of_the_test(qtbot, tray_app, tmp_path / "env.json")
    assert env["NEO_EVENT"] == "test"
    assert env["NEO_ACCOUNT"] == "Default"
    assert env["NEO_LEVEL"] == "ok"
    summary = snapshot.summary
    assert env["NEO_AVAILABLE_CREDITS"] == hooks.credits_text(summary.total_available_neo_credits)
    assert env["NEO_ISSUED_CREDITS"] == hooks.credits_text(summary.total_issued_neo_credits)
    assert env["NEO_AVAILABLE_CREDITS"] != ""
    assert env["NEO_EXPIRES_AT"].endswith("Z")
    assert env["NEO_CAP_LIMIT_USD"] == ""  # not a member


def test_the_settings_test_of_a_member_sends_the_cap(
    qtbot: QtBot, tray_app: TrayApp, fake_api: FakeNeoApi, tmp_path: Path
) -> None:
    fake_api.scenario = "member_cap"  # a $75 cap, $43 used
    with qtbot.waitSignal(tray_app.sessions[0].poller.member_ready, timeout=10_000):
        tray_app.start()
    env = env_of_the_test(qtbot, tray_app, tmp_path / "env.json")
    assert env["NEO_EVENT"] == "test"
    assert (env["NEO_CAP_LIMIT_USD"], env["NEO_CAP_USED_USD"], env["NEO_CAP_REMAINING_USD"]) == (
        "75",
        "43",
        "32",
    )
    assert env["NEO_LEVEL"] == "ok"  # 43 % of the cap left: the cap's level
    assert env["NEO_AVAILABLE_CREDITS"] == env["NEO_EXPIRES_AT"] == ""


def test_a_program_under_the_home_folder_is_saved_with_its_full_path(qtbot: QtBot) -> None:
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    assert "~/" in dialog.hook_form.home_hint.text()
    edit = dialog.hook_form.command_edit
    edit.setText("~/bin/neo-to-chat --all")
    with qtbot.waitSignal(dialog.settings_changed) as blocker:
        edit.editingFinished.emit()
    program = os.path.expanduser("~/bin/neo-to-chat")
    assert blocker.args[0].hook_command == (program, "--all")
    assert edit.text() == hooks.command_line([program, "--all"])  # shown as saved
    edit.setText("notify ~/x")  # an argument: passed as written, the line left as typed
    with qtbot.waitSignal(dialog.settings_changed) as blocker:
        edit.editingFinished.emit()
    assert blocker.args[0].hook_command == ("notify", "~/x")
    assert edit.text() == "notify ~/x"
