"""A consistent copy of a live database with SQLite's online backup API."""
from __future__ import annotations

import datetime
import os
import sqlite3
from pathlib import Path

from .errors import RectrackError

COUNTED_TABLES = ("documents", "recommendations", "status_changes")


class BackupError(RectrackError):
    """The backup could not be made; the message names the path and the reason."""


def backup_path(db_path, dest, now: datetime.datetime | None = None) -> Path:
    """Where a backup of ``db_path`` goes: ``dest`` itself, or inside it when it is a folder
    (``<db stem>-YYYYMMDD-HHMMSS.db``, UTC)."""
    dest = Path(dest)
    if dest.is_dir():
        now = now or datetime.datetime.now(datetime.timezone.utc)
        return dest / f"{Path(db_path).stem}-{now:%Y%m%d-%H%M%S}.db"
    return dest


def backup(db_path, dest, overwrite: bool = False) -> dict:
    """Copy ``db_path`` to ``dest`` (a file, or a folder to put a dated file in) while other
    connections keep reading and writing.

    The copy is one snapshot: SQLite's backup API reads every page inside one read transaction,
    which in WAL mode never blocks writers. It is written to a temporary file next to the target
    and renamed into place, so a failed backup leaves no partial file; the copy uses a rollback
    journal (one self-contained file) and passes ``PRAGMA quick_check``.

    Returns ``{"path", "bytes", "documents", "recommendations", "status_changes"}``.
    Raises BackupError: no such database, target exists (without ``overwrite``), folder missing.
    """
    source_path = Path(db_path)
    if not source_path.is_file():
        raise BackupError(f"{db_path}: no such database")
    target = backup_path(db_path, dest)
    if target.resolve() == source_path.resolve():
        raise BackupError(f"{target}: is the database itself")
    if target.exists() and not overwrite:
        raise BackupError(f"{target}: already exists (use --force to overwrite)")
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent}: no such folder")
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    try:
        counts = _copy(source_path, partial)
        os.replace(partial, target)
    except sqlite3.Error as e:
        raise BackupError(f"{db_path}: backup failed ({e})") from None
    finally:
        for leftover in (partial, partial.with_name(partial.name + "-journal")):
            leftover.unlink(missing_ok=True)
    return {"path": str(target), "bytes": target.stat().st_size, **counts}


def _copy(source_path: Path, partial: Path) -> dict:
    source = sqlite3.connect(str(source_path), timeout=30)
    copy = sqlite3.connect(str(partial))
    try:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")
        problem = copy.execute("PRAGMA quick_check").fetchone()[0]
        if problem != "ok":
            raise sqlite3.DatabaseError(f"the copy fails quick_check: {problem}")
        tables = {row[0] for row in copy.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return {t: copy.execute(f"SELECT count(*) FROM [{t}]").fetchone()[0] if t in tables else 0
                for t in COUNTED_TABLES}
    finally:
        copy.close()
        source.close()
