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
    assert data["base_url"] == "https://neo.example.test"
    assert not any("token" in key for key in data)
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
    assert loaded.settings.auth_scheme is AuthScheme.X_API_KEY
    assert loaded.settings.poll_interval_minutes == 5
    assert loaded.settings.low_threshold == 0.25
    assert loaded.settings.base_url is None
    assert loaded.address_lost  # the address in it was not usable: never fall back silently
    assert loaded.problem is not None
    assert "invalid" in loaded.problem
    settings_store.repair(loaded)
    assert settings_store.load(path).problem is None  # repaired once the user was told


def test_invalid_fields_that_spare_the_address_keep_it(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"low_threshold": "lots", "base_url": "https://neo.example.test"}))
    loaded = settings_store.load(path)
    assert loaded.settings.base_url == "https://neo.example.test"
    assert not loaded.address_lost


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
    ],
)
def test_settings_validation(fields: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Settings.model_validate(fields)
