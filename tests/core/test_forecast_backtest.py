"""bench/backtest.py runs, on a small size, and prints its table's shape: a row per shape, the
same cells in every row, a share for each method and horizon (its figures are the bench's)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest

from desktop.core.forecast import METHOD, T_INTERVAL

BACKTEST = Path(__file__).resolve().parents[2] / "bench" / "backtest.py"


def load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("backtest", BACKTEST)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cells(line: str) -> list[str]:
    assert line.startswith("| ")
    assert line.endswith(" |")
    return [cell.strip() for cell in line[1:-1].split("|")]


@pytest.mark.parametrize(
    ("argv", "methods"),
    [
        ([], [T_INTERVAL, METHOD]),
        (["--method", T_INTERVAL], [T_INTERVAL]),
        (["--method", METHOD, "--by-day"], [METHOD]),  # open ends (bursty) by day
    ],
)
def test_the_backtest_prints_a_row_per_shape(
    argv: list[str], methods: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    backtest = load()
    text = backtest.main(["--histories", "1", "--horizons", "7,14", *argv])
    assert capsys.readouterr().out.strip() == text
    head, rule, *rows = text.splitlines()
    names = cells(head)
    assert names[:3] == ["shape", "forecasts", "point error, days (median)"]
    assert [name for name in names if name.startswith("held: ")] == [
        f"held: {method}" for method in methods
    ]
    assert len(names) == 3 + len(methods) * 4  # held, 7 d, 14 d, width
    assert rule == "|" + " --- |" * len(names)
    assert [cells(row)[0] for row in rows] == list(backtest.SHAPES)
    for row in rows:
        values = cells(row)
        assert len(values) == len(names)
        assert int(values[1]) > 0
        assert re.fullmatch(r"\d+\.\d", values[2])
        shares = [v for name, v in zip(names, values, strict=True) if name.startswith("held")]
        shares += [v for name, v in zip(names, values, strict=True) if name.endswith(" d")]
        assert all(re.fullmatch(r"\d{1,3} %", share) for share in shares)


def test_the_real_run_out_is_where_the_balance_meets_the_use() -> None:
    backtest = load()
    used = [10.0, 0.0, 20.0, 5.0]
    assert backtest.real_runout(used, 0, 5.0) == 0.5
    assert backtest.real_runout(used, 0, 10.0) == 1.0  # hit at the end of day 0
    assert backtest.real_runout(used, 1, 25.0) == 4.0
    assert backtest.real_runout(used, 0, 100.0) is None
