"""The one way the tests run the app as a process (`python -m desktop …`): to its end
(`run_app`) or left running (`start_app`); and a child's output read line by line."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
from collections.abc import Iterable, Mapping
from typing import IO, Any, Literal, overload

from desktop.fakeapi import FakeNeoApi
from tests.helpers.constants import TOKEN

# The developer's own token and address never reach a test's process.
ALWAYS_DROPPED = ("NEO_API_TOKEN", "NEO_API_URL")


def app_env(env: Mapping[str, str] | None = None, drop: Iterable[str] = ()) -> dict[str, str]:
    """This process's environment without the developer's token and address, nor any variable
    whose name starts with one of `drop`; then `env` on top."""
    dropped = (*ALWAYS_DROPPED, *drop)
    full = {k: v for k, v in os.environ.items() if not k.startswith(dropped)}
    full.update(env or {})
    return full


@overload
def run_app(
    *args: str,
    env: Mapping[str, str] | None = ...,
    drop: Iterable[str] = ...,
    timeout: float = ...,
    text: Literal[True] = ...,
) -> subprocess.CompletedProcess[str]: ...


@overload
def run_app(
    *args: str,
    env: Mapping[str, str] | None = ...,
    drop: Iterable[str] = ...,
    timeout: float = ...,
    text: Literal[False],
) -> subprocess.CompletedProcess[bytes]: ...


def run_app(
    *args: str,
    env: Mapping[str, str] | None = None,
    drop: Iterable[str] = (),
    timeout: float = 60,
    text: bool = True,
) -> subprocess.CompletedProcess[str] | subprocess.CompletedProcess[bytes]:
    """`python -m desktop *args` to its end: output captured (str, or bytes with `text` False),
    no stdin, the exit code not checked; `env` and `drop` as in `app_env`; `timeout` seconds."""
    return subprocess.run(
        [sys.executable, "-m", "desktop", *args],
        capture_output=True,
        text=text,
        env=app_env(env, drop),
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def start_app(
    *args: str,
    env: Mapping[str, str] | None = None,
    drop: Iterable[str] = (),
    stdout: int | IO[Any] = subprocess.DEVNULL,
    stderr: int | IO[Any] = subprocess.STDOUT,
) -> subprocess.Popen[bytes]:
    """`python -m desktop *args` started and left running (a tray): no stdin, its output where
    `stdout` and `stderr` say (bytes; by default stderr joins stdout, which is dropped); `env`
    and `drop` as in `app_env`. The caller ends it."""
    return subprocess.Popen(
        [sys.executable, "-m", "desktop", *args],
        env=app_env(env, drop),
        stdin=subprocess.DEVNULL,
        stdout=stdout,
        stderr=stderr,
    )


def api_env(api: FakeNeoApi, token: str = TOKEN) -> dict[str, str]:
    """The environment that points the app at `api` with `token`."""
    return {"NEO_API_URL": api.url, "NEO_API_TOKEN": token}


def assert_one_clean_line(stderr: str, token: str = TOKEN) -> None:
    """A failure the user reads: one line, no traceback, no token."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    assert token not in stderr


# A keyring that always fails: the token comes from the environment or nowhere.
NO_KEYRING = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}


class OutputLines:
    """A child's output, line by line (each stripped), read on a thread of its own so that a
    wait for the next line can time out instead of blocking the test."""

    def __init__(self, output: IO[str]) -> None:
        self._lines: queue.Queue[str] = queue.Queue()
        self._reader = threading.Thread(target=self._read, args=(output,), daemon=True)
        self._reader.start()

    def _read(self, output: IO[str]) -> None:
        with output:
            for line in output:
                self._lines.put(line.strip())

    def next_line(self, timeout: float) -> str | None:
        """The next line, or None when none came within `timeout` seconds."""
        try:
            return self._lines.get(timeout=timeout)
        except queue.Empty:
            return None

    def join(self, timeout: float) -> None:
        """Wait up to `timeout` seconds for the output to end (the child closed it)."""
        self._reader.join(timeout)
