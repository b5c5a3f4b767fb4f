"""Sign out asks first, in the real app as in the demo: a token cannot be got back from the app."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.core.settings import Settings
from desktop.system import secrets
from desktop.ui.fetch_worker import ClientConfig
from desktop.ui.prober import Prober
from desktop.ui.settings_controller import SettingsController
from tests.conftest import MemoryKeyring

TOKEN = "signed-in-token-123456"


class Asked:
    def __init__(self) -> None:
        self.questions: list[str] = []
        self.yes = False

    def __call__(self, _parent: object, question: str, _consequence: str) -> bool:
        self.questions.append(question)
        return self.yes


@pytest.fixture
def asked() -> Asked:
    return Asked()


@pytest.fixture
def controller(qtbot: QtBot, asked: Asked) -> Iterator[SettingsController]:
    poller = Prober()
    made = SettingsController(
        Settings(), poller, lambda _a, _t: ClientConfig("https://neo.example.test"), confirms=asked
    )
    yield made
    poller.stop()


def test_sign_out_asks_and_cancel_keeps_the_token(
    qtbot: QtBot, controller: SettingsController, asked: Asked, memory_keyring: MemoryKeyring
) -> None:
    memory_keyring.set_password(secrets.KEYRING_SERVICE, secrets.keyring_entry(), TOKEN)
    path = secrets.save_token_to_file(TOKEN)
    dialog = controller.open()
    qtbot.addWidget(dialog)  # deleted when the test ends; the controller then forgets it
    qtbot.waitUntil(dialog.sign_out_button.isEnabled, timeout=10_000)
    qtbot.mouseClick(dialog.sign_out_button, Qt.MouseButton.LeftButton)
    assert asked.questions == ["Sign out of Default?"]
    qtbot.wait(200)
    assert memory_keyring.get_password(secrets.KEYRING_SERVICE, secrets.keyring_entry()) == TOKEN
    assert path.exists()
    asked.yes = True
    with qtbot.waitSignal(controller.token_changed, timeout=10_000):
        qtbot.mouseClick(dialog.sign_out_button, Qt.MouseButton.LeftButton)
    assert memory_keyring.get_password(secrets.KEYRING_SERVICE, secrets.keyring_entry()) is None
    assert not path.exists()
