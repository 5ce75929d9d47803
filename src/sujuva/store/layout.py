"""The data directory: generations of the store, the pointer to the current one, the lock.

Each import builds a complete new *generation* (a DuckDB file in its own folder) beside the
current one and then atomically replaces the ``CURRENT`` pointer. Killing the process at any
moment therefore leaves either the old or the new generation in force, never a mix; leftovers of
an interrupted import are removed by the next one.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from sujuva.errors import StoreError

POINTER: Final = "CURRENT"
LOCK: Final = ".lock"
DB_FILE: Final = "store.duckdb"
_GEN_PATTERN: Final = re.compile(r"^gen-(\d{8})$")
_TMP_SUFFIX: Final = ".tmp"


def current_generation(data_dir: Path) -> Path | None:
    """The folder of the generation in force, or None for an empty store."""
    pointer = data_dir / POINTER
    try:
        name = pointer.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    if not _GEN_PATTERN.match(name) or not (data_dir / name / DB_FILE).exists():
        raise StoreError(f"{pointer}: points to {name!r}, which is not a complete generation")
    return data_dir / name


def next_generation_name(data_dir: Path) -> str:
    """Name for the next generation: one more than any generation folder present."""
    numbers = [
        int(m.group(1))
        for p in data_dir.iterdir()
        if (m := _GEN_PATTERN.match(p.name.removesuffix(_TMP_SUFFIX)))
    ]
    return f"gen-{max(numbers, default=0) + 1:08d}"


def building_dir(data_dir: Path, name: str) -> Path:
    """Folder where a generation is built before it is published."""
    return data_dir / (name + _TMP_SUFFIX)


def publish(data_dir: Path, building: Path, name: str) -> Path:
    """Make a fully built generation current, durably and atomically; return its folder."""
    _fsync_tree(building)
    final = data_dir / name
    os.replace(building, final)
    _fsync_dir(data_dir)
    tmp_pointer = data_dir / (POINTER + _TMP_SUFFIX)
    with open(tmp_pointer, "w", encoding="ascii") as handle:
        handle.write(name + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp_pointer, data_dir / POINTER)
    _fsync_dir(data_dir)
    return final


def remove_stale(data_dir: Path) -> None:
    """Delete generations that are not current and leftovers of interrupted imports."""
    current = current_generation(data_dir)
    for entry in data_dir.iterdir():
        stale_gen = _GEN_PATTERN.match(entry.name) and entry != current
        if stale_gen or entry.name.endswith(_TMP_SUFFIX):
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)


@contextlib.contextmanager
def writer_lock(data_dir: Path) -> Iterator[None]:
    """Hold the store's single-writer lock (released by the OS if the process dies)."""
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(data_dir / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise StoreError(f"{data_dir}: cannot use as the data directory: {exc.strerror}") from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise StoreError(
                f"{data_dir}: another import is writing to this store; try again when it ends"
            ) from exc
        yield
    finally:
        os.close(fd)


def _fsync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
