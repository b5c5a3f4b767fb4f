"""The command line's choices as one value, shared by the parser (`cli`) and `--once`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Options:
    demo: bool
    once: bool
    as_json: bool
    start: datetime | None
    end: datetime | None
    group_by: str | None
    auth_scheme: str | None
    log_level: str | None
    scenario: str
