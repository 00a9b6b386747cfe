"""Held-out real transcripts (and variants built from real text) against hand-labelled turns.

Each ``tests/fixtures/heldout/<name>.gold.json`` lists the expected turns in order as
``[label as printed, canonical speaker]`` (optionally a third item, a person id, when two people
share a name). Gold turns are located by label order (the next line starting with the label after
the previous turn), then scored with the project rules (:func:`loader.evaluate.score_turns`,
:func:`loader.evaluate.score_speakers`). When ``prefix_end`` is given, only the part of the text
before that string is scored (the first turns of a long file).

Scores of every file:  ``.venv/bin/python -m tests.test_heldout``
"""
import json
import sys
import time
from pathlib import Path

import pytest

from loader.evaluate import score_speakers, score_turns
from loader.model import Source
from loader.speakers import resolve_speakers
from loader.turns import parse_document

HELDOUT = Path(__file__).parent / "fixtures" / "heldout"
GOLD_FILES = sorted(HELDOUT.glob("*.gold.json"))
TURN_F1 = 0.95
BCUBED_F1 = 0.95


def load(gold_path: Path):
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    raw = (HELDOUT / gold["source"]).read_bytes().decode("utf-8")
    turns = []
    for n, item in enumerate(gold["turns"], 1):
        g = {"n": n, "label": item[0], "speaker": item[1]}
        if len(item) > 2:
            g["person"] = item[2]
        turns.append(g)
    return gold, raw, turns


def process(raw: str, name: str):
    doc = parse_document(Source(text=raw, source_path=name, sha256="heldout", document_id=name))
    return resolve_speakers(doc)


def scored_doc(gold, raw):
    """The processed document, with turns cut to the labelled prefix when the gold labels only a prefix."""
    doc = process(raw, gold["source"])
    end = gold.get("prefix_end")
    if end:
        cut = raw.index(end)
        doc.turns = [t for t in doc.turns if t.char_start < cut]
    return doc


def scores(gold_path: Path) -> tuple[dict, dict]:
    gold, raw, turns = load(gold_path)
    doc = scored_doc(gold, raw)
    return score_turns(doc, turns), score_speakers(doc, turns)


@pytest.mark.parametrize("gold_path", GOLD_FILES, ids=[p.name.split(".gold")[0] for p in GOLD_FILES])
def test_heldout_turns_and_speakers(gold_path):
    t, b = scores(gold_path)
    assert t["f1"] >= TURN_F1, t
    assert b["f1"] >= BCUBED_F1, b


def test_heldout_gold_labels_are_in_the_text():
    """Every gold label is printed at a line start, in order (a typo in a gold file would score as a miss)."""
    import re

    for gold_path in GOLD_FILES:
        gold, raw, turns = load(gold_path)
        pos = 0
        for g in turns:
            m = re.compile(r"(?m)^[ \t*_]*(" + re.escape(g["label"]) + ")").search(raw, pos)
            assert m is not None, (gold_path.name, g)
            pos = m.end()


def test_heldout_set_is_not_empty():
    assert len(GOLD_FILES) >= 4


def main() -> int:
    for gold_path in GOLD_FILES:
        gold, raw, turns = load(gold_path)
        start = time.perf_counter()
        doc = scored_doc(gold, raw)
        ms = (time.perf_counter() - start) * 1000
        t, b = score_turns(doc, turns), score_speakers(doc, turns)
        print(f"{gold['source']:48} turns P/R/F1 {t['precision']:.3f}/{t['recall']:.3f}/{t['f1']:.3f}"
              f"  speaker acc {t['speaker_accuracy']:.3f}  B-cubed F1 {b['f1']:.3f}"
              f"  ({t['matched']}/{t['gold']} gold, {t['system']} system, {ms:.0f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
