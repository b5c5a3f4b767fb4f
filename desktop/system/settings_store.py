"""Settings on disk: JSON in the config dir, written atomically, recovered when corrupt."""

from __future__ import annotations

import errno
import json
import logging
import os
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from desktop.core import accounts
from desktop.core.accounts import Account
from desktop.core.environment import URL_ENV
from desktop.core.i18n import _
from desktop.core.settings import THRESHOLD_PAIR, NotificationSwitches, Settings
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

    def __post_init__(self) -> None:
        # A lost address stays lost: when no account says which lost it, all of them did (the
        # file could not be read), so neither this run nor the repaired file guesses an address.
        if self.address_lost and not any(a.address_lost for a in self.settings.accounts):
            without = tuple(
                a.model_copy(update={"base_url": None, "address_lost": True})
                for a in self.settings.accounts
            )
            object.__setattr__(
                self, "settings", self.settings.model_copy(update={"accounts": without})
            )


def default_path() -> Path:
    return paths.settings_file()


#: Bytes: the detail window's size and place are a few hundred; QSettings reads the file whole.
WINDOW_STATE_LIMIT = 64 << 10


def window_state_file() -> Path:
    """The detail window's size and place (`window-state.ini`, read by QSettings), created
    owner-only when missing. Checked before QSettings reads it whole: one that is not a regular
    file of the user's is refused (OSError), one larger than `WINDOW_STATE_LIMIT` is logged and
    started afresh (a 50 GB sparse file aborted the tray with std::bad_alloc)."""
    path = paths.config_dir() / "window-state.ini"
    paths.private_file(path)
    try:
        safe_files.read_file(path, WINDOW_STATE_LIMIT)
    except safe_files.RefusedFile as exc:
        if exc.errno != errno.EFBIG:
            raise
        log.warning("%s The window starts at its default size and place.", exc)
        safe_files.write_atomically(path, b"")
    return path


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
    """Each field that validates on its own (each switch, each account, one by one); a bad one
    falls back to its default and is logged. Thresholds out of order both fall back. Also says
    whether an account's API address was lost."""
    kept: dict[str, Any] = {}
    set_aside: list[Any] = []
    address_lost = False
    for name, stored in accounts.migrate(raw).items():
        if name not in Settings.model_fields:
            continue
        value = stored
        if name == "accounts":
            value, set_aside, address_lost = _valid_accounts(stored)
        elif name == "notifications" and isinstance(stored, dict):
            value = {key: on for key, on in stored.items() if _valid_switch(key, on)}
        try:  # alone, the other threshold out of the way: their order is checked below
            Settings.model_validate({**THRESHOLDS_APART, name: value})
        except ValidationError as exc:
            log.warning("The setting %s is invalid (%s); its default is used", name, _reason(exc))
            continue
        kept[name] = value
    if set_aside:
        kept["accounts_set_aside"] = [*kept.get("accounts_set_aside", ()), *set_aside]
    try:
        Settings.model_validate({key: kept[key] for key in THRESHOLD_PAIR if key in kept})
    except ValidationError as exc:
        log.warning(
            "The thresholds are out of order (%s); both go back to their defaults", _reason(exc)
        )
        for key in THRESHOLD_PAIR:
            kept.pop(key, None)
    try:
        Settings.model_validate(kept)
    except ValidationError as exc:  # each field was valid alone: never expected, never fatal
        log.warning(
            "The settings do not hold together (%s); only the accounts are kept", _reason(exc)
        )
        kept = {key: kept[key] for key in ("accounts", "accounts_set_aside") if key in kept}
    return kept, address_lost


#: Thresholds that never conflict with the one being checked on its own.
THRESHOLDS_APART = {"low_threshold": 1.0, "critical_threshold": 0.0}


def _valid_switch(name: str, value: object) -> bool:
    if name not in NotificationSwitches.model_fields:
        return False
    try:
        NotificationSwitches.model_validate({name: value})
    except ValidationError as exc:
        log.warning(
            "The notification switch %s is invalid (%s); its default is used", name, _reason(exc)
        )
        return False
    return True


def _reason(error: ValidationError) -> str:
    """The first reason pydantic gives: the field's name and why, never its value (a web
    address's query or a hook's argument may hold a token), not even where a validator's own
    sentence quotes it."""
    first = error.errors(include_url=False)[0]
    where = ".".join(str(part) for part in first["loc"])
    message = _without(str(first["msg"]), first.get("input"))
    return f"{where}: {message}" if where else message


#: What a bad setting's value is said as in the log.
NOT_SHOWN = "(value not shown)"


def _without(message: str, value: object) -> str:
    """`message` with every string in `value` (a setting's value, nested lists and objects
    included) replaced by `NOT_SHOWN`, its quoted form first."""
    pieces: list[str] = []
    pending: list[object] = [value]
    while pending and len(pieces) < 1000:  # a bound: a huge list is not walked whole
        item = pending.pop()
        if isinstance(item, str) and item:
            pieces.append(item)
        elif isinstance(item, list | tuple):
            pending.extend(item)
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
    for piece in sorted(pieces, key=len, reverse=True):  # a longer piece before its parts
        message = message.replace(repr(piece), NOT_SHOWN).replace(piece, NOT_SHOWN)
    return message


def _invalid_fields(error: ValidationError) -> str:
    """The invalid fields' names (`accounts.0.web_url, hook_command`), never their values."""
    names = (".".join(str(part) for part in e["loc"]) for e in error.errors(include_url=False))
    return ", ".join(dict.fromkeys(name or "(the file)" for name in names))


def _account_field_ok(name: str, value: object) -> bool:
    try:
        Account.model_validate({"id": "probe", "name": "probe", name: value})
    except ValidationError:
        return False
    return True


def _valid_accounts(stored: object) -> tuple[list[dict[str, Any]], list[Any], bool]:
    """(accounts, set aside, address lost): the accounts that can be read, each field checked
    on its own. An address that cannot be read is lost (`Account.address_lost`: nothing is sent
    for the account until the user sets one); another bad field falls back to its default; an
    account without a usable id or name, or with an id used before, is set aside as it was (kept
    in the file, never used); a name whose key an earlier account has becomes "Name (2)". With
    no account left, "Default" without an address. An id only NEO_API_TOKEN's account may have
    (`accounts.RESERVED_IDS`) is not usable. Each change is logged. Linear in the accounts (a
    file of thousands is read in milliseconds): ids and name keys are looked up, not compared."""
    items = stored if isinstance(stored, list) else [stored]
    names = [item.get("name") if isinstance(item, dict) else None for item in items]
    file_keys = Counter(accounts.name_key(name) for name in names if isinstance(name, str))
    kept: list[dict[str, Any]] = []
    ids: set[object] = set()
    kept_keys: dict[str, str] = {}  # name key: the kept account's name
    next_number: dict[str, int] = {}  # a renamed name: the number to try next for it
    set_aside: list[Any] = []
    lost = False
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            log.warning("Account %d is not an account; it is set aside", index + 1)
            set_aside.append(item)
            continue
        ident, name = item.get("id"), item.get("name")
        if isinstance(name, str) and accounts.clean_name(name) != name:
            log.warning(
                "The name of account %d held invisible characters; they are removed", index + 1
            )
            name = accounts.clean_name(name)
        if _unusable(index, ident, name, ids):
            set_aside.append(item)
            continue
        name = accounts.check_name(str(name))
        if accounts.name_key(name) in kept_keys:
            # Taken: the kept names, and every other name in the file (not this one's own).
            raw = names[index]
            own = accounts.name_key(raw) if isinstance(raw, str) else None
            taken = _TakenKeys(kept_keys, file_keys, own)
            wanted = name
            name, number = accounts.free_name(
                wanted, taken, "{name} ({number})", next_number.get(wanted, 2)
            )
            next_number[wanted] = number + 1
            log.warning("Two accounts are named %r; the later one is now %r", wanted, name)
        fields = _account_fields(item, ident, name)
        lost = lost or "base_url" not in fields  # its address could not be read
        kept.append(fields)
        ids.add(ident)
        kept_keys.setdefault(accounts.name_key(name), name)
    if not kept:
        log.warning("No account could be read; Default is used, without an API address")
        kept.append({"id": accounts.DEFAULT_ID, "name": accounts.DEFAULT_NAME})
        kept[0]["address_lost"] = lost = True
    return kept, set_aside, lost


def _unusable(index: int, ident: object, name: object, ids: set[object]) -> bool:
    """Whether account `index` (0-based) is set aside: no usable id or name, a reserved id
    (`accounts.RESERVED_IDS`), or an id a kept account has (`ids`). Logged."""
    if not _account_field_ok("id", ident) or not _account_field_ok("name", name):
        log.warning("Account %d has no usable id or name; it is set aside", index + 1)
    elif ident in accounts.RESERVED_IDS:
        log.warning("Account %d has the reserved id %s; it is set aside", index + 1, ident)
    elif ident in ids:
        log.warning("Account %d uses the id %s again; it is set aside", index + 1, ident)
    else:
        return False
    return True


def _account_fields(item: dict[str, Any], ident: object, name: str) -> dict[str, Any]:
    """The account's fields: a bad header falls back to the default; an address that cannot be
    read is lost (`address_lost` True without a `base_url`). Logged."""
    fields: dict[str, Any] = {"id": ident, "name": name}
    if "auth_scheme" in item:
        if _account_field_ok("auth_scheme", item["auth_scheme"]):
            fields["auth_scheme"] = item["auth_scheme"]
        else:
            log.warning("The header of account %r is invalid; the default is used", name)
    if "web_url" in item:
        if _account_field_ok("web_url", item["web_url"]):
            fields["web_url"] = item["web_url"]
        else:
            log.warning("The Neo web address of account %r is invalid; the default is used", name)
    address = item.get("base_url")
    marked = item.get("address_lost", False)
    if not _account_field_ok("base_url", address) or not isinstance(marked, bool):
        log.warning("The API address of account %r is invalid; it is lost", name)
        fields["address_lost"] = True
    else:
        fields["base_url"] = address
        fields["address_lost"] = marked
    return fields


class _TakenKeys:
    """The name keys `_valid_accounts` may not rename an account to: the kept accounts' and the
    file's other names' (`file_keys` counts them all; `own`, the account's own, once less)."""

    def __init__(self, kept: Mapping[str, str], file_keys: Counter[str], own: str | None) -> None:
        self._kept, self._file_keys, self._own = kept, file_keys, own

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        return key in self._kept or self._file_keys[key] > (1 if key == self._own else 0)


def load(path: Path | None = None) -> LoadedSettings:
    """Read settings, changing nothing on disk: a missing file gives defaults; a damaged one
    gives what could be read, the problem, and whether the API address was lost."""
    path = path or default_path()
    try:
        data = safe_files.read_file(path, paths.SETTINGS_LIMIT, follow_to_own_file=True)
        text = data.decode("utf-8")
    except safe_files.BrokenLink as exc:
        # Not a missing file (its defaults would send the token to the public address), and not
        # damaged (the dotfiles may come back): left as it is, and nothing sent.
        log.warning("Not reading the settings file: %s", exc)
        problem = _("The settings file cannot be used: {reason}").format(reason=exc)
        return LoadedSettings(Settings(), problem, address_lost=True, unreadable=True)
    except FileNotFoundError:
        return LoadedSettings(Settings())
    except safe_files.RefusedFolder as exc:
        # Someone else's folder: go on without it, and send nothing until the user says where.
        # The caller says the problem (once: not here as well).
        return LoadedSettings(Settings(), str(exc), address_lost=True)
    except safe_files.RefusedFile as exc:
        if exc.errno == errno.EPERM:
            # Another user's, or one others can write: not the user's words, but not damaged
            # either: left as it is (the user decides), and nothing sent. Said once, by the
            # caller (the tray's start, --once's line), as a refused folder is.
            problem = _("The settings file cannot be used: {reason}").format(reason=exc)
            return LoadedSettings(Settings(), problem, address_lost=True, unreadable=True)
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
        # The names only: pydantic's own text quotes the values (`input_value`); each field's
        # reason follows, from `_valid_fields`.
        log.warning("Some settings are invalid: %s", _invalid_fields(exc))
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
