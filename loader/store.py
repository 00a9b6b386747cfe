"""The storing step: schema, and one transaction per document.

Everything before this module is pure. ``store_document`` writes a parsed and extracted
document atomically and keeps every human edit (status, owner, due date, follow-up,
priority, version, history) across reloads.
"""
from __future__ import annotations

import datetime
import difflib
import hashlib
import json
import re
import sqlite3

import sqlite_utils

from .model import Commitment, Document, Recommendation

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    title TEXT,
    event_date TEXT,
    venue TEXT,
    source_path TEXT,
    sha256 TEXT,
    text TEXT,
    loaded_at TEXT
);
CREATE TABLE IF NOT EXISTS speakers (
    id TEXT PRIMARY KEY,
    name TEXT,
    role TEXT,
    document_id TEXT REFERENCES documents(id)
);
CREATE TABLE IF NOT EXISTS speaker_aliases (
    alias TEXT,
    speaker_id TEXT REFERENCES speakers(id),
    PRIMARY KEY (alias, speaker_id)
);
CREATE TABLE IF NOT EXISTS turns (
    id TEXT PRIMARY KEY,
    document_id TEXT REFERENCES documents(id),
    seq INTEGER,
    speaker_id TEXT REFERENCES speakers(id),
    label TEXT,
    text TEXT,
    char_start INTEGER,
    char_end INTEGER
);
CREATE TABLE IF NOT EXISTS actors (
    id TEXT PRIMARY KEY,
    name TEXT,
    kind TEXT
);
CREATE TABLE IF NOT EXISTS recommendations (
    id TEXT PRIMARY KEY,
    document_id TEXT REFERENCES documents(id),
    turn_id TEXT REFERENCES turns(id),
    speaker_id TEXT REFERENCES speakers(id),
    actor_id TEXT REFERENCES actors(id),
    actor_text TEXT,
    text TEXT,
    char_start INTEGER,
    char_end INTEGER,
    theme TEXT,
    strength TEXT,
    cue TEXT,
    confidence REAL,
    status TEXT NOT NULL DEFAULT 'proposed',
    owner TEXT,
    due_date TEXT,
    follow_up TEXT,
    priority TEXT NOT NULL DEFAULT 'normal',
    version INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT,
    updated_by TEXT,
    extracted INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS commitments (
    id TEXT PRIMARY KEY,
    document_id TEXT REFERENCES documents(id),
    turn_id TEXT REFERENCES turns(id),
    speaker_id TEXT REFERENCES speakers(id),
    actor_id TEXT REFERENCES actors(id),
    text TEXT,
    char_start INTEGER,
    char_end INTEGER,
    signal TEXT,
    recommendation_id TEXT REFERENCES recommendations(id),
    cue TEXT,
    confidence REAL
);
CREATE TABLE IF NOT EXISTS status_changes (
    id INTEGER PRIMARY KEY,
    recommendation_id TEXT REFERENCES recommendations(id),
    from_status TEXT,
    to_status TEXT,
    changed_at TEXT,
    changed_by TEXT,
    note TEXT,
    changes TEXT
);
CREATE TABLE IF NOT EXISTS document_changes (
    id INTEGER PRIMARY KEY,
    document_id TEXT REFERENCES documents(id),
    changed_at TEXT,
    changed_by TEXT,
    changes TEXT
);
CREATE TABLE IF NOT EXISTS notes (
    document_id TEXT REFERENCES documents(id),
    char_start INTEGER,
    text TEXT,
    PRIMARY KEY (document_id, char_start)
);
CREATE TABLE IF NOT EXISTS document_locations (
    document_id TEXT REFERENCES documents(id),
    char_start INTEGER,
    char_end INTEGER,
    page INTEGER,
    start_time REAL,
    end_time REAL,
    PRIMARY KEY (document_id, char_start)
);
CREATE TABLE IF NOT EXISTS recommendation_actors (
    recommendation_id TEXT REFERENCES recommendations(id),
    actor_id TEXT REFERENCES actors(id),
    position INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (recommendation_id, actor_id)
);
CREATE INDEX IF NOT EXISTS idx_rec_actors_actor ON recommendation_actors(actor_id, recommendation_id);
-- Further actors (set by a person) are few: counts by actor add them through this partial index.
CREATE INDEX IF NOT EXISTS idx_rec_actors_further ON recommendation_actors(actor_id) WHERE position > 0;
CREATE INDEX IF NOT EXISTS idx_turns_document ON turns(document_id, seq);
CREATE INDEX IF NOT EXISTS idx_turns_speaker ON turns(speaker_id);
CREATE INDEX IF NOT EXISTS idx_speakers_document ON speakers(document_id);
CREATE INDEX IF NOT EXISTS idx_aliases_speaker ON speaker_aliases(speaker_id);
CREATE INDEX IF NOT EXISTS idx_recs_document ON recommendations(document_id, char_start);
CREATE INDEX IF NOT EXISTS idx_recs_turn ON recommendations(turn_id);
-- (column, status) pairs: facet and summary counts that exclude dismissed rows are
-- index-only scans instead of one table lookup per row.
DROP INDEX IF EXISTS idx_recs_actor;
DROP INDEX IF EXISTS idx_recs_speaker;
DROP INDEX IF EXISTS idx_recs_theme;
DROP INDEX IF EXISTS idx_recs_strength;
DROP INDEX IF EXISTS idx_recs_due;
CREATE INDEX IF NOT EXISTS idx_recs_actor_status ON recommendations(actor_id, status);
CREATE INDEX IF NOT EXISTS idx_recs_speaker_status ON recommendations(speaker_id, status);
CREATE INDEX IF NOT EXISTS idx_recs_status ON recommendations(status);
CREATE INDEX IF NOT EXISTS idx_recs_theme_status ON recommendations(theme, status);
CREATE INDEX IF NOT EXISTS idx_recs_strength_status ON recommendations(strength, status);
CREATE INDEX IF NOT EXISTS idx_recs_due_status ON recommendations(due_date, status);
CREATE INDEX IF NOT EXISTS idx_recs_document_status ON recommendations(document_id, status);
-- the recommendations table's default sort (metadata.yml ``sort: char_start``; Datasette adds the
-- primary key for the next pages): the first page reads 50 index entries instead of sorting every row
CREATE INDEX IF NOT EXISTS idx_recs_char_start ON recommendations(char_start, id);
CREATE INDEX IF NOT EXISTS idx_commitments_document ON commitments(document_id, char_start);
CREATE INDEX IF NOT EXISTS idx_commitments_rec ON commitments(recommendation_id);
CREATE INDEX IF NOT EXISTS idx_commitments_actor ON commitments(actor_id);
CREATE INDEX IF NOT EXISTS idx_changes_rec ON status_changes(recommendation_id, id);
CREATE INDEX IF NOT EXISTS idx_changes_at ON status_changes(changed_at);
"""

# Columns added after the first release: (table, column, declaration). ``ensure_schema`` adds
# each one that an existing database lacks, so old databases keep working; new columns go here,
# not into the CREATE TABLE statements above.
ADDED_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("documents", "format", "TEXT"),
    ("turns", "start_time", "REAL"),
    ("turns", "end_time", "REAL"),
    ("recommendations", "origin", "TEXT NOT NULL DEFAULT 'extracted'"),
    ("recommendations", "kind", "TEXT NOT NULL DEFAULT 'recommendation'"),
    ("recommendations", "reviewed_at", "TEXT"),
    ("recommendations", "reviewed_by", "TEXT"),
    ("recommendations", "corrected", "TEXT"),
    ("documents", "title_set_by", "TEXT"),  # who set title/date by hand; a reload keeps them then
    ("documents", "title_set_at", "TEXT"),
    ("documents", "lexicon_sha256", "TEXT"),  # the lexicon it was extracted with (reloads skip unchanged files)
)

# Views and indexes over columns from ADDED_COLUMNS (created after they are added).
VIEWS = """
CREATE INDEX IF NOT EXISTS idx_recs_kind ON recommendations(kind);
CREATE VIEW IF NOT EXISTS recommendations_by_actor AS
SELECT ra.actor_id AS actor_id, a.name AS actor, a.kind AS actor_kind, ra.position AS position,
       r.id AS recommendation_id, r.document_id AS document_id, r.text AS text, r.theme AS theme,
       r.strength AS strength, r.status AS status, r.kind AS kind, r.origin AS origin,
       r.reviewed_at AS reviewed_at
FROM recommendation_actors ra
JOIN recommendations r ON r.id = ra.recommendation_id
LEFT JOIN actors a ON a.id = ra.actor_id;
"""

# Extracted columns a person may correct, by the name used in ``recommendations.corrected``.
CORRECTABLE = {
    "actors": ("actor_id", "actor_text"),
    "theme": ("theme",),
    "strength": ("strength",),
    "span": ("char_start", "char_end", "text", "turn_id"),
    "kind": ("kind",),
}

# Columns a person edits. A reload never writes them.
HUMAN_FIELDS = ("status", "owner", "due_date", "follow_up", "priority", "version", "updated_at", "updated_by",
                "origin", "reviewed_at", "reviewed_by", "corrected")


def connect(path) -> sqlite3.Connection:
    """Open (and create) a rectrack database with the full schema, WAL mode and FTS."""
    conn = sqlite3.connect(str(path), timeout=30)
    conn.row_factory = sqlite3.Row
    ensure_schema(conn)
    return conn


def ensure_schema(conn: sqlite3.Connection) -> None:
    db = sqlite_utils.Database(conn)
    if db.journal_mode != "wal":
        db.enable_wal()
    had_actor_links = db["recommendation_actors"].exists()
    conn.executescript(SCHEMA)
    for table, column, declaration in ADDED_COLUMNS:
        if column not in db[table].columns_dict:
            conn.execute(f"ALTER TABLE [{table}] ADD COLUMN [{column}] {declaration}")
    conn.executescript(VIEWS)
    if not had_actor_links:  # a database from before recommendation_actors: one link per row
        conn.execute("INSERT OR IGNORE INTO recommendation_actors (recommendation_id, actor_id, position) "
                     "SELECT id, actor_id, 0 FROM recommendations WHERE actor_id IS NOT NULL")
    for table, columns in (("turns", ["text"]), ("recommendations", ["text", "actor_text"])):
        if not db[table].detect_fts():
            db[table].enable_fts(columns, create_triggers=True, tokenize="porter")
    conn.commit()


def slug(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-") or "x"


def normalize_span(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def short_hash(*parts: str, length: int = 10) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:length]


def recommendation_id(document_id: str, text: str) -> str:
    return "r" + short_hash(document_id, normalize_span(text))


def commitment_id(document_id: str, text: str) -> str:
    return "c" + short_hash(document_id, normalize_span(text))


def speaker_id(document_id: str, key: str) -> str:
    return f"{document_id}:{key}"


def actor_id(name: str) -> str:
    return slug(name)


def nearest_occurrence(text: str, quote: str, near: int = 0) -> int | None:
    """Start of the exact occurrence of ``quote`` in ``text`` nearest to offset ``near``, or None."""
    hits = []
    pos = text.find(quote)
    while pos >= 0:
        hits.append(pos)
        pos = text.find(quote, pos + 1)
    return min(hits, key=lambda p: abs(p - near)) if hits else None


def now_iso() -> str:
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()


def _overlap(a_start, a_end, b_start, b_end) -> int:
    return max(0, min(a_end, b_end) - max(a_start, b_start))


def is_human_edited(row) -> bool:
    """True when a person has touched this recommendation (so a reload must keep it)."""
    return bool(
        row["version"] > 1
        or row["status"] != "proposed"
        or row["owner"]
        or row["due_date"]
        or row["follow_up"]
        or row["priority"] != "normal"
        or row["n_changes"]
        or row["reviewed_at"]
        or row["corrected"]
        or row["origin"] == "manual"
    )


def corrected_fields(row) -> set[str]:
    """The CORRECTABLE names a person has corrected on this row (a manual row: all of them)."""
    if row["origin"] == "manual":
        return set(CORRECTABLE)
    try:
        return set(json.loads(row["corrected"] or "[]"))
    except ValueError:
        return set()


def turn_at(doc: Document, start: int):
    """The turn of ``doc`` whose span contains offset ``start``, or None."""
    return next((t for t in doc.turns if t.char_start <= start < t.char_end), None)


def extracted_update(row, columns: dict, doc: Document) -> dict:
    """The columns a reload writes on an existing row: ``columns`` minus the ones a person corrected.

    A corrected span keeps its words, re-anchored in the new text (offsets and turn follow the
    transcript; cleared when the words are gone).
    """
    fields = corrected_fields(row)
    out = dict(columns)
    for name in fields:
        for column in CORRECTABLE.get(name, ()):
            out.pop(column, None)
    if "span" in fields:
        span = anchor_span(doc.text, row["text"], row["char_start"])
        if span is None:
            out.update(char_start=None, char_end=None)
        else:
            turn = turn_at(doc, span[0])
            out.update(char_start=span[0], char_end=span[1], text=doc.text[span[0]:span[1]])
            if turn is not None:
                out["turn_id"] = f"{doc.id}:{turn.seq}"
    return out


def anchor_span(text: str, quote: str, old_start: int | None) -> tuple[int, int] | None:
    """Where ``quote`` is in ``text`` now.

    The exact occurrence nearest to ``old_start``; else the near-identical span (a corrected
    word or two: normalized similarity >= 0.8) around the longest common run; else None.
    """
    if not quote:
        return None
    start = nearest_occurrence(text, quote, old_start or 0)
    if start is not None:
        return start, start + len(quote)
    a, _b, size = difflib.SequenceMatcher(None, text, quote, autojunk=False).find_longest_match(
        0, len(text), 0, len(quote))
    if size < 8:
        return None
    lo = max(0, a - _b - 40)
    region = text[lo:a - _b + len(quote) + 40]
    blocks = [blk for blk in difflib.SequenceMatcher(None, region, quote, autojunk=False).get_matching_blocks()
              if blk.size >= 3]
    if not blocks:
        return None
    start, end = lo + blocks[0].a, lo + blocks[-1].a + blocks[-1].size
    ratio = difflib.SequenceMatcher(None, normalize_span(text[start:end]), normalize_span(quote)).ratio()
    return (start, end) if ratio >= 0.8 else None


def match_existing(existing: list, new_recs: list[tuple[str, str, Recommendation]], text: str | None = None) -> dict:
    """Map new recommendation index -> existing row, one-to-one.

    Order of preference: the same id (same normalized text); an overlapping span (at least half
    of the shorter one) -- with the document's new ``text``, each existing span is first
    re-anchored in it (a corrected transcript shifts offsets and turn numbers), otherwise
    compared by old offsets within the same turn; near-identical text anywhere in the document.
    """
    matched: dict[int, sqlite3.Row] = {}
    used: set[str] = set()
    by_id = {row["id"]: row for row in existing}
    for i, (rid, _turn_id, _rec) in enumerate(new_recs):
        if rid in by_id:
            matched[i] = by_id[rid]
            used.add(rid)
    anchored = {}
    if text is not None:
        for row in existing:
            if row["id"] not in used:
                anchored[row["id"]] = anchor_span(text, row["text"], row["char_start"])
    for i, (_rid, turn_id, rec) in enumerate(new_recs):
        if i in matched:
            continue
        best, best_overlap = None, 0
        for row in existing:
            if row["id"] in used:
                continue
            span = anchored.get(row["id"])
            if span is None:
                if row["turn_id"] != turn_id or row["char_start"] is None:
                    continue
                span = (row["char_start"], row["char_end"])
            ov = _overlap(rec.char_start, rec.char_end, *span)
            shorter = min(rec.char_end - rec.char_start, span[1] - span[0])
            if shorter > 0 and ov * 2 >= shorter and ov > best_overlap:
                best, best_overlap = row, ov
        if best is not None:
            matched[i] = best
            used.add(best["id"])
    for i, (_rid, _turn_id, rec) in enumerate(new_recs):
        if i in matched:
            continue
        target = normalize_span(rec.text)
        best, best_ratio = None, 0.0
        for row in existing:
            if row["id"] in used:
                continue
            ratio = difflib.SequenceMatcher(None, target, normalize_span(row["text"])).ratio()
            if ratio >= 0.8 and ratio > best_ratio:
                best, best_ratio = row, ratio
        if best is not None:
            matched[i] = best
            used.add(best["id"])
    return matched


def store_source_map(conn: sqlite3.Connection, doc: Document, tid) -> None:
    """The document's format, its offset -> page/cue time map and its turns' times (inside the
    caller's transaction; ``tid(seq)`` is a turn's id)."""
    conn.execute("UPDATE documents SET format = ? WHERE id = ?", (doc.format, doc.id))
    conn.execute("DELETE FROM document_locations WHERE document_id = ?", (doc.id,))
    conn.executemany(
        "INSERT OR REPLACE INTO document_locations (document_id, char_start, char_end, page, start_time, end_time) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [(doc.id, loc.start, loc.end, loc.page, loc.start_time, loc.end_time) for loc in doc.locations],
    )
    conn.executemany(
        "UPDATE turns SET start_time = ?, end_time = ? WHERE id = ?",
        [(t.start_time, t.end_time, tid(t.seq)) for t in doc.turns
         if t.start_time is not None or t.end_time is not None],
    )
# The columns a reload writes on a recommendation, in the order of the values tuple below.
EXTRACTED_COLUMNS = ("document_id", "turn_id", "speaker_id", "actor_id", "actor_text", "text", "char_start",
                     "char_end", "theme", "strength", "cue", "confidence")


def store_document(
    conn: sqlite3.Connection,
    doc: Document,
    recommendations: list[Recommendation],
    commitments: list[Commitment],
    actor_kinds: dict | None = None,
) -> dict:
    """Write one document and everything extracted from it in a single transaction.

    Re-storing a document replaces its turns, speakers, notes and commitments and the
    extracted columns of its recommendations. Human fields and history are never touched:
    a re-extracted recommendation keeps the id of the existing one it overlaps, and one no
    longer extracted is kept (``extracted = 0``) when a person edited it, else deleted.
    Returns counts of what was written.
    """
    stamp = now_iso()
    with conn:  # one transaction: commit on success, roll back on any error
        if not conn.in_transaction:
            conn.execute("BEGIN IMMEDIATE")
        doc_id = doc.id
        conn.execute(
            "INSERT INTO documents (id, title, event_date, venue, source_path, sha256, text, loaded_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
            # A title and date a person set (title_set_by) survive the reload.
            "title=CASE WHEN documents.title_set_by IS NULL THEN excluded.title ELSE documents.title END, "
            "event_date=CASE WHEN documents.title_set_by IS NULL THEN excluded.event_date ELSE documents.event_date END, "
            "venue=excluded.venue, source_path=excluded.source_path, "
            "sha256=excluded.sha256, text=excluded.text, loaded_at=excluded.loaded_at",
            (doc_id, doc.title, doc.event_date, doc.venue, doc.source_path, doc.sha256, doc.text, stamp),
        )
        conn.execute("DELETE FROM commitments WHERE document_id = ?", (doc_id,))
        conn.execute(
            "DELETE FROM speaker_aliases WHERE speaker_id IN (SELECT id FROM speakers WHERE document_id = ?)",
            (doc_id,),
        )
        conn.execute("DELETE FROM turns WHERE document_id = ?", (doc_id,))
        conn.execute("DELETE FROM notes WHERE document_id = ?", (doc_id,))
        conn.execute("DELETE FROM speakers WHERE document_id = ?", (doc_id,))

        conn.executemany(
            "INSERT INTO speakers (id, name, role, document_id) VALUES (?, ?, ?, ?)",
            [(speaker_id(doc_id, s.key), s.name, s.role, doc_id) for s in doc.speakers],
        )
        alias_rows = set()
        for s in doc.speakers:
            for alias in [s.name, *s.aliases]:
                alias_rows.add((alias, speaker_id(doc_id, s.key)))
        conn.executemany("INSERT INTO speaker_aliases (alias, speaker_id) VALUES (?, ?)", sorted(alias_rows))

        def sid(key):
            return speaker_id(doc_id, key) if key else None

        def tid(seq):
            return f"{doc_id}:{seq}"

        conn.executemany(
            "INSERT INTO turns (id, document_id, seq, speaker_id, label, text, char_start, char_end) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (tid(t.seq), doc_id, t.seq, sid(t.speaker_key), t.label, t.text, t.char_start, t.char_end)
                for t in doc.turns
            ],
        )
        conn.executemany(
            "INSERT OR REPLACE INTO notes (document_id, char_start, text) VALUES (?, ?, ?)",
            [(doc_id, n.char_start, n.text) for n in doc.notes],
        )
        store_source_map(conn, doc, tid)

        actor_kinds = actor_kinds or {}
        actors = {}
        for r in recommendations:
            actors[actor_id(r.actor)] = (r.actor, r.actor_kind or actor_kinds.get(r.actor))
        for c in commitments:
            actors[actor_id(c.actor)] = (c.actor, c.actor_kind or actor_kinds.get(c.actor))
        conn.executemany(
            "INSERT INTO actors (id, name, kind) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
            "name=excluded.name, kind=COALESCE(excluded.kind, actors.kind)",
            [(aid, name, kind) for aid, (name, kind) in sorted(actors.items())],
        )

        existing = conn.execute(
            "SELECT r.*, (SELECT count(*) FROM status_changes s WHERE s.recommendation_id = r.id) AS n_changes "
            "FROM recommendations r WHERE document_id = ?",
            (doc_id,),
        ).fetchall()
        new_recs = [(recommendation_id(doc_id, r.text), tid(r.turn_seq), r) for r in recommendations]
        matched = match_existing(existing, new_recs, doc.text)
        final_ids: list[str] = []
        seen_ids: set[str] = set()
        link_actors: list[tuple[str, str]] = []  # rows whose actor links follow the extractor
        for i, (rid, turn_id, r) in enumerate(new_recs):
            row = matched.get(i)
            if row is not None:
                rid = row["id"]
            elif rid in seen_ids:  # the same words twice in one document
                rid = "r" + short_hash(doc_id, normalize_span(r.text), str(r.char_start))
            seen_ids.add(rid)
            final_ids.append(rid)
            values = (
                doc_id, turn_id, sid(r.speaker_key), actor_id(r.actor), r.actor_text, r.text,
                r.char_start, r.char_end, r.theme, r.strength, r.cue, r.confidence,
            )
            if row is not None:
                columns = extracted_update(row, dict(zip(EXTRACTED_COLUMNS, values)), doc)
                conn.execute(
                    "UPDATE recommendations SET " + "".join(f"{c}=?, " for c in columns)  # names from EXTRACTED_COLUMNS
                    + "extracted=1 WHERE id=?",
                    (*columns.values(), rid),
                )
                if "actor_id" in columns:
                    link_actors.append((rid, columns["actor_id"]))
            else:
                link_actors.append((rid, actor_id(r.actor)))
                conn.execute(
                    "INSERT INTO recommendations (document_id, turn_id, speaker_id, actor_id, actor_text, "
                    "text, char_start, char_end, theme, strength, cue, confidence, id) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (*values, rid),
                )
        kept = 0
        for row in existing:
            if row["id"] in seen_ids:
                continue
            if is_human_edited(row):
                # Keep it, flagged, re-anchored in the new text: its exact words, or the
                # near-identical corrected words (text follows the transcript). When its words
                # are gone, the offsets are cleared rather than left pointing at other words.
                span = anchor_span(doc.text, row["text"], row["char_start"])
                if span is not None:
                    start, end = span
                    turn = next((t for t in doc.turns if t.char_start <= start < t.char_end), None)
                    conn.execute(
                        "UPDATE recommendations SET char_start=?, char_end=?, text=?, "
                        "turn_id=COALESCE(?, turn_id), extracted=0 WHERE id=?",
                        (start, end, doc.text[start:end], tid(turn.seq) if turn else None, row["id"]),
                    )
                else:
                    conn.execute(
                        "UPDATE recommendations SET char_start=NULL, char_end=NULL, extracted=0 WHERE id=?",
                        (row["id"],),
                    )
                kept += 1
            else:
                conn.execute("DELETE FROM recommendation_actors WHERE recommendation_id=?", (row["id"],))
                conn.execute("DELETE FROM recommendations WHERE id=?", (row["id"],))
        conn.executemany("DELETE FROM recommendation_actors WHERE recommendation_id=?",
                         [(rid,) for rid, _ in link_actors])
        conn.executemany("INSERT INTO recommendation_actors (recommendation_id, actor_id, position) VALUES (?, ?, 0)",
                         link_actors)

        com_rows = []
        com_seen = set()
        for c in commitments:
            cid = commitment_id(doc_id, c.text)
            if cid in com_seen:
                cid = "c" + short_hash(doc_id, normalize_span(c.text), str(c.char_start))
            com_seen.add(cid)
            rec_id = final_ids[c.recommendation_index] if c.recommendation_index is not None else None
            com_rows.append(
                (cid, doc_id, tid(c.turn_seq), sid(c.speaker_key), actor_id(c.actor), c.text,
                 c.char_start, c.char_end, c.signal, rec_id, c.cue, c.confidence)
            )
        conn.executemany(
            "INSERT INTO commitments (id, document_id, turn_id, speaker_id, actor_id, text, char_start, "
            "char_end, signal, recommendation_id, cue, confidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            com_rows,
        )
    return {
        "documents": 1,
        "speakers": len(doc.speakers),
        "turns": len(doc.turns),
        "recommendations": len(recommendations),
        "kept_edited": kept,
        "commitments": len(commitments),
    }
