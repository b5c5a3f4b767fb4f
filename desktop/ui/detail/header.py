"""The detail window's top: the balance, its bar, expiry, use and freshness, and a banner that
explains an error or old data with the action that fixes it."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QProgressBar, QPushButton, QVBoxLayout

from desktop.core import balance_text, detail_text, tray_text
from desktop.core.derive import Derived
from desktop.core.errors import ErrorKind
from desktop.core.forecast import BalancePoint, Forecast, projection
from desktop.core.i18n import _
from desktop.core.presentation import ViewState
from desktop.ui.detail.balance_chart import BalanceChart
from desktop.ui.plain import plain_label
from desktop.ui.wrapping_label import WrappingLabel


class CreditHeader(QFrame):
    """Renders a ViewState's credit figures and banner.

    Signals:
        retry_requested(): "Refresh" or the banner's _("Retry").
        token_requested(): the banner's _("Set token…").
        web_requested(): "Open Neo": the account's Neo web app.
    """

    retry_requested = Signal()
    token_requested = Signal()
    web_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.credit_title = plain_label()
        self.credit_title.setObjectName("creditTitle")
        font = self.credit_title.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.credit_title.setFont(font)
        self.credit_bar = QProgressBar()
        self.credit_bar.setRange(0, 1000)
        self.credit_bar.setTextVisible(False)
        self.credit_bar.setAccessibleName(_("Available share of issued credits"))
        # A long team's name (the server's, in member mode) wraps, never widens the window;
        # the line on the right is the app's own, short: it keeps its one line.
        self.expiry_label = WrappingLabel()
        self.used_label = plain_label()
        self.updated_label = plain_label()
        self.updated_label.setWordWrap(True)  # a long sentence wraps, never widens the window
        self.forecast_label = plain_label()
        self.forecast_label.setObjectName("forecastLine")
        self.forecast_label.setWordWrap(True)
        self.balance_chart = BalanceChart()
        labels = (self.credit_title, self.expiry_label, self.used_label, self.updated_label)
        for label in (*labels, self.forecast_label):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.refresh_button = QPushButton(_("Re&fresh"))
        self.refresh_button.setAccessibleName(_("Refresh now"))
        self.refresh_button.clicked.connect(self.retry_requested)
        self.web_button = QPushButton(_("Open &Neo"))
        self.web_button.setAccessibleName(_("Open Neo in the browser"))
        self.web_button.clicked.connect(self.web_requested)
        top = QHBoxLayout()
        top.addWidget(self.credit_title, 1)
        top.addWidget(self.web_button)
        top.addWidget(self.refresh_button)
        facts = QHBoxLayout()
        facts.addWidget(self.expiry_label, 1)
        facts.addWidget(self.used_label)

        self._build_banner()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.credit_bar)
        layout.addLayout(facts)
        layout.addWidget(self.forecast_label)
        layout.addWidget(self.balance_chart)
        layout.addWidget(self.updated_label)
        layout.addWidget(self.banner)

    def _build_banner(self) -> None:
        self.banner = QFrame()
        self.banner.setObjectName("stateBanner")
        self.banner.setFrameShape(QFrame.Shape.StyledPanel)
        self.banner_text = plain_label()
        self.banner_text.setWordWrap(True)
        self.banner_retry = QPushButton(_("Retry"))
        self.banner_retry.clicked.connect(self.retry_requested)
        self.banner_token = QPushButton(_("Set token…"))
        self.banner_token.clicked.connect(self.token_requested)
        banner_layout = QHBoxLayout(self.banner)
        banner_layout.addWidget(self.banner_text, 1)
        banner_layout.addWidget(self.banner_token)
        banner_layout.addWidget(self.banner_retry)
        self.banner.hide()

    def render_forecast(
        self,
        forecast: Forecast | None,
        derived: Derived | None,
        history: tuple[BalancePoint, ...],
        expires_at: datetime | None,
        now: datetime,
        *,
        empty_text: str | None = None,
    ) -> None:
        """The forecast line, and the balance since the reset heading to the expiry;
        `empty_text`: why there is no history yet (None: it is loading)."""
        self.forecast_label.setText(balance_text.forecast_summary(forecast, derived))
        ahead: tuple[BalancePoint, ...] = ()
        if forecast is not None and derived is not None and derived.available_credits is not None:
            ahead = projection(forecast, derived.available_credits, now)
        self.balance_chart.set_series(history, ahead, expires_at, empty_text)

    def render_state(self, view: ViewState, derived: Derived | None, now: datetime) -> None:
        """The credit figures, or in member mode the cap left, the team and the dollars used
        (no forecast nor balance chart: a member has no summary)."""
        member = detail_text.member_header(view) if derived is None else None
        # A 403 with no summary and no cap: no credits, forecast or balance to draw (the
        # banner says why); in member mode the cap's bar and lines stand instead.
        refused = member is None and detail_text.unavailable_text(view) is not None
        self.forecast_label.setVisible(member is None and not refused)
        self.balance_chart.setVisible(member is None and not refused)
        for widget in (self.credit_bar, self.expiry_label, self.used_label):
            widget.setVisible(not refused)
        if member is not None:
            cap = view.member_cap
            fraction = cap.fraction_left if cap is not None else None
            self.credit_title.setText(member.title)
            self.credit_bar.setValue(round((fraction or 0.0) * 1000))
            self.credit_bar.setAccessibleName(_("Share of the spending cap left"))
            self.expiry_label.setText(member.team)
            self.used_label.setText(member.used)
        else:
            self._render_credits(derived)
        self.updated_label.setText(tray_text.status_line(view, now))
        self._render_banner(view, now)
        # The banner says the error (or the data's age) in full: the line would say it twice.
        note = tray_text.refresh_note_text(view, now)
        self.updated_label.setVisible(self.banner.isHidden() or note is not None)

    def _render_credits(self, derived: Derived | None) -> None:
        if derived is None:
            self.credit_title.setText(_("Neo credits"))
            self.credit_bar.setValue(0)
        else:
            self.credit_title.setText(balance_text.credit_line(derived))
            self.credit_bar.setValue(round((derived.gauge_fraction or 0.0) * 1000))
        self.credit_bar.setAccessibleName(_("Available share of issued credits"))
        self.expiry_label.setText(balance_text.expiry_line(derived))
        self.used_label.setText(balance_text.used_line(derived))

    def _render_banner(self, view: ViewState, now: datetime) -> None:
        text = detail_text.banner_text(view, now)
        if text is None:
            self.banner.hide()
            return
        error = view.current_error
        self.banner_text.setText(text)
        self.banner_token.setVisible(
            error is not None and error.kind in {ErrorKind.NO_TOKEN, ErrorKind.AUTH_REJECTED}
        )
        self.banner_retry.show()
        self.banner.show()
