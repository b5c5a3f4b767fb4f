"""What `neo-tray --once --cached --format F` imports before it prints, grouped, with the time
each group takes (`python -X importtime`, median of a few runs) and the chain of our modules that
pulls each group in (recorded by a meta-path hook that looks at the importing frames, so lazy
imports inside functions are placed too).

Runs the installed console script of `bench/statusbar.py` (the wheel of HEAD in a venv in /tmp),
with the tray running and its fresh cache, as the status-bar rows do.

    .venv/bin/python bench/importchain.py [--format waybar] [--language en] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import statusbar

#: Each group: the top-level package names in it (first match wins; "ours" is `desktop`).
GROUPS: dict[str, tuple[str, ...]] = {
    "Qt (PySide6, shiboken6)": ("PySide6", "shiboken6"),
    "httpx (httpcore, h11, anyio, sniffio, idna, certifi)": (
        "httpx",
        "httpcore",
        "h11",
        "anyio",
        "sniffio",
        "idna",
        "certifi",
    ),
    "truststore, ssl": ("truststore", "ssl", "_ssl"),
    "pydantic (pydantic_core, annotated_types, typing_inspection)": (
        "pydantic",
        "pydantic_core",
        "annotated_types",
        "typing_inspection",
    ),
    "typing_extensions": ("typing_extensions",),
    "keyring, jeepney, secretstorage, cryptography": (
        "keyring",
        "jeepney",
        "secretstorage",
        "cryptography",
        "cffi",
        "_cffi_backend",
        "jaraco",
        "more_itertools",
        "importlib_metadata",
        "backports",
    ),
    "babel": ("babel",),
    "platformdirs": ("platformdirs",),
    "argparse, gettext, logging": ("argparse", "gettext", "logging"),
    "our modules (desktop)": ("desktop",),
}

RECORDER = r"""
import json, sys
from importlib.abc import MetaPathFinder

chains = {}

class Recorder(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name in sys.modules or name in chains:
            return None
        seen = []
        frame = sys._getframe(1)
        while frame is not None:
            module = frame.f_globals.get("__name__", "?")
            if not module.startswith(("importlib", "_frozen_importlib")) and (
                not seen or seen[-1] != module
            ):
                seen.append(module)
            frame = frame.f_back
        chains[name] = seen
        return None

sys.meta_path.insert(0, Recorder())
out, script, *args = sys.argv[1:]
sys.argv = [script, *args]
import runpy
try:
    runpy.run_path(script, run_name="__main__")
except SystemExit:
    pass
finally:
    with open(out, "w") as handle:
        json.dump(chains, handle)
"""


STARTUP = "interpreter start-up (the json.load floor imports these too)"


def group_of(module: str, at_start: set[str] | frozenset[str] = frozenset()) -> str:
    if module in at_start:
        return STARTUP
    top = module.split(".", maxsplit=1)[0]
    for group, names in GROUPS.items():
        if top in names:
            return group
    return "other standard library" if top in sys.stdlib_module_names else f"other: {top}"


@dataclass
class Node:
    name: str
    self_us: int
    cumulative_us: int
    children: list[Node] = field(default_factory=list)
    parent: Node | None = None


def parse_importtime(stderr: str) -> list[Node]:
    """importtime's post-order lines as nodes, each with its parent (None: imported at run
    time by a function, or the first import of the script)."""
    pending: dict[int, list[Node]] = defaultdict(list)
    nodes: list[Node] = []
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "imported package" in line:
            continue
        head, cumulative, label = line[len("import time:") :].split("|", 2)
        depth = (len(label) - len(label.lstrip(" ")) - 1) // 2
        node = Node(label.strip(), int(head.strip()), int(cumulative.strip()))
        node.children = pending.pop(depth + 1, [])
        for child in node.children:
            child.parent = node
        pending[depth].append(node)
        nodes.append(node)
    return nodes


def importtime_runs(
    installed: statusbar.Installed, env: dict[str, str], output: str, runs: int
) -> list[list[Node]]:
    results = []
    for _run in range(runs):
        done = subprocess.run(
            [
                *(str(installed.python), "-X", "importtime", str(installed.script)),
                *("--once", "--cached", "--format", output),
            ],
            env=env,
            cwd=installed.root,
            capture_output=True,
            text=True,
            check=True,
        )
        results.append(parse_importtime(done.stderr))
    return results


def record_chains(
    installed: statusbar.Installed, env: dict[str, str], output: str, work: Path
) -> dict[str, list[str]]:
    out = work / "chains.json"
    subprocess.run(
        [
            *(str(installed.python), "-c", RECORDER, str(out), str(installed.script)),
            *("--once", "--cached", "--format", output),
        ],
        env=env,
        cwd=work,  # `python -c`: the current folder comes first on sys.path
        capture_output=True,
        check=True,
    )
    chains: dict[str, list[str]] = json.loads(out.read_text())
    return chains


def ours(chain: list[str]) -> list[str]:
    """The chain's modules of ours, innermost first (the script's `__main__` stands for
    desktop.cli's entry point)."""
    return [name for name in chain if name.startswith("desktop")]


def report(output: str, language: str, runs: int) -> str:
    with tempfile.TemporaryDirectory(prefix="neo-importchain-") as folder:
        work = Path(folder)
        installed = statusbar.install(work)
        with statusbar.running_tray(installed) as (tray_env, cache):
            env = {**tray_env, **statusbar.LANGUAGES[language]}
            all_runs = importtime_runs(installed, env, output, runs)
            chains = record_chains(installed, env, output, work)
            floor = subprocess.run(
                [
                    str(installed.python),
                    "-X",
                    "importtime",
                    *statusbar.floor_argv(installed, cache)[1:],
                ],
                env=env,
                cwd=work,
                capture_output=True,
                text=True,
                check=True,
            )
    at_start = {node.name for node in parse_importtime(floor.stderr)}
    per_group_self: dict[str, list[float]] = defaultdict(list)
    per_group_cumulative: dict[str, list[float]] = defaultdict(list)
    totals = []
    for nodes in all_runs:
        self_ms: dict[str, float] = defaultdict(float)
        cumulative_ms: dict[str, float] = defaultdict(float)
        for node in nodes:
            group = group_of(node.name, at_start)
            self_ms[group] += node.self_us / 1000
            if node.parent is None or group_of(node.parent.name, at_start) != group:
                cumulative_ms[group] += node.cumulative_us / 1000  # the group's roots
        for group in set(self_ms) | set(cumulative_ms):
            per_group_self[group].append(self_ms[group])
            per_group_cumulative[group].append(cumulative_ms[group])
        totals.append(sum(node.self_us for node in nodes) / 1000)
    modules_by_group: dict[str, list[str]] = defaultdict(list)
    for node in all_runs[0]:
        modules_by_group[group_of(node.name, at_start)].append(node.name)
    first_import: dict[str, str] = {}
    for name in chains:  # in the order they were first asked for
        if name != "runpy":  # the recorder's own
            first_import.setdefault(group_of(name, at_start), name)
    lines = [
        f"`neo-tray --once --cached --format {output}`, {language}, installed from "
        f"{installed.commit}; medians of {runs} runs of `-X importtime`; all imports "
        f"{statistics.median(totals):.0f} ms (self times summed)",
        "",
        "| group | modules | self ms (sum) | cumulative ms (the group's own roots, nested "
        "groups included) | first module of the group | pulled in by (our modules, innermost "
        "first) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    order = sorted(per_group_self, key=lambda g: -statistics.median(per_group_self[g]))
    for group in order:
        first = first_import.get(group, "?")
        chain = " ← ".join(ours(chains.get(first, []))) or "(the interpreter / the script)"
        lines.append(
            f"| {group} | {len(modules_by_group[group])} | "
            f"{statistics.median(per_group_self[group]):.1f} | "
            f"{statistics.median(per_group_cumulative[group]):.1f} | `{first}` | {chain} |"
        )
    stdlib = [
        node
        for node in all_runs[0]
        if group_of(node.name, at_start) == "other standard library"
        and (
            node.parent is None or group_of(node.parent.name, at_start) != "other standard library"
        )
    ]
    stdlib.sort(key=lambda node: -node.cumulative_us)
    lines += ["", "Standard library beyond the floor, the heaviest roots (first run):", ""]
    for node in stdlib[:12]:
        chain = " ← ".join(ours(chains.get(node.name, []))) or "?"
        lines.append(f"- `{node.name}` {node.cumulative_us / 1000:.1f} ms, from {chain}")
    lines += ["", "Our modules imported, in order:", ""]
    lines.append(", ".join(n for n in chains if n.startswith("desktop")))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--format", default="waybar", choices=statusbar.FORMATS)
    parser.add_argument("--language", default="en", choices=tuple(statusbar.LANGUAGES))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(report(args.format, args.language, args.runs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
