"""The tray's first steps hold their log records until the icon shows, then write them to the
file first: no line is lost, none is out of order, the file's level and redaction apply, and a
process that ends before the file opened still writes them (issue 26: cold start)."""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.core.redaction import REDACTED
from desktop.system import logs
from tests.helpers.processes import NO_KEYRING, app_env, start_app

SECRET = "sk-held-secret-token-77"


def messages(path: Path) -> list[str]:
    """Each line's message, after "LEVEL name [thread] "."""
    return [line.split("] ", 1)[1] for line in path.read_text().splitlines()]


@pytest.fixture
def release_log(tmp_path: Path) -> Iterator[None]:
    yield
    logs.configure(None, tmp_path / "other.log")  # release the file handler


@pytest.mark.usefixtures("release_log")
def test_held_records_are_written_first_in_order_at_the_files_level(tmp_path: Path) -> None:
    log_file = tmp_path / "held.log"
    logs.configure_held(None)
    logger = logging.getLogger("desktop.test_held")
    logger.info("first %s", 1)
    logger.debug("a detail for --log-level debug only")
    logger.warning("second")
    logs.redactor.add_secret(SECRET)
    logger.info("the token %s", SECRET)
    assert not log_file.exists()  # nothing opened yet
    assert logs.open_held_file(log_file) == log_file
    assert logs.open_held_file(log_file) is None  # once
    logger.info("third")
    assert messages(log_file) == ["first 1", "second", f"the token {REDACTED}", "third"]


@pytest.mark.usefixtures("release_log")
def test_with_log_level_debug_the_terminal_gets_them_at_once_and_the_file_all(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log_file = tmp_path / "held.log"
    logs.configure_held(logging.DEBUG)
    logger = logging.getLogger("desktop.test_held")
    logger.debug("a detail")
    assert capsys.readouterr().err == "neo-tray: DEBUG: a detail\n"
    logs.open_held_file(log_file)
    logger.info("later")
    assert messages(log_file) == ["a detail", "later"]
    assert capsys.readouterr().err == "neo-tray: INFO: later\n"


@pytest.mark.usefixtures("release_log")
def test_configure_after_holding_writes_the_held_records_too(tmp_path: Path) -> None:
    log_file = tmp_path / "held.log"
    logs.configure_held(None)
    logging.getLogger("desktop.test_held").info("held")
    logs.configure(None, log_file)
    logging.getLogger("desktop.test_held").info("direct")
    assert messages(log_file) == ["held", "direct"]


@pytest.mark.parametrize("ending", ["return", "end_process"])
def test_a_process_ending_before_the_file_opened_still_writes_them(
    tmp_path: Path, ending: str
) -> None:
    """The held records reach the file at logging's shutdown: at exit, or when the process
    must end at once (the display gone); `logging.handlers` was not imported until then."""
    probe = (
        "import logging, sys\n"
        "from desktop.system import logs\n"
        "from desktop.ui.display_guard import end_process\n"
        "logs.configure_held(None)\n"
        "logging.getLogger('desktop.probe').warning('held to the end')\n"
        "print('logging.handlers' in sys.modules, flush=True)\n"
        f"if {ending == 'end_process'}: end_process(0)\n"
    )
    env = app_env({"XDG_STATE_HOME": str(tmp_path / "state")})
    result = subprocess.run(
        [sys.executable, "-c", probe],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "False\n", "")
    log_file = tmp_path / "state" / "neo-usage-tray" / "log" / "neo-tray.log"
    assert messages(log_file) == ["held to the end"]


def test_the_trays_first_lines_reach_its_log(isolated_home: Path, tmp_path: Path) -> None:
    """The tray logs its Qt and platform before the icon shows (held), then the rest."""
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    env = app_env(NO_KEYRING)
    env.update(
        NEO_API_TOKEN="test-token-123456",
        NEO_API_URL="http://127.0.0.1:9",
        QT_QPA_PLATFORM="offscreen",
        XDG_RUNTIME_DIR=str(runtime),
    )
    log_file = isolated_home / "xdg_state_home" / "neo-usage-tray" / "log" / "neo-tray.log"
    tray = start_app(env=env)
    try:
        for _ in range(300):
            text = log_file.read_text() if log_file.exists() else ""
            if "No system tray available yet" in text:
                break
            assert tray.poll() is None
            try:
                tray.wait(0.2)
            except subprocess.TimeoutExpired:
                pass
    finally:
        tray.terminate()
        tray.wait(30)
    found = messages(log_file)
    first = next(i for i, line in enumerate(found) if line.startswith("Qt "))
    later = next(i for i, line in enumerate(found) if "No system tray available yet" in line)
    assert first < later
    assert "on the offscreen platform" in found[first]


def test_the_log_rotates_as_the_standard_handler_does_and_stays_private(tmp_path: Path) -> None:
    """`PrivateRotatingFileHandler` (on `logging.FileHandler`, so the tray never imports
    `logging.handlers`) rotates like `RotatingFileHandler` for the same records: the same
    files with the same lines, each 0600."""
    import logging.handlers

    ours_dir, theirs_dir = tmp_path / "ours", tmp_path / "theirs"
    ours_dir.mkdir()
    theirs_dir.mkdir()
    ours = logs.PrivateRotatingFileHandler(ours_dir / "r.log", max_bytes=200, backups=3)
    theirs = logging.handlers.RotatingFileHandler(
        theirs_dir / "r.log", maxBytes=200, backupCount=3, encoding="utf-8", delay=True
    )
    for handler in (ours, theirs):
        handler.setFormatter(logging.Formatter("%(message)s"))
        for number in range(31):
            width = 40 + number % 7  # lines of several lengths: some files hold 3, some 4
            handler.handle(logging.makeLogRecord({"msg": f"line {number:02d} " + "x" * width}))
        handler.close()
    names = sorted(path.name for path in ours_dir.iterdir())
    assert names == ["r.log", "r.log.1", "r.log.2", "r.log.3"]
    assert names == sorted(path.name for path in theirs_dir.iterdir())
    for name in names:
        assert (ours_dir / name).read_text() == (theirs_dir / name).read_text()
        assert (ours_dir / name).stat().st_mode & 0o777 == 0o600
    assert (ours_dir / "r.log").read_text().splitlines()[-1].startswith("line 30 ")
