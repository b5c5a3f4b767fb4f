"""The error for a body that is not a usage summary; import-free so error types stay light."""

from __future__ import annotations


class BadResponse(Exception):
    """The server answered, but not with a usage summary this app understands."""

    def __init__(self, user_message: str, detail: str = "") -> None:
        super().__init__(user_message)
        self.user_message = user_message
        self.detail = detail or user_message
