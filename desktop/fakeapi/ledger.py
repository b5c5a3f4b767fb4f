"""The fake API's task ledger (`GET /api/v1/usage/tasks`): the world's own tasks as rows, so a
window's rows add up to the summary's `total_neo_credits` for that window, with the filters and
the paging of the real endpoint. The `huge` scenario's ledger is made lazily, row by row, from
that scenario's members, and adds up to its summary the same way.
"""

from __future__ import annotations

import bisect
import functools
import random
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from desktop.fakeapi.world import MODELS, RUNNING_WINDOW, Task, UsageWorld, huge_summary, utc_text

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
TOOLS = ("httpx", "nuclei", "subfinder", "katana", "naabu", "browser", "shell", "read_file")
#: Titles a hostile server might send: markup, an escape sequence, bidi overrides, line breaks.
HOSTILE_TITLES = (
    "<b>Pwned</b> & <script>alert('x')</script> \x1b[31mred\x1b[0m",
    "Invoice \u202egpj.exe\u202c review\nsecond line\r\u2028third",
    "%s %n {task_title} $(rm -rf ~) `id`",
)


class BadQuery(ValueError):
    """A query the real API answers with 400."""


def task_row(task: Task, now: datetime, team_admin: bool) -> dict[str, Any]:
    """One row as the real API writes it, every documented field (the optional ones where the
    task has them)."""
    rng = random.Random(task.task_id)  # the tool calls' details: the same on every request
    status = "running" if now - task.at < RUNNING_WINDOW else task.status
    llm_ms = int(task.execution_ms * task.llm_share)
    row: dict[str, Any] = {
        "task_id": task.task_id,
        "created_at": utc_text(task.at),
        "model": task.model,
        "status": status,
        "step_count": task.steps,
        "tool_calls": task.tool_calls,
        "agent_triggers": int(task.agent_trigger),
        "stream_count": task.streams,
        "avg_step_latency_ms": task.execution_ms // task.steps,
    }
    if task.neo_credits or task.byok_llm_cost is None or rng.random() < 0.5:
        row["neo_credits"] = task.neo_credits  # BYOK rows sometimes leave their 0 out
    if task.title is not None:
        row["task_title"] = task.title
    if team_admin:
        row["email"] = task.email
    if not task.lacks_byok_flag:
        row["is_byok"] = task.byok_llm_cost is not None
    if task.byok_llm_cost is not None:
        row["llm_cost"] = task.byok_llm_cost
        row["neo_cost"] = round(task.byok_llm_cost * 0.1, 3)
    if not task.lacks_duration:
        row["total_execution_ms"] = task.execution_ms
        row["llm_time_ms"] = llm_ms
        row["tool_time_ms"] = task.execution_ms - llm_ms
    if task.streams == 1:
        row["stream_id"] = f"{task.task_id[:8]}-s1"
    if task.error_message is not None:
        row["error_message"] = task.error_message
    history = _tool_calls(rng, task)
    row["tool_call_history"] = history
    row["tool_breakdown"] = _tool_breakdown(history)
    row["agent_breakdown"] = {"planner": {"steps": task.steps, "duration_ms": llm_ms}}
    return row


def _tool_calls(rng: random.Random, task: Task) -> list[dict[str, Any]]:
    calls = []
    at = task.at
    for index in range(task.tool_calls):
        duration = rng.randint(40, 4_000)
        at += timedelta(milliseconds=duration + rng.randint(100, 2_000))
        calls.append(
            {
                "tool_name": rng.choice(TOOLS),
                "duration_ms": duration,
                "timestamp": utc_text(at),
                "index": index,
            }
        )
    return calls


def _tool_breakdown(history: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    breakdown: dict[str, dict[str, int]] = {}
    for call in history:
        entry = breakdown.setdefault(call["tool_name"], {"count": 0, "duration_ms": 0})
        entry["count"] += 1
        entry["duration_ms"] += call["duration_ms"]
    return breakdown


class Filters:
    """The query of one request, checked as the real API does (400 for a bad value)."""

    def __init__(
        self, query: dict[str, list[str]], parse_instant: Callable[[list[str] | None], Any]
    ) -> None:
        def one(name: str) -> str | None:
            values = query.get(name)
            return values[0] if values else None

        try:
            self.start: datetime | None = parse_instant(query.get("from"))
            self.end: datetime | None = parse_instant(query.get("to"))
        except ValueError as exc:
            raise BadQuery(f"invalid date-time: {exc}") from None
        self.status = one("status")
        self.model = one("model")
        self.email = one("email")
        self.task_id = one("task_id")
        byok = one("is_byok")
        if byok not in {None, "true", "false"}:
            raise BadQuery("is_byok must be true or false")
        self.is_byok = None if byok is None else byok == "true"
        try:
            self.limit = int(one("limit") or DEFAULT_LIMIT)
            self.offset = int(one("offset") or 0)
        except ValueError:
            raise BadQuery("limit and offset must be integers") from None
        if not 1 <= self.limit <= MAX_LIMIT:
            raise BadQuery(f"limit must be between 1 and {MAX_LIMIT}")
        if self.offset < 0:
            raise BadQuery("offset must not be negative")

    def matches(self, row: dict[str, Any]) -> bool:
        return (
            (self.status is None or row["status"] == self.status)
            and (self.model is None or row["model"] == self.model)
            and (self.email is None or row.get("email") == self.email)
            and (self.task_id is None or row["task_id"] == self.task_id)
            and (self.is_byok is None or ("llm_cost" in row) == self.is_byok)
        )

    def page(self, matching: Sequence[int]) -> dict[str, Any]:
        """The page of `matching` (row numbers) this query asks for, with `has_more` and
        `total`; `data` holds row numbers, which the caller turns into rows."""
        end = self.offset + self.limit
        return {
            "data": list(matching[self.offset : end]),
            "has_more": end < len(matching),
            "total": len(matching),
        }


def tasks_body(
    world: UsageWorld, now: datetime, filters: Filters, team_admin: bool
) -> dict[str, Any]:
    """The page the real API would send, newest first; the window is the summary's (`from` and
    `to` inclusive), so its rows add up to the summary's `total_neo_credits`."""
    window = [
        task
        for task in world.tasks_until(now)
        if (filters.start is None or task.at >= filters.start)
        and (filters.end is None or task.at <= filters.end)
    ]
    window.sort(key=lambda task: task.at, reverse=True)
    light = [_light_row(task, now, team_admin) for task in window]
    matching = [index for index, row in enumerate(light) if filters.matches(row)]
    page = filters.page(matching)
    page["data"] = [task_row(window[index], now, team_admin) for index in page["data"]]
    return page


def _light_row(task: Task, now: datetime, team_admin: bool) -> dict[str, Any]:
    """What the filters read, without the tool calls."""
    row: dict[str, Any] = {
        "task_id": task.task_id,
        "model": task.model,
        "status": "running" if now - task.at < RUNNING_WINDOW else task.status,
    }
    if team_admin:
        row["email"] = task.email
    if task.byok_llm_cost is not None:
        row["llm_cost"] = task.byok_llm_cost
    return row


# The huge scenario: ~4 million tasks, made row by row from the summary's members.


_HUGE_STATUSES = ("completed",) * 17 + ("failed", "error", "aborted")
TITLES_HUGE = ("Scan", "Triage", "Retest", "Audit", "Enumerate", "Review")


@functools.cache
def _huge_members() -> tuple[tuple[str, ...], tuple[float, ...], tuple[int, ...]]:
    """Each member's email, credits and first row (rows are members' tasks, in order)."""
    body = huge_summary()
    emails = tuple(row["email"] for row in body["by_email"])
    credits = tuple(row["neo_credits"] for row in body["by_email"])
    firsts = [0]
    for row in body["by_email"]:
        firsts.append(firsts[-1] + row["tasks"])
    return emails, credits, tuple(firsts)


def huge_task_count() -> int:
    return _huge_members()[2][-1]


def huge_row(index: int, created_at: datetime) -> dict[str, Any]:
    """Row `index` of the huge ledger: member m's credits split over its tasks (cents down, the
    rest on its last task), so every member's rows add up to its `by_email` figure."""
    emails, credits, firsts = _huge_members()
    member = bisect.bisect_right(firsts, index) - 1
    count = firsts[member + 1] - firsts[member]
    share = int(credits[member] * 100 / count) / 100
    last = index == firsts[member + 1] - 1
    own = round(credits[member] - share * (count - 1), 2) if last else share
    seconds = 86_400 * index / huge_task_count()  # newest first, over the day before `created_at`
    steps = 5 + index % 30
    row: dict[str, Any] = {
        "task_id": f"huge-{index:07d}",
        "created_at": utc_text(created_at - timedelta(seconds=seconds)),
        "model": MODELS[index % len(MODELS)][0],
        "status": _HUGE_STATUSES[index % len(_HUGE_STATUSES)],
        "step_count": steps,
        "tool_calls": steps * 3,
        "agent_triggers": 0,
        "neo_credits": own,
        "email": emails[member],
        "is_byok": index % 97 == 0,
        "total_execution_ms": steps * 4_100 + index % 1_000,
    }
    if index < len(HOSTILE_TITLES):
        row["task_title"] = HOSTILE_TITLES[index]
    elif index % 9:
        row["task_title"] = f"{TITLES_HUGE[index % len(TITLES_HUGE)]} #{index}"
    return row


def huge_tasks_body(created_at: datetime, filters: Filters) -> dict[str, Any]:
    """A page of the huge ledger. Like its summary, it does not depend on the window."""
    total = huge_task_count()
    if filters.task_id is not None:
        number = filters.task_id.removeprefix("huge-")
        indices: Sequence[int] = [int(number)] if number.isdigit() and int(number) < total else []
    elif filters.email is not None:
        emails, _credits, firsts = _huge_members()
        member = emails.index(filters.email) if filters.email in emails else -1
        indices = range(firsts[member], firsts[member + 1]) if member >= 0 else []
    else:
        indices = range(total)
    if filters.status or filters.model or filters.is_byok is not None:
        indices = [i for i in indices if filters.matches(_huge_light(i, filters.email))]
    page = filters.page(indices)
    page["data"] = [huge_row(index, created_at) for index in page["data"]]
    return page


def _huge_light(index: int, email: str | None) -> dict[str, Any]:
    """What the filters read (the email already matched by the rows' range)."""
    row: dict[str, Any] = {
        "email": email,
        "task_id": f"huge-{index:07d}",
        "model": MODELS[index % len(MODELS)][0],
        "status": _HUGE_STATUSES[index % len(_HUGE_STATUSES)],
    }
    if index % 97 == 0:
        row["llm_cost"] = 0.0
    return row
