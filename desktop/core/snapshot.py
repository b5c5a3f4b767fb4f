"""The immutable values that cross from the poller thread to the views: a snapshot or an error."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from desktop.core.errors import NEEDS_USER_ACTION, ErrorKind, NeoError
from desktop.core.instants import utc_text
from desktop.core.models import UsageSummary, summary_from_json
from desktop.core.query import UsageQuery
from desktop.core.validators import stored_instant


@dataclass(frozen=True)
class Snapshot:
    """One successful fetch: the summary, when it was fetched, and for which query."""

    summary: UsageSummary
    fetched_at: datetime
    query: UsageQuery = field(default_factory=UsageQuery)
    from_cache: bool = False
    token_tag: str = ""  # whose token fetched it (`token_tag`), for per-token notification memory

    def to_json(self) -> dict[str, Any]:
        return {
            "summary": self.summary.model_dump(mode="json"),
            "fetched_at": utc_text(self.fetched_at, whole_seconds=True),
            "token_tag": self.token_tag,
        }

    @classmethod
    def from_json(cls, data: Any) -> Snapshot:
        """Rebuild a cached snapshot; raises ValueError or UnexpectedResponse if not one."""
        if not isinstance(data, dict):
            raise ValueError("cached snapshot is not an object")
        fetched_at = stored_instant(data["fetched_at"])
        if fetched_at is None:
            raise ValueError("cached fetched_at is not an instant with a time zone in 1970-2199")
        # Files written before the token tag had its name call it "account".
        tag = data.get("token_tag", data.get("account"))
        return cls(
            summary_from_json(data["summary"]),
            fetched_at,
            from_cache=True,
            token_tag=tag if isinstance(tag, str) else "",
        )


@dataclass(frozen=True)
class PollError:
    """One failed fetch, reduced to what the views and the scheduler need; `query` is the one
    it failed to answer (so a range's error lands on that range, never on another)."""

    kind: ErrorKind
    user_message: str
    at: datetime
    retry_after: float | None = None
    token_tag: str = ""
    short_message: str = ""
    query: UsageQuery = field(default_factory=UsageQuery)

    @property
    def needs_user_action(self) -> bool:
        return self.kind in NEEDS_USER_ACTION

    @classmethod
    def from_exception(
        cls, error: NeoError, at: datetime, token_tag: str = "", query: UsageQuery | None = None
    ) -> PollError:
        retry_after = getattr(error, "retry_after", None)
        return cls(
            error.kind,
            error.user_message,
            at,
            retry_after,
            token_tag,
            error.short_message,
            query if query is not None else UsageQuery(),
        )
