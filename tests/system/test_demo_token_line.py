"""The demo's Accounts page (issue 28's tester: "Default (no token)" while the demo showed
figures): the demo's account and its token read as the demo's own."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from pytestqt.qtbot import QtBot

from desktop import demo
from desktop.app import TrayApp
from desktop.system import settings_store
from desktop.ui.notifier import Notifier
from tests.system.test_demo_sandbox import runtime, sandbox, users_own  # noqa: F401


@pytest.fixture(params=["ok", "member_cap"])
def demo_app(
    request: pytest.FixtureRequest,
    qtbot: QtBot,
    users_own: object,  # noqa: F811
    sandbox: object,  # noqa: F811
    make_notifier: Callable[[], Notifier],
) -> Iterator[TrayApp]:
    api = demo.start_demo_api(request.param, {})
    app = TrayApp(settings_store.load(), demo_api=api, notifier=make_notifier())
    app.start()
    yield app
    app.shutdown()


def test_the_demos_account_line_says_its_token(qtbot: QtBot, demo_app: TrayApp) -> None:
    dialog = demo_app.settings_controller.open()
    qtbot.waitUntil(dialog.sign_out_button.isEnabled, timeout=10_000)  # the look answered
    lines = [dialog.account_list.item(row).text() for row in range(dialog.account_list.count())]
    assert lines == ["Demo (demo token)"]
    home = dialog.token_panel.token_home_label.text()
    assert home == "The demo's token is stored (in memory, until the demo quits)."
