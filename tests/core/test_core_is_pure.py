"""The core is pure: every `desktop.core` module imports without the HTTP client, Qt or keyrings."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import desktop.core

BLOCKED = ("httpx", "PySide6", "keyring", "jeepney")

PROBE = """
import importlib, importlib.abc, sys
blocked = set(sys.argv[1].split(","))
attempts = []
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in blocked:
            attempts.append(name)
            raise ImportError(f"blocked: {name}")
        return None
sys.meta_path.insert(0, Block())
for module in sys.argv[2:]:
    try:
        importlib.import_module(module)
    except ImportError as exc:
        attempts.append(f"{module}: {exc}")
print("\\n".join(attempts))
"""


def core_modules() -> list[str]:
    """Every module of core, those of its packages (`rules.decisions`...) included."""
    return sorted(
        info.name for info in pkgutil.walk_packages(desktop.core.__path__, "desktop.core.")
    )


def test_every_core_module_imports_without_http_qt_or_keyring() -> None:
    modules = core_modules()
    assert "desktop.core.rules.decisions" in modules
    assert "desktop.core.query" in modules
    result = subprocess.run(
        [sys.executable, "-c", PROBE, ",".join(BLOCKED), *modules],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == "", f"core reached for a blocked package:\n{result.stdout}"


def test_the_probe_catches_a_blocked_import() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, ",".join(BLOCKED), "desktop.api.client"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "httpx" in result.stdout
