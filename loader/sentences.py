"""Split spoken text into sentences with exact character offsets (pure, stdlib only).

Built for transcripts rather than edited prose: abbreviations and initials (``Mr.``, ``Dr.``,
``U.N.``, ``e.g.``, ``Edward C. Luck``) do not end a sentence; ``...``/``…`` and dashes end one
only when a capitalised word follows; closing quotes and brackets stay with their sentence; a
paragraph break followed by a lower-case word (a page-break artifact) or a hard line wrap does not
split a sentence, while a paragraph break followed by a capital does, even without punctuation.

Every span is ``(start, end)`` into the text passed in, trimmed of surrounding whitespace, so
``text[start:end]`` is the sentence verbatim.
"""
from __future__ import annotations

import re

# Words that end with a period but rarely end a sentence (lower-cased, without the period).
ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof st sr jr mt messrs mme mlle hon rt rev gen col lt maj capt cmdr adm sgt cpl
    gov sen rep amb pres supt insp det no nos vol vols art arts para paras sec ch fig figs pp p vs
    etc cf al approx est dept univ corp inc ltd co bros jan feb mar apr jun jul aug sep sept oct nov
    dec e.g i.e a.m p.m u.n u.s u.k e.u viz ibid op""".split()
)
# After these the next capitalised word is still inside the sentence (titles before names).
TITLES = frozenset("mr mrs ms dr prof st sr hon rt rev gen col lt maj capt cmdr adm sgt cpl gov sen rep amb pres messrs mme mlle no nos art arts para paras sec ch fig figs pp p vs cf".split())
# Words that make a dotted acronym ("U.N.") before them a sentence end after all.
SENTENCE_STARTERS = frozenset(
    """the this that these those it we i he she they there our my in on at but and so if when
    as for a an what why how who where let thank thanks however also finally first second""".split()
)

_BOUNDARY = re.compile(  # (the punctuation's first character a class of its own: the search skips to one)
    r"""(?P<punct>[.!?\u2026](?:(?<=[.!?])[.!?]*|(?<=\u2026)|(?<=\.)\s\.\s\.))  # terminal punctuation or an ellipsis
        (?P<close>[\"'\u201d\u2019)\]]*)           # closing quotes / brackets stay with the sentence
        (?P<space>\s+)
        (?=(?P<next>[\"'\u201c\u2018(\[]*\S))""",
    re.X,
)
_PARAGRAPH = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_TERMINAL = frozenset(".!?:;\"'\u201d\u2019)]\u2026")
# a running header/footer line of a paginated record: a date, page "3/38", a document symbol
# ("A/79/PV.29", "S/PV.10100") or a job number ("24-19856"), with a few words at most
_FURNITURE_LINE = re.compile(
    r"[ \t]*(?:\d{1,2}/\d{1,2}/\d{4}|\d{1,3}/\d{1,3}|[A-Z]{1,2}/[\w./-]+|\d{2}-\d{5}|\*\d+\*)(?=[ \t\n])[^\n]{0,80}")
_WORD_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz."
_NEXT_WORD = re.compile(r"[\"'\u201c\u2018(\[]*([A-Za-z]+)")
_ALNUM = re.compile(r"[^\W_]")  # what str.isalnum() accepts
_BLANK_RUN = re.compile(r"\s*")
_LOOKAHEAD = 10000  # characters searched for the next letter or digit after a boundary


def _word_before(text: str, dot: int) -> str | None:
    """The group ``re.search(r"([A-Za-z][A-Za-z.]*)$", text[max(0, dot - 20):dot])`` finds (None:
    no match), without trying each of the 20 positions: the run of letters and periods that ends at ``dot`` (or
    before a newline right before it, where ``$`` also matches), from its first letter."""
    lo = max(0, dot - 20)
    end = dot - 1 if dot > lo and text[dot - 1] == "\n" else dot
    run = text[lo:end]
    run = run[len(run.rstrip(_WORD_CHARS)):].lstrip(".")
    return run or None


def _is_abbreviation(text: str, dot: int) -> tuple[bool, bool]:
    """(is an abbreviation, is a dotted acronym or initial) for the period at ``dot``."""
    word = _word_before(text, dot)
    if not word:
        return False, False
    low = word.lower().rstrip(".")
    if low in ABBREVIATIONS:
        return True, low in ("u.n", "u.s", "u.k", "e.u", "a.m", "p.m", "etc")
    if len(word) == 1 and word.isupper():  # an initial: "Edward C. Luck"
        return True, True
    if "." in word and all(len(p) <= 2 for p in word.split(".") if p):  # other dotted acronyms
        return True, True
    return False, False


def _ends_sentence(text: str, m: re.Match) -> bool:
    punct = m.group("punct")
    nxt_start = m.start("next")
    word_m = _NEXT_WORD.match(text, nxt_start)
    next_word = word_m.group(1) if word_m else ""
    first_m = _ALNUM.search(text, nxt_start, nxt_start + _LOOKAHEAD)
    first = first_m.group() if first_m else ""
    paragraph = "\n" in m.group("space") and _PARAGRAPH.fullmatch(m.group("space")) is not None
    if first and first.islower():
        return False  # "e.g. the", "... and then", a page-break continuation
    if punct == "." and not m.group("close"):
        abbrev, dotted = _is_abbreviation(text, m.start("punct"))
        if abbrev:
            if paragraph:
                return True
            prev = _word_before(text, m.start("punct"))
            low = prev.lower().rstrip(".") if prev else ""
            if low in TITLES or (len(low) == 1 and not dotted):
                return False
            if dotted:  # "the U.N. The Council ..." vs "the U.N. Security Council"
                return next_word.lower() in SENTENCE_STARTERS
            return next_word.lower() in SENTENCE_STARTERS
    return True


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` inside ``text[start:end]``, offsets into ``text``."""
    end = len(text) if end is None else end
    cuts: list[int] = []
    for m in _BOUNDARY.finditer(text, start, end):
        if _ends_sentence(text, m):
            cuts.append(m.start("space"))
    # a paragraph break followed by a capital (or a heading-like line) ends a sentence even
    # without punctuation; one followed by lower case is a page-break continuation, also when a
    # running page header/footer ("29/10/2024 A/79/PV.29", "3/38 24-19856") sits in between
    for m in _PARAGRAPH.finditer(text, start, end):
        if m.end() >= end or text[m.end()].islower():
            continue
        if not _last_char_before(text, m.start()) in _TERMINAL:
            nxt = m.end()
            while True:
                line = _FURNITURE_LINE.match(text, nxt, end)
                if not line:
                    break
                nxt = line.end()
                gap = _PARAGRAPH.match(text, nxt, end) or _BLANK_RUN.match(text, nxt, end)
                nxt = gap.end()
            if nxt > m.end() and nxt < end and text[nxt].islower():
                continue
        cuts.append(m.start())
    spans: list[tuple[int, int]] = []
    pos = start
    for cut in sorted(set(cuts)) + [end]:
        if cut <= pos:
            continue
        s, e = pos, cut
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            spans.append((s, e))
        pos = cut
    return spans


def _last_char_before(text: str, pos: int) -> str:
    """The last non-space character before ``pos`` ("" when there is none), without copying."""
    while pos > 0 and text[pos - 1].isspace():
        pos -= 1
    return text[pos - 1] if pos > 0 else ""


def sentences(text: str, start: int = 0, end: int | None = None) -> list[str]:
    """The sentences themselves (convenience for tests and eyeballing)."""
    return [text[s:e] for s, e in split_sentences(text, start, end)]
