"""Blind dev gold for UN and parliamentary transcripts (tests/fixtures/dev_gold/README.md).

Checks that the gold is well formed, then runs the real pipeline on each dev transcript, keeps the
system items inside the annotated range and scores them with loader.evaluate. The pooled (micro)
recommendation F1 and actor accuracy must reach the product targets (0.75 each).
Run ``.venv/bin/python bench/dev_scores.py`` for the table.
"""
import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("dev_scores", ROOT / "bench" / "dev_scores.py")
dev_scores = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(dev_scores)

FIXTURES = ROOT / "tests" / "fixtures"
REC_FIELDS = {"id", "speaker", "quote", "actor", "actor_text", "theme", "strength", "confidence"}
COM_FIELDS = {"id", "speaker", "quote", "actor", "responds_to", "status_signal"}


@pytest.mark.parametrize("stem", dev_scores.STEMS)
def test_dev_gold_well_formed(stem):
    text = (FIXTURES / f"{stem}.txt").read_text(encoding="utf-8")
    gold = dev_scores.load_dev_gold(stem)
    cov = gold["coverage"]
    assert 0 <= cov["char_start"] < cov["char_end"] <= len(text)
    spans = []
    for kind, fields in (("recommendations", REC_FIELDS), ("commitments", COM_FIELDS)):
        ids = [g["id"] for g in gold[kind]]
        assert len(ids) == len(set(ids)), f"{stem}: duplicate ids"
        for g in gold[kind]:
            assert fields <= set(g), (g["id"], fields - set(g))
            at = text.find(g["quote"])
            assert at != -1, (stem, g["id"], "quote not verbatim")
            assert text.find(g["quote"], at + 1) == -1, (stem, g["id"], "quote not unique")
            assert cov["char_start"] <= at and at + len(g["quote"]) <= cov["char_end"], (stem, g["id"])
            spans.append((at, at + len(g["quote"]), g["id"]))
            if kind == "recommendations":
                assert g["strength"] in ("must", "should", "could")
                assert g["confidence"] in ("clear", "borderline")
                for alt in g.get("alt_quotes", ()):
                    assert alt in text, (stem, g["id"], "alt_quote not verbatim")
            else:
                assert g["status_signal"] in ("committed", "in progress", "done", "declined")
    spans.sort()
    for a, b in zip(spans, spans[1:]):
        assert b[0] >= a[1], f"{stem}: {a[2]} overlaps {b[2]}"


@pytest.fixture(scope="module")
def dev_results():
    return dev_scores.score_all()


def test_dev_pipeline_text_is_the_file(dev_results):
    # gold quotes are located in doc.text; it must be the file text unchanged
    results, _ = dev_results
    for x in results:
        assert x["doc"].text == (FIXTURES / f"{x['stem']}.txt").read_text(encoding="utf-8")


def test_dev_gold_pooled_recommendation_f1(dev_results):
    results, pool = dev_results
    print()
    print(dev_scores.table(results, pool))
    assert pool["f1"] >= dev_scores.TARGET_F1, f"pooled recommendation F1 {pool['f1']:.3f} < {dev_scores.TARGET_F1}"


def test_dev_gold_pooled_actor_accuracy(dev_results):
    _, pool = dev_results
    assert pool["actor_accuracy"] >= dev_scores.TARGET_ACTOR, (
        f"pooled actor accuracy {pool['actor_accuracy']:.3f} < {dev_scores.TARGET_ACTOR}")
