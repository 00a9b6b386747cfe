"""Document titles: a readable one for transcripts without a title block, and a person's own.

``derive_title`` is pure (a parsed Document in, a title out): the title block's title when there
is one, else the forum named in the opening words ("... meeting of the Children, Young People
and Education Committee"), else a short first line before the first turn, else the file name.
``set_document_details`` records a person's title and date, with a history row in
``document_changes``; a reload never overwrites them (``documents.title_set_by``).

Example::

    doc.title = derive_title(doc, lexicon)
    set_document_details(conn, "hearing", title="Oral evidence, 4 May", event_date="2022-05-04", actor="ana")
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from .errors import NotFound, ValidationError
from .lexicon import load_lexicon
from .model import Document
from .store import now_iso

OPENING_CHARS = 1500
MAX_FIRST_LINE = 100
MAX_TITLE = 300
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PATTERNS: dict = {}


class DocumentNotFound(NotFound):
    def __init__(self, document_id):
        self.document_id = document_id
        super().__init__(f"no document with id {document_id!r}")


def _forum_patterns(lexicon: dict | None) -> list[re.Pattern]:
    patterns = tuple((lexicon if lexicon is not None else load_lexicon()).get("title_forum_patterns") or ())
    if patterns not in _PATTERNS:
        _PATTERNS[patterns] = [re.compile(p) for p in patterns]
    return _PATTERNS[patterns]


def forum_in_opening(text: str, lexicon: dict | None = None) -> str | None:
    """The forum the opening words name ("Welcome to ... of the X Committee"), else None."""
    opening = text[:OPENING_CHARS]
    for pattern in _forum_patterns(lexicon):
        m = pattern.search(opening)
        if m:
            forum = re.sub(r"(?:\s+(?:of|on|the|and|for|in|to))+$", "", m.group("forum").strip(" ,"))
            if len(forum.split()) >= 2:
                return forum
    return None


def first_line_title(doc: Document) -> str | None:
    """The first non-empty line before the first turn, when it is short enough to be a title."""
    head_end = doc.turns[0].char_start if doc.turns else min(len(doc.text), OPENING_CHARS)
    for line in doc.text[:head_end].splitlines():
        line = " ".join(line.strip("#*_ \t").split())
        if line:
            return line if len(line) <= MAX_FIRST_LINE and re.search(r"[A-Za-z]{3}", line) else None
    return None


def file_name_title(source_path: str | None) -> str | None:
    """``canada_commons_covid19_committee_meeting.txt`` -> ``Canada commons covid19 committee meeting``."""
    if not source_path:
        return None
    words = re.sub(r"[_\-.]+", " ", Path(source_path).stem).split()
    return " ".join(words)[:1].upper() + " ".join(words)[1:] if words else None


def derive_title(doc: Document, lexicon: dict | None = None) -> str | None:
    """A readable title for ``doc`` (see the module docstring for the order of preference)."""
    if doc.title:
        return doc.title
    forum = forum_in_opening(doc.text, lexicon)
    if forum:
        return f"{forum}, {doc.event_date}" if doc.event_date else forum
    return first_line_title(doc) or file_name_title(doc.source_path)


def check_details(title, event_date) -> dict:
    """Validated ``{"title", "event_date"}`` from a form or the CLI (None means "leave as it is").

    Raises ValidationError naming the field: an empty or overlong title, a date not YYYY-MM-DD.
    An empty date clears it.
    """
    out = {}
    if title is not None:
        title = " ".join(str(title).split())
        if not title:
            raise ValidationError("title", "must not be empty")
        if len(title) > MAX_TITLE:
            raise ValidationError("title", f"at most {MAX_TITLE} characters")
        out["title"] = title
    if event_date is not None:
        event_date = str(event_date).strip()
        if event_date and not _ISO_DATE.match(event_date):
            raise ValidationError("date", f"{event_date!r} is not a date: use YYYY-MM-DD")
        out["event_date"] = event_date or None
    return out


def set_document_details(conn, document_id: str, title=None, event_date=None, actor=None) -> dict:
    """Set a document's title and/or date as a person chose them, with a ``document_changes`` row.

    Returns ``{"changed": bool, "document": {id, title, event_date, title_set_by}}``. Raises
    DocumentNotFound, or ValidationError (see ``check_details``). One transaction.
    """
    from .tracking import actor_name

    values = check_details(title, event_date)
    who = actor_name(actor)
    with conn:
        row = conn.execute("SELECT id, title, event_date FROM documents WHERE id = ?", (document_id,)).fetchone()
        if row is None:
            raise DocumentNotFound(document_id)
        current = {"title": row[1], "event_date": row[2]}
        changes = {k: [current[k], v] for k, v in values.items() if current[k] != v}
        if changes:
            stamp = now_iso()
            conn.execute(
                "UPDATE documents SET title = ?, event_date = ?, title_set_by = ?, title_set_at = ? WHERE id = ?",
                (values.get("title", current["title"]), values.get("event_date", current["event_date"]),
                 who or "unknown", stamp, document_id))
            conn.execute(
                "INSERT INTO document_changes (document_id, changed_at, changed_by, changes) VALUES (?, ?, ?, ?)",
                (document_id, stamp, who, json.dumps(changes)))
    doc = conn.execute("SELECT id, title, event_date, title_set_by FROM documents WHERE id = ?",
                       (document_id,)).fetchone()
    return {"changed": bool(changes),
            "document": {"id": doc[0], "title": doc[1], "event_date": doc[2], "title_set_by": doc[3]}}
