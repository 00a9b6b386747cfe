"""Actors as entities (pure): the specific actor a recommendation names, its group and its kind.

The lexicon's canonical names (``actors:`` in ``loader/lexicon.yml``) are *groups*. An alias
written there with a capital letter names a specific member of its group and is stored as written
(without "the"): "MINUSCA" (group Peacekeeping Missions, kind mission), "Welsh Government" (group
Government). A lower-case alias ("the mission", "peacekeepers"), "the" and one word ("the
Council"), the group's initials ("UNSC") and the aliases listed under an entry's
``group_aliases`` (other names of the group itself: "Minister", "TCCs") are stored as the
group's own name. A one-word generic head that the text names more
closely keeps those words ("the Minister for Education", "the Government of Canada", "the Scottish
Government"). A proper name outside the lexicon is its own group; a State named by a delegate in
a UN body belongs to the Member States.

Several actors asked together ("the Council and troop contributors must ...") are all kept, the
first one first (:func:`coordinated`). A phrase that is no name ("member of the", "your
moderator", "they") is never an actor (:func:`is_name`).

Example::

    rules = rules_for(None)
    entity(rules, "Peacekeeping Missions", "MINUSCA")   # Actor("MINUSCA", "Peacekeeping Missions", "mission")
"""
from __future__ import annotations

import functools
import re

from .model import Actor

UNSPECIFIED = "Unspecified"

_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.I)
_TRAILING_PREP = re.compile(r"\s+(?:of|for|to|in|on|at|by|with|from)$", re.I)
# cut-off or possessive phrases, dangling prepositions and determiners: no name
_NOT_A_NAME = re.compile(r"^(?:your|my|our|his|her|their|its|this|that|these|those)\b|"
                         r"\b(?:of|the|and|or|for|to|in|on|at|by|with|from|a|an)$", re.I)
_PRONOUNS = frozenset("""i me we us you he him she her it they them one everyone everybody someone somebody
    anyone anybody nobody this that these those which who whom what there here myself ourselves yourself
    yourselves himself herself itself themselves""".split())
# "of / for / on" and capitalised words after a generic head: "the Minister for Education"
_NAMED_AFTER = re.compile(r"\s+(?:of|for|on)\s+(?:the\s+)?(?-i:[A-Z])[\w'\-]+"
                          r"(?:\s+(?:and\s+|of\s+|for\s+)?(?-i:[A-Z])[\w'\-]+)*")
# "the" and capitalised words before a generic head: "the Scottish Government"
_NAMED_BEFORE = re.compile(r"\b(?i:the)\s+((?-i:[A-Z])[\w'\-]+(?:\s+(?-i:[A-Z])[\w'\-]+){0,2})\s+$")
_NOT_MODIFIERS = frozenset("""the a an this that these those our their its his her my your all every each any
    some new same other current future previous former next last first""".split())
_DETERMINERS = frozenset("the a an this that these those our their its his her my your all every each any some".split())
# between two actors asked together: ", " / " and " / ", and " / " or " (then an optional article)
_COORD = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|and\s+|or\s+|as\s+well\s+as\s+)", re.I)
# after it: a determiner, or the people of a body ("members of the Secretariat": the Secretariat)
_NEXT_HEAD = re.compile(r"(?:(?:members|representatives|officials|staff)\s+of\s+)?(?:(?:the|all|its|their)\s+)?", re.I)
# the preposition that introduced the first actor, said again before the next ("by the Council and by the parties")
_PREP_BEFORE = re.compile(r"\b(by|with|from|between|for)\s+(?:the\s+|all\s+)?$", re.I)


_SPACES = re.compile(r"[\s\-]+")


@functools.lru_cache(maxsize=8192)  # pure; asked again for the same names
def norm_name(s: str) -> str:
    """Lower case, apostrophes straightened, runs of spaces and hyphens made one space."""
    return _SPACES.sub(" ", s.lower().replace("\u2019", "'")).strip()


_MINOR = frozenset({"of", "the", "and", "on", "for", "in", "to", "a", "an"})


def names_group(alias: str, group: str) -> bool:
    """Whether ``alias`` names the group ``group`` itself rather than one of its members: a
    lower-case alias ("the mission"), "the" and one word ("the Council", "the Ministry"), or the
    group's initials ("MoH" for Ministry of Health, "UNSC" for Security Council)."""
    if alias == alias.lower() or re.fullmatch(r"the\s+\S+", alias.strip(), re.I):
        return True
    initials = "".join(w[0] for w in re.findall(r"[A-Za-z]+", group) if w.lower() not in _MINOR).upper()
    capitals = "".join(c for c in alias if c.isupper())
    return len(initials) >= 2 and " " not in alias.strip() and capitals in (initials, "UN" + initials)


def display_names(actors: dict) -> dict:
    """Normalised alias -> the specific name it is stored under, or None for the group's own name
    (see the module docstring). Later entries win, as for the alias -> group map."""
    out: dict = {}
    for name, spec in actors.items():
        spec = spec or {}
        same = {norm_name(str(a)) for a in spec.get("group_aliases") or ()}
        out[norm_name(str(name))] = None
        seen = {norm_name(str(name))}
        for alias in spec.get("aliases") or ():
            alias = str(alias)
            key = norm_name(alias)
            if key in seen:
                continue  # "Secretary-General", "Secretary General": the first spelling
            seen.add(key)
            if key in same or names_group(alias, str(name)):
                out[key] = None
            else:
                out[key] = _TRAILING_PREP.sub("", _ARTICLE.sub("", " ".join(alias.split())))
    return out


def clean_name(name: str) -> str:
    """Whitespace of line wraps made single and a leading article dropped ("the  Office" -> "Office")."""
    return _ARTICLE.sub("", " ".join(name.split()))


def is_name(name: str | None) -> bool:
    """Whether ``name`` can name an actor: not empty, not a pronoun, not a cut-off or possessive
    phrase ("member of the", "your moderator", "the"), and it has a word of letters."""
    if not name:
        return False
    name = " ".join(name.split())
    words = [w.lower() for w in re.findall(r"[A-Za-z][\w'\-]*", name)]
    if not words or all(w in _PRONOUNS or w in _NOT_MODIFIERS for w in words):
        return False
    return not _NOT_A_NAME.search(name)


def _lookup(rules, text: str) -> tuple[str | None, str | None, bool]:
    """(group, specific name or None, known) for alias ``text``."""
    key = norm_name(text)
    for k in (key, re.sub(r"^the ", "", key)):
        if k in rules.alias_to_actor:
            return rules.alias_to_actor[k], rules.display.get(k), True
    return None, None, False


def _find(span: str, text: str) -> int:
    """Where ``text`` first occurs in ``span`` as whole words, case aside (-1: nowhere)."""
    m = re.search(r"(?<![\w\-])" + re.escape(text) + r"(?![\w\-])", span, re.I)
    return m.start() if m else -1


def _widened(text: str, span: str | None) -> str | None:
    """A generic one-word head ("Minister", "the government") with the capitalised words the span
    names it by around it ("the Minister for Education", "the Scottish Government"), or None."""
    bare = _ARTICLE.sub("", text.strip())
    if not span or " " in bare:
        return None
    at = _find(span, text)
    if at < 0:
        return None
    after = _NAMED_AFTER.match(span, at + len(text))
    if after:
        words = _ARTICLE.sub("", span[at:after.end()].strip())
        return words[0].upper() + words[1:]
    if not re.match(r"the\s", text, re.I):
        before = _NAMED_BEFORE.search(span, max(0, at - 60), at)
        if before and before.group(1).split()[0].lower() not in _DETERMINERS:
            words = f"{before.group(1)} {bare}"
            return words[0].upper() + words[1:]
    return None


def entity(rules, group: str, text: str | None, span: str | None = None, how: str | None = None,
           state_group: str | None = None) -> Actor:
    """The actor a finding names: ``group`` is the lexicon's canonical name the extractor resolved
    (or a proper name outside the lexicon, or Unspecified), ``text`` the words that named it, ``span``
    the recommendation's text (for the words around a generic head); ``state_group``: the group of
    a named State (the Member States when a delegate names it)."""
    if not group or group == UNSPECIFIED:
        return Actor(UNSPECIFIED, UNSPECIFIED, None)
    if group in rules.kinds:  # a group of the lexicon
        kind = rules.kinds.get(group)
        if how == "addressee" and text and is_name(text):
            return Actor(clean_name(text), group, kind)  # the meeting's addressee as given
        if not text:
            return Actor(group, group, kind)
        named_group, specific, known = _lookup(rules, text)
        if known and named_group == group and specific:
            return Actor(specific, group, kind)
        wide = _widened(text, span) if known and named_group == group else None
        return Actor(wide or group, group, kind)
    name = clean_name(group)
    state = norm_name(name) in rules.state_names
    return Actor(name, state_group or name, "member state" if state else None)


def coordinated(rules, first: Actor, text: str | None, span: str) -> list[Actor]:
    """``first`` and the actors named right after ``text`` in ``span`` joined to it by "and" / ","
    / "or" ("Member States and the Secretariat should ..."), each once, in order."""
    out = [first]
    if not text or rules.actor_re is None or first.name == UNSPECIFIED:
        return out
    at = _find(span, text)
    if at < 0:
        return out
    pos = at + len(text)
    prep = _PREP_BEFORE.search(span, max(0, at - 16), at)
    again = re.compile(r"(?:%s\s+)?" % prep.group(1), re.I) if prep else None
    while True:
        joint = _COORD.match(span, pos)
        if not joint or joint.end() == pos:
            break
        start = again.match(span, joint.end()).end() if again else joint.end()
        hit = rules.actor_re.match(span, _NEXT_HEAD.match(span, start).end())
        if hit is None:
            hit = rules.actor_re.match(span, start)
        if not hit or re.match(r"'s\b|\s+of\b", span[hit.end():]):
            break
        group, _, _ = _lookup(rules, hit.group(0))
        other = entity(rules, group or hit.group(0), hit.group(0), span, "alias")
        if all(o.name != other.name for o in out):
            out.append(other)
        pos = hit.end()
    return out
