"""Guards against a Qt binding that corrupts reference counts when signals reach Python slots.

PySide6 6.12.0 over-releases the objects a signal carries (and a slot's return value): after a
few thousand emissions the interpreter aborts with "deallocating True or False". The tray emits
signals for its whole life, so such a binding must never be installed (pyproject excludes it).
"""

from __future__ import annotations

import subprocess
import sys

EMIT_MANY = """
from PySide6.QtCore import QCoreApplication, QObject, Signal
app = QCoreApplication([])
class Emitter(QObject):
    flag = Signal(bool)
    value = Signal(object)
emitter = Emitter()
seen = []
emitter.flag.connect(seen.append)
emitter.value.connect(seen.append)
for _ in range(20000):
    emitter.flag.emit(True)
    emitter.value.emit(False)
print(len(seen))
"""


def test_signals_do_not_corrupt_reference_counts() -> None:
    result = subprocess.run(
        [sys.executable, "-c", EMIT_MANY], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-500:]
    assert result.stdout.strip() == "40000"


def test_no_6_12_release_can_install_on_python_3_11() -> None:
    import tomllib

    from packaging.requirements import Requirement

    from tests.conftest import REPO_ROOT

    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    bindings = [
        Requirement(text)
        for text in project["dependencies"]
        if text.lower().startswith("pyside6-essentials")
    ]
    on_311 = [
        r for r in bindings if r.marker is None or r.marker.evaluate({"python_version": "3.11"})
    ]
    assert on_311
    for requirement in on_311:
        for version in ("6.12.0", "6.12.1", "6.12.5"):
            assert version not in requirement.specifier, requirement
        assert "6.11.3" in requirement.specifier
