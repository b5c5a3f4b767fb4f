"""The node_exporter textfile recipe in docs/integrations/ (issue 30): its systemd units parse
(and pass `systemd-analyze verify` where it exists), and the service's very command line, run
with `neo-tray` being `python -m desktop`, writes the file atomically: a reader looping
meanwhile never sees a partial file, and both parsers accept what it wrote."""

from __future__ import annotations

import os
import shlex
import shutil
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from desktop.fakeapi import FakeNeoApi
from tests.helpers.constants import REPO_ROOT
from tests.helpers.openmetrics import both_parsers, openmetrics_families, samples
from tests.helpers.processes import api_env, app_env

RECIPE = REPO_ROOT / "docs" / "integrations"
SERVICE = RECIPE / "neo-tray-metrics.service"
TIMER = RECIPE / "neo-tray-metrics.timer"
TARGET = "neo-usage-tray.prom"

Unit = dict[str, dict[str, list[str]]]


def parse_unit(path: Path) -> Unit:
    """A unit file's sections and their settings (a key may repeat, as systemd allows; a line
    ending with a backslash continues on the next). Refuses what systemd would not read."""
    unit: Unit = {}
    section: dict[str, list[str]] | None = None
    pending = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = pending + raw.strip()
        pending = ""
        if not line or line[0] in "#;":
            continue
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        if line.startswith("["):
            assert line.endswith("]"), line
            assert line[1:-1] not in unit, f"section {line} twice"
            section = unit[line[1:-1]] = {}
            continue
        assert section is not None, f"{line!r} before any section"
        key, equals, value = line.partition("=")
        assert equals, line
        section.setdefault(key.strip(), []).append(value.strip())
    assert not pending
    return unit


def one(unit: Unit, section: str, key: str) -> str:
    (value,) = unit[section][key]
    return value


def specifiers(text: str, home: Path) -> str:
    """systemd's specifiers the recipe uses (`%h`, `%%`); any other is refused."""
    out = []
    chars = iter(text)
    for char in chars:
        if char != "%":
            out.append(char)
            continue
        code = next(chars)
        assert code in "h%", f"specifier %{code}"
        out.append(str(home) if code == "h" else "%")
    return "".join(out)


def test_the_units_say_what_the_recipe_needs() -> None:
    service = parse_unit(SERVICE)
    timer = parse_unit(TIMER)
    assert one(service, "Service", "Type") == "oneshot"
    command = one(service, "Service", "ExecStart")
    for part in ("--once", "--cached", "--format openmetrics", "--all-accounts"):
        assert part in command
    assert one(timer, "Timer", "Unit") == SERVICE.name
    assert one(timer, "Timer", "OnCalendar") == "minutely"
    assert one(timer, "Install", "WantedBy") == "timers.target"
    assert "Install" not in service  # started by the timer only
    (readme,) = [RECIPE / "README.md"]
    text = readme.read_text(encoding="utf-8")
    assert SERVICE.name in text
    assert TIMER.name in text
    assert "systemctl --user enable --now neo-tray-metrics.timer" in text


def test_systemd_analyze_verifies_the_units(tmp_path: Path) -> None:
    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.skip("needs systemd-analyze")
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    result = subprocess.run(
        [tool, "--user", "verify", str(SERVICE), str(TIMER)],
        capture_output=True,
        text=True,
        env={**os.environ, "XDG_RUNTIME_DIR": str(runtime)},
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout + result.stderr == ""


def service_command(home: Path, folder: Path, stub: Path) -> tuple[list[str], dict[str, str]]:
    """The service's ExecStart as systemd would run it (specifiers, `$$`, its Environment=),
    with `neo-tray` found first in `stub` (`python -m desktop`) and the folder set to `folder`."""
    service = parse_unit(SERVICE)["Service"]
    (exec_start,) = service["ExecStart"]
    argv = shlex.split(specifiers(exec_start, home).replace("$$", "$"))
    assert Path(argv[0]).is_absolute()
    env = app_env()
    for assignment in service.get("Environment", []):
        for item in shlex.split(specifiers(assignment, home)):
            key, _equals, value = item.partition("=")
            env[key] = value
    assert env["PATH"].startswith(f"{home}/.local/bin:")
    env["PATH"] = f"{stub}:{env['PATH']}"
    env["NEO_TEXTFILE_DIR"] = str(folder)
    return argv, env


def make_stub(folder: Path) -> Path:
    """A `neo-tray` that is this checkout's `python -m desktop`."""
    folder.mkdir()
    stub = folder / "neo-tray"
    stub.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m desktop "$@"\n', encoding="utf-8")
    stub.chmod(0o755)
    return folder


def test_the_service_writes_the_file_atomically(tmp_path: Path, fake_api: FakeNeoApi) -> None:
    folder = tmp_path / "textfile"
    folder.mkdir()
    argv, env = service_command(tmp_path / "home", folder, make_stub(tmp_path / "bin"))
    env.update(api_env(fake_api))  # no tray runs: --cached fetches
    target = folder / TARGET
    seen: list[bytes] = []
    done = threading.Event()

    def read_while_written() -> None:
        while not done.is_set():
            try:
                seen.append(target.read_bytes())
            except FileNotFoundError:
                pass

    reader = threading.Thread(target=read_while_written)
    reader.start()
    try:
        for _run in range(4):
            result = subprocess.run(
                argv, env=env, cwd=REPO_ROOT, capture_output=True, timeout=120, check=False
            )
            assert result.returncode == 0, result.stderr
            assert result.stderr == b""
    finally:
        done.set()
        reader.join()
    assert seen, "the reader never saw the file"
    for content in {*seen}:  # every read was a whole file, never an empty or a cut one
        assert content.endswith(b"\n# EOF\n"), content[-80:]
        openmetrics_families(content)
    assert sorted(path.name for path in folder.iterdir()) == [TARGET]  # no temporary left
    assert stat.S_IMODE(target.stat().st_mode) == 0o644  # node_exporter reads it
    found = samples(both_parsers(target.read_bytes()))
    assert found["neo_up", "environment"] == ({"account": "environment"}, 1.0)
    assert "neo_credits_available" in {metric for metric, _account in found}


def test_a_failure_is_still_written_as_a_metric(tmp_path: Path) -> None:
    """No token: `neo_up 0` replaces the last figures, so a scrape says why nothing is read."""
    folder = tmp_path / "textfile"
    folder.mkdir()
    (folder / TARGET).write_text("old\n", encoding="utf-8")
    argv, env = service_command(tmp_path / "home", folder, make_stub(tmp_path / "bin"))
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    result = subprocess.run(
        argv, env=env, cwd=REPO_ROOT, capture_output=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert len(result.stderr.splitlines()) == 1
    found = samples(both_parsers((folder / TARGET).read_bytes()))
    assert found == {("neo_up", "Default"): ({"account": "Default", "error": "no_token"}, 0.0)}


def test_a_run_that_cannot_write_leaves_the_last_file(tmp_path: Path) -> None:
    folder = tmp_path / "textfile"
    folder.mkdir()
    (folder / TARGET).write_text("# EOF\n", encoding="utf-8")
    stub = tmp_path / "bin"
    stub.mkdir()
    (stub / "neo-tray").write_text("#!/bin/sh\necho partial; exit 2\n", encoding="utf-8")
    (stub / "neo-tray").chmod(0o755)
    argv, env = service_command(tmp_path / "home", folder, stub)
    result = subprocess.run(argv, env=env, capture_output=True, timeout=60, check=False)
    assert result.returncode != 0  # systemd marks the run failed
    assert (folder / TARGET).read_text(encoding="utf-8") == "# EOF\n"
    assert sorted(path.name for path in folder.iterdir()) == [TARGET]


@pytest.mark.parametrize("kind", ["folder", "link to a folder"])
def test_a_folder_in_the_files_place_is_an_error_never_written_into(
    tmp_path: Path, kind: str
) -> None:
    """`mv -f` moved the file into a folder named neo-usage-tray.prom and exited 0: the target
    went stale for ever with nothing failing. `mv -fT` fails (systemd marks the run failed),
    writes nothing into the folder and leaves no temporary file."""
    folder = tmp_path / "textfile"
    folder.mkdir()
    inside = tmp_path / "elsewhere" if kind == "link to a folder" else folder / TARGET
    inside.mkdir()
    if kind == "link to a folder":
        (folder / TARGET).symlink_to(inside)
    stub = tmp_path / "bin"
    stub.mkdir()
    (stub / "neo-tray").write_text("#!/bin/sh\necho '# EOF'\n", encoding="utf-8")
    (stub / "neo-tray").chmod(0o755)
    argv, env = service_command(tmp_path / "home", folder, stub)
    result = subprocess.run(argv, env=env, capture_output=True, timeout=60, check=False)
    if kind == "folder":
        assert result.returncode != 0
        assert (folder / TARGET).is_dir()
        assert sorted(path.name for path in folder.iterdir()) == [TARGET]  # no temporary left
    else:  # the link itself is replaced by the file, never followed
        assert result.returncode == 0, result.stderr
        assert not (folder / TARGET).is_symlink()
        assert (folder / TARGET).read_text(encoding="utf-8") == "# EOF\n"
    assert list(inside.iterdir()) == []
