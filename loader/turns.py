"""Split a transcript into speaker turns, stage notes and title metadata (pure).

PLACEHOLDER: a minimal `Name: text` splitter; the full segmentation replaces it.
"""
from __future__ import annotations

import re

from .model import Document, Note, Source, Turn

LABEL_RE = re.compile(r"^(?P<label>[A-Z][A-Za-z.' -]{1,60}?)\s*:\s*", re.M)


def parse_document(source: Source) -> Document:
    text = source.text
    doc = Document(id=source.document_id, text=text, source_path=source.source_path, sha256=source.sha256)
    matches = list(LABEL_RE.finditer(text))
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        while end > m.end() and text[end - 1].isspace():
            end -= 1
        doc.turns.append(
            Turn(seq=i + 1, label=m.group("label"), speaker_key=None, text=text[m.end():end],
                 char_start=m.start(), char_end=end, speech_start=m.end())
        )
    return doc
