"""The catalogs are complete and compiled, and machine output is the same in every language:
`--once --json`, the Waybar JSON's keys and classes, and CSV stay locale-free."""

from __future__ import annotations

import json
import re
import string
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from desktop.core import glance, i18n, tables
from desktop.core.derive import derive
from desktop.core.forecast import compute
from desktop.core.i18n import Language
from desktop.core.models import summary_from_json
from desktop.core.settings import Settings
from desktop.fakeapi import FakeNeoApi
from desktop.fakeapi.world import UsageWorld
from desktop.once import Result, once_report
from desktop.system import paths
from tests.helpers.constants import TOKEN
from tests.helpers.processes import api_env, run_app

ROOT = Path(__file__).resolve().parent.parent.parent
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
SPOKEN = [code for code in i18n.LANGUAGES if code != i18n.SOURCE_LANGUAGE]
ISO_INSTANT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def speaking(code: str) -> Language:
    """The language `code` with its usual territory (`de` → `de_DE`), as a user's locale is."""
    return Language(code, {"de": "de_DE", "es": "es_ES", "fr": "fr_FR"}.get(code, code))


@pytest.fixture
def english_afterwards() -> Iterator[None]:
    yield
    i18n.use(Language())


def test_the_catalogs_are_complete_and_compiled() -> None:
    """Every sentence of the code is in the template and translated in every language (not
    fuzzy, same placeholders, same mnemonics), and each committed .mo is its .po compiled."""
    checked = subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "translations.py"), "check"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert checked.returncode == 0, checked.stderr


def test_the_shipped_languages_are_german_spanish_and_french() -> None:
    assert set(SPOKEN) == {"de", "es", "fr"}
    for code in SPOKEN:
        assert (i18n.LOCALE_DIR / code / "LC_MESSAGES" / f"{i18n.DOMAIN}.mo").is_file()


@pytest.mark.parametrize("code", SPOKEN)
def test_every_translation_formats_and_differs_where_it_should(code: str) -> None:
    """Each translation takes its sentence's values (no stray brace breaks `.format`), and
    sentences are translated, not left as the English (a few words are the same in both)."""
    catalog = i18n.catalog(code)
    messages = catalog._catalog  # type: ignore[attr-defined]
    same = []
    for key, text in messages.items():
        source = key[0] if isinstance(key, tuple) else key
        if not source:
            continue
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
        text.format(**dict.fromkeys(names, "x"))
        words = re.findall(r"[A-Za-z]{2,}", re.sub(r"\{\w*\}", "", source))
        if text == source and len(words) > 2:
            same.append(source)
    assert same == []


def _report(code: str) -> tuple[str, str, str]:
    i18n.use(speaking(code))
    summary = summary_from_json(UsageWorld(NOW).summary(NOW))
    forecast = compute(summary, summary, NOW)
    report = json.dumps(once_report(Result(summary, forecast, NOW), Settings(), NOW))
    seen = glance.Glance(derive(summary, NOW, Settings().thresholds), forecast, NOW)
    return report, glance.waybar(seen, NOW), tables.model_table(summary).to_csv()


@pytest.mark.usefixtures("english_afterwards")
def test_machine_output_is_the_same_in_every_language() -> None:
    english_json, english_bar, english_csv = _report("en")
    for code in SPOKEN:
        report, bar, csv = _report(code)
        assert report == english_json, code
        assert csv == english_csv, code  # English headers, `.` decimals
        waybar, english = json.loads(bar), json.loads(english_bar)
        assert set(waybar) == set(english)
        assert (waybar["class"], waybar["percentage"]) == (english["class"], english["percentage"])
        assert waybar["tooltip"] != english["tooltip"]  # the words are the user's


@pytest.mark.parametrize(
    ("lang", "word"),
    [
        ("de_DE.UTF-8", "Verfügbar:"),
        ("es_ES.UTF-8", "Disponibles:"),
        ("fr_FR.UTF-8", "Disponibles\u00a0:"),
    ],
)
def test_once_speaks_the_system_language_and_its_json_does_not(
    fake_api: FakeNeoApi, lang: str, word: str
) -> None:
    env = {**api_env(fake_api), "LANGUAGE": "", "LC_ALL": "", "LANG": lang}
    text = run_app("--once", env=env)
    assert text.returncode == 0, text.stderr
    assert text.stdout.startswith(word)
    localised = run_app("--once", "--json", env=env)
    english = run_app("--once", "--json", env={**api_env(fake_api), "LANGUAGE": "en"})
    assert localised.returncode == english.returncode == 0
    ours, theirs = json.loads(localised.stdout), json.loads(english.stdout)
    assert ours["summary"] == theirs["summary"]
    assert _shape(ours) == _shape(theirs)
    assert ISO_INSTANT.match(ours["fetched_at"])
    assert ISO_INSTANT.match(ours["derived"]["expires_at"])


def test_a_failure_is_one_line_in_the_users_language(fake_api: FakeNeoApi) -> None:
    env = {**api_env(fake_api, "wrong-token"), "LANGUAGE": "de"}
    result = run_app("--once", "--json", env=env)
    assert result.returncode == 3
    assert result.stderr.strip() == (
        "neo-tray: Anmeldung fehlgeschlagen: Die Neo-API hat den Token abgelehnt "
        "(falsch oder abgelaufen)."
    )
    assert TOKEN not in result.stderr


def test_the_language_setting_overrides_the_system(
    fake_api: FakeNeoApi, isolated_home: Path
) -> None:
    settings = isolated_home / "xdg_config_home" / "neo-usage-tray" / "settings.json"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(json.dumps({"language": "fr"}), encoding="utf-8")
    result = run_app("--once", env={**api_env(fake_api), "LANGUAGE": "de", "LANG": "de_DE.UTF-8"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Disponibles")


def _shape(value: object) -> object:
    """The keys and types of a JSON document, without its values."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shape(item) for item in value[:1]]
    return type(value).__name__


def test_the_language_is_read_before_anything_heavy_is_imported(isolated_home: Path) -> None:
    """The command line reads the language setting first; the tray's icon must still show
    before pydantic, httpx or Babel are imported (they cost the cold start 100 ms)."""
    paths.settings_file().parent.mkdir(parents=True, exist_ok=True)
    paths.settings_file().write_text(json.dumps({"language": "de"}), encoding="utf-8")
    probe = (
        "import sys; import desktop.cli, desktop.launcher; from desktop.system import paths; "
        "from desktop.core import i18n; i18n.use(paths.stored_language()); "
        "print(i18n.current().code, sorted(m for m in ('pydantic', 'httpx', 'babel') "
        "if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.split(maxsplit=1) == ["de", "[]\n"]


@pytest.mark.parametrize(
    ("content", "wanted"),
    [
        ('{"language": "fr"}', "fr"),
        ('{"language": "tlh"}', ""),
        ('{"language": 3}', ""),
        ("[1, 2]", ""),
        ("{not json", ""),
        (None, ""),
    ],
)
def test_the_stored_language_is_read_safely(
    isolated_home: Path, content: str | None, wanted: str
) -> None:
    if content is not None:
        paths.settings_file().parent.mkdir(parents=True, exist_ok=True)
        paths.settings_file().write_text(content, encoding="utf-8")
    assert paths.stored_language() == wanted
