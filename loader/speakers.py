"""Resolve turn labels to one speaker per person (pure).

PLACEHOLDER: one speaker per distinct label; the full resolution replaces it.
"""
from __future__ import annotations

import re

from .model import Document, Speaker


def resolve_speakers(doc: Document) -> Document:
    by_label: dict[str, Speaker] = {}
    for t in doc.turns:
        if t.label is None:
            continue
        if t.label not in by_label:
            key = re.sub(r"[^a-z0-9]+", "-", t.label.lower()).strip("-")
            by_label[t.label] = Speaker(key=key, name=t.label, aliases=[t.label])
        t.speaker_key = by_label[t.label].key
    doc.speakers = list(by_label.values())
    return doc
