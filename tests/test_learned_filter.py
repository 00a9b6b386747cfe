"""The learned filter over the rules' candidates (loader/learned_filter.py, bench/train_filter.py)."""
import importlib.util
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from test_extract import make_doc

from loader.errors import LexiconError
from loader.extract import extract, rules_for
from loader.learned_filter import DEFAULT_MODEL, candidate_features, filter_for, model_path, read_model, turn_index
from loader.lexicon import load_lexicon
from loader.pipeline import lexicon_digest

ROOT = Path(__file__).resolve().parent.parent
SPEECH = ("The Council should buy umbrellas for every delegation. "
          "The Council should publish its working methods next year.")


def sigmoid(z):
    return 1 / (1 + math.exp(-z))


def tiny_model(tmp_path, **overrides) -> Path:
    """A hand-made weight file: 'umbrellas' counts strongly against a recommendation."""
    part = {"bias": 1.0, "weights": {"w:umbrellas": -3.0, "cue=modal": 0.5},
            "calibration": {"a": 2.0, "b": -0.5}, "threshold": 0.5}
    part.update(overrides)
    path = tmp_path / "model.json"
    path.write_text(json.dumps({"version": 1, "recommendation": part}), encoding="utf-8")
    return path


def lexicon_with(model: Path | None, enabled=True) -> dict:
    lex = load_lexicon()
    lex["filter"] = {"enabled": enabled, "model": str(model) if model else "filter_model.json"}
    return lex


def test_the_score_is_the_logistic_of_the_weights(tmp_path):
    model = read_model(tiny_model(tmp_path))
    feats = ["cue=modal", "w:umbrellas", "w:unknown"]
    assert model.decision("recommendation", feats) == pytest.approx(1.0 + 0.5 - 3.0)
    assert model.probability("recommendation", feats) == pytest.approx(sigmoid(2.0 * -1.5 - 0.5))
    assert model.probability("recommendation", ["cue=modal"]) == pytest.approx(sigmoid(2.0 * 1.5 - 0.5))
    assert not model.keeps("recommendation", 0.49) and model.keeps("recommendation", 0.5)
    assert model.keeps("commitment", 0.0)  # no part for commitments: every candidate stays


def test_the_filter_drops_what_its_weights_say_and_sets_confidence(tmp_path):
    doc = make_doc(SPEECH)
    rules_only, _ = extract(doc, lexicon_with(None, enabled=False))
    assert len(rules_only) == 2  # two candidates of the rules
    assert [r.confidence for r in rules_only] == [rules_only[0].confidence] * 2
    kept, _ = extract(make_doc(SPEECH), lexicon_with(tiny_model(tmp_path)))
    assert [r.text for r in kept] == ["The Council should publish its working methods next year."]
    assert kept[0].confidence == round(sigmoid(2.0 * 1.5 - 0.5), 2)  # the calibrated probability


def test_a_threshold_of_zero_keeps_every_candidate(tmp_path):
    kept, _ = extract(make_doc(SPEECH), lexicon_with(tiny_model(tmp_path, threshold=0.0)))
    assert len(kept) == 2
    assert kept[0].confidence == round(sigmoid(2.0 * -1.5 - 0.5), 2)


def test_features_are_sorted_and_name_cue_subject_side_and_words():
    lex = load_lexicon()
    doc = make_doc("Will the Minister tell us whether we must wait?", "We must not wait any longer.",
                   role="Minister for Education")
    recs, coms = extract(doc, lexicon_with(None, enabled=False))
    items = [("recommendation", x) for x in recs] + [("commitment", x) for x in coms]
    assert items
    for kind, item in items:
        feats = candidate_features(rules_for(lex), doc, item, kind, turn_index(doc), frozenset({"minister"}))
        assert feats == sorted(set(feats))
        assert any(f.startswith("cue=") for f in feats) and any(f.startswith("subj=") for f in feats)
        assert "side=own_government" in feats and "role_w:minister" in feats
        assert "role_w:education" not in feats  # only the lexicon's role words, not names
        assert "w:must" in feats and "b:must_not" in feats and "neg" in feats


def test_a_question_is_marked():
    lex = load_lexicon()
    doc = make_doc("Should the Council not act now?")
    recs, _ = extract(doc, lexicon_with(None, enabled=False))
    item = recs[0] if recs else None
    if item is None:  # the rules already drop it: describe a candidate on that sentence by hand
        from loader.model import Recommendation
        s = doc.turns[0].speech_start
        item = Recommendation(turn_seq=1, speaker_key="sp", text=doc.turns[0].text, char_start=s,
                              char_end=doc.turns[0].char_end, actor="Security Council", actor_kind="un body",
                              actor_text="the Council", theme="other", strength="should", cue="modal", confidence=0.6)
    feats = candidate_features(rules_for(lex), doc, item, "recommendation", turn_index(doc))
    assert "question" in feats and "subj=named" in feats


def test_the_committed_model_matches_scikit_learn_on_its_stored_vectors():
    model = read_model(DEFAULT_MODEL)
    for kind in ("recommendation", "commitment"):
        checks = model.data[kind]["checks"]
        assert len(checks) >= 3
        for c in checks:
            # weights are rounded to 6 digits in the file: the sums agree to well under 1e-4
            assert model.decision(kind, c["features"]) == pytest.approx(c["decision"], abs=1e-4)
            assert model.probability(kind, c["features"]) == pytest.approx(c["probability"], abs=1e-4)
            assert sigmoid(c["decision"]) == pytest.approx(c["sklearn_probability"], abs=1e-6)


def test_the_committed_model_file_is_deterministic_text():
    text = DEFAULT_MODEL.read_text(encoding="utf-8")
    data = json.loads(text)
    assert text == json.dumps(data, sort_keys=True, indent=1, ensure_ascii=False) + "\n"
    for kind in ("recommendation", "commitment"):
        part = data[kind]
        assert 0.0 <= part["threshold"] < 1.0 and part["weights"]
        assert part["cv"]["reliability"] and part["cv"]["threshold_set"] == "corpus_dev"
    assert not [s for s in data["trained_on"] if "test" in s.split(":")[0]]  # never the corpus's test part


def test_the_same_candidates_get_the_same_scores_twice(tmp_path):
    lex = lexicon_with(DEFAULT_MODEL)
    a, _ = extract(make_doc(SPEECH, "We will publish the report."), lex)
    b, _ = extract(make_doc(SPEECH, "We will publish the report."), lex)
    assert [(r.text, r.confidence) for r in a] == [(r.text, r.confidence) for r in b]


def test_the_default_lexicon_leaves_the_filter_off():
    # off by default: on the corpus's test part it did not raise recommendation F1 (README, Quality)
    assert model_path(load_lexicon()) is None and filter_for(load_lexicon()) is None
    assert model_path({"filter": True}) == DEFAULT_MODEL
    assert model_path({"filter": {"enabled": True, "model": "other.json"}}) == DEFAULT_MODEL.parent / "other.json"


def test_a_bad_model_file_is_one_line_naming_it(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"bad\.json: filter model is not JSON"):
        extract(make_doc(SPEECH), lexicon_with(bad))
    bad.write_text(json.dumps({"recommendation": {"bias": 0}}), encoding="utf-8")
    with pytest.raises(LexiconError, match=r"bad\.json: not a filter model"):
        extract(make_doc(SPEECH), lexicon_with(bad))
    with pytest.raises(LexiconError, match="cannot read the filter model"):
        extract(make_doc(SPEECH), lexicon_with(tmp_path / "missing.json"))
    with pytest.raises(LexiconError, match="lexicon filter"):
        model_path({"filter": "yes"})


def test_documents_are_redone_when_the_model_changes(tmp_path):
    path = tiny_model(tmp_path)
    lex = lexicon_with(path)
    before = lexicon_digest(lex)
    path.write_text(path.read_text(encoding="utf-8").replace("-3.0", "-4.0"), encoding="utf-8")
    assert lexicon_digest(lex) != before
    assert lexicon_digest(load_lexicon()) == lexicon_digest(load_lexicon())  # off: the lexicon alone


@pytest.mark.slow
def test_make_model_reproduces_the_committed_file(tmp_path):
    pytest.importorskip("sklearn", reason="needs the train extra (make model)")
    out = tmp_path / "model.json"
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "train_filter.py"), "--out", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8") == DEFAULT_MODEL.read_text(encoding="utf-8")


def test_training_labels_follow_the_scorer_matching():
    pytest.importorskip("sklearn", reason="needs the train extra (make model)")
    train_filter = _bench("train_filter")
    doc = make_doc(SPEECH)
    recs, _ = extract(doc, lexicon_with(None, enabled=False))
    gold = [{"quote": "The Council should buy umbrellas for every delegation.", "confidence": "clear"},
            {"quote": "The Council should publish its working methods next year.", "confidence": "borderline"}]
    assert train_filter.labels(doc, recs, gold) == [1, None]
    assert train_filter.labels(doc, recs, gold[1:]) == [0, None]
    assert train_filter.labels(doc, recs, []) == [0, 0]


def _bench(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_with_the_filter_on_the_seed_keeps_its_thresholds():
    from loader.evaluate import load_gold, score_commitments, score_recommendations
    from loader.pipeline import process_source
    from loader.read import read_source

    lex = lexicon_with(DEFAULT_MODEL)
    gold = load_gold(ROOT / "tests" / "fixtures" / "gold")
    doc, recs, coms = process_source(read_source(ROOT / "seeds" / "000_59fee67576fde5b5.txt"), lex)
    r = score_recommendations(doc, recs, gold["recommendations"], lex)
    c = score_commitments(doc, coms, gold["commitments"])
    assert r["f1"] >= 0.90 and r["actor_accuracy"] >= 0.83 and c["f1"] >= 0.90, (r["f1"], r["actor_accuracy"], c["f1"])
    assert all(0.0 <= x.confidence <= 1.0 for x in recs + coms)


@pytest.mark.parametrize("name", ["dev_scores", "heldout_scores", "blind2_scores"])
def test_with_the_filter_on_the_older_gold_sets_keep_their_targets(name):
    scores = _bench(name)
    _, pool = scores.score_all(lexicon_with(DEFAULT_MODEL))
    assert pool["f1"] >= scores.TARGET_F1 and pool["actor_accuracy"] >= scores.TARGET_ACTOR, (
        pool["f1"], pool["actor_accuracy"])
