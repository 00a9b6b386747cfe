"""Narrow exceptions. Each message names the file or field and the reason, on one line."""


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
