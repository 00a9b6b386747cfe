"""Extract recommendations and commitments from turns (pure).

PLACEHOLDER: returns nothing; the rule-based extractor replaces it.
"""
from __future__ import annotations

from .model import Commitment, Document, Recommendation


def extract(doc: Document, lexicon=None) -> tuple[list[Recommendation], list[Commitment]]:
    return [], []
