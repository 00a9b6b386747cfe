"""The map from text offsets to the original location: the PDF page, the caption cue's time.

Pure helpers to apply a :class:`~loader.model.Source`'s structure to a parsed document, and to
describe where an offset came from; :func:`location_at` reads the stored map.
"""
from __future__ import annotations

import bisect

from .model import Document, Location, Source, Turn


def apply_source(doc: Document, source: Source) -> Document:
    """Carry the format, location map, stated turns and stated title/date/venue of ``source``
    onto ``doc`` (parsed from ``source.text``), then give turns their times. Returns ``doc``."""
    doc.format = source.format
    doc.locations = list(source.locations)
    if source.turns is not None:
        doc.turns = [
            Turn(seq=k, label=t.label, speaker_key=None, text=source.text[t.speech_start:t.char_end].strip(),
                 char_start=t.char_start, char_end=t.char_end, speech_start=t.speech_start,
                 start_time=t.start_time, end_time=t.end_time)
            for k, t in enumerate(source.turns, 1)
        ]
    for key in ("title", "event_date", "venue"):
        if source.meta.get(key):
            setattr(doc, key, source.meta[key])
    for turn in doc.turns:
        if turn.start_time is None and turn.end_time is None:
            turn.start_time, turn.end_time = span_times(doc.locations, turn.speech_start, turn.char_end)
    return doc


def span_times(locations: list[Location], start: int, end: int) -> tuple[float | None, float | None]:
    """(earliest start, latest end) of the timed locations overlapping ``[start, end)``."""
    hit = [loc for loc in locations if loc.start < end and loc.end > start]
    starts = [loc.start_time for loc in hit if loc.start_time is not None]
    ends = [loc.end_time for loc in hit if loc.end_time is not None]
    return (min(starts) if starts else None, max(ends) if ends else None)


def find_location(locations: list[Location], offset: int) -> Location | None:
    """The location holding ``offset`` (sorted by start), else the last one starting before it."""
    starts = [loc.start for loc in locations]
    k = bisect.bisect_right(starts, offset) - 1
    return locations[k] if k >= 0 else None


def clock(seconds: float | None) -> str:
    """``3725.5`` -> ``1:02:05``; ``65`` -> ``01:05``."""
    if seconds is None:
        return ""
    whole = int(seconds)
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def cue_span(start: float | None, end: float | None) -> str | None:
    """``01:05–01:12`` for a turn's times, None when it has none."""
    if start is None and end is None:
        return None
    if start is None or end is None or clock(start) == clock(end):
        return clock(start if start is not None else end)
    return f"{clock(start)}–{clock(end)}"


def describe(fmt: str | None, location: dict | None) -> str | None:
    """``page 3 of the PDF`` / ``cue 01:05–01:12`` for a stored location row, else None."""
    if not location:
        return None
    if location.get("page") is not None:
        return f"page {location['page']} of the {(fmt or 'PDF').upper()}"
    span = cue_span(location.get("start_time"), location.get("end_time"))
    return f"cue {span}" if span else None


def location_at(conn, document_id: str, offset: int | None) -> dict | None:
    """The stored location (page, start_time, end_time) of ``offset`` in a document, else None."""
    if offset is None:
        return None
    row = conn.execute(
        "SELECT page, start_time, end_time FROM document_locations WHERE document_id = ? AND char_start <= ? "
        "ORDER BY char_start DESC LIMIT 1",
        (document_id, offset),
    ).fetchone()
    return {"page": row[0], "start_time": row[1], "end_time": row[2]} if row else None


def origin_of(conn, rec: dict) -> str | None:
    """Where a recommendation is in the original file (``page 3 of the PDF``, ``cue 01:05–01:12``),
    None for plain text and Word files."""
    row = conn.execute("SELECT format FROM documents WHERE id = ?", (rec["document_id"],)).fetchone()
    return describe(row[0] if row else None, location_at(conn, rec["document_id"], rec.get("char_start")))
