"""A generated long transcript with many recommendations, stored without the extractor.

``store_large_document(path, turns=3000)`` writes about 1 MB of text with four recommendations per
turn (12,000), like the 1 MB transcript with 11k recommendations that once rendered a 6.7 MB page.
``long_turn`` makes one turn longer than a page. Used by tests/test_document_pages.py and
bench/browse_bench.py.
"""
from __future__ import annotations

import hashlib

from loader import store
from loader.model import Document, Recommendation, Speaker, Turn

SPEAKERS = [Speaker("chair", "Maria Chair", "Chair", ["The Chair"]),
            Speaker("alice", "Alice Smith", "Director", ["Alice Smith"]),
            Speaker("bob", "Bob Jones", None, ["Bob Jones"])]
ACTORS = ["Security Council", "Secretariat", "Member States", "General Assembly"]


def sentences_for(seq: int) -> list[str]:
    """Four recommending sentences (unique to the turn) and some plain talk."""
    recs = [f"The {actor} should act on item {seq}.{k} without delay." for k, actor in enumerate(ACTORS)]
    return ["Thank you for the floor.", *recs, "That concludes my remarks on this point, thank you."]


def build_large_document(turns: int = 3000, doc_id: str = "big", long_turn: int = 0):
    """(Document, recommendations). ``long_turn`` > 0 adds, as turn 2, one turn of that many
    sentences (each with a recommendation) so that a single turn spans several pages."""
    text = "A very long hearing\n\n"
    turn_objs, recs = [], []
    for seq in range(1, turns + 1):
        key = SPEAKERS[seq % 3].key
        label = SPEAKERS[seq % 3].aliases[0]
        start = len(text)
        text += f"{label}: "
        speech = len(text)
        sentences = sentences_for(seq) if not (long_turn and seq == 2) else [
            s for i in range(long_turn) for s in (f"The Secretariat must report on part {i} of the plan.", "Indeed.")]
        for sentence in sentences:
            if " should " in sentence or " must " in sentence:
                recs.append(Recommendation(
                    turn_seq=seq, speaker_key=key, text=sentence, char_start=len(text),
                    char_end=len(text) + len(sentence), actor=sentence.split(" should ")[0].split(" must ")[0][4:],
                    actor_kind="body", actor_text=None, theme="mandates", strength="should", cue="should",
                    confidence=0.9))
            text += sentence + " "
        text = text[:-1]
        turn_objs.append(Turn(seq, label, key, text[speech:], start, len(text), speech))
        text += "\n\n"
    doc = Document(doc_id, text, f"{doc_id}.txt", hashlib.sha256(text.encode()).hexdigest(), "A very long hearing",
                   "2026-11-30", "Room 9", turns=turn_objs, speakers=list(SPEAKERS))
    return doc, recs


def store_large_document(path, **kwargs) -> Document:
    doc, recs = build_large_document(**kwargs)
    conn = store.connect(path)
    try:
        store.store_document(conn, doc, recs, [])
    finally:
        conn.close()
    return doc
