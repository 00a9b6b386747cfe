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
    import re

    out = []
    cursor = 0
    for g in gold_turns:
        first = (g.get("first_words") or "").split()
        if g.get("source_line"):
            start = line_starts[min(g["source_line"], len(line_starts)) - 1]
            while start < len(text) and text[start] in " \t*_":
                start += 1
        else:  # no line number: the next occurrence of the label (or the first words) after the last turn
            probe = g.get("label") or (first[0] if first else "")
            m = re.compile(r"(?m)^[ \t*_]*(" + re.escape(probe) + ")").search(text, cursor) if probe else None
            start = m.start(1) if m else cursor
        after = start + len(g.get("label") or "")
        speech = text.find(first[0], after) if first else -1
        speech = speech if speech >= 0 else after
        out.append((start, speech))
        cursor = speech
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


def golden_record(doc, source_name: str) -> dict:
    """A processed document in the gold turn format, for golden files (``tests/golden``).

    ``turns`` can be scored with :func:`score_turns` / :func:`score_speakers`; ``person`` is the
    speaker key, so people with the same name stay apart.
    """
    speakers = {s.key: s for s in doc.speakers}
    turns = []
    for t in doc.turns:
        sp = speakers.get(t.speaker_key)
        turns.append({
            "n": t.seq,
            "label": t.label,
            "speaker": sp.name if sp else None,
            "person": t.speaker_key,
            "source_line": doc.text.count("\n", 0, t.char_start) + 1,
            "first_words": " ".join(t.text.split()[:8]),
        })
    return {
        "source": source_name,
        "title": doc.title,
        "event_date": doc.event_date,
        "venue": doc.venue,
        "turn_count": len(doc.turns),
        "note_count": len(doc.notes),
        "speakers": sorted({(s.name, s.role or "") for s in doc.speakers}),
        "turns": turns,
    }


# ---------------------------------------------------------------- recommendations and commitments


def score_recommendations(doc, recommendations, gold_recommendations, lexicon=None) -> dict:
    """Precision/recall/F1 (borderline neutral) and actor accuracy on matched clear items.

    A system span matches a gold quote when they overlap by at least half of the shorter one,
    one-to-one (largest overlaps first; clear gold before borderline). A system item matched to
    a borderline gold item counts neither way; an unmatched borderline gold item is not missed.
    ``actor_set_accuracy``: the share of matched clear items whose set of actor groups equals the
    gold's ``actors_all`` (else its ``actor``). Actors are compared by group: the system's ``actor_group`` when it has one (a named State a
    delegate asks is one of the Member States), else its actor; both sides are normalised through
    the lexicon (an alias or a specific member counts as its group: "MINUSCA" is Peacekeeping Missions).
    """
    from .extract import canonical_actor

    gold = [g for g in gold_recommendations]
    clear = [g for g in gold if g.get("confidence", "clear") != "borderline"]
    borderline = [g for g in gold if g.get("confidence", "clear") == "borderline"]
    sys_spans = [(r.char_start, r.char_end) for r in recommendations]
    clear_pairs = match_spans(sys_spans, gold_spans(doc.text, clear))
    used = {i for i, _ in clear_pairs}
    rest = [i for i in range(len(sys_spans)) if i not in used]
    border_pairs = match_spans([sys_spans[i] for i in rest], gold_spans(doc.text, borderline))
    tp, neutral = len(clear_pairs), len(border_pairs)
    fp = len(sys_spans) - tp - neutral
    fn = len(clear) - tp
    out = _prf(tp, fp, fn)
    right, all_right, details = 0, 0, []
    for i, j in clear_pairs:
        sys_actor = canonical_actor(getattr(recommendations[i], "actor_group", None) or recommendations[i].actor, lexicon)
        gold_actor = canonical_actor(clear[j].get("actor"), lexicon)
        ok = sys_actor == gold_actor
        right += ok
        all_right += _actor_set(recommendations[i], lexicon) == {
            canonical_actor(a, lexicon) for a in clear[j].get("actors_all") or [clear[j].get("actor")]}
        details.append({"gold": clear[j].get("id"), "system": i, "actor": sys_actor, "gold_actor": gold_actor, "ok": ok})
    out.update({"neutral": neutral, "gold_clear": len(clear), "gold_borderline": len(borderline),
                "actor_accuracy": right / tp if tp else 0.0, "actor_right": right, "matches": details,
                "actor_set_accuracy": all_right / tp if tp else 0.0, "actor_set_right": all_right,
                "false_positives": [i for i in range(len(sys_spans))
                                    if i not in used and i not in {rest[k] for k, _ in border_pairs}],
                "missed": [clear[j].get("id") for j in range(len(clear)) if j not in {b for _, b in clear_pairs}]})
    return out


def _actor_set(rec, lexicon) -> set:
    """The groups of every actor of a system recommendation (``actors``, else its one actor)."""
    from .extract import canonical_actor

    actors = getattr(rec, "actors", None)
    if actors:
        return {canonical_actor(a.group, lexicon) for a in actors}
    return {canonical_actor(getattr(rec, "actor_group", None) or rec.actor, lexicon)}


def score_commitments(doc, commitments, gold_commitments) -> dict:
    """Precision/recall/F1 of commitments (and signal accuracy on matched items).

    As for recommendations, a gold commitment marked ``"confidence": "borderline"`` (one annotator
    of two found it) is neutral: matching it counts neither way, missing it is not a miss.
    """
    clear = [g for g in gold_commitments if g.get("confidence", "clear") != "borderline"]
    borderline = [g for g in gold_commitments if g.get("confidence", "clear") == "borderline"]
    sys_spans = [(c.char_start, c.char_end) for c in commitments]
    pairs = match_spans(sys_spans, gold_spans(doc.text, clear))
    used = {i for i, _ in pairs}
    rest = [i for i in range(len(sys_spans)) if i not in used]
    neutral = {rest[k] for k, _ in match_spans([sys_spans[i] for i in rest], gold_spans(doc.text, borderline))}
    tp = len(pairs)
    out = _prf(tp, len(sys_spans) - tp - len(neutral), len(clear) - tp)
    right = sum(1 for i, j in pairs if commitments[i].signal == clear[j].get("status_signal"))
    matched_gold = {j for _, j in pairs}
    out.update({"signal_accuracy": right / tp if tp else 0.0, "neutral": len(neutral),
                "false_positives": [i for i in rest if i not in neutral],
                "missed": [g.get("id") for j, g in enumerate(clear) if j not in matched_gold]})
    return out


def gold_spans(text: str, items) -> list[tuple[int, int]]:
    """Character spans of gold ``quote`` fields in ``text`` ((-1, -1) when not found)."""
    spans = []
    for g in items:
        q = g.get("quote") or ""
        at = text.find(q) if q else -1
        spans.append((at, at + len(q)) if at >= 0 else (-1, -1))
    return spans


def spans_match(a: tuple[int, int], b: tuple[int, int]) -> int:
    """Overlap of two spans when it is at least half of the shorter one, else 0."""
    if a[0] < 0 or b[0] < 0:
        return 0
    overlap = min(a[1], b[1]) - max(a[0], b[0])
    shorter = min(a[1] - a[0], b[1] - b[0])
    return overlap if overlap > 0 and 2 * overlap >= shorter else 0


def match_spans(system, gold) -> list[tuple[int, int]]:
    """One-to-one (system index, gold index) pairs, largest overlaps first."""
    cands = sorted(((spans_match(s, g), i, j) for i, s in enumerate(system) for j, g in enumerate(gold)
                    if spans_match(s, g)), reverse=True)
    used_s, used_g, pairs = set(), set(), []
    for _, i, j in cands:
        if i not in used_s and j not in used_g:
            used_s.add(i)
            used_g.add(j)
            pairs.append((i, j))
    return sorted(pairs)


def _prf(tp: int, fp: int, fn: int) -> dict:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn}


def reference_turns(doc) -> list[dict]:
    """``doc``'s turns as gold turns located by label order and first words (no line numbers),
    to score another rendering of the same meeting (its PDF, its captions) with :func:`score_turns`."""
    return [{k: v for k, v in t.items() if k != "source_line"} for t in golden_record(doc, doc.source_path)["turns"]]
