"""A 400-digit integer in a file the app wrote (hardening, X8 item 3): `math.isfinite` of such an
int raises OverflowError, which crashed `--once --cached` (the forecast's figures) and the History
tab (the year's history). Every app file is now read with `parse_int=validators.bounded_int`, and
the forecast's figures are checked with `validators.is_json_number`; both paths stay identical."""

from __future__ import annotations

import json
import math
from datetime import date, timedelta
from pathlib import Path

import pytest

from desktop.core.forecast import forecast_from_json
from desktop.core.history import DayUsage
from desktop.core.query import DEFAULT_BASE_URL
from desktop.system import cache, history_cache
from tests import test_fast_cached as fast_cached_tests
from tests.test_fast_cached import (  # the same cache, settings and clock as its tests
    HEALTHY,
    OK_FORECAST,
    _frozen,  # noqa: F401 - autouse: one `now` for both paths
    both,
    write_cache,
)

HUGE = "9" * 400


def put_huge(path: Path, field: str) -> None:
    """Replace the number of the first `"field": <number>` in the file's text by `HUGE`."""
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    owner = data["forecast"] if field in data.get("forecast", {}) else data
    sentinel = 123456.789
    owner[field] = sentinel
    text = json.dumps(data).replace(str(sentinel), HUGE)
    assert HUGE in text
    path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("field", ["credits_per_day", "unused_at_expiry", "pace_fraction"])
@pytest.mark.parametrize("output", ["json", "waybar", "text"])
def test_a_huge_integer_in_a_cached_forecast_is_no_figure_on_both_paths(
    isolated_home: Path, capsys: pytest.CaptureFixture[str], field: str, output: str
) -> None:
    path = write_cache(HEALTHY, forecast=OK_FORECAST)
    put_huge(path, field)
    out, code = both(["--once", "--cached", "--format", output], capsys)
    assert code == 0
    assert "Unexpected" not in out
    assert HUGE not in out


def test_the_forecasts_figures_refuse_a_huge_integer() -> None:
    data = dict(OK_FORECAST)
    data["credits_per_day"] = int(HUGE)
    forecast = forecast_from_json(data, None)  # OverflowError before
    assert forecast is None or forecast.credits_per_day is None


def test_a_huge_integer_in_the_cache_file_is_read_as_no_number(isolated_home: Path) -> None:
    path = write_cache(HEALTHY, forecast=OK_FORECAST)
    put_huge(path, "interval_seconds")
    data = cache.read_data(DEFAULT_BASE_URL, path)
    assert data is not None
    assert data["interval_seconds"] == math.inf  # refused by the checks, like NaN


def test_a_huge_integer_in_the_years_history_is_a_damaged_file(isolated_home: Path) -> None:
    path = history_cache.default_path()
    entry = history_cache.HistoryEntry(
        fast_cached_tests.NOW - timedelta(hours=1), (DayUsage(date(2026, 11, 2), 5.0, 1),)
    )
    history_cache.save(entry, "https://x.test", "aaaaaaaaaaaa", path)
    assert (
        history_cache.load("https://x.test", "aaaaaaaaaaaa", path, fast_cached_tests.NOW)
        is not None
    )
    for column in ("5.0", "1]"):
        spoilt = path.read_text().replace(f",{column}", f",{HUGE}" + column[1:] * (column == "1]"))
        assert HUGE in spoilt
        path.write_text(spoilt)
        assert (
            history_cache.load("https://x.test", "aaaaaaaaaaaa", path, fast_cached_tests.NOW)
            is None
        )
        history_cache.save(entry, "https://x.test", "aaaaaaaaaaaa", path)
