"""BYOK figures written as what they are (a cost, a count, credits), decided by the API's field
name, never by its translated label.

Pure: the detail window's BYOK table shows the strings this module returns.
"""

from __future__ import annotations

from enum import Enum

from desktop.core import fmt
from desktop.core.i18n import ngettext


class ByokKind(Enum):
    """What a BYOK figure is, which says how it is written."""

    COST = "cost"  # money, in the currency the API reports it in: two decimals, no symbol
    COUNT = "count"  # streams, tasks: whole numbers
    CREDITS = "credits"  # Neo credits: written as credits, never as money
    AMOUNT = "amount"  # an undocumented figure: as reported


#: The documented fields; an undocumented one is judged by its key's last word.
BYOK_KINDS = {
    "total_llm_cost": ByokKind.COST,
    "total_neo_cost": ByokKind.COST,
    "total_streams": ByokKind.COUNT,
    "total_tasks": ByokKind.COUNT,
}


_COUNT_WORDS = frozenset({"streams", "tasks", "count", "calls", "requests", "runs", "steps"})


def byok_kind(field: str) -> ByokKind:
    """The kind of the BYOK figure under the API's key `field` (never its translated label)."""
    if field in BYOK_KINDS:
        return BYOK_KINDS[field]
    last = field.lower().rsplit("_", 1)[-1]
    if last in ("cost", "costs", "spend", "price"):
        return ByokKind.COST
    if last in ("credit", "credits"):
        return ByokKind.CREDITS
    if last in _COUNT_WORDS:
        return ByokKind.COUNT
    return ByokKind.AMOUNT


def byok_value(field: str, value: float) -> str:
    """A BYOK figure as what it is: a cost with two decimals (`4.75`), a count whole (`12`),
    credits as credits (`1,240 credits`), anything else as reported (`7`, `0.35`)."""
    kind = byok_kind(field)
    if kind is ByokKind.COST:
        return fmt.number(value, 2)
    if kind is ByokKind.COUNT:
        return fmt.number(value, 0)
    if kind is ByokKind.CREDITS:
        return ngettext("{credits} credit", "{credits} credits", fmt.plural_count(value)).format(
            credits=fmt.credits(value)
        )
    return fmt.number(value, 0 if value == round(value) else 2)
