from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from desktop.core.query import AuthScheme
from desktop.core.settings import Settings
from desktop.system import settings_store


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
    assert loaded.settings == Settings()
    assert loaded.problem is not None
    assert "damaged" in loaded.problem
    assert str(path) in loaded.problem
    assert loaded.address_lost
    assert path.read_text() == content  # reading changes nothing on disk
    assert not list(tmp_path.glob("settings.json.corrupt-*"))
    settings_store.repair(loaded)
    assert settings_store.load(path) == settings_store.LoadedSettings(Settings())
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
    assert loaded.address_lost  # the address in it was not usable: never fall back silently
    assert loaded.problem is not None
    assert "invalid" in loaded.problem
    settings_store.repair(loaded)
    assert settings_store.load(path).problem is None  # repaired once the user was told


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
    assert [(a.name, a.base_url) for a in loaded.settings.accounts] == [
        ("Personal", "https://neo.example.test"),
        ("Globex", None),
    ]
    assert loaded.address_lost  # Globex's token must not go to the public API unasked


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
    assert loaded.settings == Settings()


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
