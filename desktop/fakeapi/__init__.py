"""The embedded fake Neo API (loopback only) used by `--demo` and the tests."""

from desktop.fakeapi.server import DEMO_TOKEN, SCENARIOS, FakeNeoApi

__all__ = ["DEMO_TOKEN", "SCENARIOS", "FakeNeoApi"]
