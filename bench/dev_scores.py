"""Score the extractor on the blind dev gold (``tests/fixtures/dev_gold``).

Run with ``.venv/bin/python bench/dev_scores.py`` (add ``--errors`` to list false positives,
misses and actor errors). For each dev transcript it runs the real pipeline, keeps the system
recommendations and commitments whose span lies inside the annotated range
(``<stem>_coverage.json``), and scores them with ``loader.evaluate``: spans match when they overlap
by at least half of the shorter one, borderline gold is neutral, actor accuracy is judged on matched
clear items. Prints one line per file and a pooled (micro) line; ``tests/test_dev_gold.py`` asserts
the pooled targets and ``tests/fixtures/dev_gold/README.md`` quotes the table.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loader.evaluate import score_commitments, score_recommendations  # noqa: E402
from loader.lexicon import load_lexicon  # noqa: E402
from loader.pipeline import process_source  # noqa: E402
from loader.read import read_source  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
DEV_GOLD = FIXTURES / "dev_gold"
STEMS = [
    "un_sc_S-PV.10100",
    "un_ga_A-79-PV.29",
    "welsh_assembly_education_committee_meeting",
    "canada_commons_covid19_committee_meeting",
]
TARGET_F1 = 0.75
TARGET_ACTOR = 0.75


def load_gold_files(gold_dir: Path, stem: str) -> dict:
    """``<stem>_recommendations.json``, ``_commitments.json`` and ``_coverage.json`` from ``gold_dir``."""
    def read(kind):
        return json.loads((gold_dir / f"{stem}_{kind}.json").read_text(encoding="utf-8"))

    return {"recommendations": read("recommendations"), "commitments": read("commitments"),
            "coverage": read("coverage")}


def load_dev_gold(stem: str) -> dict:
    return load_gold_files(DEV_GOLD, stem)


def inside(item, coverage) -> bool:
    return coverage["char_start"] <= item.char_start and item.char_end <= coverage["char_end"]


def score_transcript(path: Path, gold: dict, stem: str, lexicon=None) -> dict:
    """Run the pipeline on ``path`` and score what lies inside the gold's coverage against it."""
    lexicon = lexicon if lexicon is not None else load_lexicon()
    doc, recs, coms = process_source(read_source(path), lexicon)
    cov = gold["coverage"]
    recs = [r for r in recs if inside(r, cov)]
    coms = [c for c in coms if inside(c, cov)]
    rec_score = score_recommendations(doc, recs, gold["recommendations"], lexicon)
    com_score = score_commitments(doc, coms, gold["commitments"])
    return {"stem": stem, "doc": doc, "recs": recs, "coms": coms, "gold": gold,
            "rec": rec_score, "com": com_score}


def score_file(stem: str, lexicon=None) -> dict:
    """Run the pipeline on ``tests/fixtures/<stem>.txt`` and score it against its dev gold."""
    return score_transcript(FIXTURES / f"{stem}.txt", load_dev_gold(stem), stem, lexicon)


def _prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def pooled(results) -> dict:
    """Micro-averaged recommendation and commitment scores over all files."""
    tp = sum(x["rec"]["tp"] for x in results)
    fp = sum(x["rec"]["fp"] for x in results)
    fn = sum(x["rec"]["fn"] for x in results)
    right = sum(x["rec"]["actor_right"] for x in results)
    p, r, f = _prf(tp, fp, fn)
    ctp = sum(x["com"]["tp"] for x in results)
    cfp = sum(x["com"]["fp"] for x in results)
    cfn = sum(x["com"]["fn"] for x in results)
    cp, cr, cf = _prf(ctp, cfp, cfn)
    return {"precision": p, "recall": r, "f1": f, "tp": tp, "fp": fp, "fn": fn,
            "actor_accuracy": right / tp if tp else 0.0, "actor_right": right,
            "neutral": sum(x["rec"]["neutral"] for x in results),
            "com_precision": cp, "com_recall": cr, "com_f1": cf, "com_tp": ctp, "com_fp": cfp, "com_fn": cfn}


def score_set(score_file, stems, lexicon=None) -> tuple[list[dict], dict]:
    """``score_file(stem, lexicon)`` for each stem (one lexicon load), and the pooled figures."""
    lexicon = lexicon if lexicon is not None else load_lexicon()
    results = [score_file(stem, lexicon) for stem in stems]
    return results, pooled(results)


def score_all(lexicon=None) -> tuple[list[dict], dict]:
    return score_set(score_file, STEMS, lexicon)


def _f(value, defined, width=5) -> str:
    return f"{value:{width}.2f}" if defined else f"{'-':>{width}}"


def table(results, pool) -> str:
    head = (f"{'file':44} {'gold c/b':>8} {'sys':>4} {'tp':>3} {'fp':>3} {'fn':>3} {'neut':>4} "
            f"{'P':>5} {'R':>5} {'F1':>5} {'actor':>5} | {'com P':>5} {'com R':>5} {'com F1':>6}")
    lines = [head, "-" * len(head)]
    for x in results:
        s, c = x["rec"], x["com"]
        has_p, has_r = s["tp"] + s["fp"] > 0, s["tp"] + s["fn"] > 0
        has_cp, has_cr = c["tp"] + c["fp"] > 0, c["tp"] + c["fn"] > 0
        lines.append(f"{x['stem'][:44]:44} {s['gold_clear']:>4}/{s['gold_borderline']:<3} {len(x['recs']):>4} "
                     f"{s['tp']:>3} {s['fp']:>3} {s['fn']:>3} {s['neutral']:>4} {_f(s['precision'], has_p)} "
                     f"{_f(s['recall'], has_r)} {_f(s['f1'], has_p or has_r)} {_f(s['actor_accuracy'], s['tp'] > 0)} | "
                     f"{_f(c['precision'], has_cp)} {_f(c['recall'], has_cr)} {_f(c['f1'], has_cp or has_cr, 6)}")
    lines.append("-" * len(head))
    gc = sum(x["rec"]["gold_clear"] for x in results)
    gb = sum(x["rec"]["gold_borderline"] for x in results)
    ns = sum(len(x["recs"]) for x in results)
    lines.append(f"{'POOLED (micro)':44} {gc:>4}/{gb:<3} {ns:>4} {pool['tp']:>3} {pool['fp']:>3} {pool['fn']:>3} "
                 f"{pool['neutral']:>4} {pool['precision']:5.2f} {pool['recall']:5.2f} {pool['f1']:5.2f} "
                 f"{pool['actor_accuracy']:5.2f} | {pool['com_precision']:5.2f} {pool['com_recall']:5.2f} "
                 f"{pool['com_f1']:6.2f}")
    lines.append("'-' = undefined (nothing to score: no gold and no system items in that column)")
    lines.append(f"targets: pooled recommendation F1 >= {TARGET_F1}, actor accuracy >= {TARGET_ACTOR}")
    return "\n".join(lines)


def errors(results) -> str:
    """False positives, misses and actor errors per file (for the extractor engineer)."""
    out = []
    for x in results:
        text, s = x["doc"].text, x["rec"]
        gold = {g["id"]: g for g in x["gold"]["recommendations"]}
        out.append(f"== {x['stem']}")
        for i in s["false_positives"]:
            r = x["recs"][i]
            out.append(f"  FP  [{r.actor}] {' '.join(text[r.char_start:r.char_end].split())[:220]}")
        for gid in s["missed"]:
            g = gold[gid]
            out.append(f"  MISS {gid} [{g['actor']}] {' '.join(g['quote'].split())[:220]}")
        for m in s["matches"]:
            if not m["ok"]:
                g = gold[m["gold"]]
                out.append(f"  ACTOR {m['gold']} system={m['actor']} gold={m['gold_actor']}: "
                           f"{' '.join(g['quote'].split())[:160]}")
        c = x["com"]
        for i in c["false_positives"]:
            r = x["coms"][i]
            out.append(f"  COM-FP  {' '.join(text[r.char_start:r.char_end].split())[:160]}")
        for gid in c["missed"]:
            g = next(g for g in x["gold"]["commitments"] if g["id"] == gid)
            out.append(f"  COM-MISS {gid} {' '.join(g['quote'].split())[:160]}")
    return "\n".join(out)


def main(argv=None, score_all=score_all, description=__doc__) -> int:
    ap = argparse.ArgumentParser(description=description.splitlines()[0])
    ap.add_argument("--errors", action="store_true", help="list false positives, misses and actor errors")
    args = ap.parse_args(argv)
    results, pool = score_all()
    print(table(results, pool))
    if args.errors:
        print()
        print(errors(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
