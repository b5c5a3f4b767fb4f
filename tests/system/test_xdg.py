"""The XDG folders `system/xdg.py` finds are the ones platformdirs gives."""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = """
import platformdirs
from desktop.system import xdg
for kind in ("config", "cache", "state", "data", "log"):
    mine = xdg.user_dir(kind, "neo-usage-tray")
    theirs = getattr(platformdirs, f"user_{kind}_dir")("neo-usage-tray", appauthor=False)
    print(kind, mine == theirs or mine is None, mine is None)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG folders are Linux's")
@pytest.mark.parametrize(
    ("environ", "plain"),
    [
        ({"HOME": "/home/ada"}, True),
        ({"HOME": "/home/ada", "XDG_CONFIG_HOME": "/x/conf", "XDG_CACHE_HOME": "/x/cache"}, True),
        ({"HOME": "/home/ada", "XDG_STATE_HOME": "relative", "XDG_DATA_HOME": ""}, True),
        ({"HOME": "relative"}, False),
        ({}, False),
    ],
)
def test_the_folders_are_platformdirs_ones(environ: dict[str, str], plain: bool) -> None:
    env = {"PATH": "/usr/bin:/bin", **environ}
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, check=True
    )
    rows = [line.split() for line in result.stdout.splitlines()]
    assert len(rows) == 5
    assert all(same == "True" for _, same, _ in rows), result.stdout
    if plain:
        assert all(none == "False" for _, _, none in rows), result.stdout
