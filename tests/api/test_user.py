"""`GET /api/v1/user` over real loopback HTTP (issue 28): the client's `fetch_user` and the rule
after a summary's 403 (`member_after_forbidden`), against a raw-socket server answering like a
real, a broken or a hostile API."""

from __future__ import annotations

import json
import logging
import zlib
from typing import Any

import pytest

from desktop.api.client import USER_MAX_BYTES, NeoClient
from desktop.api.member import member_after_forbidden
from desktop.core.errors import (
    AuthRejected,
    NeoError,
    NoPermission,
    NoSpendingCap,
    NotFound,
    RateLimited,
    ResponseTooLarge,
    ServerError,
    UnexpectedResponse,
    Unreachable,
)
from desktop.core.member import MAX_EMAIL_CHARS, MAX_TEAM_CHARS, MemberCap, MemberProfile
from desktop.core.redaction import MIN_FRAGMENT
from tests.hostile import hostile, response, send

TOKEN = "tok-0123456789abcdefghijklmnopqrstuvwxyz"
MEMBER = {
    "email": "maya@acme.test",
    "role": "user",
    "features": {"neo_ai": True, "neo_credits": 500},
    "team": {"id": "t1", "name": "Acme Sec", "auto_joined": False, "role": "member"},
    "cap": {"limit": 75, "used": 43, "remaining": 32, "source": "member"},
    "available_models": ["m1"],
    "egress_ip": "203.0.113.9",
}


def json_answer(body: object, status: str = "200 OK") -> bytes:
    return response(status, json.dumps(body).encode(), ("Content-Type: application/json",))


def raw_answer(text: str | bytes, status: str = "200 OK", *headers: str) -> bytes:
    data = text.encode() if isinstance(text, str) else text
    return response(status, data, ("Content-Type: application/json", *headers))


def fetch(answer: bytes, **client: Any) -> tuple[MemberProfile | NeoError, list[bytes]]:
    with hostile(send(answer)) as server, NeoClient(server.url, TOKEN, **client) as neo:
        try:
            result: MemberProfile | NeoError = neo.fetch_user()
        except NeoError as exc:
            result = exc
        return result, list(server.requests)


def forbidden() -> NoPermission:
    return NoPermission(detail="HTTP 403: team members cannot read usage")


def after_403(answer: bytes) -> MemberProfile | NeoError:
    original = forbidden()
    with hostile(send(answer)) as server, NeoClient(server.url, TOKEN) as neo:
        try:
            return member_after_forbidden(neo, original)
        except NeoError as exc:
            if exc is original:
                return exc
            assert not isinstance(exc, NoPermission) or isinstance(exc, NoSpendingCap), exc
            return exc


def assert_no_token_fragment(text: str) -> None:
    pieces = {TOKEN[i : i + MIN_FRAGMENT] for i in range(len(TOKEN) - MIN_FRAGMENT + 1)}
    assert not [piece for piece in pieces if piece in text]


def test_fetch_user_asks_the_user_path_signed() -> None:
    profile, requests = fetch(json_answer(MEMBER))
    assert profile == MemberProfile("maya@acme.test", "Acme Sec", MemberCap(75.0, 43.0, 32.0), True)
    head = requests[0].decode("latin-1")
    assert head.startswith("GET /api/v1/user HTTP/1.1\r\n")
    assert f"\r\nAuthorization: Bearer {TOKEN}\r\n" in head


def test_the_user_path_keeps_the_base_path() -> None:
    with hostile(send(json_answer(MEMBER))) as server, NeoClient(server.url + "/neo/", TOKEN) as n:
        assert str(n.user_url()) == server.url + "/neo/api/v1/user"
        n.fetch_user()
        assert server.requests[0].startswith(b"GET /neo/api/v1/user ")


def test_a_gzip_answer_is_read() -> None:
    body = zlib.compress(json.dumps(MEMBER).encode())
    profile, _ = fetch(raw_answer(body, "200 OK", "Content-Encoding: deflate"))
    assert isinstance(profile, MemberProfile)
    assert profile.team == "Acme Sec"


def test_a_huge_body_is_refused_at_the_user_cap() -> None:
    padding = "x" * (USER_MAX_BYTES + 10)
    result, _ = fetch(json_answer({**MEMBER, "tag": padding}))
    assert isinstance(result, ResponseTooLarge)


@pytest.mark.parametrize(
    "text",
    [
        '{"email": "m@a.test", "team": {"name": "A"}, '
        '"cap": {"limit": NaN, "used": 1, "remaining": 1}}',
        '{"email": "m@a.test", "cap": {"limit": 75, "used": Infinity, "remaining": 1}}',
        '{"email": "m@a.test", "cap": {"limit": 75, "used": 1, "remaining": 1e400}}',
        '{"email": "m@a.test", "cap": {"limit": 75, "used": 1}}',
        '{"email": "m@a.test", "cap": "75 USD"}',
        '{"email": "m@a.test", "cap": [75, 1, 74]}',
        '{"team": {"name": "A"}, "cap": null}',
        '["m@a.test"]',
        "null",
        '{"email": "m@a.test", "cap": {"limit": 75, "used": 1, "remaining": 74}',
        "<html><title>Sign in</title></html>",
        "",
    ],
)
def test_a_body_that_is_not_a_profile_is_not_understood(text: str) -> None:
    result, _ = fetch(raw_answer(text))
    assert isinstance(result, UnexpectedResponse), result
    assert result.exit_code == 5


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        ("401 Unauthorized", AuthRejected),
        ("403 Forbidden", NoPermission),
        ("404 Not Found", NotFound),
        ("429 Too Many Requests", RateLimited),
        ("500 Internal Server Error", ServerError),
        ("503 Service Unavailable", ServerError),
        ("418 I'm a teapot", UnexpectedResponse),
    ],
)
def test_each_status_has_its_error(status: str, kind: type[NeoError]) -> None:
    result, _ = fetch(json_answer({"message": f"no: {TOKEN}"}, status))
    assert type(result) is kind
    assert_no_token_fragment(result.detail)


def test_a_rate_limit_carries_its_retry_after() -> None:
    result, _ = fetch(raw_answer("{}", "429 Too Many Requests", "Retry-After: 120"))
    assert isinstance(result, RateLimited)
    assert result.retry_after == 120


def test_a_closed_connection_is_unreachable() -> None:
    result, _ = fetch(b"")
    assert isinstance(result, Unreachable)


# --- after a summary's 403 -------------------------------------------------------------------


def test_a_cap_gives_member_mode() -> None:
    assert after_403(json_answer(MEMBER)) == MemberProfile(
        "maya@acme.test", "Acme Sec", MemberCap(75.0, 43.0, 32.0), True
    )


def test_a_cap_without_a_team_name_still_gives_member_mode() -> None:
    body = {**MEMBER, "team": {"id": "t1"}}
    result = after_403(json_answer(body))
    assert isinstance(result, MemberProfile)
    assert result.team is None
    assert result.cap is not None


def test_a_team_without_a_cap_says_so() -> None:
    result = after_403(json_answer({**MEMBER, "cap": None}))
    assert isinstance(result, NoSpendingCap)
    assert result.kind == NoPermission.kind
    assert result.exit_code == 3
    assert result.user_message.startswith(NoPermission().user_message.rstrip("."))
    assert "no spending cap" in result.user_message
    assert len(result.short_message) <= 60
    assert "HTTP 403" in result.detail


def test_outside_a_team_the_403_stays_as_it_was() -> None:
    result = after_403(json_answer({**MEMBER, "team": None, "cap": None}))
    assert type(result) is NoPermission
    assert result.detail.startswith("HTTP 403: team members")


@pytest.mark.parametrize(
    "answer",
    [
        json_answer({"message": "forbidden"}, "403 Forbidden"),
        json_answer({"message": "boom"}, "500 Internal Server Error"),
        json_answer({"message": "bad token"}, "401 Unauthorized"),
        raw_answer('{"email": "m@a.test", "cap": {"limit": NaN, "used": 1, "remaining": 1}}'),
        raw_answer("<html>proxy</html>"),
        b"",
    ],
)
def test_when_user_fails_the_original_403_stands(
    answer: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    original = forbidden()
    with (
        caplog.at_level(logging.INFO, logger="desktop.api.member"),
        hostile(send(answer)) as server,
        NeoClient(server.url, TOKEN) as neo,
    ):
        with pytest.raises(NoPermission) as caught:
            member_after_forbidden(neo, original)
    assert caught.value is original
    assert type(caught.value) is NoPermission
    assert any("/api/v1/user failed" in record.getMessage() for record in caplog.records)


# --- in member mode (the account's last main answer was a member's) --------------------------


def in_member_mode(answer: bytes, **rule: Any) -> MemberProfile | NeoError:
    """`member_after_forbidden` with `in_member_mode`: the raised error as it is."""
    original = forbidden()
    with hostile(send(answer)) as server, NeoClient(server.url, TOKEN) as neo:
        try:
            return member_after_forbidden(neo, original, in_member_mode=True, **rule)
        except NeoError as exc:
            return exc


@pytest.mark.parametrize(
    ("answer", "raised"),
    [
        # Passing failures are themselves: the account keeps member mode and backs off.
        (json_answer({"message": "boom"}, "503 Service Unavailable"), ServerError),
        (raw_answer("{}", "429 Too Many Requests", "Retry-After: 600"), RateLimited),
        (raw_answer("<html>proxy</html>"), UnexpectedResponse),
        (b"", Unreachable),
        # A 401 is the 401.
        (json_answer({"message": "revoked"}, "401 Unauthorized"), AuthRejected),
        # A /user 403, an answer without a cap or without a team: today's "no permission".
        (json_answer({"message": "forbidden"}, "403 Forbidden"), NoPermission),
        (json_answer({**MEMBER, "cap": None}), NoSpendingCap),
        (json_answer({**MEMBER, "team": None, "cap": None}), NoPermission),
    ],
)
def test_in_member_mode_a_user_failure_is_that_failure(
    answer: bytes, raised: type[NeoError]
) -> None:
    result = in_member_mode(answer)
    assert type(result) is raised, result
    if raised is RateLimited:
        assert isinstance(result, RateLimited)
        assert result.retry_after == 600  # the hold the queue honours
    assert_no_token_fragment(getattr(result, "detail", ""))


def test_in_member_mode_a_cap_is_still_member_mode() -> None:
    assert in_member_mode(json_answer(MEMBER)) == MemberProfile(
        "maya@acme.test", "Acme Sec", MemberCap(75.0, 43.0, 32.0), True
    )


def test_no_time_left_sends_nothing() -> None:
    """The main poll's deadline spent on the summary: /user fails as a timeout unsent (the first
    403 then stands; in member mode the timeout is the failure)."""
    original = forbidden()
    with hostile(send(json_answer(MEMBER))) as server, NeoClient(server.url, TOKEN) as neo:
        with pytest.raises(NoPermission) as caught:
            member_after_forbidden(neo, original, deadline_seconds=0)
        with pytest.raises(Unreachable):
            member_after_forbidden(neo, original, deadline_seconds=-1, in_member_mode=True)
        assert server.requests == []
    assert caught.value is original


def test_user_has_the_optional_requests_deadline() -> None:
    """A /user that never answers ends at the deadline given (the summary's 45 s otherwise)."""

    def stall(connection: Any, _head: bytes) -> None:
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n{")
        server.stopping.wait(30)

    with hostile(stall) as server, NeoClient(server.url, TOKEN) as neo:
        with pytest.raises(Unreachable) as caught:
            member_after_forbidden(neo, forbidden(), deadline_seconds=0.5, in_member_mode=True)
    assert "timeout" in caught.value.detail


def test_an_echoed_token_is_redacted_from_the_profile() -> None:
    body = {**MEMBER, "email": f"{TOKEN}@x.test", "team": {"name": f"team {TOKEN[3:20]} x"}}
    profile, _ = fetch(json_answer(body))
    assert isinstance(profile, MemberProfile)
    assert profile.email == "[redacted]@x.test"
    assert profile.team == "team [redacted] x"
    assert_no_token_fragment(profile.email + (profile.team or ""))


def test_a_short_secret_is_redacted_within_the_lengths() -> None:
    """A short token ("[redacted]" is longer than it) cannot make the text pass its bound."""
    body = {**MEMBER, "email": "ab" * 127, "team": {"name": "ab" * 100}}
    with hostile(send(json_answer(body))) as server, NeoClient(server.url, "ab") as neo:
        profile = neo.fetch_user()
    assert len(profile.email) <= MAX_EMAIL_CHARS
    assert profile.team is not None
    assert len(profile.team) <= MAX_TEAM_CHARS
    assert "ab" not in profile.email.replace("[redacted]", "")
