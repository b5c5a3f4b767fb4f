"""What was sent, persisted between runs: the keys of sent notifications, each account's credit
epoch (to notice resets and top-ups), the member caps known, and the snooze, with the file format
of every release."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Any, NamedTuple

from desktop.core import local_time
from desktop.core.instants import normal_instant_text, parse_instant, utc_text
from desktop.core.rules.catalogue import Rule
from desktop.core.snapshot import Snapshot

RESET_JITTER = timedelta(minutes=5)
NO_TIME = timedelta(0)  # a reset time that moves less than this is the same reset

Epoch = tuple[str, ...]  # what a rule's memory belongs to: a credit epoch, an expiry instant


class SentKey(NamedTuple):
    """One notification that was sent: for this cache key, token tag, rule and epoch."""

    cache_key: str
    token_tag: str
    rule: Rule
    epoch: Epoch = ()


class AccountKey(NamedTuple):
    """Whose credit epoch: a cache key and a token tag."""

    cache_key: str
    token_tag: str


@dataclass(frozen=True)
class AccountContext:
    """Who the memory is about: the account's cache key (`accounts.cache_key`, its API address)
    and its token's tag (never the token)."""

    cache_key: str
    token_tag: str

    def key(self, rule: Rule, epoch: Epoch = ()) -> SentKey:
        return SentKey(self.cache_key, self.token_tag, rule, epoch)

    @property
    def account_key(self) -> AccountKey:
        return AccountKey(self.cache_key, self.token_tag)


class SnoozeChoice(StrEnum):
    HOUR = "hour"
    TOMORROW = "tomorrow"
    RESUME = "resume"


MEMORY_VERSION = 2
#: The latest a snooze may end after now: the app's own lasts until tomorrow 9:00 at most (33 h).
LONGEST_SNOOZE = timedelta(days=2)


@dataclass(frozen=True)
class NotifyMemory:
    """What was sent, persisted between runs: when each key fired, the last credit epoch seen
    per account (to notice resets and top-ups), the snooze, and the accounts (cache key and
    token tag) in member mode with the cap epoch last seen (`cap_epoch`): while one is known a
    403 is not "no permission" news."""

    sent: dict[SentKey, str] = field(default_factory=dict)
    epochs: dict[AccountKey, Epoch] = field(default_factory=dict)
    snoozed_until: str | None = None
    caps: dict[AccountKey, Epoch] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": MEMORY_VERSION,
            "sent": [
                {
                    "cache_key": key.cache_key,
                    "token_tag": key.token_tag,
                    "rule": key.rule.value,
                    "epoch": list(key.epoch),
                    "at": at,
                }
                for key, at in self.sent.items()
            ],
            "epochs": [
                {"cache_key": key.cache_key, "token_tag": key.token_tag, "epoch": list(epoch)}
                for key, epoch in self.epochs.items()
            ],
            "snoozed_until": self.snoozed_until,
            # Added after version 2 was released: an older release ignores it.
            "caps": [
                {"cache_key": key.cache_key, "token_tag": key.token_tag, "epoch": list(epoch)}
                for key, epoch in self.caps.items()
            ],
        }

    @classmethod
    def from_json(cls, data: Any) -> NotifyMemory:
        """Read this release's memory, or migrate the first release's `|`-joined keys."""
        if not isinstance(data, dict):
            return cls()
        snoozed = data.get("snoozed_until")
        snoozed_until = normal_instant_text(snoozed) if isinstance(snoozed, str) else None
        if data.get("version") == MEMORY_VERSION:
            return cls(
                _read_sent(data.get("sent")),
                _read_epochs(data.get("epochs")),
                snoozed_until,
                _read_epochs(data.get("caps")),
            )
        return cls(
            _migrate_sent(data.get("sent")), _migrate_epochs(data.get("epochs")), snoozed_until
        )

    def snoozed(self, now: datetime) -> bool:
        """Snoozed at `now`: until a time after it, and no later than `LONGEST_SNOOZE` after it
        (the app's own snooze ends tomorrow at the latest; a later one, written by hand or by
        another program, would silence the notifications for ever, so it is no snooze)."""
        if not self.snoozed_until:
            return False
        until = parse_instant(self.snoozed_until)
        return until is not None and now < until <= now + LONGEST_SNOOZE


def _strings(value: Any) -> Epoch | None:
    if isinstance(value, list) and all(isinstance(part, str) for part in value):
        return _normal_epoch(tuple(value))
    return None


def _normal_epoch(epoch: Epoch) -> Epoch:
    """The epoch with its instants as this release writes them (`utc_text`): earlier releases
    wrote "+00:00", and a key that differs only by that must not send its notification again."""
    return tuple(normal_instant_text(part) for part in epoch)


def _read_sent(rows: Any) -> dict[SentKey, str]:
    sent: dict[SentKey, str] = {}
    for row in rows if isinstance(rows, list) else []:
        if not isinstance(row, dict):
            continue
        epoch = _strings(row.get("epoch"))
        cache_key, tag, at = _cache_key(row), _tag(row), row.get("at")
        if epoch is None or cache_key is None or tag is None or not isinstance(at, str):
            continue
        with suppress(ValueError):
            sent[SentKey(cache_key, tag, Rule(str(row.get("rule"))), epoch)] = normal_instant_text(
                at
            )
    return sent


def _read_epochs(rows: Any) -> dict[AccountKey, Epoch]:
    epochs: dict[AccountKey, Epoch] = {}
    for row in rows if isinstance(rows, list) else []:
        if not isinstance(row, dict):
            continue
        epoch = _strings(row.get("epoch"))
        cache_key, tag = _cache_key(row), _tag(row)
        if epoch is not None and cache_key is not None and tag is not None:
            epochs[AccountKey(cache_key, tag)] = epoch
    return epochs


def _cache_key(row: dict[str, Any]) -> str | None:
    """A row's cache key; files written before it had its name call it "base_url"."""
    key = row.get("cache_key", row.get("base_url"))
    return key if isinstance(key, str) else None


def _tag(row: dict[str, Any]) -> str | None:
    """A row's token tag; files written before it had its name call it "account"."""
    tag = row.get("token_tag", row.get("account"))
    return tag if isinstance(tag, str) else None


def _old_epoch(text: str) -> Epoch:
    return _normal_epoch(tuple(text.split("|"))) if text else ()


def _migrate_sent(old: Any) -> dict[SentKey, str]:
    """First release: `url|account|rule|epoch`, where a credit epoch was itself `reset|issued`."""
    sent: dict[SentKey, str] = {}
    for key, at in old.items() if isinstance(old, dict) else ():
        parts = str(key).split("|", 3)
        if len(parts) < 3:
            continue
        with suppress(ValueError):
            epoch = _old_epoch(parts[3] if len(parts) > 3 else "")
            sent[SentKey(parts[0], parts[1], Rule(parts[2]), epoch)] = normal_instant_text(str(at))
    return sent


def _migrate_epochs(old: Any) -> dict[AccountKey, Epoch]:
    """First release: `url|account|reset|` mapped to `last_reset|issued`."""
    epochs: dict[AccountKey, Epoch] = {}
    for key, value in old.items() if isinstance(old, dict) else ():
        parts = str(key).split("|")
        if len(parts) >= 2 and value:
            epochs[AccountKey(parts[0], parts[1])] = _old_epoch(str(value))
    return epochs


def snooze(memory: NotifyMemory, until: datetime) -> NotifyMemory:
    return replace(memory, snoozed_until=utc_text(until, whole_seconds=True))


def snooze_for_an_hour(memory: NotifyMemory, now: datetime) -> NotifyMemory:
    return snooze(memory, now + timedelta(hours=1))


def snooze_until_tomorrow(memory: NotifyMemory, now: datetime) -> NotifyMemory:
    """Until 09:00 tomorrow in the user's local time."""
    tomorrow = local_time.local_date(now) + timedelta(days=1)
    return snooze(memory, local_time.local_instant(tomorrow, time(9)))


def apply_snooze(memory: NotifyMemory, choice: SnoozeChoice, now: datetime) -> NotifyMemory:
    if choice is SnoozeChoice.HOUR:
        return snooze_for_an_hour(memory, now)
    if choice is SnoozeChoice.TOMORROW:
        return snooze_until_tomorrow(memory, now)
    return replace(memory, snoozed_until=None)


def credit_epoch(snapshot: Snapshot, previous: Epoch | None = None) -> tuple[Epoch | None, bool]:
    """The credit epoch after this snapshot, and whether a reset or top-up happened: the one
    definition, for the rules' memory and the poll queue's forecast refetch.

    The epoch is (last reset, issued, available, expiry); its first two name the epoch that
    alert memory lives in. A reset or top-up counts only when credits actually came back
    (available or issued rose, or the expiry moved later); a reset time that moved by less than
    `RESET_JITTER` is the same epoch. A figure the API left out keeps its previous value:
    partial data never resets."""
    summary = snapshot.summary
    old = (*(previous or ()), "", "", "", "")
    old_reset, old_issued, old_available, old_expires = old[:4]
    reset = _instant(summary.last_credit_reset) or old_reset
    issued = _figure(summary.total_issued_neo_credits) or old_issued
    available = _figure(summary.total_available_neo_credits) or old_available
    expires = _instant(summary.neo_credits_expires_at) or old_expires
    if not reset and not issued:
        return None, False
    issued_rose = _rose(old_issued, issued)
    reset_moved = bool(old_reset and reset) and _apart(old_reset, reset) >= RESET_JITTER
    came_back = (
        issued_rose
        or _rose(old_available, available)
        or (bool(old_expires and expires) and _apart(old_expires, expires, signed=True) > NO_TIME)
        or (reset_moved and not old_available and bool(available) and float(available) > 0)
    )
    changed = (reset_moved or issued_rose) and came_back
    first = not (old_reset or old_issued)
    name = (reset, issued) if changed or first else (old_reset, old_issued)
    return (*name, available, expires), changed


def epoch_name(epoch: Epoch) -> Epoch:
    """The part of a credit epoch that alert memory is keyed by: (last reset, issued)."""
    return epoch[:2]


def _figure(value: float | None) -> str:
    return repr(float(value)) if value is not None else ""


def _instant(value: datetime | None) -> str:
    return utc_text(value) if value is not None else ""


def _rose(before: str, after: str) -> bool:
    return bool(before and after) and float(after) > float(before)


def _apart(before: str, after: str, signed: bool = False) -> timedelta:
    """How far `after` is from `before`; unreadable instants count as far apart."""
    later, earlier = parse_instant(after), parse_instant(before)
    if later is None or earlier is None:
        return timedelta.max
    delta = later - earlier
    return delta if signed else abs(delta)
