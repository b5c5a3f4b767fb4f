"""Settings on disk: JSON in the config dir, written atomically, recovered when corrupt."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from desktop.core import accounts
from desktop.core.accounts import Account
from desktop.core.environment import URL_ENV
from desktop.core.i18n import _
from desktop.core.settings import Settings
from desktop.system import paths, safe_files

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadedSettings:
    settings: Settings
    #: One sentence to show the user when the file is damaged; None when all was well.
    problem: str | None = None
    #: The file is damaged where the API address is kept: using the default address would send
    #: the token somewhere the user may not have meant.
    address_lost: bool = False
    #: The damaged file, to repair once the user has been told.
    damaged_path: Path | None = None
    #: The file is the first release's (one account, no list): the tray writes it anew.
    migrated: bool = False
    #: The file could not be read at all (not a regular file, too large, permission denied):
    #: `--once` stops (exit 2). The tray repairs it only when `damaged_path` is set.
    unreadable: bool = False


def default_path() -> Path:
    return paths.settings_file()


def write_json_atomically(path: Path, data: Any) -> None:
    """Write JSON to an owner-only temp file beside `path`, flush it to disk, then replace
    `path` (`safe_files.write_atomically`: never through a link, never over a file the user
    cannot read, and leftovers of interrupted writes removed). Raises OSError, ValueError."""
    text = json.dumps(data, indent=2, sort_keys=True) + "\n"
    safe_files.write_atomically(path, text.encode("utf-8"))


def save(settings: Settings, path: Path | None = None) -> None:
    write_json_atomically(path or default_path(), settings.model_dump(mode="json"))


def _move_aside(path: Path) -> Path | None:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    backup = path.with_name(f"{path.name}.corrupt-{stamp}")
    try:
        os.replace(path, backup)
    except OSError as exc:
        log.warning("Could not move the damaged settings file aside: %s", exc)
        return None
    return backup


def _valid_fields(raw: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """Keep each field that validates on its own (each account's, one by one); the rest fall
    back to defaults. Also says whether an account's API address was lost."""
    kept: dict[str, Any] = {}
    address_lost = False
    for name, stored in accounts.migrate(raw).items():
        value = stored
        if name == "accounts":
            value, address_lost = _valid_accounts(stored)
        if name not in Settings.model_fields:
            continue
        try:
            Settings.model_validate({**kept, name: value})
        except ValidationError:
            continue
        kept[name] = value
    return kept, address_lost


def _valid_accounts(stored: object) -> tuple[list[dict[str, Any]], bool]:
    """The accounts that can be read, each with the fields that can; an account without a
    usable id or name is dropped. True when an address was lost (never fall back silently)."""
    if not isinstance(stored, list):
        return [], True
    kept: list[dict[str, Any]] = []
    lost = False
    for item in stored:
        if not isinstance(item, dict):
            lost = True
            continue
        fields: dict[str, Any] = {}
        for name in Account.model_fields:
            if name not in item:
                continue
            try:
                Account.model_validate({"id": "probe", "name": "probe", **fields, name: item[name]})
            except ValidationError:
                continue
            fields[name] = item[name]
        had_address = item.get("base_url") not in (None, "")
        if "id" not in fields or "name" not in fields:
            lost = lost or had_address
            continue
        if any(
            other["id"] == fields["id"]
            or str(other["name"]).casefold() == str(fields["name"]).casefold()
            for other in kept
        ):
            lost = lost or had_address
            continue
        lost = lost or (had_address and "base_url" not in fields)
        kept.append(fields)
    return kept, lost


def load(path: Path | None = None) -> LoadedSettings:
    """Read settings, changing nothing on disk: a missing file gives defaults; a damaged one
    gives what could be read, the problem, and whether the API address was lost."""
    path = path or default_path()
    try:
        data = safe_files.read_file(path, paths.SETTINGS_LIMIT, follow_to_own_file=True)
        text = data.decode("utf-8")
    except FileNotFoundError:
        return LoadedSettings(Settings())
    except safe_files.RefusedFolder as exc:
        # Someone else's folder: go on without it, and send nothing until the user says where.
        log.warning("%s", exc)
        return LoadedSettings(Settings(), str(exc), address_lost=True)
    except safe_files.RefusedFile as exc:
        # A FIFO, a device, a huge file: nothing in it can be kept, so the tray sets it aside.
        log.warning("Not reading the settings file: %s", exc)
        problem = _("The settings file cannot be used: {reason}").format(reason=exc)
        return LoadedSettings(
            Settings(), problem, address_lost=True, damaged_path=path, unreadable=True
        )
    except OSError as exc:
        # Unreadable is not damaged: the file stays as it is, and nothing overwrites it.
        log.warning("Cannot read settings file %s: %s", path, exc)
        if isinstance(exc, PermissionError):
            problem = _(
                "The settings file {path} cannot be read (permission denied); it is left as it is."
            )
        else:
            problem = _("The settings file {path} cannot be read ({reason}); it is left as it is.")
        problem = problem.format(path=path, reason=exc.strerror or type(exc).__name__)
        return LoadedSettings(Settings(), problem, address_lost=True, unreadable=True)
    except UnicodeDecodeError as exc:
        log.warning("Settings file %s is damaged: %s", path, exc)
        return _damaged(path, Settings(), address_lost=True)
    try:
        raw = json.loads(text)
        if not isinstance(raw, dict):
            raise ValueError("settings file is not a JSON object")
        return LoadedSettings(Settings.model_validate(raw), migrated=accounts.is_legacy(raw))
    except ValidationError as exc:
        log.warning("Some settings are invalid: %s", exc)
        kept, lost = _valid_fields(raw)
        return _damaged(path, Settings.model_validate(kept), address_lost=lost, partial=True)
    except (ValueError, RecursionError) as exc:
        log.warning("Settings file %s is damaged: %s", path, exc)
        return _damaged(path, Settings(), address_lost=True)


def migrate(loaded: LoadedSettings, path: Path | None = None) -> bool:
    """Write the first release's file in today's shape (the tray does it once, at start)."""
    if not loaded.migrated or loaded.problem:
        return False
    _try_save(loaded.settings, path or default_path())
    return True


def _damaged(
    path: Path, settings: Settings, *, address_lost: bool, partial: bool = False
) -> LoadedSettings:
    if partial and address_lost:
        text = _(
            "Some settings are invalid ({path}); the API address in it could not be read, so "
            "nothing is sent until you set it in Settings (or set {variable})."
        )
    elif partial:
        text = _(
            "Some settings are invalid ({path}); defaults are used for what could not be read."
        )
    elif address_lost:
        text = _(
            "The settings file is damaged ({path}); the API address in it could not be read, so "
            "nothing is sent until you set it in Settings (or set {variable})."
        )
    else:
        text = _(
            "The settings file is damaged ({path}); defaults are used for what could not be read."
        )
    return LoadedSettings(settings, text.format(path=path, variable=URL_ENV), address_lost, path)


def repair(loaded: LoadedSettings) -> str | None:
    """After the user was told: keep the damaged file aside and write what is in use.
    Returns the backup's name, if one was made."""
    if loaded.damaged_path is None:
        return None
    backup = _move_aside(loaded.damaged_path)
    _try_save(loaded.settings, loaded.damaged_path)
    return backup.name if backup else None


def _try_save(settings: Settings, path: Path) -> None:
    try:
        save(settings, path)
    except OSError as exc:
        log.warning("Could not rewrite the settings file: %s", exc)
