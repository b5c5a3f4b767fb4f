"""`core/openmetrics.render`: `--once --json`'s documents as OpenMetrics gauges, each figure the
document's own, unknown ones left out, any account name a valid label (issue 30)."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.core.errors import ErrorKind
from desktop.core.openmetrics import (
    FAMILIES,
    INTERNAL_ERROR,
    TRAY_FAILURE,
    label_value,
    render,
)
from tests.helpers.openmetrics import openmetrics_families, samples

#: A document of the contract's shape (`--once --json`), every figure known.
DOCUMENT: dict[str, Any] = {
    "schema_version": 1,
    "mode": "summary",
    "source": "cache",
    "stale": True,
    "summary": {"total_available_neo_credits": 3882},
    "derived": {
        "available_credits": 3882,
        "issued_credits": 5000,
        "used_credits": 1118.5,
        "available_fraction": 0.7764,
        "gauge_fraction": 0.7764,
        "level": "ok",
        "expires_at": "2026-12-19T12:00:00.250000Z",
        "expires_in_seconds": 1728000.25,
        "expired": False,
    },
    "forecast": {
        "status": "ok",
        "credits_per_day": 120.0,
        "runs_out_at": "2026-12-08T12:00:00Z",
        "unused_at_expiry": 0.0,
        "unused_at_expiry_range": [0.0, 1210.5],
    },
    "fetched_at": "2026-11-29T12:00:00Z",
}
MEMBER: dict[str, Any] = {
    "schema_version": 1,
    "mode": "member",
    "source": "api",
    "stale": False,
    "summary": None,
    "derived": None,
    "forecast": None,
    "fetched_at": "2026-11-29T12:00:00Z",
    "member": {
        "email": "bo@acme.test",
        "team": "Acme Sec",
        "cap": {
            "limit": 75.0,
            "used": 43.0,
            "remaining": 32.0,
            "fraction_left": 0.4266,
            "unit": "usd",
        },
    },
}
EXPECTED = {  # metric: the document's figure
    "neo_up": 1,
    "neo_stale": 1,
    "neo_last_success_timestamp_seconds": 1795953600,  # fetched_at
    "neo_credits_available": 3882,
    "neo_credits_issued": 5000,
    "neo_credits_used_since_reset": 1118.5,
    "neo_credits_available_ratio": 0.7764,
    "neo_credits_expiry_timestamp_seconds": 1797681600.25,
    "neo_credits_expires_in_seconds": 1728000.25,
    "neo_forecast_credits_per_day": 120.0,
    "neo_forecast_runs_out_timestamp_seconds": 1796731200,
    "neo_forecast_unused_at_expiry_credits": 0.0,
    "neo_forecast_unused_at_expiry_credits_low": 0.0,
    "neo_forecast_unused_at_expiry_credits_high": 1210.5,
}
NAMES = ('Acme "R&D"', "back\\slash", "two\nlines", "Zoë 🙂", "", "\\n is not a newline")


def test_every_figure_is_the_documents_own() -> None:
    text = render([("Acme", DOCUMENT)])
    found = samples(openmetrics_families(text))
    assert {metric: value for (metric, _account), (_l, value) in found.items()} == EXPECTED
    assert text.endswith("\n# EOF\n")
    assert text.count("# EOF") == 1
    # Each family once, its HELP and TYPE before its samples, samples grouped by family.
    names = [line.split(" ")[2] for line in text.splitlines() if line.startswith("# TYPE")]
    assert names == list(EXPECTED)


def test_instants_are_seconds_since_1970_and_units_end_the_names() -> None:
    families = openmetrics_families(render([("Acme", DOCUMENT)]))
    assert families["neo_credits_expiry_timestamp_seconds"].unit == "seconds"
    assert families["neo_credits_available_ratio"].unit == "ratio"
    assert families["neo_forecast_unused_at_expiry_credits"].unit == "credits"
    assert families["neo_credits_available"].unit == ""  # the name does not end with a unit
    for family in FAMILIES:
        assert family.unit is None or family.name.endswith("_" + family.unit)


def test_a_failure_is_neo_up_0_naming_its_kind_and_nothing_else() -> None:
    text = render([("Acme", DOCUMENT), ("Globex", ErrorKind.NO_TOKEN), ("X", INTERNAL_ERROR)])
    found = samples(openmetrics_families(text))
    assert found["neo_up", "Acme"] == ({"account": "Acme"}, 1.0)
    assert found["neo_up", "Globex"] == ({"account": "Globex", "error": "no_token"}, 0.0)
    assert found["neo_up", "X"] == ({"account": "X", "error": "internal"}, 0.0)
    assert {account for (_metric, account) in found} == {"Acme", "Globex", "X"}
    assert [key for key in found if key[1] != "Acme"] == [("neo_up", "Globex"), ("neo_up", "X")]


@pytest.mark.parametrize("document", [DOCUMENT, MEMBER])
def test_the_trays_failed_poll_is_neo_up_0_with_the_kept_figures(document: dict[str, Any]) -> None:
    """`--cached` while the running tray's latest poll failed: `neo_up` 0 naming the kind, the
    figures it kept (and when they were fetched) still written."""
    failed = {**document, TRAY_FAILURE: "offline"}
    text = render([("Acme", failed), ("Globex", document)])
    found = samples(openmetrics_families(text))
    assert found["neo_up", "Acme"] == ({"account": "Acme", "error": "offline"}, 0.0)
    assert found["neo_up", "Globex"] == ({"account": "Globex"}, 1.0)
    kept = {metric for (metric, account) in found if account == "Acme"}
    assert kept == {metric for (metric, account) in found if account == "Globex"}
    assert found["neo_last_success_timestamp_seconds", "Acme"][1] == 1795953600
    assert render([("Acme", {**document, TRAY_FAILURE: None})]) == render([("Acme", document)])


def test_unknown_figures_are_left_out_never_nan() -> None:
    document = {
        **DOCUMENT,
        "derived": {
            **DOCUMENT["derived"],
            "used_credits": None,  # contradicting figures: the JSON says null
            "expires_at": None,
            "expires_in_seconds": None,
            "gauge_fraction": math.nan,  # refused at the model; never written here either
            "issued_credits": math.inf,
            "available_credits": 10**400,
        },
        "forecast": {"status": "unavailable", "credits_per_day": None, "runs_out_at": "soon"},
    }
    text = render([("Acme", document)])
    metrics = {metric for (metric, _account) in samples(openmetrics_families(text))}
    assert metrics == {"neo_up", "neo_stale", "neo_last_success_timestamp_seconds"}
    for word in ("NaN", "nan", "Inf", "inf"):
        assert word not in text.replace("information", "")


def test_a_member_has_the_caps_dollars_and_no_credits() -> None:
    found = samples(openmetrics_families(render([("Bo", MEMBER)])))
    assert {metric: value for (metric, _a), (_l, value) in found.items()} == {
        "neo_up": 1,
        "neo_stale": 0,
        "neo_last_success_timestamp_seconds": 1795953600,
        "neo_member_cap_limit_usd": 75.0,
        "neo_member_cap_used_usd": 43.0,
        "neo_member_cap_remaining_usd": 32.0,
    }


def test_ranges_only_when_the_forecast_has_them() -> None:
    forecast = {**DOCUMENT["forecast"], "unused_at_expiry_range": None}
    text = render([("Acme", {**DOCUMENT, "forecast": forecast})])
    assert "_low" not in text
    assert "_high" not in text
    assert "neo_forecast_unused_at_expiry_credits{" in text


def test_numbers_read_back_exactly() -> None:
    figures = [0.1, 1 / 3, 1e16, 5e-324, -0.0, 2**53 + 1, 123456789012345, 1e15 - 0.5]
    entries = [
        (str(index), {"derived": {"available_credits": figure}})
        for index, figure in enumerate(figures)
    ]
    found = samples(openmetrics_families(render(entries)))
    for index, figure in enumerate(figures):
        assert found["neo_credits_available", str(index)][1] == float(figure)


@pytest.mark.parametrize(
    ("name", "escaped"),
    [
        ("plain", "plain"),
        ('say "hi"', 'say \\"hi\\"'),
        ("a\\b", "a\\\\b"),
        ("a\nb", "a\\nb"),
        ("\\n", "\\\\n"),
        ("tab\there", "tab\there"),  # no escape exists for it: valid as it is
        ("Zoë 🙂", "Zoë 🙂"),
        ("\ud800", "\ufffd"),  # a lone surrogate cannot be UTF-8
        ("", ""),
    ],
)
def test_label_values_are_escaped_as_the_format_says(name: str, escaped: str) -> None:
    assert label_value(name) == escaped


def test_odd_names_read_back_as_they_are() -> None:
    text = render([(name, DOCUMENT) for name in NAMES])
    found = samples(openmetrics_families(text))
    assert {account for (metric, account) in found if metric == "neo_up"} == set(NAMES)


def test_two_entries_for_one_account_are_refused() -> None:
    with pytest.raises(ValueError, match="same account"):
        render([("Acme", DOCUMENT), ("Acme", ErrorKind.OFFLINE)])


def test_no_account_is_an_empty_exposition() -> None:
    assert render([]) == "# EOF\n"
    assert openmetrics_families(render([])) == {}


FIGURES = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=5)
)
NAME_TEXT = st.text(
    st.characters(codec=None, exclude_categories=()) | st.sampled_from('\\"\n\r\t\ud800 {}=,#'),
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(NAME_TEXT, FIGURES, max_size=4),
    st.sampled_from([family.path for family in FAMILIES]),
)
def test_any_names_and_figures_give_valid_output(
    figures: dict[str, object], path: tuple[str | int, ...]
) -> None:
    entries = []
    for name, figure in figures.items():
        document: Any = figure
        for step in reversed(path):
            document = [figure, figure] if isinstance(step, int) else {step: document}
        entries.append((name, document))
    entries.append(("failed " + "".join(figures), ErrorKind.OFFLINE))
    labels = [_utf8(name) for name, _d in entries]
    if len(set(labels)) != len(entries):  # two names one label: never two stored names
        return
    text = render(entries)
    found = samples(openmetrics_families(text))
    assert all(math.isfinite(value) for _labels, value in found.values())
    for label in labels[:-1]:
        assert found["neo_up", label][1] == 1
    assert sum(1 for (metric, _a) in found if metric == "neo_up") == len(entries)


def _utf8(name: str) -> str:
    """The label a name reads back as: a lone surrogate is U+FFFD."""
    return "".join("\ufffd" if 0xD800 <= ord(char) <= 0xDFFF else char for char in name)
