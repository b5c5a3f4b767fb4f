"""The detail window's range controls: a preset or custom days, and the grouping. It emits the
query the user wants and shows whether its answer is on the way."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QComboBox, QDateEdit, QHBoxLayout, QLabel, QProgressBar, QWidget

from desktop.core import presentation
from desktop.core.errors import InvalidSetting
from desktop.core.query import GroupBy, UsageQuery
from desktop.core.ranges import PRESET_LABELS, RangePreset, period_query
from desktop.ui.plain import plain_label

GROUP_LABELS = {GroupBy.DAY: "Day", GroupBy.WEEK: "Week", GroupBy.MONTH: "Month"}


class RangeBar(QWidget):
    """Preset, custom dates and grouping; a busy bar while a range is being fetched.

    Signals:
        query_requested(UsageQuery): the user chose a range (or `request` was called).
    """

    query_requested = Signal(object)

    def __init__(
        self,
        clock: Callable[[], datetime],
        preset: RangePreset = RangePreset.LAST_30_DAYS,
        group_by: GroupBy = GroupBy.DAY,
    ) -> None:
        super().__init__()
        self._clock = clock
        self.pending: UsageQuery | None = None  # asked for, not answered yet
        self.range_combo = QComboBox()
        self.range_combo.setAccessibleName("Date range")
        for preset_item, preset_label in PRESET_LABELS.items():
            self.range_combo.addItem(preset_label, preset_item)
        self.group_combo = QComboBox()
        self.group_combo.setAccessibleName("Group periods by")
        for group_item, group_name in GROUP_LABELS.items():
            self.group_combo.addItem(group_name, group_item)
        today = QDate.currentDate()
        self.from_edit = QDateEdit(today.addDays(-29))
        self.to_edit = QDateEdit(today)
        for edit, name in ((self.from_edit, "From date"), (self.to_edit, "To date")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setAccessibleName(name)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(90)
        self.busy.setAccessibleName("Loading range")
        self.busy.hide()
        self.range_status = plain_label()
        range_label = QLabel("&Range:")
        range_label.setBuddy(self.range_combo)
        group_label = QLabel("&Group by:")
        group_label.setBuddy(self.group_combo)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (
            range_label,
            self.range_combo,
            self.from_edit,
            QLabel("–"),
            self.to_edit,
            group_label,
            self.group_combo,
            self.busy,
            self.range_status,
        ):
            layout.addWidget(widget)
        layout.addStretch(1)
        self.range_combo.setCurrentIndex(list(PRESET_LABELS).index(preset))
        self.group_combo.setCurrentIndex(list(GROUP_LABELS).index(group_by))
        self._sync_custom_dates()
        self.range_combo.currentIndexChanged.connect(self._on_controls_changed)
        self.group_combo.currentIndexChanged.connect(self._on_controls_changed)
        self.from_edit.dateChanged.connect(self._on_controls_changed)
        self.to_edit.dateChanged.connect(self._on_controls_changed)

    def current_query(self) -> UsageQuery:
        """The query for the controls as of now; raises InvalidSetting for inverted dates."""
        preset = RangePreset(self.range_combo.currentData())
        group_by = GroupBy(self.group_combo.currentData())
        custom = (_day(self.from_edit.date()), _day(self.to_edit.date()))
        now = self._clock().astimezone()
        return period_query(preset, group_by, now, custom if preset is RangePreset.CUSTOM else None)

    def request(self) -> None:
        try:
            query = self.current_query()
        except InvalidSetting as exc:
            self.range_status.setText(exc.user_message)
            return
        self.pending = query
        self.busy.show()
        self.range_status.setText("")
        self.query_requested.emit(query)

    def answered(self, query: UsageQuery) -> bool:
        """Take an answer for `query`; False when the user has since asked for another range."""
        if self.pending is not None and query != self.pending:
            return False
        self.pending = None
        self.busy.hide()
        self.range_status.setText(presentation.range_text(query))
        return True

    def failed(self, message: str) -> None:
        self.pending = None
        self.busy.hide()
        self.range_status.setText(message)

    def _sync_custom_dates(self) -> None:
        custom = RangePreset(self.range_combo.currentData()) is RangePreset.CUSTOM
        self.from_edit.setEnabled(custom)
        self.to_edit.setEnabled(custom)

    def _on_controls_changed(self) -> None:
        self._sync_custom_dates()
        self.request()


def _day(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())
