"""Runs the settings' event hook (a command, without a shell) for each notification, bounded.

Why QProcess: a hook is a child process whose end the UI waits for. QProcess starts it and
reports its output and end as signals on the UI thread's event loop: no thread waits on it, a
hang is ended by a timer (`kill`), and quitting kills what still runs (`stop`). A
`run_in_background` job would hold a pool thread for up to the bound and could not be ended on
quit; `subprocess` on the UI thread would block it. The hook runs in its own session (Qt's
CreateNewSession), so the bound ends its children too (the whole process group is killed; a
child that starts a session of its own, `setsid`, or a daemon leaves the group and is not).
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, QTimer, Signal

from desktop.core import hooks
from desktop.core.hooks import HookEvent, HookOutcome, StartFailure
from desktop.system import logs

log = logging.getLogger(__name__)
#: Seconds a run may take before it is killed.
TIMEOUT_SECONDS = 10.0
#: Bytes of a run's output (stdout and stderr merged) kept for the log; the rest is read and
#: dropped, so a chatty hook never fills memory nor blocks on a full pipe.
OUTPUT_LIMIT = 4096


def holds_secret(value: str) -> bool:
    """Whether the log's redactor would hide part of `value`: a known token, or a piece of one."""
    return logs.redactor.redact(value) != value


@dataclass
class _Run:
    event: HookEvent
    process: QProcess
    timer: QTimer
    output: bytearray = field(default_factory=bytearray)
    timed_out: bool = False
    error: str = ""
    test: bool = False
    not_started: StartFailure | None = None


def start_failure(program: str, path: str | None) -> StartFailure:
    """Why `program` (a path, or a name looked up in `path`, the hook's PATH) did not start,
    as far as the file system tells: missing, not executable, or something else (its script's
    interpreter missing, no memory…)."""
    if "/" not in program:
        found = shutil.which(program, path=path)
        if found is None:
            return StartFailure.NO_PROGRAM
        program = found
    if not os.path.lexists(program):
        return StartFailure.NO_PROGRAM
    if os.path.isdir(program) or not os.access(program, os.X_OK):
        return StartFailure.NOT_EXECUTABLE
    return StartFailure.OTHER


def unsafe_program(program: str, path: str | None) -> tuple[StartFailure, str] | None:
    """Why `program` must not run (`hooks.program_problem`) and the file or folder to name;
    None when it may, or when it is not found (its start then fails and says so). Resolved as
    QProcess does: a name without `/` is looked up in `path` (the hook's PATH), a relative
    path is from the app's working folder; a link is judged by the file it leads to, and both
    the link's folder and the file's must be closed to others."""
    if "/" not in program:
        found = shutil.which(program, path=path)
        if found is None:
            return None
        program = found
    geteuid = getattr(os, "geteuid", None)
    if geteuid is None:
        return None  # no owners (Windows)
    named = os.path.abspath(program)
    real = os.path.realpath(named)
    try:
        info = os.stat(real)
        problem = hooks.program_problem(info.st_uid, info.st_mode, 0, geteuid())
        if problem is not None:
            return problem, real
        for folder in dict.fromkeys((os.path.dirname(named), os.path.dirname(real))):
            problem = hooks.program_problem(0, 0, os.stat(folder).st_mode, 0)
            if problem is not None:
                return problem, folder
    except OSError:
        return None  # gone meanwhile: its start fails and says so
    return None


class HookRunner(QObject):
    """The one runner of the app's hook (a list of arguments, `Settings.hook_command`).

    Signals:
        failure_changed(HookOutcome | None): the last failed run, shown in the tray's menu
            (`hooks.failure_line`, `failure_details`) until a run succeeds or the command
            changes (None: nothing to show).
        test_finished(HookOutcome): the settings' Test run ended.
        finished(HookOutcome): any run ended (after it is logged).
    """

    failure_changed = Signal(object)
    test_finished = Signal(object)
    finished = Signal(object)

    def __init__(
        self,
        command: Sequence[str] = (),
        *,
        environ: Mapping[str, str] = os.environ,
        holds_secret: Callable[[str], bool] = holds_secret,
        timeout_seconds: float = TIMEOUT_SECONDS,
        output_limit: int = OUTPUT_LIMIT,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._command = tuple(command)
        self._environ = environ
        self._holds_secret = holds_secret
        self.timeout_seconds = timeout_seconds
        self._output_limit = output_limit
        self._runs: dict[QProcess, _Run] = {}
        self._failure: HookOutcome | None = None

    @property
    def command(self) -> tuple[str, ...]:
        return self._command

    @property
    def failure(self) -> HookOutcome | None:
        """The last failed run the menu shows, None when the last run succeeded or none failed."""
        return self._failure

    def running(self, event: str, account: str | None = None) -> bool:
        """A run of `event` (a `NEO_EVENT`) goes on, for `account` (a `NEO_ACCOUNT`) or, None,
        for any account."""
        return any(
            run.event.event == event and account in {None, run.event.account}
            for run in self._runs.values()
        )

    def set_command(self, command: Sequence[str]) -> None:
        """The settings changed: a new command, and any failure shown is forgotten."""
        self._command = tuple(command)
        self._set_failure(None)

    def run(self, event: HookEvent) -> bool:
        """Start the hook for `event`; False when there is no command or a run of the same
        event for the same account (`event.event`, `event.account`) is still going (this one
        is dropped, and logged). Another account's run of the same event runs beside it."""
        if not self._command:
            return False
        if self.running(event.event, event.account):
            log.warning(
                "Event hook for %s of account %r still running: this run is dropped",
                event.event,
                event.account,
            )
            return False
        self._start(self._command, event, test=False)
        return True

    def test(self, command: Sequence[str], event: HookEvent) -> bool:
        """The settings' Test: run `command` (the dialog's, maybe not saved) once with `event`;
        `test_finished` tells the outcome. False (and a finished outcome) when empty."""
        if not command:
            return False
        if self.running(event.event, event.account):
            log.warning(
                "Event hook test of account %r still running: this one is dropped", event.account
            )
            return False
        self._start(tuple(command), event, test=True)
        return True

    def stop(self) -> None:
        """Quitting: kill every hook still running (and its children) and reap it."""
        for process, run in list(self._runs.items()):
            run.timer.stop()
            process.blockSignals(True)
            self._kill(process)
            process.waitForFinished(2000)
            log.info("Event hook for %s of account %r killed on quit", *self._named(run))
            self._forget(process)

    # --- the process ----------------------------------------------------------------------
    def _start(self, command: tuple[str, ...], event: HookEvent, *, test: bool) -> None:
        variables = hooks.hook_environment(event, self._environ, self._holds_secret)
        unsafe = unsafe_program(command[0], variables.get("PATH"))
        if unsafe is not None:
            self._refuse(event, unsafe, test=test)
            return
        # Not the runner's child: a child's pending deleteLater crashes PySide when the
        # runner goes first; `_runs` holds it until it ends, `stop` ends what still runs.
        process = QProcess()
        process.setProgram(command[0])
        process.setArguments(list(command[1:]))
        environment = QProcessEnvironment()
        for name, value in variables.items():
            environment.insert(name, value)
        process.setProcessEnvironment(environment)
        process.setProcessChannelMode(QProcess.ProcessChannelMode.MergedChannels)
        process.setStandardInputFile(QProcess.nullDevice())
        parameters = QProcess.UnixProcessParameters()
        parameters.flags = QProcess.UnixProcessFlag.CreateNewSession
        process.setUnixProcessParameters(parameters)
        timer = QTimer(process)
        timer.setSingleShot(True)
        timer.setInterval(max(1, round(self.timeout_seconds * 1000)))
        run = _Run(event, process, timer, test=test)
        self._runs[process] = run
        timer.timeout.connect(lambda: self._time_out(process))
        process.readyReadStandardOutput.connect(lambda: self._read(process))
        process.finished.connect(lambda code, status: self._finished(process, code, status))
        process.errorOccurred.connect(lambda error: self._error(process, error))
        log.info("Event hook for %s of account %r started", event.event, event.account)
        timer.start()
        process.start()

    def _refuse(self, event: HookEvent, unsafe: tuple[StartFailure, str], *, test: bool) -> None:
        """Not run: another user could change the program (`unsafe_program`). Told as a failed
        start is: the log, the menu's failure line, or the Test's result."""
        outcome = HookOutcome(
            event.event,
            None,
            timeout_seconds=self.timeout_seconds,
            account=event.account,
            not_started=unsafe[0],
            title=event.title,
            program=unsafe[1],
        )
        log.warning(
            "Event hook for %s of account %r not run: %s",
            event.event,
            event.account,
            hooks.outcome_text(outcome),
        )
        if test:
            self.test_finished.emit(outcome)
        else:
            self._set_failure(outcome)
        self.finished.emit(outcome)

    def _read(self, process: QProcess) -> None:
        run = self._runs.get(process)
        data = bytes(process.readAllStandardOutput().data())
        if run is not None:
            room = self._output_limit - len(run.output)
            run.output.extend(data[: max(0, room)])

    def _time_out(self, process: QProcess) -> None:
        run = self._runs.get(process)
        if run is not None and process.state() != QProcess.ProcessState.NotRunning:
            run.timed_out = True
            self._kill(process)

    @staticmethod
    def _kill(process: QProcess) -> None:
        """SIGKILL to the hook's process group (its own session), then to the process itself."""
        pid = process.processId()
        if pid > 0:
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass  # already gone, or it left its group: the kill below still ends it
        process.kill()

    def _error(self, process: QProcess, error: QProcess.ProcessError) -> None:
        run = self._runs.get(process)
        if run is None:
            return
        if error is QProcess.ProcessError.FailedToStart:
            run.error = process.errorString()
            path = process.processEnvironment().value("PATH") or None
            run.not_started = start_failure(process.program(), path)
            self._report(process, None)  # no finished signal follows a failed start
        elif not run.timed_out and error is QProcess.ProcessError.Crashed:
            run.error = process.errorString()

    def _finished(self, process: QProcess, code: int, status: QProcess.ExitStatus) -> None:
        if process not in self._runs:
            return
        self._read(process)
        normal = status is QProcess.ExitStatus.NormalExit and not self._runs[process].timed_out
        self._report(process, code if normal else None)

    def _report(self, process: QProcess, exit_code: int | None) -> None:
        run = self._runs[process]
        run.timer.stop()
        output = run.output.decode("utf-8", "replace")
        outcome = HookOutcome(
            run.event.event,
            exit_code,
            run.timed_out,
            run.error or ("" if exit_code is not None or run.timed_out else "crashed"),
            output,
            self.timeout_seconds,
            run.event.account,
            run.not_started,
            run.event.title,
        )
        self._forget(process)
        level = logging.INFO if outcome.ok else logging.WARNING
        # The handlers' redactor hides any token the hook printed; the stderr formatter escapes.
        log.log(
            level,
            "Event hook for %s of account %r ended: exit status %s%s%s; output: %r",
            outcome.event,
            outcome.account,
            outcome.exit_code,
            ", timed out" if outcome.timed_out else "",
            f", {outcome.error}" if outcome.error else "",
            outcome.output,
        )
        if run.test:
            self.test_finished.emit(outcome)
        elif outcome.ok:
            self._set_failure(None)
        else:
            self._set_failure(outcome)
        self.finished.emit(outcome)

    def _forget(self, process: QProcess) -> None:
        run = self._runs.pop(process, None)
        if run is not None:
            run.timer.stop()
        process.deleteLater()

    @staticmethod
    def _named(run: _Run) -> tuple[str, str]:
        return run.event.event, run.event.account

    def _set_failure(self, outcome: HookOutcome | None) -> None:
        if outcome != self._failure:
            self._failure = outcome
            self.failure_changed.emit(outcome)
