"""The forecast's range against synthetic histories: how often it held the real run-out.

    .venv/bin/python bench/backtest.py [--histories 40] [--horizons 7,14,28] [--seed 29]
    .venv/bin/python bench/backtest.py --method t-interval-10-90   # one method only (the first cut)

Prints markdown tables. The set-up, so the figures can be read:

- A history is 90 days of daily credits of one shape (below), drawn from a seeded generator:
  `--histories` of each shape, the same ones for every method.
- A forecast is made at midnight UTC of each day `t` from 14 to 90 - horizon, from the 14 days
  before it (days t-14 .. t-1, as `forecast.window_query` asks), by `forecast.compute` itself.
- Rolling horizon: its balance is what the history goes on to use over the next `horizon` days,
  ending at a seeded fraction of the last one, so the real run-out is known and lies about
  `horizon` days ahead (earlier when those last days are idle). Use within a day is even.
- The range holds the real run-out when it lies between the range's earliest and latest
  instants (an open end, None, holds everything later); `--by-day` counts it held when its UTC
  day lies between their days, as the tray speaks in days (a looser test).
- The point's error is |the point run-out - the real one| in days (the median is shown).

A 10th-90th percentile range should hold the real run-out about 80 % of the time: much less
claims more than the data knows, much more says less than it could.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from desktop.core import forecast  # noqa: E402
from desktop.core.models import summary_from_json  # noqa: E402

DAYS = 90
START = date(2026, 1, 5)  # a Monday: day 0 of every history
HORIZONS = (7, 14, 28)


def _noisy(rng: random.Random, level: float, variation: float = 0.3) -> float:
    """`level` credits with a gamma spread (coefficient of variation `variation`): never < 0."""
    shape = 1.0 / variation**2
    return level * rng.gammavariate(shape, 1.0 / shape)


def steady(rng: random.Random) -> list[float]:
    return [_noisy(rng, 100.0) for _ in range(DAYS)]


def weekdays(rng: random.Random) -> list[float]:
    """Use Monday to Friday only (day 0 is a Monday)."""
    return [_noisy(rng, 140.0) if day % 7 < 5 else 0.0 for day in range(DAYS)]


def bursty(rng: random.Random) -> list[float]:
    """Small daily use and, about one day in eight, a big scan."""
    return [
        _noisy(rng, 20.0, 0.5) + (rng.expovariate(1 / 400.0) if rng.random() < 0.125 else 0.0)
        for _ in range(DAYS)
    ]


def ramping(rng: random.Random) -> list[float]:
    """A pace that grows from 40 to 160 credits a day over the 90 days."""
    return [_noisy(rng, 40.0 + 120.0 * day / (DAYS - 1)) for day in range(DAYS)]


def tapering(rng: random.Random) -> list[float]:
    """A pace that falls from 160 to 40 credits a day over the 90 days."""
    return [_noisy(rng, 160.0 - 120.0 * day / (DAYS - 1)) for day in range(DAYS)]


SHAPES: dict[str, Callable[[random.Random], list[float]]] = {
    "steady": steady,
    "weekdays only": weekdays,
    "bursty": bursty,
    "ramping up": ramping,
    "tapering": tapering,
}


class Outcome(NamedTuple):
    horizon: int
    contained: bool
    error_days: float  # |point - real|
    width_days: float  # latest - earliest; inf when the latest is open


def _instant(day: float) -> datetime:
    return datetime.combine(START, datetime.min.time(), tzinfo=UTC) + timedelta(days=day)


def _days(at: datetime) -> float:
    return (at - _instant(0)).total_seconds() / 86400


def real_runout(used: Sequence[float], first: int, balance: float) -> float | None:
    """The day (fractional, from day 0) the balance runs out from midnight of day `first`."""
    spent = 0.0
    for day in range(first, len(used)):
        if used[day] > 0 and spent + used[day] >= balance:
            return day + (balance - spent) / used[day]
        spent += used[day]
    return None


def _summary(available: float) -> Any:
    return summary_from_json(
        {
            "by_model": {},
            "by_status": {},
            "total_neo_credits": 0,
            "total_tasks": 0,
            "total_available_neo_credits": available,
            "total_issued_neo_credits": None,
            "neo_credits_expires_at": None,  # the run-out alone is tested
        }
    )


def _window(used: Sequence[float], day: int) -> Any:
    rows = [
        {"date": (START + timedelta(days=index)).isoformat(), "neo_credits": used[index]}
        for index in range(day - forecast.WINDOW_DAYS, day)
    ]
    return summary_from_json(
        {
            "by_model": {},
            "by_status": {},
            "total_neo_credits": 0,
            "total_tasks": 0,
            "by_period": rows,
        }
    )


def backtest(
    used: Sequence[float], horizon: int, rng: random.Random, method: str, by_day: bool = False
) -> list[Outcome]:
    """One outcome for each day a forecast can be checked at this horizon."""
    outcomes = []
    for day in range(forecast.WINDOW_DAYS, len(used) - horizon + 1):
        last = day + horizon - 1
        balance = math.fsum(used[day:last]) + rng.uniform(0.05, 0.95) * used[last]
        real = real_runout(used, day, balance)
        if real is None or balance <= 0:
            continue
        now = _instant(day)
        result = forecast.compute(_summary(balance), _window(used, day), now, method=method)
        if not result.ok or result.runs_out_at is None or result.runs_out_range is None:
            continue
        earliest, latest = result.runs_out_range
        low = _days(earliest) if earliest is not None else math.inf
        high = _days(latest) if latest is not None else math.inf
        if by_day:
            contained = math.floor(low) <= math.floor(real) <= high  # an open end is inf
            contained = contained and (math.isinf(high) or math.floor(real) <= math.floor(high))
        else:
            contained = low <= real <= high
        point = _days(result.runs_out_at)
        outcomes.append(Outcome(horizon, contained, abs(point - real), high - low))
    return outcomes


def run(
    histories: int,
    horizons: Sequence[int],
    seed: int,
    methods: Sequence[str],
    by_day: bool = False,
) -> dict[str, dict[str, list[Outcome]]]:
    """Outcomes by method, then by shape; every method sees the same histories and balances."""
    results: dict[str, dict[str, list[Outcome]]] = {method: {} for method in methods}
    for method in methods:
        for number, (name, shape) in enumerate(SHAPES.items()):
            outcomes = results[method].setdefault(name, [])
            for index in range(histories):
                used = shape(random.Random(seed * 1_000_003 + number * 10_007 + index))
                for horizon in horizons:
                    rng = random.Random(f"{seed}/{name}/{index}/{horizon}")
                    outcomes += backtest(used, horizon, rng, method, by_day)
    return results


def _share(outcomes: Sequence[Outcome]) -> str:
    if not outcomes:
        return "—"
    return f"{100 * sum(o.contained for o in outcomes) / len(outcomes):.0f} %"


def _median(values: Sequence[float]) -> str:
    if not values:
        return "—"
    value = statistics.median(values)
    return "open" if math.isinf(value) else f"{value:.1f}"


def table(results: dict[str, dict[str, list[Outcome]]], horizons: Sequence[int]) -> str:
    """Per shape: forecasts checked, the median point error, and for each method how often its
    range held the real run-out (all horizons, then each) and its median width in days."""
    methods = list(results)
    first = results[methods[0]]
    head = ["shape", "forecasts", "point error, days (median)"]
    for method in methods:
        head += [f"held: {method}"]
        head += [f"{horizon} d" for horizon in horizons]
        head += ["width, days (median)"]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for shape, outcomes in first.items():
        cells = [shape, str(len(outcomes)), _median([o.error_days for o in outcomes])]
        for method in methods:
            mine = results[method][shape]
            cells.append(_share(mine))
            cells += [_share([o for o in mine if o.horizon == horizon]) for horizon in horizons]
            cells.append(_median([o.width_days for o in mine]))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--histories", type=int, default=40, help="histories of each shape")
    parser.add_argument("--horizons", default=",".join(map(str, HORIZONS)), help="days ahead")
    parser.add_argument("--seed", type=int, default=29)
    parser.add_argument(
        "--method",
        choices=sorted(forecast.METHODS),
        help="one method only (default: the first cut and the current one side by side)",
    )
    parser.add_argument("--by-day", action="store_true", help="held: compare UTC days")
    options = parser.parse_args(argv)
    horizons = [int(part) for part in options.horizons.split(",") if part.strip()]
    methods = [options.method] if options.method else [forecast.T_INTERVAL, forecast.METHOD]
    results = run(options.histories, horizons, options.seed, methods, options.by_day)
    text = table(results, horizons)
    print(text)
    return text


if __name__ == "__main__":
    main()
