"""CSV export starts in the folder of the last export and says where it wrote the file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.core import tables
from desktop.ui.detail.table_pane import TablePane

TABLE = tables.Table(
    (
        tables.Column("Member", tables.ColumnKind.TEXT),
        tables.Column("Tasks", tables.ColumnKind.COUNT),
    ),
    (("lead@acme.test", 3),),
)


@pytest.fixture(autouse=True)
def fresh_run() -> Iterator[None]:
    TablePane.last_export_folder = None
    yield
    TablePane.last_export_folder = None


def pane(qtbot: QtBot, stem: str) -> TablePane:
    made = TablePane(stem.capitalize(), stem)
    qtbot.addWidget(made)
    made.set_table(TABLE)
    return made


def test_the_next_export_starts_where_the_last_one_went(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []
    answers = [tmp_path / "reports" / "team.csv", None]

    def save_dialog(_parent: object, _title: str, start: str, _filter: str) -> tuple[str, str]:
        asked.append(start)
        answer = answers.pop(0)
        return (str(answer) if answer else "", "")

    (tmp_path / "reports").mkdir()
    monkeypatch.setattr("desktop.ui.detail.table_pane.QFileDialog.getSaveFileName", save_dialog)
    team, models = pane(qtbot, "team"), pane(qtbot, "models")
    team.export_button.click()
    assert (tmp_path / "reports" / "team.csv").read_text().startswith("Member,Tasks")
    assert team.export_note.text() == f"Saved as {tmp_path / 'reports' / 'team.csv'}"
    models.export_button.click()  # another table, same run: the same folder, its own name
    assert asked[1] == str(tmp_path / "reports" / "neo-models.csv")
    assert models.export_note.text() == ""  # cancelled: nothing said


def test_a_file_under_home_is_said_with_a_tilde(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    target = tmp_path / "Documents" / "neo-team.csv"
    target.parent.mkdir()
    monkeypatch.setattr(
        "desktop.ui.detail.table_pane.QFileDialog.getSaveFileName",
        lambda *_a: (str(target), ""),
    )
    team = pane(qtbot, "team")
    team.export_button.click()
    assert team.export_note.text() == "Saved as ~/Documents/neo-team.csv"
    assert team.export_note.toolTip() == str(target)


def test_a_failed_export_says_why_and_keeps_the_folder(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warnings: list[str] = []
    monkeypatch.setattr(
        "desktop.ui.detail.table_pane.QFileDialog.getSaveFileName",
        lambda *_a: (str(tmp_path / "missing" / "team.csv"), ""),
    )
    monkeypatch.setattr(
        "desktop.ui.detail.table_pane.QMessageBox.warning",
        lambda _parent, _title, text: warnings.append(text),
    )
    team = pane(qtbot, "team")
    team.export_button.click()
    assert "Could not write" in warnings[0]
    assert TablePane.last_export_folder is None
    assert team.export_note.text() == ""
