"""The poller's decisions, without a thread, a server or a timer: what to send next, what a
result triggers, when the main poll and the forecast are due, and what Retry-After holds.

The Qt poller feeds it what was asked and what came back and carries out its answers: it sends
`next_request()`, arms its main timer for `armed_delay` whenever `arms` changes, and wakes the
queue when a `Hold` ends. Times are the injected monotonic clock's seconds (the wall clock only
for what views say).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from desktop.core.errors import ErrorKind
from desktop.core.forecast import window_query
from desktop.core.member import MemberSnapshot
from desktop.core.presentation import RefreshNote, RefreshRefusal
from desktop.core.query import UsageQuery
from desktop.core.radar import has_team, today_query
from desktop.core.rules.memory import Epoch, credit_epoch
from desktop.core.schedule import PollSchedule
from desktop.core.snapshot import PollError, Snapshot
from desktop.core.task_channel import PageFailure, TaskChannel, TaskPageQuery
from desktop.core.tasks import TaskListing, TasksPage

#: Ranges kept waiting at most (older ones nobody waits for any more are dropped).
MAX_PENDING_RANGES = 4
#: Wall time running ahead of monotonic time by more than this is a suspend/resume.
CLOCK_JUMP_SECONDS = 120.0
#: A failed forecast is tried again after this part of its interval.
FORECAST_RETRY_PART = 4


class Channel(Enum):
    """Which kind of request is in flight: each has its own result signals."""

    MAIN = "main"
    RANGE = "range"
    FORECAST = "forecast"
    TASKS = "tasks"  # one page of a task listing (today's, or a window asked for)
    TEAM_TODAY = "team_today"  # an admin's summary of today (the radar's per-member credits)


@dataclass(frozen=True)
class Request:
    """One request to send: its id (answers to another id are stale), channel and query (a
    task page's for the TASKS channel). `member`: a main poll sent in member mode (the
    worker's `/api/v1/user` after the 403 then treats a passing failure as that failure,
    keeping member mode, instead of the 403's stop)."""

    request_id: int
    channel: Channel
    query: UsageQuery | TaskPageQuery
    member: bool = False


@dataclass(frozen=True)
class Hold:
    """Nothing goes before the server's Retry-After ends: wake the queue in `seconds`."""

    seconds: float


@dataclass(frozen=True)
class Finished:
    """What one answer triggers: the channel it answers, and whether it is the account's failure
    (`failed`: a main poll's error, or a range's that needs the user, such as a 401; never a
    task page's nor today's team summary's). A main poll's good answer is a `Snapshot`, or a
    `MemberSnapshot` in member mode (the summary said 403, `/api/v1/user` gave a cap).
    `today_tasks`: today's task listing, when this answer ended it;
    `window_tasks`: the asked windows' listings it ended (a block ends them unavailable)."""

    channel: Channel
    result: Snapshot | MemberSnapshot | PollError | TasksPage | PageFailure
    failed: bool
    today_tasks: TaskListing | None = None
    window_tasks: tuple[TaskListing, ...] = ()


class PollQueue:
    """One account's request queue: one request in flight, the main poll first, then the
    forecast, then today's team summary (an admin's), then the ranges (oldest first), then task
    pages (`TaskChannel`). A 401/403/no token blocks everything but the main poll the user asks
    for; a server's Retry-After holds every request of the account.

    Member mode (`member`): the main poll's answer was a `MemberSnapshot`. It is a good answer
    for the schedule (the next poll on the interval, the summary asked first each time so a
    promotion to admin shows), but brings no forecast, no team summary and no task pages; a
    range's 403 then is the range's alone. A main poll sent in member mode says so
    (`Request.member`): its passing failure (`/api/v1/user`'s too) backs off and keeps the mode.
    It ends at the first summary (200), a main failure that needs the user (a 403 without a
    cap, a 401) or a `reconfigure`."""

    def __init__(
        self,
        schedule: PollSchedule,
        *,
        clock: Callable[[], datetime],
        monotonic: Callable[[], float],
        cooldown_seconds: float,
        forecast_seconds: float | None,  # None: no forecast
        today_tasks: bool = False,  # fetch today's task ledger after good polls
        team_today: bool = False,  # fetch an admin's summary of today after good polls
    ) -> None:
        self.schedule = schedule
        self._clock = clock
        self._monotonic = monotonic
        self._cooldown = cooldown_seconds
        self._forecast_seconds = forecast_seconds
        self._forecast_due_at: float | None = None  # None: at the next good poll
        self._credit_epoch: Epoch | None = None  # as the rules see it (`credit_epoch`)
        self._hold_until: float | None = None  # the end of the server's Retry-After
        self._hold_until_wall: datetime | None = None  # the same, for what views say
        self._last_request_id = 0
        self.in_flight: Request | None = None
        self._main_pending = False  # asked for while a fetch was in flight, or held
        self._range_pending: list[UsageQuery] = []
        self._forecast_pending = False
        self._team_today_enabled = team_today
        self._team_today_pending = False
        self._team_today_due_at: float | None = None  # None: at the next good admin poll
        self.member = False  # in member mode (see the class's docstring)
        self._last_manual = -1e9
        self.blocked = False  # 401/403/no token: wait for the user
        self.paused = False
        self.running = False
        self._last_success: datetime | None = None
        self._wall_mark = (clock().timestamp(), monotonic())
        #: Seconds the main timer waits (for views and tests); None: no next poll.
        self.next_delay: float | None = None
        #: What the main timer should wait now (None: stopped); re-read when `arms` changes.
        self.armed_delay: float | None = None
        self._armed_at = 0.0  # when the main timer was armed
        self.arms = 0
        self.tasks = TaskChannel(
            clock=clock,
            monotonic=monotonic,
            interval=lambda: self.schedule.interval_seconds,
            today_enabled=today_tasks,
        )

    # --- what is asked ------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self.in_flight is not None

    def start(self) -> None:
        self.running = True
        self.ask_main()  # a range asked for before the start follows it

    def stop(self) -> None:
        """Nothing more is sent; an answer still on its way is forgotten."""
        self.running = False
        self.in_flight = None
        self._disarm()

    def ask_main(self) -> None:
        """A main poll now (the timer, a start, a resume); never a second one in flight."""
        if self.paused or not self.running:
            return
        if self.in_flight is not None and self.in_flight.channel is Channel.MAIN:
            return  # the answer on its way is the one asked for
        self._main_pending = True

    def ask_range(self, query: UsageQuery) -> None:
        if query in self._range_pending:
            return
        self._range_pending.append(query)
        del self._range_pending[:-MAX_PENDING_RANGES]  # an old range nobody waits for

    def ask_tasks(self, start: datetime, end: datetime) -> TaskListing | None:
        """A window's task listing (the detail window's); while the account is blocked it is
        answered at once, unavailable (its pages would fail too)."""
        if self.blocked:
            return self.tasks.abandon_window(start, end)
        self.tasks.ask_window(start, end)
        return None

    def refresh(self) -> bool | RefreshNote:
        """A user's "Refresh now": True when a main poll is asked; False when one is already on
        its way (its answer comes); else why not, and until when."""
        if self.busy:
            return False
        held = self.held_until
        if held is not None:
            return RefreshNote(RefreshRefusal.RATE_LIMITED, held)
        left = self._cooldown - (self._monotonic() - self._last_manual)
        if left > 0:
            return RefreshNote(
                RefreshRefusal.JUST_REFRESHED, self._clock() + timedelta(seconds=left)
            )
        self._last_manual = self._monotonic()
        self.blocked = False
        self.ask_main()
        return True

    def data_is_old(self) -> bool:
        """Whether the menu opening should fetch: the data is older than the interval."""
        interval = self.schedule.interval_seconds
        if interval is None or self.blocked or self.paused or self.busy:
            return False
        last = self._last_success
        return last is None or (self._clock() - last).total_seconds() >= interval

    def set_interval(self, seconds: float | None) -> None:
        self.schedule.interval_seconds = seconds
        self.schedule.reset()
        if not self.busy and not self.blocked:
            self._arm(seconds)

    def set_paused(self, paused: bool) -> None:
        self.paused = paused
        if paused:
            self._disarm()
            self.next_delay = None
        elif not self.busy:
            self.ask_main()

    def reconfigure(self) -> None:
        """New token, URL or scheme: forget the block, the backoff and member mode (another
        token may be an admin's), fetch at once."""
        self.blocked = False
        self.member = False
        self._team_today_due_at = None
        self.schedule.reset()
        if not self.busy and self.running:
            self.ask_main()

    def resume(self) -> None:
        """After a suspend, or the network coming back: fetch now with the backoff forgotten."""
        if not self.blocked and not self.busy:
            self.schedule.reset()
            self.ask_main()

    def clock_jumped(self) -> bool:
        """Whether the wall clock ran ahead of monotonic time since the last look (a suspend)."""
        wall, mono = self._clock().timestamp(), self._monotonic()
        last_wall, last_mono = self._wall_mark
        self._wall_mark = (wall, mono)
        return abs((wall - last_wall) - (mono - last_mono)) > CLOCK_JUMP_SECONDS

    @property
    def held_until(self) -> datetime | None:
        """When the server's Retry-After ends (wall clock); None when nothing holds requests."""
        if self._hold_until is None or self._monotonic() >= self._hold_until:
            return None
        return self._hold_until_wall

    # --- what to send -------------------------------------------------------------------------
    def next_request(self) -> Request | Hold | None:
        """What to send now, the main poll first; None when nothing (more) may go now."""
        if self.busy or not self.running:
            return None
        if self._hold_until is not None:
            left = self._hold_until - self._monotonic()
            if left > 0:
                return Hold(left)
            self._hold_until = self._hold_until_wall = None
        if self._main_pending and not self.paused:
            self._main_pending = False
            self._disarm()
            self.next_delay = None
            return self._send(Channel.MAIN, UsageQuery())
        if self.blocked:
            return None
        if self._forecast_pending:
            self._forecast_pending = False
            return self._send(Channel.FORECAST, window_query(self._clock()))
        if self._team_today_pending:
            self._team_today_pending = False
            return self._send(Channel.TEAM_TODAY, today_query(self._clock()))
        if self._range_pending:
            return self._send(Channel.RANGE, self._range_pending.pop(0))
        page = self.tasks.next_page()
        if page is not None:
            return self._send(Channel.TASKS, page)
        return None

    def _send(self, channel: Channel, query: UsageQuery | TaskPageQuery) -> Request:
        self._last_request_id += 1
        member = channel is Channel.MAIN and self.member
        self.in_flight = Request(self._last_request_id, channel, query, member)
        return self.in_flight

    # --- what an answer triggers --------------------------------------------------------------
    def finish(
        self,
        request_id: int,
        result: Snapshot | MemberSnapshot | PollError | TasksPage | PageFailure,
    ) -> Finished | None:
        """Take the answer to `request_id`; None when it is stale (not the one in flight)."""
        request = self.in_flight
        if request is None or request.request_id != request_id:
            return None
        self.in_flight = None
        if isinstance(result, PollError | PageFailure) and result.retry_after is not None:
            self._hold(result.retry_after)
        if request.channel is Channel.TASKS:
            assert isinstance(result, TasksPage | PageFailure)
            ended = self.tasks.on_answer(result)
            if ended is None:
                return Finished(Channel.TASKS, result, False)
            if ended.today:
                return Finished(Channel.TASKS, result, False, today_tasks=ended.listing)
            return Finished(Channel.TASKS, result, False, window_tasks=(ended.listing,))
        failed = False
        if request.channel is Channel.MAIN:
            assert isinstance(result, Snapshot | MemberSnapshot | PollError)
            if isinstance(result, Snapshot | MemberSnapshot):
                self._last_success = result.fetched_at
                self.blocked = False
                self._arm(self.schedule.after_success())
            if isinstance(result, Snapshot):
                self.member = False
                self._forecast_if_due(result)
                self._team_today_if_due(result)
                self.tasks.after_good_poll()
            elif isinstance(result, MemberSnapshot):
                # The usage endpoints answer a member 403: nothing but the next poll follows
                # (a range asked before the answer neither: the window says why it has none).
                self.member = True
                self._range_pending.clear()
                self._forecast_pending = False
                self._drop_team_today()
            else:
                failed = True
                # A passing failure keeps member mode (its `/user` failed, or the network); one
                # that needs the user (a 403 without a cap, a 401) ends it, as the views do.
                self.member = self.member and not result.needs_user_action
                self._drop_team_today()  # never while the account backs off
                self.tasks.backing_off()
            return self._finished(request.channel, result, failed)
        assert isinstance(result, Snapshot | PollError)
        if request.channel is Channel.RANGE:
            # The token or the settings are wrong for every fetch: the account's failure (but a
            # member's 403 is what the usage endpoints always answer a member: the range's own).
            if isinstance(result, PollError):
                member_403 = self.member and result.kind is ErrorKind.NO_PERMISSION
                failed = result.needs_user_action and not member_403
        elif request.channel is Channel.TEAM_TODAY:
            pass  # its failure is never the account's: the radar says "unavailable"
        elif isinstance(result, PollError):  # the forecast: never a block or a backoff
            self._forecast_due_at = self._monotonic() + (
                (self._forecast_seconds or 0.0) / FORECAST_RETRY_PART
            )
        return self._finished(request.channel, result, failed)

    def _finished(
        self,
        channel: Channel,
        result: Snapshot | MemberSnapshot | PollError,
        failed: bool,
    ) -> Finished:
        """A summary channel's answer: an account's failure arms the backoff (or blocks)."""
        if failed:
            assert isinstance(result, PollError)
            self.blocked = result.needs_user_action
            self._arm(self.schedule.after_failure(result))
        abandoned: tuple[TaskListing, ...] = ()
        if self.blocked:
            self._range_pending.clear()
            self._forecast_pending = False
            self._drop_team_today()
            abandoned = self.tasks.abandon()
        return Finished(channel, result, failed, window_tasks=abandoned)

    def _team_today_if_due(self, snapshot: Snapshot) -> None:
        """An admin's summary of today (the radar), after a good poll whose summary has
        `by_email`: at most once per poll interval (after each good poll when polling is
        manual); its due time is kept from one poll to the next."""
        if not self._team_today_enabled or not has_team(snapshot.summary):
            return
        now = self._monotonic()
        if self._team_today_due_at is None or now >= self._team_today_due_at:
            self._team_today_pending = True
            interval = self.schedule.interval_seconds
            self._team_today_due_at = None if interval is None else now + interval

    def _forecast_if_due(self, snapshot: Snapshot) -> None:
        """The forecast's window at most once an interval, and again when the rules' credit epoch
        changes (a reset or top-up that brought credits back; jitter and left-out figures don't)."""
        if self._forecast_seconds is None:
            return
        epoch, changed = credit_epoch(snapshot, self._credit_epoch)
        if epoch is not None:
            self._credit_epoch = epoch
        due = self._forecast_due_at is None or self._monotonic() >= self._forecast_due_at
        if due or changed:
            self._forecast_pending = True
            self._forecast_due_at = self._monotonic() + self._forecast_seconds

    def _drop_team_today(self) -> None:
        """Today's team summary, due but not sent, waits for the next good admin poll (which
        may send it at once: what was not sent does not count against the interval)."""
        if self._team_today_pending:
            self._team_today_pending = False
            self._team_today_due_at = None

    def _hold(self, seconds: float) -> None:
        """The server said when to ask again: nothing of this account goes before (the main
        poll's timer is pushed past it; a range or forecast 429 binds the main poll too)."""
        seconds = max(0.0, seconds)
        until = self._monotonic() + seconds
        if self._hold_until is None or until > self._hold_until:
            self._hold_until = until
            self._hold_until_wall = self._clock() + timedelta(seconds=seconds)
        if self.armed_delay is not None and self._armed_at + self.armed_delay < until:
            self._arm(seconds)

    # --- the main timer -----------------------------------------------------------------------
    def _arm(self, delay: float | None) -> None:
        self.next_delay = delay
        if delay is None or self.paused or not self.running:
            self._disarm()
            return
        self._armed_at = self._monotonic()
        self.armed_delay = max(0.0, delay)
        self.arms += 1

    def _disarm(self) -> None:
        if self.armed_delay is not None:
            self.armed_delay = None
            self.arms += 1
