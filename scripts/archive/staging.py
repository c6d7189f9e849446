"""Folders a build writes its rendered pages to, one per build, removed when the build's process ends.

A large archive's pages are written to disk as they are rendered instead of being held in memory.
Each folder holds a lock for as long as its process lives, so that a folder left behind by a process
that was killed is known by its free lock, whatever the process's id, and is removed by the next build.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
import time
from pathlib import Path

LOCK = ".in-use"
# A folder without its lock file is being made by another build, unless it has been so for this long.
UNLOCKED_GRACE_SECONDS = 60

_held: dict[Path, int] = {}  # this process's folders -> the open descriptor holding each one's lock


def new_folder(cache: Path) -> Path | None:
    """A new empty folder under cache, locked for this process; None when the project cannot be written to."""
    try:
        cache.mkdir(parents=True, exist_ok=True)
        for folder in stale(cache):
            shutil.rmtree(folder, ignore_errors=True)
        folder = Path(tempfile.mkdtemp(dir=cache))
        descriptor = os.open(folder / LOCK, os.O_CREAT | os.O_RDWR, 0o600)
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return None
    _held[folder] = descriptor
    return folder


def remove(folder: Path | None) -> None:
    """Remove one of this process's folders (None: nothing to remove)."""
    if folder is None:
        return
    shutil.rmtree(folder, ignore_errors=True)
    descriptor = _held.pop(folder, None)
    if descriptor is not None:
        os.close(descriptor)


def remove_all() -> None:
    for folder in list(_held):
        remove(folder)


def stale(cache: Path) -> list[Path]:
    """The folders under cache that no running process holds."""
    found: list[Path] = []
    for folder in sorted(cache.iterdir()) if cache.is_dir() else []:
        if folder in _held or not folder.is_dir():
            continue
        try:
            descriptor = os.open(folder / LOCK, os.O_RDWR)
        except FileNotFoundError:
            if time.time() - folder.stat().st_mtime > UNLOCKED_GRACE_SECONDS:
                found.append(folder)
            continue
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            continue  # its build is running
        finally:
            os.close(descriptor)
        found.append(folder)
    return found
