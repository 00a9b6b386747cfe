"""Narrow exceptions. Each message names the file or field and the reason, on one line."""
import sqlite3


class RectrackError(Exception):
    """Base class for errors the CLI turns into a one-line message."""


class ReadError(RectrackError):
    """A transcript file could not be read or decoded."""


class LexiconError(RectrackError):
    """A lexicon YAML file is malformed."""


class NotFound(RectrackError):
    """No row with that id."""


class ValidationError(RectrackError):
    """A field has a value that is not allowed."""

    def __init__(self, field, message):
        self.field = field
        super().__init__(f"{field}: {message}")


class Conflict(RectrackError):
    """The row changed since the version the caller read (optimistic concurrency)."""


class DatabaseBusy(RectrackError):
    """Another process held the database's write lock longer than the busy timeout; nothing was written."""

    def __init__(self, db_path, error):
        super().__init__(f"{db_path}: {error}; another process is writing (a load?): nothing was changed, try again")


def is_busy(error) -> bool:
    """Whether an sqlite3 error is the database locked or busy (another writer holds the lock)."""
    return isinstance(error, sqlite3.OperationalError) and ("locked" in str(error) or "busy" in str(error))
