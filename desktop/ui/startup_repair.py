"""What start-up finds wrong and sets right before any poll: a damaged settings file (told, then
kept aside and rewritten) or an old one (migrated), app folders another user could plant files
in (refused, said once), and accounts whose API address was lost (held until the user sets it)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from desktop.core.accounts import Account, AddressLost
from desktop.core.errors import ErrorKind
from desktop.core.snapshot import PollError
from desktop.system import paths, safe_files, settings_store
from desktop.system.settings_store import LoadedSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StartupNotices:
    """Sentences to tell at start: the settings file's problem and the folders refused."""

    problem: str | None
    refused_folders: tuple[str, ...]

    @property
    def sentences(self) -> list[str]:
        return [p for p in (self.problem, *self.refused_folders) if p]


def find_notices(loaded: LoadedSettings) -> StartupNotices:
    """What to tell; each refused folder is logged once (the app then goes without it)."""
    problem = loaded.problem
    refused = [p for p in safe_files.refused_folders(paths.app_folders()) if p != problem]
    for sentence in refused:
        safe_files.log_once(sentence)
    return StartupNotices(problem, tuple(refused))


def repair_settings(loaded: LoadedSettings) -> None:
    """Once the user was told: keep a damaged file aside and write what is in use, or write a
    first release's file in today's layout."""
    if loaded.problem:
        safe_files.log_once(loaded.problem)
        settings_store.repair(loaded)
    elif settings_store.migrate(loaded):
        log.info("Settings moved to the accounts layout (one account named Default)")


def address_lost(account: Account, loaded: LoadedSettings, now: datetime) -> PollError:
    """The error an account whose API address was lost shows instead of polling: the settings
    file's own sentence when that file lost it, else one naming the account."""
    missing = AddressLost(account.name)
    reason = loaded.problem if loaded.problem and loaded.address_lost else missing.user_message
    return PollError(ErrorKind.SETTINGS, reason, now, short_message=missing.short_message)
