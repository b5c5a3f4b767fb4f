"""Each auth scheme's header has one home (`AuthScheme.header`): the client sends it, the settings
show it, and the command line offers the schemes by their values."""

from __future__ import annotations

import pytest

from desktop import arguments
from desktop.core.query import AuthScheme, GroupBy


@pytest.mark.parametrize(
    ("scheme", "header", "shown", "label"),
    [
        (
            AuthScheme.BEARER,
            ("Authorization", "Bearer t0k"),
            "Authorization: Bearer <token>",
            "Authorization: Bearer",
        ),
        (AuthScheme.X_API_KEY, ("X-Api-Key", "t0k"), "X-Api-Key: <token>", "X-Api-Key"),
    ],
)
def test_a_scheme_names_its_header(
    scheme: AuthScheme, header: tuple[str, str], shown: str, label: str
) -> None:
    assert scheme.header("t0k") == header
    assert scheme.header_text("<token>") == shown
    assert scheme.header_label == label


def test_the_command_lines_choices_are_the_enums_values() -> None:
    assert arguments.GROUP_BY_CHOICES == ("day", "week", "month")
    assert arguments.AUTH_SCHEME_CHOICES == ("bearer", "x-api-key")
    assert [GroupBy(value) for value in arguments.GROUP_BY_CHOICES] == list(GroupBy)
    assert [AuthScheme(value) for value in arguments.AUTH_SCHEME_CHOICES] == list(AuthScheme)
