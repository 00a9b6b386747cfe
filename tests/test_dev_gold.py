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

from gold_checks import assert_gold_well_formed

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("dev_scores", ROOT / "bench" / "dev_scores.py")
dev_scores = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(dev_scores)

FIXTURES = ROOT / "tests" / "fixtures"


@pytest.mark.parametrize("stem", dev_scores.STEMS)
def test_dev_gold_well_formed(stem):
    text = (FIXTURES / f"{stem}.txt").read_text(encoding="utf-8")
    assert_gold_well_formed(stem, text, dev_scores.load_dev_gold(stem))


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
