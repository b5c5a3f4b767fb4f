"""The big-task notification's limit in the settings dialog: its switch generated from the
rules' table, a share of the issued credits (percents to a tenth, 0.1 to 100) or a number of
credits, each unit keeping what was typed when the other is shown; a typed value out of the range
becomes the range's nearest end, never silently the value before."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.core import i18n, settings_form
from desktop.core.rules.messages import big_task_limit_text
from desktop.core.settings import Settings
from desktop.core.settings_form import Refused
from desktop.ui.settings_dialog.dialog import SettingsDialog
from tests.core.test_settings_form import shown
from tests.ui.test_settings_dialog import dialog, no_prompt

__all__ = ["dialog"]  # the fixture, used by name


def test_the_switch_is_generated(dialog: SettingsDialog) -> None:
    box = dialog.switch_boxes["big_task"]
    assert box.isChecked()
    assert "task" in box.text()


def test_a_share_in_tenths_of_a_percent(qtbot: QtBot, dialog: SettingsDialog) -> None:
    form = dialog.notifications_form
    assert (form.big_task_spin.value(), form.big_task_spin.suffix()) == (5.0, " %")
    with qtbot.waitSignal(dialog.settings_changed) as blocker:
        form.big_task_spin.setValue(12.44)  # shows tenths
    changed = blocker.args[0]
    assert (changed.big_task_unit, changed.big_task_share) == ("share", 0.124)


def typed(qtbot: QtBot, dialog: SettingsDialog, text: str) -> Settings:
    """What the dialog gives last after `text` is typed over the big-task box and Enter pressed
    (it follows each keystroke)."""
    spin = dialog.notifications_form.big_task_spin
    spin.setFocus()
    spin.selectAll()
    given: list[Settings] = []
    dialog.settings_changed.connect(given.append)
    qtbot.keyClicks(spin, text)
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    dialog.settings_changed.disconnect(given.append)
    assert given, "the dialog gave nothing: the typed value was undone"
    return given[-1]


@pytest.mark.parametrize(
    ("text", "percent", "share"),
    [
        ("0.5", 0.5, 0.005),  # issue 27 F6: a tenth was refused (whole percents from 1)
        ("0.01", 0.1, 0.001),  # the second decimal cannot be typed: 0.0, the nearest end
        ("0", 0.1, 0.001),  # was silently 5 % again (the value before)
        ("250", 25.0, 0.25),  # nothing above 100 can be typed: the last 0 is refused
    ],
)
def test_a_typed_share_is_kept_or_clamped_never_undone(
    qtbot: QtBot, dialog: SettingsDialog, text: str, percent: float, share: float
) -> None:
    spin = dialog.notifications_form.big_task_spin
    changed = typed(qtbot, dialog, text)
    assert spin.value() == percent
    assert changed.big_task_share == share


def test_a_typed_zero_in_credits_is_the_smallest_limit(
    qtbot: QtBot, dialog: SettingsDialog
) -> None:
    form = dialog.notifications_form
    form.big_task_unit_combo.setCurrentIndex(form.big_task_unit_combo.findData("credits"))
    changed = typed(qtbot, dialog, "0")
    assert (form.big_task_spin.value(), changed.big_task_credits) == (0.1, 0.1)


def test_the_limit_text_shows_a_tenth_of_a_percent() -> None:
    assert big_task_limit_text(5.0, 0.005) == "0.5% of the issued credits (5 credits)"
    assert big_task_limit_text(50.0, 0.05) == "5% of the issued credits (50 credits)"


def test_a_number_of_credits_and_back(qtbot: QtBot, dialog: SettingsDialog) -> None:
    form = dialog.notifications_form
    form.big_task_spin.setValue(7)
    with qtbot.waitSignal(dialog.settings_changed) as blocker:
        form.big_task_unit_combo.setCurrentIndex(form.big_task_unit_combo.findData("credits"))
    assert blocker.args[0].big_task_unit == "credits"
    assert form.big_task_spin.value() == 50.0  # the stored credits
    with qtbot.waitSignal(dialog.settings_changed) as blocker:
        form.big_task_spin.setValue(120.5)
    assert (blocker.args[0].big_task_unit, blocker.args[0].big_task_credits) == ("credits", 120.5)
    assert blocker.args[0].big_task_share == 0.07  # the share typed before is kept
    with qtbot.waitSignal(dialog.settings_changed) as blocker:
        form.big_task_unit_combo.setCurrentIndex(form.big_task_unit_combo.findData("share"))
    assert form.big_task_spin.value() == 7.0
    assert blocker.args[0].big_task_credits == 120.5


def test_the_dialog_shows_stored_credits(qtbot: QtBot) -> None:
    stored = Settings(big_task_unit="credits", big_task_credits=33.3)
    widget = SettingsDialog(stored, asks_name=no_prompt, confirms=no_prompt)  # type: ignore[arg-type]
    qtbot.addWidget(widget)
    form = widget.notifications_form
    assert form.big_task_unit_combo.currentData() == "credits"
    assert (form.big_task_spin.value(), form.big_task_spin.suffix()) == (33.3, "")


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, ("share", 0.05, 50.0)),
        ({"big_task_unit": "credits", "big_task_credits": 12.5}, ("credits", 0.05, 12.5)),
        ({"big_task_percent": 9.6}, ("share", 0.096, 50.0)),
        ({"big_task_percent": 0.14}, ("share", 0.001, 50.0)),
    ],
)
def test_the_form_merges_the_limit(
    changes: dict[str, Any], expected: tuple[str, float, float]
) -> None:
    merged = settings_form.merged(Settings(), dataclasses.replace(shown(Settings()), **changes))
    assert not isinstance(merged, Refused)
    assert (merged.big_task_unit, merged.big_task_share, merged.big_task_credits) == expected


@pytest.mark.parametrize(
    "changes", [{"big_task_credits": 0.0}, {"big_task_unit": "dollars"}, {"big_task_percent": 140}]
)
def test_the_form_refuses_an_odd_limit(changes: dict[str, Any]) -> None:
    merged = settings_form.merged(Settings(), dataclasses.replace(shown(Settings()), **changes))
    assert isinstance(merged, Refused)


@pytest.mark.parametrize("language", ["en", "de"])
def test_switching_the_unit_keeps_the_layout_steady(qtbot: QtBot, language: str) -> None:
    """Issue 27 F7: in German the dialog widened by 16 px when the unit became credits (the box
    grew for 1.000.000,0), and the demo's note above rewrapped, moving everything up."""
    i18n.use(i18n.resolve(language))
    widget = SettingsDialog(Settings(), asks_name=no_prompt, confirms=no_prompt)  # type: ignore[arg-type]
    qtbot.addWidget(widget)
    widget.show_demo_note(
        "This is the demo. Your settings, its token and its notifications live in a temporary "
        "folder deleted on quitting; your own settings, token and start at login are neither "
        "used nor changed."
    )
    form = widget.notifications_form
    pages = widget.pages
    page = next(p for p in map(pages.widget, range(pages.count())) if p and p.isAncestorOf(form))
    pages.setCurrentWidget(page)
    widget.show()
    qtbot.waitExposed(widget)
    combo, spin = form.big_task_unit_combo, form.big_task_spin

    def layout() -> list[object]:
        for _ in range(5):  # layout requests are posted events
            QApplication.processEvents()
        return [
            widget.size().toTuple(),
            widget.sizeHint().toTuple(),
            form.low_spin.mapTo(widget, QPoint(0, 0)).toTuple(),
            spin.geometry().getRect(),
            combo.geometry().getRect(),
        ]

    shown = layout()
    for unit in ("credits", "share", "credits"):
        combo.setCurrentIndex(combo.findData(unit))
        assert layout() == shown, unit
