"""Smoke test of the frozen app: build the onefile with PyInstaller, then use it like a user.

Marked `frozen` (it takes a minute or two); the test command runs it. The build report (time and
size) is written to dist/build-report.txt by packaging/build.sh.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop import __version__
from desktop.fakeapi import FakeNeoApi
from tests.conftest import REPO_ROOT
from tests.e2e.desktop_session import SNI_BINARIES, DesktopSession, missing_binaries, wait_until

pytestmark = pytest.mark.frozen
BINARY = (
    REPO_ROOT / "dist" / "onefile" / ("neo-tray.exe" if sys.platform == "win32" else "neo-tray")
)
TOKEN = "test-token-123456"


@pytest.fixture(scope="module")
def frozen() -> Path:
    if os.environ.get("NEO_TRAY_SKIP_BUILD") != "1" or not BINARY.exists():
        result = subprocess.run(
            ["bash", str(REPO_ROOT / "packaging" / "build.sh"), "onefile"],
            env={**os.environ, "PYTHON": sys.executable},
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    assert BINARY.exists()
    return BINARY


def run(
    binary: Path, *args: str, env: dict[str, str] | None = None, home: Path
) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if k not in {"NEO_API_TOKEN", "NEO_API_URL"}}
    for name in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        full[name] = str(home / name.lower())
    full.update(env or {})
    return subprocess.run(
        [str(binary), *args],
        capture_output=True,
        text=True,
        env=full,
        timeout=120,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def test_version(frozen: Path, tmp_path: Path) -> None:
    result = run(frozen, "--version", home=tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == f"neo-tray {__version__}"


def test_demo_once_json(frozen: Path, tmp_path: Path) -> None:
    result = run(frozen, "--demo", "--once", "--json", home=tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["summary"]["total_issued_neo_credits"] == 5000
    assert report["derived"]["level"] == "ok"


@pytest.fixture
def api() -> Iterator[FakeNeoApi]:
    with FakeNeoApi(token=TOKEN) as fake:
        yield fake


@pytest.mark.parametrize(
    ("scenario", "code"),
    [("ok", 0), ("unauthorized", 3), ("forbidden", 3), ("server_error", 4), ("malformed", 5)],
)
def test_once_json_against_the_fake_api(
    frozen: Path, tmp_path: Path, api: FakeNeoApi, scenario: str, code: int
) -> None:
    api.scenario = scenario
    result = run(
        frozen,
        "--once",
        "--json",
        env={"NEO_API_URL": api.url, "NEO_API_TOKEN": TOKEN},
        home=tmp_path,
    )
    assert result.returncode == code, result.stderr
    if code:
        assert len(result.stderr.strip().splitlines()) == 1
        assert "Traceback" not in result.stderr


def test_unreachable_and_bad_usage(frozen: Path, tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = run(
        frozen,
        "--once",
        "--json",
        env={"NEO_API_URL": f"http://127.0.0.1:{port}", "NEO_API_TOKEN": TOKEN},
        home=tmp_path,
    )
    assert result.returncode == 4
    assert run(frozen, "--once", "--group-by", "year", home=tmp_path).returncode == 2


def test_the_frozen_app_speaks_german_and_its_json_does_not(frozen: Path, tmp_path: Path) -> None:
    """The catalogs for German are in the build (and Qt's only for the languages the app
    speaks: the spec drops the rest); its figures come from the CLDR table, de_CH's too."""
    german = {"LANGUAGE": "de", "LANG": "de_DE.UTF-8"}
    text = run(frozen, "--demo", "--once", env=german, home=tmp_path)
    assert text.returncode == 0, text.stderr
    assert text.stdout.startswith("Verfügbar:"), text.stdout
    assert " von 5.000 Credits (" in text.stdout
    report = json.loads(run(frozen, "--demo", "--once", "--json", env=german, home=tmp_path).stdout)
    assert report["summary"]["total_issued_neo_credits"] == 5000
    swiss = run(
        frozen, "--demo", "--once", env={"LANGUAGE": "", "LANG": "de_CH.UTF-8"}, home=tmp_path
    )
    assert " von 5’000 Credits (" in swiss.stdout or " von 5'000 Credits (" in swiss.stdout


def test_a_locale_outside_the_table_gets_its_languages_figures(
    frozen: Path, tmp_path: Path
) -> None:
    """The build has no Babel: a tag with a script, which the CLDR table does not resolve,
    formats as its language (desktop/core/cldr.py)."""
    result = run(
        frozen, "--demo", "--once", env={"LANGUAGE": "", "LANG": "de_Latn_DE.UTF-8"}, home=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Verfügbar:"), result.stdout
    assert " von 5.000 Credits (" in result.stdout


def test_the_build_leaves_out_what_the_app_never_imports(frozen: Path) -> None:
    """Babel (figures come from the CLDR table), an event loop (the app's I/O is blocking),
    httpx's command line and its pygments, pydantic 1 and pydantic's mypy plugin are not in the
    build; the keyring's stack is."""
    from PyInstaller.archive.readers import CArchiveReader  # type: ignore[import-untyped]

    archive = CArchiveReader(str(frozen))
    pyz = next(name for name, entry in archive.toc.items() if entry[-1] == "z")
    modules = archive.open_embedded_archive(pyz).toc
    packages = {name.split(".")[0] for name in modules} | {
        name.replace("\\", "/").split("/")[0] for name in archive.toc
    }
    assert not packages & {"babel", "pygments", "_pytest", "asyncio", "anyio", "multiprocessing"}
    assert {"desktop", "keyring", "secretstorage", "jeepney", "cryptography"} <= packages
    assert not {"httpx._main", "pydantic.v1", "pydantic.mypy"} & set(modules)


def test_frozen_tray_registers_on_a_real_tray(frozen: Path, tmp_path: Path) -> None:
    """In German: the tooltip's figures, and Qt's own catalog found inside the build."""
    missing = missing_binaries(SNI_BINARIES)
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"missing on CI: {missing}")
        pytest.skip(f"needs {missing}")
    session = DesktopSession("sni", tmp_path).start()
    env = session.env_for(tmp_path)
    with (tmp_path / "frozen.log").open("wb") as log:
        process = subprocess.Popen(
            [str(frozen), "--demo", "--log-level", "info"],
            env={**env, "LANGUAGE": "de", "LANG": "de_DE.UTF-8"},
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        items = wait_until(session.registered_items, 60)
        assert items, (tmp_path / "frozen.log").read_text()
        tooltip = wait_until(lambda: "von 5.000 Credits" in session.item_tooltip(items[0]), 30)
        assert tooltip, session.item_tooltip(items[0])
        assert "Qt speaks de (qtbase_de.qm)" in (tmp_path / "frozen.log").read_text()
    finally:
        process.terminate()
        assert process.wait(20) == 0
        session.stop()


def test_frozen_app_reads_the_token_from_the_real_keyring(
    frozen: Path, keyring_env: dict[str, str], api: FakeNeoApi
) -> None:
    save = subprocess.run(
        [
            sys.executable,
            "-c",
            f"from desktop.system import secrets; secrets.save_token({TOKEN!r})",
        ],
        env=keyring_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert save.returncode == 0, save.stderr
    result = subprocess.run(
        [str(frozen), "--once", "--json"],
        env={**keyring_env, "NEO_API_URL": api.url},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert api.requests[-1]["authorization"] == f"Bearer {TOKEN}"
