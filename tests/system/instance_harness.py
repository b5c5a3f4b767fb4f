"""One launch as the launcher makes it, for the single-instance tests: claim the instance, print
the claim, and, when this process is the tray, serve the socket until told to stop.

    python -m tests.system.instance_harness DIR [--start-at T] [--hold S] [--max-fds N]
                                                [--use-up-fds]

`--start-at` waits until the wall-clock time T (so many launches claim at the same moment);
`--hold` keeps a claimed instance serving for S seconds (until stdin closes when 0);
`--max-fds` lowers this process's file-descriptor limit; `--use-up-fds` opens files until none
is left (a tray that has run out of them), until the line "free" arrives on stdin.
Prints "claim <value>", then "activated" each time a second launch asks it to show itself.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSocketNotifier, QTimer

from desktop.system.single_instance import Claim, SingleInstance


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("directory", type=Path)
    parser.add_argument("--start-at", type=float, default=0.0)
    parser.add_argument("--hold", type=float, default=0.0)
    parser.add_argument("--max-fds", type=int, default=0)
    parser.add_argument("--use-up-fds", action="store_true")
    args = parser.parse_args()
    if args.max_fds:
        import resource

        _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (args.max_fds, hard))
    app = QCoreApplication(["instance-harness"])
    instance = SingleInstance(args.directory, "tray")
    time.sleep(max(0.0, args.start_at - time.time()))
    claim = instance.claim()
    print("claim", claim.value, flush=True)
    if claim is not Claim.CLAIMED:
        return 0
    instance.activation_requested.connect(lambda: print("activated", flush=True))
    hoard: list[int] = []
    if args.use_up_fds:
        with contextlib.suppress(OSError):
            while True:
                hoard.append(os.open(os.devnull, os.O_RDONLY))
        print("used up", len(hoard), flush=True)

    def on_stdin() -> None:
        line = os.read(sys.stdin.fileno(), 1024)
        if not line:
            app.quit()
        elif line.strip() == b"free":
            while hoard:
                os.close(hoard.pop())
            print("freed", flush=True)

    if args.hold:
        QTimer.singleShot(round(args.hold * 1000), app.quit)
    else:  # serve until the test closes our stdin
        stdin = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read)
        stdin.activated.connect(on_stdin)
    app.exec()
    for fd in hoard:
        os.close(fd)
    instance.release()
    print("released", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
