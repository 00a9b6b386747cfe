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

from loader import corpus_eval  # noqa: E402
from loader.lexicon import load_lexicon  # noqa: E402

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


def score_transcript(path: Path, gold: dict, stem: str, lexicon=None) -> dict:
    """Run the pipeline on ``path`` and score what lies inside the gold's coverage against it."""
    lexicon = lexicon if lexicon is not None else load_lexicon()
    return {"stem": stem, "gold": gold, **corpus_eval.score_file(path, gold, lexicon)}


def score_file(stem: str, lexicon=None) -> dict:
    """Run the pipeline on ``tests/fixtures/<stem>.txt`` and score it against its dev gold."""
    return score_transcript(FIXTURES / f"{stem}.txt", load_dev_gold(stem), stem, lexicon)


pooled = corpus_eval.pooled  # micro-averaged recommendation and commitment scores over all files


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
