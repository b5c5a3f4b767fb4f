from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.core.errors import UnexpectedResponse
from desktop.core.models import UsageSummary, parse_summary, summary_from_json
from tests.conftest import shared_example

MINIMAL: dict[str, Any] = {
    "by_model": {},
    "by_status": {},
    "total_neo_credits": 0,
    "total_tasks": 0,
}


def body(**fields: Any) -> bytes:
    return json.dumps({**MINIMAL, **fields}).encode()


def test_realistic_example_parses_every_field() -> None:
    summary = parse_summary(shared_example("example-realistic.json"))
    assert summary.total_neo_credits == 600.4
    assert summary.total_tasks == 43
    assert summary.by_model["claude-sonnet-4-5"] == {"neo_credits": 512.4, "tasks": 31}
    assert summary.by_status == {"completed": 38, "failed": 4, "running": 1}
    assert summary.by_email is not None
    assert [m["email"] for m in summary.by_email] == ["lead@acme.test", "dev@acme.test"]
    assert summary.by_period is not None
    assert len(summary.by_period) == 14
    assert summary.byok is not None
    assert summary.byok.total_llm_cost == 4.75
    assert summary.last_credit_reset == datetime(2026, 11, 1, tzinfo=UTC)
    assert summary.neo_credits_expires_at == datetime(2027, 1, 31, 23, 59, 59, tzinfo=UTC)
    assert summary.neo_credits_is_expired is False
    assert summary.total_available_neo_credits == 1399.6
    assert summary.total_issued_neo_credits == 2000
    assert summary.total_neo_credits_post_reset == 600.4
    assert summary.total_steps == 812
    assert summary.total_tool_calls == 2301
    assert summary.total_execution_ms == 5231877
    assert summary.total_agent_triggers == 6


def test_doc_example_parses() -> None:
    summary = parse_summary(shared_example("example-doc.json"))
    assert summary.total_issued_neo_credits == 123
    assert summary.by_model == {}


def test_only_required_fields_leaves_the_rest_none() -> None:
    summary = parse_summary(body())
    dumped = summary.model_dump()
    assert set(dumped) == set(UsageSummary.model_fields)
    assert len(dumped) == 17
    optional = {k: v for k, v in dumped.items() if k not in MINIMAL}
    assert all(value is None for value in optional.values())


def test_model_is_frozen() -> None:
    summary = parse_summary(body())
    with pytest.raises(ValueError, match="frozen"):
        summary.total_tasks = 3


def test_counts_stay_integers_and_floats_stay_floats() -> None:
    summary = parse_summary(body(total_tasks=43, total_neo_credits=12.5))
    assert isinstance(summary.total_tasks, int)
    assert summary.model_dump(mode="json")["total_tasks"] == 43
    assert summary.total_neo_credits == 12.5


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-11-01T00:00:00Z", datetime(2026, 11, 1, tzinfo=UTC)),
        ("2026-11-01T00:00:00.123456Z", datetime(2026, 11, 1, 0, 0, 0, 123456, tzinfo=UTC)),
        ("2026-11-01T02:00:00+02:00", datetime(2026, 11, 1, tzinfo=UTC)),
        ("2026-11-01T00:00:00.5-05:30", datetime(2026, 11, 1, 5, 30, 0, 500000, tzinfo=UTC)),
        ("2026-11-01T00:00:00", datetime(2026, 11, 1, tzinfo=UTC)),  # no zone: UTC
    ],
)
def test_datetimes_are_timezone_aware(raw: str, expected: datetime) -> None:
    summary = parse_summary(body(neo_credits_expires_at=raw))
    assert summary.neo_credits_expires_at == expected
    assert summary.neo_credits_expires_at is not None
    assert summary.neo_credits_expires_at.tzinfo is not None


def test_by_model_values_may_be_numbers_or_objects_with_unknown_keys() -> None:
    summary = parse_summary(
        body(
            by_model={
                "a": 12,
                "b": 3.5,
                "c": {"neo_credits": 1, "tasks": 2, "latency_p95_ms": 870, "label": "x"},
                "d": "not a figure",
                "e": None,
                "f": [1, 2],
                "g": {"nested": {"deep": 1}},
                "h": True,
            },
            by_status={"completed": 3, "weird": {"count": 2}, "text": "n/a"},
        )
    )
    assert summary.by_model == {
        "a": 12,
        "b": 3.5,
        "c": {"neo_credits": 1, "tasks": 2, "latency_p95_ms": 870},
        "g": {},
    }
    assert summary.by_status == {"completed": 3, "weird": {"count": 2}}


def test_unknown_top_level_fields_are_ignored() -> None:
    summary = parse_summary(body(brand_new_field={"x": 1}, another=[1, 2]))
    assert "brand_new_field" not in summary.model_dump()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("by_email", "not a list"),
        ("by_period", {"date": "x"}),
        ("byok", 5),
        ("last_credit_reset", "not a date"),
        ("neo_credits_expires_at", 12),
        ("neo_credits_is_expired", "yes"),
        ("total_available_neo_credits", "12"),
        ("total_issued_neo_credits", True),
        ("total_steps", [1]),
    ],
)
def test_bad_optional_field_is_dropped_not_fatal(field: str, value: object) -> None:
    summary = parse_summary(body(**{field: value}, total_tool_calls=9))
    assert getattr(summary, field) is None
    assert summary.total_tool_calls == 9


def test_bad_rows_are_dropped_and_good_ones_kept() -> None:
    summary = parse_summary(
        body(
            by_email=[
                {"email": "a@x.test", "neo_credits": 2, "tasks": 1},
                {"neo_credits": 5},
                7,
                {"email": "b@x.test", "neo_credits": 9, "tasks": 3, "role": "admin"},
            ]
        )
    )
    assert summary.by_email is not None
    assert [m["email"] for m in summary.by_email] == ["b@x.test", "a@x.test"]


@pytest.mark.parametrize(
    ("raw", "phrase"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"null", "null"),
        (b"[]", "list"),
        (b'"hello"', "string"),
        (b"42", "number"),
        (b"<html><title>502</title></html>", "web page"),
        (b'{"by_model": {', "not valid JSON"),
        (
            b'{"by_model": {}, "by_status": {}, "total_neo_credits": NaN, "total_tasks": 1}',
            "total_neo_credits",
        ),
        (b"\xff\xfe\x00", "not valid text"),
        (b"[" * 100_000, "JSON"),
        (json.dumps({"by_model": {}, "by_status": {}, "total_tasks": 1}).encode(), "missing"),
        (body(total_neo_credits="12"), "total_neo_credits"),
        (body(total_tasks=None), "total_tasks"),
        (body(total_neo_credits=True), "total_neo_credits"),
        (body(by_model=[]), "by_model"),
        (body(by_status=None), "by_status"),
    ],
)
def test_unusable_bodies_raise_bad_response_with_a_sentence(raw: bytes, phrase: str) -> None:
    with pytest.raises(UnexpectedResponse) as caught:
        parse_summary(raw)
    assert phrase in caught.value.user_message
    assert caught.value.user_message.endswith(".")
    assert "\n" not in caught.value.user_message


def test_offset_datetimes_compare_equal_across_zones() -> None:
    plus_two = timezone(timedelta(hours=2))
    summary = parse_summary(body(last_credit_reset="2026-11-01T02:00:00+02:00"))
    assert summary.last_credit_reset == datetime(2026, 11, 1, 2, tzinfo=plus_two)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=30,
)
summary_keys = st.sampled_from(
    [
        *MINIMAL,
        "by_email",
        "by_period",
        "byok",
        "last_credit_reset",
        "neo_credits_expires_at",
        "neo_credits_is_expired",
        "total_available_neo_credits",
        "total_issued_neo_credits",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(json_values, st.dictionaries(summary_keys, json_values)))
def test_any_json_gives_a_summary_or_bad_response(value: object) -> None:
    try:
        result = summary_from_json(value)
    except UnexpectedResponse as exc:
        assert exc.user_message
    else:
        assert isinstance(result, UsageSummary)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_give_a_summary_or_bad_response(raw: bytes) -> None:
    try:
        parse_summary(raw)
    except UnexpectedResponse:
        pass


@settings(max_examples=200, deadline=None)
@given(
    st.fixed_dictionaries(
        {
            "by_model": st.dictionaries(st.text(max_size=8), json_values, max_size=4),
            "by_status": st.dictionaries(st.text(max_size=8), json_values, max_size=4),
            "total_neo_credits": st.floats(min_value=-1e15, max_value=1e15)
            | st.integers(min_value=-(10**15), max_value=10**15),
            "total_tasks": st.integers(min_value=0, max_value=10**15),
        }
    ),
    st.dictionaries(summary_keys, json_values),
)
def test_valid_required_fields_always_parse(
    required: dict[str, Any], extra: dict[str, Any]
) -> None:
    """Whatever the optional fields and breakdown values hold, the required figures win."""
    merged = {**extra, **required}
    summary = parse_summary(json.dumps(merged))
    assert summary.total_tasks == required["total_tasks"]
