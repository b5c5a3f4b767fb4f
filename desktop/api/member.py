"""What a 403 on the usage summary leads to: the one rule the tray's poll and `--once` share
(issue 28). Blocking: call it where the summary was fetched (the poller thread, `--once`)."""

from __future__ import annotations

import logging

from desktop.api.client import NeoClient
from desktop.core.errors import ErrorKind, NeoError, NoPermission, NoSpendingCap, Unreachable
from desktop.core.i18n import _
from desktop.core.member import MemberProfile

log = logging.getLogger(__name__)

#: Seconds `/api/v1/user` may take after the summary's 403, at most: an optional request, like
#: `--once`'s forecast (`once_extras.OPTIONAL_DEADLINE`), so a member's poll never doubles the
#: summary's wait.
USER_DEADLINE_SECONDS = 15.0


def member_after_forbidden(
    client: NeoClient,
    forbidden: NoPermission,
    *,
    deadline_seconds: float = USER_DEADLINE_SECONDS,
    in_member_mode: bool = False,
) -> MemberProfile:
    """After `forbidden` (the summary's 403), ask `/api/v1/user` within `deadline_seconds`
    (none left, 0 or less: it fails as a timeout without being sent).

    A profile with a cap is returned (member mode). A team without a cap (`cap` null) raises
    `NoSpendingCap` (today's state, said fully); a caller in no team at all, or a `/user` 403,
    raises `forbidden` itself (the answer changes nothing). Any other failure of `/user`:
    - outside member mode (`in_member_mode` False: the first 403) raises `forbidden` (today's
      state: stop), the reason logged at INFO;
    - in member mode (the account's last main answer was a member's) raises that failure
      itself: a passing one (5xx, 429 with its Retry-After, timeout, unreachable, a body not
      understood) keeps member mode and backs off; a 401 is the 401.
    """
    try:
        if deadline_seconds <= 0:
            raise Unreachable(
                _("The Neo API did not answer in time."),
                "no time left of the poll's deadline for /api/v1/user",
            )
        profile = client.fetch_user(deadline_seconds=deadline_seconds)
    except NeoError as exc:
        if in_member_mode and exc.kind is not ErrorKind.NO_PERMISSION:
            log.info("Member mode kept: /api/v1/user failed (%s)", exc.detail)
            raise
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
