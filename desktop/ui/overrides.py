"""What the environment or the command line set over the stored settings, for the settings
dialog to show (a module of its own: the tray makes one at start, the dialog is imported later)."""

from __future__ import annotations

from dataclasses import dataclass

from desktop.core.query import AuthScheme


@dataclass(frozen=True)
class Overrides:
    """What the environment or the command line set over the stored settings."""

    base_url: str | None = None  # NEO_API_URL's value
    auth_scheme: AuthScheme | None = None  # --auth-scheme
    environment_token: bool = False  # NEO_API_TOKEN: this run uses that account, not these
