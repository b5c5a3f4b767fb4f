"""The README's first commands work as written, as a new user pastes them: as root (no sudo on
a fresh Debian) and as an ordinary user (sudo for apt only), each in a clean home with a new
virtual environment, in a copy of this checkout. Afterwards `neo-tray` is on the PATH of a new
login shell (later sections use it bare), and the fake API's command finds its interpreter.

The line that starts the tray runs the demo once instead (`--demo --once`): the same install,
a finite test. pip installs from the copy; its dependencies come from PyPI (a pip cache under
/var/tmp keeps a second run short).
"""

from __future__ import annotations

import os
import pwd
import re
import shlex
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
#: A fresh Debian's PATH, without anything of this machine's (pyenv, the test venv).
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
PIP_CACHE = Path("/var/tmp/neo-usage-tray-readme-pip")
APT_PACKAGES = ("python3-venv", "libxcb-cursor0")

pytestmark = [pytest.mark.readme, pytest.mark.timeout(1200)]


def first_sh_block() -> str:
    """The text of the README's first ```sh block."""
    found = re.search(r"^```sh\n(.*?)^```", README.read_text(encoding="utf-8"), re.M | re.S)
    assert found, "the README has no ```sh block"
    return found.group(1)


def as_script(block: str) -> str:
    """The block as a bash script that stops at the first failing line; the line starting the
    tray runs the demo once (`--demo --once`) so the script ends."""
    lines = []
    for line in block.splitlines():
        starts_tray = re.search(r"neo-tray\s+--demo\b", line) and "--once" not in line
        lines.append(re.sub(r"--demo\b", "--demo --once", line, count=1) if starts_tray else line)
    return "set -e\n" + "\n".join(lines) + "\n"


def fake_api_interpreters() -> list[str]:
    """The interpreter each README command of the fake API names (`python` in `python -m
    desktop.fakeapi`)."""
    found = []
    for line in README.read_text(encoding="utf-8").splitlines():
        words = shlex.split(line.split("#", 1)[0]) if "-m desktop.fakeapi" in line else []
        if "-m" in words:
            found.append(words[words.index("-m") - 1])
    return found


@dataclass
class Person:
    """Who pastes the block: a name, a clean home, and how to run a command as them."""

    name: str
    home: Path
    prefix: list[str]  # runs the rest as this person ([] for root)


def copy_checkout(target: Path) -> Path:
    """The checkout's files (tracked, and new ones not ignored) as a clone would have them."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, (item.decode() for item in listed)):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def run_as(person: Person, script: str, cwd: Path, path: str) -> subprocess.CompletedProcess[str]:
    """`script` in bash as `person`, in a clean environment as a fresh login would have."""
    cache = PIP_CACHE / person.name.split("-")[0]
    env = {
        "HOME": str(person.home),
        "USER": person.name,
        "LOGNAME": person.name,
        "PATH": path,
        "LANG": "C.UTF-8",
        "PIP_CACHE_DIR": str(cache),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PIP_NO_INPUT": "1",
    }
    command = ["env", "-i", *(f"{key}={value}" for key, value in env.items()), "bash", "-c"]
    return subprocess.run(
        [*person.prefix, *command, script],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def check_the_block(person: Person, checkout: Path, path: str) -> None:
    result = run_as(person, as_script(first_sh_block()), checkout, path)
    assert result.returncode == 0, f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    assert "Available:" in result.stdout  # the installed app ran the demo
    # A new terminal (a login shell reads ~/.profile) finds `neo-tray` bare, in this home.
    login = run_as(person, "exec bash -lc 'command -v neo-tray'", person.home, SYSTEM_PATH)
    assert login.returncode == 0, f"neo-tray is not on a new shell's PATH: {login.stderr}"
    assert login.stdout.strip().startswith(str(person.home)), login.stdout
    # The fake API's command names an interpreter that has the app.
    for interpreter in fake_api_interpreters():
        probe = shlex.quote(f"{interpreter} -c 'import desktop.fakeapi'")
        check = f"exec bash -lc {probe}"
        found = run_as(person, check, person.home, SYSTEM_PATH)
        assert found.returncode == 0, f"{interpreter} -m desktop.fakeapi fails: {found.stderr}"


@pytest.fixture
def debian_root() -> None:
    if os.geteuid() != 0:
        pytest.skip("runs the README as root and as a created user")
    if shutil.which("apt-get") is None or shutil.which("useradd") is None:
        pytest.skip("needs a Debian or Ubuntu system")
    missing = [
        package
        for package in APT_PACKAGES
        if subprocess.run(["dpkg", "-s", package], capture_output=True, check=False).returncode
    ]
    if missing:
        pytest.skip(f"the block's apt packages are not installed here: {missing}")


def root_home(home: Path) -> Path:
    """A fresh Debian root's home: base-files' .profile and .bashrc (unlike /etc/skel's, that
    .profile does not put ~/.local/bin on the PATH)."""
    home.mkdir(mode=0o700)
    base = Path("/usr/share/base-files")
    for name in ("profile", "bashrc"):
        if (base / f"dot.{name}").exists():
            shutil.copy(base / f"dot.{name}", home / f".{name}")
    return home


def test_as_root_without_sudo(debian_root: None, tmp_path: Path) -> None:
    if any(Path(folder, "sudo").exists() for folder in SYSTEM_PATH.split(":")):
        pytest.skip("sudo is installed here: root's fresh Debian has none")
    (PIP_CACHE / "root").mkdir(parents=True, exist_ok=True)
    person = Person("root", root_home(tmp_path / "home"), [])
    check_the_block(person, copy_checkout(tmp_path / "neo-usage-tray"), SYSTEM_PATH)


@pytest.fixture
def user_tmp() -> Iterator[Path]:
    """A folder the created user can reach (pytest's own is root's alone)."""
    folder = Path(tempfile.mkdtemp(prefix="neo-readme-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def ordinary_user(debian_root: None, user_tmp: Path) -> Iterator[Person]:
    name = f"readme-{uuid.uuid4().hex[:8]}"
    home = user_tmp / name
    subprocess.run(
        ["useradd", "--create-home", "--home-dir", str(home), "--shell", "/bin/bash", name],
        check=True,
    )
    try:
        yield Person(name, home, ["runuser", "-u", name, "--"])
    finally:
        subprocess.run(["userdel", "--force", name], check=False, capture_output=True)


def test_as_a_user_with_sudo(ordinary_user: Person, user_tmp: Path) -> None:
    user = pwd.getpwnam(ordinary_user.name)
    # A stand-in sudo: it records what needs root (the packages are installed already).
    tools = user_tmp / "tools"
    tools.mkdir()
    log = user_tmp / "sudo.log"
    log.touch()
    sudo = tools / "sudo"
    sudo.write_text(f'#!/bin/sh\necho "$@" >> {log}\nexit 0\n')
    sudo.chmod(0o755)
    os.chown(log, user.pw_uid, user.pw_gid)
    checkout = copy_checkout(user_tmp / "neo-usage-tray")
    for folder in (checkout, *checkout.rglob("*")):
        os.lchown(folder, user.pw_uid, user.pw_gid)
    cache = PIP_CACHE / "readme"
    cache.mkdir(parents=True, exist_ok=True)
    os.chown(cache, user.pw_uid, user.pw_gid)
    for entry in cache.rglob("*"):
        os.lchown(entry, user.pw_uid, user.pw_gid)
    check_the_block(ordinary_user, checkout, f"{tools}:{SYSTEM_PATH}")
    asked = log.read_text()
    assert "apt-get install" in asked, "the packages need root: sudo was not used"
    assert all(package in asked for package in APT_PACKAGES)
    assert "pip" not in asked  # the venv is the user's own: no root for it
