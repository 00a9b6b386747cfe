"""Tracking: the status vocabulary, the transition rule, and edits with history.

Used by the Datasette plugin (``plugins/rectrack.py``) and the ``rectrack set`` command alike.
Every edit goes through :func:`update_recommendation`, which validates, checks the transition,
updates the row with optimistic concurrency (``UPDATE ... WHERE id = ? AND version = ?``) and
appends a ``status_changes`` row in the same transaction. History rows are never edited or
deleted.
"""
from __future__ import annotations

import datetime
import json
import re
import sqlite3

from .errors import Conflict, NotFound, ValidationError
from .requests import is_valid_text
from .store import nearest_occurrence, now_iso

# ---------------------------------------------------------------- vocabulary

STATUSES = (
    "proposed",
    "accepted",
    "in_progress",
    "implemented",
    "partially_implemented",
    "declined",
    "dismissed",
)
DEFAULT_STATUS = "proposed"
# "dismissed" means an extraction error: not a recommendation at all. Default views hide it.
HIDDEN_STATUSES = ("dismissed",)
# A final status needs no more follow-up, so it is never overdue. partially_implemented is not final.
FINAL_STATUSES = ("implemented", "declined", "dismissed")
PRIORITIES = ("high", "normal", "low")
DEFAULT_PRIORITY = "normal"

STATUS_LABELS = {
    "proposed": "Proposed",
    "accepted": "Accepted",
    "in_progress": "In progress",
    "implemented": "Implemented",
    "partially_implemented": "Partially implemented",
    "declined": "Declined",
    "dismissed": "Dismissed (not a recommendation)",
}

# The allowed-transition rule, in one place. A status may always be "changed" to itself
# (an edit of the other fields). Rationale, per status:
#   proposed  -> any outcome: a later meeting may report any of them directly.
#   accepted  -> work starts or ends; or back to proposed (acceptance undone).
#   in_progress / partially_implemented -> move between each other, finish, or be declined.
#   implemented -> reopened as in_progress or partially_implemented (it turned out incomplete).
#   declined  -> reconsidered: proposed or accepted.
#   dismissed -> only back to proposed (it was a real recommendation after all).
# Any status except dismissed may become dismissed: an extraction error can be noticed at any time.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "proposed": ("accepted", "in_progress", "implemented", "partially_implemented", "declined", "dismissed"),
    "accepted": ("proposed", "in_progress", "implemented", "partially_implemented", "declined", "dismissed"),
    "in_progress": ("implemented", "partially_implemented", "declined", "dismissed"),
    "partially_implemented": ("in_progress", "implemented", "declined", "dismissed"),
    "implemented": ("in_progress", "partially_implemented", "dismissed"),
    "declined": ("proposed", "accepted", "dismissed"),
    "dismissed": ("proposed",),
}

# Fields a caller may change, and the ones that are only recorded in the history.
EDITABLE_FIELDS = ("status", "owner", "due_date", "follow_up", "priority")
UPDATE_KEYS = (*EDITABLE_FIELDS, "note")
MAX_LENGTHS = {"owner": 200, "follow_up": 5000, "note": 2000}

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class InvalidValue(ValidationError):
    """A field has a value that is not allowed; ``allowed`` lists what is, when a list says it."""

    def __init__(self, field, message, allowed=None):
        self.allowed = list(allowed) if allowed is not None else None
        super().__init__(field, message)


class RecommendationNotFound(NotFound):
    def __init__(self, rec_id):
        self.rec_id = rec_id
        super().__init__(f"no recommendation with id {rec_id!r}")


class StaleVersion(Conflict):
    """The caller's version is not the current one: someone else saved first."""

    def __init__(self, rec_id, version, current_version):
        self.rec_id = rec_id
        self.version = version
        self.current_version = current_version
        super().__init__(
            f"recommendation {rec_id} is at version {current_version}, not {version}: "
            "it changed since you read it; reload and try again"
        )


# ---------------------------------------------------------------- rules (pure)


def allowed_next(status: str) -> tuple[str, ...]:
    """Statuses a recommendation in ``status`` may move to (itself excluded)."""
    return TRANSITIONS.get(status, STATUSES)


def check_transition(old: str, new: str) -> None:
    """Raise InvalidValue unless ``old -> new`` is allowed (``old == new`` always is)."""
    if new not in STATUSES:
        raise InvalidValue("status", f"{new!r} is not a status; allowed: {', '.join(STATUSES)}", STATUSES)
    if old == new:
        return
    nxt = allowed_next(old)
    if new not in nxt:
        raise InvalidValue(
            "status", f"cannot go from {old} to {new}; allowed from {old}: {', '.join(nxt)}", nxt
        )


def parse_version(value) -> int:
    """The client's version as a positive int. Raises InvalidValue."""
    if isinstance(value, bool):
        value = None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or value < 1:
        raise InvalidValue("version", f"required, a positive integer (got {value!r})")
    return value


def _text(field, value):
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidValue(field, f"must be a string or null (got {type(value).__name__})")
    if not is_valid_text(value):
        raise InvalidValue(field, "not valid text (a lone surrogate or undecodable bytes; use UTF-8)")
    value = value.strip()
    if len(value) > MAX_LENGTHS[field]:
        raise InvalidValue(field, f"at most {MAX_LENGTHS[field]} characters (got {len(value)})")
    return value or None


def validate_changes(changes: dict) -> dict:
    """Check and normalize a dict of requested changes (pure).

    Keys: status, owner, due_date (ISO YYYY-MM-DD), follow_up, priority, note. Empty strings
    clear owner / due_date / follow_up. Returns the normalized dict. Raises InvalidValue naming
    the field and the allowed values.
    """
    if not isinstance(changes, dict):
        raise InvalidValue("body", "expected a JSON object")
    out = {}
    for key, value in changes.items():
        if key not in UPDATE_KEYS:
            raise InvalidValue(key, f"unknown field; allowed: {', '.join(UPDATE_KEYS)}, version", UPDATE_KEYS)
        if key == "status":
            if value not in STATUSES:
                raise InvalidValue("status", f"{value!r} is not a status; allowed: {', '.join(STATUSES)}", STATUSES)
            out[key] = value
        elif key == "priority":
            if value not in PRIORITIES:
                raise InvalidValue(
                    "priority", f"{value!r} is not a priority; allowed: {', '.join(PRIORITIES)}", PRIORITIES
                )
            out[key] = value
        elif key == "due_date":
            if value is None or (isinstance(value, str) and not value.strip()):
                out[key] = None
                continue
            if not isinstance(value, str) or not _ISO_DATE.match(value.strip()):
                raise InvalidValue("due_date", f"{value!r} is not an ISO date; allowed: YYYY-MM-DD or empty")
            try:
                out[key] = datetime.date.fromisoformat(value.strip()).isoformat()
            except ValueError:
                raise InvalidValue("due_date", f"{value!r} is not a valid date; allowed: YYYY-MM-DD or empty") from None
        else:
            out[key] = _text(key, value)
    return out


def diff(current: dict, changes: dict) -> dict:
    """{field: [old, new]} for the editable fields whose value actually changes."""
    return {f: [current[f], changes[f]] for f in EDITABLE_FIELDS if f in changes and changes[f] != current[f]}


def actor_name(actor) -> str | None:
    """Who, for ``updated_by`` / ``changed_by``: an actor dict's id, or a plain string."""
    if isinstance(actor, dict):
        return str(actor.get("id")) if actor.get("id") is not None else None
    return actor or None


def edit_allowed(actor, plugin_config: dict | None) -> bool:
    """The ``rectrack-edit`` rule: ``plugins: rectrack: edit: allow:`` in metadata.

    With no such block nobody may edit (Datasette's own ``allow: null`` would mean everyone).
    """
    from datasette.utils import actor_matches_allow

    allow = ((plugin_config or {}).get("edit") or {}).get("allow")
    if allow is None:
        return False
    return bool(actor_matches_allow(actor, allow))


async def can_edit(datasette, actor) -> bool:
    """One permission helper, used by the page that shows the form and by the POST handler."""
    return await datasette.permission_allowed(actor, "rectrack-edit", default=False)


# ---------------------------------------------------------------- database


def _dicts(conn: sqlite3.Connection, sql: str, params=()) -> list[dict]:
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _history_row(row: dict) -> dict:
    row = dict(row)
    try:
        row["changes"] = json.loads(row["changes"]) if row["changes"] else {}
    except ValueError:
        pass
    return row


def get_record(conn: sqlite3.Connection, rec_id: str) -> dict:
    """The recommendations row as a dict. Raises RecommendationNotFound."""
    rows = _dicts(conn, "SELECT * FROM recommendations WHERE id = ?", (rec_id,))
    if not rows:
        raise RecommendationNotFound(rec_id)
    return rows[0]


def get_history(conn: sqlite3.Connection, rec_id: str) -> list[dict]:
    """Status changes, oldest first, with ``changes`` decoded from JSON."""
    return [
        _history_row(r)
        for r in _dicts(conn, "SELECT * FROM status_changes WHERE recommendation_id = ? ORDER BY id", (rec_id,))
    ]


def get_commitments(conn: sqlite3.Connection, rec_id: str) -> list[dict]:
    return _dicts(
        conn,
        "SELECT c.*, a.name AS actor_name, s.name AS speaker_name FROM commitments c "
        "LEFT JOIN actors a ON a.id = c.actor_id LEFT JOIN speakers s ON s.id = c.speaker_id "
        "WHERE c.recommendation_id = ? ORDER BY c.char_start",
        (rec_id,),
    )


def get_recommendation(conn: sqlite3.Connection, rec_id: str) -> dict:
    """``{"recommendation": row, "history": [...], "commitments": [...]}``.

    Raises RecommendationNotFound.
    """
    return {
        "recommendation": get_record(conn, rec_id),
        "history": get_history(conn, rec_id),
        "commitments": get_commitments(conn, rec_id),
    }


def get_context(conn: sqlite3.Connection, rec: dict) -> dict:
    """What the page shows around a recommendation: its turn with the quote located, the
    previous and next turns, the speaker, the actor and the document title."""

    def one(sql, params):
        rows = _dicts(conn, sql, params)
        return rows[0] if rows else None

    turn = one(
        "SELECT t.*, s.name AS speaker_name, s.role AS speaker_role FROM turns t "
        "LEFT JOIN speakers s ON s.id = t.speaker_id WHERE t.id = ?",
        (rec["turn_id"],),
    ) if rec.get("turn_id") else None

    def neighbour(seq):
        return one(
            "SELECT t.*, s.name AS speaker_name, s.role AS speaker_role FROM turns t "
            "LEFT JOIN speakers s ON s.id = t.speaker_id WHERE t.document_id = ? AND t.seq = ?",
            (rec["document_id"], seq),
        )

    previous_turn = neighbour(turn["seq"] - 1) if turn else None
    next_turn = neighbour(turn["seq"] + 1) if turn else None
    segments = None
    if turn:
        offset = rec["char_start"] - turn["char_start"] if rec.get("char_start") is not None else 0
        segments = highlight(turn["text"] or "", rec["text"] or "", offset)
    return {
        "turn": turn,
        "segments": segments,
        "previous_turn": previous_turn,
        "next_turn": next_turn,
        "speaker": one("SELECT * FROM speakers WHERE id = ?", (rec["speaker_id"],)) if rec.get("speaker_id") else None,
        "rec_actor": one("SELECT * FROM actors WHERE id = ?", (rec["actor_id"],)) if rec.get("actor_id") else None,
        "document": one("SELECT id, title, event_date, venue FROM documents WHERE id = ?", (rec["document_id"],)),
    }


def highlight(text: str, quote: str, expected_offset: int = 0):
    """Split ``text`` into (before, quote, after) around the occurrence of ``quote`` nearest to
    ``expected_offset``; None when the quote is not in the text (pure)."""
    if not quote:
        return None
    best = nearest_occurrence(text, quote, expected_offset or 0)
    if best is None:
        return None
    return text[:best], text[best:best + len(quote)], text[best + len(quote):]


def update_recommendation(conn: sqlite3.Connection, rec_id: str, changes: dict, version, actor) -> dict:
    """Apply ``changes`` to one recommendation and append its history row, in one transaction.

    ``changes``: any of status, owner, due_date, follow_up, priority, note. ``version``: the
    version the caller read. ``actor``: an actor dict (its id is recorded) or a name.

    Returns ``{"recommendation": row, "change": history row or None, "changed": bool}``. A request
    that changes nothing and carries no note writes nothing (``changed`` False).
    Raises InvalidValue (bad value or transition), RecommendationNotFound, StaleVersion.
    """
    version = parse_version(version)
    clean = validate_changes(changes)
    note = clean.pop("note", None)
    who = actor_name(actor)
    with conn:
        if not conn.in_transaction:
            conn.execute("BEGIN IMMEDIATE")
        current = get_record(conn, rec_id)
        if current["version"] != version:
            raise StaleVersion(rec_id, version, current["version"])
        changed = diff(current, clean)
        if "status" in changed:
            check_transition(current["status"], changed["status"][1])
        if not changed and not note:
            return {"recommendation": current, "change": None, "changed": False}
        stamp = now_iso()
        assignments = [f"{field} = ?" for field in changed]  # field names from EDITABLE_FIELDS only
        params = [new for _old, new in changed.values()]
        cursor = conn.execute(
            "UPDATE recommendations SET " + ", ".join([*assignments, "version = version + 1", "updated_at = ?",
                                                       "updated_by = ?"])
            + " WHERE id = ? AND version = ?",
            (*params, stamp, who, rec_id, version),
        )
        if cursor.rowcount != 1:  # cannot happen under BEGIN IMMEDIATE; kept as the rule itself
            raise StaleVersion(rec_id, version, get_record(conn, rec_id)["version"])
        new_status = changed["status"][1] if "status" in changed else current["status"]
        cursor = conn.execute(
            "INSERT INTO status_changes (recommendation_id, from_status, to_status, changed_at, changed_by, note, "
            "changes) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (rec_id, current["status"], new_status, stamp, who, note, json.dumps(changed, ensure_ascii=False)),
        )
        change_id = cursor.lastrowid
        record = get_record(conn, rec_id)
        change = _history_row(_dicts(conn, "SELECT * FROM status_changes WHERE id = ?", (change_id,))[0])
    return {"recommendation": record, "change": change, "changed": True}
