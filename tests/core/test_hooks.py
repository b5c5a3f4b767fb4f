"""The event hook's pure part as tables (issue 30): its environment, figures as scripts read them,
the command line, the snoozed notifications hooked once, and an account's Neo web address."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from desktop.core import hooks, settings_form, text_fit, validators
from desktop.core.account_rules import token_tag
from desktop.core.accounts import DEFAULT_WEB_URL, Account, validate_web_url
from desktop.core.hooks import HookEvent, HookOutcome
from desktop.core.levels import CreditLevel, Thresholds
from desktop.core.member import MemberSnapshot
from desktop.core.member_rules import MemberCap, MemberProfile
from desktop.core.models import parse_summary
from desktop.core.rules.catalogue import Rule
from desktop.core.rules.decisions import evaluate
from desktop.core.rules.memory import AccountContext, NotifyMemory, snooze_for_an_hour
from desktop.core.rules.messages import Notification
from desktop.core.settings import Settings
from desktop.core.snapshot import Snapshot
from tests.helpers.hooks import secret_test

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
TOKEN = "neo_sk_live_0123456789abcdefghij"
CONTEXT = AccountContext("https://neo.example.test", token_tag(TOKEN))
EVENT = HookEvent(
    "low",
    "Work",
    "Neo credits running low",
    "Left: 150 of 1,000 credits (15%).",
    CreditLevel.LOW,
    150.0,
    1000.0,
    datetime(2027, 3, 1, tzinfo=UTC),
)


def snap(available: float, expires: str | None = "2027-03-01T00:00:00Z") -> Snapshot:
    body: dict[str, Any] = {
        "by_model": {},
        "by_status": {},
        "total_neo_credits": 0,
        "total_tasks": 0,
        "total_available_neo_credits": available,
        "total_issued_neo_credits": 1000,
        "last_credit_reset": "2026-11-01T00:00:00Z",
        "neo_credits_expires_at": expires,
    }
    return Snapshot(parse_summary(json.dumps(body)), T0)


# --- the environment ----------------------------------------------------------------------------
def test_the_event_variables_are_the_documented_ones() -> None:
    assert hooks.event_variables(EVENT) == {
        "NEO_EVENT": "low",
        "NEO_ACCOUNT": "Work",
        "NEO_TITLE": "Neo credits running low",
        "NEO_BODY": "Left: 150 of 1,000 credits (15%).",
        "NEO_LEVEL": "low",
        "NEO_AVAILABLE_CREDITS": "150",
        "NEO_ISSUED_CREDITS": "1000",
        "NEO_EXPIRES_AT": "2027-03-01T00:00:00Z",
        "NEO_CAP_LIMIT_USD": "",  # not in member mode
        "NEO_CAP_USED_USD": "",
        "NEO_CAP_REMAINING_USD": "",
    }
    assert tuple(hooks.event_variables(EVENT)) == hooks.EVENT_VARIABLES


def test_unknown_figures_and_a_credit_that_never_expires_are_empty() -> None:
    variables = hooks.event_variables(HookEvent("auth_failed", "Work", "t", "b"))
    assert {name: variables[name] for name in hooks.EVENT_VARIABLES[4:]} == dict.fromkeys(
        hooks.EVENT_VARIABLES[4:], ""
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (0.0, "0"),
        (-0.0, "0"),
        (1200.0, "1200"),
        (1234.5, "1234.5"),
        (1234567.25, "1234567.25"),  # no grouping
        (1e20, "100000000000000000000"),  # no exponent
        (1e-7, "0.0000001"),
        (0.1 + 0.2, "0.30000000000000004"),  # the float as it is, never rounded away
        (-3.0, "-3"),
        (float("nan"), ""),
        (float("inf"), ""),
    ],
)
def test_credits_are_plain_decimals(value: float | None, text: str) -> None:
    assert hooks.credits_text(value) == text


def test_the_environment_is_the_apps_without_the_token_nor_known_secrets() -> None:
    base = {
        "PATH": "/usr/bin",
        "HOME": "/home/me",
        "NEO_API_TOKEN": "anything at all",
        "OTHER_TOKEN_COPY": TOKEN,
        "HAS_IT_INSIDE": f"Bearer {TOKEN}",
        "A_PIECE": TOKEN[3:20],  # 12+ characters of it: the log would redact it too
        "NEO_EVENT": "spoofed",
        "NUL_VALUE": "a\0b",
    }
    env = hooks.hook_environment(EVENT, base, secret_test([TOKEN]))
    assert "NEO_API_TOKEN" not in env
    assert not any(TOKEN[i : i + 12] in value for value in env.values() for i in range(20))
    assert {"OTHER_TOKEN_COPY", "HAS_IT_INSIDE", "A_PIECE"}.isdisjoint(env)
    assert env["PATH"] == "/usr/bin"
    assert env["HOME"] == "/home/me"
    assert env["NEO_EVENT"] == "low"  # the app's, never the inherited one
    assert env["NUL_VALUE"] == "a\ufffdb"


@pytest.mark.parametrize("name", ["", "A=B", "A\0B", "A\udc80"])
def test_a_name_execve_cannot_carry_is_left_out(name: str) -> None:
    env = hooks.hook_environment(EVENT, {name: "x", "KEPT": "y"}, lambda _value: False)
    assert name not in env
    assert env["KEPT"] == "y"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("plain", "plain"),
        ("nul\0inside", "nul\ufffdinside"),
        ("lone \udc80 surrogate", "lone \ufffd surrogate"),
        ("emoji 🙂 and ü", "emoji 🙂 and ü"),
        ("line\nbreak", "line\nbreak"),
    ],
)
def test_values_are_text_execve_can_carry(text: str, value: str) -> None:
    event = EVENT._replace(title=text, body=text, account=text)
    env = hooks.event_variables(event)
    assert env["NEO_TITLE"] == env["NEO_BODY"] == env["NEO_ACCOUNT"] == value
    for item in env.values():
        item.encode("utf-8")  # strict: no surrogate left


def test_a_huge_body_is_cut() -> None:
    env = hooks.event_variables(EVENT._replace(body="x" * 1_000_000))
    assert len(env["NEO_BODY"]) == hooks.TEXT_LIMIT


def test_the_event_takes_the_accounts_latest_summary() -> None:
    note = Notification(Rule.CRITICAL, "Neo credits almost gone", "Left: 40.")
    event = hooks.hook_event(note, "Work", snap(40.5), Thresholds(), T0)
    assert event == HookEvent(
        "critical",
        "Work",
        "Neo credits almost gone",
        "Left: 40.",
        CreditLevel.CRITICAL,
        40.5,
        1000.0,
        datetime(2027, 3, 1, tzinfo=UTC),
    )
    never = hooks.hook_event(note, "Work", snap(40.5, expires=None), Thresholds(), T0)
    assert hooks.event_variables(never)["NEO_EXPIRES_AT"] == ""
    unknown = hooks.hook_event(note, "Work", None, Thresholds(), T0)
    assert hooks.event_variables(unknown)["NEO_LEVEL"] == ""


def test_every_rule_is_an_event_id() -> None:
    assert set(hooks.EVENT_IDS) == {rule.value for rule in Rule} | {"test"}
    assert hooks.trial_event("Work").event == hooks.TEST_EVENT == "test"


# --- the command line -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("line", "command"),
    [
        ("", ()),
        ("   ", ()),
        ("notify-me", ("notify-me",)),
        (
            "/bin/sh -c 'echo \"$NEO_EVENT\" >> ~/log'",
            ("/bin/sh", "-c", 'echo "$NEO_EVENT" >> ~/log'),
        ),
        ("a 'b c' d\\ e", ("a", "b c", "d e")),
        ("curl -d '' x", ("curl", "-d", "", "x")),  # an empty argument is one
        ("echo ; rm -rf /", ("echo", ";", "rm", "-rf", "/")),  # no shell: just arguments
        ("echo # not a comment", ("echo", "#", "not", "a", "comment")),
    ],
)
def test_the_command_line_is_split_like_a_shell_but_never_run_by_one(
    line: str, command: tuple[str, ...]
) -> None:
    assert hooks.parse_command(line) == command
    assert hooks.parse_command(hooks.command_line(command)) == command


@pytest.mark.parametrize(
    "line",
    ["echo 'open", 'echo "open', "echo \\", "'' arg", "a\0b", "x " * 65, "a" * 4097],
)
def test_a_command_line_that_cannot_be_read_is_refused_with_a_sentence(line: str) -> None:
    with pytest.raises(ValueError, match=r"\w+ \w+"):
        hooks.parse_command(line)


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ([], True),
        (["prog"], True),
        (["prog", ""], True),
        ([" "], False),
        ("prog", False),  # a string is not a list of arguments
        ([1], False),
        (["a\0"], False),
        (["a"] * 64, True),
        (["a"] * 65, False),
        (["a" * 4096], True),
        (["a" * 4097], False),
        (["a" * 4000] * 5, False),  # 20,000 characters in all
    ],
)
def test_the_stored_command_has_bounds(value: object, ok: bool) -> None:
    if ok:
        assert isinstance(value, list)
        assert Settings.model_validate({"hook_command": value}).hook_command == tuple(value)
    else:
        with pytest.raises(ValueError, match="event hook"):
            validators.hook_command(value)
        with pytest.raises(ValidationError, match="hook_command"):
            Settings.model_validate({"hook_command": value})


def test_the_settings_form_takes_the_command_line() -> None:
    form = settings_form.SettingsForm(
        account_id="default",
        base_url="",
        auth_scheme=None,
        tray_account=None,
        poll_interval_minutes=5,
        low_percent=20,
        critical_percent=5,
        notifications={},
        default_range="last_30_days",
        default_group_by="day",
        start_at_login=False,
        icon_content="ring",
        icon_style="colour",
        icon_tone="auto",
        language="",
        web_url="https://neo.example.com/",
        hook_line="notify 'a b'",
    )
    merged = settings_form.merged(Settings(), form)
    assert isinstance(merged, Settings)
    assert merged.hook_command == ("notify", "a b")
    assert merged.accounts[0].web_url == "https://neo.example.com"
    refused = settings_form.merged(
        Settings(), form.__class__(**{**form.__dict__, "hook_line": "'"})
    )
    assert isinstance(refused, settings_form.Refused)
    assert "quote" in refused.reason
    http = settings_form.merged(
        Settings(), form.__class__(**{**form.__dict__, "web_url": "http://neo.example.com"})
    )
    assert isinstance(http, settings_form.Refused)
    assert "https://" in http.reason


# --- the web address --------------------------------------------------------------------------
HTTPS_ONLY = "must be an https:// address"


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        ("https://neo.projectdiscovery.io", "https://neo.projectdiscovery.io"),
        (" https://neo.example.com/ ", "https://neo.example.com"),
        ("https://neo.example.com:8443/app", "https://neo.example.com:8443/app"),
        ("HTTPS://neo.example.com", "HTTPS://neo.example.com"),
        # A page link (issue 30's tester): a query and a fragment are kept as they are.
        ("https://neo.example.com/x?y=1", "https://neo.example.com/x?y=1"),
        ("https://neo.example.com/#x", "https://neo.example.com/#x"),
        ("https://neo.example.com/app/?team=a/", "https://neo.example.com/app/?team=a/"),
        ("https://neo.example.com/a@b", "https://neo.example.com/a@b"),  # not credentials
        # A space is percent-encoded, as a browser does (an encoded one stays).
        ("https://neo.example.com/a b", "https://neo.example.com/a%20b"),
        ("https://neo.example.com/a%20b?q=x y", "https://neo.example.com/a%20b?q=x%20y"),
        ("http://neo.example.com", HTTPS_ONLY),  # https only
        ("http://127.0.0.1:8080", HTTPS_ONLY),  # even on this computer
        ("javascript:alert(1)", HTTPS_ONLY),
        ("file:///etc/passwd", HTTPS_ONLY),
        ("ftp://neo.example.com", HTTPS_ONLY),
        ("https://", HTTPS_ONLY),
        ("https://neo.example.com:99999", HTTPS_ONLY),
        ("neo.example.com", HTTPS_ONLY),
        ("https://user:s3cr3t@neo.example.com", "user name or password"),
        ("https://user@neo.example.com/x", "user name or password"),
        ("http://user:s3cr3t@neo.example.com:bad", "user name or password"),
        ("https://neo example.com", "space in its host name"),
        ("https://neo.example.com/%00", "control characters"),
        ("https://neo.example.com/a\tb", "control characters"),
        ("https://neo.example.com/a\u2028b", "control characters"),
    ],
)
def test_the_web_address_is_an_https_page_link(value: str, kept: str) -> None:
    """`kept`: what the account keeps, or (not an address) the words of the refusal, which
    never repeats a user name or password."""
    if kept.startswith(("https://", "HTTPS://")):
        assert validate_web_url(value) == kept
        assert Account(id="a", name="A", web_url=value).web_url == kept
        return
    with pytest.raises(ValueError, match=re.escape(kept)) as refused:
        validate_web_url(value)
    with pytest.raises(ValidationError, match=re.escape(kept)):
        Account(id="a", name="A", web_url=value)
    assert "s3cr3t" not in str(refused.value)


def test_the_web_address_defaults_and_older_files_keep_their_shape() -> None:
    older = Account.model_validate({"id": "a", "name": "A"})
    assert older.web_url == DEFAULT_WEB_URL
    assert "web_url" not in older.model_dump(mode="json")  # the file as earlier versions wrote
    assert Account(id="a", name="A", web_url="  ").web_url == DEFAULT_WEB_URL
    own = Account(id="a", name="A", web_url="https://neo.example.com")
    assert Account.model_validate(own.model_dump(mode="json")) == own


# --- snoozed notifications --------------------------------------------------------------------
def test_a_snoozed_notification_is_hooked_once_and_not_again_when_shown() -> None:
    settings = Settings()
    snoozed = snooze_for_an_hour(NotifyMemory(), T0)
    remembered: dict[Any, None] = {}
    hooked: list[list[Rule]] = []
    memory = snoozed
    for minutes in (0, 5, 10):  # three polls while snoozed, credits low all along
        now = T0 + timedelta(minutes=minutes)
        notes, after = evaluate(memory, CONTEXT, snap(150), now, settings)
        assert notes == []  # the snooze holds the notification back
        would, would_memory = evaluate(
            NotifyMemory(memory.sent, memory.epochs, None, memory.caps),
            CONTEXT,
            snap(150),
            now,
            settings,
        )
        decision = hooks.while_snoozed(would, memory, would_memory, remembered)
        hooked.append([note.rule for note in decision.hooked])
        remembered, memory = decision.remembered, after
    assert hooked == [[Rule.LOW], [], []]
    # The snooze ends: the notification is shown, and its hook is not run a second time.
    later = T0 + timedelta(hours=2)
    notes, after = evaluate(memory, CONTEXT, snap(150), later, settings)
    assert [note.rule for note in notes] == [Rule.LOW]
    shown = hooks.when_shown(notes, memory, after, remembered)
    assert shown.hooked == ()
    assert shown.remembered == {}
    # A new crossing after that is hooked as it is shown.
    notes, final = evaluate(after, CONTEXT, snap(40), later, settings)
    assert [note.rule for note in hooks.when_shown(notes, after, final, {}).hooked] == [
        Rule.CRITICAL
    ]


def test_the_snoozed_memory_is_bounded() -> None:
    memory = NotifyMemory()
    remembered: dict[Any, None] = {}
    for index in range(hooks.HOOKED_LIMIT + 10):
        note = Notification(Rule.BIG_TASK, "t", "b")
        key = CONTEXT.key(Rule.BIG_TASK, (f"task-{index}",))
        would = NotifyMemory({key: "2026-11-25T12:00:00Z"})
        decision = hooks.while_snoozed([note], memory, would, remembered)
        assert decision.hooked == (note,)
        remembered = decision.remembered
    assert len(remembered) == hooks.HOOKED_LIMIT


# --- outcomes ---------------------------------------------------------------------------------
NO_PROGRAM = hooks.StartFailure.NO_PROGRAM
QT_WORDS = "Die Einrichtung des Kindprozesses ist fehlgeschlagen: execve: Datei nicht gefunden"


@pytest.mark.parametrize(
    ("outcome", "ok", "words", "line"),
    [
        (HookOutcome("low", 0), True, "The event hook ran and succeeded.", None),
        (
            HookOutcome("low", 3),
            False,
            "The event hook failed with exit status 3.",
            "Event hook failed: exit status 3 (low)",
        ),
        (
            HookOutcome("low", None, timed_out=True, timeout_seconds=10),
            False,
            "The event hook took longer than 10 s and was stopped.",
            "Event hook stopped after 10 s (low)",
        ),
        (
            HookOutcome("critical", None, error=QT_WORDS, not_started=NO_PROGRAM),
            False,
            "The event hook could not start: there is no such program.",
            "Event hook could not start: no such program (critical)",
        ),
        (
            HookOutcome("low", None, error="x", not_started=hooks.StartFailure.NOT_EXECUTABLE),
            False,
            "The event hook could not start: the program is not executable.",
            "Event hook could not start: not executable (low)",
        ),
        (
            HookOutcome("low", None, error="x", not_started=hooks.StartFailure.OTHER),
            False,
            "The event hook could not start; the log says why.",
            "Event hook could not start (low)",
        ),
        (
            HookOutcome("expiry_7d", None, error="crashed"),
            False,
            "The event hook ended abnormally (it crashed or was killed).",
            "Event hook crashed (expiry_7d)",
        ),
    ],
)
def test_outcomes_in_words(outcome: HookOutcome, ok: bool, words: str, line: str | None) -> None:
    """The Test's sentence, and the menu's line: one short line (at most the menu's width),
    the app's own words, never the system's (which go to the tooltip and the log)."""
    assert outcome.ok is ok
    assert hooks.outcome_text(outcome) == words
    if line is not None:
        assert hooks.failure_line(outcome) == line
        assert len(line) <= text_fit.MENU_LIMIT
        assert "execve" not in line
        details = hooks.failure_details(outcome)
        assert details.splitlines()[0] == words
        assert outcome.error in details if outcome.error else len(details.splitlines()) == 1


def test_the_failure_details_name_the_run_and_stay_lines_of_plain_text() -> None:
    outcome = HookOutcome(
        "low", 3, account="R&D\nteam", title="Work: Neo <b>low</b>", error="bad\x1b[31mthing"
    )
    assert hooks.failure_details(outcome).splitlines() == [
        "The event hook failed with exit status 3.",
        "It ran for R&D team: Work: Neo <b>low</b>",  # escaped where it lands (a Qt tooltip)
        "The system said: badthing",  # the escape sequence removed
    ]


# --- member mode, the Test's figures, `~/` (issue 30's tester) ----------------------------------
def member(limit: float, used: float, remaining: float) -> MemberSnapshot:
    cap = MemberCap(limit, used, remaining)
    return MemberSnapshot(MemberProfile("maya@acme.test", "Acme", cap, True), T0)


@pytest.mark.parametrize(
    ("cap", "level", "figures"),
    [
        ((75.0, 43.0, 32.0), "ok", ("75", "43", "32")),
        ((75.0, 72.5, 2.5), "critical", ("75", "72.5", "2.5")),
        ((75.0, 67.5, 7.5), "low", ("75", "67.5", "7.5")),
        ((75.0, 80.25, -5.25), "empty", ("75", "80.25", "-5.25")),  # over the cap, as sent
        ((0.0, 0.0, 5.0), "unknown", ("0", "0", "5")),  # no share of a zero limit
    ],
)
def test_a_member_mode_hook_gets_the_caps_figures_and_level(
    cap: tuple[float, float, float], level: str, figures: tuple[str, str, str]
) -> None:
    note = Notification(Rule.CAP_LOW, "Neo cap running low", "…")
    event = hooks.hook_event(note, "Maya", None, Thresholds(), T0, member=member(*cap))
    variables = hooks.event_variables(event)
    assert variables["NEO_LEVEL"] == level
    assert (
        variables["NEO_CAP_LIMIT_USD"],
        variables["NEO_CAP_USED_USD"],
        variables["NEO_CAP_REMAINING_USD"],
    ) == figures
    # No credits in member mode: the summary is not this account's to see.
    for name in ("NEO_AVAILABLE_CREDITS", "NEO_ISSUED_CREDITS", "NEO_EXPIRES_AT"):
        assert variables[name] == ""


def test_a_member_without_a_cap_and_a_summary_give_no_cap_figures() -> None:
    note = Notification(Rule.LOW, "t", "b")
    profile = MemberProfile("maya@acme.test", None, None, False)
    capless = hooks.hook_event(
        note, "Maya", None, Thresholds(), T0, member=MemberSnapshot(profile, T0)
    )
    assert hooks.event_variables(capless)["NEO_LEVEL"] == ""
    summary = hooks.event_variables(hooks.hook_event(note, "Work", snap(150), Thresholds(), T0))
    assert summary["NEO_LEVEL"] == "low"
    assert [summary[f"NEO_CAP_{name}_USD"] for name in ("LIMIT", "USED", "REMAINING")] == [""] * 3


def test_the_settings_test_sends_the_accounts_current_figures() -> None:
    bare = hooks.event_variables(hooks.trial_event("Work"))
    assert bare["NEO_EVENT"] == "test"
    assert bare["NEO_LEVEL"] == bare["NEO_AVAILABLE_CREDITS"] == ""
    with_summary = hooks.event_variables(hooks.trial_event("Work", snap(150), Thresholds(), T0))
    assert with_summary["NEO_EVENT"] == "test"
    assert (
        with_summary["NEO_LEVEL"],
        with_summary["NEO_AVAILABLE_CREDITS"],
        with_summary["NEO_ISSUED_CREDITS"],
        with_summary["NEO_EXPIRES_AT"],
    ) == ("low", "150", "1000", "2027-03-01T00:00:00Z")
    as_member = hooks.event_variables(
        hooks.trial_event("Maya", None, Thresholds(), T0, member=member(75.0, 43.0, 32.0))
    )
    assert (as_member["NEO_EVENT"], as_member["NEO_LEVEL"], as_member["NEO_CAP_REMAINING_USD"]) == (
        "test",
        "ok",
        "32",
    )


@pytest.mark.parametrize(
    ("line", "arguments"),
    [
        ("~/bin/neo-to-chat --all", ("/home/maya/bin/neo-to-chat", "--all")),
        ("'~/bin/my hook'", ("/home/maya/bin/my hook",)),
        ("~", ("~",)),  # only a program under the home folder: `~` alone is a name
        ("~maya/bin/x", ("~maya/bin/x",)),  # another user's home: never looked up
        ("notify ~/file", ("notify", "~/file")),  # arguments are passed as written
        ("/usr/bin/notify-send ~/x", ("/usr/bin/notify-send", "~/x")),
    ],
)
def test_a_program_under_the_home_folder_is_saved_with_its_full_path(
    line: str, arguments: tuple[str, ...]
) -> None:
    assert hooks.parse_command(line, home="/home/maya/") == arguments


def test_the_settings_form_saves_the_expanded_program() -> None:
    import os.path

    form = settings_form.SettingsForm(
        account_id="default",
        base_url="",
        auth_scheme=None,
        tray_account=None,
        poll_interval_minutes=5,
        low_percent=20,
        critical_percent=5,
        notifications={},
        default_range="last_30_days",
        default_group_by="day",
        start_at_login=False,
        icon_content="ring",
        icon_style="colour",
        icon_tone="auto",
        language="",
        hook_line="~/bin/hook x",
    )
    saved = settings_form.merged(Settings(), form)
    assert isinstance(saved, Settings)
    assert saved.hook_command == (os.path.expanduser("~/bin/hook"), "x")
    assert not saved.hook_command[0].startswith("~")
