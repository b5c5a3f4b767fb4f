"""Benchmarks, each a ratio against a baseline measured side by side in the same run.

    .venv/bin/python bench/run.py [--reps 5] [--skip-frozen] [--skip-desktop] [--skip-statusbar]
    .venv/bin/python bench/run.py --only floor|statusbar|tasks|forecast  # printed, not written

Prints a table and writes it to docs/performance.md. Nothing here asserts: the goals are
reported as met or missed, with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

BARE = ROOT / "bench" / "bare_tray.py"
FLOOR = ROOT / "bench" / "floor_tray.py"
TOKEN = "bench-token-123456"
NOTES_MARKER = "<!-- notes: kept across runs -->"


@dataclass
class Row:
    measure: str
    app: list[float]
    base: list[float]
    unit: str
    goal: str
    check: Callable[[float, float], bool]
    kind: str = "ratio"  # or "difference"
    informative: bool = False  # a figure to know, with no goal of its own: no verdict

    def figures(self) -> tuple[float, float, float]:
        app, base = statistics.median(self.app), statistics.median(self.base)
        value = app / base if self.kind == "ratio" else app - base
        return app, base, value

    def line(self) -> str:
        app, base, value = self.figures()
        spread = f"{min(self.app):.3g}–{max(self.app):.3g}"
        base_spread = f"{min(self.base):.3g}–{max(self.base):.3g}"
        shown = f"{value:.2f}x" if self.kind == "ratio" else f"{value:+.1f} {self.unit}"
        verdict = "—" if self.informative else "met" if self.check(value, app) else "**missed**"
        return (
            f"| {self.measure} | {app:.3g} {self.unit} ({spread}) | {base:.3g} {self.unit} "
            f"({base_spread}) | {shown} | {self.goal} | {verdict} |"
        )


def median_time(function: Callable[[], object], reps: int, number: int = 1) -> list[float]:
    return [t / number for t in timeit.repeat(function, repeat=reps, number=number)]


# --- in-process: parsing and the detail window ---------------------------------------------------
def bench_parse(reps: int) -> Row:
    from desktop.core.derive import derive
    from desktop.core.models import parse_summary
    from desktop.fakeapi.world import huge_summary

    body = json.dumps(huge_summary()).encode()
    now = datetime.now(UTC)
    app = median_time(lambda: derive(parse_summary(body), now), reps, 3)
    base = median_time(lambda: json.loads(body), reps, 3)
    return Row(
        f"parse + derive, huge payload ({len(body) / 1e6:.1f} MB) vs json.loads",
        [a * 1000 for a in app],
        [b * 1000 for b in base],
        "ms",
        "≤ 2x",
        lambda ratio, _app: ratio <= 2.0,
    )


ROWS_PROBE = """
import gc, json, resource, sys, time
sys.path.insert(0, sys.argv[3])
from desktop.core.errors import UnexpectedResponse
from desktop.core.models import parse_summary
kind, count = sys.argv[1], int(sys.argv[2])
good = {"email": "member@example.test", "neo_credits": 1.5, "tasks": 2}
bad = {"email": 5, "neo_credits": "x"}
rows = {"valid": [good] * count, "invalid": [bad] * count,
        "mixed": [bad if i % 5 < 2 else good for i in range(count)]}[kind]
base = {"by_model": {}, "by_status": {}, "total_neo_credits": 1, "total_tasks": 1}
body = json.dumps({**base, "by_email": rows}).encode()
del rows
gc.collect()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
try:
    parse_summary(body)
except UnexpectedResponse:
    pass
took = time.perf_counter() - started
grew = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print(json.dumps([took, grew / 1024]))
"""


def bench_invalid_rows(reps: int, count: int = 500_000) -> list[Row]:
    """Bad by_email rows against the same number of valid rows: time and peak memory."""

    def probe(kind: str) -> tuple[list[float], list[float]]:
        times, memory = [], []
        for _ in range(max(3, reps // 2)):
            out = subprocess.run(
                [sys.executable, "-c", ROWS_PROBE, kind, str(count), str(ROOT)],
                capture_output=True,
                text=True,
                check=True,
                timeout=300,
            ).stdout
            took, grew = json.loads(out)
            times.append(took * 1000)
            memory.append(grew)
        return times, memory

    valid_time, valid_memory = probe("valid")
    rows = []
    for kind, what in (("invalid", "all invalid (refused)"), ("mixed", "40 % invalid (kept)")):
        times, memory = probe(kind)
        rows += [
            Row(
                f"parse {count:,} by_email rows, {what} vs all valid: time",
                times,
                valid_time,
                "ms",
                "≤ 1.5x",
                lambda ratio, _app: ratio <= 1.5,
            ),
            Row(
                f"parse {count:,} by_email rows, {what} vs all valid: peak memory",
                memory,
                valid_memory,
                "MB",
                "≤ 1.5x",
                lambda ratio, _app: ratio <= 1.5,
            ),
        ]
    return rows


def bench_forecast_chart(reps: int, days: int = 1000) -> Row:
    """The forecast and the balance chart against the period chart, for the same daily rows."""
    from datetime import timedelta

    from PySide6.QtWidgets import QApplication

    from desktop.core import forecast
    from desktop.core.models import summary_from_json
    from desktop.ui.detail.balance_chart import BalanceChart
    from desktop.ui.detail.chart import BarChart

    QApplication.instance() or QApplication([])
    now = datetime(2026, 11, 27, 12, tzinfo=UTC)
    first = now - timedelta(days=days - 1)
    rows = [
        {"date": (first + timedelta(days=i)).date().isoformat(), "neo_credits": 40.0 + i % 7}
        for i in range(days)
    ]
    body = {
        "by_model": {},
        "by_status": {},
        "total_neo_credits": 1,
        "total_tasks": 1,
        "by_period": rows,
        "total_available_neo_credits": 40_000.0,
        "total_issued_neo_credits": 90_000.0,
        "last_credit_reset": first.isoformat(),
        "neo_credits_expires_at": (now + timedelta(days=120)).isoformat(),
    }
    summary = summary_from_json(body)
    balance, bars = BalanceChart(), BarChart("periods")
    for chart in (balance, bars):
        chart.resize(760, 130)

    def draw_balance() -> None:
        ahead = forecast.compute(summary, summary, now)
        history = forecast.balance_history(summary, summary, now)
        balance.set_series(history, forecast.projection(ahead, 40_000.0, now), ahead.expires_at)
        balance.grab()

    def draw_periods() -> None:
        labels = tuple(row["date"] for row in rows)
        bars.set_data(labels, tuple(row["neo_credits"] for row in rows))
        bars.grab()

    draw_balance()
    draw_periods()
    app = median_time(draw_balance, reps, 5)
    base = median_time(draw_periods, reps, 5)
    return Row(
        f"forecast + balance chart vs period chart, {days:,} daily rows",
        [a * 1000 for a in app],
        [b * 1000 for b in base],
        "ms",
        "≤ 2x (both well under a frame)",
        lambda ratio, app_ms: ratio <= 2.0 and app_ms < 16,
    )


def bench_forecast_model(reps: int) -> list[Row]:
    """Issue 29's model without painting: the forecast with its range plus a year heatmap's 365
    cells, against the forecast plus the balance history, for the same year of daily rows."""
    sys.path.insert(0, str(ROOT / "bench"))
    from forecast_model import measure

    figures = measure(reps)
    return [
        Row(
            "forecast with range + year heatmap cells vs forecast + balance history, 366 days",
            [t * 1e6 for t in figures.model],
            [t * 1e6 for t in figures.before],
            "µs",
            "≤ 2x",
            lambda ratio, _app: ratio <= 2.0,
        ),
        Row(
            "the forecast's range alone (rate_range) vs the whole forecast (compute)",
            [t * 1e6 for t in figures.range_alone],
            [t * 1e6 for t in figures.compute],
            "µs",
            "a figure to know",
            lambda _ratio, _app: True,
            informative=True,
        ),
    ]


LANGUAGE_PROBE = """
import sys, time
from datetime import UTC, datetime
from pathlib import Path
from desktop.core import balance_text, fmt, i18n

def rss():
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmRSS:")[1].split()[0]) / 1024

now = datetime.now(UTC)
before = rss()
started = time.perf_counter()
if sys.argv[1] == "babel":
    i18n.use(i18n.Language(sys.argv[2], sys.argv[3]))
    fmt.credits(4067.0), fmt.percent(0.5), fmt.local_datetime(now), balance_text.short_date(now)
else:
    f"{4067:,}", now.strftime("%Y-%m-%d %H:%M")
elapsed = time.perf_counter() - started
print(elapsed * 1000, rss() - before)
"""


def bench_language(reps: int) -> list[Row]:
    """What Babel adds to a process, once: its import and the CLDR data of the user's locale,
    paid at the first figure shown, against formatting the same figures by hand."""
    runs: dict[str, list[tuple[float, float]]] = {"de": [], "plain": []}
    for _rep in range(reps):
        for label, args in (("de", ["babel", "de", "de_DE"]), ("plain", ["plain"])):
            out = subprocess.run(
                [sys.executable, "-c", LANGUAGE_PROBE, *args],
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
            ).stdout.split()
            runs[label].append((float(out[0]), float(out[1])))
    return [
        Row(
            "first figures in German (Babel's import and CLDR data) vs formatted by hand: time",
            [ms for ms, _ in runs["de"]],
            [ms for ms, _ in runs["plain"]],
            "ms",
            "≤ +30 ms, once per process",
            lambda diff, _app: diff <= 30,
            kind="difference",
        ),
        Row(
            "first figures in German (Babel's import and CLDR data) vs formatted by hand: memory",
            [mb for _, mb in runs["de"]],
            [mb for _, mb in runs["plain"]],
            "MB",
            "≤ +8 MB",
            lambda diff, _app: diff <= 8,
            kind="difference",
        ),
    ]


def bench_detail_window(reps: int) -> list[Row]:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from desktop.core.models import parse_summary, summary_from_json
    from desktop.core.snapshot import Snapshot
    from desktop.fakeapi.world import huge_summary
    from desktop.ui.detail.window import DetailWindow
    from desktop.ui.state import AccountState

    app = QApplication.instance() or QApplication([])
    now = datetime.now(UTC)
    huge = summary_from_json(huge_summary())
    small = parse_summary((ROOT / "tests" / "fixtures" / "example-doc.json").read_bytes())

    def open_window(summary: object) -> tuple[float, float]:
        """(ms to open the window, ms to then open the Team tab and sort it by name)."""
        started = time.perf_counter()
        state = AccountState()
        window = DetailWindow(state, lambda: now)
        state.on_snapshot(Snapshot(summary, now))  # type: ignore[arg-type]
        window.show_and_raise()  # as a click on the icon: it asks for the chosen range
        app.processEvents()
        opened = time.perf_counter()
        # The tables show the range the window asks for: answer it, as the poller would, so
        # the Team tab holds the members (without it the tab was measured empty).
        window.on_range_answer("", Snapshot(summary, now, window.range_bar.pending))  # type: ignore[arg-type]
        app.processEvents()
        answered = time.perf_counter()
        window.tabs.setCurrentIndex(window.tabs.team_tab_index)
        window.tabs.team.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        app.processEvents()
        team = time.perf_counter()
        members = window.tabs.team.proxy.rowCount()
        assert members == len(getattr(summary, "by_email", None) or ()), members
        window.hide()
        window.deleteLater()
        app.processEvents()
        return (opened - started) * 1000, (team - answered) * 1000

    open_window(small)  # warm-up: first-use costs (fonts, styles) are not the payload's
    huge_times = [open_window(huge) for _ in range(reps)]
    small_times = [open_window(small) for _ in range(reps)]
    return [
        Row(
            "open detail window: huge (20,000 members, 1,000 periods) vs doc example",
            [t[0] for t in huge_times],
            [t[0] for t in small_times],
            "ms",
            "≤ 1.5x",
            lambda ratio, _app: ratio <= 1.5,
        ),
        Row(
            "then open the Team tab and sort 20,000 members (vs 1 member)",
            [t[1] for t in huge_times],
            [t[1] for t in small_times],
            "ms",
            "no freeze (< 200 ms)",
            lambda _ratio, app: app < 200,
        ),
    ]


def bench_tasks_tab(reps: int) -> Row:
    """From 5,000 parsed task rows (the huge ledger's first 5,000, as the tray's cap keeps them)
    to the Tasks tab shown and sorted by credits, vs opening the Team tab of 20,000 members and
    sorting it, both in the same freshly opened window of each repetition."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from desktop.core.models import summary_from_json
    from desktop.core.snapshot import Snapshot
    from desktop.core.tasks import MAX_ROWS, TaskListing, TasksStatus, row_from_json, sort_key
    from desktop.fakeapi.ledger import huge_row, huge_task_count
    from desktop.fakeapi.world import huge_summary
    from desktop.ui.detail.window import DetailWindow
    from desktop.ui.state import AccountState

    app = QApplication.instance() or QApplication([])
    now = datetime.now(UTC)
    huge = summary_from_json(huge_summary())
    parsed = (row_from_json(huge_row(index, now)) for index in range(MAX_ROWS))
    rows = tuple(sorted((row for row in parsed if row is not None), key=sort_key))
    assert len(rows) == MAX_ROWS

    def both_tabs() -> tuple[float, float]:
        """(ms for the Tasks tab with its listing, ms for the Team tab sorted by name)."""
        state = AccountState()
        window = DetailWindow(state, lambda: now)
        asked: list[tuple[datetime, datetime]] = []
        window.tasks_requested.connect(lambda _account, start, end: asked.append((start, end)))
        state.on_snapshot(Snapshot(huge, now))
        window.show_and_raise()
        app.processEvents()
        query = window.range_bar.pending  # the range the window asked for: 20,000 members
        window.on_range_answer("", Snapshot(huge, now, query))
        app.processEvents()
        started = time.perf_counter()
        window.tabs.setCurrentIndex(window.tabs.team_tab_index)
        window.tabs.team.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        app.processEvents()
        team = time.perf_counter()
        window.tabs.setCurrentIndex(window.tabs.tasks_index)
        listing = TaskListing(TasksStatus.OK, *asked[-1], rows, huge_task_count(), True)
        window.on_tasks_answer("", listing)  # shown sorted by credits (the tab's default)
        app.processEvents()
        tasks = time.perf_counter()
        assert window.tabs.tasks.pane.proxy.rowCount() == MAX_ROWS
        assert window.tabs.team.proxy.rowCount() == 20_000
        window.hide()
        window.deleteLater()
        app.processEvents()
        return (tasks - team) * 1000, (team - started) * 1000

    both_tabs()  # warm-up: first-use costs (fonts, styles) are not the payload's
    times = [both_tabs() for _ in range(reps)]
    return Row(
        "Tasks tab: 5,000 parsed rows shown and sorted by credits (vs the Team tab's 20,000 "
        "members sorted)",
        [t[0] for t in times],
        [t[1] for t in times],
        "ms",
        "≤ 1.5x",
        lambda ratio, _app: ratio <= 1.5,
    )


# --- real processes on a real tray ---------------------------------------------------------
def _main_thread_cpu(pid: int) -> float:
    """CPU seconds the process's main thread has run, to the nanosecond (/proc/PID/schedstat):
    steadier than wall time on a shared machine, and finer than /proc/PID/stat's ticks."""
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9


def _process_stats(pid: int) -> tuple[float, int, float]:
    """(RSS MB, context switches, CPU seconds) of a live process."""
    status = Path(f"/proc/{pid}/status").read_text()
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    rss = int(fields["VmRSS"].split()[0]) / 1024
    switches = int(fields["voluntary_ctxt_switches"]) + int(fields["nonvoluntary_ctxt_switches"])
    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(stat[11]) + int(stat[12])) / ticks
    return rss, switches, cpu


class TrayRunner:
    """Starts tray processes on a virtual SNI desktop and times their registration."""

    def __init__(self, home: Path, api_url: str) -> None:
        from tests.e2e.desktop_session import DesktopSession

        self.session = DesktopSession("sni", home).start()
        self.env = self.session.env_for(home)
        self.env.update({"NEO_API_TOKEN": TOKEN, "NEO_API_URL": api_url, "QT_QPA_PLATFORM": "xcb"})

    def start(
        self, command: list[str], extra: dict[str, str] | None = None
    ) -> tuple[subprocess.Popen[bytes], float]:
        from tests.e2e.desktop_session import wait_until

        before = set(self.session.registered_items())
        started = time.perf_counter()
        process = subprocess.Popen(
            command,
            env={**self.env, **(extra or {})},
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        found = wait_until(lambda: set(self.session.registered_items()) - before, 60, 0.01)
        elapsed = time.perf_counter() - started
        if not found:
            process.kill()
            raise RuntimeError(f"{command} never registered a tray item")
        return process, elapsed

    @staticmethod
    def stop(process: subprocess.Popen[bytes]) -> None:
        process.terminate()
        process.wait(20)
        time.sleep(0.3)

    def xdotool(self, *args: str) -> None:
        subprocess.run(
            ["xdotool", *args], env=self.env, capture_output=True, timeout=10, check=False
        )


APP_CMD = [sys.executable, "-m", "desktop"]
BARE_CMD = [sys.executable, str(BARE)]
FLOOR_CMD = [sys.executable, str(FLOOR)]


def bench_start_rss_idle(runner: TrayRunner, reps: int) -> list[Row]:
    starts: dict[str, list[float]] = {"app": [], "bare": [], "german": []}
    rss: dict[str, list[float]] = {"app": [], "bare": [], "german": []}
    idle: dict[str, tuple[float, float]] = {}
    english, german = {"LANGUAGE": "en"}, {"LANGUAGE": "de", "LANG": "de_DE.UTF-8"}
    for rep in range(reps):
        order = [
            ("app", APP_CMD, english),
            ("bare", BARE_CMD, english),
            ("german", APP_CMD, german),
        ]
        for label, command, language in order if rep % 2 == 0 else order[::-1]:
            process, elapsed = runner.start(command, language)
            starts[label].append(elapsed)
            time.sleep(3)  # the first fetch and paint settle
            rss[label].append(_process_stats(process.pid)[0])
            if rep == 0 and label != "german":  # idle: 20 s between polls
                _, switches0, cpu0 = _process_stats(process.pid)
                time.sleep(20)
                _, switches1, cpu1 = _process_stats(process.pid)
                idle[label] = ((switches1 - switches0) / 20, (cpu1 - cpu0) * 1000)
            runner.stop(process)
    return [
        Row(
            "cold start until the tray item is registered (SNI)",
            starts["app"],
            starts["bare"],
            "s",
            "≤ 1.2x",
            lambda ratio, _app: ratio <= 1.2,
        ),
        Row(
            "RSS after start",
            rss["app"],
            rss["bare"],
            "MB",
            "≤ +20 MB",
            lambda diff, _app: diff <= 20,
            kind="difference",
        ),
        Row(
            "cold start in German vs in English (SNI)",
            starts["german"],
            starts["app"],
            "s",
            "≤ 1.1x",
            lambda ratio, _app: ratio <= 1.1,
        ),
        Row(
            "RSS after start in German vs in English",
            rss["german"],
            rss["app"],
            "MB",
            "≤ +3 MB",
            lambda diff, _app: diff <= 3,
            kind="difference",
        ),
        Row(
            "idle wake-ups (context switches/s over 20 s)",
            [idle["app"][0]],
            [idle["bare"][0]],
            "/s",
            "no timer faster than the countdown",
            lambda _d, app: app <= 5,
            kind="difference",
        ),
        Row(
            "idle CPU over 20 s",
            [idle["app"][1]],
            [idle["bare"][1]],
            "ms",
            "near zero",
            lambda _d, app: app <= 200,
            kind="difference",
        ),
    ]


def bench_long_run(runner: TrayRunner) -> Row:
    """Poll every second for a minute, open and close the detail window, sample RSS."""
    process, _ = runner.start(APP_CMD, {"NEO_TRAY_POLL_SECONDS": "1"})
    samples = []
    for second in range(60):
        time.sleep(1)
        if second % 15 == 5:  # a second launch asks the running tray to show its window
            subprocess.run(
                APP_CMD, env=runner.env, cwd=ROOT, capture_output=True, timeout=60, check=False
            )
        if second % 15 == 10:  # Ctrl+W closes (hides) it
            runner.xdotool(
                "search", "--name", "^Neo Usage$", "windowactivate", "--sync", "key", "ctrl+w"
            )
        samples.append(_process_stats(process.pid)[0])
    runner.stop(process)
    early, late = samples[10:20], samples[-10:]
    return Row(
        "RSS growth over 60 polls with the window opened and closed (late − early)",
        late,
        early,
        "MB",
        "no growth (≤ +3 MB)",
        lambda diff, _app: diff <= 3,
        kind="difference",
    )


def bench_desktop(reps: int) -> list[Row]:
    from desktop.fakeapi import FakeNeoApi

    with tempfile.TemporaryDirectory() as home, FakeNeoApi(token=TOKEN) as api:
        runner = TrayRunner(Path(home), api.url)
        try:
            return [*bench_start_rss_idle(runner, reps), bench_long_run(runner)]
        finally:
            runner.session.stop()


def start_secret_service(runner: TrayRunner, home: Path) -> int:
    """gnome-keyring's Secret Service on the session's bus, unlocked, holding the default
    account's token; returns its PID (to stop it by)."""
    runtime = home / "run"
    runtime.mkdir(mode=0o700, exist_ok=True)
    runner.env.pop("NEO_API_TOKEN", None)
    runner.env.update({"HOME": str(home), "XDG_RUNTIME_DIR": str(runtime)})
    subprocess.run(
        ["gnome-keyring-daemon", "--unlock", "--components=secrets"],
        input="bench-pw",
        env=runner.env,
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    from tests.e2e.desktop_session import wait_until

    wait_until(lambda: runner.session.bus_has("org.freedesktop.secrets"), 10)
    reply = runner.session.dbus(
        "--dest=org.freedesktop.DBus",
        "/org/freedesktop/DBus",
        "org.freedesktop.DBus.GetConnectionUnixProcessID",
        "string:org.freedesktop.secrets",
    )
    if "uint32" not in reply:
        raise RuntimeError("gnome-keyring's Secret Service is not on the bus")
    pid = int(reply.split("uint32")[1].split()[0])
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, keyring\n"
            "from desktop.system.secrets import KEYRING_SERVICE, keyring_entry\n"
            "keyring.set_password(KEYRING_SERVICE, keyring_entry(), sys.argv[1])\n",
            TOKEN,
        ],
        env=runner.env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=60,
    )
    return pid


def bench_floor(reps: int) -> list[Row]:
    """Issue 26's tray goals, measured like the app is used: no NEO_API_TOKEN, the token in a
    real Secret Service (gnome-keyring). The app's RSS 3 s after its item registered against
    `floor_tray.py`'s (the bare tray plus the dependencies the app cannot do without), and its
    cold start against the bare tray's, alternating in one session."""
    from desktop.fakeapi import FakeNeoApi

    starts: dict[str, list[float]] = {"app": [], "bare": [], "floor": []}
    start_cpu: dict[str, list[float]] = {"app": [], "bare": [], "floor": []}
    rss: dict[str, list[float]] = {"app": [], "bare": [], "floor": []}
    english = {"LANGUAGE": "en"}
    with tempfile.TemporaryDirectory() as folder, FakeNeoApi(token=TOKEN) as api:
        home = Path(folder)
        runner = TrayRunner(home, api.url)
        keyring_pid = None
        try:
            keyring_pid = start_secret_service(runner, home)
            cache = Path(runner.env["XDG_CACHE_HOME"]) / "neo-usage-tray" / "last-snapshot.json"
            order = [("app", APP_CMD), ("bare", BARE_CMD), ("floor", FLOOR_CMD)]
            for rep in range(reps):
                for label, command in order if rep % 2 == 0 else order[::-1]:
                    cache.unlink(missing_ok=True)
                    process, elapsed = runner.start(command, english)
                    starts[label].append(elapsed)
                    # Read at once: the app does nothing more until its launcher's timer fires.
                    start_cpu[label].append(_main_thread_cpu(process.pid))
                    time.sleep(3)  # the first fetch (the token read from the keyring) and paint
                    rss[label].append(_process_stats(process.pid)[0])
                    runner.stop(process)
                    if label == "app" and not cache.exists():
                        raise RuntimeError("the app fetched nothing with the keyring's token")
        finally:
            runner.session.stop()
            if keyring_pid is not None:
                try:
                    os.kill(keyring_pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
    return [
        Row(
            "cold start until the tray item is registered (SNI), no NEO_API_TOKEN, "
            "token in the Secret Service, vs bare tray",
            starts["app"],
            starts["bare"],
            "s",
            "≤ 1.2x",
            lambda ratio, _app: ratio <= 1.2,
        ),
        Row(
            "main thread's CPU until the tray item is registered (read when it is seen), "
            "vs bare tray",
            [seconds * 1000 for seconds in start_cpu["app"]],
            [seconds * 1000 for seconds in start_cpu["bare"]],
            "ms",
            "— (the cold start's work, without the shared machine's waits)",
            lambda _ratio, _app: True,
            informative=True,
        ),
        Row(
            "RSS after start vs the dependency floor (`bench/floor_tray.py`), "
            "no NEO_API_TOKEN, Secret Service",
            rss["app"],
            rss["floor"],
            "MB",
            "≤ +5 MB",
            lambda diff, _app: diff <= 5,
            kind="difference",
        ),
        Row(
            "the dependency floor's RSS after start vs the bare tray's",
            rss["floor"],
            rss["bare"],
            "MB",
            "— (what pydantic, httpx + truststore, keyring and QtNetwork cost)",
            lambda _diff, _app: True,
            kind="difference",
            informative=True,
        ),
    ]


# --- the status-bar path (issue 26) ------------------------------------------------------------
def bench_statusbar(reps: int) -> list[Row]:
    """`neo-tray --once --cached --format F` of an installed console script, with the running
    tray's fresh cache, against the same Python reading the cache with json.load; see
    bench/statusbar.py for how it is installed and how the cache is written."""
    sys.path.insert(0, str(ROOT / "bench"))
    import statusbar

    figures = statusbar.measure(max(reps, 10))
    floor = figures.floor
    rows = []
    for (output, language), samples in figures.app.items():
        times = 3 if language == "en" else 4
        for what, app, base in (
            ("wall", samples.wall, floor.wall),
            ("CPU", samples.cpu, floor.cpu),
        ):
            rows.append(
                Row(
                    f"`--once --cached --format {output}`, {language}, installed "
                    f"({figures.commit}), vs json.load of the cache: {what}",
                    app,
                    base,
                    "ms",
                    f"≤ {times}x",
                    lambda ratio, _app, limit=times: ratio <= limit,
                )
            )
    waybar = figures.app["waybar", "en"]
    if waybar.peak and floor.peak:
        rows.append(
            Row(
                "`--once --cached --format waybar`, en: peak memory vs json.load of the cache",
                waybar.peak,
                floor.peak,
                "MB",
                "—",
                lambda _diff, _app: True,
                kind="difference",
                informative=True,
            )
        )
    if figures.i3blocks:
        app_cpu, floor_cpu = figures.i3blocks
        rows.append(
            Row(
                "the real i3blocks refreshing `--format i3blocks` every second vs json.load: "
                "CPU per refresh",
                app_cpu,
                floor_cpu,
                "ms",
                "≤ 3x (English)",
                lambda ratio, _app: ratio <= 3,
            )
        )
    return rows


# --- frozen sizes ----------------------------------------------------------------------------
def bench_frozen() -> Row:
    def build(name: str, entry: Path) -> float:
        env = {
            **os.environ,
            "NEO_TRAY_BUILD_MODE": "onefile",
            "NEO_TRAY_NAME": name,
            "NEO_TRAY_ENTRY": str(entry),
        }
        subprocess.run(
            [
                sys.executable,
                "-m",
                "PyInstaller",
                str(ROOT / "packaging" / "neo-tray.spec"),
                "-y",
                "--log-level",
                "ERROR",
                "--distpath",
                str(ROOT / "dist" / "bench"),
                "--workpath",
                str(ROOT / "build" / f"bench-{name}"),
            ],
            env=env,
            check=True,
            cwd=ROOT,
            capture_output=True,
        )
        return (ROOT / "dist" / "bench" / name).stat().st_size / 1e6

    app = build("neo-tray", ROOT / "packaging" / "entry.py")
    bare = build("bare-tray", BARE)
    return Row(
        "frozen onefile size vs a bare tray frozen with the same spec",
        [app],
        [bare],
        "MB",
        "≤ 1.15x",
        lambda ratio, _app: ratio <= 1.15,
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--skip-frozen", action="store_true")
    parser.add_argument("--skip-desktop", action="store_true")
    parser.add_argument("--skip-statusbar", action="store_true")
    parser.add_argument(
        "--only",
        choices=("floor", "statusbar", "tasks", "forecast"),
        help="run only these rows (not written)",
    )
    args = parser.parse_args()
    if args.only:
        only = {
            "floor": lambda: bench_floor(args.reps),
            "statusbar": lambda: bench_statusbar(args.reps),
            "tasks": lambda: [bench_tasks_tab(args.reps)],
            "forecast": lambda: bench_forecast_model(args.reps),
        }[args.only]()
        print("\n".join(row.line() for row in only))
        return 0
    rows = [
        bench_parse(args.reps),
        *bench_invalid_rows(args.reps),
        bench_forecast_chart(args.reps),
        *bench_forecast_model(args.reps),
        *bench_detail_window(args.reps),
        bench_tasks_tab(args.reps),
        *bench_language(args.reps),
    ]
    if not args.skip_desktop:
        rows += bench_desktop(args.reps)
        rows += bench_floor(args.reps)
    if not args.skip_statusbar:
        rows += bench_statusbar(args.reps)
    if not args.skip_frozen:
        rows.append(bench_frozen())
    header = [
        "# Performance",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores with "
        f"`bench/run.py --reps {args.reps}`; medians with (min–max), app and baseline side by side "
        "in the same run.",
        "",
        "| measure | Neo Usage Tray | baseline | ratio / difference | goal | verdict |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    table = "\n".join(header + [row.line() for row in rows]) + "\n"
    print(table)
    target = ROOT / "docs" / "performance.md"
    # Hand-written analysis below the marker survives a new run.
    previous = target.read_text(encoding="utf-8") if target.exists() else ""
    notes = previous[previous.index(NOTES_MARKER) :] if NOTES_MARKER in previous else ""
    target.write_text(table + ("\n" + notes if notes else ""), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
