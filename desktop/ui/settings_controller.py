"""Opens the settings dialog and carries out what it asks: token writes (the keyring, or the
owner-only file where no keyring works) in the background, each for its account, connection tests
through the prober, settings saved and applied at once, and a removed account's token,
cache and notification memory deleted."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QWidget

from desktop.core.accounts import Account
from desktop.core.environment import TOKEN_ENV
from desktop.core.errors import KeyringUnavailable
from desktop.core.i18n import _
from desktop.core.settings import Settings
from desktop.core.snapshot import PollError, Snapshot
from desktop.system import autostart, cache, notify_store, restart, secrets, settings_store
from desktop.ui.background import run_in_background
from desktop.ui.fetch_worker import ClientConfig
from desktop.ui.overrides import Overrides
from desktop.ui.prober import Prober
from desktop.ui.unix_signals import end_event_loop

if TYPE_CHECKING:  # the dialog is imported when it first opens: the tray starts without it
    from desktop.ui.settings_dialog import Confirm, SettingsDialog

log = logging.getLogger(__name__)


def confirm(parent: QWidget, question: str, consequence: str) -> bool:
    """The settings dialog's question box (`settings_dialog.confirm`), imported when asked."""
    from desktop.ui.settings_dialog import confirm as ask

    return ask(parent, question, consequence)


def restart_app() -> None:
    """Quit, then start again with the same command line (`restart.exec_if_requested`)."""
    restart.request()
    end_event_loop()


class SettingsController(QObject):
    """Carries out what the settings dialog asks for.

    Signals:
        settings_applied(Settings): new settings, saved and to be applied.
        token_changed(str, str | None): an account's id and a session-only token, or None to
            read its keyring entry again.
    """

    settings_applied = Signal(object)
    token_changed = Signal(str, object)

    def __init__(
        self,
        settings: Settings,
        prober: Prober,
        client_config: Callable[[Account, str | None], ClientConfig],
        parent: QObject | None = None,
        *,
        overrides: Overrides | None = None,
        demo: bool = False,
        confirms: Confirm | None = None,
        restarts: Callable[[], None] = restart_app,
    ) -> None:
        super().__init__(parent)
        self._overrides = overrides or Overrides()
        self._demo = demo
        self._confirm = confirms or confirm
        self._restart = restarts
        #: What the last look found for each account: where its token is ("keyring", "file",
        #: "none"), and whether that look could see the keyring (a locked one may hold it).
        self._token_sources: dict[str, tuple[str, bool]] = {}
        self._probed: ClientConfig | None = None
        self._probed_typed = False  # whether the last Test sent a token typed in the dialog
        self.settings = settings
        self._prober = prober
        self._client_config = client_config
        self._keyring_problem: str | None = None
        self.dialog: SettingsDialog | None = None
        prober.probe_finished.connect(self._on_probe_finished)

    def open(self, focus_token: bool = False, account_id: str | None = None) -> SettingsDialog:
        """Show the dialog (made once); `account_id` selects that account's token and address."""
        if self.dialog is None:
            from desktop.ui.settings_dialog import SettingsDialog

            self.dialog = SettingsDialog(
                self.settings,
                lambda: self._keyring_problem,
                overrides=self._overrides,
                confirms=self._confirm,
            )
            if self._demo:
                self.dialog.show_demo_note(
                    _(
                        "This is the demo. Its settings, token and notifications are kept in a "
                        "temporary folder that is deleted when it quits; your own settings, token "
                        "and start at login are neither used nor changed."
                    )
                )
            # Gone (the app quit, a test ended): the answers of background looks still on
            # their way find no dialog, instead of a deleted one.
            self.dialog.destroyed.connect(self._forget_dialog)
            self.dialog.settings_changed.connect(self.apply)
            self.dialog.token_save_requested.connect(self.save_token)
            self.dialog.token_file_save_requested.connect(self.save_token_to_file)
            self.dialog.token_move_requested.connect(self.move_token_to_keyring)
            self.dialog.sign_out_requested.connect(self.confirm_sign_out)
            self.dialog.test_requested.connect(self.test)
            self.dialog.account_selected.connect(self.check_token_homes)
            self.dialog.account_removed.connect(self.forget_account)
            self.dialog.restart_requested.connect(self._restart)
        if account_id is not None:
            self.dialog.select_account(account_id)
        self.check_token_homes(self.dialog.selected_id)
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()
        if focus_token:
            self.dialog.focus_token()
        return self.dialog

    @Slot(object)
    def apply(self, settings: Settings) -> None:
        previous, self.settings = self.settings, settings
        try:
            settings_store.save(settings)
        except OSError as exc:
            log.warning("Could not save settings: %s", exc)
        if settings.start_at_login != previous.start_at_login:
            try:
                autostart.enable() if settings.start_at_login else autostart.disable()
            except OSError as exc:
                log.warning("Could not change start at login: %s", exc)
                if self.dialog is not None:
                    self.dialog.show_error(
                        _("Could not change start at login: {error}").format(error=exc)
                    )
        self.settings_applied.emit(settings)

    @Slot(str, object)
    def test(self, account_id: str, token: str | None) -> None:
        account = self.settings.account(account_id) or self.settings.accounts[0]
        self._probed = self._client_config(account, token)
        self._probed_typed = token is not None
        self._prober.probe(self._probed)

    @Slot(object)
    def _on_probe_finished(self, result: Snapshot | PollError) -> None:
        if self.dialog is not None:
            probed = self._probed
            address = probed.base_url if probed else ""
            # Which token it was: the one typed, or the stored one (the demo's in the demo).
            if self._probed_typed:
                used = _("Tested with the token typed above.")
            elif self._demo:
                used = _("Tested with the demo's stored token.")
            else:
                used = _("Tested with the stored token.")
            scheme = probed.auth_scheme if probed else None
            self.dialog.show_test_result(result, address, scheme, used)

    @Slot(str, str)
    def save_token(self, account_id: str, token: str) -> None:
        def saved(_result: object, error: BaseException | None) -> None:
            if error is None:
                self._keyring_problem = None
                self._tell(_("Saved in the system keyring."), True)
                self.token_changed.emit(account_id, None)
                self.check_token_homes(account_id)
                return
            self._keyring_problem = (
                error.user_message
                if isinstance(error, KeyringUnavailable)
                else _("The token could not be saved.")
            )
            keep = _(
                "Using it for this session only; save it in a file, or set {variable}, to keep it."
            ).format(variable=TOKEN_ENV)
            self._tell(f"{self._keyring_problem} {keep}", False)
            self.token_changed.emit(account_id, token)
            self.check_token_homes(account_id)

        run_in_background(lambda: secrets.save_token(token, account_id), saved, owner=self)

    @Slot()
    def _forget_dialog(self) -> None:
        self.dialog = None

    @Slot(str)
    def check_token_homes(self, account_id: str) -> None:
        """Where each account's token is and whether a keyring works, off the UI thread (it
        may block); `account_id`'s answer fills the token group if it is still selected."""
        ids = [account.id for account in self.settings.accounts]

        def checked(result: object, error: BaseException | None) -> None:
            dialog = self.dialog
            if error is not None or not isinstance(result, tuple):
                return
            sources, works, state = result
            self._token_sources.update(sources)
            if dialog is None:
                return
            # "none" only where no keyring could hold it: a locked one may.
            shown = {ident: src if seen else "unknown" for ident, (src, seen) in sources.items()}
            dialog.show_token_sources(shown)
            if dialog.selected_id == account_id and account_id in shown:
                path = str(secrets.token_file(account_id))
                # Why no keyring works (locked, or not set up yet), where that is known.
                problem = state.problem() or ""
                dialog.show_token_homes(shown[account_id], works, path, problem)

        def look() -> tuple[dict[str, tuple[str, bool]], bool, secrets.KeyringState]:
            # Never a prompt for a look: the keyring is probed, read only when ready.
            # Only a locked keyring may hold a token that could not be read: one not set up,
            # or no keyring at all, holds none.
            state = secrets.keyring_state()
            sources: dict[str, tuple[str, bool]] = {}
            for ident in ids:
                found = secrets.load_token({}, ident, may_prompt=False)
                seen = found.keyring_problem is None or state is not secrets.KeyringState.LOCKED
                sources[ident] = (found.source, seen)
            return sources, secrets.keyring_works(), state

        run_in_background(look, checked, owner=self)

    @Slot(str, str)
    def save_token_to_file(self, account_id: str, token: str) -> None:
        def saved(result: object, error: BaseException | None) -> None:
            if error is not None:
                self._tell(_("The token could not be saved: {error}").format(error=error), False)
                return
            self._tell(_("Saved in {path}, readable only by you.").format(path=result), True)
            self.token_changed.emit(account_id, None)
            self.check_token_homes(account_id)

        run_in_background(lambda: secrets.save_token_to_file(token, account_id), saved, owner=self)

    @Slot(str)
    def move_token_to_keyring(self, account_id: str) -> None:
        def moved(_result: object, error: BaseException | None) -> None:
            if error is not None:
                self._tell(
                    getattr(error, "user_message", _("The token could not be moved.")), False
                )
                return
            self._tell(_("Moved to the system keyring; the file was deleted."), True)
            self.token_changed.emit(account_id, None)
            self.check_token_homes(account_id)

        run_in_background(lambda: secrets.move_file_token_to_keyring(account_id), moved, owner=self)

    @Slot(str)
    def confirm_sign_out(self, account_id: str) -> None:
        """Sign out once the user confirms it: a token cannot be got back from the app."""
        dialog = self.dialog
        account = self.settings.account(account_id)
        if dialog is None or account is None:
            return
        if self._demo:
            consequence = _("The demo's token is removed; the demo then shows no figures.")
        else:
            consequence = _(
                "Its token is deleted from the system keyring (or its file); you need the token "
                "again to sign back in."
            )
        question = _("Sign out of {account}?").format(account=account.name)
        if self._confirm(dialog, question, consequence):
            self.sign_out(account_id)

    @Slot(str)
    def sign_out(self, account_id: str) -> None:
        def deleted(_result: object, error: BaseException | None) -> None:
            if error is not None:
                self._tell(getattr(error, "user_message", _("Could not remove the token.")), False)
                return
            self._tell(_("Signed out: the token was removed from the keyring and the file."), True)
            self.token_changed.emit(account_id, None)
            self.check_token_homes(account_id)

        run_in_background(lambda: secrets.delete_token(account_id), deleted, owner=self)

    @Slot(str)
    def forget_account(self, account_id: str) -> None:
        """A removed account: its token leaves the keyring (and its file), and its cached
        figures and notification memory are deleted, so nothing of it stays behind."""
        for path in (cache.default_path(account_id), notify_store.default_path(account_id)):
            try:
                path.unlink(missing_ok=True)
            except OSError as exc:
                log.warning("Could not delete %s: %s", path, exc)

        # The last look found no token, with the keyring read: nothing stored to remove, so a
        # keyring that fails (no backend) is no reason to say the token stayed.
        nothing_stored = self._token_sources.pop(account_id, None) == ("none", True)

        def deleted(_result: object, error: BaseException | None) -> None:
            if error is not None and nothing_stored:
                log.info("No token of a removed account to delete: %s", error)
            elif error is not None:
                message = getattr(error, "user_message", _("Its token could not be removed."))
                log.warning("Removing an account's token failed: %s", error)
                if self.dialog is not None:
                    self.dialog.show_error(
                        _("The account was removed, but its token could not be: {error}").format(
                            error=message
                        )
                    )

        run_in_background(lambda: secrets.delete_token(account_id), deleted, owner=self)

    def _tell(self, message: str, ok: bool) -> None:
        if self.dialog is not None:
            self.dialog.token_saved(message, ok)
