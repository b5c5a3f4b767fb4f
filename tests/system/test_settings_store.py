from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from desktop.core import accounts
from desktop.core.accounts import DEFAULT_ACCOUNT, Account
from desktop.core.query import AuthScheme
from desktop.core.settings import Settings
from desktop.system import settings_store

LOST_DEFAULT = Settings(accounts=(DEFAULT_ACCOUNT.model_copy(update={"address_lost": True}),))


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    loaded = settings_store.load(tmp_path / "settings.json")
    assert loaded.settings == Settings()
    assert loaded.problem is None


def test_round_trip_and_no_token_field(tmp_path: Path) -> None:
    path = tmp_path / "cfg" / "settings.json"
    settings = Settings(
        auth_scheme=AuthScheme.X_API_KEY,
        poll_interval_minutes=15,
        base_url="https://neo.example.test/",
    )
    settings_store.save(settings, path)
    assert settings_store.load(path).settings == settings
    data = json.loads(path.read_text())
    assert data["accounts"][0]["base_url"] == "https://neo.example.test"
    assert "base_url" not in data
    assert "token" not in json.dumps(data)
    assert [p.name for p in path.parent.iterdir()] == ["settings.json"]  # no temp file left


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", "null", "", "\x00\x01"])
def test_a_corrupt_file_is_left_alone_until_repaired(tmp_path: Path, content: str) -> None:
    path = tmp_path / "settings.json"
    path.write_text(content)
    loaded = settings_store.load(path)
    assert loaded.settings == LOST_DEFAULT  # the defaults, but not the public address
    assert loaded.problem is not None
    assert "damaged" in loaded.problem
    assert str(path) in loaded.problem
    assert loaded.address_lost
    assert path.read_text() == content  # reading changes nothing on disk
    assert not list(tmp_path.glob("settings.json.corrupt-*"))
    settings_store.repair(loaded)
    # A lost address stays lost: the repaired file says so, and loads back as lost.
    assert settings_store.load(path) == settings_store.LoadedSettings(LOST_DEFAULT)
    backups = list(tmp_path.glob("settings.json.corrupt-*"))
    assert len(backups) == 1
    assert backups[0].read_text() == content


def test_invalid_fields_fall_back_one_by_one(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(
        json.dumps(
            {
                "poll_interval_minutes": 7,
                "auth_scheme": "x-api-key",
                "low_threshold": "lots",
                "base_url": "http://evil.test",
            }
        )
    )
    loaded = settings_store.load(path)
    assert loaded.settings.accounts[0].auth_scheme is AuthScheme.X_API_KEY
    assert loaded.settings.poll_interval_minutes == 5
    assert loaded.settings.low_threshold == 0.25
    assert loaded.settings.accounts[0].base_url is None
    assert loaded.settings.accounts[0].address_lost
    assert loaded.address_lost  # the address in it was not usable: never fall back silently
    assert loaded.problem is not None
    assert "invalid" in loaded.problem
    settings_store.repair(loaded)
    again = settings_store.load(path)
    assert again.problem is None  # repaired once the user was told
    assert again.settings.accounts[0].address_lost  # and still lost: never the public API
    assert accounts.base_url(again.settings.accounts[0], {}) == accounts.NO_ADDRESS


def test_invalid_fields_that_spare_the_address_keep_it(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"low_threshold": "lots", "base_url": "https://neo.example.test"}))
    loaded = settings_store.load(path)
    assert loaded.settings.accounts[0].base_url == "https://neo.example.test"
    assert not loaded.address_lost


def test_one_bad_account_spares_the_others(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    good = {"id": "a1b2c3d4", "name": "Personal", "base_url": "https://neo.example.test"}
    nameless = {"id": "e5f6a7b8", "name": "", "base_url": "https://acme.example.test"}
    bad_address = {"id": "0a0b0c0d", "name": "Globex", "base_url": "http://evil.test"}
    path.write_text(json.dumps({"accounts": [good, nameless, bad_address, "junk"]}))
    loaded = settings_store.load(path)
    assert [(a.name, a.base_url, a.address_lost) for a in loaded.settings.accounts] == [
        ("Personal", "https://neo.example.test", False),
        ("Globex", None, True),
    ]
    assert loaded.address_lost  # Globex's token must not go to the public API unasked
    assert loaded.settings.accounts_set_aside == (nameless, "junk")  # kept, never used
    settings_store.repair(loaded)
    assert json.loads(path.read_text())["accounts_set_aside"] == [nameless, "junk"]
    assert settings_store.load(path).settings == loaded.settings


def test_first_release_file_is_migrated_by_the_tray_only(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    old = (Path(__file__).parent.parent / "fixtures" / "settings-v0.1.json").read_text()
    path.write_text(old)
    loaded = settings_store.load(path)
    assert loaded.migrated
    assert loaded.problem is None
    assert path.read_text() == old  # loading (and --once) never writes
    (account,) = loaded.settings.accounts
    assert (account.id, account.name) == ("default", "Default")
    assert account.base_url == "https://neo.example.test"
    assert account.auth_scheme is AuthScheme.X_API_KEY
    assert loaded.settings.poll_interval_minutes == 15
    assert settings_store.migrate(loaded, path)
    again = settings_store.load(path)
    assert not again.migrated
    assert again.settings == loaded.settings


def test_unreadable_file_does_not_crash(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.mkdir()  # a directory where the file should be
    loaded = settings_store.load(path)
    assert loaded.settings == LOST_DEFAULT


@pytest.mark.parametrize(
    "fields",
    [
        {"poll_interval_minutes": 3},
        {"low_threshold": 0.1, "critical_threshold": 0.2},
        {"base_url": "http://neo.example.test"},
        {"auth_scheme": "basic"},
        {"accounts": []},
        {"accounts": [{"id": "Bad Id", "name": "x"}]},
    ],
)
def test_settings_validation(fields: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Settings.model_validate(fields)


# --- validated on load: a bad value is replaced by its default, logged, and said once ----------


def load_written(path: Path, data: object) -> settings_store.LoadedSettings:
    path.write_text(json.dumps(data))
    return settings_store.load(path)


def test_an_out_of_range_warning_day_leaves_the_rules_working(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The report: `expiry_warning_days` out of range was accepted, then raised on every poll,
    so the critical-credit notification was never sent (6 % left)."""
    from desktop.core.account_rules import token_tag
    from desktop.core.models import parse_summary
    from desktop.core.rules.catalogue import Rule
    from desktop.core.rules.decisions import evaluate
    from desktop.core.rules.memory import AccountContext, NotifyMemory
    from desktop.core.snapshot import Snapshot

    path = tmp_path / "settings.json"
    loaded = load_written(path, {"expiry_warning_days": [1_000_000_000], "low_threshold": 0.3})
    assert loaded.settings.expiry_warning_days == (7, 1)  # the default
    assert loaded.settings.low_threshold == 0.3  # the rest is kept
    assert loaded.problem is not None  # told once (the tray shows it, then repairs)
    assert "expiry_warning_days" in caplog.text
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    body = {
        "by_model": {},
        "by_status": {},
        "total_neo_credits": 0,
        "total_tasks": 0,
        "total_available_neo_credits": 60,
        "total_issued_neo_credits": 1000,
        "last_credit_reset": "2026-11-01T00:00:00Z",
        "neo_credits_expires_at": "2027-03-01T00:00:00Z",
    }
    snapshot = Snapshot(parse_summary(json.dumps(body)), now)
    context = AccountContext("https://neo.example.test", token_tag("secret-token"))
    notes, _memory = evaluate(NotifyMemory(), context, snapshot, now, loaded.settings)
    assert [note.rule for note in notes] == [Rule.CRITICAL]
    settings_store.repair(loaded)
    assert settings_store.load(path).problem is None  # said once


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ({"low_threshold": 0.1, "critical_threshold": 0.2}, (0.25, 0.10)),  # both reset
        ({"critical_threshold": 0.2, "low_threshold": 0.1}, (0.25, 0.10)),  # in any order
        ({"low_threshold": 0.05}, (0.25, 0.10)),  # below the default critical: both reset
        ({"low_threshold": 0.05, "critical_threshold": 0.02}, (0.05, 0.02)),  # a fine pair
        ({"low_threshold": 0.05, "critical_threshold": True}, (0.25, 0.10)),
        ({"low_threshold": "0.3", "critical_threshold": 0.2}, (0.25, 0.2)),
    ],
)
def test_thresholds_out_of_order_both_go_back_to_their_defaults(
    tmp_path: Path, stored: dict[str, object], expected: tuple[float, float]
) -> None:
    settings = load_written(tmp_path / "settings.json", stored).settings
    assert (settings.low_threshold, settings.critical_threshold) == expected


def test_each_bad_value_falls_back_alone_and_is_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    stored = {
        "poll_interval_minutes": True,  # was read as 1 minute
        "start_at_login": "false",  # was read as False by luck, "yes" as True
        "notifications": {"empty": False, "low_credit": 5, "reset": "no"},
        "language": "tlh",
        "icon_style": "sparkly",
        "default_range": "last_7_days",
    }
    loaded = load_written(tmp_path / "settings.json", stored)
    settings = loaded.settings
    assert settings.poll_interval_minutes == 5
    assert settings.start_at_login is False
    assert settings.notifications.empty is False  # a good switch survives a bad neighbour
    assert settings.notifications.low_credit is True
    assert settings.notifications.reset is True
    assert settings.language == ""
    assert settings.icon_style == Settings().icon_style
    assert settings.default_range == "last_7_days"
    for name in ("poll_interval_minutes", "start_at_login", "low_credit", "reset", "language"):
        assert name in caplog.text
    assert loaded.problem is not None


def test_names_with_one_key_are_told_apart_on_load_and_nothing_is_dropped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "settings.json"
    listed = [
        {"id": "a1b2c3d4", "name": "Acme", "base_url": "https://acme.example.test"},
        {"id": "e5f6a7b8", "name": "ＡＣＭＥ", "base_url": "https://other.example.test"},
        {"id": "0a0b0c0d", "name": "acme"},
        {"id": "1a1b1c1d", "name": "Acme (2)"},
    ]
    loaded = load_written(path, {"accounts": listed})
    assert [(a.id, a.name) for a in loaded.settings.accounts] == [
        ("a1b2c3d4", "Acme"),
        ("e5f6a7b8", "ＡＣＭＥ (3)"),  # "(2)" is another account's name
        ("0a0b0c0d", "acme (4)"),
        ("1a1b1c1d", "Acme (2)"),
    ]
    assert loaded.settings.accounts[1].base_url == "https://other.example.test"
    assert "ＡＣＭＥ (3)" in caplog.text
    assert loaded.problem is not None
    settings_store.repair(loaded)
    assert settings_store.load(path).settings == loaded.settings


def test_accounts_that_cannot_be_read_are_set_aside_and_the_rest_kept(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    twice = {"id": "a1b2c3d4", "name": "Twice"}
    listed = [
        {"id": "a1b2c3d4", "name": "Personal", "auth_scheme": "basic"},
        twice,
        {"id": "e5f6a7b8", "name": "\u3164"},  # shows nothing: an empty name
        {"id": "0a0b0c0d", "name": "Query", "base_url": "https://q.example.test/?team=1"},
        {"id": "1a1b1c1d", "name": "Marked", "address_lost": "yes"},
    ]
    loaded = load_written(path, {"accounts": listed, "accounts_set_aside": [{"old": 1}]})
    personal, query, marked = loaded.settings.accounts
    assert personal.auth_scheme is AuthScheme.BEARER  # a bad header: the default
    assert not personal.address_lost
    assert (query.name, query.base_url, query.address_lost) == ("Query", None, True)
    assert marked.address_lost  # a marker that cannot be read is a loss, never the default
    assert loaded.address_lost
    assert loaded.settings.accounts_set_aside == ({"old": 1}, twice, listed[2])


@pytest.mark.parametrize("stored", [[], "Personal", [{"id": "a1b2c3d4", "name": ""}]])
def test_no_readable_account_is_default_without_an_address(tmp_path: Path, stored: object) -> None:
    loaded = load_written(tmp_path / "settings.json", {"accounts": stored})
    assert loaded.settings.accounts == LOST_DEFAULT.accounts
    assert loaded.address_lost


def test_files_of_earlier_versions_keep_their_addresses(tmp_path: Path) -> None:
    earlier = {
        "accounts": [
            {"id": "default", "name": "Personal", "base_url": None, "auth_scheme": "bearer"},
            {"id": "e5f6a7b8", "name": "Acme", "base_url": "https://acme.example.test"},
        ]
    }
    loaded = load_written(tmp_path / "settings.json", earlier)
    assert loaded.problem is None
    assert not loaded.address_lost
    personal, acme = loaded.settings.accounts
    assert accounts.base_url(personal, {}) == "https://neo.api.projectdiscovery.io"
    assert accounts.base_url(acme, {}) == "https://acme.example.test"


def test_setting_an_address_ends_the_loss(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    loaded = load_written(path, {"accounts": [{"id": "default", "name": "D", "base_url": 5}]})
    settings_store.repair(loaded)
    lost = settings_store.load(path).settings.accounts[0]
    assert lost.address_lost
    assert accounts.base_url(lost, {"NEO_API_URL": "https://env.example.test"}) == (
        "https://env.example.test"  # the environment still wins
    )
    found = Account.model_validate({**lost.model_dump(), "base_url": "https://x.example.test"})
    assert not found.address_lost
    settings_store.save(Settings(accounts=(found,)), path)
    assert not settings_store.load(path).settings.accounts[0].address_lost
