"""A real (virtual) Linux desktop for end-to-end tests: Xvfb, a session bus, a tray host, dunst.

Follows ../shared/desktop-testing.md. Every process is started here and killed by PID on stop.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

SNI_BINARIES = (
    "Xvfb",
    "dbus-launch",
    "status-notifier-watcher",
    "gtk-sni-tray-standalone",
    "dunst",
)
XEMBED_BINARIES = ("Xvfb", "dbus-launch", "trayer")


def missing_binaries(names: tuple[str, ...]) -> list[str]:
    return [name for name in names if shutil.which(name) is None]


T = TypeVar("T")


def wait_until(condition: Callable[[], T], timeout: float, interval: float = 0.2) -> T:
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            return result
        time.sleep(interval)


def free_display() -> int:
    for number in range(90, 200):
        if (
            not Path(f"/tmp/.X11-unix/X{number}").exists()
            and not Path(f"/tmp/.X{number}-lock").exists()
        ):
            return number
    raise RuntimeError("no free X display number")


# What a test process has that the virtual desktop's programs must not inherit.
DESKTOP_DROPS = ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")


@dataclass
class DesktopSession:
    """`tray`: "sni" (StatusNotifierItem host + dunst), "xembed" (trayer, legacy tray) or
    "none" (no tray: the app opens its window)."""

    tray: str = "sni"
    logs: Path = field(default_factory=lambda: Path("/tmp"))
    env: dict[str, str] = field(default_factory=dict)
    _processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    _bus_pid: int | None = None

    def start(self) -> DesktopSession:
        display = f":{free_display()}"
        self.env = {k: v for k, v in os.environ.items() if k not in DESKTOP_DROPS}
        self.env["DISPLAY"] = display
        self._spawn("xvfb", ["Xvfb", display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
        if not wait_until(lambda: Path(f"/tmp/.X11-unix/X{display[1:]}").exists(), 10):
            raise RuntimeError("Xvfb did not start")
        output = subprocess.run(
            ["dbus-launch", "--sh-syntax"], env=self.env, capture_output=True, text=True, check=True
        ).stdout
        address = re.search(r"DBUS_SESSION_BUS_ADDRESS='([^']+)'", output)
        pid = re.search(r"DBUS_SESSION_BUS_PID=(\d+)", output)
        if not address or not pid:
            raise RuntimeError(f"dbus-launch gave no address: {output!r}")
        self.env["DBUS_SESSION_BUS_ADDRESS"] = address.group(1)
        self._bus_pid = int(pid.group(1))
        if self.tray == "sni":
            self._spawn("watcher", ["status-notifier-watcher"])
            wait_until(lambda: self.bus_has("org.kde.StatusNotifierWatcher"), 10)
            self._spawn("host", ["gtk-sni-tray-standalone", "--top"])
            self._spawn("dunst", ["dunst"])
            wait_until(lambda: self.bus_has("org.freedesktop.Notifications"), 10)
            time.sleep(0.5)
        elif self.tray == "none":
            pass
        else:
            self._spawn(
                "trayer",
                [
                    "trayer",
                    "--edge",
                    "top",
                    "--align",
                    "right",
                    "--widthtype",
                    "request",
                    "--height",
                    "24",
                    "--transparent",
                    "false",
                ],
            )
            time.sleep(1.0)
        return self

    def _spawn(self, name: str, argv: list[str]) -> subprocess.Popen[bytes]:
        with (self.logs / f"{name}.log").open("wb") as log:
            process = subprocess.Popen(
                argv, env=self.env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        self._processes.append(process)
        return process

    def monitor_notifications(self) -> Path:
        """Record every org.freedesktop.Notifications call and signal on the bus from now on."""
        log = self.logs / f"bus-{len(self._processes)}.log"
        with log.open("wb") as handle:
            process = subprocess.Popen(
                [
                    "dbus-monitor",
                    "--session",
                    "interface='org.freedesktop.Notifications'",
                    "type='method_return'",
                ],
                env=self.env,
                stdout=handle,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        self._processes.append(process)
        time.sleep(0.5)
        return log

    def stop(self) -> None:
        for process in reversed(self._processes):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(5)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(5)
        self._processes.clear()
        if self._bus_pid:
            try:
                os.kill(self._bus_pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            self._bus_pid = None

    # --- D-Bus reads (dbus-send's text output) ------------------------------------------------
    def dbus(self, *args: str) -> str:
        result = subprocess.run(
            ["dbus-send", "--session", "--print-reply", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        return result.stdout if result.returncode == 0 else ""

    def bus_has(self, name: str) -> bool:
        out = self.dbus(
            "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus.ListNames"
        )
        return f'"{name}"' in out

    def registered_items(self) -> list[str]:
        out = self.dbus(
            "--dest=org.kde.StatusNotifierWatcher",
            "/StatusNotifierWatcher",
            "org.freedesktop.DBus.Properties.Get",
            "string:org.kde.StatusNotifierWatcher",
            "string:RegisteredStatusNotifierItems",
        )
        return re.findall(r'string "([^"]+)"', out)

    def item_property(self, service: str, name: str) -> str:
        path = "/StatusNotifierItem"
        if "/" in service:
            service, path = service.split("/", 1)[0], "/" + service.split("/", 1)[1]
        return self.dbus(
            f"--dest={service}",
            path,
            "org.freedesktop.DBus.Properties.Get",
            "string:org.kde.StatusNotifierItem",
            f"string:{name}",
        )

    def item_tooltip(self, service: str) -> str:
        strings = re.findall(r'string "([^"]*)"', self.item_property(service, "ToolTip"))
        return strings[1] if len(strings) > 1 else ""

    def item_status(self, service: str) -> str:
        found = re.findall(r'string "([^"]*)"', self.item_property(service, "Status"))
        return found[0] if found else ""

    def item_menu_labels(self, service: str) -> list[str]:
        """The labels of the item's exported menu (com.canonical.dbusmenu), as the host shows them."""
        out = self.dbus(
            f"--dest={service}",
            "/MenuBar",
            "com.canonical.dbusmenu.GetLayout",
            "int32:0",
            "int32:-1",
            "array:string:",
        )
        return re.findall(r'string "label"\s+variant\s+string "([^"]*)"', out)

    def item_pixmaps(self, service: str) -> list[tuple[int, int, bytes]]:
        """Each IconPixmap as (width, height, ARGB32 bytes in network order)."""
        out = self.item_property(service, "IconPixmap")
        pixmaps = []
        for match in re.finditer(r"int32 (\d+)\s+int32 (\d+)\s+array of bytes \[([^\]]*)\]", out):
            data = bytes(int(byte, 16) for byte in match.group(3).split())
            pixmaps.append((int(match.group(1)), int(match.group(2)), data))
        return pixmaps

    def screenshot(self, path: Path) -> bool:
        result = subprocess.run(
            ["import", "-window", "root", str(path)],
            env=self.env,
            capture_output=True,
            timeout=20,
            check=False,
        )
        return result.returncode == 0

    def env_for(self, home: Path) -> dict[str, str]:
        """This desktop's environment with config, state and cache kept under `home`."""
        env = dict(self.env)
        for name in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
            env[name] = str(home / name.lower())
        return env

    def window_viewable(self, title: str) -> bool:
        """Whether a window titled exactly `title` is shown. Every window with that title is
        looked at: Qt's hidden group leader is named after the application's display name, which
        the demo's window title equals, and `xwininfo -name` would find only the first."""
        result = subprocess.run(
            ["xdotool", "search", "--onlyvisible", "--name", f"^{re.escape(title)}$"],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        return bool(result.stdout.split())

    def window_names(self) -> str:
        result = subprocess.run(
            ["xwininfo", "-root", "-tree"],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        return result.stdout


@dataclass(frozen=True)
class NotifyCall:
    summary: str
    body: str
    urgency: int | None
    actions: list[str]
    replaces_id: int
    returned_id: int | None


def notify_calls(log: Path) -> list[NotifyCall]:
    """Parse dbus-monitor's text: each Notify method call and the id its reply returned."""
    text = log.read_text(errors="replace")
    blocks = re.split(r"\n(?=method call|method return|signal|error)", text)
    calls: list[tuple[tuple[str, int], NotifyCall]] = []
    returns: dict[tuple[str, int], int] = {}
    for block in blocks:
        if block.startswith("method call") and "member=Notify" in block:
            sender = re.search(r"sender=(\S+)", block)
            number = re.search(r" serial=(\d+)", block)
            serial = (sender.group(1) if sender else "", int(number.group(1)) if number else -1)
            # A string may span lines (a body of several): dbus-monitor prints its line breaks.
            strings = re.findall(r'^\s+string "(.*?)"$', block, flags=re.MULTILINE | re.DOTALL)
            uints = re.findall(r"^\s+uint32 (\d+)$", block, flags=re.MULTILINE)
            urgency = re.search(r'string "urgency"\s+variant\s+byte (\d+)', block)
            # strings: app name, icon, summary, body, then the actions and hint keys/values
            calls.append(
                (
                    serial,
                    NotifyCall(
                        summary=strings[2] if len(strings) > 2 else "",
                        body=strings[3] if len(strings) > 3 else "",
                        urgency=int(urgency.group(1)) if urgency else None,
                        actions=strings[4:],
                        replaces_id=int(uints[0]) if uints else 0,
                        returned_id=None,
                    ),
                )
            )
        elif block.startswith("method return"):
            reply = re.search(r"reply_serial=(\d+)", block)
            destination = re.search(r"destination=(\S+)", block)
            value = re.search(r"^\s+uint32 (\d+)$", block, flags=re.MULTILINE)
            if reply and value and destination:
                returns[(destination.group(1), int(reply.group(1)))] = int(value.group(1))
    return [
        NotifyCall(c.summary, c.body, c.urgency, c.actions, c.replaces_id, returns.get(serial))
        for serial, c in calls
    ]
