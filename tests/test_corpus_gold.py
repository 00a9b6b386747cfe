"""The annotation corpus's adjudicated gold (tests/fixtures/corpus/README.md) and its scores.

The gold must be well formed (quotes verbatim and unique, fields present). The test part is scored
and printed (``-s``), never listed error by error: no rule is written from it. Issue targets for the
test part at first contact of the final rules (recommendation F1 >= 0.75 with precision >= 0.70,
actor accuracy >= 0.75, commitment F1 >= 0.70) are not met yet: at first contact on 2026-12-01 the
rules scored P 0.43 R 0.72 F1 0.54, actor 0.45, commitments F1 0.49 there. They are strict xfails,
so the day they pass the suite says so and they become plain assertions.
"""
import importlib.util
from pathlib import Path

import pytest

from gold_checks import assert_gold_well_formed

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("corpus_scores", ROOT / "bench" / "corpus_scores.py")
corpus_scores = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus_scores)

# Batches drawn but not annotated yet (their texts are in sources.json, their gold is not). None
# now: the fourth (docs/ANNOTATOR_TASK4.md) was adjudicated on 2026-12-02. Put a batch here while
# its annotators work, and take it out once its gold is adjudicated.
UNDER_ANNOTATION: set[int] = set()
ALL_ROWS = corpus_scores.sources()
ROWS = [r for r in ALL_ROWS if r["batch"] not in UNDER_ANNOTATION]


@pytest.fixture(scope="module")
def test_part():
    results, pool, by_kind, missing = corpus_scores.score_corpus("test")
    return results, pool, by_kind, missing


@pytest.mark.parametrize("row", ROWS, ids=[r["stem"] for r in ROWS])
def test_corpus_gold_well_formed(row):
    path = corpus_scores.CORPUS / row["split"] / f"{row['stem']}.txt"
    gold = corpus_scores.load_gold_files(corpus_scores.GOLD, row["stem"])
    assert_gold_well_formed(row["stem"], path.read_text(encoding="utf-8"), gold, overlap_across_kinds=True)


def test_every_file_has_gold(test_part):
    """Every file has gold except those of a batch under annotation, which has none yet (so a batch's
    gold is never scored half done, and UNDER_ANNOTATION cannot outlive the gold)."""
    _, _, _, missing = test_part
    waiting = [r["stem"] for r in ALL_ROWS if r["batch"] in UNDER_ANNOTATION]
    assert corpus_scores.annotated("all")[1] == waiting
    assert missing == [r["stem"] for r in ALL_ROWS if r["batch"] in UNDER_ANNOTATION and r["split"] == "test"]
    assert UNDER_ANNOTATION <= {r["batch"] for r in ALL_ROWS}


def test_test_part_scored_per_kind(test_part):
    results, pool, by_kind, _ = test_part
    print()
    print(corpus_scores.table(results, pool))
    print(corpus_scores.kind_table(by_kind))
    assert {x["kind"] for x in results} == set(by_kind) == {r["kind"] for r in ROWS if r["split"] == "test"}
    assert sum(p["tp"] for p in by_kind.values()) == pool["tp"]
    assert pool["tp"] + pool["fp"] + pool["neutral"] == sum(len(x["recs"]) for x in results)


@pytest.mark.xfail(strict=True, reason="first contact 2026-12-01: F1 0.54, P 0.43 on the test part")
def test_test_part_recommendations(test_part):
    _, pool, _, _ = test_part
    assert pool["f1"] >= 0.75 and pool["precision"] >= 0.70


@pytest.mark.xfail(strict=True, reason="first contact 2026-12-01: actor accuracy 0.45 on the test part")
def test_test_part_actor_accuracy(test_part):
    _, pool, _, _ = test_part
    assert pool["actor_accuracy"] >= 0.75


@pytest.mark.xfail(strict=True, reason="first contact 2026-12-01: commitment F1 0.49 on the test part")
def test_test_part_commitments(test_part):
    _, pool, _, _ = test_part
    assert pool["com_f1"] >= 0.70
