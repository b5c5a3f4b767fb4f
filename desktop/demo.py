"""`--demo`: the embedded fake Neo API, started with the living account the demo shows."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from desktop.core.environment import (
    DEMO_DRAIN_ENV,
    DEMO_TASK_SECONDS,
    DEMO_TASK_SECONDS_ENV,
    positive_float,
)
from desktop.fakeapi import FakeNeoApi

log = logging.getLogger(__name__)


def start_demo_api(scenario: str, environ: Mapping[str, str]) -> FakeNeoApi:
    api = FakeNeoApi(
        scenario=scenario,
        live_task_interval=positive_float(environ, DEMO_TASK_SECONDS_ENV, DEMO_TASK_SECONDS, 0.01),
        live_credit_multiplier=positive_float(environ, DEMO_DRAIN_ENV, 1.0, 0.01),
    ).start()
    log.info("Demo: fake Neo API at %s (scenario %s)", api.url, scenario)
    return api
