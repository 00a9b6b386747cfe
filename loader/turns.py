"""Split a transcript into speaker turns, stage notes and title metadata (pure).

Works line by line on the raw text, so every offset indexes into ``source.text`` (``\\r\\n`` kept):

1. Lines are classed: blank; page junk (running headers/footers, job numbers, page numbers,
   bare timestamps, roster lines with dot leaders, Hansard clock times ``(1210)``, and short lines
   with digits repeated on three or more pages, unless the digits are a time as in a timestamped
   label); stage notes (a whole line in ``[...]``, or a short ``(Applause)``), language marks
   (``[Translation]``, ``(spoke in French)`` on its own line: notes that do not end the turn);
   procedural record lines (``The meeting rose at ...``, ``Question put and agreed to.``; a vote,
   division, tally heading or agenda item heading takes the unlabelled record lines after it); text.
2. Speaker labels are found at line starts: ``Label:`` / ``Label :`` inline or alone on the line
   (the speech then starts on the next text line), labels wrapped over two lines inside an open
   parenthesis or broken before a parenthetical (``Ms. X`` / ``(Country) (spoke in Y):``, up to three
   lines), ``**Label:**``, timestamped ``Name (00:01:02):``, hearing-record ``Mr. SMITH.``, the GPO
   text edition's ``Mr. Liman.`` at indented paragraph starts (when used three times or more),
   and, at a paragraph start (or after a full-width line ending a sentence, for a known full
   name), a name printed without a colon when it is a label already used in the document
   (``Prince Zeid I'm going ...``, or alone on its line) or a full name followed by a
   conventional opener (``Herman Schaper Thank you.``). A candidate must look like a person or
   role label (:func:`loader.speakers.parse_label`); a bare one-word name is only a label when it
   is part of a longer label, follows a capitalised word somewhere in the text (``Mr. Luck``) or
   is used as a label twice. Headings such as ``Two:`` or ``The field:`` are not labels, and
   leading labels followed only by a name (``Moderator:`` / ``Warren Hoge, IPI``) are a roster.
3. Text before the first label is the title block: ``When:``/``Where:`` style keys, or the first
   date line (``Friday, 30 January 2026, 10 a.m.``), fill ``title``, ``event_date`` and ``venue``;
   the title is the lines before the keys or the date, joined with `` — ``.
4. A turn runs to the next label or note; unlabelled text after a note is a new turn with no
   label; lower-case continuation paragraphs and page-broken paragraphs stay in the turn. Turn
   text is the verbatim slice after the label, minus any page junk lines inside it.
"""
from __future__ import annotations

import datetime
import itertools
import re
from collections import Counter
from dataclasses import dataclass

from .model import Document, Note, Source, Turn
from .speakers import clean_name, fold, parse_label, vocabulary

LINE_RE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")
_TS = r"[\[(]?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?[\])]?"
COLON_LABEL_RE = re.compile(
    r"^(?P<ts1>" + _TS + r"[ \t]+(?:[-–—][ \t]+)?)?"
    r"(?P<label>[^\s:：\[\]{}<>\"“”*#|\d][^:：\n\[\]{}<>\"“”]{0,200}?)(?P<ts2>[ \t]+" + _TS + r")?[ \t]*[:：](?![/\d])[ \t]*"
)
# the same with quotes or angle brackets in the label (Robert "Bob" Smith:, <Carol White>:), tried
# second and kept only when what it finds is a speaker label
QUOTED_LABEL_RE = re.compile(
    r"^(?P<ts1>" + _TS + r"[ \t]+(?:[-–—][ \t]+)?)?"
    r"(?P<label><?[^\s:：\[\]{}<>\"“”*#|\d][^:：\n\[\]{}]{0,200}?)(?P<ts2>[ \t]+" + _TS + r")?[ \t]*[:：](?![/\d])[ \t]*"
)
# US hearing records: "Mr. SMITH. Thank you." / "The CHAIRMAN. The committee will come to order."
PERIOD_LABEL_RE = re.compile(
    r"^(?P<label>(?:[A-Z][a-z]{1,12}\.?|The)(?: [A-Z][a-z]{1,12}\.?)? (?:[A-Z][A-Za-z]?['’-]?)?[A-Z]{2,}(?:[-'’ ][A-Z]{2,})*)\.[ \t]+(?=\S)"
)
# GPO text edition: "Mr. Liman. Do you ..." / "Chairman Inouye. The ..." / "The Chairman. The ..."
TITLE_PERIOD_LABEL_RE = re.compile(
    r"^(?P<label>(?:[A-Z][a-z]{1,12}\.?(?: [A-Z][a-z]{1,12}\.?)?|The) [A-Z][\w'’-]+(?: [A-Z][\w'’-]+){0,2})"
    r"\.[ \t]+(?=[\"“‘'(\[]?[A-Z0-9])"
)
# "**Name:**" / "**Name**:" markdown emphasis around a label
MD_LABEL_RE = re.compile(r"^(?P<open>\*\*|__)(?P<label>[^*_:\n]{1,120}?)(?:(?P=open)[ \t]*:|[ \t]*:(?P=open))[ \t]*")
LEADING_TS_RE = re.compile(_TS + r"[ \t]*")
# "John Smith  0:05" or "Speaker 1 (00:01:02)" alone on a line: a label; the speech follows
TS_LABEL_LINE_RE = re.compile(r"^(?P<label>[^\d:\[\]][^:\[\]]{1,79}?)[ \t]+" + _TS + r"[ \t]*$")
BRACKET_NOTE_RE = re.compile(r"^\[[^\[\]]{1,200}\]$")
PAREN_NOTE_RE = re.compile(r"^\((?P<body>[A-Za-z][A-Za-z ,;'’/.-]{1,80})\)\.?$")
PAREN_NOTE_STOP_RE = re.compile(r"^(?:spoke|speaking|continued|cont'd|contd|sic|see|inaudible\b.*speaker)", re.I)
WORD_RE = re.compile(r"\S+")
CLOCK_RE = re.compile(r"(?<![\d/.])\d{1,2}:\d{2}(?::\d{2})?(?![\d/])")
DIGIT_RE = re.compile(r"\d+")
LETTER_RE = re.compile(r"[^\W\d_]")
SENTENCE_START_RE = re.compile(r"^[\"“‘'(\[]?[A-Z0-9]")

MONTHS = {m: i + 1 for i, m in enumerate(
    "january february march april may june july august september october november december".split())}
MONTHS.update({m[:3]: i for m, i in list(MONTHS.items())})
MONTHS["sept"] = 9
_MONTH = r"(?P<month>January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
DATE_RES = (
    re.compile(_MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})\b", re.I),
    re.compile(r"\b(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r",?\s+(?P<year>\d{4})\b", re.I),
    re.compile(r"\b(?P<year>\d{4})-(?P<mnum>\d{2})-(?P<day>\d{2})\b"),
)
TITLE_KEY_RE = re.compile(r"^(?P<key>[^:]{1,30}?)\s*:\s*(?P<value>.*)$")

BLANK, JUNK, NOTE, PROC, TEXT = "blank", "junk", "note", "proc", "text"


@dataclass(slots=True)
class _Line:
    start: int  # offset of the first character
    end: int  # offset after the last character (line break excluded)
    raw: str
    text: str  # ``raw`` stripped (once: every step reads it)
    kind: str = TEXT
    block: bool = False  # a procedural line that takes the record lines after it
    inline: bool = False  # a note that does not end the turn ("[Translation]", "(spoke in French)")
    tally: bool = False  # a vote tally heading ("In favour:"): stays inside an open record block

    @property
    def lstart(self) -> int:
        return self.start + (len(self.raw) - len(self.raw.lstrip()))


@dataclass
class _Label:
    line: int  # index of the line the label starts on
    start: int  # char_start
    end: int  # end of the label text (before the colon)
    speech: int  # offset where the speech starts on the label line (== line end if nothing follows)
    last_line: int  # line index the label ends on (wrapped labels)
    label: str
    info: object


def _split_lines(text: str) -> list[_Line]:
    """The lines of ``text``, broken at ``\\r\\n``, ``\\r`` and ``\\n`` (``LINE_RE``; a line break at
    the very end starts no line). Without a ``\\r`` these are the pieces ``str.split("\\n")`` cuts."""
    lines = []
    if "\r" not in text:
        raws = text.split("\n")
        if raws[-1] == "":  # the text ends with a line break (or is empty)
            raws.pop()
        pos = 0
        for raw in raws:
            lines.append(_Line(pos, pos + len(raw), raw, raw.strip()))
            pos += len(raw) + 1
        return lines
    for m in LINE_RE.finditer(text):
        if m.start() == m.end():
            if m.start() >= len(text):
                break
            continue
        raw = m.group().rstrip("\r\n")
        lines.append(_Line(m.start(), m.start() + len(raw), raw, raw.strip()))
    return lines


def _classify(lines: list[_Line], vocab) -> None:
    shapes = Counter()
    for ln in lines:
        t = ln.text
        if t and len(t) <= 100 and DIGIT_RE.search(t) and LETTER_RE.search(t.replace("/", "")) is not None \
                and not CLOCK_RE.search(t):  # a label with a timestamp ("Jane Doe: (04:01)") is not page junk
            shapes[DIGIT_RE.sub("#", t)] += 1
    frequent = {shape for shape, n in shapes.items() if n >= 3}  # on three or more lines: page furniture
    for ln in lines:
        t = ln.text
        if not t:
            ln.kind = BLANK
        elif vocab.page_junk(t):
            ln.kind = JUNK
        elif (frequent and not t.endswith((".", "!", "?")) and len(t.split()) <= 12
              and DIGIT_RE.sub("#", t) in frequent):
            ln.kind = JUNK
        elif vocab.language_notes(t):
            ln.kind, ln.inline = NOTE, True
        elif BRACKET_NOTE_RE.match(t):
            ln.kind = NOTE
        elif (m := PAREN_NOTE_RE.match(t)) and len(m.group("body").split()) <= 6 \
                and not PAREN_NOTE_STOP_RE.match(m.group("body")):
            ln.kind = NOTE
        elif vocab.record_blocks(t):
            ln.kind, ln.block = PROC, True
        elif vocab.tally_headings(t):
            ln.kind, ln.block, ln.tally = PROC, True, True
        elif vocab.procedural(t):
            ln.kind = PROC


def _colon_label(lines: list[_Line], i: int, lexicon, text: str) -> _Label | None:
    """The speaker label starting line ``i``, in any of the printed forms, or None."""
    ln = lines[i]
    lead = len(ln.raw) - len(ln.raw.lstrip())
    body = ln.raw[lead:]
    return (_plain_label(lines, i, lead, body, lexicon, text) or _marked_label(ln, i, lead, body, lexicon)
            or _timestamp_line_label(ln, i, lead, body, lexicon))


def _plain_label(lines: list[_Line], i: int, lead: int, body: str, lexicon, text: str) -> _Label | None:
    """``Label:`` / ``Label :`` / ``Name (00:01:02):``, also wrapped over up to three lines.

    A label wraps when a line leaves a parenthesis open (``Ms. X (Department for ...`` /
    ``Management): ...``) or when the next line goes on with a parenthetical after a complete
    name (``Ms. Schwalger`` / ``(New Zealand): ...``; ``... (Colombia)`` / ``(spoke in Spanish): ...``),
    as narrow columns print it.
    """
    ln = lines[i]
    # both forms need a colon: a line without one is no label of theirs (the patterns would try 200 places)
    m = (COLON_LABEL_RE.match(body) or _quoted_label(body, lexicon)) if ":" in body or "：" in body else None
    last = i
    if m is None or m.group("label").count("(") != m.group("label").count(")"):
        found = _wrapped_label(lines, i, lead, body, lexicon, text)
        if found is None:
            return None
        start, label, speech, last, line_end = found
    else:
        label = m.group("label").rstrip()
        speech = ln.start + lead + m.end()
        after = body[m.end():]
        ts = LEADING_TS_RE.match(after)
        if ts:  # "Jane Doe: (00:05) Text": the speech starts after the timestamp
            speech += ts.end() if after[ts.end():].strip() else len(after)
        start = ln.start + lead + m.start("label")
        line_end = ln.end
    info = parse_label(label, lexicon)
    if info is None:
        return None
    return _Label(i, start, start + len(label), min(speech, line_end), last, label, info)


def _quoted_label(body: str, lexicon) -> re.Match | None:
    m = QUOTED_LABEL_RE.match(body)
    if m is None or not any(c in m.group("label") for c in '<>"“”'):
        return None
    return m if parse_label(m.group("label").rstrip(), lexicon) is not None else None


def _wrapped_label(lines: list[_Line], i: int, lead: int, body: str, lexicon, text: str):
    """(start, label as printed, speech offset, last line, last line end) of a label wrapped over lines."""
    if len(body) > 160 or body.rstrip().endswith((".", ",", ";", "?", "!", ":")):
        return None
    acc = body
    segs = [(0, lines[i].start + lead)]  # (offset in acc, offset in text) of each line
    j = i
    while j + 1 < len(lines) and j - i < 2:
        nxt = lines[j + 1]
        if nxt.kind != TEXT and not (nxt.kind == NOTE and nxt.text.startswith("(")):
            return None
        opened = acc.count("(") > acc.count(")")
        if not opened:
            if not nxt.text.startswith("(") or not _label_head(acc, lexicon):
                return None
        acc_start = len(acc) + 1
        acc = acc + " " + nxt.raw
        segs.append((acc_start, nxt.start))
        j += 1
        m = COLON_LABEL_RE.match(acc)
        if m is None or m.group("label").count("(") != m.group("label").count(")"):
            continue
        if m.end("label") <= acc_start:  # the label ended on an earlier line
            return None

        def at(k: int) -> int:
            base = max(b for b in segs if b[0] <= k)
            return base[1] + k - base[0]

        start = at(m.start("label"))
        label = text[start: at(m.end("label") - 1) + 1].rstrip()
        return start, label, at(m.end()) if m.end() < len(acc) else nxt.end, j, nxt.end
    return None


def _label_head(s: str, lexicon) -> bool:
    """``s`` (one or more printed lines) is a complete person or role label by itself (``Ms. Schwalger``,
    ``Mr. Quintana Aranguren (Colombia)``, ``The President``)."""
    info = parse_label(" ".join(s.split()), lexicon)
    return info is not None and (info.kind == "role" or (info.kind == "person" and info.honorific is not None))


def _marked_label(ln: _Line, i: int, lead: int, body: str, lexicon) -> _Label | None:
    """``**Name:**`` (markdown) or hearing-record ``Mr. SMITH.`` / ``The CHAIRMAN.``."""
    for rx in (MD_LABEL_RE, PERIOD_LABEL_RE):
        m = rx.match(body)
        if m is None:
            continue
        label = m.group("label").strip()
        info = parse_label(label, lexicon)
        if info is None or (rx is PERIOD_LABEL_RE and info.kind != "role" and not info.honorific):
            continue
        start = ln.start + lead + m.start("label")
        return _Label(i, start, start + len(label), min(ln.start + lead + m.end(), ln.end), i, label, info)
    return None


def _timestamp_line_label(ln: _Line, i: int, lead: int, body: str, lexicon) -> _Label | None:
    """``John Smith  0:05`` alone on its line; the speech starts on the next line."""
    m = TS_LABEL_LINE_RE.match(body) if ":" in body else None  # a timestamp has a colon (the pattern
    # would try 80 places in each paragraph)
    if m is None:
        return None
    label = m.group("label").rstrip()
    info = parse_label(label, lexicon)
    if info is None:
        return None
    start = ln.start + lead
    return _Label(i, start, start + len(label), ln.end, i, label, info)


def _paragraph_start(lines: list[_Line], i: int, wrap_width: int = 0, para_indent: int = 0) -> bool:
    """Line ``i`` starts a paragraph: after a blank line or note, after a line that ends a sentence well
    short of the wrap width (hard-wrapped text without blank lines), or when it is indented deeper
    than the line before or by the paragraph indent of the layout (GPO: paragraphs indented, no
    blank lines)."""
    j = i - 1
    while j >= 0 and lines[j].kind == JUNK:
        j -= 1
    if j < 0 or lines[j].kind in (BLANK, NOTE, PROC):
        return True
    prev = lines[j].text
    lead, prev_lead = _indent(lines[i]), _indent(lines[j])
    if lead >= 2 and (lead > prev_lead or lead == para_indent
                      or (lead == prev_lead and prev.endswith((".", "?", "!", "\"", "”")))):
        return True
    return bool(wrap_width) and len(prev) < 0.8 * wrap_width and prev.endswith((".", "?", "!", "\"", "”", ")"))


def _after_sentence(lines: list[_Line], i: int) -> bool:
    """The text line before ``i`` ends a sentence (whatever its length)."""
    j = i - 1
    while j >= 0 and lines[j].kind == JUNK:
        j -= 1
    return j >= 0 and lines[j].kind == TEXT and lines[j].text.endswith((".", "?", "!", "\"", "”"))


def _paragraph_indent(lines: list[_Line]) -> int:
    """The indent that marks paragraph starts in a layout without blank lines (most text lines flush
    left, a tenth or more indented by the same amount), else 0."""
    counts = Counter(_indent(ln) for ln in lines if ln.kind == TEXT)
    total = sum(counts.values())
    indented = [(n, k) for k, n in counts.items() if k >= 2]
    if not indented or total < 20 or counts.get(0, 0) < total / 2:
        return 0
    n, k = max(indented)
    return k if n >= total / 10 else 0


def _indent(ln: _Line) -> int:
    """The width of the line's leading whitespace, tabs every 4 columns (what expanding the tabs of
    the whole line and stripping it on the left takes away; only the lead is expanded)."""
    lead = len(ln.raw) - len(ln.raw.lstrip())
    return len(ln.raw[:lead].expandtabs(4)) if lead else 0


def _wrap_width(lines: list[_Line]) -> int:
    """The wrap width of hard-wrapped text (90th percentile line length), 0 when lines are paragraphs."""
    lengths = sorted(len(ln.text) for ln in lines if ln.kind == TEXT)
    if len(lengths) < 20:
        return 0
    width = lengths[int(len(lengths) * 0.9)]
    return width if width <= 160 else 0


def _known_forms(labels: list[_Label]) -> dict[str, object]:
    forms = {}
    for lab in labels:
        info = lab.info
        forms.setdefault(" ".join(info.core.split()), info)
        if info.name:
            forms.setdefault(info.name, info)
    return forms


def _nocolon_label(lines, i, known: dict, vocab, lexicon, full_only: bool = False) -> _Label | None:
    """A label printed without a colon at the start of line ``i``. With ``full_only`` (a line that
    follows a full-width line ending a sentence), only a known label of two or more words counts."""
    ln = lines[i]
    t = ln.raw.lstrip()
    lead = len(ln.raw) - len(t)
    # the first seven words of the line's first 200 characters: the most any test below looks at
    # (a paragraph is not split into all of its words)
    words = [(m.start(), m.end()) for m in itertools.islice(WORD_RE.finditer(t, 0, 200), 7)]
    # a known label alone on its line, no colon: the speech starts on the next line
    if len(words) <= 6 and not (full_only and len(words) < 2) and clean_name(t.rstrip()) in known:
        cand = t.rstrip()
        return _Label(i, ln.start + lead, ln.start + lead + len(cand), ln.end, i, cand, known[clean_name(cand)])
    # a known label printed without its colon, longest form first
    for n in range(min(6, len(words) - 1), 0, -1):
        cand = t[: words[n - 1][1]]
        if clean_name(cand) in known and not (full_only and n < 2):
            nxt = t[words[n][0]:]
            if SENTENCE_START_RE.match(nxt) and not cand.endswith((",", ".")):
                info = known[clean_name(cand)]
                return _Label(i, ln.start + lead, ln.start + lead + len(cand), ln.start + lead + words[n][0],
                              i, cand, info)
    # an unknown full name followed by a conventional opener ("Herman Schaper Thank you.")
    for n in (3, 2) if not full_only else ():
        if len(words) <= n:
            continue
        cand = t[: words[n - 1][1]]
        opener = t[words[n][0]: words[n][1]].strip(".,!;:").lower()
        if opener not in vocab.openers:
            continue
        info = parse_label(cand, lexicon)
        if info is not None and info.kind == "person" and len(info.tokens) >= 2:
            return _Label(i, ln.start + lead, ln.start + lead + len(cand), ln.start + lead + words[n][0],
                          i, cand, info)
    return None


def _speech_preview(lab: _Label, lines: list[_Line], text: str) -> str:
    """The text right after a label: the rest of its line, else the next text line."""
    rest = text[lab.speech:lines[lab.last_line].end].strip()
    if rest:
        return rest
    for ln in lines[lab.last_line + 1: lab.last_line + 6]:
        if ln.kind == TEXT:
            return ln.text
        if ln.kind not in (BLANK, JUNK):
            break
    return ""


def _drop_roster(labels: list[_Label], lines, text, lexicon) -> list[_Label]:
    """Leading "Moderator: Jane Roe, IPI" / "Speakers:\n\nMr. X" lines list people; they are not turns.

    Until the first label followed by real speech, a label whose text is only a name (and an
    affiliation) belongs to the title block's list of participants.
    """
    out = []
    for k, lab in enumerate(labels):
        preview = _speech_preview(lab, lines, text)
        head = preview.split(",")[0].strip()
        info = parse_label(head, lexicon) if head and len(preview.split()) <= 25 else None
        if info is not None and info.kind == "person" and not re.search(r"[?!]$", preview):
            continue
        out.extend(labels[k:])
        break
    return out


def _titlecase_period_label(lines: list[_Line], i: int, lexicon) -> _Label | None:
    """GPO text edition of a hearing: ``    Mr. Liman. Do you recall ...`` / ``    The Chairman. The
    committee will ...`` at a paragraph start: an honorific and a name, or a role, then a period."""
    ln = lines[i]
    t = ln.raw.lstrip()
    m = TITLE_PERIOD_LABEL_RE.match(t)
    if m is None:
        return None
    label = m.group("label")
    info = parse_label(label, lexicon)
    if info is None or not (info.kind == "role" or (info.kind == "person" and info.honorific is not None)):
        return None
    start = ln.start + len(ln.raw) - len(t)
    return _Label(i, start, start + len(label), min(start + m.end(), ln.end), i, label, info)


def _find_labels(lines: list[_Line], text: str, lexicon, vocab) -> list[_Label]:
    cands: list[_Label] = []
    period_cands: list[_Label] = []
    width = _wrap_width(lines)
    indent = _paragraph_indent(lines)
    i = 0
    while i < len(lines):
        if lines[i].kind == TEXT:
            lab = _colon_label(lines, i, lexicon, text)
            if lab is not None:
                cands.append(lab)
                i = lab.last_line + 1
                continue
            if _paragraph_start(lines, i, width, indent):
                lab = _titlecase_period_label(lines, i, lexicon)
                if lab is not None:
                    period_cands.append(lab)
        i += 1
    # a document printed in that convention uses it for most turns: three or more such labels
    if len(period_cands) >= 3:
        cands = sorted(cands + period_cands, key=lambda lab: lab.start)
    strong = [c for c in cands if c.info.kind != "single"]
    tokens = set()
    for c in strong:
        tokens.update(c.info.tokens)
        if c.info.inner is not None:
            tokens.update(c.info.inner.tokens)
    single_counts = Counter(fold(c.info.name) for c in cands if c.info.kind == "single")
    labels = []
    ok_single: dict[str, bool] = {}
    for c in cands:
        if c.info.kind == "single":
            name = c.info.name
            if name not in ok_single:
                word = fold(name).strip(".")
                ok_single[name] = (word in tokens or single_counts[fold(name)] >= 2
                                   or re.search(r"\b[A-Z][\w'’-]+\.? " + re.escape(name) + r"\b", text) is not None)
            if not ok_single[name]:
                continue
        labels.append(c)
    labels = _drop_roster(labels, lines, text, lexicon)
    if not labels:
        return labels
    # labels printed without a colon, at paragraph starts after the first label
    known = _known_forms(labels)
    taken = {lab.line for lab in labels}
    wrapped = {k for lab in labels for k in range(lab.line + 1, lab.last_line + 1)}  # a label's later lines
    first = labels[0].line
    extra = []
    for i in range(first + 1, len(lines)):
        if i in taken or i in wrapped or lines[i].kind != TEXT:
            continue
        para = _paragraph_start(lines, i, width, indent)
        if not para and not (width and _after_sentence(lines, i)):
            continue
        lab = _nocolon_label(lines, i, known, vocab, lexicon, full_only=not para)
        if lab is not None:
            extra.append(lab)
    return sorted(labels + extra, key=lambda lab: lab.start)


# ---------------------------------------------------------------- title block


def parse_date(value: str) -> str | None:
    """The first date in ``value`` as ISO ``YYYY-MM-DD`` (``Monday, November 9, 2009`` -> ``2009-11-09``)."""
    best = None
    for rx in DATE_RES:
        m = rx.search(value)
        if not m:
            continue
        try:
            month = int(m.group("mnum")) if "mnum" in rx.groupindex else MONTHS[m.group("month").lower()[:3]]
            d = datetime.date(int(m.group("year")), month, int(m.group("day")))
        except (KeyError, ValueError):
            continue
        if best is None or m.start() < best[0]:
            best = (m.start(), d.isoformat())
    return best[1] if best else None


def _title_block(lines: list[_Line], vocab) -> dict:
    """title / event_date / venue from the lines before the first turn."""
    out = {"title": None, "event_date": None, "venue": None}
    paras: list[list[_Line]] = []
    gap = True
    for ln in lines[:80]:
        if ln.kind == BLANK:
            gap = True
        elif ln.kind in (TEXT, PROC):
            if gap or not paras:
                paras.append([])
            paras[-1].append(ln)
            gap = False
    keyed = False
    pending = None
    venue_next = False
    title_lines: list[str] = []
    for para in paras:
        m = TITLE_KEY_RE.match(para[0].text)
        fld = vocab.title_keys.get(m.group("key").lower()) if m else None
        if fld:
            keyed = True
            values = ([m.group("value")] if m.group("value").strip() else []) + [ln.text for ln in para[1:]]
            if values:
                _assign(out, fld, values)
                pending = None
            else:
                pending = fld
            continue
        if pending:
            _assign(out, pending, [ln.text for ln in para])
            pending = None
            continue
        for ln in para:
            t = ln.text
            if out["event_date"] is None and len(t) < 80 and parse_date(t):
                out["event_date"] = parse_date(t)
                venue_next = True
                continue
            if venue_next:
                venue_next = False
                if out["venue"] is None and len(t.split()) <= 6 and not re.search(r"[\d.:;]", t):
                    out["venue"] = t
                    continue
            if out["event_date"] is None and not keyed:
                title_lines.append(t)
    if out["title"] is None and title_lines and (keyed or out["event_date"]):
        out["title"] = " — ".join(" ".join(t.strip("#*_ ").split()) for t in title_lines[:4])
    return out


def _assign(out: dict, fld: str, values: list[str]) -> None:
    values = [" ".join(v.split()) for v in values if v.strip()]
    if fld == "event_date":
        out[fld] = parse_date(" ".join(values)) or out[fld]
    elif fld == "venue":
        out[fld] = ", ".join(values)
    else:
        out[fld] = " ".join(values)


# ---------------------------------------------------------------- turns


def _turn_text(text: str, lines: list[_Line], speech: int, idxs: list[int]) -> tuple[str, int]:
    """Spoken text of a turn from ``speech`` over the text lines ``idxs``; junk lines between them dropped."""
    pieces = []
    seg_start = speech
    prev = idxs[0]
    for j in idxs[1:]:
        if any(lines[k].kind in (JUNK, NOTE) for k in range(prev + 1, j)):
            pieces.append(text[seg_start: lines[prev].end].rstrip())
            seg_start = lines[j].lstart
        prev = j
    end = lines[prev].end
    pieces.append(text[seg_start:end].rstrip())
    out = "\n".join(p for p in pieces if p)
    while end > speech and text[end - 1].isspace():
        end -= 1
    return out.strip(), end


def parse_document(source: Source, lexicon: dict | None = None) -> Document:
    """Turns, notes and title metadata of ``source`` (pure; offsets index into ``source.text``)."""
    text = source.text
    vocab = vocabulary(lexicon)
    doc = Document(id=source.document_id, text=text, source_path=source.source_path, sha256=source.sha256)
    lines = _split_lines(text)
    _classify(lines, vocab)
    labels = _find_labels(lines, text, lexicon, vocab)
    by_line = {lab.line: lab for lab in labels}
    first_line = labels[0].line if labels else None
    if first_line is None:
        # no labels: the header is the first paragraph(s) up to a blank line after a date
        first_line = _body_start(lines)
    else:
        first_line = _preamble_speech(lines, first_line)
    meta = _title_block(lines[:first_line], vocab)
    doc.title, doc.event_date, doc.venue = meta["title"], meta["event_date"], meta["venue"]

    turns: list[Turn] = []
    cur = None  # dict(label, start, speech, idxs)

    def close():
        nonlocal cur
        if cur is None:
            return
        if cur["idxs"]:
            body, end = _turn_text(text, lines, cur["speech"], cur["idxs"])
            if body:
                turns.append(Turn(seq=len(turns) + 1, label=cur["label"], speaker_key=None, text=body,
                                  char_start=cur["start"], char_end=end, speech_start=cur["speech"]))
        cur = None

    i = first_line
    while i < len(lines):
        ln = lines[i]
        lab = by_line.get(i)
        if lab is not None:
            close()
            cur = {"label": lab.label, "start": lab.start, "speech": lab.speech, "idxs": []}
            last = lines[lab.last_line]
            if lab.speech < last.end and text[lab.speech:last.end].strip():
                cur["idxs"].append(lab.last_line)
            else:
                cur["speech"] = None  # speech starts on the next text line
            i = lab.last_line + 1
            continue
        if ln.kind == NOTE and ln.inline and cur is not None:
            # a language or interpretation mark inside a speech: a note, and the turn goes on
            doc.notes.append(Note(char_start=ln.lstart, text=ln.text))
            i += 1
            continue
        if ln.kind in (NOTE, PROC):
            if cur is not None and not cur["idxs"] and cur["label"] and ln.kind == NOTE:
                # "Male Speaker:" with only a note as its content: the note is the turn
                cur["speech"] = ln.lstart
                cur["idxs"].append(i)
                i += 1
                continue
            close()
            end_idx = i
            if ln.block:
                # a record block (vote list, agenda item heading) takes the unlabelled lines after it
                j = i + 1
                while j < len(lines) and j not in by_line and (lines[j].kind in (TEXT, JUNK, BLANK)
                                                               or lines[j].tally):
                    if lines[j].kind in (TEXT, PROC):
                        end_idx = j
                    j += 1
            idxs = [i] + [k for k in range(i + 1, end_idx + 1) if lines[k].kind in (TEXT, PROC)]
            note_text, _ = _turn_text(text, lines, ln.lstart, idxs)
            doc.notes.append(Note(char_start=ln.lstart, text=note_text))
            i = end_idx + 1
            continue
        elif ln.kind == TEXT:
            if cur is None:
                cur = {"label": None, "start": ln.lstart, "speech": ln.lstart, "idxs": []}
            if cur["speech"] is None:
                cur["speech"] = ln.lstart
            cur["idxs"].append(i)
        i += 1
    close()
    # notes in the preamble (before the first turn) are kept too
    for ln in lines[:first_line]:
        if ln.kind == NOTE:
            doc.notes.append(Note(char_start=ln.lstart, text=ln.text))
    doc.notes.sort(key=lambda n: n.char_start)
    doc.turns = turns
    return doc


PREAMBLE_SPEECH_WORDS = 15  # a paragraph before the first label this long, ending a sentence, is speech


def _preamble_speech(lines: list[_Line], first: int) -> int:
    """Where the body starts when paragraphs of speech come right before the first label (the
    opening words of an unlabelled speaker): the first line of those paragraphs, else ``first``.
    The first paragraph of the text is always the title block's."""
    paras: list[list[int]] = []
    for k in range(first):
        if lines[k].kind == BLANK:
            if paras and paras[-1]:
                paras.append([])
            continue
        if not paras:
            paras.append([])
        paras[-1].append(k)
    paras = [p for p in paras if p]
    start = first
    for para in reversed(paras[1:]):
        if not all(lines[k].kind == TEXT for k in para):
            break
        words = " ".join(lines[k].text for k in para).split()
        if len(words) < PREAMBLE_SPEECH_WORDS or not words[-1].endswith((".", "?", "!", "\"", "”", "…")):
            break
        start = para[0]
    return start


def _body_start(lines: list[_Line]) -> int:
    """Without labels: the body starts after a title block that ends with a date line, else at 0."""
    for i, ln in enumerate(lines[:40]):
        if ln.kind == TEXT and len(ln.text) < 80 and parse_date(ln.text):
            j = i + 1
            while j < len(lines) and lines[j].kind != BLANK:
                j += 1
            return j
    return 0
