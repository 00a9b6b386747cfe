"""The review queue: unreviewed items, least confident first, each with its sentence in context.

An item is reviewed when ``recommendations.reviewed_at`` is set: someone said "looks right",
corrected it, dismissed it, or added it by hand.

Example::

    progress(conn)                 # {"reviewed": 37, "total": 120, "share": 0.31}
    queue(conn, document="meeting", limit=50)
"""
from __future__ import annotations

import sqlite3

from .display import head_words, tail_words
from .tracking import highlight

CONTEXT = 160  # characters of the turn shown on each side of the sentence (short: 100 items in 10 minutes)


def _scope(document: str | None) -> tuple[str, dict]:
    if document is None:
        return "1 = 1", {}
    return "r.document_id = :document", {"document": document}


def progress(conn: sqlite3.Connection, document: str | None = None) -> dict:
    """``{"reviewed", "total", "share"}`` over every item (dismissed ones included: they were judged)."""
    where, params = _scope(document)
    total, reviewed = conn.execute(
        f"SELECT count(*), count(r.reviewed_at) FROM recommendations r WHERE {where}", params).fetchone()
    return {"reviewed": reviewed, "total": total, "share": reviewed / total if total else 0.0}


def queue(conn: sqlite3.Connection, document: str | None = None, limit: int = 100) -> list[dict]:
    """Unreviewed, not dismissed items, least confident first: each row with actor names,
    speaker, turn and the turn's text cut around the quote (``before``, ``quote``, ``after``)."""
    where, params = _scope(document)
    cursor = conn.execute(
        "SELECT r.id, r.document_id, r.text, r.char_start, r.char_end, r.theme, r.strength, r.kind, r.confidence, "
        "r.version, r.status, r.origin, r.cue, d.title AS document_title, s.name AS speaker, t.seq AS turn_seq, "
        "t.text AS turn_text, t.char_start AS turn_start, t.char_end AS turn_end, "
        "(SELECT group_concat(coalesce(a.name, ra.actor_id), '; ') FROM "
        "   (SELECT * FROM recommendation_actors WHERE recommendation_id = r.id ORDER BY position) ra "
        "   LEFT JOIN actors a ON a.id = ra.actor_id) AS actors "
        "FROM recommendations r LEFT JOIN documents d ON d.id = r.document_id "
        "LEFT JOIN turns t ON t.id = r.turn_id LEFT JOIN speakers s ON s.id = r.speaker_id "
        f"WHERE {where} AND r.reviewed_at IS NULL AND r.status != 'dismissed' "
        "ORDER BY coalesce(r.confidence, 1), r.document_id, r.char_start LIMIT :limit",
        {**params, "limit": limit})
    names = [d[0] for d in cursor.description]
    items = []
    for row in cursor.fetchall():
        item = dict(zip(names, row))
        item.update(in_context(item))
        items.append(item)
    return items


def in_context(item: dict) -> dict:
    """``{"before", "quote", "after"}``: the quote within up to CONTEXT characters of its turn."""
    turn_text = item.pop("turn_text", None) or ""
    turn_start, turn_end = item.pop("turn_start", None), item.pop("turn_end", None)
    expected = 0
    if item.get("char_start") is not None and turn_start is not None and turn_end is not None:
        expected = item["char_start"] - (turn_end - len(turn_text))
    parts = highlight(turn_text, item.get("text") or "", expected)
    if parts is None:
        return {"before": "", "quote": item.get("text") or "", "after": ""}
    before, quote, after = parts
    return {"before": ("\u2026" + tail_words(before, CONTEXT)) if len(before) > CONTEXT else before, "quote": quote,
            "after": (head_words(after, CONTEXT) + "\u2026") if len(after) > CONTEXT else after}


def reviewed_items(conn: sqlite3.Connection, document: str | None = None, limit: int = 20) -> list[dict]:
    """The latest reviewed items (who reviewed what and when), newest first."""
    where, params = _scope(document)
    cursor = conn.execute(
        "SELECT r.id, r.text, r.status, r.kind, r.origin, r.reviewed_at, r.reviewed_by FROM recommendations r "
        f"WHERE {where} AND r.reviewed_at IS NOT NULL ORDER BY r.reviewed_at DESC, r.id LIMIT :limit",
        {**params, "limit": limit})
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]
