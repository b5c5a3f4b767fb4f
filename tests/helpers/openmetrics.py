"""The two parsers `--format openmetrics` must satisfy: Prometheus' own text parser and linter
(`promtool check metrics`, Debian's `prometheus`) and prometheus_client's OpenMetrics parser."""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import Any

import pytest


def promtool_check(text: str | bytes) -> None:
    """`promtool check metrics` accepts `text` without a problem (exit 0, nothing said)."""
    promtool = shutil.which("promtool")
    if promtool is None:
        if os.environ.get("CI"):
            pytest.fail("promtool missing on CI (Debian package prometheus, tests/run.sh)")
        pytest.skip("needs promtool (Debian package prometheus)")
    data = text.encode("utf-8") if isinstance(text, str) else text
    result = subprocess.run(
        [promtool, "check", "metrics"], input=data, capture_output=True, timeout=60, check=False
    )
    said = (result.stdout + result.stderr).decode("utf-8", "replace")
    assert result.returncode == 0, said
    assert said == "", said


def openmetrics_families(text: str | bytes) -> dict[str, Any]:
    """prometheus_client's OpenMetrics parser's families of `text` (UTF-8 when bytes), by name;
    it raises ValueError on anything the format refuses (no `# EOF`, a family twice, a bad
    escape, a unit the name does not end with)."""
    from prometheus_client.openmetrics.parser import text_string_to_metric_families

    string = text.decode("utf-8") if isinstance(text, bytes) else text
    families: dict[str, Any] = {}
    for family in text_string_to_metric_families(string):
        assert family.name not in families, f"{family.name} twice"
        assert family.type == "gauge", family
        families[family.name] = family
    return families


def both_parsers(text: str | bytes) -> dict[str, Any]:
    """Both parsers accept `text`; the OpenMetrics families, by name."""
    promtool_check(text)
    return openmetrics_families(text)


def samples(families: dict[str, Any]) -> dict[tuple[str, str], tuple[dict[str, str], float]]:
    """Every sample as (metric, account) -> (its labels, its value); each pair once, no sample
    timestamp nor exemplar."""
    found: dict[tuple[str, str], tuple[dict[str, str], float]] = {}
    for name, family in families.items():
        for sample in family.samples:
            assert sample.name == name
            assert sample.timestamp is None
            assert sample.exemplar is None
            key = (name, sample.labels["account"])
            assert key not in found, key
            found[key] = (dict(sample.labels), sample.value)
    return found
