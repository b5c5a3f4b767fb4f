"""The `/api/v1/usage/summary` response as frozen pydantic models, parsed tolerantly.

The four required fields must be right or the body is an `UnexpectedResponse`; every other field is
optional, and a value of the wrong type there is logged and treated as absent rather than
failing the poll.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Annotated, Any, NotRequired, get_type_hints

from pydantic import (
    AllowInfNan,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)
from typing_extensions import TypedDict

from desktop.core import validators
from desktop.core.errors import UnexpectedResponse
from desktop.core.i18n import _
from desktop.core.limits import MAX_MAGNITUDE
from desktop.core.summary_figures import BreakdownValue, Number

log = logging.getLogger(__name__)

REQUIRED_FIELDS = ("by_model", "by_status", "total_neo_credits", "total_tasks")

# Refuse a list whose rows are mostly not rows: a server this broken is not to be trusted.
MIN_ROWS_TO_JUDGE = 1000


# Only real, finite JSON numbers: no bools, no numeric strings, no NaN (checked in pydantic-core,
# with no Python call per value, which matters for 20,000-row teams); the same rule as
# `validators.is_json_number`, by the same bound.
JsonNumber = (
    Annotated[StrictInt, Field(ge=-MAX_MAGNITUDE, le=MAX_MAGNITUDE)]
    | Annotated[StrictFloat, AllowInfNan(False), Field(ge=-MAX_MAGNITUDE, le=MAX_MAGNITUDE)]
)
AwareDatetime = Annotated[datetime, BeforeValidator(validators.instant_utc)]
Breakdown = Annotated[dict[str, BreakdownValue], BeforeValidator(validators.breakdown)]

_FROZEN = ConfigDict(frozen=True, extra="ignore")


# Rows are typed dicts, not models: a team of 20,000 parses 3x faster, and nothing mutates them
# (views only read). Unknown keys in a row are dropped.
class MemberUsage(TypedDict):
    """One team member's usage (`by_email` row; admins only)."""

    email: str
    neo_credits: NotRequired[JsonNumber]
    tasks: NotRequired[JsonNumber]


class PeriodUsage(TypedDict):
    """One `by_period` row; `date` is kept as the API wrote it (a date or a date-time)."""

    date: str
    neo_credits: NotRequired[JsonNumber]
    tasks: NotRequired[JsonNumber]


class ByokUsage(BaseModel):
    """Bring-Your-Own-Key usage; the API documents four figures, more may come."""

    model_config = ConfigDict(frozen=True, extra="allow")

    total_llm_cost: JsonNumber | None = None
    total_neo_cost: JsonNumber | None = None
    total_streams: JsonNumber | None = None
    total_tasks: JsonNumber | None = None

    @model_validator(mode="before")
    @classmethod
    def _numbers_only(cls, data: object) -> object:
        return validators.byok_figures(data)

    def figures(self) -> dict[str, Number]:
        """Every numeric figure, the documented ones first, then any the API added."""
        known = {
            "total_llm_cost": self.total_llm_cost,
            "total_neo_cost": self.total_neo_cost,
            "total_streams": self.total_streams,
            "total_tasks": self.total_tasks,
        }
        extra = dict(self.__pydantic_extra__ or {})
        return {k: v for k, v in {**known, **extra}.items() if v is not None}


class UsageSummary(BaseModel):
    """The whole usage summary: the four required fields, then the optional ones."""

    model_config = _FROZEN

    by_model: Breakdown
    by_status: Breakdown
    total_neo_credits: JsonNumber
    total_tasks: JsonNumber

    # fail_fast: the one-pass parse stops at the first bad row instead of collecting an error
    # per row (a million bad rows once cost 2 GB of errors); the tolerant path sorts them out.
    by_email: Annotated[tuple[MemberUsage, ...] | None, Field(fail_fast=True)] = None
    by_period: Annotated[tuple[PeriodUsage, ...] | None, Field(fail_fast=True)] = None
    byok: ByokUsage | None = None
    last_credit_reset: AwareDatetime | None = None
    neo_credits_expires_at: AwareDatetime | None = None
    neo_credits_is_expired: StrictBool | None = None
    total_agent_triggers: JsonNumber | None = None
    total_available_neo_credits: JsonNumber | None = None
    total_execution_ms: JsonNumber | None = None
    total_issued_neo_credits: JsonNumber | None = None
    total_neo_credits_post_reset: JsonNumber | None = None
    total_steps: JsonNumber | None = None
    total_tool_calls: JsonNumber | None = None

    @field_validator("by_email", mode="after")
    @classmethod
    def _sorted_members(cls, value: tuple[MemberUsage, ...] | None) -> object:
        if value is None:
            return None
        return tuple(sorted(value, key=validators.member_credits, reverse=True))


_ROW_FIELDS = ("by_email", "by_period")
_OPTIONAL_FIELDS = tuple(name for name in UsageSummary.model_fields if name not in REQUIRED_FIELDS)
_field_adapters: dict[str, TypeAdapter[Any]] = {}


def _field_adapter(name: str) -> TypeAdapter[Any]:
    if name not in _field_adapters:
        hints = get_type_hints(UsageSummary, include_extras=True)
        _field_adapters[name] = TypeAdapter(hints[name])
    return _field_adapters[name]


def _drop_bad_optional_fields(body: dict[str, Any]) -> dict[str, Any]:
    """Keep what is usable of the optional fields; log, never fail on, the rest."""
    kept: dict[str, Any] = {key: body[key] for key in REQUIRED_FIELDS if key in body}
    for name in _OPTIONAL_FIELDS:
        if name not in body or body[name] is None:
            continue
        value = body[name]
        if name in _ROW_FIELDS and isinstance(value, list):
            # Checked row by row already; the summary's own validation reads them once more.
            kept[name] = _kept_rows(name, value)
            continue
        try:
            _field_adapter(name).validate_python(value)
        except ValidationError:
            log.warning(
                "Ignoring field %r: unexpected value of type %s", name, type(value).__name__
            )
            continue
        kept[name] = value
    return kept


def _kept_rows(name: str, rows: list[Any]) -> list[Any]:
    """The rows that are rows; refuses a list that is mostly not rows (a server this broken is
    not to be trusted with the rest)."""
    good = [row for row in rows if validators.is_row(name, row)]
    bad = len(rows) - len(good)
    if bad:
        if len(rows) >= MIN_ROWS_TO_JUDGE and bad * 2 > len(rows):
            raise UnexpectedResponse(
                _(
                    "The Neo API sent usage data this app does not understand: most rows of "
                    "{field} are not valid."
                ).format(field=repr(name)),
                f"{bad} of {len(rows)} rows of {name!r} invalid",
            )
        log.warning("Ignoring %d malformed row(s) in %r", bad, name)
    return good


def _describe_error(error: ValidationError) -> str:
    first = error.errors()[0]
    if not first["loc"]:
        return _("the body is not a value this app can use")
    where = repr(str(first["loc"][0]))
    if first["type"] == "missing":
        return _("the field {field} is missing").format(field=where)
    return _("the field {field} is not a value this app can use").format(field=where)


def parse_summary(body: bytes | str) -> UsageSummary:
    """Parse a response body into a `UsageSummary`, or raise `UnexpectedResponse`."""
    if isinstance(body, bytes):
        try:
            text = body.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise UnexpectedResponse(
                _("The Neo API sent a response that is not valid text."), f"not UTF-8: {exc}"
            ) from None
    else:
        text = body
    stripped = text.lstrip()
    if not stripped:
        raise UnexpectedResponse(_("The Neo API sent an empty response."), "empty body")
    if stripped.startswith("<"):
        raise UnexpectedResponse(
            _(
                "The Neo API sent a web page instead of usage data (check the API address or "
                "proxy)."
            ),
            f"HTML body: {stripped[:80]!r}",
        )
    try:
        return UsageSummary.model_validate_json(text)  # the fast path: one pass in pydantic-core
    except ValidationError as exc:
        if any(error["type"] == "json_invalid" for error in exc.errors()):
            raise UnexpectedResponse(
                _not_json(),
                f"JSON error: {exc.errors()[0]['msg']}"[:300],
            ) from None
    # Valid JSON that does not fit as a whole: parse tolerantly, field by field.
    try:
        # NaN and Infinity become floats, and huge integers infinity: the field checks then drop
        # an optional field holding one and refuse a required one, like any other bad value.
        data = json.loads(text, parse_int=validators.bounded_int)
    except (ValueError, RecursionError) as exc:
        raise UnexpectedResponse(
            _not_json(),
            f"JSON error: {exc}"[:300],
        ) from None
    return summary_from_json(data)


def _not_json() -> str:
    return _("The Neo API sent a response that is not valid JSON (it may have been cut off).")


def summary_from_json(data: object) -> UsageSummary:
    """Build a `UsageSummary` from already-decoded JSON, or raise `UnexpectedResponse`."""
    if not isinstance(data, dict):
        kind = _json_kind(data)
        raise UnexpectedResponse(
            _("The Neo API sent {kind} instead of a usage summary.").format(kind=kind),
            f"top level is {type(data).__name__}",
        )
    try:
        return UsageSummary.model_validate(_drop_bad_optional_fields(data))
    except ValidationError as exc:
        reason = _describe_error(exc)
        raise UnexpectedResponse(
            _("The Neo API sent usage data this app does not understand: {reason}.").format(
                reason=reason
            ),
            str(exc)[:500],
        ) from None
    except (ValueError, TypeError, RecursionError) as exc:
        raise UnexpectedResponse(
            _("The Neo API sent usage data this app does not understand."), repr(exc)[:300]
        ) from None


def _json_kind(value: object) -> str:
    """What the API sent instead of an object, as a phrase the sentence takes."""
    if value is None:
        return _("nothing (null)")
    if isinstance(value, list):
        return _("a JSON list")
    if isinstance(value, str):
        return _("a JSON string")
    if isinstance(value, bool):
        return _("a JSON boolean")
    return _("a JSON number")
