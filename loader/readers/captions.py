"""WebVTT and SRT captions (webvtt-py): voice tags and ``Name:`` prefixes name the speaker;
consecutive cues of one speaker become one turn; cue times are kept."""
from __future__ import annotations

import io
import re

import webvtt
from webvtt.errors import MalformedFileError

from ..errors import ReadError
from ..model import Source
from .render import Piece, Said, render

VOICE_RE = re.compile(r"<v(?:\.[^\s>]*)?[ \t]+([^>]+)>")
TAG_RE = re.compile(r"</?[^>\s][^>]*>|\{\\[^}]*\}")  # cue tags, inline timestamps, SSA overrides
# "Jane Doe: ..." / ">> JANE DOE: ..." / "SPEAKER_01: ..." at the start of a cue
PREFIX_RE = re.compile(r"^(?:>>\s*|-\s+)?(?P<name>[^\W\d_][\w.'’ -]{0,60}?|Speaker[ _]?\d{1,3}|SPEAKER_\d{1,3})\s*:\s+(?=\S)")
NAME_PARTICLES = {"de", "da", "del", "der", "di", "du", "van", "von", "bin", "al", "la", "le", "y", "e"}
SRT_START_RE = re.compile(r"^\s*\d+\s*\r?\n\s*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}\s*-->", re.S)


def sniff(text: str) -> str | None:
    """``vtt`` or ``srt`` when ``text`` is captions (whatever the file is called), else None."""
    head = text.lstrip("\ufeff \t\r\n")[:400]
    if head.startswith("WEBVTT"):
        return "vtt"
    if SRT_START_RE.match(head):
        return "srt"
    return None


def seconds(ts) -> float:
    return ts.hours * 3600 + ts.minutes * 60 + ts.seconds + ts.milliseconds / 1000


def _clean(s: str) -> str:
    return " ".join(TAG_RE.sub("", s).split())


def cue_pieces(raw: str) -> list[tuple[str | None, str]]:
    """(speaker or None, text) of one cue: split at voice tags, else a ``Name:`` prefix."""
    raw = raw.replace("</v>", "")
    tags = list(VOICE_RE.finditer(raw))
    if tags:
        out = []
        before = _clean(raw[: tags[0].start()])
        if before:
            out.append((None, before))
        for k, m in enumerate(tags):
            end = tags[k + 1].start() if k + 1 < len(tags) else len(raw)
            out.append((" ".join(m.group(1).split()), _clean(raw[m.end():end])))
        return out
    text = _clean(raw)
    m = PREFIX_RE.match(text)
    if m and looks_like_name(m.group("name")):
        return [(" ".join(m.group("name").split()), text[m.end():])]
    return [(None, text)]


def looks_like_name(s: str) -> bool:
    """Up to five words, each capitalised or a name particle (``de``, ``van``): ``Jane Doe``,
    ``Dr. Amina Okafor``, ``SPEAKER_01``, ``Speaker 2``; not ``So the answer is``."""
    words = s.split()
    return (0 < len(words) <= 5 and words[0][0].isupper()
            and all(w[0].isupper() or w.isdigit() or w in NAME_PARTICLES for w in words[1:]))


def without_repeat(raw: str, shown: str) -> tuple[str, str]:
    """(the cue less leading lines that repeat the last line shown before, the new last line).

    Rolling captions (YouTube's automatic ones) show each line twice: once as it is spoken, then
    again as the top line of the next cue."""
    lines = [line for line in raw.splitlines() if _clean(line)]
    while lines and shown and _clean(lines[0]) == shown:
        lines = lines[1:]
    return "\n".join(lines), (_clean(lines[-1]) if lines else shown)


def read_captions(text: str, name: str, fmt: str) -> Source:
    """Captions already decoded to ``text``; ``fmt`` is ``vtt`` or ``srt``.

    Raises :class:`ReadError` when the cues cannot be parsed or none has text.
    """
    try:
        captions = webvtt.WebVTT.from_buffer(io.StringIO(text.lstrip("\ufeff")), format=fmt).captions
    except (MalformedFileError, ValueError) as e:
        raise ReadError(f"{name}: not valid {fmt.upper()} captions ({e or 'malformed cue'})") from None
    turns: list[Said] = []
    shown = ""  # the last line of the cue before, which rolling captions repeat
    for cap in captions:
        start, end = seconds(cap.start_time), seconds(cap.end_time)
        raw, shown = without_repeat(cap.raw_text, shown)
        for speaker, said in cue_pieces(raw):
            if not said:
                continue
            if turns and (speaker is None or speaker == turns[-1].speaker):
                turns[-1].pieces.append(Piece(said, start, end))  # the same voice goes on
            else:
                turns.append(Said(speaker, [Piece(said, start, end)]))
    if not turns:
        raise ReadError(f"{name}: no caption text")
    rendered, source_turns, locations = render([], turns)
    return Source(text=rendered, source_path=name, sha256="", document_id="", format=fmt,
                  locations=locations, turns=source_turns)
