"""Train the learned filter over the rules' candidates and write ``loader/filter_model.json``.

Run with ``make model`` (installs the ``train`` extra, then runs this). Steps:

1. Candidates: the rules (``loader.extract``, filter off) on every training transcript: the
   corpus's dev part, the seed, ``dev_gold``, ``heldout`` and ``blind2`` (never the corpus's test
   part). Only candidates inside each gold set's coverage are used.
2. Labels, with the scorer's matching (``loader.evaluate``: overlap >= half of the shorter span,
   one to one, largest overlaps first): a candidate matched to a clear gold item of its own kind is
   positive, one matched to a borderline item is left out, any other is negative (a recommendation
   candidate that is a gold commitment too).
3. Features: ``loader.learned_filter.candidate_features``; a feature is kept when it occurs in at
   least ``MIN_DOCS`` (n-grams, role words: ``MIN_DOCS_WORDS``) training documents.
4. Per kind, an L2 logistic regression (scikit-learn, lbfgs); its ``C`` is chosen by the
   leave-one-document-out log loss, a Platt scaling is fitted on the out-of-fold scores, and the
   threshold is the one that gives the best pooled F1 out of fold on the corpus's dev documents
   (every clear gold item the rules miss counts as missed) while no other gold set loses more than
   ``MAX_DROP`` F1 out of fold (they were tuned into the rules, so nearly all their
   candidates are right). Then the model is refitted on all documents.
5. The weight file (sorted keys, rounded weights) holds the cross-validated figures, the reliability
   table and a few feature vectors with scikit-learn's own outputs (for the tests).

``--out PATH`` writes elsewhere (the test that checks the committed file is reproduced).
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import blind2_scores  # noqa: E402
import corpus_scores  # noqa: E402
import dev_scores  # noqa: E402
import heldout_scores  # noqa: E402
from loader.evaluate import gold_spans, match_spans, score_commitments, score_recommendations  # noqa: E402
from loader.corpus_eval import inside  # noqa: E402
from loader.extract import rules_for  # noqa: E402
from loader.learned_filter import DEFAULT_MODEL, KINDS, candidate_features, turn_index  # noqa: E402
from loader.lexicon import load_lexicon  # noqa: E402
from loader.pipeline import process_source  # noqa: E402
from loader.read import read_source  # noqa: E402
from loader.speakers import vocabulary as speaker_vocabulary  # noqa: E402

C_GRID = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
THRESHOLDS = [round(0.01 * i, 2) for i in range(0, 96)]
MIN_DOCS = 2
MIN_DOCS_WORDS = 3
DIGITS = 6
SEED_TRANSCRIPT = ROOT / "seeds" / "000_59fee67576fde5b5.txt"
SEED_GOLD = ROOT / "tests" / "fixtures" / "gold"


# ---------------------------------------------------------------- the training documents


def training_sets() -> list[tuple[str, str, Path, dict]]:
    """(set name, stem, transcript, gold) of every training document, in a fixed order."""
    out = []
    for s in corpus_scores.annotated("dev")[0]:
        out.append(("corpus_dev", s["stem"], corpus_scores.CORPUS / "dev" / f"{s['stem']}.txt",
                    dev_scores.load_gold_files(corpus_scores.GOLD, s["stem"])))
    seed = {kind: json.loads((SEED_GOLD / f"seed_{kind}.json").read_text(encoding="utf-8"))
            for kind in ("recommendations", "commitments")}
    out.append(("seed", "seed", SEED_TRANSCRIPT, {**seed, "coverage": None}))
    for stem in dev_scores.STEMS:
        out.append(("dev_gold", stem, dev_scores.FIXTURES / f"{stem}.txt", dev_scores.load_dev_gold(stem)))
    for stem in heldout_scores.STEMS:
        out.append(("heldout", stem, heldout_scores.HELDOUT / f"{stem}.txt", heldout_scores.load_heldout_gold(stem)))
    for stem in blind2_scores.STEMS:
        out.append(("blind2", stem, blind2_scores.TRANSCRIPTS[stem], blind2_scores.load_blind2_gold(stem)))
    return out


def labels(doc, items, gold) -> list[int | None]:
    """1 (matches a clear gold item), None (matches a borderline one: left out) or 0, per item."""
    clear = [g for g in gold if g.get("confidence", "clear") != "borderline"]
    border = [g for g in gold if g.get("confidence", "clear") == "borderline"]
    spans = [(x.char_start, x.char_end) for x in items]
    out: list[int | None] = [0] * len(items)
    for i, _ in match_spans(spans, gold_spans(doc.text, clear)):
        out[i] = 1
    rest = [i for i in range(len(items)) if out[i] == 0]
    for k, _ in match_spans([spans[i] for i in rest], gold_spans(doc.text, border)):
        out[rest[k]] = None
    return out


def collect(lexicon) -> list[dict]:
    """Every training document with its candidates, their features and labels."""
    raw = dict(lexicon, filter={"enabled": False})  # the rules' candidates, unfiltered
    rules, role_words = rules_for(raw), speaker_vocabulary(raw).role_words
    docs = []
    for set_name, stem, path, gold in training_sets():
        doc, recs, coms = process_source(read_source(path), raw)
        recs = [r for r in recs if gold["coverage"] is None or inside(r, gold["coverage"])]
        coms = [c for c in coms if gold["coverage"] is None or inside(c, gold["coverage"])]
        index = turn_index(doc)
        entry = {"set": set_name, "stem": stem, "group": str(path.relative_to(ROOT)), "doc": doc,
                 "gold": gold, "items": {}}
        for kind, items, key in (("recommendation", recs, "recommendations"), ("commitment", coms, "commitments")):
            entry["items"][kind] = {"items": items, "labels": labels(doc, items, gold[key]),
                                    "features": [candidate_features(rules, doc, x, kind, index, role_words) for x in items]}
        docs.append(entry)
    return docs


# ---------------------------------------------------------------- fitting


def vocabulary(docs, kind: str) -> list[str]:
    seen: dict = {}
    for d in docs:
        for feats, y in zip(d["items"][kind]["features"], d["items"][kind]["labels"]):
            if y is not None:
                for f in feats:
                    seen.setdefault(f, set()).add(d["group"])
    return sorted(f for f, groups in seen.items()
                  if len(groups) >= (MIN_DOCS_WORDS if f[:2] in ("w:", "b:") or f.startswith("role_w:") else MIN_DOCS))


def design(docs, kind: str, vocab: list[str]):
    """(X, y, groups, rows): the labelled candidates as a sparse binary matrix."""
    col = {f: j for j, f in enumerate(vocab)}
    data_rows, y, groups, rows = [], [], [], []
    for di, d in enumerate(docs):
        part = d["items"][kind]
        for i, (feats, label) in enumerate(zip(part["features"], part["labels"])):
            if label is None:
                continue
            data_rows.append(sorted(col[f] for f in feats if f in col))
            y.append(label)
            groups.append(d["group"])
            rows.append((di, i))
    indptr = np.cumsum([0] + [len(r) for r in data_rows])
    indices = np.array([j for r in data_rows for j in r], dtype=np.int64)
    X = csr_matrix((np.ones(len(indices)), indices, indptr), shape=(len(data_rows), len(vocab)))
    return X, np.array(y), groups, rows


def fit(X, y, C: float) -> LogisticRegression:
    return LogisticRegression(C=C, solver="lbfgs", max_iter=10000, tol=1e-8).fit(X, y)


def out_of_fold(X, y, groups, C: float) -> np.ndarray:
    """Leave-one-document-out decision values."""
    z = np.zeros(len(y))
    groups = np.array(groups)
    for g in sorted(set(groups)):
        test = groups == g
        train = ~test
        if len(set(y[train])) < 2:
            z[test] = 0.0
            continue
        z[test] = fit(X[train], y[train], C).decision_function(X[test])
    return z


def log_loss(y, z) -> float:
    p = 1.0 / (1.0 + np.exp(-z))
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def platt(z, y) -> tuple[float, float]:
    m = LogisticRegression(C=1e6, solver="lbfgs", max_iter=10000, tol=1e-10).fit(z.reshape(-1, 1), y)
    return float(m.coef_[0][0]), float(m.intercept_[0])


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


THRESHOLD_SET = "corpus_dev"  # the threshold is chosen where the rules were not tuned: the corpus's dev part
MAX_DROP = 0.02  # ... as long as no other (tuned-on) gold set loses more than this much F1 out of fold


def gold_clear_totals(docs, kind: str) -> dict:
    """Clear gold items of ``kind`` per training set."""
    out: dict = {}
    for d in docs:
        out[d["set"]] = out.get(d["set"], 0) + sum(
            1 for g in d["gold"][kind + "s"] if g.get("confidence", "clear") != "borderline")
    return out


def pooled_f1(p, y, total_clear: int, t: float) -> float:
    """Pooled F1 when the candidates with probability >= t are kept (the rules' misses count)."""
    keep = p >= t
    tp = int(np.sum(keep & (y == 1)))
    fp = int(np.sum(keep & (y == 0)))
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / total_clear if total_clear else 0.0
    return 2 * prec * rec / (prec + rec) if prec + rec else 0.0


def best_threshold(p, y, sets, totals: dict) -> tuple[float, float]:
    """The threshold of the best out-of-fold pooled F1 on THRESHOLD_SET's rows (ties: the lowest)
    among those that lower no other set's pooled F1 by more than ``MAX_DROP``; and that F1."""
    def f1(name, t):
        on = sets == name
        return pooled_f1(p[on], y[on], totals[name], t)

    floors = {name: f1(name, 0.0) - MAX_DROP for name in totals if name != THRESHOLD_SET}
    best = (f1(THRESHOLD_SET, 0.0), 0.0)
    for t in THRESHOLDS:
        score = f1(THRESHOLD_SET, t)
        if score > best[0] + 1e-12 and all(f1(name, t) >= floor for name, floor in floors.items()):
            best = (score, t)
    return best[1], best[0]


def reliability(p, y, bins: int = 5) -> list[dict]:
    out = []
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        sel = (p >= lo) & ((p < hi) if b < bins - 1 else (p <= hi))
        n = int(np.sum(sel))
        out.append({"bin": f"{lo:.1f}-{hi:.1f}", "n": n,
                    "mean_p": round(float(np.mean(p[sel])), 3) if n else None,
                    "positive_rate": round(float(np.mean(y[sel])), 3) if n else None})
    return out


def train_kind(docs, kind: str) -> tuple[dict, np.ndarray, list]:
    """The model part of one kind, the out-of-fold calibrated probabilities and their rows."""
    vocab = vocabulary(docs, kind)
    X, y, groups, rows = design(docs, kind, vocab)
    losses = {C: log_loss(y, out_of_fold(X, y, groups, C)) for C in C_GRID}
    C = min(C_GRID, key=lambda c: (round(losses[c], 6), c))
    z = out_of_fold(X, y, groups, C)
    a, b = platt(z, y)
    p = sigmoid(a * z + b)
    sets = np.array([docs[di]["set"] for di, _ in rows])
    threshold, cv_f1 = best_threshold(p, y, sets, gold_clear_totals(docs, kind))
    model = fit(X, y, C)
    weights = {f: round(float(w), DIGITS) for f, w in zip(vocab, model.coef_[0]) if round(float(w), DIGITS) != 0.0}
    checks = []
    for r in range(0, X.shape[0], max(1, X.shape[0] // 4))[:4]:
        feats = [vocab[j] for j in X[r].indices]
        zr = float(model.decision_function(X[r])[0])
        checks.append({"features": sorted(feats), "decision": round(zr, 9),
                       "sklearn_probability": round(float(model.predict_proba(X[r])[0][1]), 9),
                       "probability": round(float(sigmoid(a * zr + b)), 9)})
    part = {"bias": round(float(model.intercept_[0]), DIGITS), "weights": weights,
            "calibration": {"a": round(a, DIGITS), "b": round(b, DIGITS)}, "threshold": threshold, "C": C,
            "cv": {"log_loss": {str(c): round(v, 4) for c, v in losses.items()}, "threshold_set": THRESHOLD_SET,
                   "threshold_set_f1": round(cv_f1, 4),
                   "reliability": reliability(p, y), "candidates": int(len(y)), "positives": int(np.sum(y)),
                   "features": len(vocab)},
            "checks": checks}
    return part, p, rows


# ---------------------------------------------------------------- cross-validated figures


def cv_figures(docs, probs: dict, thresholds: dict) -> dict:
    """Pooled figures per training set, rules alone and with the out-of-fold filter."""
    kept = {k: {} for k in KINDS}
    for kind in KINDS:
        p, rows = probs[kind]
        for (di, i), pi in zip(rows, p):
            kept[kind][(di, i)] = pi >= thresholds[kind]
    out = {}
    for set_name in sorted({d["set"] for d in docs}):
        before, after = [], []
        for di, d in enumerate(docs):
            if d["set"] != set_name:
                continue
            for res, filtered in ((before, False), (after, True)):
                lists = {}
                for kind in KINDS:
                    part = d["items"][kind]
                    # left-out (borderline) candidates are kept: they are neutral either way
                    lists[kind] = [x for i, x in enumerate(part["items"])
                                   if not filtered or kept[kind].get((di, i), True)]
                res.append({"rec": score_recommendations(d["doc"], lists["recommendation"], d["gold"]["recommendations"]),
                            "com": score_commitments(d["doc"], lists["commitment"], d["gold"]["commitments"])})
        out[set_name] = {"rules": _figures(dev_scores.pooled(before)), "filtered": _figures(dev_scores.pooled(after))}
    return out


def _figures(pool: dict) -> dict:
    return {k: round(pool[k], 3) for k in ("precision", "recall", "f1", "actor_accuracy", "com_precision",
                                             "com_recall", "com_f1")}


def train(out_path: Path) -> dict:
    docs = collect(load_lexicon())
    data, probs = {"version": 1}, {}
    for kind in KINDS:
        part, p, rows = train_kind(docs, kind)
        data[kind] = part
        probs[kind] = (p, rows)
    data["cv_figures"] = cv_figures(docs, probs, {k: data[k]["threshold"] for k in KINDS})
    data["trained_on"] = sorted(f"{d['set']}:{d['stem']}" for d in docs)
    out_path.write_text(json.dumps(data, sort_keys=True, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return data


def report(data: dict) -> str:
    lines = []
    for kind in KINDS:
        part = data[kind]
        cv = part["cv"]
        lines.append(f"{kind}: {cv['candidates']} labelled candidates ({cv['positives']} positive), "
                     f"{cv['features']} features, {len(part['weights'])} weights; C={part['C']} "
                     f"(LODO log loss {cv['log_loss']}); threshold {part['threshold']}")
        lines.append("  reliability (out of fold): " + "; ".join(
            f"{r['bin']}: n={r['n']} p={r['mean_p']} obs={r['positive_rate']}" for r in cv["reliability"]))
    lines.append(f"{'set':12} {'':8} {'P':>5} {'R':>5} {'F1':>5} {'actor':>5} | {'com P':>5} {'com R':>5} {'com F1':>6}")
    for set_name, figs in data["cv_figures"].items():
        for label, f in figs.items():
            lines.append(f"{set_name:12} {label:8} {f['precision']:5.2f} {f['recall']:5.2f} {f['f1']:5.2f} "
                         f"{f['actor_accuracy']:5.2f} | {f['com_precision']:5.2f} {f['com_recall']:5.2f} {f['com_f1']:6.2f}")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_MODEL, help=f"weight file (default {DEFAULT_MODEL})")
    args = ap.parse_args(argv)
    print(report(train(args.out)))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
