"""The status-bar path of issue 26: `neo-tray --once --cached --format F` with a fresh cache,
against the interpreter floor (the same Python reading the cache file with `json.load`).

What is measured is an INSTALLED console script, as a user's status bar runs it:

- the wheel is built from the last commit (`git archive HEAD`, so work in progress in the tree
  is not measured) with `pip wheel --no-deps`, offline, and installed into a new venv in /tmp
  made with the interpreter of `.venv`; the dependencies are the ones of `.venv`, hard-linked
  file by file into that venv's site-packages (the same versions, real files; no editable hook,
  no network);
- the cache is written by the app itself: that installed `neo-tray` runs as a tray
  (`QT_QPA_PLATFORM=offscreen`, NEO_API_TOKEN set, NEO_API_URL on a fake API on 127.0.0.1 run
  by the same venv) until its cache holds a snapshot and a forecast, and keeps running (polling
  every 5 minutes, so the cache stays fresh) while the status-bar commands run, as in the issue;
- every command runs with the same environment (the token's account reads its cache), in
  English (`LANGUAGE=en`) and German (`LANGUAGE=de LANG=de_DE.UTF-8`); wall time from spawn to
  exit, CPU (user + system) and peak RSS from `wait4`; app and floor alternate.

The i3blocks row runs the real `i3blocks` with one block refreshed every second, once with the
app's command and once with the floor's, and divides i3blocks' CPU (its own and its reaped
children's) by the refreshes counted.

    .venv/bin/python bench/statusbar.py [--reps 10] [--i3blocks-seconds 10]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
TOKEN = "bench-token-123456"
FORMATS = ("waybar", "i3blocks", "text", "json")
LANGUAGES = {
    "en": {"LANGUAGE": "en"},
    "de": {"LANGUAGE": "de", "LANG": "de_DE.UTF-8"},
}
FAKE_API = """
import sys, time
from desktop.fakeapi import FakeNeoApi
with FakeNeoApi(token=sys.argv[1]) as api:
    print(api.url, flush=True)
    while True:
        time.sleep(3600)
"""


@dataclass
class Installed:
    """The console script, its venv's python and the commit it was built from."""

    root: Path
    python: Path
    script: Path
    commit: str


def _site_packages(venv: Path) -> Path:
    found = sorted((venv / "lib").glob("python3*/site-packages"))
    if not found:
        raise RuntimeError(f"no site-packages in {venv}")
    return found[0]


def install(work: Path) -> Installed:
    """Build the wheel of HEAD and install it into a new venv under `work` (see the module)."""
    source, wheels, venv = work / "src", work / "wheels", work / "venv"
    source.mkdir(parents=True)
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", commit], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(source)], input=archive, check=True)
    # The build backend (setuptools >= 77) from the machine's local wheels: no network.
    subprocess.run(
        [
            *(str(VENV / "bin" / "python"), "-m", "pip", "wheel", "--no-deps", "-q"),
            *("--no-index", "--find-links", "/opt/pypi-more/files", "-w", str(wheels)),
            str(source),
        ],
        check=True,
        capture_output=True,
    )
    base = Path(os.path.realpath(VENV / "bin" / "python"))
    subprocess.run([str(base), "-m", "venv", "--without-pip", str(venv)], check=True)
    target, dependencies = _site_packages(venv), _site_packages(VENV)
    for entry in dependencies.iterdir():
        name = entry.name
        if name.startswith(("__editable__", "neo_usage_tray-")) or name == "__pycache__":
            continue
        subprocess.run(["cp", "-al", str(entry), str(target / name)], check=True)
    (wheel,) = wheels.glob("*.whl")
    python = venv / "bin" / "python"
    subprocess.run(
        [
            *(str(VENV / "bin" / "python"), "-m", "pip", "--python", str(python), "install"),
            *("-q", "--no-deps", "--no-index", str(wheel)),
        ],
        check=True,
        capture_output=True,
    )
    return Installed(work, python, venv / "bin" / "neo-tray", commit[:10])


def base_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO_", "QT_", "LANG"))}
    env.pop("LC_ALL", None)
    env["HOME"] = str(home)
    for name in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
        env[name] = str(home / name.lower())
    runtime = home / "run"
    runtime.mkdir(mode=0o700, exist_ok=True)
    env["XDG_RUNTIME_DIR"] = str(runtime)
    return env


@contextmanager
def running_tray(installed: Installed) -> Iterator[tuple[dict[str, str], Path]]:
    """A fake API and the installed tray polling it; yields (the commands' environment, the
    cache file) once the tray has written a snapshot with its forecast."""
    home = installed.root / "home"
    home.mkdir(exist_ok=True)
    env = base_env(home)
    # cwd: `python -c` puts the current folder first on sys.path; the checkout's `desktop`
    # must not shadow the installed one.
    api = subprocess.Popen(
        [str(installed.python), "-c", FAKE_API, TOKEN],
        env=env,
        cwd=installed.root,
        stdout=subprocess.PIPE,
        text=True,
    )
    tray: subprocess.Popen[bytes] | None = None
    try:
        assert api.stdout is not None
        url = api.stdout.readline().strip()
        if not url.startswith("http://127.0.0.1:"):
            raise RuntimeError(f"the fake API said {url!r}")
        env.update({"NEO_API_URL": url, "NEO_API_TOKEN": TOKEN})
        tray = subprocess.Popen(
            [str(installed.script)],
            env={**env, "QT_QPA_PLATFORM": "offscreen", "LANGUAGE": "en"},
            cwd=installed.root,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        folder = home / "xdg_cache_home" / "neo-usage-tray"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            found = [p for p in folder.glob("last-snapshot*.json") if _has_forecast(p)]
            if found:
                break
            time.sleep(0.2)
        else:
            raise RuntimeError("the tray wrote no cache with a forecast in 60 s")
        yield env, found[0]
    finally:
        for process in (tray, api):
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(5)


def _has_forecast(path: Path) -> bool:
    try:
        return bool(json.loads(path.read_text(encoding="utf-8")).get("forecast"))
    except (OSError, ValueError):
        return False


def spawn(argv: list[str], env: dict[str, str]) -> tuple[float, float, float, int]:
    """(wall s, CPU s, peak RSS MB, exit code) of one run, its output to /dev/null. The peak is
    wait4's, which is at least this process's RSS when it spawned (exec records the old address
    space's high-water mark): see `peak_memory` for small commands."""
    started = time.perf_counter()
    pid = os.posix_spawn(
        argv[0],
        argv,
        env,
        file_actions=[(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)],
    )
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - started
    return (
        wall,
        usage.ru_utime + usage.ru_stime,
        usage.ru_maxrss / 1024,
        os.waitstatus_to_exitcode(status),
    )


def peak_memory(argv: list[str], env: dict[str, str]) -> float | None:
    """Peak RSS in MB of one run, through GNU time (a small parent, so the figure is the
    command's own); None without /usr/bin/time."""
    if not Path("/usr/bin/time").exists():
        return None
    done = subprocess.run(
        ["/usr/bin/time", "-f", "%M", *argv],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    return int(done.stderr.strip().splitlines()[-1]) / 1024


@dataclass
class Samples:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    peak: list[float] = field(default_factory=list)

    def add(self, wall: float, cpu: float) -> None:
        self.wall.append(wall * 1000)
        self.cpu.append(cpu * 1000)


@dataclass
class Figures:
    """Milliseconds and MB per run; `app[(format, language)]`, the floor's paired with them."""

    commit: str
    app: dict[tuple[str, str], Samples]
    floor: Samples
    i3blocks: tuple[list[float], list[float]] | None = None  # (app, floor) CPU ms per refresh
    i3blocks_refreshes: tuple[int, int] = (0, 0)


def app_argv(installed: Installed, output: str) -> list[str]:
    return [str(installed.script), "--once", "--cached", "--format", output]


def floor_argv(installed: Installed, cache: Path) -> list[str]:
    return [str(installed.python), "-c", f"import json; json.load(open({str(cache)!r}))"]


def check_outputs(installed: Installed, env: dict[str, str], cache: Path) -> None:
    """Each command answers from the cache (not a fetch), with exit 0 (33: i3blocks' urgent)."""
    for output in FORMATS:
        for language in LANGUAGES.values():
            done = subprocess.run(
                app_argv(installed, output),
                env={**env, **language},
                cwd=installed.root,
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode not in {0, 33} or done.stderr:
                raise RuntimeError(f"{output}: exit {done.returncode}: {done.stderr.strip()}")
    report = subprocess.run(
        app_argv(installed, "json"),
        env=env,
        cwd=installed.root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if json.loads(report)["source"] != "cache":
        raise RuntimeError("--once --cached fetched instead of reading the cache")
    subprocess.run(floor_argv(installed, cache), env=env, cwd=installed.root, check=True)


def measure_commands(
    installed: Installed, env: dict[str, str], cache: Path, reps: int
) -> tuple[dict[tuple[str, str], Samples], Samples]:
    app = {(o, lang): Samples() for o in FORMATS for lang in LANGUAGES}
    floor = Samples()
    floor_cmd = floor_argv(installed, cache)
    variants = list(app)
    for rep in range(reps):
        for output, language in variants if rep % 2 == 0 else variants[::-1]:
            command_env = {**env, **LANGUAGES[language]}
            wall, cpu, _peak, _code = spawn(floor_cmd, command_env)
            floor.add(wall, cpu)
            wall, cpu, _peak, code = spawn(app_argv(installed, output), command_env)
            if code not in {0, 33}:
                raise RuntimeError(f"{output} {language}: exit {code}")
            app[output, language].add(wall, cpu)
    for _rep in range(3):  # peak memory, apart: GNU time's fork is no part of the timings
        for (output, language), samples in app.items():
            command_env = {**env, **LANGUAGES[language]}
            peak = peak_memory(app_argv(installed, output), command_env)
            if peak is not None:
                samples.peak.append(peak)
            peak = peak_memory(floor_cmd, command_env)
            if peak is not None:
                floor.peak.append(peak)
    return app, floor


def _cpu_ticks(pid: int) -> int:
    """utime + stime + cutime + cstime of a live process, in clock ticks."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(value) for value in fields[11:15])


def i3blocks_cpu(
    command: str, env: dict[str, str], work: Path, seconds: float
) -> tuple[float, int]:
    """(CPU ms per refresh, refreshes) of a real i3blocks refreshing `command` every second."""
    counter = work / f"count-{time.monotonic_ns()}"
    counter.touch()
    config = work / f"i3blocks-{time.monotonic_ns()}.conf"
    config.write_text(f"[neo]\ncommand=echo >> {counter}; exec {command}\ninterval=1\n")
    process = subprocess.Popen(
        ["i3blocks", "-c", str(config)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    try:
        time.sleep(1.5)  # past the first refresh
        ticks0, count0 = _cpu_ticks(process.pid), len(counter.read_bytes())
        time.sleep(seconds)
        ticks1, count1 = _cpu_ticks(process.pid), len(counter.read_bytes())
    finally:
        process.terminate()
        process.wait(10)
    refreshes = count1 - count0  # one newline per refresh
    per_tick = 1000 / os.sysconf("SC_CLK_TCK")
    return (ticks1 - ticks0) * per_tick / max(refreshes, 1), refreshes


def measure(reps: int = 10, i3blocks_seconds: float = 10, i3blocks_runs: int = 1) -> Figures:
    with tempfile.TemporaryDirectory(prefix="neo-statusbar-") as folder:
        work = Path(folder)
        installed = install(work)
        back = Path.cwd()
        os.chdir(work)  # spawn() and i3blocks inherit it: no checkout first on sys.path
        try:
            return _measure(installed, work, reps, i3blocks_seconds, i3blocks_runs)
        finally:
            os.chdir(back)


def _measure(
    installed: Installed, work: Path, reps: int, i3blocks_seconds: float, i3blocks_runs: int
) -> Figures:
    with running_tray(installed) as (env, cache):
        check_outputs(installed, env, cache)
        for output in FORMATS:  # warm-up: bytecode, page cache
            spawn(app_argv(installed, output), env)
        app, floor = measure_commands(installed, env, cache, reps)
        figures = Figures(installed.commit, app, floor)
        if shutil.which("i3blocks") and i3blocks_seconds > 0:
            app_cpu: list[float] = []
            floor_cpu: list[float] = []
            counts = [0, 0]
            for _run in range(i3blocks_runs):
                ms, count = i3blocks_cpu(
                    " ".join(app_argv(installed, "i3blocks")), env, work, i3blocks_seconds
                )
                app_cpu.append(ms)
                counts[0] += count
                floor_command = " ".join(
                    [
                        str(installed.python),
                        "-c",
                        f"'import json; json.load(open(\"{cache}\"))'",
                    ]
                )
                ms, count = i3blocks_cpu(floor_command, env, work, i3blocks_seconds)
                floor_cpu.append(ms)
                counts[1] += count
            figures.i3blocks = (app_cpu, floor_cpu)
            figures.i3blocks_refreshes = (counts[0], counts[1])
    return figures


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--i3blocks-seconds", type=float, default=10)
    args = parser.parse_args()
    figures = measure(args.reps, args.i3blocks_seconds)
    med = statistics.median
    floor = figures.floor
    print(f"installed from {figures.commit}; floor (json.load) medians:")
    print(f"  wall {med(floor.wall):.1f} ms, CPU {med(floor.cpu):.1f} ms", end="")
    print(f", peak {med(floor.peak or [0]):.1f} MB")
    for (output, language), samples in figures.app.items():
        print(
            f"  {output:8} {language}: wall {med(samples.wall):6.1f} ms "
            f"({med(samples.wall) / med(floor.wall):.1f}x), CPU {med(samples.cpu):6.1f} ms "
            f"({med(samples.cpu) / med(floor.cpu):.1f}x), peak {med(samples.peak or [0]):.1f} MB"
        )
    if figures.i3blocks:
        app_cpu, floor_cpu = figures.i3blocks
        print(
            f"  i3blocks: {med(app_cpu):.1f} ms CPU per refresh vs {med(floor_cpu):.1f} ms "
            f"(refreshes {figures.i3blocks_refreshes})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
