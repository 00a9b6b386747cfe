"""The extractor's guesses for a span a person picked (pure).

``guess_span`` answers "if this span were a recommendation, what would the extractor say about
it?": the actor, theme and strength, and whether it reads as a commitment instead. It reuses the
extractor's own rules on the one span and never changes what ``extract`` outputs.

Example::

    guess = guess_span(doc.text, doc.turns[1], 120, 190)
    guess["actor"], guess["theme"], guess["strength"], guess["kind"]
"""
from __future__ import annotations

from .actors import entity, is_name
from .extract import (
    UNSPECIFIED,
    _actor_of,
    _alias_hits,
    _strength,
    _theme,
    _WS,
    classify_sentence,
    resolve_definite,
    rules_for,
)
from .model import Turn

DEFAULT_STRENGTH = "should"


def guess_span(text: str, turn: Turn, char_start: int, char_end: int, lexicon: dict | None = None) -> dict:
    """``{"actor", "actor_kind", "actor_group", "actor_text", "theme", "strength", "kind"}`` for
    ``text[char_start:char_end]`` (the actor as the extractor stores it: its specific name and group).

    ``turn`` is the turn the span lies in (its ``speech_start`` bounds the look-back for "they").
    ``kind`` is "commitment" when the extractor's rules read the span as one, else "recommendation".
    """
    rules = rules_for(lexicon)
    span = text[char_start:char_end]
    sentence = _WS.sub(" ", span).replace("\u2019", "'")
    got = classify_sentence(rules, sentence, turn, text, char_start, None)
    kind, actor_name, actor_text, strength, how = "recommendation", UNSPECIFIED, None, None, None
    if got and got[0] == "rec":
        _kind, cue, _m, hit = got
        hit = resolve_definite(rules, text, char_end, hit)
        actor_name, actor_text, strength, how = hit.name, hit.text, cue.strength, hit.how
    elif got and got[0] == "com":
        kind = "commitment"
    if actor_name == UNSPECIFIED:
        hits = _alias_hits(rules, sentence)
        if hits:
            actor_name, actor_text, how = _actor_of(rules, hits[0]), hits[0].group(0), "alias"
    if how == "proper" and not is_name(actor_name):
        actor_name = UNSPECIFIED
    actor = entity(rules, actor_name, actor_text, sentence, how)
    return {
        "actor": actor.name,
        "actor_kind": actor.kind,
        "actor_group": actor.group,
        "actor_text": actor_text,
        "theme": _theme(rules, span),
        "strength": _strength(rules, span, strength or DEFAULT_STRENGTH),
        "kind": kind,
    }
