"""TLS is verified against the system's trust store: a CA that only the test's trust configuration
knows is refused without it (with a sentence about the certificate) and accepted with it."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers.processes import run_app

TOKEN = "tls-test-token-123456"


def test_an_unknown_ca_is_refused_with_a_sentence_about_the_certificate(
    https_api: tuple[str, Path],
) -> None:
    url, _ca = https_api
    result = run_app("--once", "--json", env={"NEO_API_URL": url, "NEO_API_TOKEN": TOKEN})
    assert result.returncode == 4, result.stderr
    assert "certificate" in result.stderr
    assert "not trusted" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_a_ca_the_system_trusts_is_accepted(https_api: tuple[str, Path]) -> None:
    url, ca = https_api
    # The system trust store, as OpenSSL reads it, here pointed at the throwaway CA (certifi's
    # bundle would ignore this: only the system store makes a company proxy's CA work).
    env = {"NEO_API_URL": url, "NEO_API_TOKEN": TOKEN, "SSL_CERT_FILE": str(ca)}
    result = run_app("--once", "--json", env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["summary"]["total_tasks"] == 1
