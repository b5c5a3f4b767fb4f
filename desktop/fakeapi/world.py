"""A deterministic, living Neo account for the fake API: tasks happen, credits drain.

History is generated from a seed (about one task every 72 minutes for four months); after the
world is created, live tasks keep arriving every `live_task_interval` seconds so a demo or a test
sees the numbers move. Summaries are computed honestly from these tasks for any from/to/group_by.
"""

from __future__ import annotations

import math
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

MODELS = (
    ("claude-sonnet-4-5", 0.42, 3.2),
    ("gpt-5", 0.18, 4.1),
    ("gpt-5-mini", 0.2, 0.6),
    ("claude-haiku-4-5", 0.14, 0.9),
    ("gemini-2.5-pro", 0.06, 2.7),
)
STATUSES = (("completed", 0.86), ("failed", 0.05), ("error", 0.03), ("aborted", 0.06))
MEMBERS = (
    ("maya@acme.test", 0.34),
    ("lead@acme.test", 0.24),
    ("dev@acme.test", 0.18),
    ("sec-ops@acme.test", 0.12),
    ("intern@acme.test", 0.08),
    ("ci-bot@acme.test", 0.04),
)
HISTORY_DAYS = 120
HISTORY_TASK_INTERVAL = timedelta(minutes=72)
RUNNING_WINDOW = timedelta(minutes=3)


TITLES = (
    "Scan staging API for OWASP Top 10",
    "Triage nuclei findings for shop.acme.test",
    "Review PR #482 for an auth bypass",
    "Enumerate subdomains of acme.test",
    "Validate CVE-2025-29927 on edge hosts",
    "Write a nuclei template for exposed .git folders",
    "Summarize this week's vulnerability report",
    "Check TLS configuration of the mail servers",
    "Investigate SSRF in the image proxy",
    "Retest the fixed XSS on checkout",
    "Map the attack surface of the partner portal",
    "Fuzz the GraphQL endpoint /v2/graphql",
    "Audit S3 bucket permissions",
    "Reproduce the IDOR in the invoices API",
    "Hunt for leaked secrets in public repos",
)
ERROR_MESSAGES = (
    "tool 'httpx' timed out after 120s",
    "model provider returned 529 overloaded",
    "sandbox ran out of memory",
)


@dataclass(frozen=True)
class Task:
    at: datetime
    model: str
    status: str
    email: str
    neo_credits: float
    steps: int
    tool_calls: int
    execution_ms: int
    agent_trigger: bool
    byok_llm_cost: float | None
    # The task ledger's own fields (drawn after the summary's, which stay as they were).
    task_id: str = ""
    title: str | None = None
    streams: int = 1
    llm_share: float = 0.6
    error_message: str | None = None
    #: Which optional fields this task's row leaves out, as real rows sometimes do.
    lacks_duration: bool = False
    lacks_byok_flag: bool = False


def _pick(rng: random.Random, table: tuple[tuple[Any, ...], ...]) -> tuple[Any, ...]:
    point = rng.random() * sum(row[1] for row in table)
    for row in table:
        point -= row[1]
        if point <= 0:
            return row
    return table[-1]


def _task(seed: int, index: int, at: datetime, credit_multiplier: float) -> Task:
    rng = random.Random(seed * 1_000_003 + index)
    model, _, mean_credits = _pick(rng, MODELS)
    status = _pick(rng, STATUSES)[0]
    credits = round(mean_credits * rng.lognormvariate(0, 0.45) * credit_multiplier, 2)
    steps = max(1, int(rng.gauss(19, 6)))
    byok = rng.random() < 0.06
    email = _pick(rng, MEMBERS)[0]
    tool_calls = steps * rng.randint(2, 4)
    execution_ms = int(steps * rng.uniform(2_500, 9_000))
    agent_trigger = rng.random() < 0.12
    return Task(
        at=at,
        model=model,
        status=status,
        email=email,
        neo_credits=0.0 if byok else credits,
        steps=steps,
        tool_calls=tool_calls,
        execution_ms=execution_ms,
        agent_trigger=agent_trigger,
        byok_llm_cost=round(credits * 0.21, 3) if byok else None,
        task_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        title=rng.choice(TITLES) if rng.random() < 0.9 else None,
        streams=1 if rng.random() < 0.7 else rng.randint(2, 4),
        llm_share=rng.uniform(0.4, 0.8),
        error_message=rng.choice(ERROR_MESSAGES) if status == "error" else None,
        lacks_duration=status == "aborted" and rng.random() < 0.5,
        lacks_byok_flag=rng.random() < 0.05,
    )


def _arrivals(seed: int, start: datetime, end: datetime) -> list[datetime]:
    """Task start times: random gaps averaging HISTORY_TASK_INTERVAL, quieter at weekends."""
    rng = random.Random(seed)
    mean = HISTORY_TASK_INTERVAL.total_seconds()
    times: list[datetime] = []
    cursor = start
    while True:
        quiet = 2.5 if cursor.weekday() >= 5 else 0.85
        cursor += timedelta(seconds=rng.expovariate(1 / (mean * quiet)))
        if cursor >= end:
            return times
        times.append(cursor)


def period_start(instant: datetime, group_by: str) -> datetime:
    day = instant.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if group_by == "week":
        return day - timedelta(days=day.weekday())
    if group_by == "month":
        return day.replace(day=1)
    return day


def next_period(start: datetime, group_by: str) -> datetime:
    if group_by == "week":
        return start + timedelta(days=7)
    if group_by == "month":
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start + timedelta(days=1)


class UsageWorld:
    """The account behind the fake API. All times are UTC; `now` is always passed in."""

    def __init__(
        self,
        created_at: datetime,
        *,
        seed: int = 7,
        issued_credits: float = 5000.0,
        live_task_interval: float = 60.0,
        live_credit_multiplier: float = 1.0,
    ) -> None:
        self.created_at = created_at
        self.seed = seed
        self.issued_credits = issued_credits
        self.live_task_interval = timedelta(seconds=live_task_interval)
        self.live_credit_multiplier = live_credit_multiplier
        midnight = period_start(created_at, "day")
        self.last_credit_reset = midnight - timedelta(days=20)
        self.expires_at = self.last_credit_reset + timedelta(days=90)
        self._history = [
            _task(seed, i, at, 1.0)
            for i, at in enumerate(
                _arrivals(seed, created_at - timedelta(days=HISTORY_DAYS), created_at)
            )
        ]
        self._live: list[Task] = []

    def live_count(self, now: datetime) -> int:
        """How many live tasks have arrived by `now` (one every `live_task_interval`)."""
        return max(0, math.floor((now - self.created_at) / self.live_task_interval))

    def tasks_until(self, now: datetime) -> list[Task]:
        """All tasks that happened up to `now`, generating live ones lazily."""
        wanted = self.live_count(now)
        while len(self._live) < wanted:
            index = len(self._live) + 1
            at = self.created_at + self.live_task_interval * index
            self._live.append(_task(self.seed, 10_000_000 + index, at, self.live_credit_multiplier))
        return self._history + self._live[:wanted]

    def daily_rate(self, now: datetime, days: int = 14) -> float:
        """Credits used per day over the last `days` complete UTC days."""
        today = period_start(now, "day")
        start = today - timedelta(days=days)
        used = sum(t.neo_credits for t in self.tasks_until(now) if start <= t.at < today)
        return used / days

    def used_since_reset(self, now: datetime) -> float:
        return sum(t.neo_credits for t in self.tasks_until(now) if t.at >= self.last_credit_reset)

    def summary(
        self,
        now: datetime,
        start: datetime | None = None,
        end: datetime | None = None,
        group_by: str | None = None,
        team_admin: bool = True,
    ) -> dict[str, Any]:
        """The JSON body the real API would send for this window, as of `now`."""
        all_tasks = self.tasks_until(now)
        window = [
            t
            for t in all_tasks
            if (start is None or t.at >= start) and (end is None or t.at <= end)
        ]
        by_model: dict[str, dict[str, float]] = defaultdict(
            lambda: {"neo_credits": 0.0, "tasks": 0}
        )
        by_status: dict[str, int] = defaultdict(int)
        by_email: dict[str, dict[str, float]] = defaultdict(
            lambda: {"neo_credits": 0.0, "tasks": 0}
        )
        byok = {"total_llm_cost": 0.0, "total_neo_cost": 0.0, "total_streams": 0, "total_tasks": 0}
        for task in window:
            status = "running" if now - task.at < RUNNING_WINDOW else task.status
            by_model[task.model]["neo_credits"] += task.neo_credits
            by_model[task.model]["tasks"] += 1
            by_status[status] += 1
            by_email[task.email]["neo_credits"] += task.neo_credits
            by_email[task.email]["tasks"] += 1
            if task.byok_llm_cost is not None:
                byok["total_llm_cost"] += task.byok_llm_cost
                byok["total_neo_cost"] += round(task.byok_llm_cost * 0.1, 3)
                byok["total_streams"] += 2
                byok["total_tasks"] += 1

        used = self.used_since_reset(now)
        expired = now >= self.expires_at
        available = 0.0 if expired else max(0.0, self.issued_credits - used)
        body: dict[str, Any] = {
            "by_model": {
                name: {"neo_credits": round(row["neo_credits"], 2), "tasks": int(row["tasks"])}
                for name, row in sorted(by_model.items())
            },
            "by_status": dict(sorted(by_status.items())),
            "total_neo_credits": round(sum(t.neo_credits for t in window), 2),
            "total_tasks": len(window),
            "byok": {key: round(value, 3) for key, value in byok.items()},
            "last_credit_reset": utc_text(self.last_credit_reset),
            "neo_credits_expires_at": utc_text(self.expires_at),
            "neo_credits_is_expired": expired,
            "total_agent_triggers": sum(t.agent_trigger for t in window),
            "total_available_neo_credits": round(available, 2),
            "total_execution_ms": sum(t.execution_ms for t in window),
            "total_issued_neo_credits": self.issued_credits,
            "total_neo_credits_post_reset": round(min(used, self.issued_credits), 2),
            "total_steps": sum(t.steps for t in window),
            "total_tool_calls": sum(t.tool_calls for t in window),
        }
        if team_admin:
            body["by_email"] = [
                {
                    "email": email,
                    "neo_credits": round(row["neo_credits"], 2),
                    "tasks": int(row["tasks"]),
                }
                for email, row in sorted(by_email.items(), key=lambda item: -item[1]["neo_credits"])
            ]
        if group_by:
            first = start or (all_tasks[0].at if all_tasks else now)
            body["by_period"] = periods(window, first, end or now, group_by)
        return body


def periods(
    tasks: list[Task], start: datetime, end: datetime, group_by: str
) -> list[dict[str, Any]]:
    """One row per period from `start` to `end`, empty periods included."""
    totals: dict[datetime, list[float]] = defaultdict(lambda: [0.0, 0])
    for task in tasks:
        row = totals[period_start(task.at, group_by)]
        row[0] += task.neo_credits
        row[1] += 1
    rows: list[dict[str, Any]] = []
    cursor = period_start(start, group_by)
    while cursor <= end and len(rows) < 5000:
        credits, count = totals.get(cursor, [0.0, 0])
        rows.append(
            {
                "date": cursor.date().isoformat(),
                "neo_credits": round(credits, 2),
                "tasks": int(count),
            }
        )
        cursor = next_period(cursor, group_by)
    return rows


def utc_text(instant: datetime) -> str:
    """ISO 8601 in UTC with `Z`, as the real API writes instants (the fake API imports nothing of
    the app, so it keeps this one copy of `desktop.core.instants.utc_text`)."""
    return instant.astimezone(UTC).isoformat().removesuffix("+00:00") + "Z"


def huge_summary(members: int = 20_000, period_count: int = 1_000, seed: int = 3) -> dict[str, Any]:
    """A team admin's summary at the scale of a large organisation, for benchmarks."""
    rng = random.Random(seed)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    member_figures = sorted(
        ((round(rng.lognormvariate(2, 1), 2), rng.randint(1, 400)) for _ in range(members)),
        reverse=True,
    )
    by_email = [
        {"email": f"member{i:05d}@bigcorp.test", "neo_credits": credits, "tasks": tasks}
        for i, (credits, tasks) in enumerate(member_figures)
    ]
    by_period = [
        {
            "date": (start + timedelta(days=i)).date().isoformat(),
            "neo_credits": round(rng.uniform(100, 900), 2),
            "tasks": rng.randint(20, 300),
        }
        for i in range(period_count)
    ]
    total = round(sum(credits for credits, _ in member_figures), 2)
    tasks = sum(count for _, count in member_figures)
    return {
        "by_model": {
            name: {"neo_credits": round(total * share, 2), "tasks": int(tasks * share)}
            for name, share, _ in MODELS
        },
        "by_status": {
            "completed": int(tasks * 0.9),
            "failed": int(tasks * 0.06),
            "aborted": int(tasks * 0.04),
        },
        "total_neo_credits": total,
        "total_tasks": tasks,
        "by_email": by_email,
        "by_period": by_period,
        "byok": {
            "total_llm_cost": 812.5,
            "total_neo_cost": 81.2,
            "total_streams": 900,
            "total_tasks": 450,
        },
        "last_credit_reset": "2026-11-01T00:00:00Z",
        "neo_credits_expires_at": "2027-12-31T23:59:59Z",
        "neo_credits_is_expired": False,
        "total_agent_triggers": 4200,
        "total_available_neo_credits": round(total * 0.4, 2),
        "total_execution_ms": tasks * 61_000,
        "total_issued_neo_credits": round(total * 1.4, 2),
        "total_neo_credits_post_reset": total,
        "total_steps": tasks * 19,
        "total_tool_calls": tasks * 57,
    }
