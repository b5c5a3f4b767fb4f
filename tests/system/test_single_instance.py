"""One tray whatever the timing: launches claiming at the same moment, and a tray whose instance
socket is flooded until it runs out of file descriptors. Each launch is its own process, made
by `instance_harness` the way the launcher claims the instance."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.system.single_instance import Claim, SingleInstance
from tests.helpers.constants import REPO_ROOT
from tests.helpers.processes import OutputLines

LAUNCHES = 8
ROUNDS = 3
LINE_WAIT = 30.0  # seconds: a bound for a line that should come at once, never a measurement


class Launch:
    """One harness process; its stdout lines arrive on a queue."""

    def __init__(self, directory: Path, *args: str) -> None:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(REPO_ROOT)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.system.instance_harness", str(directory), *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert self.process.stdout is not None
        self.lines = OutputLines(self.process.stdout)
        self._stderr = ""

    def next_line(self) -> str:
        line = self.lines.next_line(LINE_WAIT)
        if line is None:
            raise AssertionError(f"no line; stderr: {self.stop()}")
        return line

    def wait_for(self, wanted: str) -> None:
        while (line := self.next_line()) != wanted:
            assert not line.startswith("claim"), line

    def stop(self) -> str:
        """End it (closing stdin ends a serving instance) and return its stderr."""
        assert self.process.stdin is not None
        assert self.process.stderr is not None
        with contextlib.suppress(OSError):
            self.process.stdin.close()
        try:
            self.process.wait(LINE_WAIT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if not self.process.stderr.closed:
            with self.process.stderr:
                self._stderr = self.process.stderr.read()
        self.lines.join(LINE_WAIT)
        return self._stderr


@pytest.fixture
def launches() -> Iterator[list[Launch]]:
    started: list[Launch] = []
    yield started
    for launch in started:
        launch.stop()


def lock_is_held(lock: Path) -> bool:
    fd = os.open(lock, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def stale_looking_lock(folder: Path) -> None:
    """A lock file left by a crash whose PID now belongs to another live program of the same
    name (this test's Python): it does not answer on the socket, and holds no lock."""
    folder.mkdir(mode=0o700)
    program = Path(sys.executable).resolve().name
    (folder / "tray.lock").write_text(f"{os.getpid()}\n{program}\n{socket.gethostname()}\n")


def test_launches_at_the_same_moment_leave_exactly_one_tray(
    tmp_path: Path, launches: list[Launch]
) -> None:
    for round_number in range(ROUNDS):
        folder = tmp_path / f"round-{round_number}"
        stale_looking_lock(folder)
        start_at = time.time() + 3.0  # every process has imported Qt by then
        hold = 3.0 + 6.0  # the tray outlives every claim of its round
        batch = [
            Launch(folder, "--start-at", str(start_at), "--hold", str(hold))
            for _ in range(LAUNCHES)
        ]
        launches.extend(batch)
        claims = [launch.next_line() for launch in batch]
        trays = [claim for claim in claims if claim != "claim running"]
        assert trays == ["claim claimed"], claims
        for launch, claim in zip(batch, claims, strict=True):
            if claim == "claim running":
                assert launch.process.wait(LINE_WAIT) == 0  # a second launch goes away


def flood(path: str, attempts: int, seconds: float) -> list[socket.socket]:
    """Connect to the instance socket again and again, holding every connection open."""
    held: list[socket.socket] = []
    end = time.monotonic() + seconds
    while len(held) < attempts and time.monotonic() < end:
        client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        client.setblocking(False)
        try:
            client.connect(path)
        except OSError as exc:
            client.close()
            if exc.errno not in (errno.EAGAIN, errno.ECONNREFUSED, errno.ENOENT):
                raise
            time.sleep(0.005)  # the backlog is full (or the socket is gone): try again
            continue
        held.append(client)
    return held


def test_a_flooded_tray_keeps_its_lock_and_still_answers(
    tmp_path: Path, launches: list[Launch]
) -> None:
    # A tray with few descriptors to spare (64), flooded with far more connections held open.
    tray = Launch(tmp_path, "--max-fds", "64")
    launches.append(tray)
    assert tray.next_line() == "claim claimed"
    lock = tmp_path / "tray.lock"
    lock_inode = lock.stat().st_ino
    held = flood(str(tmp_path / "tray.sock"), attempts=400, seconds=3.0)
    try:
        second = Launch(tmp_path)
        launches.append(second)
        assert second.next_line() == "claim running"
        assert second.process.wait(LINE_WAIT) == 0
        tray.wait_for("activated")  # it answered while the flood was still held open
        assert len(held) > 64  # the tray dropped them: it never ran out of descriptors
    finally:
        for client in held:
            client.close()
    assert lock.stat().st_ino == lock_inode  # never deleted, never replaced
    assert lock_is_held(lock)
    third = Launch(tmp_path)
    launches.append(third)
    assert third.next_line() == "claim running"
    tray.wait_for("activated")
    assert tray.process.poll() is None
    assert "Traceback" not in tray.stop()
    assert not lock_is_held(lock)  # released at the end, for the next tray


def test_the_lock_is_released_when_the_tray_is_killed(
    tmp_path: Path, launches: list[Launch]
) -> None:
    """A tray that dies without cleaning up leaves no lock behind: the kernel drops it."""
    tray = Launch(tmp_path)
    launches.append(tray)
    assert tray.next_line() == "claim claimed"
    tray.process.kill()
    tray.process.wait()
    after = Launch(tmp_path, "--hold", "0.5")
    launches.append(after)
    assert after.next_line() == "claim claimed"


def test_a_tray_out_of_descriptors_keeps_its_socket(tmp_path: Path, launches: list[Launch]) -> None:
    """Every accept fails (EMFILE) while the tray has no descriptor left: the connection is
    dropped, the socket stays, and answers once descriptors are free again."""
    tray = Launch(tmp_path, "--max-fds", "128", "--use-up-fds")
    launches.append(tray)
    assert tray.next_line() == "claim claimed"
    assert tray.next_line().startswith("used up")
    second = Launch(tmp_path)
    launches.append(second)
    assert second.next_line() == "claim running"  # it could not be answered, and knows better
    assert second.process.wait(LINE_WAIT) == 0
    assert tray.process.stdin is not None
    tray.process.stdin.write("free\n")
    tray.process.stdin.flush()
    tray.wait_for("freed")
    third = Launch(tmp_path)
    launches.append(third)
    assert third.next_line() == "claim running"
    tray.wait_for("activated")
    assert (tmp_path / "tray.sock").exists()


# --- in this process ----------------------------------------------------------------------------


def test_single_instance_second_claim_asks_the_first(qtbot: QtBot, tmp_path: Path) -> None:
    first = SingleInstance(tmp_path, "t")
    second = SingleInstance(tmp_path, "t")
    assert first.claim() is Claim.CLAIMED
    assert (tmp_path / "t.lock").stat().st_mode & 0o777 == 0o600
    assert tmp_path.stat().st_mode & 0o777 == 0o700
    with qtbot.waitSignal(first.activation_requested, timeout=5000):
        assert second.claim() is Claim.RUNNING
    first.release()
    third = SingleInstance(tmp_path, "t")
    assert third.claim() is Claim.CLAIMED
    third.release()


def test_stale_lock_from_a_crash_does_not_block(tmp_path: Path) -> None:
    import socket

    # QLockFile's format: pid, app name, host name. PID 2**22+1 is above Linux's pid_max.
    (tmp_path / "t.lock").write_text(f"{2**22 + 1}\nneo-tray\n{socket.gethostname()}\n")
    instance = SingleInstance(tmp_path, "t")
    assert instance.claim() is Claim.CLAIMED
    instance.release()


def test_a_lock_whose_pid_was_reused_is_taken_over(tmp_path: Path) -> None:
    import os
    import socket

    # A live process (this test's own parent) holds the PID, but no tray answers.
    (tmp_path / "t.lock").write_text(f"{os.getppid()}\nneo-tray\n{socket.gethostname()}\n")
    instance = SingleInstance(tmp_path, "t")
    assert instance.claim() is Claim.CLAIMED
    instance.release()


def test_a_lock_that_cannot_be_written_is_not_already_running(tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the state directory should be")
    instance = SingleInstance(blocked, "t")
    assert instance.claim() is Claim.UNAVAILABLE
    assert "cannot" in instance.problem
