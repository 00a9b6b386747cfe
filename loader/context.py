"""The meeting's context: which body is meeting (``forum``) and to whom its members' demands go by
default (``addressee``).

Read from the transcript's own conventions by the lexicon's ``meetings`` entries (words of the
title block, or the form of the speaker labels), or set by the user for a document (``rectrack
load --forum ... --addressee ...``, or a sidecar file next to the transcript). The extractor gives a
recommendation that names no actor of its own to the addressee, and says so in its ``cue``. Pure.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import LexiconError, ReadError
from .model import Document

TITLE_REACH = 1000  # characters of the document's start searched for title words
SIDECAR_SUFFIX = ".meta.json"
SIDECAR_KEYS = ("forum", "addressee")


@dataclass
class Meeting:
    forum: str
    addressee: str | None = None
    addressee_we: bool = False  # the speakers' "we" / "let us" is the meeting itself (a team)
    proposals: bool = False  # the speakers' "we could ..." proposes to the meeting (a team planning its work)
    system_we: bool = False  # a speaker's "we need to ..." is the public system under scrutiny: the addressee
    members: str | None = None  # who "Members" asked are ("I ask Members to reject ...")
    title: tuple = ()
    labels: re.Pattern | None = None
    min_speakers: int = 2
    words: tuple = ()  # regexes each found at least ``min_words`` times in the text (the meeting's vocabulary)
    min_words: int = 3
    not_words: re.Pattern | None = None  # a regex that, found anywhere, rules the meeting out
    witnesses: bool = False  # members question witnesses (see ``witnesses``)


def compile_meetings(lexicon: dict) -> list[Meeting]:
    """The lexicon's ``meetings`` entries, compiled. Raises LexiconError naming a bad entry."""
    out = []
    for i, entry in enumerate(lexicon.get("meetings") or ()):
        if not isinstance(entry, dict) or not entry.get("forum"):
            raise LexiconError(f"lexicon meetings[{i}]: needs a 'forum'")
        try:
            labels = re.compile(entry["labels"]) if entry.get("labels") else None
        except re.error as exc:
            raise LexiconError(f"lexicon meetings[{i}].labels: not a regular expression ({exc})") from None
        out.append(Meeting(forum=entry["forum"], addressee=entry.get("addressee"),
                           addressee_we=bool(entry.get("addressee_we")), proposals=bool(entry.get("proposals")),
                           system_we=bool(entry.get("system_we")),
                           members=entry.get("members"),
                           title=tuple(entry.get("title") or ()), labels=labels,
                           min_speakers=int(entry.get("min_speakers", 2)),
                           words=tuple(_regex(i, "words", w) for w in entry.get("words") or ()),
                           min_words=int(entry.get("min_words", 3)),
                           not_words=_regex(i, "not_words", entry["not_words"]) if entry.get("not_words") else None,
                           witnesses=bool(entry.get("witnesses"))))
    return out


def _regex(i: int, key: str, pattern: str) -> re.Pattern:
    try:
        return re.compile(pattern)
    except (re.error, TypeError) as exc:
        raise LexiconError(f"lexicon meetings[{i}].{key}: not a regular expression ({exc})") from None


def _matches(meeting: Meeting, doc: Document, head: str) -> str | None:
    """How ``meeting`` is recognised in ``doc`` ("title" / "labels"), or None; ``head`` is the
    title block's words (see ``detect_context``)."""
    if any(re.search(r"(?<!\w)" + re.escape(w) + r"(?!\w)", head) for w in meeting.title):
        return "title"
    if meeting.labels is not None:
        speakers = {t.speaker_key for t in doc.turns if t.label and meeting.labels.search(t.label.strip())}
        if len(speakers - {None}) >= meeting.min_speakers:
            return "labels"
    if meeting.words and not (meeting.not_words and meeting.not_words.search(doc.text)) and all(
            _count(w, doc.text, meeting.min_words) >= meeting.min_words for w in meeting.words):
        return "words"
    return None


def _count(regex: re.Pattern, text: str, enough: int) -> int:
    """Matches of ``regex`` in ``text``, counted up to ``enough``."""
    n = 0
    for _ in regex.finditer(text):
        n += 1
        if n >= enough:
            break
    return n


def detect_context(doc: Document, meetings: list[Meeting]) -> tuple[Meeting | None, str | None]:
    """The first of ``meetings`` that ``doc`` shows, and how it shows it."""
    head = re.sub(r"\s+", " ", " ".join(x for x in (doc.title, doc.venue, doc.text[:TITLE_REACH]) if x))
    for meeting in meetings:
        how = _matches(meeting, doc, head)
        if how:
            return meeting, how
    return None, None


_CACHE: dict = {}


def meetings_for(lexicon: dict | None) -> list[Meeting]:
    """The compiled ``meetings`` of ``lexicon`` (the default lexicon when None), compiled once."""
    key = 0 if lexicon is None else id(lexicon)
    hit = _CACHE.get(key)
    if hit is None or (lexicon is not None and hit[0] is not lexicon):
        if lexicon is None:
            from .lexicon import load_lexicon
            hit = (None, compile_meetings(load_lexicon()))
        else:
            hit = (lexicon, compile_meetings(lexicon))
        if len(_CACHE) > 8:
            for old in [k for k in _CACHE if k != 0][:-4]:
                del _CACHE[old]
        _CACHE[key] = hit
    return hit[1]


def apply_context(doc: Document, lexicon: dict | None, given: dict | None = None) -> None:
    """Set ``doc.forum``, ``doc.addressee``, ``doc.addressee_we``, ``doc.system_we``, ``doc.members``
    and ``doc.context_from``.

    ``given`` (the user's ``forum`` / ``addressee``) wins over what the transcript shows; a given
    forum that names a ``meetings`` entry brings that entry's addressee unless one is given too.
    """
    meetings = meetings_for(lexicon)
    given = {k: v for k, v in (given or {}).items() if v}
    meeting, how = detect_context(doc, meetings)
    if given.get("forum"):
        named = next((m for m in meetings if m.forum.lower() == given["forum"].lower()), None)
        meeting, how = (named or Meeting(forum=given["forum"])), "set"
    doc.forum = meeting.forum if meeting else None
    doc.addressee = meeting.addressee if meeting else None
    doc.addressee_we = bool(meeting and meeting.addressee_we)
    doc.proposals = bool(meeting and meeting.proposals)
    doc.system_we = bool(meeting and meeting.system_we)
    doc.members = meeting.members if meeting else None
    doc.ministers, doc.witnesses = evidence_givers(doc, meeting.labels) if meeting and meeting.witnesses else ([], [])
    if given.get("addressee"):
        doc.addressee, how = given["addressee"], "set"
    doc.context_from = how if meeting or doc.addressee else None


WITNESS_MIN_TURNS = 3  # turns a speaker needs before their answering is judged
WITNESS_ANSWERS = 0.5  # share of their turns that follow another speaker's question
WITNESS_QUESTIONS = 1 / 3  # most share of their turns that ask a question themselves


def evidence_givers(doc: Document, members: re.Pattern | None = None) -> tuple[list[str], list[str]]:
    """(ministers, witnesses): keys of the speakers who give evidence to a committee.

    Ministers: members who mostly answer (at least three turns, half of them right after another
    speaker's question, a question of their own in at most a third; where ``members`` marks the
    members' labels, "Name AM", only a speaker so marked): a Minister before the committee, whose "we"
    is their own government. Witnesses: where members are marked, the speakers who never are (a
    chief inspector, a council's director), whose "we" is the system they advise on."""
    turns: dict = {}
    marked: set = set()
    prev = None
    for t in doc.turns:
        if not t.speaker_key:
            prev = None
            continue
        if members is not None and t.label and members.search(t.label.strip()):
            marked.add(t.speaker_key)
        text = doc.text[t.speech_start:t.char_end]
        n = turns.setdefault(t.speaker_key, [0, 0, 0])  # turns, answers, own questions
        n[0] += 1
        n[1] += bool(prev and prev[0] != t.speaker_key and "?" in prev[1])
        n[2] += "?" in text
        prev = (t.speaker_key, text[-300:])
    ministers = [key for key, (count, answers, questions) in turns.items()
                 if count >= WITNESS_MIN_TURNS and answers >= WITNESS_ANSWERS * count and questions <= WITNESS_QUESTIONS * count
                 and (members is None or key in marked)]
    witnesses = [key for key in turns if members is not None and marked and key not in marked]
    return ministers, witnesses


def read_sidecar(path) -> dict:
    """``<transcript>.meta.json`` next to ``path`` (``{"forum": ..., "addressee": ...}``), or {}.

    Raises ReadError naming the sidecar and the bad field.
    """
    side = Path(str(path) + SIDECAR_SUFFIX)
    if not side.exists():
        return {}
    try:
        data = json.loads(side.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReadError(f"{side}: not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ReadError(f"{side}: expected an object with {', '.join(SIDECAR_KEYS)}")
    out = {}
    for key, value in data.items():
        if key not in SIDECAR_KEYS:
            raise ReadError(f"{side}: {key}: unknown field (expected {', '.join(SIDECAR_KEYS)})")
        if value is not None and not isinstance(value, str):
            raise ReadError(f"{side}: {key}: expected a string")
        out[key] = value
    return out
