"""Backups of the embedded SQLite database through sqlite3's online backup API.

The API copies a consistent snapshot while the app keeps serving: it reads page by page and starts
again if another connection writes meanwhile. A backup is written next to its destination under a
temporary name and renamed when complete, so a half-written file is never taken for a backup; it
is readable by its owner only (it holds minors' well-being data).

PostgreSQL is backed up with its own tools (`pg_dump -Fc`, `pg_restore`): see README "Backups".
"""
from __future__ import annotations

import os
import sqlite3
from pathlib import Path

PAGES_PER_STEP = 1024  # lets writers in between steps instead of holding them for the whole copy


class BackupError(RuntimeError):
    """The backup or restore cannot be done; the message says why."""


def backup_sqlite(database: Path, destination: Path) -> int:
    """Copy the live database to `destination` (which must not exist); returns its size in bytes."""
    if destination.exists():
        raise BackupError(f"{destination} already exists; choose a new file name.")
    if not destination.parent.is_dir():
        raise BackupError(f"The folder {destination.parent} does not exist.")
    source = _open_read_only(database)
    partial = destination.with_name(destination.name + ".partial")
    # Created owner-only before SQLite opens it: never readable by others, not even for a moment.
    os.close(os.open(partial, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600))
    os.chmod(partial, 0o600)  # in case an earlier, interrupted run left it with other permissions
    _copy(source, partial)
    os.replace(partial, destination)
    return destination.stat().st_size


def check_backup(backup: Path) -> str | None:
    """A whole, uncorrupted schoolpeers database, or a BackupError; returns its migration revision."""
    if not backup.is_file():
        raise BackupError(f"{backup} is not a file.")
    source = _open_read_only(backup)
    try:
        return _check(source, backup)
    finally:
        source.close()


def restore_sqlite(backup: Path, database: Path) -> str | None:
    """Replace the database's content with the backup's, once checked; returns its migration revision.

    Stop the app servers first: connections left open keep working on the replaced content.
    """
    revision = check_backup(backup)
    source, target = _open_read_only(backup), sqlite3.connect(database)
    try:
        source.backup(target, pages=PAGES_PER_STEP)
    finally:
        target.close()
        source.close()
    return revision


def _open_read_only(path: Path) -> sqlite3.Connection:
    if not path.is_file():
        raise BackupError(f"There is no database at {path}.")
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _copy(source: sqlite3.Connection, path: Path) -> None:
    target = sqlite3.connect(path)
    try:
        source.backup(target, pages=PAGES_PER_STEP)
    except sqlite3.Error as exc:
        target.close()
        path.unlink(missing_ok=True)
        raise BackupError(f"The backup failed: {exc}") from None
    finally:
        source.close()
    target.close()


def _check(source: sqlite3.Connection, path: Path) -> str | None:
    try:
        integrity = source.execute("PRAGMA integrity_check").fetchone()[0]
        tables = {row[0] for row in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a SQLite database ({exc}).") from None
    if integrity != "ok":
        raise BackupError(f"{path} is damaged: {integrity}")
    if not {"alembic_version", "schools", "users"} <= tables:
        raise BackupError(f"{path} is not a schoolpeers database.")
    row = source.execute("SELECT version_num FROM alembic_version").fetchone()
    return row[0] if row else None
