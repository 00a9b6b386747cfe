"""Render the turns a structured format states as ``Speaker Name: text`` paragraphs.

The rendered text is what ``documents.text`` holds and every offset indexes into, so the title
block, speaker resolution and extraction work on it exactly as on a plain-text transcript.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..model import Location, SourceTurn


@dataclass
class Piece:
    """One stretch of speech (a caption cue, a JSON turn), with its times in seconds."""

    text: str
    start_time: float | None = None
    end_time: float | None = None


@dataclass
class Said:
    """One turn: a speaker (None when the format names nobody) and the pieces they said."""

    speaker: str | None
    pieces: list[Piece] = field(default_factory=list)


def render(header: list[str], turns: list[Said]) -> tuple[str, list[SourceTurn], list[Location]]:
    """(text, turns with offsets, one location per piece that has a time).

    The header lines (title, date, venue) come first, then each turn as one paragraph
    ``Speaker: piece piece ...``, paragraphs separated by a blank line.
    """
    out: list[str] = []
    pos = 0

    def put(s: str) -> int:
        nonlocal pos
        start = pos
        out.append(s)
        pos += len(s)
        return start

    lines = [h for h in header if h]
    if lines:
        put("\n".join(lines) + "\n\n")
    source_turns, locations = [], []
    for said in turns:
        pieces = [p for p in said.pieces if p.text]
        if not pieces:
            continue
        if source_turns:
            put("\n\n")
        char_start = put(f"{said.speaker}: ") if said.speaker else pos
        speech_start = pos
        for k, piece in enumerate(pieces):
            if k:
                put(" ")
            start = put(piece.text)
            if piece.start_time is not None or piece.end_time is not None:
                locations.append(Location(start, pos, start_time=piece.start_time, end_time=piece.end_time))
        times = [p.start_time for p in pieces if p.start_time is not None]
        ends = [p.end_time for p in pieces if p.end_time is not None]
        source_turns.append(SourceTurn(said.speaker, char_start, speech_start, pos,
                                       min(times) if times else None, max(ends) if ends else None))
    return "".join(out) + "\n", source_turns, locations
