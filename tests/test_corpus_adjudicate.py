"""Adjudication of two annotators' files (bench/corpus_adjudicate.py) on a tiny hand-made pair.

The transcript, the two annotation files and every expected figure below were written by hand:

    Chair: We should fund schools. The council must publish data.

    Minister: We will   publish
    the plan. We have started work.

A: rec clear "We should fund schools." (Government); rec clear "The council must publish data."
   (local authorities); com "We will publish the plan." (whitespace differs from the file: repaired);
   rec "Nonexistent sentence." (not in the file: dropped).
B: rec clear "We should fund schools." (Welsh Government); rec borderline "The council must publish
   data."; com "We will   publish\\nthe plan." (exact); com "We have started work." (B only).

Recommendations: A 2 (after the drop), B 2, matched 2 -> F1 2*2/(2+2) = 1.0; clear: A 2, B 1,
matched 1 -> 2*1/(2+1) = 0.667; one clear pair, actors differ -> actor agreement 0.0.
Commitments: A 1, B 2, matched 1 -> 2*1/(1+2) = 0.667.
Gold: R01 clear (A's actor "Government", disagreement noted), R02 borderline (B said borderline);
C01 clear with the file's text of the repaired quote, C02 borderline (B only).
"""
import importlib.util
import json
from pathlib import Path

import pytest

from gold_checks import assert_gold_well_formed

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("corpus_adjudicate", ROOT / "bench" / "corpus_adjudicate.py")
adj = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(adj)

TEXT = ("Chair: We should fund schools. The council must publish data.\n\n"
        "Minister: We will   publish\nthe plan. We have started work.\n")


def rec(quote, actor, confidence="clear", speaker="Chair"):
    return {"quote": quote, "kind": "recommendation", "confidence": confidence, "speaker": speaker,
            "actor": actor, "actors_all": [actor], "actor_text": None, "strength": "should", "signal": None}


def com(quote, signal="committed"):
    return {"quote": quote, "kind": "commitment", "confidence": "clear", "speaker": "Minister",
            "actor": "Welsh Government", "actors_all": ["Welsh Government"], "actor_text": "We",
            "strength": "should", "signal": signal}


A = [rec("We should fund schools.", "Government"),
     rec("The council must publish data.", "local authorities"),
     com("We will publish the plan."),
     rec("Nonexistent sentence.", "Unspecified")]
B = [rec("We should fund schools.", "Welsh Government"),
     rec("The council must publish data.", "local authorities", "borderline"),
     com("We will   publish\nthe plan."),
     com("We have started work.", "in_progress")]


@pytest.fixture
def corpus(tmp_path):
    (tmp_path / "dev").mkdir()
    (tmp_path / "dev" / "tiny.txt").write_text(TEXT, encoding="utf-8")
    for who, items in (("A", A), ("B", B)):
        (tmp_path / "annotations" / who).mkdir(parents=True)
        (tmp_path / "annotations" / who / "tiny.json").write_text(json.dumps(items), encoding="utf-8")
    return tmp_path


def test_agreement_worked_out_by_hand(corpus):
    lines = []
    report = adj.run(corpus, out=lines.append)
    ag = report["tiny"]["agreement"]
    r, c = ag["recommendations"], ag["commitments"]
    assert (r["a"], r["b"], r["matched"], r["f1"]) == (2, 2, 2, 1.0)
    assert (r["a_clear"], r["b_clear"], r["matched_clear"]) == (2, 1, 1)
    assert r["clear_f1"] == pytest.approx(2 / 3)
    assert (r["actor_pairs"], r["actor_same"], r["actor_agreement"]) == (1, 0, 0.0)
    assert (c["a"], c["b"], c["matched"]) == (1, 2, 1)
    assert c["f1"] == pytest.approx(2 / 3)
    problems = [e["problem"] for e in report["tiny"]["log"]]
    assert sum("dropped" in p for p in problems) == 1
    assert sum("repaired" in p for p in problems) == 1
    assert any(p.startswith("actor: A 'Government', B 'Welsh Government'") for p in problems)
    assert any("tiny" in ln and "POOLED" not in ln for ln in lines)
    assert json.loads((corpus / "gold" / "adjudication.json").read_text())["tiny"]["split"] == "dev"


def test_gold_written_in_the_gold_sets_format(corpus):
    adj.run(corpus, out=lambda _: None)
    gold = {k: json.loads((corpus / "gold" / f"tiny_{k}.json").read_text(encoding="utf-8"))
            for k in ("recommendations", "commitments", "coverage")}
    assert gold["coverage"] == {"char_start": 0, "char_end": len(TEXT)}
    recs, coms = gold["recommendations"], gold["commitments"]
    assert [(g["id"], g["quote"], g["confidence"], g["actor"], g["annotators"]) for g in recs] == [
        ("R01", "We should fund schools.", "clear", "Government", "AB"),
        ("R02", "The council must publish data.", "borderline", "local authorities", "AB")]
    assert "Welsh Government" in recs[0]["note"]
    assert [(g["id"], g["quote"], g["confidence"], g["status_signal"], g["annotators"]) for g in coms] == [
        ("C01", "We will   publish\nthe plan.", "clear", "committed", "AB"),
        ("C02", "We have started work.", "borderline", "in progress", "B")]
    assert_gold_well_formed("tiny", TEXT, gold)


def test_repeated_quote_taken_in_order_and_widened_to_be_unique():
    text = "A: Let us vote.\n\nB: Let us vote.\n"
    items = [rec("Let us vote.", "Unspecified", speaker="A"), rec("Let us vote.", "Unspecified", speaker="B")]
    res = adj.adjudicate_file(text, items, items)
    assert res["agreement"]["recommendations"]["matched"] == 2
    assert [g["quote"] for g in res["gold"]["recommendations"]] == ["A: Let us vote.", "B: Let us vote."]
    assert all(g["confidence"] == "clear" for g in res["gold"]["recommendations"])


def test_ambiguous_loose_quote_dropped_and_overlaps_merged():
    text = "X: We must act now.  We must  act now. Then we must go.\n"
    # "act  now" is not in the file and the whitespace-insensitive search finds two places: dropped
    a = [rec("We must act  now.", "Unspecified"), rec("Then we must go.", "Unspecified")]
    b = [rec("must go.", "Unspecified"), rec("Then we must go.", "Unspecified", "borderline")]
    res = adj.adjudicate_file(text, a, b)
    assert res["agreement"]["recommendations"]["a"] == 1  # A's first quote dropped
    gold = res["gold"]["recommendations"]
    # A "Then we must go." pairs with B's identical borderline item; B's "must go." is left over,
    # overlaps it and is merged in: one borderline item
    assert [(g["quote"], g["confidence"]) for g in gold] == [("Then we must go.", "borderline")]


def test_bad_annotation_file_is_a_clear_error(corpus, capsys):
    (corpus / "annotations" / "B" / "tiny.json").write_text("{not json", encoding="utf-8")
    assert adj.main(["--corpus", str(corpus)]) == 1
    err = capsys.readouterr().err
    assert "tiny.json" in err and "not valid JSON" in err
