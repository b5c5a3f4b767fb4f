"""The README's status-bar snippets are files here; each is parsed and its command run, and the
README must show each file as it is, so the examples never rot."""

from __future__ import annotations

import configparser
import json
import re
import shlex
from pathlib import Path

import pytest

from desktop.fakeapi import FakeNeoApi
from tests.conftest import REPO_ROOT
from tests.helpers.processes import api_env, run_app

SNIPPETS = REPO_ROOT / "docs" / "statusbars"


def waybar_command(text: str) -> str:
    module = json.loads("{" + text + "}")["custom/neo"]
    assert module["return-type"] == "json"
    return str(module["exec"])


def i3blocks_command(text: str) -> str:
    config = configparser.ConfigParser()
    config.read_string(text)
    return config["neo"]["command"]


def polybar_command(text: str) -> str:
    config = configparser.ConfigParser()
    config.read_string(text)
    assert config["module/neo"]["type"] == "custom/script"
    return config["module/neo"]["exec"]


def tmux_command(text: str) -> str:
    found = re.search(r"#\((.+?)\)", text)
    assert found
    return found.group(1)


READERS = {
    "waybar.jsonc": (waybar_command, "waybar"),
    "i3blocks.conf": (i3blocks_command, "i3blocks"),
    "polybar.ini": (polybar_command, "text"),
    "tmux.conf": (tmux_command, "text"),
}


@pytest.mark.parametrize("name", sorted(READERS))
def test_each_snippet_runs_and_is_in_the_readme(
    name: str, fake_api: FakeNeoApi, isolated_home: Path
) -> None:
    text = (SNIPPETS / name).read_text()
    assert text.strip() in (REPO_ROOT / "README.md").read_text(), f"README lacks {name}"
    read, output = READERS[name]
    command = shlex.split(read(text))
    assert command[0] == "neo-tray"
    assert "--cached" in command
    assert command[command.index("--format") + 1] == output
    result = run_app(*command[1:], env=api_env(fake_api, fake_api.token))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()
    if output == "waybar":
        assert json.loads(result.stdout)["class"] == "ok"
