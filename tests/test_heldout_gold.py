"""Blind held-out gold for the real held-out transcripts (tests/fixtures/heldout_gold/README.md).

Checks that the gold is well formed (quotes verbatim and unique, inside the coverage range and
inside one parsed speaker turn of the right speaker, no overlaps), then prints the scores of the
real pipeline on these files (``-s`` to see them; ``.venv/bin/python bench/heldout_scores.py
--errors`` for the table and the error list).

The product targets (pooled recommendation F1 >= 0.75, actor accuracy >= 0.75) are asserted.
(The F1 assert was xfail at 0.15 when this test was written; the mark was removed when the
extractor reached the target.)
"""
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("heldout_scores", ROOT / "bench" / "heldout_scores.py")
heldout_scores = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(heldout_scores)

HELDOUT = ROOT / "tests" / "fixtures" / "heldout"
REC_FIELDS = {"id", "speaker", "quote", "actor", "actor_text", "theme", "strength", "confidence"}
COM_FIELDS = {"id", "speaker", "quote", "actor", "responds_to", "status_signal"}


@pytest.fixture(scope="module")
def heldout_results():
    results, pool = heldout_scores.score_all()
    return {x["stem"]: x for x in results}, results, pool


@pytest.mark.parametrize("stem", heldout_scores.STEMS)
def test_heldout_gold_well_formed(stem, heldout_results):
    text = (HELDOUT / f"{stem}.txt").read_text(encoding="utf-8")
    gold = heldout_scores.load_heldout_gold(stem)
    doc = heldout_results[0][stem]["doc"]
    assert doc.text == text  # gold quotes are located in doc.text
    cov = gold["coverage"]
    assert 0 <= cov["char_start"] < cov["char_end"] <= len(text)
    spans = []
    for kind, fields in (("recommendations", REC_FIELDS), ("commitments", COM_FIELDS)):
        ids = [g["id"] for g in gold[kind]]
        assert len(ids) == len(set(ids)), f"{stem}: duplicate ids"
        for g in gold[kind]:
            assert fields <= set(g), (g["id"], fields - set(g))
            quotes = [g["quote"]] + list(g.get("alt_quotes", ()))
            for q in quotes:
                at = text.find(q)
                assert q and at != -1, (stem, g["id"], "quote not verbatim")
                assert text.find(q, at + 1) == -1, (stem, g["id"], "quote not unique")
                end = at + len(q)
                assert cov["char_start"] <= at and end <= cov["char_end"], (stem, g["id"], "outside coverage")
                turns = [t for t in doc.turns if t.speech_start <= at and end <= t.char_end]
                assert len(turns) == 1, (stem, g["id"], "not inside one parsed turn")
                label = turns[0].label or ""
                assert label.startswith(g["speaker"]) or g["speaker"].startswith(label), (
                    stem, g["id"], f"speaker {g['speaker']!r} but turn label {label!r}")
                spans.append((at, end, g["id"]))
            if kind == "recommendations":
                assert g["strength"] in ("must", "should", "could")
                assert g["confidence"] in ("clear", "borderline")
            else:
                assert g["status_signal"] in ("committed", "in progress", "done", "declined")
    spans.sort()
    for a, b in zip(spans, spans[1:]):
        assert b[0] >= a[1], f"{stem}: {a[2]} overlaps {b[2]}"


def test_heldout_scores_printed(heldout_results):
    _, results, pool = heldout_results
    print()
    print(heldout_scores.table(results, pool))
    print(f"pooled: recommendation F1 {pool['f1']:.3f} (P {pool['precision']:.3f}, R {pool['recall']:.3f}), "
          f"actor accuracy {pool['actor_accuracy']:.3f} ({pool['actor_right']}/{pool['tp']}), "
          f"commitment F1 {pool['com_f1']:.3f}")
    assert pool["tp"] + pool["fp"] + pool["neutral"] == sum(len(x["recs"]) for x in results)


def test_heldout_pooled_recommendation_f1(heldout_results):
    _, _, pool = heldout_results
    assert pool["f1"] >= heldout_scores.TARGET_F1, (
        f"held-out pooled recommendation F1 {pool['f1']:.3f} < {heldout_scores.TARGET_F1}")


def test_heldout_pooled_actor_accuracy(heldout_results):
    # Passes at the time of writing, but on a single matched clear item (1/1): fragile.
    _, _, pool = heldout_results
    assert pool["actor_accuracy"] >= heldout_scores.TARGET_ACTOR, (
        f"held-out pooled actor accuracy {pool['actor_accuracy']:.3f} "
        f"({pool['actor_right']}/{pool['tp']}) < {heldout_scores.TARGET_ACTOR}")
