"""The unusual-member notification: which of an admin's radar (`core/radar`) deserves telling,
each member once per local day, with the memory of the days kept small. Pure and Qt-free."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

from desktop.core import local_time
from desktop.core.instants import utc_text
from desktop.core.radar import MemberRadar, Radar
from desktop.core.rules.catalogue import Rule
from desktop.core.rules.decisions import switched_on
from desktop.core.rules.memory import AccountContext, Epoch, NotifyMemory
from desktop.core.rules.messages import Notification, spike_notification
from desktop.core.settings import Settings

#: A spiking member's memory is kept for this many local days before today (the radar only
#: speaks of today: older days are never asked again; the memory file stays small)...
SPIKE_MEMORY_DAYS = 3
#: ...and at most this many of them (the newest): a huge team cannot grow the file past what
#: `notify_store` reads (1 MB), which would forget everything and say it all again.
SPIKE_MEMORY_LIMIT = 500


def spike_epoch(day: date, email: str) -> Epoch:
    """What a spiking member's memory belongs to: the user's local day and the member's email.
    The email is prefixed so that an address that reads as an instant is never rewritten as
    one when the memory file is read back (`memory._normal_epoch`)."""
    return (day.isoformat(), f"email:{email}")


def evaluate_radar(
    memory: NotifyMemory,
    context: AccountContext,
    radar: Radar,
    *,
    now: datetime,
    settings: Settings,
) -> tuple[list[Notification], NotifyMemory]:
    """MEMBER_SPIKE for an admin's radar (`core/radar.compute`: `status` "ok", the members
    marked `unusual`): each member once per local day (the radar's day, that of `today_from`),
    the ones new in one radar in one notification, most unusual first (the radar's order).
    Days more than `SPIKE_MEMORY_DAYS` before today's are forgotten, and at most
    `SPIKE_MEMORY_LIMIT` members are kept. Nothing while snoozed or switched off, and nothing
    is then remembered: what still holds is said later the same day."""
    today = local_time.local_date(now)
    memory = _kept_spikes(memory, today)
    if radar.status != "ok":
        return [], memory
    day = local_time.local_date(radar.today_from)
    if day < today - timedelta(days=SPIKE_MEMORY_DAYS):
        return [], memory  # a radar of a day already forgotten: never said again
    new: dict[str, MemberRadar] = {}  # by email: a member twice in a radar is said once
    for member in radar.items:
        key = context.key(Rule.MEMBER_SPIKE, spike_epoch(day, member.email))
        if member.unusual and key not in memory.sent:
            new.setdefault(member.email, member)
    if not new or memory.snoozed(now) or not switched_on(settings.notifications, Rule.MEMBER_SPIKE):
        return [], memory
    said = utc_text(now, whole_seconds=True)
    keys = {context.key(Rule.MEMBER_SPIKE, spike_epoch(day, email)): said for email in new}
    members = list(new.values())
    note = spike_notification(members)
    kept = _kept_spikes(replace(memory, sent={**memory.sent, **keys}), today)
    return [replace(note, epoch=spike_epoch(day, members[0].email))], kept


def _kept_spikes(memory: NotifyMemory, today: date) -> NotifyMemory:
    """`memory` without the spiking members' keys of days before `today` minus
    `SPIKE_MEMORY_DAYS` (or of no readable day), and with at most `SPIKE_MEMORY_LIMIT` of them,
    the newest (by the day, then when said)."""
    oldest = today - timedelta(days=SPIKE_MEMORY_DAYS)
    spikes = [
        (day, at, key)
        for key, at in memory.sent.items()
        if key.rule is Rule.MEMBER_SPIKE
        and (day := _spike_day(key.epoch)) is not None
        and day >= oldest
    ]
    kept = {key for _day, _at, key in sorted(spikes, reverse=True)[:SPIKE_MEMORY_LIMIT]}
    sent = {
        key: at
        for key, at in memory.sent.items()
        if key.rule is not Rule.MEMBER_SPIKE or key in kept
    }
    return replace(memory, sent=sent) if len(sent) != len(memory.sent) else memory


def _spike_day(epoch: Epoch) -> date | None:
    try:
        return date.fromisoformat(epoch[0]) if epoch else None
    except ValueError:
        return None
