"""The command line's choices as one value, shared by the parser (`cli`) and `--once`."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import NamedTuple


class OutputFormat(StrEnum):
    """What `--once` prints: the default human summary, or one of `--format`'s."""

    HUMAN = "human"  # several lines, no --format given
    JSON = "json"
    WAYBAR = "waybar"
    I3BLOCKS = "i3blocks"
    TEXT = "text"
    OPENMETRICS = "openmetrics"  # gauges for Prometheus; every failure a metric (exit 0)


class Options(NamedTuple):
    demo: bool
    once: bool
    output: OutputFormat
    start: datetime | None
    end: datetime | None
    group_by: str | None
    auth_scheme: str | None
    log_level: str | None
    scenario: str
    cached: bool = False
    account: str | None = None  # --account NAME
    all_accounts: bool = False
    tasks: bool = False  # --tasks: the window's task ledger too (JSON or the human summary)


#: What a plain `neo-tray` (no arguments) asks for, the tray: `cli` starts it without building
#: the parser (issue 26: cold start); a test keeps it equal to what the parser gives for `[]`.
PLAIN_TRAY = Options(
    demo=False,
    once=False,
    output=OutputFormat.HUMAN,
    start=None,
    end=None,
    group_by=None,
    auth_scheme=None,
    log_level=None,
    scenario="ok",
)
