"""Score the extractor on the blind held-out gold (``tests/fixtures/heldout_gold``).

Run with ``.venv/bin/python bench/heldout_scores.py`` (add ``--errors`` to list false positives,
misses and actor errors). Same method as ``bench/dev_scores.py`` (whose table, pooling and error
listing it reuses): for each real held-out transcript in ``tests/fixtures/heldout/`` it runs the
real pipeline, keeps the system recommendations and commitments whose span lies inside the
annotated range (``<stem>_coverage.json``) and scores them with ``loader.evaluate`` (overlap >= half
of the shorter span, one-to-one; borderline gold neutral; actor accuracy on matched clear items).
``tests/test_heldout_gold.py`` checks the gold and prints this table.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from dev_scores import TARGET_ACTOR, TARGET_F1, errors, inside, pooled, table  # noqa: E402,F401
from loader.evaluate import score_commitments, score_recommendations  # noqa: E402
from loader.lexicon import load_lexicon  # noqa: E402
from loader.pipeline import process_source  # noqa: E402
from loader.read import read_source  # noqa: E402

HELDOUT = ROOT / "tests" / "fixtures" / "heldout"
HELDOUT_GOLD = ROOT / "tests" / "fixtures" / "heldout_gold"
STEMS = [
    "canada_covid_3_excerpt",
    "welsh_education_13_excerpt",
    "us_irancontra_poindexter",
    "us_debate_2020_rev_excerpt",
]


def load_heldout_gold(stem: str) -> dict:
    def read(kind):
        return json.loads((HELDOUT_GOLD / f"{stem}_{kind}.json").read_text(encoding="utf-8"))

    return {"recommendations": read("recommendations"), "commitments": read("commitments"),
            "coverage": read("coverage")}


def run_file(stem: str, lexicon=None):
    """The parsed document, recommendations and commitments for ``heldout/<stem>.txt``."""
    lexicon = lexicon if lexicon is not None else load_lexicon()
    return process_source(read_source(HELDOUT / f"{stem}.txt"), lexicon)


def score_file(stem: str, lexicon=None) -> dict:
    """Run the pipeline on ``tests/fixtures/heldout/<stem>.txt`` and score it against its gold."""
    lexicon = lexicon if lexicon is not None else load_lexicon()
    gold = load_heldout_gold(stem)
    doc, recs, coms = run_file(stem, lexicon)
    cov = gold["coverage"]
    recs = [r for r in recs if inside(r, cov)]
    coms = [c for c in coms if inside(c, cov)]
    rec_score = score_recommendations(doc, recs, gold["recommendations"], lexicon)
    com_score = score_commitments(doc, coms, gold["commitments"])
    return {"stem": stem, "doc": doc, "recs": recs, "coms": coms, "gold": gold,
            "rec": rec_score, "com": com_score}


def score_all(lexicon=None) -> tuple[list[dict], dict]:
    lexicon = lexicon if lexicon is not None else load_lexicon()
    results = [score_file(stem, lexicon) for stem in STEMS]
    return results, pooled(results)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
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
