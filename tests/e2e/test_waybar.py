"""The Waybar module for real: Waybar in a headless sway shows the app's line with its class, and
hides a module whose command exits non-zero (why `--format waybar` always exits 0)."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage

from tests.helpers.processes import run_app

pytestmark = pytest.mark.statusbar
USER = "neo-bars"  # sway refuses to run as root
COLOURS = {"shown-ok": "#00ff00", "shown-error": "#ff0000", "hidden": "#0000ff"}


def need_waybar() -> None:
    missing = [
        tool for tool in ("sway", "waybar", "grim", "dbus-run-session") if not shutil.which(tool)
    ]
    problem = f"needs {missing}" if missing else ("needs root" if os.geteuid() != 0 else "")
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"on CI: {problem}")
        pytest.skip(problem)


def bar_user() -> None:
    try:
        pwd.getpwnam(USER)
    except KeyError:
        subprocess.run(["useradd", "--create-home", USER], check=True, timeout=30)


def app_output(folder: Path, name: str, *args: str) -> None:
    """Run the app as the bar would, and keep its stdout and exit code for the module to replay
    (the bar's user cannot run this checkout's Python)."""
    result = run_app("--demo", "--once", *args)
    (folder / f"{name}.out").write_text(result.stdout)
    (folder / f"{name}.code").write_text(str(result.returncode))


@pytest.fixture
def shared_folder() -> Iterator[Path]:
    """A folder the bar's user can reach (pytest's own temp folders are root's alone)."""
    folder = Path(tempfile.mkdtemp(prefix="neo-waybar-"))
    os.chmod(folder, 0o777)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_waybar_shows_the_line_with_its_class_and_hides_a_failing_command(
    shared_folder: Path,
) -> None:
    need_waybar()
    bar_user()
    folder = shared_folder
    app_output(folder, "ok", "--format", "waybar")
    app_output(folder, "error", "--scenario", "forbidden", "--format", "waybar")
    app_output(folder, "json-fail", "--scenario", "forbidden", "--format", "json")
    assert (folder / "json-fail.code").read_text() == "3"
    replay = folder / "replay.sh"
    replay.write_text('cat "$1.out"; exit "$(cat "$1.code")"\n')
    modules = {"shown-ok": "ok", "shown-error": "error", "hidden": "json-fail"}
    config = {
        "layer": "top",
        "position": "top",
        "height": 30,
        "modules-left": [f"custom/{module}" for module in modules],
        **{
            f"custom/{module}": {
                "exec": f"sh {replay} {folder / output}",
                "return-type": "json",
                "interval": 5,
            }
            for module, output in modules.items()
        },
    }
    import json

    (folder / "config").write_text(json.dumps(config))
    (folder / "style.css").write_text(
        "* { font-size: 14px; min-height: 0; }\n"
        "window#waybar { background: #000000; }\n"
        f"#custom-shown-ok.ok {{ background: {COLOURS['shown-ok']}; padding: 0 20px; }}\n"
        f"#custom-shown-error.error {{ background: {COLOURS['shown-error']}; padding: 0 20px; }}\n"
        f"#custom-hidden {{ background: {COLOURS['hidden']}; padding: 0 20px; }}\n"
    )
    (folder / "sway.conf").write_text(
        "output HEADLESS-1 resolution 800x200\n"
        f"exec waybar -c {folder / 'config'} -s {folder / 'style.css'}\n"
    )
    runtime = folder / "runtime"
    runtime.mkdir()
    shot = folder / "bar.png"
    script = folder / "run.sh"
    script.write_text(
        "export WLR_BACKENDS=headless WLR_LIBINPUT_NO_DEVICES=1 WLR_RENDERER=pixman\n"
        f"export XDG_RUNTIME_DIR={runtime}\n"
        f"sway -c {folder / 'sway.conf'} > {folder / 'sway.log'} 2>&1 &\n"
        "SWAY=$!\n"
        "for _ in $(seq 40); do\n"
        f"  sleep 0.5; WAYLAND_DISPLAY=wayland-1 grim {shot} 2>/dev/null && break\n"
        "done\n"
        "sleep 3\n"  # the modules' first outputs
        f"WAYLAND_DISPLAY=wayland-1 grim {shot}\n"
        "kill $SWAY\n"
    )
    uid = pwd.getpwnam(USER).pw_uid
    for path in (folder, *folder.iterdir()):
        os.chmod(path, 0o777 if path.is_dir() else 0o666)
    os.chown(runtime, uid, -1)
    os.chmod(runtime, 0o700)
    subprocess.run(
        ["runuser", "-u", USER, "--", "dbus-run-session", "--", "sh", str(script)],
        timeout=90,
        check=False,
        capture_output=True,
    )
    assert shot.exists(), (folder / "sway.log").read_text()[-2000:]
    image = QImage(str(shot))
    found = {
        module: sum(
            image.pixelColor(x, y) == QColor(colour)
            for x in range(0, image.width(), 2)
            for y in range(0, 30, 2)
        )
        for module, colour in COLOURS.items()
    }
    assert found["shown-ok"] > 20, found  # the healthy line, with class ok
    assert found["shown-error"] > 20, found  # a failure still shows, with class error
    assert found["hidden"] == 0, found  # Waybar hides a module whose command exits non-zero
