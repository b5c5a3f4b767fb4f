"""Member mode's data: the caller's profile from `GET /api/v1/user` (email, team, the spending cap
in US dollars) and the snapshot the main poll answers with when the summary says 403 and the
profile carries a cap.

The rules live pydantic-free in `core/member_rules.py` (the status bar's cached path imports only
that); this module adds reading an answer's body and the snapshot. Issue 28.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from desktop.core import member_rules
from desktop.core.errors import UnexpectedResponse
from desktop.core.i18n import _
from desktop.core.instants import utc_text
from desktop.core.member_rules import (
    MAX_EMAIL_CHARS,
    MAX_TEAM_CHARS,
    MemberCap,
    MemberProfile,
    profile_from_json,
)
from desktop.core.redaction import redact
from desktop.core.validators import bounded_int, cut, stored_instant

__all__ = [
    "MAX_EMAIL_CHARS",
    "MAX_TEAM_CHARS",
    "MemberCap",
    "MemberProfile",
    "MemberSnapshot",
    "parse_user",
    "profile_from_api",
    "profile_from_json",
    "redact_profile",
]

#: What a stored member snapshot says it is (the cache holds summaries too).
MODE = "member"


def profile_from_api(data: object) -> MemberProfile:
    """A decoded `/api/v1/user` answer as the app keeps it (`member_rules.profile`); raises
    UnexpectedResponse when it is not a profile: not an object, no email, or a `cap` that is not
    an object of three finite dollar figures in range."""
    try:
        return member_rules.profile(data)
    except ValueError as exc:
        raise UnexpectedResponse(
            _("The Neo API sent a user profile this app does not understand."),
            f"user: {exc}"[:300],
        ) from None


def parse_user(body: bytes | str) -> MemberProfile:
    """A 200's body of `/api/v1/user` as a profile; raises UnexpectedResponse when it is not
    UTF-8 JSON or not a profile (NaN, Infinity, 1e400 and 21-digit integers reach the figure
    checks as infinities or NaN and are refused there)."""
    try:
        text = body.decode("utf-8-sig") if isinstance(body, bytes) else body
        data = json.loads(text, parse_int=bounded_int)
    except (ValueError, RecursionError) as exc:
        raise UnexpectedResponse(
            _("The Neo API sent a response that is not valid JSON (it may have been cut off)."),
            f"user: {exc}"[:300],
        ) from None
    return profile_from_api(data)


def redact_profile(profile: MemberProfile, secrets: Iterable[str]) -> MemberProfile:
    """`profile` with every secret (the token: a server may echo it) and every piece of one
    redacted from its text (email, team name), within the same lengths (`core/redaction.py`)."""
    kept = tuple(secrets)
    if not kept:
        return profile
    team = profile.team
    return profile._replace(
        email=cut(redact(profile.email, kept), MAX_EMAIL_CHARS),
        team=None if team is None else cut(redact(team, kept), MAX_TEAM_CHARS),
    )


@dataclass(frozen=True)
class MemberSnapshot:
    """The main poll's answer in member mode: the profile (with a cap), when it was fetched (UTC),
    whose token fetched it (`token_tag`), and whether it came from the cache."""

    profile: MemberProfile
    fetched_at: datetime
    token_tag: str = ""
    from_cache: bool = False

    def to_json(self) -> dict[str, Any]:
        """`{"mode": "member", "member": MemberProfile.to_json() + "in_team", "fetched_at": "…Z",
        "token_tag": str}` (what the cache stores)."""
        return {
            "mode": MODE,
            "member": {**self.profile.to_json(), "in_team": self.profile.in_team},
            "fetched_at": utc_text(self.fetched_at, whole_seconds=True),
            "token_tag": self.token_tag,
        }

    @classmethod
    def from_json(cls, data: Any) -> MemberSnapshot:
        """Rebuild a stored snapshot (`from_cache` set); raises ValueError when it is not one."""
        if not isinstance(data, dict) or data.get("mode") != MODE:
            raise ValueError("cached entry is not a member snapshot")
        profile = profile_from_json(data.get("member"))
        if profile is None:
            raise ValueError("cached member is not a profile")
        fetched_at = stored_instant(data.get("fetched_at"))
        if fetched_at is None:
            raise ValueError("cached fetched_at is not an instant with a time zone in 1970-2199")
        tag = data.get("token_tag")
        return cls(profile, fetched_at, tag if isinstance(tag, str) else "", from_cache=True)
