"""After the event loop, a worker stuck in a call that cannot be cut short (a QThread, a plain
thread, a job of Qt's pool) must not hold the process or make Qt abort: the tray ends with its
exit code, its log flushed."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from tests.conftest import REPO_ROOT

STUCK_TRAY = textwrap.dedent(
    """
    import logging, sys, threading
    from PySide6.QtCore import QCoreApplication, QRunnable, QThread, QThreadPool
    from desktop.launcher import finish
    from desktop.ui.worker_thread import stop_thread

    logging.basicConfig(stream=sys.stderr, level=logging.INFO)
    app = QCoreApplication([])
    never = threading.Event()
    threading.Thread(target=never.wait, name="stuck-job").start()  # not a daemon

    class StuckThread(QThread):  # a worker thread busy in a call that never returns
        def run(self):
            never.wait()

    class Stuck(QRunnable):
        def run(self):
            never.wait()

    thread = StuckThread()
    thread.setObjectName("neo-poller")
    thread.start()

    QThreadPool.globalInstance().start(Stuck())
    stop_thread(thread, 100)
    print("finishing", flush=True)
    sys.exit(finish(0))
    """
)


def test_a_stuck_worker_neither_holds_the_process_nor_makes_qt_abort() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(REPO_ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", STUCK_TRAY],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,  # without the backstop it never ends
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "finishing\n"
    assert "QThread: Destroyed" not in result.stderr
    assert "Ending without waiting for: stuck-job, neo-poller" in result.stderr
