"""The one check before a file is trusted: its folder is the user's alone, and only a regular
file of bounded size, never reached through a planted link, is read; writes replace a file
atomically and never follow a link.

Another local user who could create one of the app's folders first (a shared `XDG_CACHE_HOME`)
could plant links, FIFOs or files there: so a folder owned by someone else, or writable by
group or others, is refused, and the app goes on without what it holds. The folder holding an
app folder is checked too (whoever can change it can rename the app folder away and put theirs
in its place), and every folder the app creates, parents included, is created 0700.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path

from desktop.core.i18n import _

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
# A FIFO opened without it waits for a writer forever; with it, open returns and fstat says FIFO.
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_WRITABLE_BY_OTHERS = stat.S_IWGRP | stat.S_IWOTH
_CHUNK = 1 << 20
_MAX_LINKS = 8  # a settings link through more links than this is not followed
#: The name every app folder ends in (`paths.APP_NAME`; here, as `paths` imports this module).
APP_FOLDER_NAME = "neo-usage-tray"


class RefusedFolder(PermissionError):
    """A folder the app does not use: another user's, or writable by group or others.
    `str()` is one sentence naming it, for the user."""

    def __init__(self, sentence: str, folder: Path) -> None:
        super().__init__(errno.EPERM, sentence, str(folder))
        self.sentence = sentence

    def __str__(self) -> str:
        return self.sentence


class BrokenLink(FileNotFoundError):
    """A link whose target is missing: not a missing file (the settings then are not the
    defaults), and not damaged (the target may come back). `str()` is one sentence naming it."""

    def __init__(self, sentence: str, path: Path) -> None:
        super().__init__(errno.ENOENT, sentence, str(path))
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
    alone or does not exist yet (the app creates it owner-only).

    Checked from its app folder (`app_folder`) down: the folder holding the app folder must be
    one no other user can change (`_holder_problem`), and the app folder and each subfolder
    down to `folder` must be the user's alone (`_own_problem`). A link to a folder (a dotfile
    manager's) is allowed when the link and the folder are both the user's alone."""
    if _user_id() is None:
        return None
    root = app_folder(folder)
    problem = _holder_problem(root.parent, root)
    if problem is not None:
        return problem
    below = folder.relative_to(root).parts
    for part in (root.joinpath(*below[:depth]) for depth in range(len(below) + 1)):
        if not os.path.lexists(part):
            return None  # nor what is below it: the app creates them owner-only
        problem = _own_problem(part)
        if problem is not None:
            return problem
    return None


def app_folder(folder: Path) -> Path:
    """The app folder `folder` is in: its nearest folder named `APP_FOLDER_NAME` (the log
    folder is in the state folder, the demo's sandbox in the runtime folder), else itself."""
    for part in (folder, *folder.parents):
        if part.name == APP_FOLDER_NAME:
            return part
    return folder


def _own_problem(folder: Path) -> str | None:
    """Why `folder` is not the user's alone (another user's, a link of theirs, or writable by
    group or others); None when it is, or when it cannot be looked at (using it then fails on
    its own, with its own error)."""
    uid = _user_id()
    try:
        info = os.lstat(folder)
        if stat.S_ISLNK(info.st_mode):
            if info.st_uid != uid:
                return _owner_sentence(folder)
            info = os.stat(folder)
    except OSError:
        return None
    if info.st_uid != uid:
        return _owner_sentence(folder)
    if info.st_mode & _WRITABLE_BY_OTHERS:
        return _("Other users can write to the folder {path}, so the app does not use it.").format(
            path=folder
        )
    return None


def _holder_problem(holder: Path, item: Path) -> str | None:
    """Why another user could change what `holder` holds (rename `item` away and put theirs in
    its place), as one sentence naming both; None when no one but the user and root can.

    Allowed: owned by the user or root, and not writable by group or others, unless sticky (in
    a sticky folder such as /tmp only an entry's owner may rename or delete it, and `item`
    itself must be the user's). A link is followed when it is the user's or root's."""
    uid = _user_id()
    try:
        info = os.lstat(holder)
        if stat.S_ISLNK(info.st_mode) and info.st_uid in (uid, 0):
            info = os.stat(holder)
    except OSError:
        return None  # missing: the app creates it owner-only
    changeable = info.st_mode & _WRITABLE_BY_OTHERS and not info.st_mode & stat.S_ISVTX
    if info.st_uid not in (uid, 0) or stat.S_ISLNK(info.st_mode) or changeable:
        return _(
            "{path} is inside {parent}, which another user can change, so the app does not use it."
        ).format(path=item, parent=holder)
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
    """One sentence per refused folder among `folders`, each said once, in order (the log
    folder refused for its state folder's sake has that folder's sentence)."""
    seen: dict[str, None] = {}
    for folder in folders:
        problem = folder_problem(folder)
        if problem is not None:
            seen.setdefault(problem)
    return list(seen)


class _Said:
    """The refusal sentences this process has logged (`log_once`)."""

    sentences: set[str] = set()  # noqa: RUF012 - one set for the process, on purpose


def log_once(sentence: str) -> None:
    """Log a refusal's sentence (WARNING) the first time this process meets it: a refused
    folder is named once, however many files in it were skipped."""
    if sentence not in _Said.sentences:
        _Said.sentences.add(sentence)
        import logging  # only to say it: the status bar's path does without it

        logging.getLogger(__name__).warning("%s", sentence)


def said() -> frozenset[str]:
    """The refusal sentences `log_once` has said so far in this process."""
    return frozenset(_Said.sentences)


def unsay(before: frozenset[str]) -> None:
    """Forget what `log_once` said since `said()` gave `before`: an attempt whose log went
    nowhere (the status bar's fast path, giving up) must not use up the full path's once."""
    _Said.sentences.intersection_update(before)


def private_folder(folder: Path) -> Path:
    """Create `folder` and its missing parents owner-only (0700, whatever the umask: as the
    XDG base directory spec asks of a missing base folder), refuse it (`RefusedFolder`) when it
    is not the user's alone, and take away what others may read; returns it. Checked before
    anything is created (nothing is made through a refused folder or another user's link) and
    after (a folder someone else created first is refused too)."""
    check_folder(folder)
    make_folders(folder)
    check_folder(folder)
    if APP_FOLDER_NAME in folder.parts:  # the app's own: never a folder it was merely handed
        with contextlib.suppress(OSError):  # a file system without modes
            os.chmod(folder, 0o700)
    return folder


def make_folders(folder: Path) -> None:
    """Create `folder` and each missing parent 0700 (`mkdir -p` would give the parents the
    umask's mode: under umask 000 another user could then plant files in `~/.local`). Folders
    that exist keep their mode. Raises OSError (not a folder, permission denied)."""
    missing: list[Path] = []
    for part in (folder, *folder.parents):
        if os.path.lexists(part):
            break
        missing.append(part)
    for part in reversed(missing):
        try:
            os.mkdir(part, 0o700)
        except FileExistsError:
            continue  # made meanwhile, by someone: the check after creating says whose
        _owner_only(part)
    if not folder.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(folder))


def _owner_only(folder: Path) -> None:
    """0700 on a folder just made (a umask can take the owner's bits too), never through a
    link that replaced it meanwhile."""
    fchmod = getattr(os, "fchmod", None)
    if fchmod is None:
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _NOFOLLOW | _CLOEXEC)
        try:
            fchmod(fd, 0o700)
        finally:
            os.close(fd)


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
    """The bytes of `path`: a regular file of at most `limit` bytes, the user's own and not
    writable by group or others, in a folder that is the user's alone, never read past `limit`
    (a huge file costs no memory). A link
    is refused, unless `follow_to_own_file` (the settings, which dotfile managers link), and
    then only as `own_link_target` allows.

    Raises FileNotFoundError (missing; `BrokenLink` when a followed link's target is),
    RefusedFolder, RefusedFile, or another OSError (PermissionError when the user cannot read
    it)."""
    check_folder(path.parent)
    flags = os.O_RDONLY | _NONBLOCK | _NOFOLLOW | _CLOEXEC | getattr(os, "O_BINARY", 0)
    target = own_link_target(path) if follow_to_own_file else path
    try:
        fd = os.open(target, flags)
    except OSError as exc:
        # Linux says ELOOP for a link under O_NOFOLLOW, FreeBSD EMLINK.
        if exc.errno in (errno.ELOOP, errno.EMLINK):
            raise _a_link(target) from None
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _not_regular(path)
        uid = _user_id()
        if uid is not None and info.st_uid != uid:
            raise RefusedFile(
                _("{path} belongs to another user.").format(path=target), target, errno.EPERM
            )
        # Any file, not only a link's target: a 0666 file (or a hard link to one) in the user's
        # own folder is rewritable by others too, and the settings it holds run a hook.
        if uid is not None and info.st_mode & _WRITABLE_BY_OTHERS:
            raise RefusedFile(
                _("Other users can write to {path}, so the app does not read it.").format(
                    path=target
                ),
                target,
                errno.EPERM,
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


def own_link_target(path: Path) -> Path:
    """Where `path` leads when it is a link (else `path`): each link on the way the user's (or
    root's) and in a folder no other user can change (`_holder_problem`), at most `_MAX_LINKS`
    of them. The file it ends at is then opened without following a link, and must be a
    regular file of the user's that group and others cannot write (checked on the opened file,
    in `read_file`): else another user could rewrite what the app reads.

    Raises FileNotFoundError (`path` is missing), BrokenLink (its target is), RefusedFile."""
    uid = _user_id()
    current = path
    for _hop in range(_MAX_LINKS + 1):
        try:
            info = os.lstat(current)
        except FileNotFoundError:
            if current == path:
                raise
            raise BrokenLink(
                _("{path} is a link to {target}, which does not exist.").format(
                    path=path, target=current
                ),
                path,
            ) from None
        if not stat.S_ISLNK(info.st_mode):
            return current
        if uid is not None and info.st_uid not in (uid, 0):
            raise RefusedFile(
                _("{path} belongs to another user.").format(path=current), current, errno.EPERM
            )
        current = current.parent / os.readlink(current)  # an absolute target replaces it all
        problem = _holder_problem(current.parent, current) if uid is not None else None
        if problem is not None:
            raise RefusedFile(problem, current, errno.EPERM)
    raise _a_link(path)


def _a_link(path: Path) -> RefusedFile:
    return RefusedFile(
        _("{path} is a link, which the app does not follow.").format(path=path), path, errno.ELOOP
    )


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
        check_folder(folder)
        make_folders(folder)
        check_folder(folder)
    _refuse_unreadable(path)
    remove_leftovers(path)
    import tempfile  # 3 ms: only where a file is written, never on the status bar's path

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
