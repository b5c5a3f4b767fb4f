"""The one check before a file is trusted: its folder is the user's alone, and only a regular
file of bounded size, never reached through a planted link, is read; writes replace a file
atomically and never follow a link.

Another local user who could create one of the app's folders first (a shared `XDG_CACHE_HOME`)
could plant links, FIFOs or files there: so a folder owned by someone else, or writable by
group or others, is refused, and the app goes on without what it holds.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path

from desktop.core.i18n import _

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
# A FIFO opened without it waits for a writer forever; with it, open returns and fstat says FIFO.
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_WRITABLE_BY_OTHERS = stat.S_IWGRP | stat.S_IWOTH
_CHUNK = 1 << 20


class RefusedFolder(PermissionError):
    """A folder the app does not use: another user's, or writable by group or others.
    `str()` is one sentence naming it, for the user."""

    def __init__(self, sentence: str, folder: Path) -> None:
        super().__init__(errno.EPERM, sentence, str(folder))
        self.sentence = sentence

    def __str__(self) -> str:
        return self.sentence


class RefusedFile(OSError):
    """A file the app does not read: a link, not a regular file (a FIFO, a device, a folder),
    another user's, or larger than its limit. `str()` is one sentence naming it."""

    def __init__(self, sentence: str, path: Path, code: int = errno.EINVAL) -> None:
        super().__init__(code, sentence, str(path))
        self.sentence = sentence

    def __str__(self) -> str:
        return self.sentence


def _user_id() -> int | None:
    """The user whose files these are; None where the platform has no owners (Windows)."""
    geteuid = getattr(os, "geteuid", None)
    return int(geteuid()) if geteuid is not None else None


def folder_problem(folder: Path) -> str | None:
    """Why `folder` must not be used, as one sentence naming it; None when it is the user's
    alone or does not exist yet (the app creates it owner-only). A link to a folder (a dotfile
    manager's) is allowed when the link and the folder are both the user's alone."""
    uid = _user_id()
    if uid is None:
        return None
    try:
        info = os.lstat(folder)
        if stat.S_ISLNK(info.st_mode):
            if info.st_uid != uid:
                return _owner_sentence(folder)
            info = os.stat(folder)
    except FileNotFoundError:
        return None
    except OSError:
        return None  # cannot even look: using it fails on its own, with its own error
    if info.st_uid != uid:
        return _owner_sentence(folder)
    if info.st_mode & _WRITABLE_BY_OTHERS:
        return _("Other users can write to the folder {path}, so the app does not use it.").format(
            path=folder
        )
    return None


def _owner_sentence(folder: Path) -> str:
    return _("The folder {path} belongs to another user, so the app does not use it.").format(
        path=folder
    )


def check_folder(folder: Path) -> None:
    """Raise `RefusedFolder` when `folder_problem` finds one."""
    problem = folder_problem(folder)
    if problem is not None:
        raise RefusedFolder(problem, folder)


def refused_folders(folders: list[Path]) -> list[str]:
    """One sentence per refused folder among `folders`, each named once, in order."""
    seen: dict[Path, str] = {}
    for folder in folders:
        problem = folder_problem(folder)
        if problem is not None and folder not in seen:
            seen[folder] = problem
    return list(seen.values())


def private_folder(folder: Path) -> Path:
    """Create `folder` (and its parents) owner-only (0700), refuse it (`RefusedFolder`) when it
    is not the user's alone, and take away what others may read; returns it. Checked after it
    exists, so a folder someone else created first is refused too."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    check_folder(folder)
    with contextlib.suppress(OSError):  # a file system without modes
        os.chmod(folder, 0o700)
    return folder


def open_private(path: Path, flags: int) -> int:
    """Open (creating it) a regular file only its owner can read, 0600 in a 0700 folder that is
    the user's alone; `flags` adds to `os.O_CREAT`. Returns a blocking descriptor. Never
    through a link (the mode is set on the file opened, not on where a link points), never a
    FIFO or device, which could block the opening or swallow what is written.

    Raises RefusedFolder, RefusedFile, or another OSError."""
    private_folder(path.parent)
    fd = os.open(path, os.O_CREAT | _NOFOLLOW | _NONBLOCK | _CLOEXEC | flags, 0o600)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise _not_regular(path)
        if _NONBLOCK:
            os.set_blocking(fd, True)
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o600)
    except OSError:
        os.close(fd)
        raise
    return fd


def read_file(path: Path, limit: int, *, follow_to_own_file: bool = False) -> bytes:
    """The bytes of `path`: a regular file of at most `limit` bytes, the user's own, in a folder
    that is the user's alone, never read past `limit` (a huge file costs no memory). A link
    is refused, unless `follow_to_own_file` (the settings, which dotfile managers link), and
    then only to a regular file the user owns.

    Raises FileNotFoundError (missing), RefusedFolder, RefusedFile, or another OSError
    (PermissionError when the user cannot read it)."""
    check_folder(path.parent)
    flags = os.O_RDONLY | _NONBLOCK | _CLOEXEC | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags if follow_to_own_file else flags | _NOFOLLOW)
    except OSError as exc:
        # Linux says ELOOP for a link under O_NOFOLLOW, FreeBSD EMLINK.
        if exc.errno in (errno.ELOOP, errno.EMLINK) and not follow_to_own_file:
            raise RefusedFile(
                _("{path} is a link, which the app does not follow.").format(path=path),
                path,
                errno.ELOOP,
            ) from None
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _not_regular(path)
        uid = _user_id()
        if uid is not None and info.st_uid != uid:
            raise RefusedFile(
                _("{path} belongs to another user.").format(path=path), path, errno.EPERM
            )
        if info.st_size > limit:
            raise _too_large(path, limit)
        chunks: list[bytes] = []
        size = 0
        while size <= limit:  # the file may grow after fstat: never read past the limit
            chunk = os.read(fd, min(_CHUNK, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise _too_large(path, limit)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _not_regular(path: Path) -> RefusedFile:
    return RefusedFile(_("{path} is not a regular file.").format(path=path), path)


def _too_large(path: Path, limit: int) -> RefusedFile:
    return RefusedFile(
        _("{path} is larger than {size} MiB, so it is not read.").format(
            path=path, size=f"{limit / (1 << 20):g}"
        ),
        path,
        errno.EFBIG,
    )


def write_atomically(path: Path, data: bytes, *, own_folder: bool = True) -> None:
    """Replace `path` by `data`: a new owner-only (0600) temp file beside it, flushed to disk,
    renamed over it. A link at `path` is replaced, never followed; the temp file is created
    exclusively, so nothing planted is opened. Leftovers of interrupted writes (`.<name>.*.tmp`)
    are removed first. A file the user cannot read is not replaced (unreadable is not
    damaged). `own_folder` False: the folder is shared with other apps (autostart), so its
    mode is left alone, but it must still be the user's alone.

    Raises RefusedFolder, PermissionError (the file cannot be read) or another OSError."""
    folder = path.parent
    if own_folder:
        private_folder(folder)
    else:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        check_folder(folder)
    _refuse_unreadable(path)
    remove_leftovers(path)
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def _refuse_unreadable(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | _NONBLOCK | _NOFOLLOW | _CLOEXEC)
    except PermissionError as exc:
        raise PermissionError(
            errno.EACCES,
            _("{path} cannot be read, so it is left as it is.").format(path=path),
            str(path),
        ) from exc
    except OSError:
        return  # missing, or a link (replaced, never followed)
    os.close(fd)


def remove_leftovers(path: Path) -> None:
    """Delete the temp files (`.<name>.*.tmp`) that interrupted writes of `path` left beside
    it. Unlinking never follows a link."""
    prefix, suffix = f".{path.name}.", ".tmp"
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return
    for entry in entries:
        name = entry.name
        if name.startswith(prefix) and name.endswith(suffix) and len(name) > len(prefix + suffix):
            with contextlib.suppress(OSError):  # best effort: the write goes on anyway
                os.unlink(entry.path)
