"""Plain dataclasses passed between the pure stages of the loader.

read -> Source; turns -> Document (turns, notes, speakers); extract -> Recommendation,
Commitment. Nothing here touches the database.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Location:
    """Where ``text[start:end]`` came from in the original file: a PDF page, or a caption cue's
    times in seconds."""

    start: int
    end: int
    page: int | None = None
    start_time: float | None = None
    end_time: float | None = None


@dataclass
class SourceTurn:
    """A turn a structured format (captions, JSON) states itself: offsets into ``Source.text``."""

    label: str | None
    char_start: int  # where the rendered label starts (speech start when unlabelled)
    speech_start: int
    char_end: int
    start_time: float | None = None
    end_time: float | None = None


@dataclass
class Source:
    """A transcript file decoded to text. Every offset in rectrack indexes into ``text``.

    ``format`` names the reader (txt, pdf, docx, vtt, srt, json); ``locations`` map offsets to the
    original page or cue time; ``turns`` are the turns a structured format states (None: the turn
    parser finds them); ``meta`` holds a title, date or venue the file states; ``warnings`` are
    one-line notes for the user (the encoding a text file was decoded with).
    """

    text: str
    source_path: str
    sha256: str
    document_id: str
    format: str = "txt"
    locations: list[Location] = field(default_factory=list)
    turns: list[SourceTurn] | None = None
    meta: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@dataclass
class Speaker:
    """One person (or one unnamed voice) in a document."""

    key: str  # stable within the document, e.g. "edward-c-luck" or "male-speaker-2"
    name: str
    role: str | None = None
    aliases: list[str] = field(default_factory=list)


@dataclass
class Turn:
    seq: int  # 1-based
    label: str | None  # the label as printed, without the colon; None when unlabelled
    speaker_key: str | None
    text: str  # the spoken text (label removed), verbatim from the source
    char_start: int  # where the label starts (speech start when unlabelled)
    char_end: int
    speech_start: int  # where the spoken text starts
    start_time: float | None = None  # seconds into the recording (captions, JSON)
    end_time: float | None = None


@dataclass
class Note:
    char_start: int
    text: str


@dataclass
class Document:
    id: str
    text: str
    source_path: str
    sha256: str
    title: str | None = None
    event_date: str | None = None  # ISO date
    venue: str | None = None
    turns: list[Turn] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    speakers: list[Speaker] = field(default_factory=list)
    forum: str | None = None  # the body meeting (loader.context)
    addressee: str | None = None  # to whom its members' demands go by default
    addressee_we: bool = False  # the speakers' "we" is the meeting itself (a team)
    proposals: bool = False  # the speakers' "we could ..." proposes to the meeting (a team planning its work)
    members: str | None = None  # who "Members" asked are (the committee; at the UN, the Member States)
    system_we: bool = False  # a speaker's "we need to ..." is the public system under scrutiny (the addressee)
    context_from: str | None = None  # how forum/addressee were found: title / labels / set
    ministers: list[str] = field(default_factory=list)  # keys of members answering a committee for their government (loader.context)
    witnesses: list[str] = field(default_factory=list)  # keys of non-members giving evidence to a committee (loader.context)
    format: str = "txt"
    locations: list[Location] = field(default_factory=list)


@dataclass(frozen=True)
class Actor:
    """An actor as stored: the specific name ("MINUSCA"), the group it rolls up to (the lexicon's
    canonical name: "Peacekeeping Missions"; a name outside the lexicon is its own group) and its kind."""

    name: str
    group: str
    kind: str | None


@dataclass
class Recommendation:
    turn_seq: int
    speaker_key: str | None
    text: str  # == document.text[char_start:char_end]
    char_start: int
    char_end: int
    actor: str  # the specific actor as named ("MINUSCA"), "Unspecified" when unknown
    actor_kind: str | None
    actor_text: str | None
    theme: str
    strength: str  # must / should / could
    cue: str
    confidence: float
    actor_group: str | None = None  # the group it rolls up to (the lexicon's canonical name); None: the actor itself
    actors: list[Actor] = field(default_factory=list)  # every actor asked, the main one first (empty: only ``actor``)


@dataclass
class Commitment:
    turn_seq: int
    speaker_key: str | None
    text: str
    char_start: int
    char_end: int
    actor: str
    actor_kind: str | None
    signal: str  # committed / in progress / done / declined
    cue: str
    confidence: float
    recommendation_index: int | None = None  # index into the document's recommendations
