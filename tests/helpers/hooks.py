"""The hook tests' secret rule: `holds_secret` for given secrets, by the log's one redaction
rule (`core/redaction`), as `ui/hook_runner.holds_secret` applies it to the redactor's."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from desktop.core.redaction import redact


def secret_test(secrets: Iterable[str]) -> Callable[[str], bool]:
    known = tuple(secrets)
    return lambda value: redact(value, known) != value
