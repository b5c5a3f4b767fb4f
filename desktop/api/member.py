"""What a 403 on the usage summary leads to: the one rule the tray's poll and `--once` share
(issue 28). Blocking: call it where the summary was fetched (the poller thread, `--once`)."""

from __future__ import annotations

import logging

from desktop.api.client import NeoClient
from desktop.core.errors import NeoError, NoPermission, NoSpendingCap
from desktop.core.member import MemberProfile

log = logging.getLogger(__name__)


def member_after_forbidden(
    client: NeoClient, forbidden: NoPermission, *, deadline_seconds: float | None = None
) -> MemberProfile:
    """After `forbidden` (the summary's 403), ask `/api/v1/user`: a profile with a cap is
    returned (member mode); a team without a cap (`cap` null) raises `NoSpendingCap` (today's
    state, said fully); any failure of `/user`, or a caller in no team at all, raises `forbidden`
    itself (today's state: the answer changes nothing), the reason logged at INFO.
    `deadline_seconds` shortens the request's deadline (the client's own otherwise)."""
    try:
        profile = client.fetch_user(deadline_seconds=deadline_seconds)
    except NeoError as exc:
        log.info("Staying without permission: /api/v1/user failed (%s)", exc.detail)
        raise forbidden from None
    if profile.cap is not None:
        return profile
    if not profile.in_team:
        # "Your team has no spending cap" would be untrue: the 403 has another cause.
        log.info("Staying without permission: /api/v1/user says the caller is in no team")
        raise forbidden
    log.info("Staying without permission: /api/v1/user says the team has no spending cap")
    raise NoSpendingCap(detail=f"{forbidden.detail}; /api/v1/user: cap null")
