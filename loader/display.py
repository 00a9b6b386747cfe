"""What a person reads instead of raw values: excerpts cut at word boundaries, cue explanations,
column labels and short document titles (pure functions; the plugin registers them as filters).

Example::

    tail_words("the force commander must act", 18)   # -> "commander must act"
    cue_label("need_noun")                          # -> 'States a need ("there is a need for ...")'
    short_title("IPI POLICY FORUM — DPKO/OCHA JOINTLY-COMMISSIONED ...")
"""
from __future__ import annotations

import re

from .lexicon import load_lexicon

_WORD = re.compile(r"\w", re.UNICODE)


def head_words(text: str, limit: int) -> str:
    """The first ``limit`` characters of ``text``, cut back to the end of a whole word."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    if _WORD.match(text[limit]) and _WORD.match(cut[-1]):
        space = cut.rfind(" ")
        if space > limit // 3:
            cut = cut[:space]
    return cut.rstrip()


def tail_words(text: str, limit: int) -> str:
    """The last ``limit`` characters of ``text``, moved forward to the start of a whole word."""
    if len(text) <= limit:
        return text
    start = len(text) - limit
    cut = text[start:]
    if _WORD.match(text[start - 1]) and _WORD.match(cut[0]):
        space = cut.find(" ")
        if 0 <= space < limit - limit // 3:
            cut = cut[space + 1:]
    return cut.lstrip()


_CUE_LABELS: dict | None = None


def cue_labels(lexicon: dict | None = None) -> dict:
    """``{cue name: explanation}`` from the lexicon's ``cue_labels`` mapping (loaded once)."""
    global _CUE_LABELS
    if lexicon is not None:
        return dict(lexicon.get("cue_labels") or {})
    if _CUE_LABELS is None:
        _CUE_LABELS = dict(load_lexicon().get("cue_labels") or {})
    return _CUE_LABELS


def cue_label(cue: str | None, lexicon: dict | None = None) -> str:
    """A sentence saying why the extractor listed a row; the name itself, made readable, when the
    lexicon has no explanation for it."""
    if not cue:
        return ""
    label = cue_labels(lexicon).get(cue)
    return label or cue.replace("_", " ").capitalize()


def humanize(name: str | None) -> str:
    """``due_date`` -> ``Due date``; the fallback label of a column or field."""
    if not name:
        return ""
    name = re.sub(r"_id$", "", name)
    return name.replace("_", " ").capitalize()


SHORT_TITLE_CHARS = 70
# Lower-case in a sentence-cased title even though they are short and all capitals.
_SMALL_WORDS = {"a", "an", "and", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with"}


def short_title(title: str | None, limit: int = SHORT_TITLE_CHARS) -> str | None:
    """A title short enough for a table cell or a select box: the part after a forum prefix
    ("IPI POLICY FORUM — ...") when there is one, sentence case when it is shouted, at most
    ``limit`` characters cut at a word."""
    if not title:
        return title
    parts = [p.strip() for p in re.split(r"\s+[—–]\s+", title) if p.strip()]
    text = parts[-1] if len(parts) > 1 and len(parts[-1]) > 12 else title.strip()
    letters = [c for c in text if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) / len(letters) > 0.8:
        text = _sentence_case(text)
    if len(text) > limit:
        text = head_words(text, limit - 1).rstrip(" ,;:—–-") + "…"
    return text


def _sentence_case(text: str) -> str:
    """``'PROTECTION OF CIVILIANS' MANDATES IN UN PEACEKEEPING`` -> ``'Protection of civilians'
    mandates in UN peacekeeping``: short all-capital words (UN, DPKO/OCHA) stay as they are."""
    out = []
    first = True
    for word in re.split(r"(\s+)", text):
        core = re.sub(r"[^\w/]", "", word)
        if not core or word.isspace():
            out.append(word)
            continue
        if (len(core) <= 4 and core.isupper() and core.lower() not in _SMALL_WORDS) or "/" in core:
            out.append(word)
        elif first:
            m = re.match(r"^(\W*)(\w)(.*)$", word, re.S)
            out.append(m.group(1) + m.group(2).upper() + m.group(3).lower() if m else word)
        else:
            out.append(word.lower())
        first = False
    return "".join(out)
