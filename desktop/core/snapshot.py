"""The immutable values that cross from the poller thread to the views: a snapshot or an error."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from desktop.api.client import UsageQuery
from desktop.api.errors import (
    AuthRejected,
    InvalidSetting,
    KeyringUnavailable,
    NeoError,
    NoPermission,
    NoToken,
    RateLimited,
)
from desktop.core.models import UsageSummary, summary_from_json


class ErrorKind(StrEnum):
    """What went wrong, in the terms the views draw differently."""

    NO_TOKEN = "no_token"
    AUTH_REJECTED = "auth_rejected"
    NO_PERMISSION = "no_permission"
    SETTINGS = "settings"
    RATE_LIMITED = "rate_limited"
    OFFLINE = "offline"  # unreachable, timeout, 5xx, 404, bad response: try again later


@dataclass(frozen=True)
class Snapshot:
    """One successful fetch: the summary, when it was fetched, and for which query."""

    summary: UsageSummary
    fetched_at: datetime
    query: UsageQuery = field(default_factory=UsageQuery)
    from_cache: bool = False
    account: str = ""  # a fingerprint of the token, for per-account notification memory

    def to_json(self) -> dict[str, Any]:
        return {
            "summary": self.summary.model_dump(mode="json"),
            "fetched_at": self.fetched_at.isoformat(),
        }

    @classmethod
    def from_json(cls, data: Any) -> Snapshot:
        """Rebuild a cached snapshot; raises ValueError (or BadResponse) when it is not one."""
        if not isinstance(data, dict):
            raise ValueError("cached snapshot is not an object")
        fetched_at = datetime.fromisoformat(str(data["fetched_at"]))
        if fetched_at.tzinfo is None:
            raise ValueError("cached fetched_at has no time zone")
        return cls(summary_from_json(data["summary"]), fetched_at, from_cache=True)

    def dumps(self) -> str:
        return json.dumps(self.to_json())


@dataclass(frozen=True)
class PollError:
    """One failed fetch, reduced to what the views and the scheduler need."""

    kind: ErrorKind
    user_message: str
    at: datetime
    retry_after: float | None = None
    account: str = ""

    @property
    def needs_user_action(self) -> bool:
        return self.kind in {
            ErrorKind.NO_TOKEN,
            ErrorKind.AUTH_REJECTED,
            ErrorKind.NO_PERMISSION,
            ErrorKind.SETTINGS,
        }

    @classmethod
    def from_exception(cls, error: NeoError, at: datetime, account: str = "") -> PollError:
        kind = ErrorKind.OFFLINE
        retry_after = None
        if isinstance(error, NoToken | KeyringUnavailable):
            kind = ErrorKind.NO_TOKEN
        elif isinstance(error, AuthRejected):
            kind = ErrorKind.AUTH_REJECTED
        elif isinstance(error, NoPermission):
            kind = ErrorKind.NO_PERMISSION
        elif isinstance(error, InvalidSetting):
            kind = ErrorKind.SETTINGS
        elif isinstance(error, RateLimited):
            kind = ErrorKind.RATE_LIMITED
            retry_after = error.retry_after
        return cls(kind, error.user_message, at, retry_after, account)


def account_fingerprint(token: str | None) -> str:
    """A short, one-way tag of the token: tells accounts apart without revealing the secret."""
    return hashlib.sha256(token.encode()).hexdigest()[:12] if token else "none"
