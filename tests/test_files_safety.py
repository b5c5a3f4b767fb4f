"""Files are checked before they are trusted, seen from the outside: `neo-tray` run as a process
against planted FIFOs, huge files, future-dated caches, folders another user owns, and (as a
user the test creates) a settings file the user cannot read. Unit cases: tests/system/
test_safe_files.py."""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from desktop.core.models import parse_summary
from desktop.core.snapshot import Snapshot
from desktop.fakeapi import FakeNeoApi
from desktop.system import cache, paths, secrets, settings_store
from tests.conftest import REPO_ROOT, shared_example
from tests.helpers.constants import TOKEN
from tests.helpers.processes import NO_KEYRING, assert_one_clean_line, run_app

PROMPTLY = 30  # seconds: a hang, not a slow machine, is what this catches
OTHER_USER = "neotray-other"
OTHER_UID = 54321
SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"
SITE_PACKAGES = sysconfig.get_paths()["purelib"]
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="needs root (chown, useradd)")


def stored_account(api: FakeNeoApi) -> None:
    """The Default account at the fake API, its token in the opt-in file (no keyring)."""
    account = {"id": "default", "name": "Default", "base_url": api.url, "auth_scheme": "bearer"}
    settings_store.write_json_atomically(settings_store.default_path(), {"accounts": [account]})
    secrets.save_token_to_file(TOKEN)


def plant_cache(
    api: FakeNeoApi, fetched_at: datetime, retry_at: datetime | None = None
) -> dict[str, object]:
    summary = json.loads(shared_example("example-realistic.json"))
    summary["total_available_neo_credits"] = 4242  # the planted figure, unlike the fake API's
    snapshot = Snapshot(parse_summary(json.dumps(summary)), fetched_at)
    cache.save(snapshot, api.url, cache.default_path(), interval_seconds=300, retry_at=retry_at)
    return dict(summary)


def once_json(*args: str) -> tuple[int, dict[str, object], str]:
    result = run_app("--once", "--json", *args, env=NO_KEYRING, timeout=PROMPTLY)
    report = json.loads(result.stdout) if result.stdout.strip() else {}
    return result.returncode, report, result.stderr


def fifo(path: Path) -> Path:
    paths.private_dir(path.parent)
    path.unlink(missing_ok=True)
    os.mkfifo(path, 0o600)
    return path


# --- kinds and sizes --------------------------------------------------------------------------
def test_a_settings_fifo_hangs_no_command(fake_api: FakeNeoApi) -> None:
    fifo(settings_store.default_path())
    for args in (["--help"], ["--version"]):
        result = run_app(*args, env=NO_KEYRING, timeout=PROMPTLY)
        assert result.returncode == 0, result.stderr
        assert result.stdout
    env = {**NO_KEYRING, "NEO_API_TOKEN": TOKEN, "NEO_API_URL": fake_api.url}
    for args in (["--json"], [], ["--cached"]):
        result = run_app("--once", *args, env=env, timeout=PROMPTLY)
        assert result.returncode == 2, result.stderr
        assert_one_clean_line(result.stderr)
        assert "settings.json is not a regular file" in result.stderr
    assert fake_api.request_count == 0
    assert settings_store.default_path().is_fifo()  # --once moves nothing


def test_a_huge_settings_file_is_refused_without_being_read(isolated_home: Path) -> None:
    path = settings_store.default_path()
    paths.private_dir(path.parent)
    with path.open("wb") as handle:
        handle.truncate(2 << 30)  # 2 GB, sparse: costs no disk
    probe = isolated_home / "maxrss"
    # The peak memory of the process, written when it ends (--version exits early): VmHWM, the
    # peak of this program's own memory. Not ru_maxrss, which Linux keeps across exec: in a
    # long test run it reported the forking pytest's size (372 MiB), not the child's.
    code = (
        "import atexit, sys\n"
        "peak = lambda: [l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0]\n"
        f"atexit.register(lambda: open({str(probe)!r}, 'w').write(peak()))\n"
        "from desktop.cli import main\n"
        "raise SystemExit(main(sys.argv[1:]))\n"
    )
    for args, expected in ((["--version"], 0), (["--once", "--json"], 2)):
        result = subprocess.run(
            [sys.executable, "-c", code, *args],
            capture_output=True,
            text=True,
            timeout=PROMPTLY * 2,
            env={**os.environ, **NO_KEYRING},
            check=False,
        )
        assert result.returncode == expected, result.stderr
        peak_mib = int(probe.read_text()) / 1024  # Linux gives KiB
        assert peak_mib < 300, f"{args}: {peak_mib:.0f} MiB"
    assert_one_clean_line(result.stderr)
    assert "larger than 1 MiB" in result.stderr
    assert path.stat().st_size == 2 << 30


def test_a_cache_fifo_is_ignored_and_the_figures_fetched(fake_api: FakeNeoApi) -> None:
    stored_account(fake_api)
    fifo(cache.default_path())
    code, report, stderr = once_json("--cached")
    assert code == 0, stderr
    assert report["source"] == "api"
    assert fake_api.request_count >= 1


@pytest.mark.parametrize("output", [["--json"], []])
def test_a_token_fifo_counts_as_no_token(fake_api: FakeNeoApi, output: list[str]) -> None:
    stored_account(fake_api)
    fifo(secrets.token_file())
    result = run_app("--once", *output, env=NO_KEYRING, timeout=PROMPTLY)
    assert result.returncode == 3, result.stderr
    assert_one_clean_line(result.stderr)
    assert fake_api.request_count == 0


@pytest.mark.parametrize("kind", ["fifo", "folder", "link"])
def test_a_refused_token_file_is_named_in_the_answer(
    fake_api: FakeNeoApi, kind: str, tmp_path: Path
) -> None:
    stored_account(fake_api)
    path = secrets.token_file()
    path.unlink()
    if kind == "fifo":
        fifo(path)
    elif kind == "folder":
        path.mkdir(mode=0o700)
    else:
        (tmp_path / "elsewhere").write_text(TOKEN)
        path.symlink_to(tmp_path / "elsewhere")
    for output in ("json", "text"):
        result = run_app("--once", "--format", output, env=NO_KEYRING, timeout=PROMPTLY)
        assert result.returncode == 3, result.stderr
        assert_one_clean_line(result.stderr)
        assert f"The token file cannot be used: {path}" in result.stderr
    assert fake_api.request_count == 0


def test_a_dangling_settings_link_sends_nothing(fake_api: FakeNeoApi) -> None:
    path = settings_store.default_path()
    paths.private_dir(path.parent)
    secrets.save_token_to_file(TOKEN)
    path.symlink_to(path.parent / ".dotfiles-not-mounted" / "settings.json")
    result = run_app("--once", "--json", env=NO_KEYRING, timeout=PROMPTLY)
    assert result.returncode == 2, result.stderr
    assert_one_clean_line(result.stderr)
    assert "which does not exist" in result.stderr
    assert fake_api.request_count == 0
    assert path.is_symlink()


# --- the cache's times ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fetched_ago", "retry_in", "source"),
    [
        (timedelta(minutes=1), None, "cache"),  # the control: a fresh cache is used
        (-timedelta(days=365), None, "api"),  # fetched a year ahead
        (-timedelta(days=365), timedelta(minutes=10), "api"),  # ... while "waiting out a backoff"
        (timedelta(hours=2), timedelta(days=365), "api"),  # a retry a year ahead
        (timedelta(hours=2), timedelta(minutes=20), "cache"),  # a real backoff: stale, shown
    ],
)
def test_a_cache_from_the_future_is_ignored_and_the_figures_fetched(
    fake_api: FakeNeoApi, fetched_ago: timedelta, retry_in: timedelta | None, source: str
) -> None:
    stored_account(fake_api)
    now = datetime.now(UTC)
    planted = plant_cache(fake_api, now - fetched_ago, now + retry_in if retry_in else None)
    code, report, stderr = once_json("--cached")
    assert code == 0, stderr
    assert report["source"] == source
    summary = report["summary"]
    assert isinstance(summary, dict)
    figures = summary["total_available_neo_credits"]
    assert (figures == planted["total_available_neo_credits"]) is (source == "cache")


# --- folders: the user's alone ----------------------------------------------------------------
@pytest.mark.parametrize("owner", ["another user", "group-writable"])
def test_a_planted_cache_in_a_refused_folder_is_not_shown(fake_api: FakeNeoApi, owner: str) -> None:
    if owner == "another user" and os.geteuid() != 0:
        pytest.skip("giving a folder to another user needs root")
    stored_account(fake_api)
    plant_cache(fake_api, datetime.now(UTC) - timedelta(minutes=1))
    folder = cache.default_path().parent
    if owner == "another user":
        os.chown(folder, OTHER_UID, -1)
    else:
        folder.chmod(0o770)
    result = run_app("--once", "--json", "--cached", "--log-level", "warning", env=NO_KEYRING)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["source"] == "api"
    sentence = (
        f"The folder {folder} belongs to another user"
        if owner == "another user"
        else f"Other users can write to the folder {folder}"
    )
    assert sentence in result.stderr  # in the log


@needs_root
def test_a_planted_token_in_another_users_folder_is_not_used(fake_api: FakeNeoApi) -> None:
    stored_account(fake_api)
    os.chown(secrets.token_file().parent, OTHER_UID, -1)
    result = run_app("--once", "--json", env=NO_KEYRING, timeout=PROMPTLY)
    assert result.returncode == 3, result.stderr
    assert fake_api.request_count == 0


def test_a_refused_settings_folder_is_said_and_its_address_not_guessed(
    fake_api: FakeNeoApi,
) -> None:
    stored_account(fake_api)
    folder = settings_store.default_path().parent
    folder.chmod(0o777)
    result = run_app("--once", "--json", env=NO_KEYRING, timeout=PROMPTLY)
    assert result.returncode == 2
    assert_one_clean_line(result.stderr)
    assert f"Other users can write to the folder {folder}" in result.stderr
    assert fake_api.request_count == 0
    # Said once in the log, not once per place that met it.
    log_file = paths.log_dir() / "neo-tray.log"
    sentence = f"Other users can write to the folder {folder}, so the app does not use it."
    assert log_file.read_text().count(sentence) == 1
    # The address given another way, the app goes on without the folder's settings.
    env = {**NO_KEYRING, "NEO_API_TOKEN": TOKEN, "NEO_API_URL": fake_api.url}
    result = run_app("--once", "--json", env=env, timeout=PROMPTLY)
    assert result.returncode == 0, result.stderr


# --- unreadable is not damaged (as a user the test creates: root reads everything) ------------
#: Makes this checkout importable by a Python that is not its virtualenv's.
BOOT = (
    f"import site, sys; site.addsitedir({SITE_PACKAGES!r}); sys.path.insert(0, {str(REPO_ROOT)!r})"
)


@pytest.fixture
def other_user() -> Iterator[tuple[pwd.struct_passwd, str, Path]]:
    """A user this test creates (once per machine), a Python it can run this checkout with,
    and a home folder it owns under /tmp (pytest's temp folders are root's alone)."""
    if os.geteuid() != 0 or not shutil.which("runuser") or not shutil.which("useradd"):
        pytest.skip("needs root, runuser and useradd")
    try:
        user = pwd.getpwnam(OTHER_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", OTHER_USER],
            check=True,
            timeout=30,
        )
        user = pwd.getpwnam(OTHER_USER)
    home = Path(tempfile.mkdtemp(prefix="neo-files-", dir="/tmp"))
    os.chown(home, user.pw_uid, user.pw_gid)
    # This checkout's interpreter may sit in root's home, out of the user's reach: the
    # system's of the same version runs the checkout with the virtualenv's packages.
    for python in (
        sys.executable,
        shutil.which(f"python3.{sys.version_info.minor}", path=SYSTEM_PATH),
    ):
        if python is None:
            continue
        probe = subprocess.run(
            ["runuser", "-u", OTHER_USER, "--", python, "-c", f"{BOOT}; import desktop.cli"],
            capture_output=True,
            timeout=60,
            check=False,
            cwd=home,
        )
        if probe.returncode == 0:
            yield user, python, home
            break
    else:
        pytest.skip(f"{OTHER_USER} can run no Python with this checkout's packages")
    shutil.rmtree(home)


def run_as(
    user: pwd.struct_passwd, python: str, home: Path, code: str, *args: str, xdg: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run `code` (after BOOT) as `user`, with only the environment the app needs; `xdg` False:
    the XDG base folders are the defaults under `home` (~/.config, ~/.local/state…)."""
    env = {
        "HOME": str(home),
        "PATH": SYSTEM_PATH,
        "LANGUAGE": "en",
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_RUNTIME_DIR": str(home / "run"),
        **NO_KEYRING,
        **{name: str(home / name.lower()) for name in paths_env() if xdg},
    }
    return subprocess.run(
        [
            *("runuser", "-u", user.pw_name, "--", "env", "-i"),
            *(f"{name}={value}" for name, value in env.items()),
            *(python, "-c", f"{BOOT}\n{code}", *args),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=home,
    )


def paths_env() -> tuple[str, ...]:
    return ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME")


def unreadable_settings(user: pwd.struct_passwd, home: Path) -> tuple[Path, bytes]:
    """The user's own settings file, which they cannot read (mode 000), in their own folders."""
    (home / "run").mkdir(mode=0o700)
    os.chown(home / "run", user.pw_uid, user.pw_gid)
    folder = home / "xdg_config_home" / paths.APP_NAME
    folder.mkdir(parents=True, mode=0o700)
    path = folder / "settings.json"
    content = json.dumps(
        {"accounts": [{"id": "work", "name": "Work", "base_url": "https://x.test"}]}
    )
    path.write_text(content)
    for item in (home / "xdg_config_home", folder, path):
        os.chown(item, user.pw_uid, user.pw_gid)
    path.chmod(0)
    return path, content.encode()


def test_permission_denied_is_reported_unreadable_and_left_alone_by_once(
    other_user: tuple[pwd.struct_passwd, str, Path],
) -> None:
    user, python, home = other_user
    path, content = unreadable_settings(user, home)
    code = "from desktop.cli import main; raise SystemExit(main(sys.argv[1:]))"
    for args in (["--version"], ["--once", "--json"], ["--once"]):
        result = run_as(user, python, home, code, *args)
        if args == ["--version"]:
            assert result.returncode == 0, result.stderr
            continue
        assert result.returncode == 2, result.stderr
        assert_one_clean_line(result.stderr)
        assert f"The settings file {path} cannot be read (permission denied)" in result.stderr
    assert path.read_bytes() == content
    assert path.stat().st_mode & 0o777 == 0
    assert [p.name for p in path.parent.iterdir() if "settings" in p.name] == ["settings.json"]


def test_permission_denied_is_left_alone_by_the_tray_and_its_settings(
    other_user: tuple[pwd.struct_passwd, str, Path],
) -> None:
    user, python, home = other_user
    path, content = unreadable_settings(user, home)
    code = """
from PySide6.QtWidgets import QApplication
from desktop.app import TrayApp
from desktop.core.settings import Settings
from desktop.system import settings_store
app = QApplication(["neo-tray"])
loaded = settings_store.load()
print(loaded.problem)
tray = TrayApp(loaded, environ={})
tray.start()  # tells, repairs nothing
tray.settings_controller.apply(Settings(poll_interval_minutes=15))  # the user saves Settings
tray.shutdown()
"""
    result = run_as(user, python, home, code)
    assert result.returncode == 0, result.stderr[-3000:]
    assert path.read_bytes() == content
    assert f"The settings file {path} cannot be read (permission denied)" in result.stdout
    assert [p.name for p in path.parent.iterdir() if "settings" in p.name] == ["settings.json"]


# --- folders the app creates: 0700, parents included; nothing made through another's link -----
@pytest.mark.parametrize("umask", [0o000, 0o002])
def test_every_folder_the_app_creates_is_owner_only_under_any_umask(
    other_user: tuple[pwd.struct_passwd, str, Path], umask: int
) -> None:
    user, python, home = other_user
    code = f"""
import os
os.umask({umask:#o})
from desktop.cli import main
main(["--once", "--format", "text"])
from datetime import UTC, datetime
from desktop.core.models import parse_summary
from desktop.core.rules.memory import NotifyMemory
from desktop.core.settings import Settings
from desktop.core.snapshot import Snapshot
from desktop.system import autostart, cache, notify_store, safe_files, paths, settings_store
settings_store.save(Settings())
summary = parse_summary(open({str(REPO_ROOT / "tests" / "fixtures" / "example-realistic.json")!r}).read())
cache.save(Snapshot(summary, datetime.now(UTC)), "https://x.test", cache.default_path())
notify_store.save(NotifyMemory(), notify_store.default_path())
autostart.enable(["/usr/bin/neo-tray"])
print(safe_files.refused_folders(paths.app_folders()))
"""
    result = run_as(user, python, home, code, xdg=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("[]"), result.stdout  # none of its own refused
    made = [p for p in home.rglob("*") if p.is_dir() and p.name != "run"]
    expected = {".config", ".cache", ".local", ".local/state", ".local/state/neo-usage-tray"}
    assert expected <= {p.relative_to(home).as_posix() for p in made}
    assert {p.relative_to(home).as_posix(): oct(p.stat().st_mode & 0o777) for p in made} == {
        p.relative_to(home).as_posix(): "0o700" for p in made
    }
    log_text = (home / ".local/state/neo-usage-tray/log/neo-tray.log").read_text()
    assert "Other users can write" not in log_text


@needs_root
def test_the_log_folder_is_not_made_through_another_users_link(
    fake_api: FakeNeoApi, tmp_path: Path
) -> None:
    ssh = tmp_path / "victim" / ".ssh"
    ssh.mkdir(parents=True, mode=0o700)
    state = tmp_path / "shared3" / "state"
    state.mkdir(parents=True)
    for folder in (state, state.parent):
        folder.chmod(0o777)
        os.chown(folder, OTHER_UID, -1)
    link = state / paths.APP_NAME
    link.symlink_to(ssh)
    os.lchown(link, OTHER_UID, -1)
    env = {
        **NO_KEYRING,
        "XDG_STATE_HOME": str(state),
        "NEO_API_TOKEN": TOKEN,
        "NEO_API_URL": fake_api.url,
    }
    for args in (["--once", "--format", "text"], ["--demo", "--once", "--format", "text"]):
        result = run_app(*args, env=env, timeout=PROMPTLY)
        assert result.returncode == 0, result.stderr
    assert list(ssh.iterdir()) == []
