"""Speaker labels and speaker resolution (pure).

``parse_label`` reads one printed label (``Mr. Mahiga (United Republic of Tanzania) (spoke in
French)``, ``The Chair (Mr. Mayr-Harting (Austria))``, ``Male Speaker``, ``Lynne Neagle AM``) into
its parts; :mod:`loader.turns` uses it to decide what is a label. ``resolve_speakers`` then
groups a document's turns into one :class:`~loader.model.Speaker` per person:

- named labels are matched by name tokens (``Luck`` = ``Dr. Edward C. Luck``; honorifics,
  post-nominals, ``(Country)`` and ``(spoke in X)`` removed); the canonical name is the fullest
  form without honorific; two labels with the same surname but different stated countries are
  different people;
- role labels (``The President``, ``The Chair``) are one person per document, named when the
  label nests a name (``The Chair (Hon. Anthony Rota (...))``), a roster line names them
  (``President: Mr. Osman ..... (Somalia)``) or the text says who took the Chair;
- unnamed labels (``Male Speaker``) are a new person each turn, except a speaker who answers
  right after a short intervening turn addressed to them; a self-introduction (``I'm X from Y``,
  ``My name is X``) names them and a self-described role (``I'm the consul for ...``) becomes
  their name and role;
- unlabelled turns (after a stage note) keep the previous speaker.

Vocabulary comes from the ``speakers`` section of ``loader/lexicon.yml``.
"""
from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from re import _constants, _parser

from .model import Document, Speaker
from .prefilter import AtHeads, match_heads

# ---------------------------------------------------------------- vocabulary


@dataclass(frozen=True)
class Vocabulary:
    honorifics: tuple  # lower-case word sequences, longest first
    postnominals: frozenset
    unnamed: frozenset  # lower-case labels
    roles: frozenset  # lower-case role labels without "the"
    role_words: frozenset
    not_names: frozenset  # lower-case
    particles: frozenset
    openers: frozenset  # lower-case
    new_speaker_cues: frozenset  # lower-case
    title_keys: dict  # lower-case key -> field
    # the line patterns (``AnyOf``: called with a stripped line, whether one of them takes it)
    procedural: AnyOf  # matched at the line's start
    record_blocks: AnyOf  # matched at the line's start
    page_junk: AnyOf  # searched in the line
    language_notes: AnyOf = field(default_factory=lambda: AnyOf((), True))  # notes that do not end a turn ("[Translation]")
    tally_headings: AnyOf = field(default_factory=lambda: AnyOf((), True))  # "In favour:", "AYES" (vote tallies)
    nicknames: dict = field(default_factory=dict)  # folded short form -> frozenset of folded full forms


_VOCAB_CACHE: dict[int, tuple] = {}


def _low(items):
    return frozenset(str(x).lower() for x in items or ())


def vocabulary(lexicon: dict | None = None) -> Vocabulary:
    """The compiled ``speakers`` vocabulary of ``lexicon`` (default lexicon when None), cached."""
    if lexicon is None:
        return _default_vocabulary()
    hit = _VOCAB_CACHE.get(id(lexicon))
    if hit is not None and hit[0] is lexicon:
        return hit[1]
    vocab = _build_vocabulary(lexicon)
    _VOCAB_CACHE[id(lexicon)] = (lexicon, vocab)
    return vocab


@lru_cache(maxsize=1)
def _default_vocabulary() -> Vocabulary:
    from .lexicon import load_lexicon

    return _build_vocabulary(load_lexicon())


def _build_vocabulary(lexicon: dict) -> Vocabulary:
    s = (lexicon or {}).get("speakers") or {}
    honorifics = sorted(
        {tuple(str(h).lower().split()) for h in s.get("honorifics") or ()}, key=len, reverse=True
    )
    title_keys = {}
    for fld, keys in (s.get("title_keys") or {}).items():
        for k in keys or ():
            title_keys[str(k).lower()] = fld
    return Vocabulary(
        honorifics=tuple(honorifics),
        postnominals=frozenset(str(x) for x in s.get("postnominals") or ()),
        unnamed=_low(s.get("unnamed_labels")),
        roles=_low(s.get("role_labels")),
        role_words=_low(s.get("role_words")),
        not_names=_low(s.get("not_names")),
        particles=_low(s.get("name_particles")),
        openers=_low(s.get("turn_openers")),
        new_speaker_cues=_low(s.get("new_speaker_cues")),
        title_keys=title_keys,
        procedural=_any_of(s.get("procedural_lines"), at_start=True),
        record_blocks=_any_of(s.get("record_blocks"), at_start=True),
        page_junk=_any_of(s.get("page_junk")),
        language_notes=_any_of(s.get("language_notes"), at_start=True),
        tally_headings=_any_of(s.get("tally_headings"), at_start=True),
        nicknames=_nicknames(s.get("nicknames") or {}),
    )


class AnyOf:
    """Whether any of several compiled patterns finds a line: ``search`` each (``at_start``: ``match``
    each), with as few regex calls as the patterns allow. The ones that can only match at the line's
    start (all of them with ``at_start``; else those anchored by ``^`` without MULTILINE) are tried as
    one alternation, in C, rather than one call each; the others are searched only where one of
    their literal heads occurs (``prefilter.AtHeads``: a dot-leader pattern, ``(\\.[ \\t]?){8,}``,
    would otherwise be tried at every character of every paragraph). A pattern that cannot share an
    alternation (a backreference, other flags than the first's, a group name used twice) is matched
    on its own. ``__call__(line)`` is ``any(p.search(line) for p in patterns)`` (``match``)."""

    def __init__(self, patterns, at_start: bool = False):
        self.patterns = tuple(patterns)
        self.at_start = at_start
        starts = [p for p in self.patterns if at_start or _anchored_at_start(p)]
        self._searched = tuple(_searcher(p) for p in self.patterns if p not in starts)
        self._alternation, self._apart = _alternation(starts)

    def __iter__(self):
        return iter(self.patterns)

    def __len__(self) -> int:
        return len(self.patterns)

    def __call__(self, line: str) -> bool:  # loops, not any(): called for every line of a document
        if self._alternation is not None and self._alternation.match(line):
            return True
        for p in self._apart:
            if p.match(line):
                return True
        for p in self._searched:
            if p.search(line):
                return True
        return False


def _searcher(regex: re.Pattern):
    """``regex``, or what searches it only where a match can start: from the characters that start
    every match when they are a few marks other than letters (``str.find`` finds them: ``AtChars``),
    else from its literal heads (``prefilter.AtHeads``, one Aho-Corasick pass over the text)."""
    heads = match_heads(regex.pattern, regex.flags)
    if heads and len(heads) <= 4 and all(len(h) == 1 and not h.isalpha() for h in heads):
        return AtChars(regex, "".join(sorted(heads)))
    return AtHeads.of(regex)


class AtChars:
    """``search`` of a pattern every match of which starts with one of ``chars`` (marks other than
    letters, so case folding leaves them alone): the pattern is matched only where ``str.find`` finds
    one of them, in order of position (the first match of the text, as ``regex.search`` finds it)."""

    def __init__(self, regex: re.Pattern, chars: str):
        self.regex, self.chars = regex, chars

    def search(self, text: str, pos: int = 0, endpos: int | None = None):
        end = len(text) if endpos is None else min(endpos, len(text))
        match, chars = self.regex.match, self.chars
        if len(chars) == 1:  # most often (a dot leader): the loop without the choice of the nearest
            i = text.find(chars, pos, end)
            while i != -1:
                m = match(text, i, end)
                if m:
                    return m
                i = text.find(chars, i + 1, end)
            return None
        found = [i for i in (text.find(c, pos, end) for c in chars) if i != -1]
        while found:
            i = min(found)
            m = match(text, i, end)
            if m:
                return m
            found = [j for j in (text.find(c, i + 1, end) for c in chars) if j != -1]
        return None


def _anchored_at_start(regex: re.Pattern) -> bool:
    """Every match of ``regex`` starts at the start of the string (``^`` or ``\\A`` first, not in a
    branch, without MULTILINE): ``search`` is then ``match``."""
    if regex.flags & re.MULTILINE:
        return False
    first = _parser.parse(regex.pattern, regex.flags).data[:1]
    return bool(first) and first[0][0] is _constants.AT and first[0][1] in (
        _constants.AT_BEGINNING, _constants.AT_BEGINNING_STRING)


_BACKREFERENCE = re.compile(r"\\[1-9]|\(\?P=|\(\?\(")  # \1, (?P=name), (?(1)...): numbered or named, kept apart


def _alternation(patterns: list) -> tuple[re.Pattern | None, tuple]:
    """(one regex matching where any of ``patterns`` matches, the patterns it leaves out). Those
    with the first one's flags and no backreference are joined (each in a group of its own, so the
    alternation is the same as trying them in turn); when the join does not compile (a group name
    used twice), none are."""
    if not patterns:
        return None, ()
    flags = patterns[0].flags
    joined = [p for p in patterns if p.flags == flags and not _BACKREFERENCE.search(p.pattern)]
    apart = tuple(p for p in patterns if p not in joined)
    if len(joined) < 2:
        return None, tuple(patterns)
    try:
        return re.compile("|".join(f"(?:{p.pattern})" for p in joined), flags), apart
    except re.error:
        return None, tuple(patterns)


def _any_of(patterns, at_start: bool = False) -> AnyOf:
    return AnyOf([re.compile(p) for p in patterns or ()], at_start)


def _nicknames(table: dict) -> dict:
    """``{Thomas: [Tom, Tommy]}`` -> ``{"tom": {"thomas"}, "thomas": {"tom"}, ...}`` (folded, both ways)."""
    out: dict[str, set] = {}
    for full, shorts in table.items():
        f = fold(str(full))
        for short in shorts or ():
            n = fold(str(short))
            out.setdefault(n, set()).add(f)
            out.setdefault(f, set()).add(n)
    return {k: frozenset(v) for k, v in out.items()}


# ---------------------------------------------------------------- labels

NAME_WORD_RE = re.compile(r"^(?:[^\W\d_][.]?|[^\W\d_][\w'’.-]*)$")
ELIDED_PREFIX_RE = re.compile(r"^(?:d|l|O|D|L|dell|degli|al|el)['’-][A-Z]")  # d'Entremont, al-Thani
NUMBERED_RE = re.compile(
    r"^(?P<kind>[^\W\d_][\w -]{0,30}?)\s+(?P<n>\d{1,3}|[A-Z])$"
)
SPOKE_IN_RE = re.compile(
    r"^(?:spoke|speaking|interpretation|interpreted|through|via|translated|translation|inaudible|"
    r"off[- ]?mic|continuing|continued|cont'?d|by video|video|remotely|virtual)\b", re.I)
LABEL_CHARS_RE = re.compile(r"^[^\W\d_][\w .'’\-&]*$")


@dataclass
class LabelInfo:
    """A label taken apart. ``kind`` is person, single (one bare name word), role, unnamed or numbered."""

    kind: str
    core: str  # the label without parentheticals ("Mr. Mahiga", "The Chair")
    name: str | None = None  # the name without honorifics/post-nominals ("Edward C. Luck")
    honorific: str | None = None
    role: str | None = None  # role label ("Chair") for role labels
    affiliations: list[str] = field(default_factory=list)  # parentheticals except language notes
    inner: "LabelInfo | None" = None  # a name nested in a role label

    @property
    def tokens(self) -> list[str]:
        return name_tokens(self.name) if self.name else []


# zero-width and bidi formatting characters (and the soft hyphen): invisible, never part of a name
INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u061c\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c"
                                   "\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff"))


def clean_name(s: str) -> str:
    """A name as written, composed (NFC) and without invisible characters: what labels are parsed as.
    ASCII text is returned as it is (the invisible characters are not ASCII, and NFC leaves ASCII
    alone): most labels, and most of the line starts the parser tries as labels, are ASCII."""
    if s.isascii():
        return s
    return unicodedata.normalize("NFC", s.translate(INVISIBLE))


def fold(s: str) -> str:
    """Lower case without accents or invisible characters, for comparing names (ASCII: only lowered,
    as the normalisations and the apostrophe leave it alone)."""
    if s.isascii():
        return s.lower()
    s = unicodedata.normalize("NFKD", s.translate(INVISIBLE))
    s = unicodedata.normalize("NFC", "".join(c for c in s if not unicodedata.combining(c)))
    return s.lower().replace("’", "'")


def _unmarked(s: str) -> str:
    """``s`` without combining marks (Devanagari vowel signs, accents NFC cannot compose), for
    checking which characters a name is made of (ASCII has none)."""
    if s.isascii():
        return s
    return "".join(c for c in s if not unicodedata.category(c).startswith("M"))


def _capitalised(word: str) -> bool:
    """Starts like a name: a capital, or a letter of a script without case (Chinese, Arabic, ...)."""
    c = _unmarked(word)[:1]
    return c.isupper() or (c.isalpha() and not c.islower())


def name_tokens(name: str) -> list[str]:
    return [fold(t).strip(".") for t in name.split() if t.strip(".")]


def split_parentheticals(label: str) -> tuple[str, list[str]] | None:
    """``"Mr. X (Kenya) (spoke in French)"`` -> ``("Mr. X", ["Kenya", "spoke in French"])``.

    None when parentheses are unbalanced or words follow the last parenthesis.
    """
    core_end = label.find("(")
    if core_end == -1:
        return label.strip(), []
    core = label[:core_end].strip()
    parts, depth, start = [], 0, None
    for i in range(core_end, len(label)):
        c = label[i]
        if c == "(":
            if depth == 0:
                start = i + 1
            depth += 1
        elif c == ")":
            depth -= 1
            if depth < 0:
                return None
            if depth == 0:
                parts.append(" ".join(label[start:i].split()))
        elif depth == 0 and not c.isspace():
            return None
    if depth:
        return None
    return core, parts


def _strip_honorifics(words: list[str], vocab: Vocabulary) -> tuple[list[str], str | None]:
    taken = []
    changed = True
    while changed and words:
        changed = False
        low = [w.lower() for w in words]
        for h in vocab.honorifics:
            n = len(h)
            if n < len(words) and tuple(low[:n]) == h:
                taken.extend(words[:n])
                words = words[n:]
                changed = True
                break
    return words, (" ".join(taken) or None)


def parse_label(label: str, lexicon: dict | None = None) -> LabelInfo | None:
    """Take a printed speaker label apart; None when it does not look like a speaker label."""
    vocab = vocabulary(lexicon)
    memo = _LABEL_MEMO.setdefault(id(vocab), {})
    if label not in memo:
        if len(memo) > 50000:
            memo.clear()
        memo[label] = _parse_label(label, vocab, lexicon)
    return memo[label]


_LABEL_MEMO: dict[int, dict] = {}


QUESTION_NUMBER_RE = re.compile(r"^Q\s?\d{1,4}[.:]?\s+(?=\S)")  # UK oral evidence: "Q12 Chair"


ANGLE_LABEL_RE = re.compile(r"^<(?P<inner>[^<>]{1,80})>$")  # chat logs: "<Carol White>"
EMAIL_SUFFIX_RE = re.compile(r"\s+<[^<>\s@]+@[^<>\s@]+>$")  # mail style: "Carol White <carol@example.org>"
# a nickname in quotes inside a name: Robert "Bob" Smith
NICKNAME_RE = re.compile(r"\s*[\"\u201c][^\"\u201c\u201d]{1,30}[\"\u201d]\s*")


def _parse_label(label: str, vocab: Vocabulary, lexicon) -> LabelInfo | None:
    label = QUESTION_NUMBER_RE.sub("", " ".join(clean_name(label).split()))
    angle = ANGLE_LABEL_RE.match(label)
    if angle:
        label = angle.group("inner").strip()
    label = EMAIL_SUFFIX_RE.sub("", label)
    label = " ".join(NICKNAME_RE.sub(" ", label).split())
    split = split_parentheticals(label)
    if split is None:
        return None
    core, parens = split
    if not core or len(core) > 80:
        return None
    affiliations = [p for p in parens if p and not SPOKE_IN_RE.match(p)]
    low = core.lower()
    if low in vocab.unnamed:
        return LabelInfo("unnamed", core, affiliations=affiliations)
    m = NUMBERED_RE.match(core)
    if m and (m.group("kind").lower() in vocab.unnamed or m.group("kind").lower() in {"speaker", "participant", "person", "voice"}):
        return LabelInfo("numbered", core, affiliations=affiliations)
    suffix = None
    if "," in core and low.startswith("the ") and _is_role_phrase(core.replace(",", " "), vocab, 16):
        # "The Minister of State, Department for Education (Catherine McKinnell)": one role phrase
        core = " ".join(core.replace(",", ", ").split()).replace(" ,", ",")
    elif "," in core:
        # "Jane Roe, Director, ACME": a name, then an affiliation
        head, _, suffix = core.partition(",")
        suffix = " ".join(suffix.split())
        if not suffix or len(suffix.split()) > 8 or not LABEL_CHARS_RE.match(_unmarked(suffix).replace(",", "")):
            return None
        core = head.strip()
        low = core.lower()
    if not LABEL_CHARS_RE.match(_unmarked(core).replace(",", "")):
        return None
    role = low[4:] if low.startswith("the ") else low
    if suffix is None and (role in vocab.roles or _is_role_phrase(core.replace(",", " "), vocab, 16)):
        role_text = " ".join(_uncap(w) for w in (core[4:] if low.startswith("the ") else core).split())
        info = LabelInfo("role", core, role=role_text, affiliations=affiliations)
        if parens:
            inner = parse_label(parens[0], lexicon)
            if inner is not None and inner.kind == "person":
                info.inner = inner
                info.affiliations = inner.affiliations + affiliations[1:]
        return info
    words = core.split()
    if len(words) > 7:
        return None
    words, honorific = _strip_honorifics(words, vocab)
    while len(words) > 1 and words[-1].strip(",") in vocab.postnominals:
        words = words[:-1]
    if not words:
        return None
    for w in words:
        if fold(w) in vocab.particles:
            continue
        if not NAME_WORD_RE.match(_unmarked(w)) or not (_capitalised(w) or ELIDED_PREFIX_RE.match(w)):
            return None
    if all(fold(w) in vocab.particles for w in words):
        return None
    if honorific is None and any(fold(w).strip(".") in vocab.not_names for w in words):
        return None
    if honorific is not None and fold(words[0]).strip(".") in vocab.not_names and len(words) == 1:
        return None
    if suffix is not None and honorific is None and len(words) < 2:
        return None
    words = [_uncap(w) for w in words]
    kind = "person" if honorific or len(words) > 1 else "single"
    if suffix:
        affiliations = [suffix] + affiliations
    return LabelInfo(kind, core, name=" ".join(words), honorific=honorific, affiliations=affiliations)


def _uncap(word: str) -> str:
    """``SMITH`` -> ``Smith``, ``O'NEILL`` -> ``O'Neill``, ``McMORRIS`` -> ``McMorris`` (hearing records);
    initials and other mixed case unchanged."""
    m = re.match(r"^(Mc|Mac|De|Di|Du|La|Le|Van|Von|St)([A-Z]{2,})$", word)
    if m:
        return m.group(1) + m.group(2)[0] + m.group(2)[1:].lower()
    if len(word) < 2 or not word.isupper() or word.endswith("."):
        return word
    return re.sub(r"[^\W\d_]+", lambda m: m.group()[0] + m.group()[1:].lower(), word)


def _is_role_phrase(core: str, vocab: Vocabulary, max_words: int = 10) -> bool:
    """``The Prime Minister``, ``The Secretary of State for Health``, ``The Parliamentary
    Under-Secretary of State for ...``: "The", capitalised words and a role word (or its last part
    after a hyphen)."""
    words = core.split()
    if len(words) < 2 or len(words) > max_words or words[0].lower() != "the":
        return False
    connectors = {"of", "for", "and", "the", "on", "to", "in"}
    if not all(w[0].isupper() or w.lower() in connectors for w in words[1:]):
        return False
    return any(fold(w) in vocab.role_words or fold(w) in vocab.roles or fold(w).split("-")[-1] in vocab.role_words
               for w in words[1:])


# ---------------------------------------------------------------- resolution

SELF_NAME_RE = re.compile(
    r"(?:\b(?i:my name is|my name's|my name’s)|\bI am|\bI'm|\bI’m|\b(?i:this is))\s+"
    r"(?P<name>(?:[A-Z][\w'’-]+\.?\s+){0,1}[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){0,2})"
    r"(?=\s*(?:,|\.|;|from\b|of\b|with\b|and\b|representing\b|here\b|$))"
)
SELF_THANKS_RE = re.compile(
    r"^\W*Thank(?:s| you)[^.,]{0,20},\s+(?P<name>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){1,2})\.\s+I(?:'m|’m| am)\b"
)
SELF_ROLE_RE = re.compile(
    r"(?:\bI am|\bI'm|\bI’m|\bI work as|\bI serve as)\s+(?P<role>(?:the|a|an)\s+[^.,;:!?]{3,90})"
)
ROLE_STOP_RE = re.compile(r"\s+(?:to|who|which|that|and then|has|is|was|will|would|but|so)\b.*$")
SECOND_PERSON_RE = re.compile(r"\b(?:you|your|yourself|yourselves)\b", re.I)
SELF_NAME_FROM_RE = re.compile(
    r"(?:^|[.!?]\s+)(?P<name>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){1,2}),?\s+(?:from|of|with|representing)\s+(?:the\s+)?[A-Z]"
)
# an audience member's opening sentence that is only a name and an affiliation: "Thank you. Mary Jones,
# Georgetown University."
SELF_NAME_AFFIL_RE = re.compile(
    r"^(?:[^.!?]{0,40}[.!?]\s+)?(?P<name>[A-Z][\w'’-]+(?:\s+[A-Z]\.)?(?:\s+[A-Z][\w'’-]+){1,2}),\s+"
    r"(?:the\s+)?[A-Z][\w'’&-]*(?:\s+[\w'’&-]+){0,5}\.(?:\s|$)"
)
HEADER_ROLE_RE = re.compile(
    r"^[ \t]*(?P<role>[A-Z][\w -]{1,30}?)[ \t]*:[ \t]*(?:\r?\n[ \t]*)*(?P<name>[^\n,;:]{3,80})", re.M
)
TOOK_CHAIR_RE = re.compile(
    r"(?P<label>(?:Mr|Ms|Mrs|Dr|Miss)\.?\s+[^,()\n]{2,60}?\s*\((?P<country>[^()\n]{2,60})\))\s*,\s*"
    r"(?P<role>[A-Z][\w -]{2,40}),\s+took\s+the\s+Chair"
)
NAME_ROLE_RE = re.compile(
    r"(?<![\w(])(?P<name>[A-Z][\w'’.-]+(?:[ \t]+[A-Z][\w'’.-]+){1,3})[ \t]*\((?P<role>[A-Z][\w -]{2,30}?)\)"
)
# a chair's short turn that gives the floor by role: "The honourable Deputy Prime Minister.", "I now
# give the floor to the Minister of Finance, the Hon. X", "I call on the Minister for Education."
_HON = r"(?:(?:right\s+)?hon(?:ou?rable|orable|\.)\s+)"
CHAIR_INTRO_RE = re.compile(
    # "The honourable Deputy Prime Minister." (the whole short turn)
    r"^\W*(?:(?:thank\s+you|thanks|okay|ok|right)\b[^.!?]{0,30}[.!?,]\s*)?(?:(?:and\s+)?now\s+)?(?:the\s+)?" + _HON
    + r"(?P<role1>(?-i:[A-Z])[^.,;:!?()]{2,80}|minister\b[^.,;:!?()]{0,60})"
    # "I now give the floor to the Minister of Finance", "I call on the Minister for Education"
    + r"|\b(?:(?:give|pass|hand|turn)\s+(?:the\s+floor|it|(?:it\s+)?over)\s+(?:now\s+|back\s+|over\s+)*to"
    r"|call\s+(?:on|upon)|recogni[sz]e|invite)\s+(?:the\s+)?" + _HON + r"?"
    r"(?P<role2>(?-i:[A-Z])[^.,;:!?()]{2,80}|minister\b[^.,;:!?()]{0,60})",
    re.I,
)
ROSTER_RE = re.compile(
    r"^\s*(?P<role>[A-Z][\w -]{2,30}?)\s*:\s*(?P<label>(?:Mr|Ms|Mrs|Dr|Miss)\.?\s+[^.\n]{2,60}?)"
    r"\s*(?:\.[ \t]?){5,}\s*\((?P<country>[^()\n]{2,60})\)\s*$",
    re.M,
)


def slug(value: str) -> str:
    """A key for a name: ASCII letters and digits (Latin letters folded as always), and the letters of
    other scripts as they are ("李-明"); anything else a hyphen."""
    chars = [c if (c.isascii() and c.isalnum()) or (not c.isascii() and c.isalnum() and not _latin(c)) else "-"
             for c in fold(value)]
    return re.sub(r"-+", "-", "".join(chars)).strip("-") or "speaker"


def _latin(c: str) -> bool:
    return unicodedata.name(c, "").startswith("LATIN")


@dataclass(eq=False)
class _Person:
    name: str
    tokens: list[str]
    country: str | None = None
    role: str | None = None
    aliases: list[str] = field(default_factory=list)
    unnamed: bool = False
    role_label: str | None = None  # lower-case role label this person holds ("chair")
    numbered: bool = False  # "Speaker 2": one voice, the same in every turn

    def add_alias(self, alias: str | None):
        alias = " ".join(clean_name(alias or "").split())
        if alias and alias not in self.aliases:
            self.aliases.append(alias)

    def absorb_name(self, name: str | None):
        if not name:
            return
        toks = name_tokens(name)
        if len(toks) > len(self.tokens) or (len(toks) == len(self.tokens) and len(name) > len(self.name)):
            self.name, self.tokens = name, toks


def _surname(tokens: list[str]) -> str:
    return tokens[-1] if tokens else ""


def _same_person(tokens: list[str], person: _Person, nicknames: dict | None = None) -> bool:
    """``tokens`` names ``person`` when they share the surname and one token list contains the other
    (given names may be initials, short forms or nicknames: ``Tom Weiss`` = ``Thomas G. Weiss``)."""
    if not tokens or not person.tokens or person.unnamed:
        return False
    a, b = set(tokens), set(person.tokens)
    if _surname(tokens) == _surname(person.tokens):
        return a <= b or b <= a or _initials_ok(tokens, person.tokens, nicknames)
    # a single first-name label ("Glyn", "Tom") for a person known by full name
    return len(tokens) == 1 and len(person.tokens) > 1 and _given_match(tokens[0], person.tokens[0], nicknames, False)


def _given_match(t: str, u: str, nicknames: dict | None, prefix: bool = True) -> bool:
    """Given names ``t`` and ``u`` are the same: equal, one a prefix of the other (``Ed``/``Edward``,
    initials), or a nickname of the other (``Bill``/``William``)."""
    if t == u or (prefix and (u.startswith(t) or t.startswith(u))):
        return True
    return bool(nicknames) and u in nicknames.get(t, ())


def _near(a: str, b: str) -> bool:
    """Surnames of five letters or more, same first letter, at most one edit apart."""
    if a == b or min(len(a), len(b)) < 5 or abs(len(a) - len(b)) > 1 or a[0] != b[0]:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i + (len(a) == len(b)):] == b[i + 1:]


def _initials_ok(a: list[str], b: list[str], nicknames: dict | None = None) -> bool:
    """``Edward Luck`` / ``E. Luck`` / ``Ed Luck`` / ``Ted Luck`` vs ``Edward C. Luck``: each given
    name of the shorter form is a prefix or a nickname of one in the longer."""
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    for t in short[:-1]:
        if not any(_given_match(t, u, nicknames) for u in long_[:-1]):
            return False
    return True


def _country(info: LabelInfo) -> str | None:
    return info.affiliations[0] if info.affiliations else None


def _intro_role(text: str, person: _Person, vocab: Vocabulary, skip=frozenset()) -> str | None:
    """A role stated where the person is introduced: ``Full Name, the Role of X``."""
    if len(person.tokens) < 2:
        return None
    words = person.name.split()
    pos = text.find(words[-1])
    while pos != -1:
        at = _back(text, pos, words)
        end = _words_end(text, at, words)
        m = _AFTER_NAME.match(text, end) if end is not None else None
        if m and at not in skip:
            role = _role_phrase(m.group("rest"), vocab)
            if role:
                return role
        pos = text.find(words[-1], pos + 1)
    return None


def _introduced_name(text: str, surname: str, vocab: Vocabulary) -> str | None:
    """The one full form ``Given [Middle] Surname`` the text uses for ``surname``, if exactly one."""
    forms = set()
    rx = re.compile(r"((?:[A-Z][\w'’-]*\.?\s){1,3})" + re.escape(surname) + r"\b(?![\w'’-])")
    for m in rx.finditer(text):
        given = m.group(1).split()
        keep = []
        for w in reversed(given):
            fw = fold(w).strip(".")
            if fw in vocab.not_names or fw in vocab.role_words or any(h == (fold(w),) or h == (fw,) for h in vocab.honorifics) \
                    or not NAME_WORD_RE.match(w):
                break
            keep.insert(0, w)
        if keep and not keep[-1].endswith(".") or len(keep) > 1:
            forms.add(" ".join(keep + [surname]))
    return forms.pop() if len(forms) == 1 else None


_AFTER_NAME = re.compile(r"(?:\s+[A-Z]{2,4})?,\s+(?P<rest>[^.;:!?\n]{3,160})")  # "Full Name, the Role of X"


def _words_end(text: str, at: int, words: list[str]) -> int | None:
    """Where ``words``, written from ``at`` with whitespace between them, end (None: they are not
    there): the end of the match of the words' pattern (escaped, joined by ``\\s+``) at ``at``,
    without a pattern compiled for each name."""
    i = at
    for k, w in enumerate(words):
        if k:
            j = i
            while j < len(text) and text[j].isspace():
                j += 1
            if j == i:
                return None
            i = j
        if not text.startswith(w, i):
            return None
        i += len(w)
    return i


def _back(text: str, pos: int, words: list[str]) -> int:
    """Where the full name would start if it ends with the word found at ``pos``."""
    start = pos
    for w in reversed(words[:-1]):
        start = text.rfind(w, max(0, start - len(w) - 3), start)
        if start == -1:
            return pos
    return start


def _role_phrase(rest: str, vocab: Vocabulary) -> str | None:
    rest = rest.split(",")[0]
    rest = re.sub(r"\s*[—–(].*$", "", rest)
    rest = ROLE_STOP_RE.sub("", rest).strip()
    rest = re.sub(r"^(?:the|our|a|an|my)\s+", "", rest, flags=re.I)
    words = rest.split()
    if not words or len(words) > 14:
        return None
    head = [fold(w).strip(".,") for w in words[:4]]
    if not any(w in vocab.role_words or w.split("-")[0] in vocab.role_words for w in head):
        return None
    return rest


def _self_identification(text: str, known: list[_Person], vocab: Vocabulary) -> tuple[str | None, str | None]:
    """(name, role) a speaker gives for themselves in the first part of their turn."""
    head = text[:1200]
    m = SELF_THANKS_RE.match(head)
    candidates = [m.group("name")] if m else []
    candidates += [m.group("name") for m in SELF_NAME_RE.finditer(head)]
    candidates += [m.group("name") for m in SELF_NAME_FROM_RE.finditer(head[:400])]
    candidates += [m.group("name") for m in SELF_NAME_AFFIL_RE.finditer(head[:200])]
    for name in candidates:
        toks = name_tokens(name)
        words = name.split()
        if len(words) < 2 and not name.startswith(("Mr", "Ms", "Dr")):
            continue
        if any(fold(w).strip(".") in vocab.not_names or fold(w).strip(".") in vocab.role_words for w in words):
            continue
        if any(_same_person(toks, p, vocab.nicknames) for p in known):
            continue
        return name, None
    m = SELF_ROLE_RE.search(head)
    if m:
        role = _role_phrase(m.group("role"), vocab)
        if role:
            return None, role
    return None, None


def _addressed_back(text: str, vocab: Vocabulary) -> bool:
    """A short turn spoken to the previous (unnamed) speaker, not handing the floor to someone else."""
    words = re.findall(r"[\w'’-]+", text.lower())
    return (len(words) <= 25 and SECOND_PERSON_RE.search(text) is not None
            and not any(w in vocab.new_speaker_cues for w in words))


def resolve_speakers(doc: Document, lexicon: dict | None = None) -> Document:
    """Set ``speaker_key`` on every turn and fill ``doc.speakers`` (one per person). Returns ``doc``."""
    vocab = vocabulary(lexicon)
    persons: list[_Person] = []
    turn_person: list[_Person | None] = []
    infos = [parse_label(t.label, lexicon) if t.label else None for t in doc.turns]

    # Named people first, fullest forms first, so short forms attach to the right person.
    named = [(i, info) for i, info in enumerate(infos) if info is not None and info.kind in ("person", "single")]
    named += [(i, info.inner) for i, info in enumerate(infos) if info is not None and info.inner is not None]
    order = sorted(named, key=lambda x: (-len(x[1].tokens), x[0]))
    by_turn_name: dict[int, _Person] = {}
    turns_of: dict[int, list[int]] = {}  # id(person) -> sorted turn indexes named so far
    for i, info in order:
        toks = info.tokens
        country = _country(info)
        matches = [p for p in persons if _same_person(toks, p, vocab.nicknames)
                   and not (country and p.country and fold(country) != fold(p.country)
                            and info.honorific and len(toks) == 1)]
        if not matches and not country:
            # a misspelt surname ("Mahinga" for "Mahiga"): one edit away, nothing else contradicts
            matches = [p for p in persons if not p.country and p.tokens and _near(_surname(toks), _surname(p.tokens))
                       and (set(toks[:-1]) <= set(p.tokens[:-1]) or set(p.tokens[:-1]) <= set(toks[:-1]))]
        if len(matches) > 1:
            # ambiguous short form: the candidate who spoke most recently before this turn
            latest = [(_latest_before(turns_of.get(id(p), ()), i), k) for k, p in enumerate(matches)]
            spoke = [x for x in latest if x[0] is not None]
            matches = [matches[max(spoke)[1]]] if spoke else matches[:1]
        if matches:
            person = matches[0]
            person.absorb_name(info.name)
        else:
            person = _Person(name=info.name, tokens=toks, country=country)
            persons.append(person)
        if country and not person.country:
            person.country = country
        if info.affiliations and not person.role:
            person.role = _pick_role(info.affiliations, vocab)
        by_turn_name[i] = person
        bisect.insort(turns_of.setdefault(id(person), []), i)

    # Role labels: who holds them, from nested names, roster lines or "X took the Chair".
    role_holders: dict[str, _Person] = {}
    for m in ROSTER_RE.finditer(doc.text[:20000]):
        _hold_role(role_holders, persons, m.group("role"), m.group("label"), m.group("country"), lexicon)
    header = doc.text[: doc.turns[0].char_start] if doc.turns else ""
    for m in HEADER_ROLE_RE.finditer(header):
        role = m.group("role").strip().lower()
        if role in vocab.roles:
            _hold_role(role_holders, persons, role, m.group("name").strip(), None, lexicon)
    for m in NAME_ROLE_RE.finditer(header):  # "Members present: Lynne Neagle (Chair); ..."
        role = m.group("role").strip().lower()
        if role in vocab.roles:
            _hold_role(role_holders, persons, role, m.group("name"), None, lexicon)
    took_chair: list[tuple[int, str, _Person]] = []  # (offset, role key, person), in text order
    for m in TOOK_CHAIR_RE.finditer(doc.text):
        role = "acting " + m.group("role").lower().replace("vice-", "").replace("vice ", "")
        holder: dict[str, _Person] = {}
        _hold_role(holder, persons, role, m.group("label"), m.group("country"), lexicon)
        if holder:
            took_chair.append((m.start(), role, holder[role]))

    prev: _Person | None = None
    for i, t in enumerate(doc.turns):
        info = infos[i]
        person = None
        if info is None:
            person = prev  # an unlabelled turn continues the previous speaker
        elif info.kind in ("person", "single"):
            person = by_turn_name[i]
        elif info.kind == "role":
            key = info.role.lower()
            if info.inner is not None:
                person = by_turn_name[i]
                role_holders[key] = person
            else:
                # "Mr. X (Country), Vice-President, took the Chair": the latest before this turn
                person = next((p for pos, r, p in reversed(took_chair) if r == key and pos < t.char_start), None)
                person = person or role_holders.get(key)
                if person is None:
                    person = _Person(name=info.role, tokens=[])
                    persons.append(person)
                    role_holders[key] = person
            if person.role_label is None:
                person.role_label = key
                person.role = f"{info.role} ({person.role})" if person.role else info.role
        elif info.kind == "numbered":
            key = fold(info.core)
            person = next((p for p in persons if p.unnamed and p.role_label == key), None)
            if person is None:
                person = _Person(name=info.core, tokens=[], unnamed=True, role_label=key, numbered=True)
                persons.append(person)
        else:  # unnamed: new person unless answering again after a short turn addressed to them
            person = None
            name, role = _self_identification(t.text, [p for p in persons if not p.unnamed], vocab)
            if i >= 2 and infos[i - 2] is not None and infos[i - 2].kind == "unnamed" \
                    and fold(infos[i - 2].core) == fold(info.core) and turn_person[i - 2] is not prev \
                    and _addressed_back(doc.turns[i - 1].text, vocab):
                earlier = turn_person[i - 2]
                if not (name and earlier.name != info.core and fold(earlier.name) != fold(name)):
                    person = earlier
            if person is None:
                person = _Person(name=info.core, tokens=[], unnamed=True, role_label=fold(info.core))
                persons.append(person)
            if person.name == info.core:
                if name:
                    person.name, person.tokens = name, name_tokens(name)
                elif role:
                    person.name, person.role = role[0].upper() + role[1:], role
        if t.label:
            person.add_alias(" ".join(t.label.split()))
            if info is not None and info.inner is not None:
                person.add_alias(info.inner.core)
        turn_person.append(person)
        prev = person

    # A person known only by surname takes the full name the text introduces ("H.E. Mr. Jan Grauls").
    for p in persons:
        if len(p.tokens) == 1 and not p.unnamed and p.role_label is None and p in turn_person:
            full = _introduced_name(doc.text, p.name, vocab)
            if full:
                p.absorb_name(full)

    # Roles stated when a person is introduced in the text take precedence over label parentheticals.
    label_starts = {t.char_start for t in doc.turns if t.label}
    for p in persons:
        if not p.unnamed and len(p.tokens) >= 2:
            role = _intro_role(doc.text, p, vocab, label_starts)
            if role:
                p.role = role if not p.role_label else f"{p.role}; {role}" if p.role else role

    # A role the chair gives when handing over the floor ("The honourable Deputy Prime Minister."),
    # for a named speaker whose label and introductions state none: the role of the chair's short
    # turn right before one of theirs (the first such turn).
    for i in range(1, len(doc.turns)):
        p = turn_person[i]
        if p is None or p.role or p.unnamed or p.role_label or infos[i - 1] is None or infos[i - 1].kind != "role":
            continue
        role = _chair_intro_role(doc.turns[i - 1].text, vocab)
        if role:
            p.role = role

    # Keys: slug of the name, unique; unnamed voices numbered in order of appearance.
    used: set[str] = set()
    counters: dict[str, int] = {}
    speakers: dict[int, Speaker] = {}
    for p in [p for p in dict.fromkeys(tp for tp in turn_person if tp is not None)]:
        if p.unnamed and not p.numbered and p.aliases and p.name == p.aliases[0]:
            base = slug(p.name)
            counters[base] = counters.get(base, 0) + 1
            key = f"{base}-{counters[base]}"
        else:
            key = slug(p.name)
        k, n = key, 2
        while k in used:
            k, n = f"{key}-{n}", n + 1
        used.add(k)
        speakers[id(p)] = Speaker(key=k, name=p.name, role=p.role, aliases=list(p.aliases))
    for t, p in zip(doc.turns, turn_person):
        t.speaker_key = speakers[id(p)].key if p is not None else None
    doc.speakers = list(speakers.values())
    return doc


def _latest_before(indexes: list[int], i: int) -> int | None:
    k = bisect.bisect_left(indexes, i)
    return indexes[k - 1] if k else None


def _chair_intro_role(text: str, vocab: Vocabulary) -> str | None:
    """The role a chair's short turn hands the floor to ("The honourable Deputy Prime Minister."),
    not a member ("the honourable member for X") and not a name."""
    if len(text.split()) > 30:
        return None
    m = CHAIR_INTRO_RE.search(text)
    if not m:
        return None
    role = _role_phrase((m.group("role1") or m.group("role2")).strip(), vocab)
    if not role or fold(role.split()[0]) in ("member", "members", "gentleman", "lady", "colleague"):
        return None
    return role


def _pick_role(affiliations: list[str], vocab: Vocabulary) -> str:
    for a in affiliations:
        if any(fold(w).strip(".,") in vocab.role_words for w in a.split()):
            return a
    return affiliations[0]


def _hold_role(holders: dict, persons: list, role: str, label: str, country: str, lexicon) -> None:
    info = parse_label(f"{label} ({country})" if country else label, lexicon)
    if info is None or info.kind != "person":
        return
    key = role.strip().lower()
    key = key[4:] if key.startswith("the ") else key
    person = next((p for p in persons if _same_person(info.tokens, p, vocabulary(lexicon).nicknames)
                   and (not p.country or not country or fold(p.country) == fold(country))), None)
    if person is None:
        person = _Person(name=info.name, tokens=info.tokens, country=country)
        persons.append(person)
    person.role = person.role or country
    holders.setdefault(key, person)
