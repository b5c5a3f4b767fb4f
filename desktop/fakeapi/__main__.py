"""Run the fake Neo API on its own: `python -m desktop.fakeapi --scenario low`."""

from __future__ import annotations

import argparse
import signal
import threading

from desktop.fakeapi.server import DEMO_TOKEN, SCENARIOS, FakeNeoApi


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m desktop.fakeapi")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free one)")
    parser.add_argument("--token", default=DEMO_TOKEN)
    parser.add_argument("--scenario", default="ok", choices=sorted(SCENARIOS))
    parser.add_argument("--live-task-interval", type=float, default=60.0)
    parser.add_argument("--live-credit-multiplier", type=float, default=1.0)
    parser.add_argument("--retry-after", default="30")
    args = parser.parse_args()
    api = FakeNeoApi(
        token=args.token,
        scenario=args.scenario,
        port=args.port,
        live_task_interval=args.live_task_interval,
        live_credit_multiplier=args.live_credit_multiplier,
        retry_after=args.retry_after,
    ).start()
    print(api.url, flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    api.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
