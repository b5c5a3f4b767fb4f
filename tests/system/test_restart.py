"""'Restart now': the process is replaced by the same command line, once the tray has quit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from desktop.system import restart

CHILD = """
import sys
from pathlib import Path
from desktop.system import restart
runs = Path(sys.argv[1])
runs.write_text(runs.read_text() + repr(sys.argv[1:]) + "\\n")
if runs.read_text().count("\\n") < 2:
    restart.request()
    restart.exec_if_requested()
    print("not replaced")
"""


def test_the_same_command_runs_again(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    runs.write_text("")
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(runs), "--demo", "--scenario", "low"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "not replaced" not in result.stdout
    started = runs.read_text().splitlines()
    assert started == [repr([str(runs), "--demo", "--scenario", "low"])] * 2


def test_nothing_happens_unless_asked() -> None:
    assert not restart.requested()
    restart.exec_if_requested()  # returns: no restart was asked for


def test_the_command_is_the_interpreter_with_how_it_was_started() -> None:
    assert restart.command()[0] == sys.executable
    assert restart.command()[1:] == sys.orig_argv[1:]
