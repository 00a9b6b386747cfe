"""Quality on the user's own corpus: score the extractor against what people reviewed.

A document counts once it is reviewed: it has at least one reviewed item and no extracted
recommendation still waiting for review. In it, for items whose kind is recommendation:

- an extracted item kept as reviewed is right (tp), one dismissed is a false positive (fp), one a
  person reclassified as a commitment is a false positive too;
- an item added by hand (``origin = 'manual'``) is a miss (fn), unless the current extractor now
  finds it too (``extracted = 1``: tp); a reviewed item the current extractor no longer finds is a miss;
- actor accuracy is over the extracted tps: an item whose actors a person corrected is an actor error.

``export_gold`` writes the same reviewed items in the gold format ``rectrack eval --gold`` reads.
"""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from .evaluate import _prf
from .review import get_actors
from .store import corrected_fields


def _rows(conn, sql, params=()) -> list[dict]:
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def judge(row: dict) -> str | None:
    """'tp', 'fp', 'fn' or None (not counted) for one reviewed row (see the module docstring)."""
    dismissed = row["status"] == "dismissed"
    if row["origin"] == "manual":
        if row["kind"] != "recommendation" or dismissed:
            return None
        return "tp" if row["extracted"] else "fn"
    if not row["extracted"]:
        return "fn" if row["reviewed_at"] and not dismissed and row["kind"] == "recommendation" else None
    if dismissed or row["kind"] != "recommendation":
        return "fp"
    return "tp" if row["reviewed_at"] else None


def reviewed_documents(conn: sqlite3.Connection) -> tuple[list[dict], list[dict]]:
    """(reviewed documents, partly reviewed ones) as ``{"document_id", "title", "unreviewed"}``."""
    rows = _rows(conn, (
        "SELECT d.id AS document_id, d.title AS title, "
        "sum(r.reviewed_at IS NOT NULL OR r.status = 'dismissed') AS judged, "
        "sum(r.extracted = 1 AND r.reviewed_at IS NULL AND r.status != 'dismissed') AS unreviewed "
        "FROM documents d JOIN recommendations r ON r.document_id = d.id GROUP BY d.id ORDER BY d.event_date, d.id"))
    done = [r for r in rows if r["judged"] and not r["unreviewed"]]
    partly = [r for r in rows if r["judged"] and r["unreviewed"]]
    return done, partly


def score_document(conn: sqlite3.Connection, document_id: str) -> dict:
    """Precision, recall, F1 (with tp/fp/fn) and actor accuracy of one document's reviewed items."""
    counts = {"tp": 0, "fp": 0, "fn": 0}
    actor_right = actor_n = 0
    for row in _rows(conn, "SELECT * FROM recommendations WHERE document_id = ?", (document_id,)):
        verdict = judge(row)
        if verdict is None:
            continue
        counts[verdict] += 1
        if verdict == "tp" and row["origin"] != "manual":
            actor_n += 1
            actor_right += "actors" not in corrected_fields(row)
    out = _prf(counts["tp"], counts["fp"], counts["fn"])
    out.update(actor_right=actor_right, actor_n=actor_n, actor_accuracy=actor_right / actor_n if actor_n else 0.0)
    return out


def eval_db(conn: sqlite3.Connection) -> dict:
    """``{"documents": [per document], "pooled": {...}, "partly_reviewed": [...]}`` over reviewed documents."""
    done, partly = reviewed_documents(conn)
    documents = []
    pooled = {"tp": 0, "fp": 0, "fn": 0, "actor_right": 0, "actor_n": 0}
    for doc in done:
        scores = score_document(conn, doc["document_id"])
        documents.append({"document_id": doc["document_id"], "title": doc["title"], **scores})
        for key in pooled:
            pooled[key] += scores[key]
    total = _prf(pooled["tp"], pooled["fp"], pooled["fn"])
    total.update(actor_right=pooled["actor_right"], actor_n=pooled["actor_n"],
                 actor_accuracy=pooled["actor_right"] / pooled["actor_n"] if pooled["actor_n"] else 0.0)
    return {"documents": documents, "pooled": total, "partly_reviewed": partly}


# ---------------------------------------------------------------- gold export


def gold_items(conn: sqlite3.Connection, document_id: str) -> list[dict]:
    """The document's reviewed recommendations (kept or added, not dismissed) as gold records."""
    rows = _rows(conn, (
        "SELECT r.*, t.seq AS turn_seq, t.label AS turn_label, s.name AS speaker_name FROM recommendations r "
        "LEFT JOIN turns t ON t.id = r.turn_id LEFT JOIN speakers s ON s.id = r.speaker_id "
        "WHERE r.document_id = ? AND r.reviewed_at IS NOT NULL AND r.status != 'dismissed' "
        "AND r.kind = 'recommendation' AND r.char_start IS NOT NULL ORDER BY r.char_start"), (document_id,))
    items = []
    for n, row in enumerate(rows, start=1):
        actors = [a["name"] for a in get_actors(conn, row["id"])] or ["Unspecified"]
        items.append({
            "id": f"R{n:02d}", "turn": row["turn_seq"], "speaker": row["speaker_name"] or row["turn_label"] or "",
            "quote": row["text"], "actor": actors[0], "actor_text": row["actor_text"], "theme": row["theme"],
            "strength": row["strength"], "confidence": "clear", "actors_all": actors,
            "source_id": row["id"], "origin": row["origin"], "reviewed_by": row["reviewed_by"],
            "reviewed_at": row["reviewed_at"],
        })
    return items


def export_gold(conn: sqlite3.Connection, out_dir) -> list[Path]:
    """Write one folder per reviewed document: ``<id>.txt`` (documents.text) and
    ``gold_recommendations.json`` (``load_gold`` reads the part after the first ``_`` as the
    kind, and document ids may contain one). Score one with
    ``rectrack eval --gold DIR/<id> --transcript DIR/<id>/<id>.txt``. Returns the folders."""
    done, _partly = reviewed_documents(conn)
    written = []
    for doc in done:
        document_id = doc["document_id"]
        folder = Path(out_dir) / document_id
        folder.mkdir(parents=True, exist_ok=True)
        text = conn.execute("SELECT text FROM documents WHERE id = ?", (document_id,)).fetchone()[0] or ""
        (folder / f"{document_id}.txt").write_text(text, encoding="utf-8")
        (folder / "gold_recommendations.json").write_text(
            json.dumps(gold_items(conn, document_id), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(folder)
    return written
