"""The client against the fake Neo API over real loopback HTTP, and MockTransport for odd cases."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from desktop import __version__
from desktop.api.client import NeoClient
from desktop.api.responses import error_body_message, parse_retry_after
from desktop.core.errors import (
    AuthRejected,
    BadToken,
    InvalidSetting,
    NeoError,
    NoPermission,
    NotFound,
    NoToken,
    RateLimited,
    ServerError,
    UnexpectedResponse,
    Unreachable,
)
from desktop.core.query import AuthScheme, GroupBy, UsageQuery, validate_base_url
from desktop.fakeapi import FakeNeoApi

TOKEN = "test-token-123456"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_fetches_a_summary_with_the_right_headers(fake_api: FakeNeoApi) -> None:
    with NeoClient(fake_api.url, TOKEN) as client:
        summary = client.fetch_summary()
    assert summary.total_issued_neo_credits == 5000
    assert summary.by_email  # the fake's default account is a team admin
    request = fake_api.requests[-1]
    assert request["path"] == "/api/v1/usage/summary"
    assert request["authorization"] == f"Bearer {TOKEN}"
    assert request["user_agent"].startswith(f"neo-usage-tray/{__version__}")


def test_loopback_bypasses_environment_proxies(
    fake_api: FakeNeoApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{closed_port()}")
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{closed_port()}")
    with NeoClient(fake_api.url, TOKEN) as client:
        assert client.fetch_summary().total_issued_neo_credits == 5000


def test_x_api_key_scheme(fake_api: FakeNeoApi) -> None:
    with NeoClient(fake_api.url, TOKEN, AuthScheme.X_API_KEY) as client:
        client.fetch_summary()
    request = fake_api.requests[-1]
    assert request["x_api_key"] == TOKEN
    assert request["authorization"] is None


def test_query_is_sent_in_utc(fake_api: FakeNeoApi) -> None:
    plus_one = datetime(2026, 11, 1, 1, 0, tzinfo=UTC).astimezone()
    query = UsageQuery(plus_one, datetime(2026, 11, 20, tzinfo=UTC), GroupBy.WEEK)
    with NeoClient(fake_api.url, TOKEN) as client:
        summary = client.fetch_summary(query)
    sent = fake_api.requests[-1]["query"]
    assert sent == {
        "from": "2026-11-01T01:00:00Z",
        "to": "2026-11-20T00:00:00Z",
        "group_by": "week",
    }
    assert summary.by_period
    assert {row["date"] for row in summary.by_period} >= {"2026-11-02", "2026-11-09", "2026-11-16"}


def test_range_is_validated_before_sending() -> None:
    with pytest.raises(InvalidSetting, match="after its end"):
        UsageQuery(datetime(2026, 11, 2, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC))
    with pytest.raises(InvalidSetting, match="time zone"):
        UsageQuery(datetime(2026, 11, 2))


@pytest.mark.parametrize(
    ("scenario", "error", "phrase"),
    [
        ("unauthorized", AuthRejected, "rejected the token"),
        ("forbidden", NoPermission, "ask your team admin"),
        ("not_found", NotFound, "check the API address"),
        ("rate_limited", RateLimited, "rate limiting"),
        ("server_error", ServerError, "HTTP 500"),
        ("bad_gateway", ServerError, "HTTP 502"),
        ("malformed", UnexpectedResponse, "not valid JSON"),
        ("truncated", UnexpectedResponse, "cut off"),
        ("html", UnexpectedResponse, "web page"),
        ("wrong_shape", UnexpectedResponse, "list"),
    ],
)
def test_each_fault_has_its_type_and_sentence(
    fake_api: FakeNeoApi, scenario: str, error: type[NeoError], phrase: str
) -> None:
    fake_api.scenario = scenario
    with NeoClient(fake_api.url, TOKEN) as client, pytest.raises(error) as caught:
        client.fetch_summary()
    assert phrase in caught.value.user_message
    assert TOKEN not in caught.value.user_message
    assert TOKEN not in caught.value.detail


def test_wrong_token_is_rejected(fake_api: FakeNeoApi) -> None:
    with NeoClient(fake_api.url, "wrong-token") as client, pytest.raises(AuthRejected):
        client.fetch_summary()


def test_retry_after_is_parsed(fake_api: FakeNeoApi) -> None:
    fake_api.scenario = "rate_limited"
    fake_api.retry_after = "120"
    with NeoClient(fake_api.url, TOKEN) as client, pytest.raises(RateLimited) as caught:
        client.fetch_summary()
    assert caught.value.retry_after == 120


def test_no_token_fails_before_connecting() -> None:
    with NeoClient(f"http://127.0.0.1:{closed_port()}", None) as client, pytest.raises(NoToken):
        client.fetch_summary()


def test_closed_port_is_unreachable() -> None:
    with NeoClient(f"http://127.0.0.1:{closed_port()}", TOKEN) as client:
        with pytest.raises(Unreachable) as caught:
            client.fetch_summary()
    assert TOKEN not in str(caught.value) + caught.value.detail


def test_slow_server_times_out(fake_api: FakeNeoApi) -> None:
    fake_api.scenario = "slow"
    fake_api.slow_seconds = 3
    timeout = httpx.Timeout(connect=1.0, read=0.5, write=1.0, pool=1.0)
    with NeoClient(fake_api.url, TOKEN, timeout=timeout) as client:
        with pytest.raises(Unreachable, match="did not answer in time"):
            client.fetch_summary()


@pytest.mark.parametrize(
    "url",
    [
        "http://neo.api.projectdiscovery.io",
        "ftp://127.0.0.1",
        "not a url",
        "https://",
        "https://user:pw@neo.api.projectdiscovery.io",
        "http://10.0.0.1:8080",
    ],
)
def test_unsafe_or_invalid_base_urls_are_refused(url: str) -> None:
    with pytest.raises(InvalidSetting):
        validate_base_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://neo.api.projectdiscovery.io",
        "http://127.0.0.1:8080",
        "http://localhost:1",
        "http://[::1]:9000",
        "https://example.test/prefix/",
    ],
)
def test_safe_base_urls_pass(url: str) -> None:
    validate_base_url(url)


def _mock_client(handler: Callable[[httpx.Request], httpx.Response], **kwargs: object) -> NeoClient:
    return NeoClient(
        "https://neo.example.test",
        TOKEN,
        transport=httpx.MockTransport(handler),
        **kwargs,  # type: ignore[arg-type]
    )


def test_base_path_prefix_is_kept() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(404)

    client = NeoClient(
        "https://neo.example.test/gateway/", TOKEN, transport=httpx.MockTransport(handler)
    )
    with client, pytest.raises(NotFound):
        client.fetch_summary()
    assert seen == ["https://neo.example.test/gateway/api/v1/usage/summary"]


def test_cross_origin_redirect_is_refused_and_token_not_sent() -> None:
    hosts: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        hosts.append(request.url.host)
        return httpx.Response(302, headers={"Location": "https://evil.example.test/steal"})

    with _mock_client(handler) as client, pytest.raises(Unreachable, match="another site"):
        client.fetch_summary()
    assert hosts == ["neo.example.test"]


def test_scheme_downgrade_redirect_is_refused() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            301, headers={"Location": "http://neo.example.test/api/v1/usage/summary"}
        )

    with _mock_client(handler) as client, pytest.raises(Unreachable):
        client.fetch_summary()


def test_same_origin_redirect_is_followed_with_the_token() -> None:
    example = {"by_model": {}, "by_status": {}, "total_neo_credits": 1, "total_tasks": 1}
    seen: list[tuple[str, str | None]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((request.url.path, request.headers.get("Authorization")))
        if request.url.path.startswith("/api/v1/usage/summary"):
            return httpx.Response(307, headers={"Location": "/v2/summary"})
        return httpx.Response(200, json=example)

    with _mock_client(handler) as client:
        assert client.fetch_summary().total_tasks == 1
    assert [path for path, _ in seen] == ["/api/v1/usage/summary", "/v2/summary"]
    assert all(auth == f"Bearer {TOKEN}" for _, auth in seen)


def test_redirect_loop_stops() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"Location": "/loop"})

    with _mock_client(handler) as client, pytest.raises(Unreachable, match="too many"):
        client.fetch_summary()


def test_body_size_is_capped() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"{" + b" " * 5000 + b"}")

    with _mock_client(handler, max_body_bytes=1000) as client:
        with pytest.raises(UnexpectedResponse, match="larger"):
            client.fetch_summary()


def test_token_echoed_in_error_body_is_redacted() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"message": f"token {TOKEN} is expired"})

    with _mock_client(handler) as client, pytest.raises(AuthRejected) as caught:
        client.fetch_summary()
    assert TOKEN not in caught.value.detail
    assert "[redacted]" in caught.value.detail


@pytest.mark.parametrize("status", [400, 405, 418])
def test_undocumented_status_is_unexpected(status: int) -> None:
    with _mock_client(lambda request: httpx.Response(status)) as client:
        with pytest.raises(UnexpectedResponse, match=str(status)):
            client.fetch_summary()


def test_token_with_newline_is_refused() -> None:
    client = NeoClient(
        "https://neo.example.test",
        "abc\r\nX-Evil: 1",
        transport=httpx.MockTransport(lambda r: httpx.Response(200)),
    )
    with client, pytest.raises(BadToken) as caught:
        client.fetch_summary()
    assert caught.value.exit_code == 3


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        (None, None),
        ("", None),
        ("30", 30.0),
        ("1.5", 1.5),
        ("-3", None),
        ("soon", None),
        ("Wed, 25 Nov 2026 12:02:00 GMT", 120.0),
        ("Wed, 25 Nov 2026 11:00:00 GMT", 0.0),
    ],
)
def test_parse_retry_after(header: str | None, seconds: float | None) -> None:
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    assert parse_retry_after(header, now) == seconds


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (json.dumps({"message": "bad token"}).encode(), "bad token"),
        (json.dumps({"error": "nope"}).encode(), "nope"),
        (json.dumps({"detail": "x\ny"}).encode(), "x y"),
        (b"<html><head><title>502 Bad Gateway</title></head></html>", "502 Bad Gateway"),
        (b"plain failure\nsecond line", "plain failure"),
        (b"", ""),
        # The sinks' rule, not spaces: sequences go whole, other controls stay visible.
        (
            json.dumps(
                {
                    "message": "A\u001b[31mB\tC\u001b]8;;http://evil.test\u001b\\link\u001b]8;;\u0007D"
                }
            ).encode(),
            "AB\ufffdClinkD",
        ),
    ],
)
def test_error_body_message(body: bytes, message: str) -> None:
    assert error_body_message(body) == message


def test_fake_api_credits_drain_over_time() -> None:
    clock_now = [datetime(2026, 11, 25, 12, 0, tzinfo=UTC)]
    with FakeNeoApi(token=TOKEN, clock=lambda: clock_now[0], live_task_interval=60) as api:
        with NeoClient(api.url, TOKEN) as client:
            before = client.fetch_summary()
            clock_now[0] += timedelta(hours=2)
            after = client.fetch_summary()
    assert before.total_available_neo_credits is not None
    assert after.total_available_neo_credits is not None
    assert after.total_available_neo_credits < before.total_available_neo_credits
    assert after.total_tasks == before.total_tasks + 120


def test_the_deadline_covers_requests_through_a_proxy_too(monkeypatch: pytest.MonkeyPatch) -> None:
    from desktop.api.deadline import DeadlineBackend

    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")  # never contacted here
    client = NeoClient("https://neo.example.invalid", TOKEN)
    transports = [client._http._transport, *client._http._mounts.values()]
    pools = [getattr(transport, "_pool", None) for transport in transports if transport]
    assert len(pools) >= 2  # the direct pool and the proxy's
    assert all(isinstance(getattr(p, "_network_backend", None), DeadlineBackend) for p in pools)
    client.close()
