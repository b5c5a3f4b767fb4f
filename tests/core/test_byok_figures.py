"""BYOK figures are written as what they are, decided by the API's key: costs as costs (two
decimals), streams and tasks as counts, credits as credits (never money), whatever the language."""

from __future__ import annotations

import pytest

from desktop.core import i18n
from desktop.core.byok import ByokKind, byok_kind, byok_value


@pytest.mark.parametrize(
    ("field", "value", "text"),
    [
        ("total_llm_cost", 4.75, "4.75"),
        ("total_neo_cost", 0.6, "0.60"),
        ("total_streams", 2, "2"),
        ("total_tasks", 1, "1"),
        ("total_gpu_cost", 3, "3.00"),  # an undocumented cost is still a cost
        ("total_refund_credits", 1240, "1,240 credits"),  # credits stay credits
        ("total_refund_credits", 1, "1 credit"),
        ("total_tool_calls", 17, "17"),
        ("brand_new", 7, "7"),
        ("brand_new", 0.35, "0.35"),
    ],
)
def test_each_figure_by_its_field(field: str, value: float, text: str) -> None:
    assert byok_value(field, value) == text


def test_the_kind_does_not_depend_on_the_language() -> None:
    i18n.use(i18n.resolve("de"))
    try:
        assert byok_kind("total_llm_cost") is ByokKind.COST
        assert byok_value("total_llm_cost", 4.75) == "4,75"
        assert byok_value("total_streams", 1234) == "1.234"
    finally:
        i18n.use(i18n.Language())
