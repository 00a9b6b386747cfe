"""Pages of a long transcript: where the document page cuts a document, and which page holds what.

Pure functions on offsets. A page ends at a turn boundary once it holds about ``page_chars``
characters or ``page_spans`` highlights (recommendations, commitments, notes), so the rendered page
stays small whatever the document; a single turn longer than a page is cut at blank space outside
every highlight. Every character belongs to exactly one page and no highlight is ever cut.
"""
from __future__ import annotations

import bisect

PAGE_CHARS = 100_000  # the seed transcript (88k characters) is one page
PAGE_SPANS = 250  # highlights per page: each one is markup, a tooltip and a side-list entry


def merged_intervals(spans: list[dict]) -> list[tuple[int, int]]:
    """The spans' ``[start, end)`` ranges merged where they overlap or touch, sorted."""
    merged: list[list[int]] = []
    for s in sorted((s["start"], s["end"]) for s in spans if s["end"] > s["start"]):
        if merged and s[0] <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], s[1])
        else:
            merged.append(list(s))
    return [tuple(m) for m in merged]


def safe_cut(text: str, limit: int, low: int, covered: list[tuple[int, int]]) -> int:
    """A cut at or before ``limit`` (and after ``low``) outside every covered range, just after
    blank space when there is some; just after the highlight when one fills the whole window."""
    starts = [a for a, _ in covered]
    i = bisect.bisect_right(starts, limit) - 1
    cut = limit
    if i >= 0 and covered[i][0] < limit < covered[i][1]:
        if covered[i][0] <= low:
            return covered[i][1]
        cut = covered[i][0]
    k = bisect.bisect_left(starts, cut) - 1  # the last range starting before the cut ends by it
    floor = max(low, covered[k][1]) if k >= 0 else low
    blank = max(text.rfind(" ", floor, cut), text.rfind("\n", floor, cut))
    return blank + 1 if blank >= floor else cut


def _units(text: str, turns: list[dict], covered: list[tuple[int, int]], span_starts: list[int],
           page_chars: int, page_spans: int) -> list[int]:
    """Boundaries of the pieces pages are packed from: every turn start, plus cuts inside any
    stretch longer than ``page_chars`` or holding more than ``page_spans`` highlights. Sorted,
    from 0 to len(text)."""
    points = sorted({0, len(text), *(t["char_start"] for t in turns if 0 < t["char_start"] < len(text))})
    out = [0]
    for end in points[1:]:
        while True:
            start = out[-1]
            nth = bisect.bisect_left(span_starts, start) + page_spans  # the first highlight too many
            limit = min(start + page_chars, span_starts[nth] if nth < len(span_starts) else len(text))
            if limit >= end:
                break
            cut = safe_cut(text, limit, start + (limit - start) // 2, covered)
            if not start < cut < end:
                break
            out.append(cut)
        out.append(end)
    return out


def page_ranges(text: str, turns: list[dict], spans: list[dict], page_chars: int = PAGE_CHARS,
                page_spans: int = PAGE_SPANS) -> list[tuple[int, int]]:
    """``[(start, end), ...]`` covering ``text`` in order: one range for a short document.

    ``turns`` have ``char_start``; ``spans`` have ``start`` and ``end``.
    """
    if not text:
        return [(0, 0)]
    span_starts = sorted(s["start"] for s in spans)
    units = _units(text, turns, merged_intervals(spans), span_starts, page_chars, page_spans)

    def count(a, b):
        return bisect.bisect_left(span_starts, b) - bisect.bisect_left(span_starts, a)

    ranges, page_start = [], 0
    for a, b in zip(units, units[1:]):
        too_long = b - page_start > page_chars or count(page_start, b) > page_spans
        if too_long and a > page_start:
            ranges.append((page_start, a))
            page_start = a
    ranges.append((page_start, len(text)))
    return ranges


def page_of(ranges: list[tuple[int, int]], offset: int) -> int:
    """The 1-based number of the page holding character ``offset``."""
    starts = [a for a, _ in ranges]
    return max(1, bisect.bisect_right(starts, offset))


def page_numbers(current: int, count: int, around: int = 2) -> list[int | None]:
    """Page numbers for a pager: the first, the last and ``around`` either side of ``current``;
    None where numbers are left out (``[1, None, 4, 5, 6, 7, 8, None, 20]``)."""
    shown = sorted({1, count, *range(max(1, current - around), min(count, current + around) + 1)})
    out: list[int | None] = []
    for n in shown:
        if out and n - out[-1] > 1:
            out.append(None)
        out.append(n)
    return out


def parse_page(value: str | None) -> int:
    """``?page=`` as a number (1 when absent). Raises ValueError naming the parameter."""
    if value is None or value == "":
        return 1
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"page: {value!r} is not a page number (1, 2, ...)")
    return int(value)
