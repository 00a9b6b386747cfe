"""The storing step: schema, and one transaction per document.

Everything before this module is pure. ``store_document`` writes a parsed and extracted
document atomically and keeps every human edit (status, owner, due date, follow-up,
priority, version, history) across reloads. ``BatchWriter`` (what ``rectrack load`` uses)
writes several documents per transaction, each as atomically, in a savepoint of its own.
Rows are written with multi-row statements (``insert_rows``, ``delete_in``).
"""
from __future__ import annotations

import bisect
import datetime
import functools
import hashlib
import json
import os
import re
import sqlite3
from dataclasses import dataclass, field

import sqlite_utils

from . import counts
from .model import Actor, Commitment, Document, Recommendation
from .reconcile import New, OffsetMap, SpanIndex, Stored, kept_span, match, normalize_span

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
-- Further actors (asked together with the first, or set by a person) are few: counts by actor add
-- them through this partial index.
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
-- summary.json's counts by status, actor and theme in one scan (loader.browse.grouped_counts)
CREATE INDEX IF NOT EXISTS idx_recs_actor_theme_status ON recommendations(actor_id, theme, status);
-- the recommendations table's default sort (metadata.yml ``sort: char_start``; Datasette adds the
-- primary key for the next pages): the first page reads 50 index entries instead of sorting every row
CREATE INDEX IF NOT EXISTS idx_recs_char_start ON recommendations(char_start, id);
-- a full-text search's first page in the same order (ties in rowid order, as SQLite sorts the
-- matches), walked in order for common terms (loader.search_sql); an expression, so that the
-- table's own listing keeps idx_recs_char_start
CREATE INDEX IF NOT EXISTS idx_recs_search_order ON recommendations(coalesce(char_start, NULL));
CREATE INDEX IF NOT EXISTS idx_commitments_document ON commitments(document_id, char_start);
CREATE INDEX IF NOT EXISTS idx_commitments_rec ON commitments(recommendation_id);
CREATE INDEX IF NOT EXISTS idx_commitments_actor ON commitments(actor_id);
CREATE INDEX IF NOT EXISTS idx_changes_rec ON status_changes(recommendation_id, id);
CREATE INDEX IF NOT EXISTS idx_changes_at ON status_changes(changed_at);
-- summary.json and the dashboard list the first documents by date: 50 index entries, not a scan
CREATE INDEX IF NOT EXISTS idx_documents_event_date ON documents(event_date, id);
""" + counts.SCHEMA  # recommendation_counts: counts kept on write by triggers (loader.counts)

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
    ("documents", "lexicon_sha256", "TEXT"),
    ("documents", "forum", "TEXT"),  # the body meeting (loader.context)
    ("documents", "addressee", "TEXT"),  # to whom its members' demands go by default  # the lexicon it was extracted with (reloads skip unchanged files)
    ("actors", "actor_group", "TEXT"),  # the group an actor rolls up to (the lexicon's canonical name)
    ("recommendations", "actor_group", "TEXT"),  # the group of its first actor (a facet)
)

# Fills a column just added to an old database: (table, column) -> statement. Before actor
# groups the stored actors were the lexicon's canonical names, each its own group.
BACKFILL = {
    ("actors", "actor_group"): "UPDATE actors SET actor_group = name WHERE actor_group IS NULL",
    ("recommendations", "actor_group"): "UPDATE recommendations SET actor_group = "
                                        "(SELECT coalesce(a.actor_group, a.name) FROM actors a WHERE a.id = actor_id) "
                                        "WHERE actor_group IS NULL",
}

# Indexes and views over columns from ADDED_COLUMNS (created after they are added). A view whose
# stored SQL differs (a database from an older version) is made again; an up-to-date database is
# not written to, so opening it changes no state other connections see (their caches stay valid).
INDEXES = "CREATE INDEX IF NOT EXISTS idx_recs_kind ON recommendations(kind);"
VIEWS = {"recommendations_by_actor": """CREATE VIEW recommendations_by_actor AS
SELECT ra.actor_id AS actor_id, a.name AS actor, a.kind AS actor_kind, a.actor_group AS actor_group, ra.position AS position,
       r.id AS recommendation_id, r.document_id AS document_id, r.text AS text, r.theme AS theme,
       r.strength AS strength, r.status AS status, r.kind AS kind, r.origin AS origin,
       r.reviewed_at AS reviewed_at
FROM recommendation_actors ra
JOIN recommendations r ON r.id = ra.recommendation_id
LEFT JOIN actors a ON a.id = ra.actor_id"""}

# Extracted columns a person may correct, by the name used in ``recommendations.corrected``.
CORRECTABLE = {
    "actors": ("actor_id", "actor_text", "actor_group"),
    "theme": ("theme",),
    "strength": ("strength",),
    "span": ("char_start", "char_end", "text", "turn_id"),
    "kind": ("kind",),
}

# Columns a person edits. A reload never writes them.
HUMAN_FIELDS = ("status", "owner", "due_date", "follow_up", "priority", "version", "updated_at", "updated_by",
                "origin", "reviewed_at", "reviewed_by", "corrected")


BUSY_TIMEOUT_ENV = "RECTRACK_BUSY_TIMEOUT"  # seconds a command waits for another writer (default 30)


def connect(path) -> sqlite3.Connection:
    """Open (and create) a rectrack database with the full schema, WAL mode and FTS.

    A write waits up to ``$RECTRACK_BUSY_TIMEOUT`` seconds (default 30) for another writer."""
    try:
        timeout = float(os.environ.get(BUSY_TIMEOUT_ENV) or 30)
    except ValueError:
        timeout = 30.0
    conn = sqlite3.connect(str(path), timeout=timeout)
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
            with conn:  # the column and its backfill together, or neither (DDL is transactional)
                conn.execute("BEGIN")
                conn.execute(f"ALTER TABLE [{table}] ADD COLUMN [{column}] {declaration}")
                if (table, column) in BACKFILL:
                    conn.execute(BACKFILL[(table, column)])
    conn.executescript(INDEXES)
    _ensure_views(conn)
    if not had_actor_links:  # a database from before recommendation_actors: one link per row
        conn.execute("INSERT OR IGNORE INTO recommendation_actors (recommendation_id, actor_id, position) "
                     "SELECT id, actor_id, 0 FROM recommendations WHERE actor_id IS NOT NULL")
    for table, columns in FTS_COLUMNS:
        if not db[table].detect_fts():
            db[table].enable_fts(columns, create_triggers=True, tokenize="porter")
    _narrow_fts_update_triggers(conn)
    counts.ensure_counts(conn)
    conn.commit()


def _ensure_views(conn: sqlite3.Connection) -> None:
    for name, sql in VIEWS.items():
        row = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'view' AND name = ?", (name,)).fetchone()
        if row is None or row[0] != sql:
            conn.executescript(f"DROP VIEW IF EXISTS [{name}];\n{sql};")


FTS_COLUMNS = (("turns", ["text"]), ("recommendations", ["text", "actor_text"]))


def _narrow_fts_update_triggers(conn: sqlite3.Connection) -> None:
    """Re-index a row's full text only when its indexed columns change (``AFTER UPDATE OF``), not
    when a status, an owner or an offset does: a reload that shifts offsets, and every tracking
    update, then leave the full-text index alone."""
    for table, columns in FTS_COLUMNS:
        name = f"{table}_au"
        row = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (name,)).fetchone()
        if row is None or " UPDATE OF " in row[0]:
            continue
        cols = ", ".join(f'"{c}"' for c in columns)
        old = ", ".join(f'old."{c}"' for c in columns)
        new = ", ".join(f'new."{c}"' for c in columns)
        conn.executescript(
            f'DROP TRIGGER "{name}";\n'
            f'CREATE TRIGGER "{name}" AFTER UPDATE OF {cols} ON "{table}" BEGIN\n'
            f'  INSERT INTO "{table}_fts" ("{table}_fts", rowid, {cols}) VALUES(\'delete\', old.rowid, {old});\n'
            f'  INSERT INTO "{table}_fts" (rowid, {cols}) VALUES (new.rowid, {new});\n'
            "END;"
        )


def slug(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-") or "x"


def short_hash(*parts: str, length: int = 10) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:length]


def recommendation_id(document_id: str, text: str) -> str:
    return recommendation_id_of_words(document_id, normalize_span(text))


def recommendation_id_of_words(document_id: str, words: str) -> str:
    """:func:`recommendation_id` of a text already normalised (``normalize_span``)."""
    return "r" + short_hash(document_id, words)


def commitment_id(document_id: str, text: str) -> str:
    return "c" + short_hash(document_id, normalize_span(text))


def speaker_id(document_id: str, key: str) -> str:
    return f"{document_id}:{key}"


@functools.lru_cache(maxsize=8192)  # a load asks for the same few hundred names per document, every document
def actor_id(name: str) -> str:
    return slug(name)


def rec_actors(rec: Recommendation) -> list[Actor]:
    """Every actor of an extracted recommendation, the main one first (``rec.actors``, else its ``actor``)."""
    if rec.actors:
        return list(rec.actors)
    return [Actor(rec.actor, rec.actor_group or rec.actor, rec.actor_kind)]


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
    """Where a corrected span's words ``quote`` are in ``text`` now: the exact occurrence nearest to
    ``old_start``, or None when the words are gone."""
    start = nearest_occurrence(text, quote, old_start or 0) if quote else None
    return None if start is None else (start, start + len(quote))


# ---------------------------------------------------------------- storing a document
#
# ``store_document`` reads a snapshot of what is stored for the document (no lock), works out
# every row to write from it (matching included), and only then takes the write lock. Inside
# the transaction it checks that the snapshot is still current (a person may have edited a
# recommendation meanwhile) and plans again from the current rows if not, so no edit is lost.

REC_COLUMNS = ("document_id", "turn_id", "speaker_id", "actor_id", "actor_text", "text", "char_start",
               "char_end", "theme", "strength", "cue", "confidence", "actor_group")
_STABLE = tuple(k for k, c in enumerate(REC_COLUMNS) if c not in ("turn_id", "char_start", "char_end"))
TURN_COLUMNS = ("id", "document_id", "seq", "speaker_id", "label", "text", "char_start", "char_end")


@dataclass
class Snapshot:
    """What is stored for one document, read in one read transaction."""

    text: str | None
    recommendations: list[dict]
    turns: dict[str, tuple]
    fingerprint: tuple
    actor_links: dict = field(default_factory=dict)  # recommendation id -> its actor ids in order


@dataclass
class Plan:
    """Every row ``store_document`` writes for one document."""

    document: tuple
    speakers: list[tuple]
    aliases: list[tuple]
    turn_deletes: list[tuple]
    turn_inserts: list[tuple]
    notes: list[tuple]
    actors: list[tuple]
    rec_updates: list[tuple] = field(default_factory=list)
    rec_partial: list[tuple[dict, str]] = field(default_factory=list)  # (columns, id): rows a person corrected
    actor_links: list[tuple[str, list]] = field(default_factory=list)  # (id, [actor_id, ...]): links that follow the extractor
    rec_moves: list[tuple] = field(default_factory=list)  # (turn_id, char_start, char_end, id): only shifted
    rec_inserts: list[tuple] = field(default_factory=list)
    kept_updates: list[tuple] = field(default_factory=list)
    kept_unplaced: list[tuple] = field(default_factory=list)
    rec_deletes: list[tuple] = field(default_factory=list)
    commitments: list[tuple] = field(default_factory=list)
    counts: dict = field(default_factory=dict)


def _fingerprint(conn: sqlite3.Connection, doc_id: str) -> tuple:
    """Changes whenever a recommendation of the document is edited, added or removed, or the
    document is stored again."""
    doc = conn.execute("SELECT sha256, loaded_at FROM documents WHERE id = ?", (doc_id,)).fetchone()
    recs = conn.execute("SELECT id, version FROM recommendations WHERE document_id = ? ORDER BY id",
                        (doc_id,)).fetchall()
    changes = conn.execute(
        "SELECT count(*), max(id) FROM status_changes WHERE recommendation_id IN "
        "(SELECT id FROM recommendations WHERE document_id = ?)", (doc_id,)).fetchone()
    return (tuple(doc) if doc else None, tuple(map(tuple, recs)), tuple(changes))


def read_snapshot(conn: sqlite3.Connection, doc_id: str) -> Snapshot:
    """The stored state of ``doc_id``, consistent (one read transaction unless one is open)."""
    own = not conn.in_transaction
    if own:
        conn.execute("BEGIN")
    try:
        row = conn.execute("SELECT text FROM documents WHERE id = ?", (doc_id,)).fetchone()
        recs = [dict(r) for r in conn.execute(
            "SELECT r.*, (SELECT count(*) FROM status_changes s WHERE s.recommendation_id = r.id) AS n_changes "
            "FROM recommendations r WHERE document_id = ?", (doc_id,))]
        turns = {r[0]: tuple(r) for r in conn.execute(
            f"SELECT {', '.join(TURN_COLUMNS)} FROM turns WHERE document_id = ?", (doc_id,))}
        links: dict = {}
        for rid, aid in conn.execute(
                "SELECT ra.recommendation_id, ra.actor_id FROM recommendation_actors ra JOIN recommendations r "
                "ON r.id = ra.recommendation_id WHERE r.document_id = ? ORDER BY ra.recommendation_id, ra.position",
                (doc_id,)):
            links.setdefault(rid, []).append(aid)
        fingerprint = _fingerprint(conn, doc_id)
    finally:
        if own:
            conn.commit()
    return Snapshot(row[0] if row else None, recs, turns, fingerprint, links)


def plan_document(doc: Document, recommendations: list[Recommendation], commitments: list[Commitment],
                  snapshot: Snapshot, actor_kinds: dict | None = None, stamp: str | None = None) -> Plan:
    """Every row to write for ``doc`` given what is stored (pure)."""
    doc_id = doc.id

    def sid(key):
        return speaker_id(doc_id, key) if key else None

    def tid(seq):
        return f"{doc_id}:{seq}"

    alias_rows = set()
    for s in doc.speakers:
        for alias in [s.name, *s.aliases]:
            alias_rows.add((alias, speaker_id(doc_id, s.key)))
    turn_rows = [(tid(t.seq), doc_id, t.seq, sid(t.speaker_key), t.label, t.text, t.char_start, t.char_end)
                 for t in doc.turns]
    if len({r[0] for r in turn_rows}) == len(turn_rows):
        changed_turns = [r for r in turn_rows if snapshot.turns.get(r[0]) != r]
        new_turn_ids = {r[0] for r in turn_rows}
        turn_deletes = [(i,) for i in snapshot.turns if i not in new_turn_ids] + [(r[0],) for r in changed_turns
                                                                                if r[0] in snapshot.turns]
    else:  # duplicate turn ids: the insert fails and the whole document is rolled back
        changed_turns, turn_deletes = turn_rows, [(i,) for i in snapshot.turns]
    actor_kinds = actor_kinds or {}
    actors = {}
    for r in recommendations:
        for a in rec_actors(r):
            actors[actor_id(a.name)] = (a.name, a.kind or actor_kinds.get(a.name), a.group)
    for c in commitments:
        group = actors.get(actor_id(c.actor), (None, None, c.actor))[2]  # a recommendation's group wins
        actors[actor_id(c.actor)] = (c.actor, c.actor_kind or actor_kinds.get(c.actor), group)
    plan = Plan(
        document=(doc_id, doc.title, doc.event_date, doc.venue, doc.source_path, doc.sha256, doc.text,
                  stamp or now_iso(), doc.forum, doc.addressee),
        speakers=[(speaker_id(doc_id, s.key), s.name, s.role, doc_id) for s in doc.speakers],
        aliases=sorted(alias_rows),
        turn_deletes=turn_deletes,
        turn_inserts=changed_turns,
        notes=[(doc_id, n.char_start, n.text) for n in doc.notes],
        actors=[(aid, name, kind, group) for aid, (name, kind, group) in sorted(actors.items())],
    )
    final_ids = _plan_recommendations(plan, doc, recommendations, snapshot, sid, tid)
    com_seen = set()
    for c in commitments:
        cid = commitment_id(doc_id, c.text)
        if cid in com_seen:
            cid = "c" + short_hash(doc_id, normalize_span(c.text), str(c.char_start))
        com_seen.add(cid)
        rec_id = final_ids[c.recommendation_index] if c.recommendation_index is not None else None
        plan.commitments.append(
            (cid, doc_id, tid(c.turn_seq), sid(c.speaker_key), actor_id(c.actor), c.text,
             c.char_start, c.char_end, c.signal, rec_id, c.cue, c.confidence))
    plan.counts = {
        "documents": 1,
        "speakers": len(doc.speakers),
        "turns": len(doc.turns),
        "recommendations": len(recommendations),
        "kept_edited": len(plan.kept_updates) + len(plan.kept_unplaced),
        "commitments": len(commitments),
    }
    return plan


def _plan_recommendations(plan: Plan, doc: Document, recommendations, snapshot: Snapshot, sid, tid) -> list[str]:
    """Fill the recommendation rows of ``plan``; returns the id of each new recommendation."""
    doc_id = doc.id
    existing = {r["id"]: r for r in snapshot.recommendations}
    stored = [Stored(r["id"], r["text"] or "", r["char_start"], r["char_end"]) for r in existing.values()]
    matched = match(stored, [New(r.text, r.char_start, r.char_end) for r in recommendations],
                    snapshot.text, doc.text)
    reserved = set(existing)
    final_ids: list[str] = []
    for i, r in enumerate(recommendations):
        row = existing[matched[i].id] if i in matched else None
        links = list(dict.fromkeys(actor_id(a.name) for a in rec_actors(r)))  # one link per actor id
        values = (doc_id, tid(r.turn_seq), sid(r.speaker_key), links[0], r.actor_text, r.text,
                  r.char_start, r.char_end, r.theme, r.strength, r.cue, r.confidence, rec_actors(r)[0].group)
        if row is not None:
            rid = row["id"]
            stored = tuple(row[c] for c in REC_COLUMNS)
            if corrected_fields(row):  # the extractor's values only where nobody corrected them
                columns = extracted_update(row, dict(zip(REC_COLUMNS, values)), doc)
                plan.rec_partial.append((columns, rid))
            elif stored == values and row["extracted"] == 1:
                pass
            elif row["extracted"] == 1 and all(stored[k] == values[k] for k in _STABLE):
                plan.rec_moves.append((values[1], values[6], values[7], rid))  # shifted, nothing else
            else:
                plan.rec_updates.append((*values, rid))
            if "actors" not in corrected_fields(row) and snapshot.actor_links.get(rid) != links:
                plan.actor_links.append((rid, links))  # the links follow the extractor unless a person set them
        else:
            rid = _new_id(doc_id, r, reserved)
            plan.rec_inserts.append((*values, rid))
            plan.actor_links.append((rid, links))
        reserved.add(rid)
        final_ids.append(rid)
    kept_ids = set(final_ids)
    taken = SpanIndex([(r.char_start, r.char_end, i) for i, r in enumerate(recommendations)])
    omap = None
    starts = [t.char_start for t in doc.turns]
    for row in existing.values():
        if row["id"] in kept_ids:
            continue
        if not is_human_edited(row):
            plan.rec_deletes.append((row["id"],))
            continue
        # Kept, flagged, re-anchored in the new text: its exact words, or the near-identical
        # corrected words (text follows the transcript). When its words are gone, the offsets
        # are cleared rather than left pointing at other words.
        omap = omap or OffsetMap(snapshot.text or "", doc.text)
        span = kept_span(Stored(row["id"], row["text"] or "", row["char_start"], row["char_end"]),
                         omap, snapshot.text or "", doc.text, taken)
        if span is None:
            plan.kept_unplaced.append((row["id"],))
            continue
        k = bisect.bisect_right(starts, span[0]) - 1
        turn = doc.turns[k] if k >= 0 and span[0] < doc.turns[k].char_end else None
        plan.kept_updates.append((span[0], span[1], doc.text[span[0]:span[1]], tid(turn.seq) if turn else None,
                                  row["id"]))
    return final_ids


def _new_id(doc_id: str, rec: Recommendation, reserved: set) -> str:
    """A deterministic id for a recommendation that matches no stored one, unlike any id in use."""
    words = normalize_span(rec.text)
    rid = recommendation_id_of_words(doc_id, words)
    n = 1
    while rid in reserved:  # the same words twice in one document, or an id still in use
        rid = "r" + short_hash(doc_id, words, str(rec.char_start), *([str(n)] if n > 1 else []))
        n += 1
    return rid


# ---------------------------------------------------------------- multi-row statements
#
# One ``INSERT ... VALUES (...), (...), ...`` per chunk of rows instead of one execution per row:
# SQLite opens a statement journal per execution of a statement that fires triggers, and FTS5
# writes its pending terms out as a new segment at each one, so a row at a time into turns or
# recommendations costs a segment (and later its merging) per row. Chunks are powers of two
# (73 rows: 64 + 8 + 1), so a table has a few statements, each prepared once per connection.

MAX_CHUNK_ROWS = 256  # rows per statement at most (and under SQLite's limit on bound variables)


@functools.lru_cache(maxsize=512)
def _values_sql(head: str, width: int, rows: int, tail: str) -> str:
    one = "(" + ", ".join("?" * width) + ")"
    return f"{head} VALUES {', '.join([one] * rows)}{tail}"


@functools.lru_cache(maxsize=512)
def _in_sql(head: str, n: int) -> str:
    return f"{head} IN ({', '.join('?' * n)})"


def _chunk_limit(conn: sqlite3.Connection, width: int) -> int:
    try:
        variables = conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    except (AttributeError, sqlite3.Error):  # pragma: no cover - Python without getlimit
        variables = 999
    most = max(1, min(MAX_CHUNK_ROWS, variables // max(1, width)))
    return 1 << (most.bit_length() - 1)


def _chunks(n: int, most: int):
    """``(start, size)`` covering ``range(n)`` in order, each size a power of two <= ``most``."""
    i = 0
    while i < n:
        size = min(most, 1 << ((n - i).bit_length() - 1))
        yield i, size
        i += size


def insert_rows(conn: sqlite3.Connection, head: str, rows, tail: str = "") -> None:
    """Insert ``rows`` (tuples of one length) in order with multi-row statements: ``head`` is
    ``INSERT INTO t (a, b)``, ``tail`` what follows the values (``ON CONFLICT ...``). The same rows,
    rowids and trigger effects as ``executemany`` of the one-row statement."""
    rows = list(rows)
    if not rows:
        return
    width = len(rows[0])
    for start, size in _chunks(len(rows), _chunk_limit(conn, width)):
        conn.execute(_values_sql(head, width, size, tail),
                     [v for row in rows[start:start + size] for v in row])


def delete_in(conn: sqlite3.Connection, head: str, ids) -> None:
    """``head IN (?, ...)`` (``DELETE FROM t WHERE id``) over ``ids`` (values or 1-tuples), in
    chunks: one statement where ``executemany`` ran one per id."""
    ids = [i[0] if isinstance(i, tuple) else i for i in ids]
    for start, size in _chunks(len(ids), _chunk_limit(conn, 1)):
        conn.execute(_in_sql(head, size), ids[start:start + size])


REC_INSERT = f"INSERT INTO recommendations ({', '.join(REC_COLUMNS)}, id)"
TURN_INSERT = f"INSERT INTO turns ({', '.join(TURN_COLUMNS)})"
ACTOR_UPSERT = (" ON CONFLICT(id) DO UPDATE SET name=excluded.name, kind=COALESCE(excluded.kind, actors.kind), "
                "actor_group=COALESCE(excluded.actor_group, actors.actor_group)")


DOCUMENT_COLUMNS = ("id", "title", "event_date", "venue", "source_path", "sha256", "text", "loaded_at", "forum",
                    "addressee")
DOCUMENT_FIELDS = ("format", "lexicon_sha256")  # written with the row when given (``write_plan``'s ``fields``)


@functools.lru_cache(maxsize=8)
def _document_upsert(fields: tuple[str, ...]) -> str:
    columns = DOCUMENT_COLUMNS + fields
    return (
        f"INSERT INTO documents ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
        "ON CONFLICT(id) DO UPDATE SET "
        # A title and date a person set (title_set_by) survive the reload.
        "title=CASE WHEN documents.title_set_by IS NULL THEN excluded.title ELSE documents.title END, "
        "event_date=CASE WHEN documents.title_set_by IS NULL THEN excluded.event_date ELSE documents.event_date END, "
        "venue=excluded.venue, source_path=excluded.source_path, sha256=excluded.sha256, text=excluded.text, "
        "loaded_at=excluded.loaded_at, forum=excluded.forum, addressee=excluded.addressee"
        + "".join(f", {f}=excluded.{f}" for f in fields))


def write_plan(conn: sqlite3.Connection, plan: Plan, fields: dict | None = None) -> None:
    """Write ``plan`` (inside the caller's transaction). ``fields``: more columns of the document's
    row (``DOCUMENT_FIELDS``: its format, the settings it was extracted with), written with it --
    a second UPDATE would write the whole row, its text included, again."""
    doc_id = plan.document[0]
    fields = {k: v for k, v in (fields or {}).items() if k in DOCUMENT_FIELDS}
    conn.execute(_document_upsert(tuple(fields)), (*plan.document, *fields.values()))
    conn.execute("DELETE FROM commitments WHERE document_id = ?", (doc_id,))
    conn.execute(
        "DELETE FROM speaker_aliases WHERE speaker_id IN (SELECT id FROM speakers WHERE document_id = ?)",
        (doc_id,),
    )
    conn.execute("DELETE FROM notes WHERE document_id = ?", (doc_id,))
    conn.execute("DELETE FROM speakers WHERE document_id = ?", (doc_id,))
    delete_in(conn, "DELETE FROM turns WHERE id", plan.turn_deletes)
    insert_rows(conn, "INSERT INTO speakers (id, name, role, document_id)", plan.speakers)
    insert_rows(conn, "INSERT INTO speaker_aliases (alias, speaker_id)", plan.aliases)
    insert_rows(conn, TURN_INSERT, plan.turn_inserts)
    insert_rows(conn, "INSERT OR REPLACE INTO notes (document_id, char_start, text)", plan.notes)
    insert_rows(conn, "INSERT INTO actors (id, name, kind, actor_group)", plan.actors, ACTOR_UPSERT)
    delete_in(conn, "DELETE FROM recommendation_actors WHERE recommendation_id", plan.rec_deletes)
    delete_in(conn, "DELETE FROM recommendations WHERE id", plan.rec_deletes)
    conn.executemany(
        "UPDATE recommendations SET " + ", ".join(f"{c}=?" for c in REC_COLUMNS) + ", extracted=1 WHERE id=?",
        plan.rec_updates,
    )
    for columns, rid in plan.rec_partial:  # names from REC_COLUMNS
        conn.execute("UPDATE recommendations SET " + "".join(f"{c}=?, " for c in columns) + "extracted=1 WHERE id=?",
                     (*columns.values(), rid))
    conn.executemany("UPDATE recommendations SET turn_id=?, char_start=?, char_end=? WHERE id=?", plan.rec_moves)
    insert_rows(conn, REC_INSERT, plan.rec_inserts)
    conn.executemany(
        "UPDATE recommendations SET char_start=?, char_end=?, text=?, turn_id=COALESCE(?, turn_id), extracted=0 "
        "WHERE id=?",
        plan.kept_updates,
    )
    conn.executemany("UPDATE recommendations SET char_start=NULL, char_end=NULL, extracted=0 WHERE id=?",
                     plan.kept_unplaced)
    delete_in(conn, "DELETE FROM recommendation_actors WHERE recommendation_id", [rid for rid, _ in plan.actor_links])
    insert_rows(conn, "INSERT INTO recommendation_actors (recommendation_id, actor_id, position)",
                [(rid, aid, i) for rid, ids in plan.actor_links for i, aid in enumerate(ids)])
    insert_rows(conn, "INSERT INTO commitments (id, document_id, turn_id, speaker_id, actor_id, text, char_start, "
                "char_end, signal, recommendation_id, cue, confidence)", plan.commitments)


def store_source_map(conn: sqlite3.Connection, doc: Document, tid) -> None:
    """The document's offset -> page/cue time map and its turns' times (inside the
    caller's transaction, after ``write_plan`` wrote its row with ``fields={"format": doc.format}``;
    ``tid(seq)`` is a turn's id)."""
    conn.execute("DELETE FROM document_locations WHERE document_id = ?", (doc.id,))
    insert_rows(
        conn, "INSERT OR REPLACE INTO document_locations (document_id, char_start, char_end, page, start_time, end_time)",
        [(doc.id, loc.start, loc.end, loc.page, loc.start_time, loc.end_time) for loc in doc.locations],
    )
    conn.executemany(
        "UPDATE turns SET start_time = ?, end_time = ? WHERE id = ?",
        [(t.start_time, t.end_time, tid(t.seq)) for t in doc.turns
         if t.start_time is not None or t.end_time is not None],
    )


def store_document(
    conn: sqlite3.Connection,
    doc: Document,
    recommendations: list[Recommendation],
    commitments: list[Commitment],
    actor_kinds: dict | None = None,
) -> dict:
    """Write one document and everything extracted from it in a single, short transaction.

    Re-storing a document replaces its turns, speakers, notes and commitments and the
    extracted columns of its recommendations. Human fields and history are never touched:
    a re-extracted recommendation keeps the id of the stored one it matches (one to one, see
    :mod:`loader.reconcile`), and one no longer extracted is kept (``extracted = 0``) when a
    person edited it, else deleted. The matching is done before the write lock is taken.
    Returns counts of what was written.
    """
    snapshot = read_snapshot(conn, doc.id)
    plan = plan_document(doc, recommendations, commitments, snapshot, actor_kinds)
    return write_document(conn, doc, recommendations, commitments, snapshot, plan, actor_kinds)


def write_document(conn: sqlite3.Connection, doc: Document, recommendations: list[Recommendation],
                   commitments: list[Commitment], snapshot: Snapshot, plan: Plan,
                   actor_kinds: dict | None = None) -> dict:
    """Write ``plan`` (made from ``snapshot``) in one short transaction. When the stored rows changed
    since the snapshot was read, plan again from the current rows first, under the lock. Returns
    the counts of what was written."""
    with conn:  # one transaction: commit on success, roll back on any error
        if not conn.in_transaction:
            conn.execute("BEGIN IMMEDIATE")
        if _fingerprint(conn, doc.id) != snapshot.fingerprint:
            # edited or reloaded since the snapshot: plan again from the current rows
            snapshot = read_snapshot(conn, doc.id)
            plan = plan_document(doc, recommendations, commitments, snapshot, actor_kinds)
        write_plan(conn, plan, {"format": doc.format})
        store_source_map(conn, doc, lambda seq: f"{doc.id}:{seq}")
    return plan.counts


# ---------------------------------------------------------------- several documents per transaction


@dataclass
class _Stored:
    """A document stored in the open batch (its savepoint released), not yet committed."""

    key: object
    doc: Document
    recommendations: list
    commitments: list
    stamp: str | None
    counts: dict


class BatchWriter:
    """Stores documents several to a transaction, each in a savepoint of its own, for ``rectrack load``.

    A batch is one ``BEGIN IMMEDIATE`` transaction (so it waits for another writer as long as the
    connection's busy timeout) holding at most ``max_docs`` documents, ``max_chars`` characters of
    text, or what was stored within ``max_seconds`` of its start: ``full()`` says when to
    ``commit()``. The write lock is held from the first document of a batch to its commit, so an
    edit from another connection (the server, ``rectrack set``) waits at most about that long.

    Each document is read, planned and written under the lock, inside ``SAVEPOINT``: when it fails
    (a constraint, a bug), its rows are rolled back, the exception is raised, and the documents
    stored before it stay in the batch. When an error ends the whole transaction (SQLite rolls back
    on a full disk or an I/O error), the batch's earlier documents are written again in a new one.
    Nothing of a batch is visible to other connections, and nothing is committed, before
    ``commit()``: a process killed mid-batch loses only that batch (its documents' ``stamp``, the
    settings digest that lets a rerun skip them, is written in the same transaction).

    An actor row is written only when it differs from what this connection wrote last (a cache
    cleared whenever another connection committed since: ``PRAGMA data_version``).
    """

    SAVEPOINT = "rectrack_document"

    def __init__(self, conn: sqlite3.Connection, max_docs: int = 16, max_seconds: float = 1.0,
                 max_chars: int = 4_000_000, clock=None):
        import time

        self.conn, self.max_docs, self.max_seconds, self.max_chars = conn, max_docs, max_seconds, max_chars
        self.clock = clock or time.monotonic
        self.batch: list[_Stored] = []
        self.started: float | None = None
        self.chars = 0
        self._actors: dict[str, tuple] = {}  # actor id -> the row this connection wrote (committed)
        self._batch_actors: dict[str, tuple] = {}  # written in the open batch
        self._data_version = None

    # -- the open transaction

    def _begin(self) -> None:
        if self.conn.in_transaction:
            return
        self.conn.execute("BEGIN IMMEDIATE")
        version = self.conn.execute("PRAGMA data_version").fetchone()[0]
        if version != self._data_version:  # another connection committed: its actors may differ
            self._actors.clear()
            self._data_version = version
        self.started = self.clock()

    def seconds_left(self) -> float | None:
        """Seconds until the open batch is due (0 when due); None when no batch is open."""
        if not self.batch:
            return None
        return max(0.0, self.max_seconds - (self.clock() - self.started))

    def full(self) -> bool:
        """Whether the open batch should be committed now."""
        return bool(self.batch) and (len(self.batch) >= self.max_docs or self.chars >= self.max_chars
                                     or self.seconds_left() <= 0)

    def store(self, doc: Document, recommendations: list, commitments: list, stamp: str | None = None,
              key=None, actor_kinds: dict | None = None) -> dict:
        """Write one document into the open batch (opening one). Returns its counts; raises what
        failed, with none of its rows written."""
        self._begin()
        try:
            counts = self._write(doc, recommendations, commitments, stamp, actor_kinds)
        except BaseException:
            self._undo_document()
            raise
        self.batch.append(_Stored(key, doc, recommendations, commitments, stamp, counts))
        self.chars += len(doc.text or "")
        return counts

    def _write(self, doc, recommendations, commitments, stamp, actor_kinds) -> dict:
        conn = self.conn
        conn.execute(f"SAVEPOINT {self.SAVEPOINT}")
        snapshot = read_snapshot(conn, doc.id)  # under the write lock: current, no second look needed
        plan = plan_document(doc, recommendations, commitments, snapshot, actor_kinds)
        known = {**self._actors, **self._batch_actors}
        actors = [row for row in plan.actors if known.get(row[0]) != row]
        plan.actors = actors
        write_plan(conn, plan, {"format": doc.format, **({"lexicon_sha256": stamp} if stamp is not None else {})})
        store_source_map(conn, doc, lambda seq: f"{doc.id}:{seq}")
        conn.execute(f"RELEASE {self.SAVEPOINT}")
        self._batch_actors.update((row[0], row) for row in actors)
        return plan.counts

    def _undo_document(self) -> None:
        conn = self.conn
        if conn.in_transaction:
            try:
                conn.execute(f"ROLLBACK TO {self.SAVEPOINT}")
                conn.execute(f"RELEASE {self.SAVEPOINT}")
                return
            except sqlite3.Error:
                if conn.in_transaction:  # no savepoint of ours: the failure came before it
                    conn.rollback()
        # the whole transaction is gone: write the batch's earlier documents again in a new one
        earlier, self.batch, self.chars = self.batch, [], 0
        self._actors.clear()
        self._batch_actors.clear()
        for item in earlier:
            self.store(item.doc, item.recommendations, item.commitments, item.stamp, item.key)

    def commit(self) -> list:
        """Commit the open batch; returns the keys of its documents (in the order stored). When
        the commit fails, the batch is rolled back and the error raised."""
        done, self.batch, self.chars, self.started = self.batch, [], 0, None
        if not self.conn.in_transaction:
            return [item.key for item in done]
        try:
            self.conn.commit()
        except BaseException:
            self.rollback()
            raise
        self._actors.update(self._batch_actors)
        self._batch_actors.clear()
        return [item.key for item in done]

    def rollback(self) -> list:
        """Drop the open batch; returns the keys of the documents it held."""
        dropped, self.batch, self.chars, self.started = self.batch, [], 0, None
        if self.conn.in_transaction:
            self.conn.rollback()
        self._actors.clear()
        self._batch_actors.clear()
        return [item.key for item in dropped]

    def pending(self) -> list:
        """Keys of the documents stored in the open batch, in order."""
        return [item.key for item in self.batch]
