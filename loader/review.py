"""Review: correct what the extractor found, add what it missed, and the review queue.

Corrections (actors, theme, strength, span, kind, reviewed) go through :func:`update_item`
together with the tracking fields of :mod:`loader.tracking`: one validation, one optimistic
version check, one ``status_changes`` row holding every old and new value, in one transaction.
A corrected field is named in ``recommendations.corrected``, so a reload keeps it (see
``loader.store.extracted_update``). :func:`create_item` adds a recommendation (or commitment) a
person found: ``origin = 'manual'``, reviewed by definition.

Example::

    update_item(conn, "r3f2a9c1d0", {"actors": ["Security Council", {"name": "Local NGOs", "kind": "civil society"}],
                                     "theme": "mandates", "reviewed": True}, version=1, actor="ana")
    create_item(conn, {"document_id": "meeting", "quote": "Donors could fund planning."}, actor="ana")
"""
from __future__ import annotations

import json
import sqlite3

from . import tracking
from .browse import speech_start
from .errors import Conflict, NotFound
from .guess import guess_span
from .model import Turn
from .store import actor_id, corrected_fields, nearest_occurrence, normalize_span, now_iso, short_hash
from .tracking import InvalidValue, StaleVersion

KINDS = ("recommendation", "commitment")
STRENGTHS = ("must", "should", "could")
CORRECTION_KEYS = ("actors", "theme", "strength", "char_start", "char_end", "kind", "reviewed")
UPDATE_KEYS = (*tracking.UPDATE_KEYS, *CORRECTION_KEYS)
CREATE_KEYS = ("document_id", "char_start", "char_end", "quote", "kind", "actors", "theme", "strength", "note")
DEFAULT_ACTOR_KIND = "other"
MAX_NAME = 200
MAX_THEME = 100
MAX_ACTORS = 20


class DocumentNotFound(NotFound):
    def __init__(self, document_id):
        self.document_id = document_id
        super().__init__(f"no document with id {document_id!r}")


class DuplicateItem(Conflict):
    """A recommendation with exactly this span already exists."""

    def __init__(self, existing_id):
        self.existing_id = existing_id
        super().__init__(f"recommendation {existing_id} already covers exactly this span")


# ---------------------------------------------------------------- validation (pure)


def _flag(field, value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("1", "true", "on", "yes"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("0", "false", "off", "no", ""):
        return False
    raise InvalidValue(field, f"must be true or false (got {value!r})")


def _offset(field, value) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidValue(field, f"must be a non-negative integer (got {value!r})")
    return value


def _name(field, value, limit) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidValue(field, f"must be a non-empty string (got {value!r})")
    value = " ".join(value.split())
    if len(value) > limit:
        raise InvalidValue(field, f"at most {limit} characters (got {len(value)})")
    return value


def parse_actors(value) -> list[dict]:
    """``[{"name", "kind"}]`` from a list of names / ``{"name", "kind"}`` objects, or one "A; B" string.

    Raises InvalidValue("actors", ...) for an empty list, a bad entry or a repeated actor.
    """
    if isinstance(value, str):
        value = [part for part in value.split(";") if part.strip()]
    if not isinstance(value, list) or not value:
        raise InvalidValue("actors", "must be a non-empty list of names or {\"name\", \"kind\"} objects")
    if len(value) > MAX_ACTORS:
        raise InvalidValue("actors", f"at most {MAX_ACTORS} actors (got {len(value)})")
    out, seen = [], set()
    for entry in value:
        kind = None
        if isinstance(entry, dict):
            unknown = set(entry) - {"name", "kind"}
            if unknown:
                raise InvalidValue("actors", f"unknown key {sorted(unknown)[0]!r} in an actor; allowed: name, kind")
            name = _name("actors", entry.get("name"), MAX_NAME)
            if entry.get("kind") is not None:
                kind = _name("actors", entry["kind"], MAX_THEME)
        else:
            name = _name("actors", entry, MAX_NAME)
        if actor_id(name) in seen:
            raise InvalidValue("actors", f"{name!r} is given twice")
        seen.add(actor_id(name))
        out.append({"name": name, "kind": kind})
    return out


def validate_corrections(changes: dict) -> dict:
    """Check and normalize the correction keys of ``changes`` (pure). Raises InvalidValue naming the field."""
    out = {}
    for key, value in changes.items():
        if key == "actors":
            out[key] = parse_actors(value)
        elif key == "theme":
            out[key] = _name("theme", value, MAX_THEME)
        elif key == "strength":
            if value not in STRENGTHS:
                raise InvalidValue("strength", f"{value!r} is not a strength; allowed: {', '.join(STRENGTHS)}",
                                   STRENGTHS)
            out[key] = value
        elif key == "kind":
            if value not in KINDS:
                raise InvalidValue("kind", f"{value!r} is not a kind; allowed: {', '.join(KINDS)}", KINDS)
            out[key] = value
        elif key in ("char_start", "char_end"):
            out[key] = _offset(key, value)
        elif key == "reviewed":
            out[key] = _flag(key, value)
    return out


def split_changes(changes) -> tuple[dict, dict]:
    """(tracking changes, correction changes). Raises InvalidValue for a non-object or an unknown key."""
    if not isinstance(changes, dict):
        raise InvalidValue("body", "expected a JSON object")
    for key in changes:
        if key not in UPDATE_KEYS:
            raise InvalidValue(key, f"unknown field; allowed: {', '.join(UPDATE_KEYS)}, version", UPDATE_KEYS)
    return ({k: v for k, v in changes.items() if k in tracking.UPDATE_KEYS},
            {k: v for k, v in changes.items() if k in CORRECTION_KEYS})


def form_changes(form: dict) -> dict:
    """The update keys a form posted; ``new_actor_kind`` gives the kind of actor names not known yet."""
    changes = {key: form[key] for key in UPDATE_KEYS if key in form
               and not (key in CORRECTION_KEYS and not str(form[key]).strip())}  # an empty box: no change
    if "actors" in changes and form.get("new_actor_kind"):
        changes["actors"] = [{"name": part, "kind": form["new_actor_kind"]}
                             for part in str(changes["actors"]).split(";") if part.strip()]
    return changes


# ---------------------------------------------------------------- reading


def _dicts(conn, sql, params=()) -> list[dict]:
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def get_actors(conn: sqlite3.Connection, rec_id: str) -> list[dict]:
    """The actors of a recommendation in order: ``[{"id", "name", "kind", "position", "group"}]``."""
    rows = _dicts(conn, "SELECT a.id, coalesce(a.name, ra.actor_id) AS name, a.kind, ra.position, "
                        "coalesce(a.actor_group, a.name, ra.actor_id) AS \"group\" "
                        "FROM recommendation_actors ra LEFT JOIN actors a ON a.id = ra.actor_id "
                        "WHERE ra.recommendation_id = ? ORDER BY ra.position", (rec_id,))
    if rows:
        return rows
    return _dicts(conn, "SELECT a.id, a.name, a.kind, 0 AS position, coalesce(a.actor_group, a.name) AS \"group\" "
                        "FROM recommendations r "
                        "JOIN actors a ON a.id = r.actor_id WHERE r.id = ?", (rec_id,))


def actor_kinds(conn: sqlite3.Connection) -> list[str]:
    """Kinds of actor already in the database (for a new actor's kind), plus the default."""
    kinds = {r[0] for r in conn.execute("SELECT DISTINCT kind FROM actors WHERE kind IS NOT NULL AND kind != ''")}
    return sorted(kinds | {DEFAULT_ACTOR_KIND})


def _turn(conn, turn_id) -> dict | None:
    rows = _dicts(conn, "SELECT * FROM turns WHERE id = ?", (turn_id,)) if turn_id else []
    return rows[0] if rows else None


def _document_text(conn, document_id) -> str:
    row = conn.execute("SELECT text FROM documents WHERE id = ?", (document_id,)).fetchone()
    if row is None:
        raise DocumentNotFound(document_id)
    return row[0] or ""


def turn_object(text: str, row: dict) -> Turn:
    """A ``model.Turn`` from a turns row (what the guessing rules need)."""
    return Turn(seq=row["seq"], label=row["label"], speaker_key=row["speaker_id"], text=row["text"] or "",
                char_start=row["char_start"], char_end=row["char_end"],
                speech_start=speech_start(text, row["char_start"], row["char_end"], row["label"]))


# ---------------------------------------------------------------- planning a correction


def _resolve_actor(conn, entry: dict) -> dict:
    """An existing actor (by id or name, case-insensitively) or a new one to create."""
    aid = actor_id(entry["name"])
    row = conn.execute("SELECT id, name, kind, actor_group FROM actors WHERE id = ? OR lower(name) = lower(?) "
                       "ORDER BY id = ? DESC LIMIT 1", (aid, entry["name"], aid)).fetchone()
    if row is not None:
        return {"id": row[0], "name": row[1] or row[0], "kind": row[2], "group": row[3] or row[1] or row[0], "new": False}
    # a new actor: the group the extractor gave it, else its own
    return {"id": aid, "name": entry["name"], "kind": entry["kind"] or DEFAULT_ACTOR_KIND,
            "group": entry.get("group") or entry["name"], "new": True}


def _span_in_turn(conn, current: dict, start: int, end: int) -> tuple[int, int, str]:
    """Trimmed (start, end, text) of a corrected span, which must lie inside the recommendation's turn."""
    text = _document_text(conn, current["document_id"])
    turn = _turn(conn, current["turn_id"])
    lo, hi = (turn["char_start"], turn["char_end"]) if turn else (0, len(text))
    where = f"turn {turn['seq']} (offsets {lo}-{hi})" if turn else f"the document (offsets 0-{hi})"
    if not (lo <= start < end <= hi):
        field = "char_start" if not lo <= start < hi else "char_end"
        raise InvalidValue(field, f"the span {start}-{end} must lie inside {where}")
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end:
        raise InvalidValue("char_end", f"the span {start}-{end} holds no words")
    return start, end, text[start:end]


def plan_corrections(conn, current: dict, clean: dict, who, stamp) -> dict:
    """What a correction changes: ``{"columns", "changed", "corrected", "actors"}`` (nothing written).

    ``columns``: recommendations columns to set; ``changed``: {field: [old, new]} for the history;
    ``corrected``: CORRECTABLE names to add to ``recommendations.corrected``; ``actors``: the
    resolved actor list when the actors change, else None.
    """
    columns, changed, corrected, actors = {}, {}, set(), None
    if "actors" in clean:
        old = get_actors(conn, current["id"])
        resolved = [_resolve_actor(conn, e) for e in clean["actors"]]
        if [a["id"] for a in old] != [a["id"] for a in resolved]:
            changed["actors"] = [[a["name"] for a in old], [a["name"] for a in resolved]]
            columns["actor_id"] = resolved[0]["id"]
            corrected.add("actors")
            actors = resolved
    for field in ("theme", "strength", "kind"):
        if field in clean and clean[field] != current[field]:
            changed[field] = [current[field], clean[field]]
            columns[field] = clean[field]
            corrected.add(field)
    if "char_start" in clean or "char_end" in clean:
        start = clean.get("char_start", current["char_start"])
        end = clean.get("char_end", current["char_end"])
        if start is None or end is None:
            raise InvalidValue("char_start", "give both char_start and char_end (this item has no offsets now)")
        start, end, text = _span_in_turn(conn, current, start, end)
        if (start, end) != (current["char_start"], current["char_end"]):
            changed.update(char_start=[current["char_start"], start], char_end=[current["char_end"], end],
                           text=[current["text"], text])
            columns.update(char_start=start, char_end=end, text=text)
            corrected.add("span")
    reviewed = clean.get("reviewed")
    if reviewed is False and current["reviewed_at"]:
        changed["reviewed"] = [True, False]
        columns.update(reviewed_at=None, reviewed_by=None)
    elif (reviewed or changed) and not current["reviewed_at"]:
        # a person who corrects an item has checked it
        changed["reviewed"] = [False, True]
        columns.update(reviewed_at=stamp, reviewed_by=who)
    return {"columns": columns, "changed": changed, "corrected": corrected, "actors": actors}


def _write_actors(conn, rec_id: str, actors: list[dict]) -> None:
    conn.executemany("INSERT OR IGNORE INTO actors (id, name, kind, actor_group) VALUES (?, ?, ?, ?)",
                     [(a["id"], a["name"], a["kind"], a["group"]) for a in actors if a["new"]])
    conn.execute("UPDATE recommendations SET actor_group = ? WHERE id = ?", (actors[0]["group"], rec_id))
    conn.execute("DELETE FROM recommendation_actors WHERE recommendation_id = ?", (rec_id,))
    conn.executemany("INSERT INTO recommendation_actors (recommendation_id, actor_id, position) VALUES (?, ?, ?)",
                     [(rec_id, a["id"], i) for i, a in enumerate(actors)])


def _history(conn, rec_id, from_status, to_status, stamp, who, note, changed) -> dict:
    cursor = conn.execute(
        "INSERT INTO status_changes (recommendation_id, from_status, to_status, changed_at, changed_by, note, changes) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (rec_id, from_status, to_status, stamp, who, note, json.dumps(changed, ensure_ascii=False)))
    return tracking._history_row(_dicts(conn, "SELECT * FROM status_changes WHERE id = ?", (cursor.lastrowid,))[0])


# ---------------------------------------------------------------- writing


def prepare_update(rec_id: str, changes: dict, version, actor) -> dict:
    """Validate an update without touching the database: what :func:`write_update` applies.

    ``changes``: any of tracking.UPDATE_KEYS (status, owner, due_date, follow_up, priority, note) and
    CORRECTION_KEYS (actors, theme, strength, char_start, char_end, kind, reviewed). Raises
    InvalidValue."""
    tracking_part, correction_part = split_changes(changes)
    version = tracking.parse_version(version)
    clean = tracking.validate_changes(tracking_part)
    corrections = validate_corrections(correction_part)
    return {"rec_id": rec_id, "version": version, "clean": clean, "corrections": corrections,
            "note": clean.pop("note", None), "who": tracking.actor_name(actor)}


def write_update(conn: sqlite3.Connection, prepared: dict) -> dict:
    """Apply a :func:`prepare_update` result inside the caller's transaction (or savepoint): it
    neither begins nor commits. Returns ``{"recommendation", "change", "changed"}``. Raises
    InvalidValue, RecommendationNotFound, StaleVersion, leaving its partial writes for the caller to
    roll back."""
    rec_id, version, who, note = prepared["rec_id"], prepared["version"], prepared["who"], prepared["note"]
    corrections = dict(prepared["corrections"])
    current = tracking.get_record(conn, rec_id)
    if current["version"] != version:
        raise StaleVersion(rec_id, version, current["version"])
    changed = tracking.diff(current, prepared["clean"])
    if "status" in changed:
        tracking.check_transition(current["status"], changed["status"][1])
        if changed["status"][1] == "dismissed":
            corrections.setdefault("reviewed", True)
    stamp = now_iso()
    plan = plan_corrections(conn, current, corrections, who, stamp)
    if not changed and not plan["changed"] and not note:
        return {"recommendation": current, "change": None, "changed": False}
    columns = {field: new for field, (_old, new) in changed.items()}  # names from EDITABLE_FIELDS
    columns.update(plan["columns"])  # names from plan_corrections
    if plan["corrected"]:
        columns["corrected"] = json.dumps(sorted(corrected_fields(current) | plan["corrected"]))
    if plan["actors"] is not None:
        _write_actors(conn, rec_id, plan["actors"])
    cursor = conn.execute(
        "UPDATE recommendations SET " + "".join(f"{c} = ?, " for c in columns)
        + "version = version + 1, updated_at = ?, updated_by = ? WHERE id = ? AND version = ?",
        (*columns.values(), stamp, who, rec_id, version))
    if cursor.rowcount != 1:
        raise StaleVersion(rec_id, version, tracking.get_record(conn, rec_id)["version"])
    new_status = changed["status"][1] if "status" in changed else current["status"]
    change = _history(conn, rec_id, current["status"], new_status, stamp, who, note,
                      {**changed, **plan["changed"]})
    return {"recommendation": tracking.get_record(conn, rec_id), "change": change, "changed": True}


def update_item(conn: sqlite3.Connection, rec_id: str, changes: dict, version, actor) -> dict:
    """Apply tracking changes and corrections to one recommendation with one history row, in a
    transaction of its own. Dismissing an item, or correcting it, also marks it reviewed. Returns
    ``{"recommendation", "change", "changed"}`` like ``tracking.update_recommendation``. Raises
    InvalidValue, RecommendationNotFound, StaleVersion.
    """
    prepared = prepare_update(rec_id, changes, version, actor)
    with conn:
        if not conn.in_transaction:
            conn.execute("BEGIN IMMEDIATE")
        return write_update(conn, prepared)


def locate(conn, body: dict) -> tuple[str, int, int, dict]:
    """(document text, start, end, turn row) for a creation body: offsets or a quote, inside one turn."""
    document_id = body.get("document_id")
    if not isinstance(document_id, str) or not document_id:
        raise InvalidValue("document_id", "required, the id of a loaded document")
    text = _document_text(conn, document_id)
    if "quote" in body and body["quote"] is not None:
        if "char_start" in body or "char_end" in body:
            raise InvalidValue("quote", "give either quote or char_start/char_end, not both")
        quote = body["quote"].strip() if isinstance(body["quote"], str) else ""
        if not quote:
            raise InvalidValue("quote", "must be a non-empty string")
        count = text.count(quote)
        if count == 0:
            raise InvalidValue("quote", f"not found in document {document_id!r} (quote the words exactly)")
        if count > 1:
            raise InvalidValue("quote", f"found {count} times in document {document_id!r}: quote more words, "
                                        "or give char_start/char_end")
        start = nearest_occurrence(text, quote)
        end = start + len(quote)
    else:
        if "char_start" not in body or "char_end" not in body:
            raise InvalidValue("char_start", "give char_start and char_end, or a quote")
        start, end = _offset("char_start", body["char_start"]), _offset("char_end", body["char_end"])
        if end > len(text):
            raise InvalidValue("char_end", f"past the end of document {document_id!r} ({len(text)} characters)")
        if end <= start:
            raise InvalidValue("char_end", f"must be greater than char_start ({start})")
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end:
        raise InvalidValue("char_end", "the span holds no words")
    rows = _dicts(conn, "SELECT * FROM turns WHERE document_id = ? AND char_start <= ? AND char_end >= ? "
                        "ORDER BY seq LIMIT 1", (document_id, start, end))
    if not rows:
        raise InvalidValue("char_start", f"the span {start}-{end} is not inside one turn of document {document_id!r}")
    return text, start, end, rows[0]


def guess_for(conn, body: dict, lexicon: dict | None = None) -> dict:
    """The extractor's guesses for a creation body's span, with the span itself."""
    text, start, end, turn = locate(conn, body)
    guess = guess_span(text, turn_object(text, turn), start, end, lexicon)
    return {**guess, "document_id": body["document_id"], "char_start": start, "char_end": end,
            "text": text[start:end], "turn_seq": turn["seq"]}


def create_item(conn: sqlite3.Connection, body: dict, actor, lexicon: dict | None = None) -> dict:
    """Add a recommendation (or commitment, ``kind``) a person found; fields not given are guessed.

    ``body``: document_id and char_start/char_end or quote; optional kind, actors, theme, strength,
    note. The row has ``origin = 'manual'``, is reviewed by its author, and gets a history row.
    Returns ``{"recommendation", "change", "id"}``. Raises InvalidValue, DocumentNotFound, DuplicateItem.
    """
    if not isinstance(body, dict):
        raise InvalidValue("body", "expected a JSON object")
    for key in body:
        if key not in CREATE_KEYS:
            raise InvalidValue(key, f"unknown field; allowed: {', '.join(CREATE_KEYS)}", CREATE_KEYS)
    fields = validate_corrections({k: body[k] for k in ("actors", "theme", "strength", "kind") if k in body})
    note = tracking.validate_changes({"note": body["note"]})["note"] if "note" in body else None
    who = tracking.actor_name(actor)
    with conn:
        if not conn.in_transaction:
            conn.execute("BEGIN IMMEDIATE")
        text, start, end, turn = locate(conn, body)
        document_id = body["document_id"]
        same = conn.execute("SELECT id FROM recommendations WHERE document_id = ? AND char_start = ? AND char_end = ?",
                            (document_id, start, end)).fetchone()
        if same is not None:
            raise DuplicateItem(same[0])
        guess = guess_span(text, turn_object(text, turn), start, end, lexicon)
        kind = fields.get("kind", "recommendation")
        actors = [_resolve_actor(conn, e) for e in fields.get("actors")
                  or [{"name": guess["actor"], "kind": guess["actor_kind"], "group": guess["actor_group"]}]]
        theme, strength = fields.get("theme", guess["theme"]), fields.get("strength", guess["strength"])
        rec_id = "m" + short_hash(document_id, normalize_span(text[start:end]), str(start))
        stamp = now_iso()
        conn.execute(
            "INSERT INTO recommendations (id, document_id, turn_id, speaker_id, actor_id, actor_text, text, char_start, "
            "char_end, theme, strength, cue, confidence, updated_at, updated_by, extracted, origin, kind, reviewed_at, "
            "reviewed_by) VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, 'manual', NULL, ?, ?, 0, 'manual', ?, ?, ?)",
            (rec_id, document_id, turn["id"], turn["speaker_id"], actors[0]["id"], text[start:end], start, end,
             theme, strength, stamp, who, kind, stamp, who))
        _write_actors(conn, rec_id, actors)
        change = _history(conn, rec_id, tracking.DEFAULT_STATUS, tracking.DEFAULT_STATUS, stamp, who,
                          note or "added by hand",
                          {"origin": [None, "manual"], "kind": [None, kind], "actors": [None, [a["name"] for a in actors]],
                           "theme": [None, theme], "strength": [None, strength], "char_start": [None, start],
                           "char_end": [None, end]})
        record = tracking.get_record(conn, rec_id)
    return {"recommendation": record, "change": change, "id": rec_id}
