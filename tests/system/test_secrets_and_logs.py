from __future__ import annotations

import logging
from pathlib import Path

import keyring
import pytest
from keyring.backends.fail import Keyring as FailKeyring

from desktop.core.errors import KeyringUnavailable
from desktop.core.redaction import REDACTED
from desktop.system import logs, secrets
from tests.conftest import MemoryKeyring


def test_env_token_wins_over_keyring(memory_keyring: MemoryKeyring) -> None:
    secrets.save_token("stored-token-abc")
    assert secrets.load_token({"NEO_API_TOKEN": "env-token-xyz"}).token == "env-token-xyz"
    lookup = secrets.load_token({})
    assert (lookup.token, lookup.source) == ("stored-token-abc", "keyring")


def test_delete_token_is_idempotent(memory_keyring: MemoryKeyring) -> None:
    secrets.save_token("stored-token-abc")
    secrets.delete_token()
    secrets.delete_token()
    assert secrets.load_token({}).token is None


def test_missing_keyring_is_a_clear_problem_not_a_crash() -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(FailKeyring())
    try:
        lookup = secrets.load_token({})
        assert lookup.token is None
        assert lookup.keyring_problem is not None
        assert "NEO_API_TOKEN" in lookup.keyring_problem
        assert secrets.load_token({"NEO_API_TOKEN": "env-token-xyz"}).token == "env-token-xyz"
        with pytest.raises(KeyringUnavailable):
            secrets.save_token("x-token-1234")
    finally:
        keyring.set_keyring(previous)


def test_redactor_scrubs_messages_args_and_tracebacks(tmp_path: Path) -> None:
    token = "sk-very-secret-token-42"
    log_file = tmp_path / "test.log"
    logs.configure(None, log_file)
    logs.redactor.add_secret(token)
    logger = logging.getLogger("desktop.test")
    logger.warning("token is %s", token)
    logger.info(f"inline {token}")
    try:
        raise RuntimeError(f"failed with Bearer {token}")
    except RuntimeError:
        logger.exception("request failed")
    for handler in logging.getLogger("desktop").handlers:
        handler.flush()
    text = log_file.read_text()
    assert token not in text
    assert text.count(REDACTED) >= 3
    assert "RuntimeError" in text
    logs.configure(None, tmp_path / "other.log")  # release the file handler
