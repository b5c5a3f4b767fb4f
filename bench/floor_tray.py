"""The dependency floor of the tray (issue 26): the bare PySide6 tray of `bare_tray.py`, then,
once its icon shows, what the app cannot do without:

- pydantic validating a summary-sized model (the documented example's shape and fields),
- an `httpx.Client` with the app's TLS context (truststore over the system's trust store, as
  `desktop/api/client.py` builds it),
- `keyring.get_keyring()`, which on Linux finds the running Secret Service (SecretStorage,
  jeepney and cryptography come with it),
- a listening `QLocalServer` (QtNetwork, which the single-instance check imports).

It imports nothing of the app, and reads no `NEO_API_TOKEN`: `bench/run.py` starts it in the
same desktop session, Secret Service and environment as the app, and compares the app's RSS
after start with this one's. Run alone: `python bench/floor_tray.py` (Quit in its menu ends it).
"""

import os
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction, QColor, QIcon, QPixmap
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon

#: The same delay as the app's launcher: the icon registers with the host before the imports.
AFTER_ICON_MS = 150

#: A summary-sized body: every documented field, a few rows of each list (as the API's example).
SUMMARY = b"""{
  "by_model": {"claude-sonnet-4-5": {"neo_credits": 3200.49, "tasks": 974},
               "gpt-5": {"neo_credits": 1787.39, "tasks": 411}},
  "by_status": {"completed": 1350, "failed": 42},
  "total_neo_credits": 5657.49, "total_tasks": 1392,
  "by_email": [{"email": "a@example.test", "neo_credits": 3100.5, "tasks": 800},
               {"email": "b@example.test", "neo_credits": 2556.99, "tasks": 592}],
  "by_period": [{"date": "2026-11-27", "neo_credits": 120.5, "tasks": 31},
                {"date": "2026-11-28", "neo_credits": 98.25, "tasks": 22}],
  "byok": {"total_llm_cost": 12.5, "total_neo_cost": 3.25, "total_streams": 4, "total_tasks": 9},
  "last_credit_reset": "2026-11-01T00:00:00Z",
  "neo_credits_expires_at": "2027-02-07T00:00:00Z",
  "neo_credits_is_expired": false,
  "total_agent_triggers": 17, "total_available_neo_credits": 3932.0,
  "total_execution_ms": 81234567, "total_issued_neo_credits": 5000.0,
  "total_neo_credits_post_reset": 1068.0, "total_steps": 20412, "total_tool_calls": 9120
}"""

kept: list[object] = []  # everything loaded stays alive, as in the app


def load_dependencies() -> None:
    import ssl
    from datetime import datetime
    from typing import Annotated, NotRequired

    import httpx
    import keyring
    import truststore
    from pydantic import (
        AllowInfNan,
        BaseModel,
        ConfigDict,
        Field,
        StrictBool,
        StrictFloat,
        StrictInt,
    )
    from PySide6.QtNetwork import QLocalServer
    from typing_extensions import TypedDict

    limit = 10**15
    number = (
        Annotated[StrictInt, Field(ge=-limit, le=limit)]
        | Annotated[StrictFloat, AllowInfNan(False), Field(ge=-limit, le=limit)]
    )

    class Row(TypedDict):
        email: str
        neo_credits: NotRequired[number]
        tasks: NotRequired[number]

    class Period(TypedDict):
        date: str
        neo_credits: NotRequired[number]
        tasks: NotRequired[number]

    class Byok(BaseModel):
        model_config = ConfigDict(frozen=True, extra="allow")
        total_llm_cost: number | None = None
        total_neo_cost: number | None = None
        total_streams: number | None = None
        total_tasks: number | None = None

    class Summary(BaseModel):
        model_config = ConfigDict(frozen=True, extra="ignore")
        by_model: dict[str, number | dict[str, number]]
        by_status: dict[str, number | dict[str, number]]
        total_neo_credits: number
        total_tasks: number
        by_email: tuple[Row, ...] | None = None
        by_period: tuple[Period, ...] | None = None
        byok: Byok | None = None
        last_credit_reset: datetime | None = None
        neo_credits_expires_at: datetime | None = None
        neo_credits_is_expired: StrictBool | None = None
        total_agent_triggers: number | None = None
        total_available_neo_credits: number | None = None
        total_execution_ms: number | None = None
        total_issued_neo_credits: number | None = None
        total_neo_credits_post_reset: number | None = None
        total_steps: number | None = None
        total_tool_calls: number | None = None

    kept.append(Summary.model_validate_json(SUMMARY))
    context = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    kept.append(httpx.Client(verify=context, follow_redirects=False))
    kept.append(keyring.get_keyring())
    server = QLocalServer()
    folder = os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir()
    name = str(Path(folder) / f"floor-tray-{os.getpid()}")
    QLocalServer.removeServer(name)
    if not server.listen(name):
        print(f"floor_tray: cannot listen on {name}: {server.errorString()}", file=sys.stderr)
    kept.append(server)
    print("floor_tray: dependencies loaded", file=sys.stderr, flush=True)


def main() -> int:
    os.environ.pop("NEO_API_TOKEN", None)  # the floor, like the app measured, has none
    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    pixmap = QPixmap(22, 22)
    pixmap.fill(QColor("#2fb35f"))
    tray = QSystemTrayIcon(QIcon(pixmap))
    menu = QMenu()
    quit_action = QAction("Quit", menu)
    quit_action.triggered.connect(app.quit)
    menu.addAction(quit_action)
    tray.setContextMenu(menu)
    tray.setToolTip("floor tray")
    tray.show()
    QTimer.singleShot(AFTER_ICON_MS, load_dependencies)
    code = app.exec()
    for item in kept:
        if hasattr(item, "close"):
            item.close()
    return code


if __name__ == "__main__":
    sys.exit(main())
