"""A team member's profile as the app keeps it (`GET /api/v1/user`), and the rules that read one:
plain functions and NamedTuples, no pydantic, no dataclasses, no logging, so the status bar's
cached path (`desktop/cached_once.py`) rebuilds a stored member as cheaply as it reads a summary.

`core/member.py` is the home the rest of the app imports (it re-exports these and adds the
snapshot); this module is what the fast path may import. Every string kept (email, team name) is
hostile text kept as received within its length: escape it where it lands (`core/sinks.py`).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from desktop.core.validators import cut, is_json_number

#: The longest address SMTP carries (`core/tasks.py` keeps emails within the same bound).
MAX_EMAIL_CHARS = 254
#: A team's name, in characters: a longer one is cut (it only names the team in a sentence).
MAX_TEAM_CHARS = 200
#: The smallest limit that gives a share of the cap left, in dollars: one cent.
MIN_LIMIT = 0.01
#: The three figures of `cap`, in US dollars.
CAP_FIGURES = ("limit", "used", "remaining")
#: What `cap.unit` / `cap.currency` may say, when the answer says anything: the cap is in dollars.
DOLLAR_UNITS = frozenset({"usd", "dollar", "dollars", "$"})
#: The cap's keys that name its unit or currency; any other key with "currency" in its name and
#: text for its value is read as one too (`currency_code: "EUR"` is no dollar cap).
UNIT_KEYS = ("unit", "currency", "currency_code", "currencyCode")


class MemberCap(NamedTuple):
    """The caller's own spending cap (`/api/v1/user` `cap`), in US dollars. `used` and
    `remaining` are kept as the server sent them, negative or above `limit` included."""

    limit: float
    used: float
    remaining: float

    @property
    def fraction_left(self) -> float | None:
        """`remaining / limit` clamped to 0..1, unrounded; None when `limit` is not positive
        (below one cent, `MIN_LIMIT`, counts as not positive: a subnormal limit gives no share)."""
        if not self.limit >= MIN_LIMIT:
            return None
        return min(1.0, max(0.0, self.remaining / self.limit))

    def to_json(self) -> dict[str, Any]:
        """`{"limit", "used", "remaining", "fraction_left", "unit": "usd"}` (floats, dollars)."""
        return {
            "limit": self.limit,
            "used": self.used,
            "remaining": self.remaining,
            "fraction_left": self.fraction_left,
            "unit": "usd",
        }


class MemberProfile(NamedTuple):
    """What the app keeps of `/api/v1/user`: the email, the team's name (None without a team or
    without a name), the cap (None when the team has no spend controls) and whether `team` was
    an object at all."""

    email: str
    team: str | None
    cap: MemberCap | None
    in_team: bool

    def to_json(self) -> dict[str, Any]:
        """`{"email", "team": str | None, "cap": MemberCap.to_json() | None}` (`--once`'s
        `member`)."""
        return {
            "email": self.email,
            "team": self.team,
            "cap": self.cap.to_json() if self.cap is not None else None,
        }


def email(value: object) -> str:
    """The member's email: text with at least one non-blank character, cut to
    `MAX_EMAIL_CHARS`. Raises ValueError."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("'email' is not a non-empty string")
    return cut(value, MAX_EMAIL_CHARS)


def team_name(team: object) -> str | None:
    """The name of a `team` object, cut to `MAX_TEAM_CHARS`; None when `team` is not an object
    or its `name` is not non-blank text (a team is still a team without a usable name)."""
    if not isinstance(team, dict):
        return None
    name = team.get("name")
    if not isinstance(name, str) or not name.strip():
        return None
    return cut(name, MAX_TEAM_CHARS)


def dollars(value: object, field: str) -> float:
    """One cap figure in dollars: a real JSON number within `limits.MAX_MAGNITUDE` (no bool, no
    text, no NaN or infinity) as a float. Raises ValueError naming `field`."""
    if not is_json_number(value):
        raise ValueError(f"cap {field!r} is not a finite number in range")
    return float(value)  # type: ignore[arg-type]  # is_json_number: an int or a float


def is_dollars(unit: str) -> bool:
    """Whether a cap's unit or currency text says US dollars (`DOLLAR_UNITS`, any case)."""
    return unit.strip().lower() in DOLLAR_UNITS


def _unit_keys(value: dict[Any, Any]) -> list[Any]:
    """The keys of a cap object that name its unit or currency: `UNIT_KEYS` (whatever their
    value), and any other text key containing "currency" whose value is text."""
    return [
        key
        for key, unit in value.items()
        if key in UNIT_KEYS
        or (isinstance(key, str) and "currency" in key.lower() and isinstance(unit, str))
    ]


def cap(value: object) -> MemberCap | None:
    """`cap` as the app keeps it: None for null or absent; an object with the three figures in
    dollars otherwise (unknown fields, e.g. `source`, ignored). Raises ValueError when it is not
    an object, lacks a figure, holds one the app cannot represent, or names a unit or currency
    other than US dollars (under `UNIT_KEYS` or any text key containing "currency")."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValueError(f"'cap' is not an object but {type(value).__name__}")
    for key in _unit_keys(value):
        unit = value[key]
        if unit is not None and not (isinstance(unit, str) and is_dollars(unit)):
            raise ValueError(f"cap {key!r} is not US dollars"[:80])
    missing = [figure for figure in CAP_FIGURES if figure not in value]
    if missing:
        raise ValueError(f"cap lacks {', '.join(missing)}")
    return MemberCap(*(dollars(value[figure], figure) for figure in CAP_FIGURES))


def profile(data: object) -> MemberProfile:
    """A `/api/v1/user` body (decoded) as the app keeps it: `email` required; `team` an object
    or null (`in_team` says it was an object); `cap` as `cap()` reads it; unknown fields
    ignored. Raises ValueError when it is not that shape."""
    if not isinstance(data, dict):
        raise ValueError(f"expected an object, got {type(data).__name__}")
    team = data.get("team")
    return MemberProfile(
        email=email(data.get("email")),
        team=team_name(team),
        cap=cap(data.get("cap")),
        in_team=isinstance(team, dict),
    )


def profile_from_json(data: object) -> MemberProfile | None:
    """A profile as `MemberProfile.to_json` wrote it (the cache), checked by the same rules as
    the API's answer (`cap.fraction_left` and `unit` are recomputed, not read); None when `data`
    is not one. `in_team` is read when the writer stored it, else a team name or a cap implies it
    (caps are only set on teams)."""
    if not isinstance(data, dict):
        return None
    team = data.get("team")
    if team is not None and not isinstance(team, str):
        return None
    stored_cap = data.get("cap")
    if isinstance(stored_cap, dict) and stored_cap.get("unit", "usd") != "usd":
        return None
    try:
        kept = MemberProfile(
            email=email(data.get("email")),
            team=cut(team, MAX_TEAM_CHARS) if team is not None and team.strip() else None,
            cap=cap({k: v for k, v in stored_cap.items() if k != "unit"})
            if isinstance(stored_cap, dict)
            else cap(stored_cap),
            in_team=False,
        )
    except ValueError:
        return None
    in_team = data.get("in_team")
    if not isinstance(in_team, bool):
        in_team = kept.team is not None or kept.cap is not None
    return kept._replace(in_team=in_team)
