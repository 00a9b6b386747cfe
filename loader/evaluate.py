"""Score a processed document against gold files in the format of ``tests/fixtures/gold``.

Scoring rules (gold README): a system turn matches a gold turn when its char_start lies between
the gold label start and the start of the spoken text (a few characters of slack); speaker
accuracy on matched turns; alias resolution by B-cubed F1 over speaker ids. Recommendations and
commitments match one-to-one when spans overlap by at least half of the shorter one; borderline
gold recommendations are neutral.
"""
from __future__ import annotations

import json
from pathlib import Path


def load_gold(gold_dir) -> dict:
    """Read every ``seed_*.json`` style file in ``gold_dir`` keyed by kind (turns, speakers, ...)."""
    gold = {}
    for path in sorted(Path(gold_dir).glob("*_*.json")):
        kind = path.stem.split("_", 1)[1]
        gold[kind] = json.loads(path.read_text(encoding="utf-8"))
    return gold


# ---------------------------------------------------------------- turns and speakers


def score_turns(doc, gold_turns) -> dict:
    """Turn precision/recall/F1 and speaker accuracy on matched turns.

    A gold turn is located by its ``source_line`` (1-based line of the label) and ``first_words``;
    a system turn matches it when its ``char_start`` lies between the gold label start and the
    gold speech start (``TURN_SLACK`` characters either side), one to one, in order. A matched
    turn's speaker is right when the system speaker's name or one of its aliases names the gold
    ``speaker`` (see :func:`same_name`).
    """
    pairs = match_turns(doc, gold_turns)
    speakers = {s.key: s for s in doc.speakers}
    right = sum(1 for g, t in pairs if _speaker_right(speakers.get(t.speaker_key), g.get("speaker")))
    matched, system, gold_n = len(pairs), len(doc.turns), len(gold_turns)
    precision = matched / system if system else 0.0
    recall = matched / gold_n if gold_n else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1,
            "speaker_accuracy": right / matched if matched else 0.0,
            "matched": matched, "system": system, "gold": gold_n}


def score_speakers(doc, gold_turns, gold_speakers=None) -> dict:
    """B-cubed precision/recall/F1 of the speaker clustering over gold turns.

    Gold clusters: a turn's ``person`` field when present, else the ``persons`` of its speaker in
    ``gold_speakers`` (``MS-A``...), else its ``speaker`` name. System clusters: the speaker key
    of the matched system turn; an unmatched gold turn is a cluster of its own.
    """
    person_of = {}
    for sp in gold_speakers or ():
        for person in sp.get("persons") or ():
            for n in person["turns"]:
                person_of[n] = person["id"]
    gold_ids, sys_ids = {}, {}
    for g in gold_turns:
        gold_ids[g["n"]] = g.get("person") or person_of.get(g["n"]) or g["speaker"]
    for g, t in match_turns(doc, gold_turns):
        sys_ids[g["n"]] = t.speaker_key
    for n in gold_ids:
        sys_ids.setdefault(n, ("unmatched", n))
    items = list(gold_ids)
    if not items:
        return {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    p_sum = r_sum = 0.0
    for i in items:
        same_sys = [j for j in items if sys_ids[j] == sys_ids[i]]
        same_gold = [j for j in items if gold_ids[j] == gold_ids[i]]
        both = sum(1 for j in same_sys if gold_ids[j] == gold_ids[i])
        p_sum += both / len(same_sys)
        r_sum += both / len(same_gold)
    precision, recall = p_sum / len(items), r_sum / len(items)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


TURN_SLACK = 3


def locate_gold_turns(text: str, gold_turns) -> list[tuple[int, int]]:
    """(label start, speech start) in ``text`` for each gold turn (``source_line`` + ``first_words``)."""
    line_starts = [0]
    for i, c in enumerate(text):
        if c == "\n":
            line_starts.append(i + 1)
    out = []
    for g in gold_turns:
        start = line_starts[min(g["source_line"], len(line_starts)) - 1]
        while start < len(text) and text[start] in " \t":
            start += 1
        after = start + len(g.get("label") or "")
        first = (g.get("first_words") or "").split()
        speech = text.find(first[0], after) if first else -1
        out.append((start, speech if speech >= 0 else after))
    return out


def match_turns(doc, gold_turns) -> list[tuple[dict, object]]:
    """One-to-one (gold turn, system turn) pairs by the char_start rule."""
    spans = locate_gold_turns(doc.text, gold_turns)
    turns = sorted(doc.turns, key=lambda t: t.char_start)
    pairs, k = [], 0
    for g, (lo, hi) in zip(gold_turns, spans):
        while k < len(turns) and turns[k].char_start < lo - TURN_SLACK:
            k += 1
        if k < len(turns) and turns[k].char_start <= hi + TURN_SLACK:
            pairs.append((g, turns[k]))
            k += 1
    return pairs


def _fold(s: str) -> str:
    import unicodedata

    s = unicodedata.normalize("NFKD", s or "")
    return " ".join("".join(c for c in s if not unicodedata.combining(c)).lower().replace(".", " ").split())


def same_name(a: str, b: str) -> bool:
    """``a`` and ``b`` name the same person: equal, or one's words contain the other's with the same last word."""
    fa, fb = _fold(a).split(), _fold(b).split()
    if not fa or not fb:
        return False
    if fa == fb:
        return True
    return fa[-1] == fb[-1] and (set(fa) <= set(fb) or set(fb) <= set(fa))


def _speaker_right(speaker, gold_name) -> bool:
    if speaker is None or not gold_name:
        return False
    return any(same_name(n, gold_name) for n in [speaker.name, *speaker.aliases])


# ---------------------------------------------------------------- recommendations and commitments


def score_recommendations(doc, recommendations, gold_recommendations) -> dict:
    """Precision/recall/F1 (borderline neutral) and actor accuracy on matched clear items."""
    raise NotImplementedError


def score_commitments(doc, commitments, gold_commitments) -> dict:
    """Precision/recall/F1 of commitments (and signal accuracy on matched items)."""
    raise NotImplementedError
