"""Which stored recommendation each newly extracted one is, on a reload (pure).

A reload must keep every human edit on the sentence it was made on. The old and the new text of
the document are aligned sentence piece by sentence piece (:class:`OffsetMap`), so an old offset
in an unchanged stretch has an exact new offset. Matching is one-to-one and runs in phases, each
only over what the earlier ones left:

1. a new recommendation at the exact new position of a stored row's span;
2. spans in unchanged stretches that overlap (at least half the shorter) in old coordinates: the
   extractor now takes a longer or shorter span of the same words;
3. the same normalized words, in position order: a sentence moved, or one of several copies of
   a repeated sentence whose position changed;
4. recommendations in changed stretches (a corrected transcript): one overlapping the row's span
   (where its words are, or are re-anchored nearby), else, for a row whose own words changed,
   near-identical words (similarity >= 0.8) nearby. Words that were already in the old text are
   not a correction of other words.

Phases 1-3 are dictionary look-ups and sorted scans; phase 4 compares only what is left, within a
window around the expected position.
"""
from __future__ import annotations

import bisect
import difflib
import re
from dataclasses import dataclass

# a piece ends after sentence punctuation (and closing quotes) and its spaces; a run of line
# breaks is a piece of its own
_PIECE_END = re.compile(r"[.!?][\"'\u201d\u2019)\]]*[ \t]+|\n[\s]*")
WINDOW = 4000  # characters either side of the expected position searched in phase 4
FUZZY_RATIO = 0.8
_WORD = re.compile(r"\w+")


def normalize_span(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def _piece_bounds(text: str) -> list[int]:
    bounds = [0]
    for m in _PIECE_END.finditer(text):
        if m.group()[0] == "\n" and m.start() > bounds[-1]:
            bounds.append(m.start())
        bounds.append(m.end())
    if bounds[-1] != len(text):
        bounds.append(len(text))
    return bounds


class OffsetMap:
    """Offsets of the old text in the new one, through the stretches both share verbatim."""

    def __init__(self, old: str, new: str):
        self.identity = old == new
        if self.identity:
            return
        ob, nb = _piece_bounds(old), _piece_bounds(new)
        a = [old[ob[k]:ob[k + 1]] for k in range(len(ob) - 1)]
        b = [new[nb[k]:nb[k + 1]] for k in range(len(nb) - 1)]
        # the shared beginning and end first (most edits are local), the differ on the rest only
        head = 0
        while head < min(len(a), len(b)) and a[head] == b[head]:
            head += 1
        tail = 0
        while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
            tail += 1
        middle = difflib.SequenceMatcher(None, a[head:len(a) - tail], b[head:len(b) - tail]).get_matching_blocks()
        blocks = [(0, 0, head)] + [(i + head, j + head, n) for i, j, n in middle] + [(len(a) - tail, len(b) - tail, tail)]
        # (old start, old end, new start, new end) of each shared stretch, in order
        self.blocks = [(ob[i], ob[i + n], nb[j], nb[j + n]) for i, j, n in blocks if n]
        self.old_starts = [blk[0] for blk in self.blocks]
        self.new_starts = [blk[2] for blk in self.blocks]

    def _find(self, starts, pos, lo_key, hi_key):
        k = bisect.bisect_right(starts, pos) - 1
        if k >= 0 and self.blocks[k][lo_key] <= pos < self.blocks[k][hi_key]:
            return self.blocks[k]
        return None

    def span(self, start: int, end: int) -> tuple[int, int] | None:
        """The new span of old ``[start, end)`` when it lies in one shared stretch, else None."""
        if self.identity:
            return start, end
        blk = self._find(self.old_starts, start, 0, 1)
        if blk is None or end > blk[1]:
            return None
        return blk[2] + start - blk[0], blk[2] + end - blk[0]

    def back(self, start: int, end: int) -> tuple[int, int] | None:
        """The old span of new ``[start, end)`` when it lies in one shared stretch, else None."""
        if self.identity:
            return start, end
        blk = self._find(self.new_starts, start, 2, 3)
        if blk is None or end > blk[3]:
            return None
        return blk[0] + start - blk[2], blk[0] + end - blk[2]

    def approx(self, pos: int) -> int:
        """Where old offset ``pos`` is expected in the new text (exact in a shared stretch)."""
        if self.identity:
            return pos
        k = bisect.bisect_right(self.old_starts, pos) - 1
        if k < 0:
            return min(pos, self.blocks[0][2]) if self.blocks else pos
        o0, o1, n0, n1 = self.blocks[k]
        if pos < o1:
            return n0 + pos - o0
        nxt = self.blocks[k + 1][2] if k + 1 < len(self.blocks) else None
        guess = n1 + pos - o1
        return min(guess, nxt) if nxt is not None else guess


@dataclass
class Stored:
    """What matching needs of a stored recommendation row."""

    id: str
    text: str
    char_start: int | None
    char_end: int | None


@dataclass
class New:
    """What matching needs of a newly extracted recommendation."""

    text: str
    char_start: int
    char_end: int


def _overlap(a_start, a_end, b_start, b_end) -> int:
    return max(0, min(a_end, b_end) - max(a_start, b_start))


def _enough(ov: int, a: tuple[int, int], b: tuple[int, int]) -> bool:
    shorter = min(a[1] - a[0], b[1] - b[0])
    return shorter > 0 and ov * 2 >= shorter


class SpanIndex:
    """Spans by position: the ones overlapping a span, or near an offset, quickly."""

    def __init__(self, items: list[tuple[int, int, int]]):  # (start, end, index)
        self.items = sorted(items)
        self.start_set = {it[0] for it in self.items}
        self.starts = [it[0] for it in self.items]
        self.longest = max((e - s for s, e, _ in self.items), default=0)

    def overlapping(self, start: int, end: int):
        k = bisect.bisect_left(self.starts, start - self.longest)
        while k < len(self.items) and self.items[k][0] < end:
            s, e, i = self.items[k]
            if e > start:
                yield s, e, i
            k += 1

    def near(self, pos: int, window: int):
        k = bisect.bisect_left(self.starts, pos - window)
        while k < len(self.items) and self.items[k][0] <= pos + window:
            yield self.items[k]
            k += 1


def anchor(text: str, quote: str, near: int | None, window: int | None = WINDOW,
           taken: set | None = None) -> tuple[int, int] | None:
    """Where ``quote`` is in ``text`` now: the exact occurrence nearest to ``near`` (not one of the
    ``taken`` starts), else the near-identical span (a corrected word or two) around the longest
    common run; searched within ``window`` characters of ``near`` (the whole text when None)."""
    if not quote:
        return None
    lo, hi = 0, len(text)
    if window is not None and near is not None:
        lo, hi = max(0, near - window), min(len(text), near + len(quote) + window)
    near = lo if near is None else near
    best = None
    pos = text.find(quote, lo, hi)
    while pos >= 0:
        if not taken or pos not in taken:
            if best is None or abs(pos - near) < abs(best - near):
                best = pos
        pos = text.find(quote, pos + 1, hi)
    if best is not None:
        return best, best + len(quote)
    return _fuzzy_anchor(text, quote, lo, hi)


def _fuzzy_anchor(text: str, quote: str, lo: int, hi: int) -> tuple[int, int] | None:
    a, b, size = difflib.SequenceMatcher(None, text, quote, autojunk=False).find_longest_match(lo, hi, 0, len(quote))
    if size < 8:
        return None
    rlo = max(0, a - b - 40)
    region = text[rlo:a - b + len(quote) + 40]
    blocks = [blk for blk in difflib.SequenceMatcher(None, region, quote, autojunk=False).get_matching_blocks()
              if blk.size >= 3]
    if not blocks:
        return None
    start, end = rlo + blocks[0].a, rlo + blocks[-1].a + blocks[-1].size
    ratio = difflib.SequenceMatcher(None, normalize_span(text[start:end]), normalize_span(quote)).ratio()
    return (start, end) if ratio >= FUZZY_RATIO else None


def match(stored: list[Stored], new: list[New], old_text: str | None, new_text: str) -> dict[int, Stored]:
    """Map new recommendation index -> stored row, one-to-one (see the module docstring)."""
    if not stored:
        return {}  # a first load: nothing to pair (and no offset map of the two texts to build)
    omap = OffsetMap(old_text or "", new_text)
    matched: dict[int, Stored] = {}
    used: set[str] = set()

    def pair(i: int, row: Stored) -> None:
        matched[i] = row
        used.add(row.id)

    placed = [r for r in stored if r.char_start is not None and r.char_end is not None]
    projected = {r.id: omap.span(r.char_start, r.char_end) for r in placed}
    # 1. the exact new position of the stored span
    at: dict[tuple[int, int], list[int]] = {}
    for i, rec in enumerate(new):
        at.setdefault((rec.char_start, rec.char_end), []).append(i)
    for r in placed:
        span = projected[r.id]
        for i in at.get(span, ()) if span else ():
            if i not in matched:
                pair(i, r)
                break
    # 2. overlapping spans inside shared stretches, compared in old coordinates
    unchanged = {}
    for i, rec in enumerate(new):
        if i not in matched:
            back = omap.back(rec.char_start, rec.char_end)
            if back is not None:
                unchanged[i] = back
    olds = SpanIndex([(*back, i) for i, back in unchanged.items()])
    for r in placed:
        if r.id in used or projected[r.id] is None:
            continue
        best, best_ov = None, 0
        for s, e, i in olds.overlapping(r.char_start, r.char_end):
            ov = _overlap(s, e, r.char_start, r.char_end)
            if i not in matched and ov > best_ov and _enough(ov, (s, e), (r.char_start, r.char_end)):
                best, best_ov = i, ov
        if best is not None:
            pair(best, r)
    # 3. the same words, paired in position order
    expected = {r.id: (omap.approx(r.char_start) if r.char_start is not None else None) for r in stored}
    _same_words(stored, new, matched, used, expected, pair)
    # 4. corrections: what is left in changed stretches
    _corrections(stored, new, matched, used, expected, projected, old_text or "", new_text, pair)
    return matched


def _same_words(stored, new, matched, used, expected, pair) -> None:
    groups: dict[str, tuple[list, list]] = {}
    for r in stored:
        if r.id not in used:
            groups.setdefault(normalize_span(r.text), ([], []))[0].append(r)
    for i, rec in enumerate(new):
        if i not in matched:
            key = normalize_span(rec.text)
            if key in groups:
                groups[key][1].append(i)
    for rows, idxs in groups.values():
        if not rows or not idxs:
            continue
        rows.sort(key=lambda r: (expected[r.id] is None, expected[r.id] or 0))
        if len(rows) == len(idxs) or len(rows) * len(idxs) > 2500:
            for r, i in zip(rows, idxs):
                pair(i, r)
            continue
        # unequal counts: the closest pairs first
        pairs = sorted(
            (abs((expected[r.id] if expected[r.id] is not None else new[i].char_start) - new[i].char_start), k, i)
            for k, r in enumerate(rows) for i in idxs)
        done_rows, done_idx = set(), set()
        for _dist, k, i in pairs:
            if k not in done_rows and i not in done_idx:
                pair(i, rows[k])
                done_rows.add(k)
                done_idx.add(i)


def _corrections(stored, new, matched, used, expected, projected, old_text, new_text, pair) -> None:
    old_words = {normalize_span(r.text) for r in stored}
    old_words.update(normalize_span(old_text[s:e]) for s, e in _pieces(old_text))
    left = [(rec.char_start, rec.char_end, i) for i, rec in enumerate(new)
            if i not in matched and normalize_span(rec.text) not in old_words]
    rows = [r for r in stored if r.id not in used]
    if not left or not rows:
        return
    spans = SpanIndex(left)
    global_ok = len(left) * len(rows) <= 20000
    for r in rows:
        near = expected[r.id]
        intact = projected.get(r.id)  # its words are unchanged: only a span around them may take it
        if near is None and not global_ok:
            continue
        window = None if near is None else WINDOW
        anchored = intact or anchor(new_text, r.text, near, window)
        best, best_score = None, 0.0
        if anchored is not None:
            for s, e, i in spans.overlapping(*anchored):
                ov = _overlap(s, e, *anchored)
                if i not in matched and _enough(ov, (s, e), anchored) and ov > best_score:
                    best, best_score = i, ov
        if best is None and intact is None:
            target = normalize_span(r.text)
            cands = spans.items if near is None else spans.near(near, WINDOW)
            for _s, _e, i in cands:
                if i in matched:
                    continue
                sm = difflib.SequenceMatcher(None, target, normalize_span(new[i].text))
                if sm.real_quick_ratio() < FUZZY_RATIO or sm.quick_ratio() < FUZZY_RATIO:
                    continue
                ratio = sm.ratio()
                if ratio >= FUZZY_RATIO and ratio > best_score:
                    best, best_score = i, ratio
        if best is not None:
            pair(best, r)


def _pieces(text: str):
    bounds = _piece_bounds(text)
    return zip(bounds, bounds[1:])


def kept_span(row: Stored, omap: OffsetMap, old_text: str, new_text: str, taken: SpanIndex
              ) -> tuple[int, int] | None:
    """Where a stored row that is no longer extracted sits in the new text, or None when its words are
    gone: its own span when that stretch is unchanged; else its exact words nearby, or near-identical
    words that are new to the text (a correction), in either case not where a recommendation of the
    new text (``taken`` spans) already is."""
    if row.char_start is not None and row.char_end is not None:
        span = omap.span(row.char_start, row.char_end)
        if span is not None:
            return span
        near, window = omap.approx(row.char_start), WINDOW
    else:
        near, window = None, None
    found = anchor(new_text, row.text, near, window, taken.start_set)
    if found is None or any(taken.overlapping(*found)):
        return None
    words = new_text[found[0]:found[1]]
    if words != row.text and words in old_text:
        return None  # other words that were there before, not a correction of these
    return found
