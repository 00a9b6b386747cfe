"""Score a processed document against gold files in the format of ``tests/fixtures/gold``.

Scoring rules (gold README): a system turn matches a gold turn when its char_start lies between
the gold label start and the start of the spoken text (a few characters of slack); speaker
accuracy on matched turns; alias resolution by B-cubed F1 over speaker ids. Recommendations and
commitments match one-to-one when spans overlap by at least half of the shorter one; borderline
gold recommendations are neutral.
"""
from __future__ import annotations

import json
from pathlib import Path


def load_gold(gold_dir) -> dict:
    """Read every ``seed_*.json`` style file in ``gold_dir`` keyed by kind (turns, speakers, ...)."""
    gold = {}
    for path in sorted(Path(gold_dir).glob("*_*.json")):
        kind = path.stem.split("_", 1)[1]
        gold[kind] = json.loads(path.read_text(encoding="utf-8"))
    return gold


# ---------------------------------------------------------------- turns and speakers


def score_turns(doc, gold_turns) -> dict:
    """Turn precision/recall/F1 and speaker accuracy on matched turns."""
    raise NotImplementedError


def score_speakers(doc, gold_turns, gold_speakers) -> dict:
    """B-cubed precision/recall/F1 of the speaker clustering over gold turns."""
    raise NotImplementedError


# ---------------------------------------------------------------- recommendations and commitments


def score_recommendations(doc, recommendations, gold_recommendations) -> dict:
    """Precision/recall/F1 (borderline neutral) and actor accuracy on matched clear items."""
    raise NotImplementedError


def score_commitments(doc, commitments, gold_commitments) -> dict:
    """Precision/recall/F1 of commitments (and signal accuracy on matched items)."""
    raise NotImplementedError
