"""The usage summary without pydantic: its value types, the fields the derived figures and the
forecast read (`SummaryFigures`, which `models.UsageSummary` has), and `normal_summary`, which
takes a summary as the tray wrote it to the cache only when the model would keep it unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, NamedTuple, Protocol

from desktop.core import validators
from desktop.core.instants import utc_text

# A number as it came (int stays int, so counts print as counts); JSON numbers only.
Number = int | float
# One `by_model` / `by_status` value: a bare number, or the numeric fields of an object.
BreakdownValue = Number | dict[str, Number]

#: The summary's fields in the model's order (`model_dump`'s): the four required ones first.
FIELDS = (
    "by_model",
    "by_status",
    "total_neo_credits",
    "total_tasks",
    "by_email",
    "by_period",
    "byok",
    "last_credit_reset",
    "neo_credits_expires_at",
    "neo_credits_is_expired",
    "total_agent_triggers",
    "total_available_neo_credits",
    "total_execution_ms",
    "total_issued_neo_credits",
    "total_neo_credits_post_reset",
    "total_steps",
    "total_tool_calls",
)
_BREAKDOWNS = ("by_model", "by_status")
_INSTANTS = ("last_credit_reset", "neo_credits_expires_at")
_NUMBERS = tuple(
    name for name in FIELDS if name.startswith("total_") and name not in {"total_neo_credits"}
)
_ROW_KEYS = {field: (name, *validators.ROW_FIGURES) for field, name in validators.ROW_NAME.items()}


class SummaryFigures(Protocol):
    """What `derive` and `forecast` read of a summary (`UsageSummary` has all of it)."""

    @property
    def by_model(self) -> Mapping[str, BreakdownValue]: ...
    @property
    def by_status(self) -> Mapping[str, BreakdownValue]: ...
    @property
    def total_neo_credits(self) -> float: ...
    @property
    def total_tasks(self) -> float: ...
    @property
    def last_credit_reset(self) -> datetime | None: ...
    @property
    def neo_credits_expires_at(self) -> datetime | None: ...
    @property
    def neo_credits_is_expired(self) -> bool | None: ...
    @property
    def total_available_neo_credits(self) -> float | None: ...
    @property
    def total_execution_ms(self) -> float | None: ...
    @property
    def total_issued_neo_credits(self) -> float | None: ...
    @property
    def total_neo_credits_post_reset(self) -> float | None: ...


class PlainSummary(NamedTuple):
    """A summary's figures read from a normal summary (`normal_summary`), for the cached path."""

    by_model: Mapping[str, BreakdownValue]
    by_status: Mapping[str, BreakdownValue]
    total_neo_credits: float
    total_tasks: float
    last_credit_reset: datetime | None
    neo_credits_expires_at: datetime | None
    neo_credits_is_expired: bool | None
    total_available_neo_credits: float | None
    total_execution_ms: float | None
    total_issued_neo_credits: float | None
    total_neo_credits_post_reset: float | None


def normal_summary(data: object) -> tuple[dict[str, Any], PlainSummary] | None:
    """`data` (a summary as `model_dump(mode="json")` wrote it, keys in any order) in the model's
    order, and its figures; None unless every field passes the model's rules unchanged (all 17
    present, nothing the model would drop, reorder, convert or log): the caller then takes the
    model's path."""
    if not isinstance(data, dict) or len(data) != len(FIELDS) or not all(f in data for f in FIELDS):
        return None
    normal: dict[str, Any] = {}
    for name in FIELDS:
        value = data[name]
        if name in _BREAKDOWNS:
            ok = (
                isinstance(value, dict)
                and validators.breakdown(value) == value
                and _encodable(_breakdown_keys(value))
            )
        elif name in ("total_neo_credits", "total_tasks"):
            ok = validators.is_json_number(value)
        elif value is None:
            ok = True
        elif name in _NUMBERS:
            ok = validators.is_json_number(value)
        elif name in _INSTANTS:
            ok = _is_normal_instant(value)
        elif name == "neo_credits_is_expired":
            ok = isinstance(value, bool)
        elif name == "byok":
            value = _normal_byok(value)
            ok = value is not None
        else:
            value = _normal_rows(name, value)
            ok = value is not None
        if not ok:
            return None
        normal[name] = value
    instants = {name: validators.instant_utc(normal[name]) for name in _INSTANTS}
    figures = PlainSummary(
        by_model=normal["by_model"],
        by_status=normal["by_status"],
        total_neo_credits=normal["total_neo_credits"],
        total_tasks=normal["total_tasks"],
        last_credit_reset=instants["last_credit_reset"],
        neo_credits_expires_at=instants["neo_credits_expires_at"],
        neo_credits_is_expired=normal["neo_credits_is_expired"],
        total_available_neo_credits=normal["total_available_neo_credits"],
        total_execution_ms=normal["total_execution_ms"],
        total_issued_neo_credits=normal["total_issued_neo_credits"],
        total_neo_credits_post_reset=normal["total_neo_credits_post_reset"],
    )
    return normal, figures


def _encodable(texts: Iterable[str]) -> bool:
    """No lone surrogate (a JSON `\\udcff`) in `texts`: UTF-8 cannot carry one, and the model
    does not keep such text as it is, so the fast path leaves it to the model's path."""
    try:
        "".join(texts).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _breakdown_keys(value: dict[str, Any]) -> list[str]:
    """A breakdown's keys and its objects' keys."""
    keys = list(value)
    for item in value.values():
        if isinstance(item, dict):
            keys.extend(item)
    return keys


def _is_normal_instant(value: object) -> bool:
    """An instant as the model writes it: UTC with `Z`, its precision kept."""
    if not isinstance(value, str):
        return False
    try:
        instant = validators.instant_utc(value)
    except ValueError:
        return False
    return instant is not None and utc_text(instant) == value


def _normal_byok(value: object) -> dict[str, Any] | None:
    """`byok` as the model writes it: the documented figures first (null where absent), then
    the API's others; None where the model would drop something."""
    if not isinstance(value, dict):
        return None
    kept = validators.byok_figures(value)
    absent = {key for key, item in value.items() if item is None}
    if len(kept) + len(absent) != len(value) or not absent <= set(validators.BYOK_FIGURES):
        return None
    if not _encodable(value):
        return None
    known = {key: kept.get(key) for key in validators.BYOK_FIGURES}
    return {**known, **{key: item for key, item in kept.items() if key not in known}}


def _normal_rows(field: str, value: object) -> list[dict[str, Any]] | None:
    """`by_email` / `by_period` as the model writes them: every row a row with no other key,
    members already largest first; None otherwise."""
    if not isinstance(value, list):
        return None
    keys = _ROW_KEYS[field]
    rows: list[dict[str, Any]] = []
    for row in value:
        if not validators.is_row(field, row) or not set(row) <= set(keys):
            return None
        rows.append({key: row[key] for key in keys if key in row})
    if not _encodable(row[keys[0]] for row in rows):  # the names: the figures are numbers
        return None
    if field == "by_email" and rows != sorted(rows, key=validators.member_credits, reverse=True):
        return None
    return rows
