"""The model behind issue 29's views, without painting: the forecast with its range plus a year
heatmap's cells, against the forecast plus the balance history (what the detail window built
before), for the same year of daily rows.

    .venv/bin/python bench/forecast_model.py [--reps 5]   # prints the figures (µs)

bench/run.py adds its rows from `measure`.
"""

from __future__ import annotations

import argparse
import sys
import timeit
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)


class Figures(NamedTuple):
    """Seconds per call, one figure a repetition."""

    model: list[float]  # forecast.compute (with its range) + history.year_cells (365 cells)
    before: list[float]  # forecast.compute + forecast.balance_history
    range_alone: list[float]  # forecast.rate_range on the window
    compute: list[float]  # forecast.compute alone


def _summaries() -> tuple[Any, Any]:
    """A year of daily rows (bursty, a weekly rhythm) and the forecast's 14-day window."""
    from desktop.core.models import summary_from_json

    first = NOW - timedelta(days=365)

    def credits(i: int) -> float:
        return 0.0 if i % 7 in (5, 6) else 40.0 + (i * 37) % 23 + (300 if i % 11 == 0 else 0)

    rows = [
        {"date": (first + timedelta(days=i)).date().isoformat(), "neo_credits": credits(i),
         "tasks": 1 + i % 5}
        for i in range(366)
    ]  # fmt: skip
    head = {
        "by_model": {},
        "by_status": {},
        "total_neo_credits": 1,
        "total_tasks": 1,
        "total_available_neo_credits": 40_000.0,
        "total_issued_neo_credits": 90_000.0,
        "last_credit_reset": first.isoformat(),
        "neo_credits_expires_at": (NOW + timedelta(days=120)).isoformat(),
    }
    year = summary_from_json({**head, "by_period": rows})
    window = summary_from_json({**head, "by_period": rows[-15:-1]})
    return year, window


def measure(reps: int, number: int = 200) -> Figures:
    from desktop.core import forecast, history

    year, window = _summaries()
    used = forecast.daily_usage(window.by_period or (), (NOW - timedelta(days=14)).date(), 14)

    def model() -> object:
        ahead = forecast.compute(year, window, NOW)
        return ahead, history.year_cells(year, NOW, year.last_credit_reset, ahead.expires_at)

    def before() -> object:
        return forecast.compute(year, window, NOW), forecast.balance_history(year, year, NOW)

    def range_alone() -> object:
        return forecast.rate_range(used, 120.0, forecast.METHOD, 0.5)

    def compute() -> object:
        return forecast.compute(year, window, NOW)

    assert len(history.year_cells(year, NOW, None, None)) in (365, 366)
    assert forecast.compute(year, window, NOW).credits_per_day_range is not None

    functions = (model, before, range_alone, compute)
    for function in functions:
        function()  # warm: imports, caches
    # Interleaved, so a slow moment of the machine falls on every side.
    figures: list[list[float]] = [[] for _ in functions]
    for _ in range(reps):
        for figure, function in zip(figures, functions, strict=True):
            figure.append(timeit.timeit(function, number=number) / number)
    return Figures(*figures)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=5)
    figures = measure(parser.parse_args().reps)
    for name, values in figures._asdict().items():
        shown = ", ".join(f"{value * 1e6:.1f}" for value in values)
        print(f"{name}: {min(values) * 1e6:.1f} µs (min of {shown})")
    print(f"ratio model/before: {min(figures.model) / min(figures.before):.2f}x")


if __name__ == "__main__":
    main()
