"""The detail window's texts in member mode and the no-permission state (issue 28): the member's
Overview rows and why the usage tabs have nothing to show."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from desktop.core import detail_text
from desktop.core.errors import ErrorKind
from desktop.core.member import MemberCap, MemberProfile, MemberSnapshot
from desktop.core.models import summary_from_json
from desktop.core.presentation import ViewState
from desktop.core.snapshot import PollError, Snapshot
from desktop.fakeapi.world import UsageWorld

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def member(team: str | None = "Acme Sec", email: str = "maya@acme.test") -> MemberSnapshot:
    return MemberSnapshot(MemberProfile(email, team, MemberCap(75.0, 43.0, 32.0), True), NOW)


def refused(at: datetime = NOW) -> PollError:
    return PollError(ErrorKind.NO_PERMISSION, "No permission to see usage.", at)


def summary() -> Snapshot:
    return Snapshot(summary_from_json(UsageWorld(NOW).summary(NOW)), NOW - timedelta(hours=1))


@pytest.mark.parametrize(
    ("team", "email", "expected"),
    [
        ("Acme Sec", "maya@acme.test", ("$32 (43%)", "$43", "$75", "Acme Sec", "maya@acme.test")),
        (None, "bo@x.test", ("$32 (43%)", "$43", "$75", "—", "bo@x.test")),
        # The server's text, made one plain line (a newline would start a row of its own).
        ("Acme\nSec\u202e", "a@b.test\r\n", ("$32 (43%)", "$43", "$75", "Acme Sec", "a@b.test")),
    ],
)
def test_member_overview_rows(team: str | None, email: str, expected: tuple[str, ...]) -> None:
    rows = detail_text.member_overview(ViewState(member=member(team, email)))
    assert rows is not None
    assert [key for key, _value in rows] == [key for key, _title in detail_text.MEMBER_FIELDS]
    values = tuple(value for _key, value in rows)
    assert values[:3] == expected[:3]
    assert [value.replace("\u202e", "").strip() for value in values[3:]] == list(expected[3:])
    assert all("\n" not in value and "\r" not in value for value in values)


def test_no_member_overview_outside_member_mode() -> None:
    assert detail_text.member_overview(ViewState(snapshot=summary())) is None
    assert detail_text.member_overview(ViewState()) is None


@pytest.mark.parametrize(
    ("view", "expected"),
    [
        (ViewState(), None),  # nothing known yet: the ranges are asked as ever
        (ViewState(snapshot=summary()), None),
        (ViewState(member=member()), "member"),
        (ViewState(error=refused()), "refused"),
        # A summary from before the 403 stays shown (old, said by the banner): not refused.
        (ViewState(snapshot=summary(), error=refused()), None),
        (ViewState(error=PollError(ErrorKind.OFFLINE, "Offline.", NOW)), None),
        (ViewState(error=PollError(ErrorKind.AUTH_REJECTED, "401.", NOW)), None),
    ],
)
def test_why_the_usage_tabs_have_nothing(view: ViewState, expected: str | None) -> None:
    texts = {
        None: None,
        "member": detail_text.member_range_text(),
        "refused": detail_text.no_permission_text(),
    }
    assert detail_text.unavailable_text(view) == texts[expected]


def test_the_header_says_cap_reached_when_the_cap_is_used_up() -> None:
    """The window's header words a used-up cap as the tray does ("cap reached"), never "empty"."""
    from datetime import UTC, datetime

    from desktop.core.detail_text import member_header
    from desktop.core.member import MemberCap, MemberProfile, MemberSnapshot
    from desktop.core.presentation import ViewState

    at = datetime(2026, 11, 29, 12, tzinfo=UTC)
    profile = MemberProfile("maya@acme.test", "Acme Sec", MemberCap(75.0, 75.0, 0.0), True)
    header = member_header(ViewState(member=MemberSnapshot(profile, at)))
    assert header is not None
    assert header.title.endswith("cap reached"), header.title
