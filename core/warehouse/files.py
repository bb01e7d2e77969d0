"""Who may read the files that hold data: new ones are their owner's alone, replaced ones keep
what their administrator set.

The warehouse holds incident-level data, the access store the accounts and the audit log, the
view cache rendered internal figures. A new one of these files is created readable and
writable by its owner only (0600), whatever the umask. A file that replaces another (every load
publishes a new warehouse file) gets the mode and group of the file it replaces (and, when
root runs the load, its owner), set before any data is written into it: an administrator's
``chmod 640`` and ``chgrp ivmonitor`` survive every load. When the group cannot be kept (the
user running the load is not a member), the new file is closed to group and others instead.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

#: The mode of a new data file: its owner's alone.
PRIVATE = 0o600


def create_private(path: Path) -> int:
    """Create ``path`` (it must not exist) open for writing, readable by its owner only; the
    file descriptor."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE)
    os.fchmod(fd, PRIVATE)  # whatever the umask took away, nothing more is given
    return fd


def ensure_private(path: Path) -> None:
    """Create ``path`` empty and owner-only when it does not exist yet (a file a library will
    fill, such as a SQLite database); an existing file is left as it is."""
    with contextlib.suppress(FileExistsError):
        os.close(create_private(path))


def keep_access(model: os.stat_result | None, fd: int) -> None:
    """Give the open file ``fd`` the mode and group of ``model`` (the file it will replace),
    and its owner when run as root; without a model, owner-only. When the group cannot be
    kept, group and others lose every permission."""
    if model is None:
        os.fchmod(fd, PRIVATE)
        return
    mode = stat.S_IMODE(model.st_mode)
    try:
        os.fchown(fd, model.st_uid if os.geteuid() == 0 else -1, model.st_gid)
    except PermissionError:
        mode &= 0o700
    os.fchmod(fd, mode)


def align_access(model: Path, *others: Path) -> None:
    """Give the existing files among ``others`` (a database's companion files, such as
    SQLite's ``-wal`` and ``-shm``) the mode and group of ``model`` where they differ."""
    want = stat_or_none(model)
    if want is None:
        return
    for path in others:
        have = stat_or_none(path)
        if have is None or (stat.S_IMODE(have.st_mode), have.st_gid) == (
                stat.S_IMODE(want.st_mode), want.st_gid):
            continue
        with contextlib.suppress(OSError):  # gone meanwhile, or not ours to change
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
            try:
                keep_access(want, fd)
            finally:
                os.close(fd)


def stat_or_none(path: Path) -> os.stat_result | None:
    """The file's status, or None when it does not exist."""
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None


def fsync_path(path: Path) -> None:
    """Flush a file's (or a folder's: its entries') changes to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
