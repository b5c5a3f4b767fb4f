"""Issue 27 F12: a table's credits cell rounds as the app's every other credit figure
(`fmt.half_up`), in the locale's digits: Qt's rounding of the binary value made 0.35 read 0.3
in a table and 0.4 in the overview and the tray."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QLocale

from desktop.core import fmt
from desktop.core.tables import ColumnKind
from desktop.ui.detail.table_model import format_cell

ENGLISH = QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
GERMAN = QLocale(QLocale.Language.German, QLocale.Country.Germany)


@pytest.mark.parametrize(
    ("value", "english", "german"),
    [
        (0.35, "0.4", "0,4"),
        (2.45, "2.5", "2,5"),
        (12.25, "12.3", "12,3"),
        (0.05, "0.1", "0,1"),
        (1016.34, "1,016.3", "1.016,3"),
        (21.7, "21.7", "21,7"),
    ],
)
def test_a_credits_cell_rounds_as_the_app(value: float, english: str, german: str) -> None:
    assert format_cell(value, ColumnKind.NUMBER, ENGLISH) == english
    assert format_cell(value, ColumnKind.NUMBER, GERMAN) == german
    if value < 100:  # below 1,000 the overview's text has the tenths too
        assert fmt.credits(value) == english


def test_the_charts_write_credits_by_the_same_rule(qtbot: object) -> None:
    """The models' bars said `2` for 1.59 credits beside a table saying 1.6 (whole numbers);
    the periods' peak said `1,234.5` where the overview says `1,235`. Tasks stay counts."""
    from datetime import UTC, datetime

    from desktop.ui.detail.breakdowns import BreakdownTabs

    tabs = BreakdownTabs(lambda: datetime(2026, 11, 25, tzinfo=UTC))
    assert tabs.models_chart.value_text(1.59) == "1.6"
    assert tabs.periods_chart.value_text(1234.5) == "1,235"
    assert tabs.status_chart.value_text(12.0) == "12"
