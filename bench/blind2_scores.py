"""Score the extractor on the second blind gold set (``tests/fixtures/blind2_gold``).

Run with ``.venv/bin/python bench/blind2_scores.py`` (add ``--errors`` to list false positives,
misses and actor errors). Same method as ``bench/dev_scores.py`` (whose table, pooling and error
listing it reuses): it runs the real pipeline on the rest of ``un_ga_A-79-PV.29.txt`` (chars 62877 to
the end, the part the dev gold does not cover) and on two QMSum committee excerpts in
``tests/fixtures/blind2/``, keeps the system items whose span lies inside the annotated range
(``<stem>_coverage.json``) and scores them with ``loader.evaluate`` (overlap >= half of the shorter
span, one-to-one; borderline gold neutral; actor accuracy on matched clear items).
``tests/test_blind2_gold.py`` checks the gold and prints this table.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import dev_scores  # noqa: E402
from dev_scores import (  # noqa: E402,F401
    TARGET_ACTOR, TARGET_F1, errors, load_gold_files, score_transcript, table,
)

FIXTURES = ROOT / "tests" / "fixtures"
BLIND2 = FIXTURES / "blind2"
BLIND2_GOLD = FIXTURES / "blind2_gold"
# gold stem -> transcript
TRANSCRIPTS = {
    "un_ga_A-79-PV.29_rest": FIXTURES / "un_ga_A-79-PV.29.txt",
    "welsh_education_2_excerpt": BLIND2 / "welsh_education_2_excerpt.txt",
    "canada_covid_1_excerpt": BLIND2 / "canada_covid_1_excerpt.txt",
}
STEMS = list(TRANSCRIPTS)


def load_blind2_gold(stem: str) -> dict:
    return load_gold_files(BLIND2_GOLD, stem)


def score_file(stem: str, lexicon=None) -> dict:
    """Run the pipeline on the transcript of ``stem`` and score it against its gold."""
    return score_transcript(TRANSCRIPTS[stem], load_blind2_gold(stem), stem, lexicon)


def score_all(lexicon=None) -> tuple[list[dict], dict]:
    return dev_scores.score_set(score_file, STEMS, lexicon)


def main(argv=None) -> int:
    return dev_scores.main(argv, score_all, __doc__)


if __name__ == "__main__":
    raise SystemExit(main())
