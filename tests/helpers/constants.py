"""Constants and sample bodies shared by the tests."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_API = REPO_ROOT.parent / "shared" / "api"
FIXTURES = REPO_ROOT / "tests" / "fixtures"

TOKEN = "test-token-123456"  # the fake API's token; long enough to be redacted in logs


def shared_example(name: str) -> bytes:
    """A sample body from ../shared/api, or the copy kept in tests/fixtures for a lone clone."""
    for folder in (SHARED_API, FIXTURES):
        path = folder / name
        if path.exists():
            return path.read_bytes()
    raise FileNotFoundError(name)
