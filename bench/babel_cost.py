"""What Babel costs the status-bar path, per locale: the figures a status bar shows (credits with
grouping, a percent, a short month-and-day) formatted the way `desktop/core/i18n.py` does, in a
fresh process each time, against the same figures formatted from a handful of constants.

Split into: importing `babel.numbers` and `babel.dates`; loading the locale's CLDR data
(`Locale.parse`, then the first access unpickles root, the language and the territory, merged);
the first formats; and the RSS each adds. It imports nothing of the app.

    .venv/bin/python bench/babel_cost.py [--runs 5] [en de fr es de_CH ...]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

PROBE = r"""
import json, sys, time
from datetime import datetime
from pathlib import Path

def rss():
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmRSS:")[1].split()[0]) / 1024

tag = sys.argv[1]
marks = [("start", time.perf_counter(), rss())]
from babel import Locale
from babel.dates import format_skeleton
from babel.numbers import format_decimal, format_percent, get_decimal_symbol
marks.append(("import", time.perf_counter(), rss()))
locale = Locale.parse(tag)
symbols = locale.number_symbols  # the first access loads the data (root + language + territory)
marks.append(("data", time.perf_counter(), rss()))
when = datetime(2027, 2, 7, 12, 0)
texts = [
    format_decimal(3932, format="#,##0", locale=locale, decimal_quantization=True),
    format_decimal(5000, format="#,##0", locale=locale, decimal_quantization=True),
    format_decimal(512.4, format="#,##0.0", locale=locale, decimal_quantization=True),
    format_percent(0.79, locale=locale),
    get_decimal_symbol(locale),
    format_skeleton("MMMd", when, locale=locale),
]
marks.append(("format", time.perf_counter(), rss()))
# the same texts from constants (what a table of our own would hold)
group, decimal = ",", "."
by_hand = [f"{3932:,}".replace(",", group), f"{5000:,}".replace(",", group),
           f"{512.4:.1f}".replace(".", decimal), "79%", decimal, when.strftime("%b %-d")]
marks.append(("by hand", time.perf_counter(), rss()))
steps = {name: ((t - marks[i][1]) * 1000, r - marks[i][2])
         for i, (name, t, r) in enumerate(marks[1:])}
print(json.dumps({"steps": steps, "texts": texts}))
"""


def data_files(tag: str) -> list[tuple[str, int]]:
    """The pickles Babel merges for `tag`: root, then each parent down to the tag."""
    import babel
    from babel import localedata

    folder = Path(babel.__file__).parent / "locale-data"
    chain = ["root"]
    parts = tag.split("_")
    for end in range(1, len(parts) + 1):
        name = "_".join(parts[:end])
        if localedata.exists(name):
            chain.append(name)
    return [(name, (folder / f"{name}.dat").stat().st_size) for name in chain]


def measure(tag: str, runs: int) -> dict[str, object]:
    results = []
    for _run in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", PROBE, tag], capture_output=True, text=True, check=True
        ).stdout
        results.append(json.loads(out))
    steps: dict[str, tuple[float, float]] = {}
    for name in results[0]["steps"]:
        steps[name] = (
            statistics.median(r["steps"][name][0] for r in results),
            statistics.median(r["steps"][name][1] for r in results),
        )
    return {"steps": steps, "texts": results[0]["texts"], "files": data_files(tag)}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("tags", nargs="*", default=["en", "de", "fr", "es", "de_CH"])
    args = parser.parse_args()
    print(
        "| locale | import babel.numbers + dates | CLDR data load | first formats | "
        "by hand | RSS import + data | pickles merged | texts |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for tag in args.tags:
        result = measure(tag, args.runs)
        steps = result["steps"]
        assert isinstance(steps, dict)
        files = ", ".join(f"{name} {size / 1024:.0f} KB" for name, size in result["files"])  # type: ignore[attr-defined]
        rss = steps["import"][1] + steps["data"][1] + steps["format"][1]
        print(
            f"| {tag} | {steps['import'][0]:.1f} ms | {steps['data'][0]:.1f} ms | "
            f"{steps['format'][0]:.1f} ms | {steps['by hand'][0]:.3f} ms | {rss:.1f} MB | "
            f"{files} | {' · '.join(result['texts'])} |"  # type: ignore[arg-type]
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
