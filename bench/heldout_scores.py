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

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import dev_scores  # noqa: E402
from dev_scores import (  # noqa: E402,F401
    TARGET_ACTOR, TARGET_F1, errors, load_gold_files, score_transcript, table,
)

HELDOUT = ROOT / "tests" / "fixtures" / "heldout"
HELDOUT_GOLD = ROOT / "tests" / "fixtures" / "heldout_gold"
STEMS = [
    "canada_covid_3_excerpt",
    "welsh_education_13_excerpt",
    "us_irancontra_poindexter",
    "us_debate_2020_rev_excerpt",
]


def load_heldout_gold(stem: str) -> dict:
    return load_gold_files(HELDOUT_GOLD, stem)


def score_file(stem: str, lexicon=None) -> dict:
    """Run the pipeline on ``tests/fixtures/heldout/<stem>.txt`` and score it against its gold."""
    return score_transcript(HELDOUT / f"{stem}.txt", load_heldout_gold(stem), stem, lexicon)


def score_all(lexicon=None) -> tuple[list[dict], dict]:
    return dev_scores.score_set(score_file, STEMS, lexicon)


def main(argv=None) -> int:
    return dev_scores.main(argv, score_all, __doc__)


if __name__ == "__main__":
    raise SystemExit(main())
