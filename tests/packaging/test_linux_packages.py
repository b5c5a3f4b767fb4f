"""The Linux packages for real: build the .deb with `packaging/build.sh deb`, install it with
dpkg as root, use it from the PATH (`--version`, `--demo --once --json`, the tray registering on
a StatusNotifierItem host under X11, its window drawn under a headless Wayland compositor), remove
it and find none of its files left; then the portable archive's install.sh and uninstall.sh in a
user's home.

Marked `packages` (a few minutes: the onedir build, lintian, a desktop session); root and dpkg
are needed, so it skips elsewhere and fails on CI if they are missing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from desktop import __version__
from tests.conftest import REPO_ROOT
from tests.e2e.desktop_session import SNI_BINARIES, DesktopSession, missing_binaries, wait_until

pytestmark = [pytest.mark.packages, pytest.mark.timeout(900)]
PACKAGE = "neo-usage-tray"
APP_ID = "io.github.neo_usage_tray.NeoUsageTray"
WAYLAND_USER = "neo-bars"  # sway refuses to run as root (the Waybar test's user)


def need(*tools: str, root: bool = False) -> None:
    missing = [tool for tool in tools if not shutil.which(tool)]
    problem = f"needs {missing}" if missing else ""
    if root and os.geteuid() != 0:
        problem = problem or "needs root (dpkg -i)"
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"on CI: {problem}")
        pytest.skip(problem)


def run(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> str:
    result = subprocess.run(
        args, capture_output=True, text=True, env=env, timeout=timeout, check=False
    )
    assert result.returncode == 0, f"{args}: {result.stdout[-2000:]}{result.stderr[-3000:]}"
    return result.stdout


def clean_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("NEO_", "VIRTUAL_ENV", "QT_QPA_PLATFORM"))
    }
    env["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def deb() -> Path:
    """The built package; the build runs lintian and fails on any error it reports."""
    need("dpkg-deb", "dpkg-shlibdeps", "lintian")
    run("bash", str(REPO_ROOT / "packaging" / "build.sh"), "deb", timeout=1200)
    (built,) = (REPO_ROOT / "dist").glob(f"{PACKAGE}_{__version__}_*.deb")
    return built


def test_the_deb_is_complete_and_depends_on_what_qt_needs(deb: Path) -> None:
    fields = {
        name: run("dpkg-deb", "-f", str(deb), name).strip()
        for name in ("Package", "Version", "Depends", "Installed-Size")
    }
    assert fields["Package"] == PACKAGE
    assert fields["Version"] == __version__
    depends = fields["Depends"]
    for library in ("libc6", "libxcb-cursor0", "libxkbcommon-x11-0", "libwayland-client0"):
        assert library in depends  # found by dpkg-shlibdeps, not listed by hand
    contents = run("dpkg-deb", "-c", str(deb))
    for wanted in (
        "./usr/bin/neo-tray -> ../lib/neo-usage-tray/neo-tray",
        "./usr/lib/neo-usage-tray/neo-tray",
        f"./usr/share/applications/{APP_ID}.desktop",
        f"./usr/share/metainfo/{APP_ID}.metainfo.xml",
        "./usr/share/man/man1/neo-tray.1.gz",
        f"./usr/share/doc/{PACKAGE}/copyright",
        "platforms/libqwayland.so",
        "platforms/libqxcb.so",
        "wayland-shell-integration/libxdg-shell.so",
    ):
        assert wanted in contents, wanted
    for size in (16, 22, 24, 32, 48, 64, 128, 256, 512):
        assert f"./usr/share/icons/hicolor/{size}x{size}/apps/{APP_ID}.png" in contents
    assert "/opt/" not in contents
    assert "libX11.so" not in contents  # the system's copy, through Depends


@pytest.fixture
def installed(deb: Path) -> Iterator[list[str]]:
    """The package installed with dpkg; removed again (whatever the test did) at the end."""
    need("dpkg", root=True)
    run("dpkg", "-i", str(deb), timeout=300)
    files = run("dpkg-query", "-L", PACKAGE).split()
    try:
        yield files
    finally:
        subprocess.run(["dpkg", "--purge", PACKAGE], capture_output=True, timeout=300, check=False)


def test_the_deb_installs_runs_from_the_path_and_removes_cleanly(
    installed: list[str], tmp_path: Path
) -> None:
    env = clean_env(
        **{
            name: str(tmp_path / name.lower())
            for name in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME")
        }
    )
    assert shutil.which("neo-tray", path=env["PATH"]) == "/usr/bin/neo-tray"
    assert run("neo-tray", "--version", env=env).strip() == f"neo-tray {__version__}"
    report = json.loads(run("neo-tray", "--demo", "--once", "--json", env=env))
    assert report["summary"]["total_issued_neo_credits"] == 5000
    if shutil.which("desktop-file-validate"):
        run("desktop-file-validate", f"/usr/share/applications/{APP_ID}.desktop")

    if not missing_binaries(SNI_BINARIES):
        (tmp_path / "desktop").mkdir()
        session = DesktopSession("sni", tmp_path / "desktop").start()
        log = tmp_path / "tray.log"
        with log.open("wb") as output:
            tray = subprocess.Popen(
                ["neo-tray", "--demo", "--log-level", "info"],
                env={**clean_env(), **session.env_for(tmp_path), "PATH": env["PATH"]},
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        try:
            registered = wait_until(
                lambda: any(
                    "credits" in session.item_tooltip(item) for item in session.registered_items()
                ),
                60,
            )
            assert registered, f"never registered with the SNI host: {log.read_text()}"
        finally:
            tray.terminate()
            tray.wait(15)
            session.stop()
    elif os.environ.get("CI"):
        pytest.fail(f"on CI: missing {missing_binaries(SNI_BINARIES)}")

    starts_on_wayland()

    run("dpkg", "-r", PACKAGE, timeout=300)
    left = [path for path in installed if os.path.isfile(path) or os.path.islink(path)]
    assert left == []
    assert not Path("/usr/lib/neo-usage-tray").exists()  # nothing written there while it ran


def starts_on_wayland() -> None:
    """The installed app under a headless sway, QT_QPA_PLATFORM and DISPLAY unset: it picks the
    Wayland plugin and draws its window (no tray there, so the window opens)."""
    if missing := [tool for tool in ("sway", "grim") if not shutil.which(tool)]:
        if os.environ.get("CI"):
            pytest.fail(f"on CI: missing {missing}")
        return
    try:
        import pwd

        pwd.getpwnam(WAYLAND_USER)
    except KeyError:
        run("useradd", "--create-home", WAYLAND_USER)
    folder = Path(tempfile.mkdtemp(prefix="neo-wayland-"))
    os.chmod(folder, 0o777)
    try:
        (folder / "sway.conf").write_text(
            "output HEADLESS-1 resolution 800x600 background #202020 solid_color\n"
            "default_border none\n"
        )
        shot = folder / "window.png"
        script = folder / "run.sh"
        script.write_text(
            "export WLR_BACKENDS=headless WLR_LIBINPUT_NO_DEVICES=1 WLR_RENDERER=pixman\n"
            f"export XDG_RUNTIME_DIR={folder}/run XDG_CONFIG_HOME={folder}/config\n"
            f"export XDG_CACHE_HOME={folder}/cache XDG_STATE_HOME={folder}/state\n"
            f"mkdir -m 700 -p {folder}/run\n"
            f"sway -c {folder / 'sway.conf'} > {folder / 'sway.log'} 2>&1 &\n"
            "SWAY=$!\n"
            "for _ in $(seq 40); do\n"
            "  sleep 0.5; [ -S $XDG_RUNTIME_DIR/wayland-1 ] && break\n"
            "done\n"
            "env -u DISPLAY -u QT_QPA_PLATFORM WAYLAND_DISPLAY=wayland-1 "
            f"neo-tray --demo --log-level info > {folder / 'tray.log'} 2>&1 &\n"
            "TRAY=$!\n"
            "sleep 8\n"
            f"WAYLAND_DISPLAY=wayland-1 grim {shot}\n"
            "kill $TRAY; wait $TRAY\n"
            "kill $SWAY\n"
        )
        subprocess.run(
            ["su", WAYLAND_USER, "-c", f"dbus-run-session -- sh {script}"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            env=clean_env(),
        )
        log = (folder / "tray.log").read_text(errors="replace")
        assert "on the wayland platform" in log, log
        image = QImage(str(shot))
        assert not image.isNull(), log
        window_pixels = sum(
            1
            for x in range(0, image.width(), 8)
            for y in range(0, image.height(), 8)
            if image.pixelColor(x, y).lightness() > 150  # the window's light background
        )
        samples = (image.width() // 8) * (image.height() // 8)
        assert window_pixels > samples // 4, f"no window drawn; log: {log}"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_the_archive_installs_for_one_user_and_uninstalls_to_nothing(tmp_path: Path) -> None:
    need("tar")
    if not (REPO_ROOT / "dist" / "onedir" / "neo-tray" / "neo-tray").exists():
        pytest.skip("needs the onedir build (the deb test builds it)")
    run(
        "bash",
        str(REPO_ROOT / "packaging" / "build.sh"),
        "tar",
        env={**os.environ, "NEO_TRAY_SKIP_BUILD": "1"},
        timeout=600,
    )
    (archive,) = (REPO_ROOT / "dist").glob(f"{PACKAGE}-{__version__}-linux-*.tar.gz")
    home = tmp_path / "home"
    home.mkdir()
    with tarfile.open(archive) as bundle:
        bundle.extractall(tmp_path / "unpacked", filter="data")
    (unpacked,) = (tmp_path / "unpacked").iterdir()
    env = clean_env(HOME=str(home))
    for name in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
        env.pop(name, None)
    (home / "mine.txt").write_text("the user's own file")
    before = sorted(str(p.relative_to(home)) for p in home.rglob("*"))

    run("sh", str(unpacked / "install.sh"), env=env)
    binary = home / ".local" / "bin" / "neo-tray"
    assert run(str(binary), "--version", env=env).strip() == f"neo-tray {__version__}"
    entry = (home / ".local/share/applications" / f"{APP_ID}.desktop").read_text()
    assert f"Exec={home}/.local/lib/neo-usage-tray/neo-tray" in entry
    assert (home / ".local/share/icons/hicolor/48x48/apps" / f"{APP_ID}.png").exists()
    json.loads(run(str(binary), "--demo", "--once", "--json", env=env))  # writes user files

    uninstall = home / ".local" / "lib" / "neo-usage-tray" / "uninstall.sh"
    run("sh", str(uninstall), "--keep-data", env=env)
    kept = sorted(str(p.relative_to(home)) for p in home.rglob("*"))
    assert all(
        not path.startswith((".local/lib", ".local/bin", ".local/share/app")) for path in kept
    )
    assert any(path.startswith(".local/state/neo-usage-tray") for path in kept)  # the user's

    run("sh", str(unpacked / "install.sh"), env=env)
    run("sh", str(uninstall), "--purge", env=env)
    after = {str(p.relative_to(home)) for p in home.rglob("*")}
    # Nothing of the app, its menu entry or the user's data is left; only the standard XDG
    # folders the app's own run created (empty) stay, as they belong to every app.
    assert set(before) <= after
    assert after - set(before) <= {".local", ".local/state", ".local/share", ".cache", ".config"}
    assert all((home / path).is_dir() for path in after - set(before))


@pytest.mark.parametrize("tool", ["pipx", "uv"])
def test_pipx_and_uv_install_the_command(tool: str, tmp_path: Path) -> None:
    """`pipx install .` and `uv tool install .`, as the README offers them, each in its own
    isolated home, give a working `neo-tray` on their bin folder."""
    tools = tmp_path / "tools"
    run(sys.executable, "-m", "venv", str(tools), timeout=120)
    run(str(tools / "bin" / "python"), "-m", "pip", "install", "-q", tool, timeout=300)
    bin_dir = tmp_path / "bin"
    env = clean_env(
        PIPX_HOME=str(tmp_path / "pipx"),
        PIPX_BIN_DIR=str(bin_dir),
        UV_TOOL_DIR=str(tmp_path / "uv-tools"),
        UV_TOOL_BIN_DIR=str(bin_dir),
        UV_CACHE_DIR=str(tmp_path / "uv-cache"),
        HOME=str(tmp_path),
    )
    command = [str(tools / "bin" / tool)] + (["install"] if tool == "pipx" else ["tool", "install"])
    run(*command, str(REPO_ROOT), env=env, timeout=600)
    assert run(str(bin_dir / "neo-tray"), "--version", env=env).strip() == f"neo-tray {__version__}"
    text = run(str(bin_dir / "neo-tray"), "--demo", "--once", "--format", "text", env=env)
    assert text.startswith("Neo: ")
