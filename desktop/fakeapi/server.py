"""The embedded fake Neo API: a real HTTP server on 127.0.0.1 for `--demo` and the tests.

It checks the token like the real API and can be switched into fault scenarios (401, 403, 429,
5xx, slow, malformed, truncated, expired, ...) by code or by `POST /_fake/scenario?name=...`.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import zlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from desktop.fakeapi.ledger import HOSTILE_TITLES, BadQuery, Filters, huge_tasks_body, tasks_body
from desktop.fakeapi.team import SUMMARY_FORBIDDEN, USER_PATH, SpikeWorld, user_body
from desktop.fakeapi.world import UsageWorld, huge_summary, utc_text

log = logging.getLogger(__name__)

SUMMARY_PATH = "/api/v1/usage/summary"
TASKS_PATH = "/api/v1/usage/tasks"
CONTROL_PATH = "/_fake/scenario"
DEMO_TOKEN = "neo-demo-token"

SCENARIOS: dict[str, str] = {
    "ok": "a healthy team account (admin: by_email included)",
    "solo": "a solo user's account (no by_email)",
    "low": "about 18% of the credits left",
    "critical": "about 6% of the credits left",
    "empty": "no credits left",
    "expired": "credits expired two days ago",
    "expiring_soon": "credits expire in under a day",
    "zero_issued": "no credits issued at all",
    "huge": "a 20,000-member organisation with 1,000 periods",
    "unauthorized": "401 for every request",
    "forbidden": "403: a team member without access",
    "not_found": "404: a wrong base URL",
    "rate_limited": "429 with Retry-After",
    "server_error": "500 with a JSON error",
    "bad_gateway": "502 with an HTML page from a proxy",
    "slow": "answers after a long delay",
    "disconnect": "closes the connection without answering",
    "malformed": "200 with invalid JSON",
    "truncated": "200 with a body cut short",
    "html": "200 with an HTML page",
    "wrong_shape": "200 with a JSON list",
    # The forecast's cases:
    "steady_burn": "a steady burn: the credits run out in about 5 days, before they expire",
    "slow_burn": "a slow burn: the credits expire in 6 days with most of them unused",
    "new_account": "a new account with two days of usage",
    "idle": "nothing used in the last three weeks",
    # Hostile answers, for hardening tests and the soak:
    "gzip_bomb": "200 whose body is gzipped twice: a few KB that inflate to 256 MB",
    "encodings": "200 with three stacked content encodings",
    "huge_values": "200 with 10^400, NaN and year-1 dates in optional fields",
    "echo_token": "500 whose error text echoes the token it was sent",
    "retry_month": "429 asking to wait 30 days",
    # Teams (issue 28):
    "member_cap": "403 on usage: a team member of Acme Sec with a $75 spending cap, $43 used",
    "member_no_cap": "403 on usage: a team member of Acme Sec, whose team sets no spending cap",
    "admin_spike": "a team admin: bo@example.com spends 15x their usual today, a new member 12",
}

# Share of issued credits left in the scenarios that force a level.
_LEVEL_SHARES = {"low": 0.18, "critical": 0.06, "empty": 0.0}


class FakeNeoApi:
    """Start with `start()`, stop with `stop()`; `url` is the base URL to give the client."""

    def __init__(
        self,
        *,
        token: str = DEMO_TOKEN,
        scenario: str = "ok",
        port: int = 0,
        clock: Callable[[], datetime] | None = None,
        live_task_interval: float = 60.0,
        live_credit_multiplier: float = 1.0,
        retry_after: str = "30",
        slow_seconds: float = 5.0,
        seed: int = 7,
    ) -> None:
        self.token = token
        self.clock = clock or (lambda: datetime.now(UTC))
        self.retry_after = retry_after
        self.slow_seconds = slow_seconds
        self.world = UsageWorld(
            self.clock(),
            seed=seed,
            live_task_interval=live_task_interval,
            live_credit_multiplier=live_credit_multiplier,
        )
        self._spike_world: SpikeWorld | None = None
        self._seed = seed
        self._scenario = "ok"
        # When the scenario was chosen: the instants a scenario stores (an expiry, a reset) are
        # set from it, so they stay put between requests as the real API's do.
        self._scenario_since = self.clock()
        # The credits a scenario issues (set at its first summary, then stored like the real
        # API's): only the used and available credits move as the account spends.
        self._scenario_issued: float | None = None
        self.scenario = scenario
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _handler_for(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def scenario(self) -> str:
        return self._scenario

    @scenario.setter
    def scenario(self, name: str) -> None:
        if name not in SCENARIOS:
            raise ValueError(f"unknown scenario {name!r}; known: {', '.join(SCENARIOS)}")
        if name != self._scenario:  # choosing the same one again moves nothing
            self._scenario_since = self.clock()
            self._scenario_issued = None
        self._scenario = name

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def request_count(self) -> int:
        with self._lock:
            return len(self.requests)

    def start(self) -> FakeNeoApi:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="fake-neo-api", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeNeoApi:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def record(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self.requests.append(entry)

    def scenario_world(self) -> UsageWorld:
        """The account the current scenario shows: `admin_spike`'s own (made on first use, at
        the same start), else the living account."""
        if self.scenario != "admin_spike":
            return self.world
        with self._lock:
            if self._spike_world is None:
                self._spike_world = SpikeWorld(self.world.created_at, seed=self._seed)
            return self._spike_world

    def user_body_for(self, query: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        """The status and JSON body of `/api/v1/user` in the current scenario."""
        return 200, user_body(self.scenario, self.world, self.clock())

    def body_for(self, query: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        """The status and JSON body of a summary request in the current scenario."""
        try:
            start = _parse_instant(query.get("from"))
            end = _parse_instant(query.get("to"))
        except ValueError as exc:
            return 400, {"message": f"invalid date-time: {exc}"}
        group_by = query.get("group_by", [None])[0] if query.get("group_by") else None
        if group_by not in {None, "day", "week", "month"}:
            return 400, {"message": "group_by must be day, week or month"}
        if self.scenario == "huge":
            return 200, huge_summary()
        now = self.clock()
        world = self.scenario_world()
        body = world.summary(now, start, end, group_by, team_admin=self.scenario != "solo")
        return 200, self._adjust(body, now)

    def tasks_body_for(self, query: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        """The status and JSON body of a task ledger request in the current scenario: rows of
        the same tasks the summary adds up (the scenarios that change the summary change its
        balance, never its used credits)."""
        try:
            filters = Filters(query, _parse_instant)
        except BadQuery as exc:
            return 400, {"message": str(exc)}
        if self.scenario == "huge":
            return 200, huge_tasks_body(self.world.created_at, filters)
        team_admin = self.scenario != "solo"
        if filters.email is not None and not team_admin:
            return 403, {"error": "forbidden: only team admins can filter by email"}
        return 200, tasks_body(self.scenario_world(), self.clock(), filters, team_admin)

    def _adjust(self, body: dict[str, Any], now: datetime) -> dict[str, Any]:
        """The scenario's changes to the living account's summary as of `now`: its figures may
        move with `now`, its stored instants (expiry, last reset) are the scenario's, fixed
        when it was chosen."""
        since = self._scenario_since
        used = float(body["total_neo_credits_post_reset"])
        if self.scenario in _LEVEL_SHARES:
            share = _LEVEL_SHARES[self.scenario]
            issued = self._issued(round(used / (1 - share), 2) if share < 1 else used)
            body["total_issued_neo_credits"] = issued
            body["total_available_neo_credits"] = round(max(0.0, issued - used), 2)
        elif self.scenario == "expired":
            body["neo_credits_expires_at"] = utc_text(since - timedelta(days=2))
            body["neo_credits_is_expired"] = True
            body["total_available_neo_credits"] = 0
        elif self.scenario == "expiring_soon":
            body["neo_credits_expires_at"] = utc_text(since + timedelta(hours=5, minutes=20))
        elif self.scenario == "zero_issued":
            body["total_issued_neo_credits"] = 0
            body["total_available_neo_credits"] = 0
        elif self.scenario == "steady_burn":
            issued = self._issued(round(used + self.world.daily_rate(now) * 5, 2))
            body["total_issued_neo_credits"] = issued
            body["total_available_neo_credits"] = round(max(0.0, issued - used), 2)
        elif self.scenario == "slow_burn":
            body["neo_credits_expires_at"] = utc_text(since + timedelta(days=6))
        elif self.scenario == "new_account":
            reset = since.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
            reset -= timedelta(days=2)
            body["last_credit_reset"] = utc_text(reset)
            _quiet_before(body, reset)
        elif self.scenario == "idle":
            _quiet_before(body, now, after=now - timedelta(days=21))
        return body

    def _issued(self, first: float) -> float:
        """The scenario's issued credits: `first` at its first summary, the same ever after (a
        real account's issued credits change only with a reset or a top-up)."""
        if self._scenario_issued is None:
            self._scenario_issued = first
        return self._scenario_issued


def _quiet_before(body: dict[str, Any], end: datetime, after: datetime | None = None) -> None:
    """No use in the daily rows before `end` (and from `after`, when given)."""
    for row in body.get("by_period") or ():
        day = datetime.fromisoformat(row["date"]).replace(tzinfo=UTC)
        if day < end and (after is None or day >= after - timedelta(days=1)):
            row["neo_credits"] = 0.0
            row["tasks"] = 0


def _parse_instant(values: list[str] | None) -> datetime | None:
    if not values or not values[0]:
        return None
    text = values[0].strip().replace("Z", "+00:00").replace("z", "+00:00")
    instant = datetime.fromisoformat(text)
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


_HTML_502 = (
    b"<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway"
    b"</h1></center><hr><center>nginx</center></body></html>"
)


def _handler_for(api: FakeNeoApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "FakeNeoAPI/1.0"

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("fake api: " + format, *args)

        def _send(
            self,
            status: int,
            body: bytes,
            content_type: str = "application/json",
            headers: dict[str, str] | None = None,
            declared_length: int | None = None,
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(declared_length or len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout test); nothing to do

        def _json(self, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
            self._send(status, json.dumps(data).encode(), headers=headers)

        def _authorized(self) -> bool:
            bearer = self.headers.get("Authorization", "")
            key = self.headers.get("X-Api-Key", "")
            return bearer == f"Bearer {api.token}" or key == api.token

        def do_POST(self) -> None:
            parts = urlsplit(self.path)
            if parts.path != CONTROL_PATH:
                self._json(404, {"message": "not found"})
                return
            name = (parse_qs(parts.query).get("name") or [""])[0]
            try:
                api.scenario = name
            except ValueError as exc:
                self._json(400, {"message": str(exc)})
                return
            self._json(200, {"scenario": api.scenario})

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            api.record(
                {
                    "path": parts.path,
                    "query": {key: values[0] for key, values in query.items()},
                    "authorization": self.headers.get("Authorization"),
                    "x_api_key": self.headers.get("X-Api-Key"),
                    "user_agent": self.headers.get("User-Agent"),
                    "at": time.monotonic(),
                    "scenario": api.scenario,
                }
            )
            if parts.path == CONTROL_PATH:
                self._json(200, {"scenario": api.scenario, "scenarios": SCENARIOS})
                return
            if parts.path not in _BODIES or api.scenario == "not_found":
                self._json(404, {"message": "Not Found"})
                return
            self._answer(query, _BODIES[parts.path](api), parts.path)

        def _answer(self, query: dict[str, list[str]], body_for: BodyFor, path: str) -> None:
            """The summary's, the ledger's or the profile's answer: every scenario fails them
            the same way, except that a member may read their own profile."""
            scenario = api.scenario
            if scenario == "unauthorized" or not self._authorized():
                self._json(401, {"message": "invalid or expired token"})
                return
            if scenario in SUMMARY_FORBIDDEN and path != USER_PATH:
                self._json(403, {"error": "forbidden: team members cannot view usage"})
                return
            if scenario == "rate_limited":
                self._json(429, {"message": "too many requests"}, {"Retry-After": api.retry_after})
                return
            if scenario == "server_error":
                self._json(500, {"detail": "internal server error"})
                return
            if scenario == "bad_gateway":
                self._send(502, _HTML_502, "text/html")
                return
            if scenario == "html":
                self._send(200, b"<!doctype html><html><body>Sign in</body></html>", "text/html")
                return
            if scenario == "wrong_shape":
                self._json(200, [1, 2, 3])
                return
            if scenario == "malformed":
                self._send(200, b'{"by_model": {"gpt-5": {"neo_credits": 12.5,, }')
                return
            if scenario in _HOSTILE:
                _HOSTILE[scenario](self, body_for)
                return
            if scenario == "disconnect":
                self.close_connection = True
                self.connection.close()
                return
            if scenario == "slow":
                time.sleep(api.slow_seconds)
            status, body = body_for(query)
            encoded = json.dumps(body).encode()
            if scenario == "truncated" and status == 200:
                self._send(200, encoded[: len(encoded) // 2], declared_length=len(encoded))
                self.close_connection = True
                return
            self._send(status, encoded)

    return Handler


def _stacked_gzip(data_size: int) -> bytes:
    inner = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = b"\0" * (1 << 20)
    layer = b"".join(inner.compress(zeros) for _ in range(data_size >> 20)) + inner.flush()
    outer = zlib.compressobj(9, zlib.DEFLATED, 31)
    return outer.compress(layer) + outer.flush()


_BOMB: list[bytes] = []


BodyFor = Callable[[dict[str, list[str]]], tuple[int, dict[str, Any]]]
#: The endpoints and what makes each one's body.
_BODIES: dict[str, Callable[[FakeNeoApi], BodyFor]] = {
    SUMMARY_PATH: lambda api: api.body_for,
    TASKS_PATH: lambda api: api.tasks_body_for,
    USER_PATH: lambda api: api.user_body_for,
}


def _gzip_bomb(handler: Any, body_for: BodyFor) -> None:
    if not _BOMB:
        _BOMB.append(_stacked_gzip(256 << 20))
    handler._send(200, _BOMB[0], headers={"Content-Encoding": "gzip, gzip"})


def _three_encodings(handler: Any, body_for: BodyFor) -> None:
    _status, body = body_for({})
    encoded = zlib.compress(zlib.compress(zlib.compress(json.dumps(body).encode())))
    handler._send(200, encoded, headers={"Content-Encoding": "deflate, deflate, deflate"})


def _huge_values(handler: Any, body_for: BodyFor) -> None:
    _status, body = body_for({})
    if "data" in body:  # a task page: odd figures, dates and titles in its rows
        handler._send(200, _hostile_rows(body).encode())
        return
    text = json.dumps({k: v for k, v in body.items() if k not in {"total_steps", "byok"}})
    text = text[:-1] + (
        ', "total_steps": 1' + "0" * 400 + ', "byok": {"total_llm_cost": NaN}'
        ', "last_credit_reset": "0001-01-01T00:00:00+05:00"}'
    )
    handler._send(200, text.encode())


def _hostile_rows(body: dict[str, Any]) -> str:
    """A task page whose first rows carry NaN and 10^400 credits, a year-1 date, a row without
    an id and hostile titles (the rest stay valid)."""
    rows = body["data"][:6]
    for row, title in zip(rows, HOSTILE_TITLES, strict=False):
        row["task_title"] = title
    if len(rows) == 6:
        rows[0]["neo_credits"] = "__nan__"
        rows[1]["neo_credits"] = "__huge__"
        rows[3]["created_at"] = "0001-01-01T00:00:00+05:00"
        del rows[4]["task_id"]
    text = json.dumps({"data": rows, "has_more": False, "total": len(rows)})
    return text.replace('"__nan__"', "NaN").replace('"__huge__"', "1" + "0" * 400)


def _echo_token(handler: Any, body_for: BodyFor) -> None:
    sent = handler.headers.get("Authorization", "") or handler.headers.get("X-Api-Key", "")
    handler._json(500, {"message": "x" * 150 + f" rejected credentials {sent} " + "y" * 40})


def _retry_month(handler: Any, body_for: BodyFor) -> None:
    handler._json(429, {"message": "quota exhausted"}, {"Retry-After": str(30 * 86400)})


_HOSTILE: dict[str, Callable[[Any, BodyFor], None]] = {
    "gzip_bomb": _gzip_bomb,
    "encodings": _three_encodings,
    "huge_values": _huge_values,
    "echo_token": _echo_token,
    "retry_month": _retry_month,
}
