"""The appearance portal's colour-scheme answer, as ReadOne and the older Read give it."""

from __future__ import annotations

from typing import Any

import pytest

from desktop.system.appearance import scheme_value


@pytest.mark.parametrize(
    ("reply", "dark"),
    [
        (("u", 1), True),  # ReadOne: prefers dark
        (("u", 2), False),  # prefers light
        (("u", 0), None),  # no preference
        (("v", ("u", 1)), True),  # Read wraps the variant once more
        (("u", 7), None),  # a value this app does not know
        (("s", "dark"), None),
        (("b", True), None),
    ],
)
def test_the_portal_value_reads_as_a_preference(reply: Any, dark: bool | None) -> None:
    assert scheme_value(reply) is dark
