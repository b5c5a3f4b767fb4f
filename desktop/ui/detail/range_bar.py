"""The detail window's range controls: a preset or custom days, and the grouping. It emits the
query the user wants and shows whether its answer is on the way."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from PySide6.QtCore import QDate, QLocale, Signal
from PySide6.QtWidgets import QComboBox, QDateEdit, QHBoxLayout, QLabel, QProgressBar, QWidget

from desktop.core import detail_text, i18n, local_time
from desktop.core.errors import InvalidSetting
from desktop.core.i18n import _
from desktop.core.query import GroupBy, UsageQuery
from desktop.core.ranges import GROUP_BY_LABELS, PRESET_LABELS, RangePreset, period_query
from desktop.ui.wrapping_label import WrappingLabel


def date_format() -> str:
    """ISO days in English (as the range's text says them), the locale's short date with the
    whole year elsewhere (`dd.MM.yyyy`)."""
    if i18n.current().code == i18n.SOURCE_LANGUAGE:
        return "yyyy-MM-dd"
    pattern = QLocale().dateFormat(QLocale.FormatType.ShortFormat)
    return pattern if "yyyy" in pattern else pattern.replace("yy", "yyyy")


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
        self.range_combo.setAccessibleName(_("Date range"))
        for preset_item, preset_label in PRESET_LABELS.items():
            self.range_combo.addItem(_(preset_label), preset_item)
        self.group_combo = QComboBox()
        self.group_combo.setAccessibleName(_("Group periods by"))
        for group_item, group_name in GROUP_BY_LABELS.items():
            self.group_combo.addItem(_(group_name), group_item)
        # The local day as the ranges count it (UTC where the zone cannot be represented).
        today = _qdate(local_time.local_date(clock()))
        self.from_edit = QDateEdit(today.addDays(-29))
        self.to_edit = QDateEdit(today)
        for edit, name in ((self.from_edit, _("From date")), (self.to_edit, _("To date"))):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat(date_format())
            edit.setAccessibleName(name)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(90)
        self.busy.setAccessibleName(_("Loading range"))
        self.busy.hide()
        # A long sentence (an error's) wraps, never widens the window.
        self.range_status = WrappingLabel()
        self.range_status.setObjectName("rangeStatus")
        self.unavailable: str | None = None  # why no range can be asked (`set_unavailable`)
        range_label = QLabel(_("&Range:"))
        range_label.setBuddy(self.range_combo)
        group_label = QLabel(_("&Group by:"))
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
        ):
            layout.addWidget(widget)
        layout.addWidget(self.range_status, 1)
        self._labels = (range_label, group_label)
        self.range_combo.setCurrentIndex(list(PRESET_LABELS).index(preset))
        self.group_combo.setCurrentIndex(list(GROUP_BY_LABELS).index(group_by))
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
        chosen = custom if preset is RangePreset.CUSTOM else None
        return period_query(preset, group_by, self._clock(), chosen)

    def set_unavailable(self, why: str | None) -> None:
        """No range can be asked (member mode, a 403): the row is hidden and its controls
        disabled with `why` as their tooltip (for anyone who reaches them), and nothing is
        waited for; None: shown and enabled again. `request` asks nothing meanwhile."""
        if why == self.unavailable:
            return
        self.unavailable = why
        self.setHidden(why is not None)
        for widget in (self.range_combo, self.group_combo, *self._labels):
            widget.setEnabled(why is None)
            widget.setToolTip(why or "")
        for edit in (self.from_edit, self.to_edit):
            edit.setToolTip(why or "")
        self._sync_custom_dates()
        if why is not None:
            self.pending = None
            self.busy.hide()
            self.range_status.setText("")

    def request(self) -> None:
        if self.unavailable is not None:
            return
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
        self.range_status.setText(detail_text.range_text(query))
        return True

    def failed(self, message: str) -> None:
        self.pending = None
        self.busy.hide()
        self.range_status.setText(message)

    def _sync_custom_dates(self) -> None:
        custom = RangePreset(self.range_combo.currentData()) is RangePreset.CUSTOM
        self.from_edit.setEnabled(custom and self.unavailable is None)
        self.to_edit.setEnabled(custom and self.unavailable is None)

    def _on_controls_changed(self) -> None:
        self._sync_custom_dates()
        self.request()


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _day(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())
