"""The fake API's team side (issue 28): `GET /api/v1/user` for every scenario, the members'
spending caps, and the `admin_spike` account (one member spiking today, one new member).

Like the rest of the fake API it imports nothing of the app: it answers as the real API would
(`../shared/api/user.md`), with the app's rules left to the app.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from desktop.fakeapi.world import HISTORY_TASK_INTERVAL, Task, UsageWorld, period_start

USER_PATH = "/api/v1/user"
TEAM = {"id": "team-7f3a", "name": "Acme Sec", "auto_joined": False}
#: The scenarios whose summary (and task ledger) answer 403: a team member or viewer.
SUMMARY_FORBIDDEN = frozenset({"forbidden", "member_cap", "member_no_cap"})
#: `member_cap`'s cap in US dollars when the fake API starts, and how much each live task of the
#: account adds to `used` (so the cap drains slowly with the living account, up to the limit).
CAP_LIMIT = 75.0
CAP_USED = 43.0
CAP_DOLLARS_PER_LIVE_TASK = 0.02
#: `admin_spike`'s two members of note: one whose usual is 2 credits a day, spending 30 today,
#: and one with no usage before today, spending 12.
SPIKE_EMAIL = "bo@example.com"
SPIKE_USUAL_PER_DAY = 2.0
SPIKE_TODAY = (10.0, 12.5, 7.5)
NEW_EMAIL = "new@example.com"
NEW_TODAY = (4.0, 8.0)
#: How many complete UTC days before today the spiking member's steady tasks go back.
STEADY_DAYS = 30
#: How far before the start the day's spike is spread (within today, local and UTC).
SPIKE_SPAN = timedelta(minutes=40)


def _profile(email: str, team: dict[str, Any] | None, cap: dict[str, Any] | None) -> dict[str, Any]:
    """A `/api/v1/user` answer with every documented field (and some the app ignores)."""
    return {
        "email": email,
        "role": "user",  # the system role: says nothing about the team role
        "features": {"neo_ai": True, "neo_credits": 500},
        "team": team,
        "cap": cap,
        "available_models": ["claude-sonnet-4-5", "gpt-5", "gpt-5-mini"],
        "tag": "beta",
        "byok_models": [],
        "egress_ip": "203.0.113.17",
        "neo_cost_rate": 1.0,
        "onboarding": {"completed": True},
    }


def member_cap(world: UsageWorld, now: datetime) -> dict[str, Any]:
    """`member_cap`'s cap: 75 dollars, 43 used when the fake API starts, creeping up with the
    account's live tasks, never past the limit (the real API blocks tasks there)."""
    used = min(CAP_LIMIT, CAP_USED + CAP_DOLLARS_PER_LIVE_TASK * world.live_count(now))
    used = round(used, 2)
    return {
        "limit": CAP_LIMIT,
        "used": used,
        "remaining": round(CAP_LIMIT - used, 2),
        "source": "member",
    }


def user_body(scenario: str, world: UsageWorld, now: datetime) -> dict[str, Any]:
    """What `GET /api/v1/user` answers with 200 in `scenario` (the failing scenarios fail it
    before this, as they fail the summary)."""
    if scenario == "solo":
        return _profile("solo@example.com", None, None)
    if scenario == "huge":
        team = {"id": "team-big", "name": "BigCorp Security", "auto_joined": True, "role": "admin"}
        return _profile("admin@bigcorp.test", team, None)
    if scenario == "member_cap":
        return _profile("maya@acme.test", {**TEAM, "role": "member"}, member_cap(world, now))
    if scenario == "member_no_cap":
        return _profile("maya@acme.test", {**TEAM, "role": "member"}, None)
    if scenario == "forbidden":
        return _profile("viewer@acme.test", {**TEAM, "role": "viewer"}, None)
    # Every other scenario is the team's admin: the summary answers, the team sets no cap.
    return _profile("lead@acme.test", {**TEAM, "role": "admin"}, None)


class SpikeWorld(UsageWorld):
    """`admin_spike`'s account: the usual team, whose live tasks arrive at the history's pace (so
    its members stay steady), plus `SPIKE_EMAIL` with 2 credits on each of the last
    `STEADY_DAYS` UTC days and 30 today, and `NEW_EMAIL` with 12 credits today only. "Today"'s
    tasks lie within the last `SPIKE_SPAN` before the start, after both its UTC and its local
    midnight (right after the start when it began at midnight); every instant is fixed."""

    def __init__(self, created_at: datetime, *, seed: int = 7) -> None:
        super().__init__(
            created_at, seed=seed, live_task_interval=HISTORY_TASK_INTERVAL.total_seconds()
        )
        self.extra = spike_tasks(created_at, seed)

    def tasks_until(self, now: datetime) -> list[Task]:
        merged = super().tasks_until(now) + [task for task in self.extra if task.at <= now]
        merged.sort(key=lambda task: task.at)
        return merged


def today_start(created_at: datetime) -> datetime:
    """The later of `created_at`'s UTC and local midnights (this machine's zone: the demo's)."""
    utc_midnight = period_start(created_at, "day")
    local = created_at.astimezone()
    local_midnight = local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)
    return max(utc_midnight, local_midnight)


def spike_tasks(created_at: datetime, seed: int = 7) -> tuple[Task, ...]:
    """The extra tasks of `SpikeWorld`, oldest first."""
    rng = random.Random(seed * 7_919)
    day = period_start(created_at, "day")
    steady = [
        (day - timedelta(days=back) + timedelta(hours=12), SPIKE_EMAIL, SPIKE_USUAL_PER_DAY)
        for back in range(STEADY_DAYS, 0, -1)
    ]
    today = [(SPIKE_EMAIL, credits) for credits in SPIKE_TODAY]
    today += [(NEW_EMAIL, credits) for credits in NEW_TODAY]
    start = max(today_start(created_at), created_at - SPIKE_SPAN)
    if created_at - start < timedelta(minutes=2):  # started at midnight: the spike comes next
        times = [created_at + timedelta(seconds=10 * (i + 1)) for i in range(len(today))]
    else:
        step = (created_at - start) / (len(today) + 1)
        times = [start + step * (i + 1) for i in range(len(today))]
    rows = steady + [
        (at, email, credits) for at, (email, credits) in zip(times, today, strict=True)
    ]
    return tuple(_extra_task(rng, at, email, credits) for at, email, credits in rows)


def _extra_task(rng: random.Random, at: datetime, email: str, credits: float) -> Task:
    steps = rng.randint(8, 30)
    return Task(
        at=at,
        model="claude-sonnet-4-5",
        status="completed",
        email=email,
        neo_credits=credits,
        steps=steps,
        tool_calls=steps * 3,
        execution_ms=steps * 4_000,
        agent_trigger=False,
        byok_llm_cost=None,
        task_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        title="Scan the new staging cluster" if email == SPIKE_EMAIL else "First look around",
    )
