"""The event hook's place in the app, light: what the alert centers deliver to
(`HookedNotifier`), and the slot that makes the runner (`ui/hook_runner.py`: QProcess, its
enums and the hook's environment) only when a hook first runs or the settings' Test needs it.
Most trays never set a hook; the runner is not part of the tray's start (issue 26: RSS)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from desktop.core.hooks import HookEvent
    from desktop.core.rules.messages import Notification
    from desktop.ui.alerts import Delivers
    from desktop.ui.hook_runner import HookRunner


class RunsHook(Protocol):
    """What `HookedNotifier` needs of a runner: its command (empty: no hook) and a run."""

    @property
    def command(self) -> tuple[str, ...]: ...

    def run(self, event: HookEvent) -> bool: ...


class HookSlot:
    """The settings' hook command, and its runner made on first need by `make` (given the
    command). Until then no run has failed, so there is no failure to show and nothing to stop.

    `command`: the settings' `hook_command` (a list of arguments; empty: no hook)."""

    def __init__(
        self, command: Sequence[str], make: Callable[[tuple[str, ...]], HookRunner]
    ) -> None:
        self._command = tuple(command)
        self._make = make
        self._runner: HookRunner | None = None

    @property
    def command(self) -> tuple[str, ...]:
        return self._command

    @property
    def made(self) -> HookRunner | None:
        """The runner if it was made, else None (nothing ran, nothing was tested)."""
        return self._runner

    @property
    def runner(self) -> HookRunner:
        """The runner, made now when it was not yet."""
        if self._runner is None:
            self._runner = self._make(self._command)
        return self._runner

    def set_command(self, command: Sequence[str]) -> None:
        """The settings changed: the runner (if made) forgets the failure it shows."""
        self._command = tuple(command)
        if self._runner is not None:
            self._runner.set_command(self._command)

    def run(self, event: HookEvent) -> bool:
        """`HookRunner.run`, the runner made only when there is a command to run."""
        return bool(self._command) and self.runner.run(event)

    def stop(self) -> None:
        """Quitting: the runner's `stop`, when it was made."""
        if self._runner is not None:
            self._runner.stop()


class HookedNotifier:
    """What the alert centers deliver to (`alerts.Delivers`, `alerts.RunsHooks`): the app's
    notifier for what is shown, and the runner for the hook (a `HookRunner` or a `HookSlot`),
    told of each note as `describe` makes it an event (the account's name and figures:
    `hooks.hook_event`) when it has a command."""

    def __init__(
        self,
        notifier: Delivers,
        runner: RunsHook,
        describe: Callable[[Notification], HookEvent],
    ) -> None:
        self._notifier = notifier
        self._runner = runner
        self._describe = describe

    def notify(self, note: Notification) -> None:
        self._notifier.notify(note)

    def run_hook(self, note: Notification) -> None:
        if self._runner.command:
            self._runner.run(self._describe(note))
