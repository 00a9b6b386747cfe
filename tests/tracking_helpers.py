"""Hand-made fixture documents for the tracking tests (the extractor is not needed).

``build_document`` lays out labelled turns as a transcript and returns the Document plus a
function that turns (turn seq, quote) pairs into Recommendation objects with exact offsets, so
tests can simulate what an extractor would output.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3

from loader import store
from loader.model import Commitment, Document, Recommendation, Speaker, Turn

DOC_ID = "meeting"

SPEAKERS = [
    Speaker(key="chair", name="Maria Chair", role="Chair of the committee"),
    Speaker(key="alice-smith", name="Alice Smith", role="Director, Peace Institute"),
    Speaker(key="bob-jones", name="Bob Jones", role=None),
]

TURNS = [
    ("chair", "The Chair", "Welcome, everyone. We begin with the report on protection of civilians."),
    ("alice-smith", "Alice Smith",
     "Thank you. The Security Council should give missions clearer mandates to protect civilians. "
     "In addition, the Secretariat must train all staff before deployment. "
     "Donors could fund scenario-based planning & <exercises> for commanders."),
    ("bob-jones", "Bob Jones",
     "I agree with Alice. Member States should share early-warning information with the mission. "
     "The General Assembly should review the budget for training every year."),
    ("chair", "The Chair",
     "Thank you both. The Department of Peace Operations should publish guidance on civilian harm "
     "by next year. We will take that forward."),
]

# (turn seq, quote, actor, theme, strength)
RECS_V1 = [
    (2, "The Security Council should give missions clearer mandates to protect civilians.",
     "Security Council", "mandates", "should"),
    (2, "the Secretariat must train all staff before deployment.", "Secretariat", "training", "must"),
    (2, "Donors could fund scenario-based planning & <exercises> for commanders.", "Donors", "planning", "could"),
    (3, "Member States should share early-warning information with the mission.",
     "Member States", "information", "should"),
    (3, "The General Assembly should review the budget for training every year.",
     "General Assembly", "resources", "should"),
    (4, "The Department of Peace Operations should publish guidance on civilian harm by next year.",
     "Department of Peace Operations", "guidance", "should"),
]


def build_document(turns=TURNS, preamble="Committee on Peace Operations\n\n", doc_id=DOC_ID):
    """A Document whose text is ``preamble`` then ``Label: text`` paragraphs."""
    text = preamble
    turn_objs = []
    for seq, (key, label, body) in enumerate(turns, start=1):
        start = len(text)
        text += f"{label}: "
        speech_start = len(text)
        text += body
        turn_objs.append(Turn(seq=seq, label=label, speaker_key=key, text=body, char_start=start,
                              char_end=len(text), speech_start=speech_start))
        text += "\n\n"
    doc = Document(
        id=doc_id, text=text, source_path=f"{doc_id}.txt",
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(), title="Committee on Peace Operations",
        event_date="2024-05-02", venue="Room 3", turns=turn_objs, speakers=list(SPEAKERS),
    )
    return doc


def make_rec(doc: Document, seq: int, quote: str, actor: str, theme: str, strength: str,
             confidence: float = 0.9) -> Recommendation:
    turn = doc.turns[seq - 1]
    start = doc.text.index(quote, turn.char_start)
    assert start < turn.char_end, (seq, quote)
    return Recommendation(
        turn_seq=seq, speaker_key=turn.speaker_key, text=quote, char_start=start, char_end=start + len(quote),
        actor=actor, actor_kind="body", actor_text=actor, theme=theme, strength=strength, cue=strength,
        confidence=confidence,
    )


def make_recs(doc, specs=RECS_V1):
    return [make_rec(doc, *spec) for spec in specs]


def commitment_for(doc, recs, index=0):
    """A commitment in turn 4 answering recommendation ``index``."""
    quote = "We will take that forward."
    turn = doc.turns[3]
    start = doc.text.index(quote, turn.char_start)
    return Commitment(turn_seq=4, speaker_key="chair", text=quote, char_start=start, char_end=start + len(quote),
                      actor="Committee", actor_kind="body", signal="committed", cue="we will", confidence=0.8,
                      recommendation_index=index)


def make_db(path, with_commitment=True):
    """Create a database at ``path`` with the fixture document and its six recommendations.

    Returns {quote: recommendation id}.
    """
    conn = store.connect(path)
    try:
        doc = build_document()
        recs = make_recs(doc)
        coms = [commitment_for(doc, recs, 0)] if with_commitment else []
        store.store_document(conn, doc, recs, coms)
        return rec_ids(conn)
    finally:
        conn.close()


def rec_ids(conn) -> dict:
    return {r[1]: r[0] for r in conn.execute("SELECT id, text FROM recommendations ORDER BY char_start")}


def rows(path, sql, params=()):
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


@contextlib.contextmanager
def served_with_password(tmp_path, password):
    """``make_db``'s database served by ``rectrack serve``'s Datasette on a free port, where the user
    ``admin`` signs in with ``password`` and no API token is set. Yields (base URL, path, ids)."""
    from datasette_auth_passwords.utils import hash_password

    from loader.web import served

    path = tmp_path / "rectrack.db"
    ids = make_db(path)
    env = dict(os.environ)
    env["RECTRACK_PASSWORD_HASH_ADMIN"] = hash_password(password, iterations=1000)
    env.pop("RECTRACK_API_TOKEN", None)
    with served(path, env=env) as base:
        yield base, path, ids
