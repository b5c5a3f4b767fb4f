"""Fixtures for end-to-end tests on a real virtual desktop; they run on CI, skip only locally."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.desktop_session import (
    DESKTOP_DROPS,
    SNI_BINARIES,
    XEMBED_BINARIES,
    DesktopSession,
    missing_binaries,
)
from tests.helpers.processes import start_app


def _require(binaries: tuple[str, ...]) -> None:
    missing = missing_binaries(binaries)
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"desktop test binaries missing on CI: {', '.join(missing)}")
        pytest.skip(f"needs {', '.join(missing)} (run tests/run.sh as root to install them)")


@pytest.fixture(scope="module")
def sni_desktop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DesktopSession]:
    _require(SNI_BINARIES)
    session = DesktopSession("sni", tmp_path_factory.mktemp("sni-desktop")).start()
    yield session
    session.stop()


@pytest.fixture(scope="module")
def xembed_desktop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DesktopSession]:
    _require(XEMBED_BINARIES)
    session = DesktopSession("xembed", tmp_path_factory.mktemp("xembed-desktop")).start()
    yield session
    session.stop()


class TrayProcess:
    """A real `python -m desktop` process on the virtual desktop."""

    def __init__(
        self,
        session: DesktopSession,
        home: Path,
        *args: str,
        extra_env: dict[str, str] | None = None,
    ):
        env = session.env_for(home)
        env.pop("NEO_API_TOKEN", None)
        env.pop("NEO_API_URL", None)
        env.update(extra_env or {})
        self.log = home / f"tray-{len(list(home.glob('tray-*.log')))}.log"
        with self.log.open("wb") as log:  # the child keeps its own handle
            # Info lines on stderr (by default the terminal gets none): tests read them.
            self.process = start_app(
                "--log-level", "info", *args, env=env, drop=DESKTOP_DROPS, stdout=log
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                return self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
                return -9
        return int(self.process.returncode)


StartTray = Callable[..., "TrayProcess"]


@pytest.fixture
def start_tray(tmp_path: Path) -> Iterator[StartTray]:
    started: list[TrayProcess] = []

    def start(
        session: DesktopSession,
        *args: str,
        home: Path | None = None,
        extra_env: dict[str, str] | None = None,
    ) -> TrayProcess:
        tray = TrayProcess(session, home or tmp_path, *args, extra_env=extra_env)
        started.append(tray)
        return tray

    yield start
    for tray in started:
        tray.stop()
