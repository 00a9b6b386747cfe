"""Literal prefilters for regular expressions: do not run a regex on text it cannot match.

``requirement(pattern)`` reads a pattern's parse tree and returns a formula over literal strings
(lower case) that holds for every text the pattern matches anywhere (look-arounds included): a
set of literals (one of them occurs), an ``and`` or an ``or`` of such formulas, or None (nothing
required: a pattern made only of word classes and spaces). ``fold(text)`` lowers a text so that
every character a case-insensitive regex takes for an ASCII letter becomes that letter; the
formula is tested on folded text. The test is conservative: it may say "maybe" for a text
without a match, never "no" for a text with one.

``LiteralIndex`` holds the formulas of many regexes: ``scan`` finds every literal of all of them
in a whole document in one pass (Aho-Corasick), and ``views`` tells, for one sentence of it,
which regexes may match there and where. Most sentences contain the literals of only a few of the
lexicon's cues. ``AnalysisCache`` keeps the analysis of the patterns between runs, and
``LazyPattern`` compiles a pattern the first time a text calls for it.
"""
from __future__ import annotations

import bisect
import contextlib
import hashlib
import itertools
import json
import os
import re
import sys
import tempfile
import threading
from pathlib import Path
from re import _constants as C
from re import _parser

import ahocorasick

STRONG, KEEP = 3, 2  # of the requirements of a sequence, keep the two whose literals are longest (3+)
LIMIT = 64  # most strings kept for the exact set of a sub-pattern ("organi[sz]ation" -> 2)
RARE_CHARS = frozenset("?!;")  # one-character literals worth testing; other single letters occur everywhere
# characters (other than ASCII letters) that a case-insensitive regex matches to an ASCII letter
_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})
_FOLD_CHARS = "\u0130\u0131\u017f\u212a"
_EMPTY = frozenset({""})
_REPEATS = {C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", C.MAX_REPEAT)}


def fold(text: str) -> str:
    """``text`` lowered for a literal test: ASCII letters of any case (and the few non-ASCII
    letters a case-insensitive regex takes for them) become lower-case ASCII; same length."""
    if not text.isascii() and any(ch in text for ch in _FOLD_CHARS):
        text = text.translate(_FOLD)
    return text.lower()


# ---------------------------------------------------------------- formulas


def _minimal(strings) -> frozenset:
    """Drop strings that contain another one of the set (that one occurs whenever they do)."""
    kept: list[str] = []
    for s in sorted(set(strings), key=len):
        if not any(k in s for k in kept):
            kept.append(s)
    return frozenset(kept)


def _shortest_heads(strings) -> frozenset:
    """Drop strings that start with another one of the set (a match starts with that one too);
    unlike ``_minimal``, a string that only contains another is kept: "devoted" is no "voted"."""
    kept: list[str] = []
    for s in sorted(set(strings), key=len):
        if not any(s.startswith(k) for k in kept):
            kept.append(s)
    return frozenset(kept)


def _lits(strings):
    """The formula "one of ``strings`` occurs" (None when one of them is empty or too common)."""
    strings = _minimal(strings)
    if not strings or any(len(s) < 2 and s not in RARE_CHARS for s in strings):
        return None
    return ("lits", strings)


def _weight(formula) -> int:
    """How selective a formula is: the length of the shortest literal that can satisfy it."""
    kind, body = formula
    if kind == "lits":
        return min(map(len, body))
    weights = [_weight(p) for p in body]
    return max(weights) if kind == "and" else min(weights)


def _and(parts):
    """All of ``parts`` hold; only the most selective ones are kept (fewer literals to look for)."""
    out = []
    for p in parts:
        for q in (p[1] if p and p[0] == "and" else (p,)):
            if q is not None and q not in out:
                out.append(q)
    if not out:
        return None
    strong = [q for q in out if _weight(q) >= STRONG]
    out = sorted(strong, key=_weight, reverse=True)[:KEEP] if strong else [max(out, key=_weight)]
    return out[0] if len(out) == 1 else ("and", tuple(out))


def _or(parts):
    if any(p is None for p in parts):
        return None
    flat, strings = [], set()
    for p in parts:
        for q in (p[1] if p[0] == "or" else (p,)):
            if q[0] == "lits":
                strings |= q[1]
            elif q not in flat:
                flat.append(q)
    if strings:
        flat.insert(0, ("lits", _minimal(strings)))
    return flat[0] if len(flat) == 1 else ("or", tuple(flat))


# ---------------------------------------------------------------- reading the parse tree


def _char(code: int) -> str | None:
    return chr(code).lower() if code < 128 else None  # a non-ASCII literal may fold to other letters


def _sequence(items):
    """(exact, formula) for a sequence: exact = every string it can match (when few, else None)."""
    parts = []
    acc: set | frozenset = _EMPTY
    whole = True
    for op, av in items:
        exact, req = _node(op, av)
        parts.append(req)
        if exact is not None and len(acc) * len(exact) <= LIMIT:
            acc = {a + b for a in acc for b in exact}
            continue
        whole = False
        parts.append(_lits(acc))
        acc = exact if exact is not None and len(exact) <= LIMIT else _EMPTY
    parts.append(_lits(acc))
    return (frozenset(acc) if whole else None), _and(parts)


_SHARED: dict = {}  # id(sub-tree) -> (sub-tree, result): branches of one pattern share pieces (see LiteralIndex)


def _node(op, av):
    if op is C.SUBPATTERN or op is C.BRANCH or op in _REPEATS:
        hit = _SHARED.get(id(av))
        if hit is not None and hit[0] is av:
            return hit[1]
        result = _node_of(op, av)
        _SHARED[id(av)] = (av, result)
        return result
    return _node_of(op, av)


def _node_of(op, av):
    if op is C.LITERAL:
        ch = _char(av)
        return (frozenset({ch}) if ch else None), None
    if op is C.IN:
        chars = set()
        for iop, iav in av:
            ch = _char(iav) if iop is C.LITERAL else None
            if ch is None:
                return None, None  # a range, a category, a negation
            chars.add(ch)
        return (frozenset(chars) if len(chars) <= 8 else None), None
    if op is C.AT or op is C.ASSERT_NOT:
        return _EMPTY, None  # zero width; a negative look-around requires nothing
    if op is C.ASSERT:
        return _EMPTY, _sequence(av[1])[1]  # zero width, but what it looks at is in the text
    if op is C.SUBPATTERN:
        return _sequence(av[3])
    if op is getattr(C, "ATOMIC_GROUP", None):
        return _sequence(av)
    if op is C.BRANCH:
        parts = [_sequence(alt) for alt in av[1]]
        exact = None
        if all(e is not None for e, _ in parts):
            union = frozenset().union(*(e for e, _ in parts))
            exact = union if len(union) <= LIMIT else None
        return exact, _or([req for _, req in parts])
    if op in _REPEATS:
        low, high, body = av
        exact, req = _sequence(body)
        if low == 0:
            return ((exact | _EMPTY) if exact is not None and high == 1 else None), None
        return (exact if low == high == 1 else None), req
    return None, None  # any character, a category, a group reference: no literal


def _prefix_sequence(items) -> set:
    """Strings one of which starts every match of the sequence ("" among them: unknown)."""
    acc: set | frozenset = _EMPTY
    for op, av in items:
        exact, _ = _node(op, av)
        if exact is not None and len(acc) * len(exact) <= LIMIT:
            acc = {a + b for a in acc for b in exact}
            continue
        head = _prefix_node(op, av)
        if len(acc) * len(head) <= LIMIT:
            acc = {a + b for a in acc for b in head}
        break
    return set(acc)


def _prefix_node(op, av) -> set:
    if op is C.SUBPATTERN:
        return _prefix_sequence(av[3])
    if op is C.BRANCH:
        return set().union(*(_prefix_sequence(alt) for alt in av[1]))
    if op in _REPEATS and av[0] >= 1:
        return _prefix_sequence(av[2])
    return set(_EMPTY)


def _parse(pattern, flags):
    """The parse tree of ``pattern`` (a tree passed in is returned as it is); None if unreadable."""
    if not isinstance(pattern, str):
        return pattern
    try:
        return _parser.parse(pattern, flags)
    except (re.error, TypeError, ValueError, RecursionError):
        return None


def anchors(pattern, flags: int = 0) -> frozenset | None:
    """Lower-case strings one of which starts every match of ``pattern`` (a string or a parse
    tree; None: unknown or too short to be worth looking for)."""
    tree = _parse(pattern, flags)
    try:
        heads = _shortest_heads(_prefix_sequence(tree)) if tree is not None else None
    except (TypeError, ValueError, AttributeError, IndexError, RecursionError):
        return None
    if not heads or any(len(h) < 2 and h not in RARE_CHARS for h in heads):
        return None
    return heads


def requirement(pattern, flags: int = 0):
    """The literal formula every match of ``pattern`` (a string or a parse tree) satisfies
    (None: nothing required)."""
    tree = _parse(pattern, flags)
    try:
        return _sequence(tree)[1] if tree is not None else None
    except (TypeError, ValueError, AttributeError, IndexError, RecursionError):
        return None


def literals_of(formula) -> set:
    if formula is None:
        return set()
    if formula[0] == "lits":
        return set(formula[1])
    return set().union(*(literals_of(p) for p in formula[1]))


def necessary(formula) -> frozenset:
    """Literals one of which occurs whenever ``formula`` holds (its most selective part)."""
    kind, body = formula
    if kind == "lits":
        return body
    if kind == "and":
        return necessary(max(body, key=_weight))
    return frozenset().union(*(necessary(p) for p in body))


def _tester(formula):
    """``formula`` (over literal ids) as a function of the set of present ids."""
    kind, body = formula
    if kind == "lits":
        return lambda present: not body.isdisjoint(present)
    first, *rest = [_tester(p) for p in body]
    for nxt in rest:
        if kind == "and":
            first = (lambda a, b: lambda present: a(present) and b(present))(first, nxt)
        else:
            first = (lambda a, b: lambda present: a(present) or b(present))(first, nxt)
    return first


def _rest_sets(formula, need: frozenset, ids: dict):
    """The literal id sets, besides ``need``, that a formula's top level requires (one literal
    of each must occur; None: nothing more to test); deeper alternatives are not tested."""
    if formula is None or formula[0] != "and":
        return None
    sets = tuple(frozenset(ids[s] for s in p[1]) for p in formula[1] if p[0] == "lits" and p[1] != need)
    return sets or None


def holds(formula, present) -> bool:
    """Whether ``formula`` (over literal ids or strings) holds for the set ``present``."""
    if formula is None:
        return True
    kind, body = formula
    if kind == "lits":
        return not body.isdisjoint(present)
    if kind == "and":
        return all(holds(p, present) for p in body)
    return any(holds(p, present) for p in body)


# ---------------------------------------------------------------- many regexes over one document


def _automaton(literals: list):
    """An Aho-Corasick automaton of ``literals``, each one's value (its length - 1, its id)."""
    if not literals:
        return None
    automaton = ahocorasick.Automaton()
    for i, lit in enumerate(literals):
        automaton.add_word(lit, (len(lit) - 1, i))
    automaton.make_automaton()
    return automaton


def _to_ids(formula, ids):
    if formula is None:
        return None
    kind, body = formula
    if kind == "lits":
        return ("lits", frozenset(ids[s] for s in body))
    return (kind, tuple(_to_ids(p, ids) for p in body))


_GLOBAL_FLAG = re.compile(r"\(\?[aiLmsux]+\)")


def split_alternatives(pattern: str, flags: int = 0) -> list[str]:
    """The top-level alternatives of ``pattern`` (``a|b(c|d)`` -> ``a``, ``b(c|d)``), or the
    pattern alone when splitting could change what it matches (groups, global flags, empty
    alternatives)."""
    return [part for part, _ in _alternatives(pattern, flags)]


def branches_of(pattern: str, flags: int = 0) -> list[str]:
    """``split_alternatives``, with each alternative that has no anchors (see ``anchors``) and is
    of the form ``P(?:A|B)S`` (``P`` matching in one way only: assertions and single characters)
    distributed into ``PAS``, ``PBS``, again inside those: ``\\b(?:we|[a-z]+s)\\s+must`` ->
    ``\\bwe\\s+must``, ``\\b[a-z]+s\\s+must``. Tried in that order, the branches find exactly the
    matches of the pattern: at each position the alternatives and the ways of ``S`` are tried in
    the same order. A branch with anchors is tried only where they occur."""
    return [part for part, _ in _branches(pattern, flags)]


def _syntax(pattern: str):
    """(position, character, depth before it) of each unescaped ``(``, ``)`` and ``|`` outside
    character classes."""
    depth, i, in_class = 0, 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            i += 2 if pattern[i + 1:i + 2] == "]" else 3 if pattern[i + 1:i + 3] == "^]" else 1
            continue
        elif ch in "(|)":
            yield i, ch, depth
            depth += 1 if ch == "(" else -1 if ch == ")" else 0
        i += 1


def _alternatives(pattern: str, flags: int) -> list[tuple[str, object]]:
    """(source, parse tree) of each top-level alternative (see ``split_alternatives``)."""
    bars = [i for i, ch, depth in _syntax(pattern) if ch == "|" and depth == 0]
    parts = [pattern[a + 1:b] for a, b in zip([-1, *bars], [*bars, len(pattern)])]
    if len(parts) == 1 or _GLOBAL_FLAG.search(pattern):
        return [(pattern, _parse(pattern, flags))]
    trees = [_parse(p, flags) for p in parts]
    if any(not _splittable(t) for t in trees):
        return [(pattern, _parse(pattern, flags))]  # a capture group (numbering would change), an empty alternative
    return list(zip(parts, trees))


def _splittable(tree) -> bool:
    return tree is not None and tree.state.groups <= 1 and tree.getwidth()[0] > 0


BRANCH_LIMIT = 400  # most branches one pattern is distributed into
_LOOKAROUNDS = ("?=", "?!", "?<=", "?<!")  # groups in the part before the distributed one (one-way: checked)
_ONE_WAY = {C.AT, C.ASSERT, C.ASSERT_NOT, C.LITERAL, C.NOT_LITERAL, C.IN, C.ANY}  # no backtracking into these


def _branches(pattern: str, flags: int) -> list[tuple[str, object]]:
    """(source, parse tree) of each branch (see ``branches_of``)."""
    out = []
    for part, tree in _alternatives(pattern, flags):
        out.extend(_distribute(part, tree, flags, BRANCH_LIMIT) or [(part, tree)])
        if len(out) > BRANCH_LIMIT:
            return _alternatives(pattern, flags)
    return out


def _distribute(part: str, tree, flags: int, budget: int):
    """``part`` (one alternative, ``tree`` its parse tree) as the branches of its first group
    ``(?:...)`` when what precedes the group matches in one way only; None when not."""
    if _GLOBAL_FLAG.search(part) or not _splittable(tree) or anchors(tree) is not None:
        return None  # (a part with anchors is tried only at them already: kept whole)
    opened, bars = None, []
    for i, ch, depth in _syntax(part):
        if opened is None:
            if ch == "(" and depth == 0:
                if part[i + 1:i + 3] == "?:":
                    opened = i
                elif not part.startswith(_LOOKAROUNDS, i + 1):
                    return None  # a capture group, a group with flags: what precedes it is checked below
        elif ch == "|" and depth == 1:
            bars.append(i)
        elif ch == ")" and depth == 1:
            head, inner, tail = part[:opened], part[opened + 3:i], part[i + 1:]
            break
    else:
        return None
    if not bars or tail[:1] in ("?", "*", "+", "{"):
        return None
    head_tree = _parse(head, flags)
    if head_tree is None or not all(op in _ONE_WAY for op, _ in head_tree):
        return None
    tail_tree = _parse(tail, flags)
    if tail_tree is None:
        return None
    cuts = [b - opened - 3 for b in bars]
    alts = [inner[a + 1:b] for a, b in zip([-1, *cuts], [*cuts, len(inner)])]
    out = []
    for alt in alts:
        alt_tree = _parse(alt, flags)
        if alt_tree is None:
            return None
        # the branch's tree from its three pieces (no capture group in any: the part has none)
        sub = _parser.SubPattern(head_tree.state, [*head_tree.data, *alt_tree.data, *tail_tree.data])
        if not _splittable(sub):
            return None
        source = head + alt + tail
        out.extend(_distribute(source, sub, flags, budget - len(out)) or [(source, sub)])
        if len(out) > budget:
            return None
    return out


HEAD_LENGTH = 3  # characters of each head ``match_heads`` looks for
HEAD_LIMIT = 4096  # most heads kept for a pattern (past that a position gives no head)
LONG_TEXT = 5000  # characters: ``AtHeads`` keeps the heads of the last text this long apart


def match_heads(pattern, flags: int = 0, length: int = HEAD_LENGTH) -> frozenset | None:
    """Lower-case strings (of at most ``length`` characters) one of which starts, in folded text,
    every match of ``pattern`` (a string or a parse tree); unlike ``anchors``, as many as the
    pattern has (an alternation of hundreds of names) and an optional prefix ("(?:the\\s+)?")
    adds its own heads to those after it. None: a match may start with anything."""
    tree = _parse(pattern, flags)
    if tree is None:
        return None
    try:
        heads = _heads(list(tree), length)
    except (TypeError, ValueError, AttributeError, IndexError, RecursionError):
        return None
    if "" in heads:
        return None
    return _shortest_heads(heads)


def _heads(items: list, k: int) -> set:
    """Prefixes (at most ``k`` characters) one of which starts every match of the sequence
    ``items``; "" where nothing is known (a class of characters, the end of the sequence)."""
    if k == 0 or not items:
        return {""}
    (op, av), rest = items[0], items[1:]
    if op is C.AT or op is C.ASSERT or op is C.ASSERT_NOT:
        return _heads(rest, k)  # zero width
    if op is C.LITERAL or op is C.IN:
        exact, _ = _node(op, av)
        if exact is None or "" in exact:
            return {""}
        tails = _heads(rest, k - 1)
        return _capped({c + t for c in exact for t in tails})
    if op is C.SUBPATTERN:
        return _heads(list(av[3]) + rest, k)
    if op is getattr(C, "ATOMIC_GROUP", None):
        return _heads(list(av) + rest, k)
    if op is C.BRANCH:
        return _capped(set().union(*(_heads(list(alt) + rest, k) for alt in av[1])))
    if op in _REPEATS:
        low, _, body = av
        first = _heads(list(body), k)  # what follows the first repetition is not known here
        return _capped(first | _heads(rest, k)) if low == 0 else first
    return {""}


def _capped(heads: set) -> set:
    return heads if len(heads) <= HEAD_LIMIT else {""}


_UNTRIED = object()


def matches_at(match, starts: list, text: str, pos: int, end: int, first: bool = False,
               tried: dict | None = None) -> list:
    """The matches of ``match`` (a compiled regex's ``match``) tried at the sorted positions
    ``starts`` within ``[pos, end)``, left to right and not overlapping, as ``finditer`` would give
    them when no match can start elsewhere (``first``: only the first one). ``tried``: the match
    at each ``(end, position)`` already tried in this text, looked up and filled in."""
    out = []
    for i in range(bisect.bisect_left(starts, pos), len(starts)):
        p = starts[i]
        if p >= end:
            break
        if p < pos:
            continue
        if tried is None:
            m = match(text, p, end)
        else:
            m = tried.get((end, p), _UNTRIED)
            if m is _UNTRIED:
                m = tried[(end, p)] = match(text, p, end)
        if m:
            if first:
                return [m]
            out.append(m)
            pos = m.end() if m.end() > m.start() else m.end() + 1
    return out


class AtHeads:
    """A compiled pattern whose every match starts with one of a few literal heads
    (``match_heads``), searched only where a head occurs: one Aho-Corasick pass over the (folded)
    text finds them, and the pattern is matched there in order, as ``finditer`` would from each
    position on (a position where no head starts holds no match). The same matches as the
    pattern's own ``finditer`` / ``search`` / ``sub``; other attributes are the pattern's. The
    heads of the last few texts are kept (a sentence is searched in several windows).
    ``of(regex)``: the wrapper, or the regex itself when its matches have no heads."""

    KEEP = 256  # texts whose heads (and matches tried) are kept: a sentence is searched in several
    # windows, and a recommendation's text again for its theme, strength and links

    def __init__(self, regex: re.Pattern, heads: frozenset):
        self.regex = regex
        self.heads = heads
        self.automaton = _automaton(sorted(heads))
        self._starts: dict = {}  # id(text) -> (text, sorted positions where a head starts, matches tried)
        self._long: tuple | None = None  # the same for the last long text

    @classmethod
    def of(cls, regex):
        if regex is None:
            return None
        heads = match_heads(regex.pattern, regex.flags)
        return cls(regex, heads) if heads else regex

    def __getattr__(self, name):
        if name.startswith("__") or name in ("regex", "heads", "automaton", "_starts", "_long"):
            raise AttributeError(name)  # not the pattern's: while unpickling, before __init__
        return getattr(self.regex, name)

    def __reduce__(self):
        return (AtHeads, (self.regex, self.heads))  # the automaton and kept heads are made again

    def __deepcopy__(self, memo):
        return AtHeads(self.regex, self.heads)

    def _entry(self, text: str) -> tuple:
        """(text, the positions where a head starts, {(end, position): the match tried there})
        for ``text`` (a whole document's kept apart from the short texts: a document is searched
        in windows between the sentences' searches)."""
        hit = self._long if len(text) >= LONG_TEXT else self._starts.get(id(text))
        if hit is not None and hit[0] is text:
            return hit
        # no head starts another (``_shortest_heads``): one head at most starts at a position
        found = sorted([end - back for end, (back, _) in self.automaton.iter(fold(text))])
        hit = (text, found, {})
        if len(text) >= LONG_TEXT:
            self._long = hit
        else:
            if len(self._starts) >= self.KEEP:
                self._starts.clear()
            self._starts[id(text)] = hit
        return hit

    def starts(self, text: str) -> list:
        """The positions in ``text`` where a head starts."""
        return self._entry(text)[1]

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None):
        end = len(text) if endpos is None else min(endpos, len(text))
        return iter(self._matches(text, pos, end))

    def _matches(self, text: str, pos: int, end: int, first: bool = False) -> list:
        """``matches_at`` over the heads of ``text``, each position's match with this ``end``
        looked up when an earlier search of the same text tried it (a match is the same object)."""
        _, starts, tried = self._entry(text)
        return matches_at(self.regex.match, starts, text, pos, end, first, tried)

    def search(self, text: str, pos: int = 0, endpos: int | None = None):
        end = len(text) if endpos is None else min(endpos, len(text))
        found = self._matches(text, pos, end, True)
        return found[0] if found else None

    def findall(self, text: str, pos: int = 0, endpos: int | None = None):
        if self.regex.groups:
            return self.regex.findall(text, pos, len(text) if endpos is None else endpos)
        return [m.group(0) for m in self.finditer(text, pos, endpos)]

    def sub(self, repl, text: str, count: int = 0):
        if count or not isinstance(repl, str) or "\\" in repl:
            return self.regex.sub(repl, text, count)
        parts, at = [], 0
        for m in self._matches(text, 0, len(text)):
            parts.append(text[at:m.start()])
            parts.append(repl)
            at = m.end()
        if not parts:
            return text
        parts.append(text[at:])
        return "".join(parts)

    def __repr__(self) -> str:
        return f"AtHeads({self.regex!r}, {len(self.heads)} heads)"


class LazyPattern:
    """A regular expression compiled the first time it is run (``pattern`` and ``flags`` are
    known before): a lexicon's cue that a run's text never calls for is never compiled.
    ``compile()`` compiles it now (raises ``re.error``, as ``re.compile``)."""

    __slots__ = ("pattern", "flags", "_compiled")
    compilations = 0  # patterns compiled by all instances (a count for tests and benchmarks)

    def __init__(self, pattern: str, flags: int = 0):
        if not isinstance(pattern, str):
            raise TypeError(f"a pattern must be a string, not {type(pattern).__name__}")
        self.pattern, self.flags, self._compiled = pattern, flags, None

    @property
    def compiled(self) -> re.Pattern:
        return self._compiled if self._compiled is not None else self.compile()._compiled

    def compile(self) -> LazyPattern:
        if self._compiled is None:
            self._compiled = re.compile(self.pattern, self.flags)
            LazyPattern.compilations += 1
        return self

    @property
    def is_compiled(self) -> bool:
        return self._compiled is not None

    def finditer(self, *args):
        return self.compiled.finditer(*args)

    def search(self, *args):
        return self.compiled.search(*args)

    def match(self, *args):
        return self.compiled.match(*args)

    def fullmatch(self, *args):
        return self.compiled.fullmatch(*args)

    def findall(self, *args):
        return self.compiled.findall(*args)

    def sub(self, *args):
        return self.compiled.sub(*args)

    def __repr__(self) -> str:
        return f"LazyPattern({self.pattern!r}, {self.flags})"


class Narrowed:
    """A compiled pattern to run on one sentence, with ``finditer`` / ``search`` like
    ``re.Pattern``'s. With ``starts`` (the sentence positions where one of the pattern's anchors
    occurs) the pattern is tried only there: as every match starts with an anchor, this finds the
    same matches as a scan of every position. ``where``: the arguments of
    ``LiteralIndex.anchor_starts`` (with the index first), which gives ``starts`` when the pattern
    is first run (a pattern the sentence never runs costs nothing more). ``branches``: (index,
    regex index, branch bits, sentence) of a regex reduced to some of its branches
    (``LiteralIndex.narrowed``), worked out when the pattern is first run, instead of ``regex``."""

    __slots__ = ("_regex", "_starts", "where", "branches")

    def __init__(self, regex: re.Pattern | None, starts: list | None = None, where: tuple | None = None,
                 branches: tuple | None = None):
        self._regex, self._starts, self.where, self.branches = regex, starts, where, branches

    @property
    def regex(self):
        if self.branches is not None:
            index, r, bits, sentence = self.branches
            self._regex = index.narrowed(r, tuple(b for b in index.of_regex[r] if bits >> b & 1), sentence)
            self.branches = None
        return self._regex

    @regex.setter
    def regex(self, value) -> None:
        self._regex, self.branches = value, None

    @property
    def starts(self) -> list | None:
        if self.where is not None:
            index, *args = self.where
            self._starts, self.where = index.anchor_starts(*args), None
        return self._starts

    def finditer(self, s: str, pos: int = 0, endpos: int | None = None):
        end = len(s) if endpos is None else min(endpos, len(s))
        starts = self.starts
        if starts is None:
            return self.regex.finditer(s, pos, end)
        if not starts:
            return iter(())  # no anchor of a possible branch occurs: no match, nothing to compile
        return iter(self._anchored(s, pos, end))

    def _anchored(self, s: str, pos: int, end: int, first: bool = False) -> list:
        """The matches tried at the anchors in ``[pos, end)``, in order (``first``: the first one)."""
        regex = self.regex
        match = (regex.compiled if isinstance(regex, LazyPattern) else regex).match
        return matches_at(match, self.starts, s, pos, end, first)

    def search(self, s: str, pos: int = 0, endpos: int | None = None):
        end = len(s) if endpos is None else min(endpos, len(s))
        starts = self.starts
        if starts is None:
            return self.regex.search(s, pos, end)
        found = self._anchored(s, pos, end, True) if starts else None
        return found[0] if found else None


class AtAnchors:
    """A branch's regex searched in one sentence only at the positions where one of its anchors
    occurs (every match of the branch starts at one): ``search`` finds what the regex's own
    ``search`` finds there."""

    __slots__ = ("regex", "index", "branch", "sentence", "_starts")

    def __init__(self, regex: LazyPattern, index: LiteralIndex, branch: int, sentence: _Sentence):
        self.regex, self.index, self.branch, self.sentence, self._starts = regex, index, branch, sentence, None

    def search(self, s: str, pos: int = 0, endpos: int | None = None):
        end = len(s) if endpos is None else min(endpos, len(s))
        starts = self._starts
        if starts is None:
            starts = self._starts = self.index.branch_starts(self.branch, self.sentence)
        i = bisect.bisect_left(starts, pos)
        if i == len(starts) or starts[i] >= end:
            return None
        match = self.regex.compiled.match
        for p in starts[i:]:
            if p >= end:
                break
            m = match(s, p, end)
            if m:
                return m
        return None


class Merged:
    """The matches of an alternation ``B1|B2|...`` (branches of one pattern, none matching an empty
    string) from the branches' own regexes, without compiling the alternation: from each position
    on, the leftmost match of any branch, the first branch in order among those starting there
    (what the alternation tries at that position, in that order)."""

    __slots__ = ("regexes",)

    def __init__(self, regexes: list):
        self.regexes = regexes

    def finditer(self, s: str, pos: int = 0, endpos: int | None = None):
        end = len(s) if endpos is None else endpos
        regexes = self.regexes
        nexts = [rx.search(s, pos, end) for rx in regexes]
        while True:
            best = None
            for m in nexts:
                if m is not None and (best is None or m.start() < best.start()):
                    best = m
            if best is None:
                return
            yield best
            pos = best.end()
            for k, m in enumerate(nexts):
                if m is not None and m.start() < pos:
                    nexts[k] = regexes[k].search(s, pos, end)

    def search(self, s: str, pos: int = 0, endpos: int | None = None):
        return next(self.finditer(s, pos, endpos), None)


def analyse(pattern: str, flags: int = 0) -> list[tuple[str, object, frozenset | None]]:
    """(source, literal formula, anchors) of each branch of ``pattern`` (``branches_of``,
    ``requirement``, ``anchors``): what ``LiteralIndex`` needs of a pattern."""
    try:
        parts = _branches(pattern, flags)
        heads = [anchors(tree) if tree is not None else None for _, tree in parts]
        formulas = [requirement(tree) if tree is not None else None for _, tree in parts]
    finally:
        _SHARED.clear()
    return [(part, f, h) for (part, _), f, h in zip(parts, formulas, heads)]


def _encode(formula):
    if formula is None:
        return None
    kind, body = formula
    return [kind, sorted(body)] if kind == "lits" else [kind, [_encode(p) for p in body]]


def _decode(data):
    if data is None:
        return None
    kind, body = data
    return (kind, frozenset(body)) if kind == "lits" else (kind, tuple(_decode(p) for p in body))


class AnalysisCache:
    """``analyse`` results kept between runs in a JSON file, as Python keeps compiled modules: the
    analysis of the lexicon's cue patterns takes ~170 ms, reading it back a few. The file name
    holds a digest of this module's source and of the Python version (a change of either starts
    a new file); entries are keyed by pattern and flags. A file that cannot be read or written
    is left alone: it is only a cache, everything is worked out again without it.

    ``default()``: the file in ``$RECTRACK_CACHE_DIR`` (empty: no cache), else
    ``$XDG_CACHE_HOME/rectrack``, else ``~/.cache/rectrack``.
    """

    KEEP = 4000  # entries at most; past that only the patterns of the latest index are kept

    def __init__(self, path: Path | None):
        self.path, self.entries, self.used, self.dirty = path, None, set(), False
        self._lock = threading.Lock()  # Datasette extracts in several threads (guess.json)

    @classmethod
    def default(cls) -> AnalysisCache:
        """The cache of this process for the default file (one instance per file)."""
        path = cls.default_path()
        if path not in _CACHES:
            _CACHES[path] = cls(path)
        return _CACHES[path]

    @staticmethod
    def default_path() -> Path | None:
        folder = os.environ.get("RECTRACK_CACHE_DIR")
        if folder is None:
            base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
            if not os.path.isabs(base):
                return None  # no home directory ("~" left as it is, a relative HOME): no cache, not ./~/
            folder = os.path.join(base, "rectrack")
        if not folder:
            return None
        digest = hashlib.sha256(Path(__file__).read_bytes() + sys.version.encode()).hexdigest()[:16]
        return Path(folder) / f"prefilter-{digest}.json"

    def known(self, pattern: str, flags: int) -> bool:
        """Whether ``pattern`` has an entry (written only for a pattern that compiled: see ``put``)."""
        return f"{flags}:{pattern}" in self._load()

    def _load(self) -> dict:
        with self._lock:
            if self.entries is None:
                entries = {}
                if self.path is not None:
                    try:
                        data = json.loads(self.path.read_text(encoding="utf-8"))
                        if isinstance(data, dict):
                            entries = data
                    except (OSError, ValueError):
                        pass
                self.entries = entries
        return self.entries

    def get(self, pattern: str, flags: int):
        key = f"{flags}:{pattern}"
        self.used.add(key)
        entry = self._load().get(key)
        try:
            return [(part, _decode(f), frozenset(h) if h is not None else None) for part, f, h in entry]
        except (TypeError, ValueError):
            return None  # absent, or not what this module writes

    def put(self, pattern: str, flags: int, parts) -> None:
        """Keep the analysis of ``pattern``; the caller has compiled it (``compile_rules`` does)."""
        key = f"{flags}:{pattern}"
        entry = [[part, _encode(f), sorted(h) if h is not None else None] for part, f, h in parts]
        entries = self._load()
        with self._lock:
            self.used.add(key)
            entries[key] = entry
            self.dirty = True

    def save(self) -> None:
        """Write the entries when some were added (atomically: a reader sees the old or the new file)."""
        if not self.dirty or self.path is None:
            return
        entries = self._load()
        with self._lock:  # a copy: another thread may add entries while this one writes
            self.dirty = False
            entries = dict(entries) if len(entries) <= self.KEEP else {
                k: v for k, v in entries.items() if k in self.used}
        tmp = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=self.path.name, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(entries, f)
            os.replace(tmp, self.path)
        except OSError:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)


_CACHES: dict = {}  # path -> the AnalysisCache of this process


class SentenceViews:
    """``LiteralIndex.views`` of one sentence: a read-only mapping {regex index: ``Narrowed``} of
    the regexes that may match there, in order. The work is done for the regexes asked for: a
    ``Narrowed`` is made when first asked for, and the branches whose literals need a test of
    the rest of their formula are tested only when their regex is (a sentence asks for its
    cancels only when one of its cues matched). ``between(lo, hi)``: the (index, ``Narrowed``)
    pairs of the regexes ``lo <= r < hi``."""

    __slots__ = ("index", "sentence", "_keys", "_made")

    def __init__(self, index: LiteralIndex, sentence: _Sentence):
        self.index, self.sentence, self._keys, self._made = index, sentence, None, {}

    def keys(self) -> list:
        if self._keys is None:
            self._keys = self.index.possible_regexes(self.sentence, 0, len(self.index.regexes))
        return self._keys

    def __iter__(self):
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self.keys())

    def __contains__(self, r) -> bool:
        bits = self.index.regex_bits
        if not (isinstance(r, int) and 0 <= r < len(bits)):
            return False
        sentence = self.sentence
        if sentence.checked & bits[r]:
            sentence.resolve(self.index, bits[r])
        return bool(sentence.possible & bits[r])

    def __getitem__(self, r) -> Narrowed:
        view = self._made.get(r)
        if view is None:
            if r not in self:
                raise KeyError(r)
            view = self._made[r] = self.index.view(r, self.sentence)
        return view

    def get(self, r, default=None):
        return self[r] if r in self else default

    def values(self) -> list:
        return [self[r] for r in self.keys()]

    def items(self) -> list:
        return [(r, self[r]) for r in self.keys()]

    def between(self, lo: int, hi: int) -> list:
        """(index, ``Narrowed``) of the regexes ``lo <= r < hi`` that may match in the sentence."""
        return self.index.runs(self.sentence, lo, hi, self._made)

    def matches(self, s: str, lo: int, hi: int, skip=frozenset()) -> list:
        """(index, its matches in ``s``) of the regexes ``lo <= r < hi`` (not in ``skip``) that
        match there, in order (``LiteralIndex.matches``)."""
        return self.index.matches(self.sentence, s, lo, hi, self._made, skip)


def _bits(ids) -> int:
    """A set of small ints as the bits of one int."""
    out = 0
    for i in ids:
        out |= 1 << i
    return out


class _Sentence:
    """One sentence's view of the occurrences: its possible branches (bits), the branches still
    to be tested (``checked``: one of their literals occurs, the rest of their formula is tested
    by ``resolve``), its distinct literal ids, and (worked out once, when a view first needs them)
    the positions of each anchoring literal."""

    __slots__ = ("possible", "checked", "distinct", "at", "lits", "start", "_present", "_positions")

    def __init__(self, possible: int, checked: int, distinct: set, at: list, lits: list, start: int):
        self.possible, self.checked, self.distinct, self.at, self.lits, self.start = possible, checked, distinct, at, lits, start
        self._present = self._positions = None

    def resolve(self, index: LiteralIndex, mask: int) -> None:
        """Test the rest of the formula of the ``checked`` branches in ``mask``: those whose
        literals all occur become possible (those with one rest set at once: ``_present`` holds
        the literals of the rest sets that occur and the branches with one rest set that one of
        them satisfies)."""
        todo = self.checked & mask
        self.checked ^= todo
        if self._present is None:  # (a prefix of a literal that occurs occurs)
            closure, satisfies = index.rest_closure_bits, index.rest_branch_bits
            present = satisfied = 0
            for i in self.distinct & index.resting:
                present |= closure[i]
                satisfied |= satisfies[i]
            self._present = (present, satisfied)
        present, satisfied = self._present
        self.possible |= todo & satisfied
        todo &= index.several_rest_bits
        rest = index.rest_bits
        while todo:  # from the highest bit (the order does not matter)
            b = todo.bit_length() - 1
            low = 1 << b
            todo ^= low
            for x in rest[b]:
                if not x & present:
                    break
            else:
                self.possible |= low

    def positions(self, anchoring: frozenset) -> dict:
        """{literal id: its positions (from the sentence start)} for the ids in ``anchoring``."""
        if self._positions is None:
            out: dict[int, list] = {}
            start = self.start
            for p, i in zip(self.at, self.lits):
                if i in anchoring:
                    if i in out:
                        out[i].append(p - start)
                    else:
                        out[i] = [p - start]
            self._positions = out
        return self._positions


class LiteralIndex:
    """Which of many regexes may match a stretch of text, from the literals each one requires.

    A regex whose pattern is a top-level alternation is indexed branch by branch. ``scan(folded)``
    finds every occurrence of every literal in a whole (folded) text in one pass; ``views(occ,
    start, end)`` maps each regex that may match inside ``text[start:end]`` (a sentence) to a
    ``Narrowed`` pattern to run there: the alternation of only those of its branches whose
    literals occur (a branch whose literals are absent matches nowhere in the text, so the
    narrower alternation finds exactly the same matches, in the same order), tried only where
    one of their anchors occurs when every such branch has anchors.
    """

    def __init__(self, regexes, cache: AnalysisCache | None = None):
        self.regexes = list(regexes)
        self.branches = []  # (regex index, pattern source)
        self.of_regex = []  # regex index -> its branch ids
        self.analysed = 0  # patterns analysed here (the others were read from ``cache``)
        formulas, heads = [], []
        for r, rx in enumerate(self.regexes):
            parts = cache.get(rx.pattern, rx.flags) if cache is not None else None
            if parts is None:
                parts = analyse(rx.pattern, rx.flags)
                self.analysed += 1
                if cache is not None:
                    cache.put(rx.pattern, rx.flags, parts)
            self.of_regex.append(tuple(range(len(self.branches), len(self.branches) + len(parts))))
            self.branches.extend((r, part) for part, _, _ in parts)
            formulas.extend(f for _, f, _ in parts)
            heads.extend(h for _, _, h in parts)
        if cache is not None:
            cache.save()
        # a branch is tried when its formula holds: one of its necessary literals occurs (trigger)
        # and the rest of its top level holds (rest); then only where one of its anchors occurs
        literals = sorted(set().union(*(literals_of(f) for f in formulas), *(h or () for h in heads)))
        self.ids = ids = {lit: i for i, lit in enumerate(literals)}
        self.literals = literals
        self.always = frozenset(b for b, f in enumerate(formulas) if f is None)
        self.length = [len(lit) for lit in literals]
        self.longest = max(self.length, default=0)
        # every literal that is a prefix of another one occurs wherever the longer one does
        self.prefixes = {ids[lit]: tuple((ids[lit[:k]], k) for k in range(1, len(lit) + 1) if lit[:k] in ids)
                         for lit in literals}
        self.closure = [frozenset(i for i, _ in self.prefixes[n]) for n in range(len(literals))]
        trigger: dict[int, set] = {}
        self.rest = []  # branch -> the literal id sets its top level needs besides its trigger (all must occur)
        for b, f in enumerate(formulas):
            need = necessary(f) if f is not None else frozenset()
            for lit in need:
                trigger.setdefault(ids[lit], set()).add(b)
            self.rest.append(_rest_sets(f, need, ids))
        # literal id -> the branches one of its prefixes (itself included) triggers
        self.triggers = [frozenset().union(*(trigger.get(i, ()) for i in self.closure[n])) for n in range(len(literals))]
        self.anchorable = [hs is not None for hs in heads]
        anchor_ids = [frozenset(ids[h] for h in hs) if hs else frozenset() for hs in heads]
        # literal id -> the branches one of its prefixes (itself included) is an anchor of
        longer: dict[int, list] = {}  # literal id -> the literals it is a prefix of (itself included)
        for n, prefixes in enumerate(self.closure):
            for i in prefixes:
                longer.setdefault(i, []).append(n)
        anchored_by: list[set] = [set() for _ in literals]
        for b, heads_of_b in enumerate(anchor_ids):
            for i in heads_of_b:
                for n in longer[i]:
                    anchored_by[n].add(b)
        self.anchored_by = [frozenset(x) for x in anchored_by]
        # literal id -> the branches it triggers that need nothing more / whose rest is to be tested
        self.sure = [frozenset(b for b in t if self.rest[b] is None) for t in self.triggers]
        self.checked = [t - sure for t, sure in zip(self.triggers, self.sure)]
        # branch -> the literal ids one of whose prefixes (itself included) is an anchor of it
        anchor_lits: list[set] = [set() for _ in self.branches]
        for n, bs in enumerate(self.anchored_by):
            for b in bs:
                anchor_lits[b].add(n)
        self.anchor_lits = [frozenset(x) for x in anchor_lits]
        self.regex_anchor_lits = [frozenset().union(*(self.anchor_lits[b] for b in bs)) for bs in self.of_regex]
        self.fully_anchorable = [all(self.anchorable[b] for b in bs) for bs in self.of_regex]
        self.anchoring = frozenset().union(*self.anchor_lits)  # the literal ids that anchor some branch
        self.of_branch = [r for r, _ in self.branches]
        # the same sets as bits of ints, for ``views`` (one ``|`` per literal of a sentence)
        self.always_bits = _bits(self.always)
        self.sure_bits = [_bits(x) for x in self.sure]
        self.checked_bits = [_bits(x) for x in self.checked]
        self.closure_bits = [_bits(x) for x in self.closure]
        self.triggering = frozenset(n for n, t in enumerate(self.triggers) if t)  # literal ids that trigger a branch
        # literal id -> the ids of its prefixes (itself included) that a rest set has (bits), for
        # ``_Sentence.resolve``; ``resting``: the literal ids with one
        rest_lits = _bits(i for sets in self.rest if sets for x in sets for i in x)
        self.rest_closure_bits = [x & rest_lits for x in self.closure_bits]
        self.resting = frozenset(n for n, x in enumerate(self.rest_closure_bits) if x)
        self.rest_bits = [None if x is None else tuple(_bits(y) for y in x) for x in self.rest]
        # a branch with one rest set is tested for all at once: literal id -> the branches whose
        # set one of its prefixes (itself included) is in (bits); ``several_rest``: the others
        needed_by: dict[int, int] = {}  # literal id -> the branches whose one rest set holds it (bits)
        for b, sets in enumerate(self.rest):
            if sets is not None and len(sets) == 1:
                for i in sets[0]:
                    needed_by[i] = needed_by.get(i, 0) | 1 << b
        self.rest_branch_bits = [0] * len(self.closure)
        for n in self.resting:
            for i in self.closure[n]:
                self.rest_branch_bits[n] |= needed_by.get(i, 0)
        self.several_rest_bits = _bits(b for b, x in enumerate(self.rest_bits) if x is not None and len(x) > 1)
        self.regex_bits = [_bits(bs) for bs in self.of_regex]
        self.regex_start = [0, *itertools.accumulate(map(len, self.of_regex))]  # r -> its first branch id
        self.below_regex = [(1 << start) - 1 for start in self.regex_start[:-1]]  # r -> the bits of the branches before it
        self.unanchorable_bits = _bits(b for b, ok in enumerate(self.anchorable) if not ok)
        self.automaton = _automaton(literals)
        self._narrow: dict[int, re.Pattern] = {}  # branch -> its own compiled regex
        self._match: list = [None] * len(self.regexes)  # regex -> its compiled ``match`` (``_matcher``)

    def scan(self, folded: str) -> tuple[list, list]:
        """(starts, literal ids) of the longest literal starting at each position of ``folded``
        (one Aho-Corasick pass: every occurrence of every literal, in order of their ends; at
        one start a later end is a longer literal, the shorter ones being its prefixes)."""
        if self.automaton is None:
            return [], []
        longest = {end - back: lit for end, (back, lit) in self.automaton.iter(folded)}
        starts = sorted(longest)
        return starts, list(map(longest.__getitem__, starts))

    def present(self, occurrences: tuple[list, list], start: int, end: int) -> dict:
        """{literal id: its positions (from ``start``)} for the literals inside ``[start, end)``."""
        starts, found = occurrences
        out: dict[int, list] = {}
        for j in range(bisect.bisect_left(starts, start), bisect.bisect_left(starts, end)):
            at = starts[j]
            for lit, length in self.prefixes[found[j]]:
                if at + length <= end:
                    out.setdefault(lit, []).append(at - start)
        return out

    def _inside(self, occurrences: tuple[list, list], start: int, end: int) -> tuple[list, list]:
        """(positions, literal ids) of the occurrences inside ``[start, end)``: one that runs past
        ``end`` stands for its longest prefix literal that does not (-1: none)."""
        starts, found = occurrences
        j0, j1 = bisect.bisect_left(starts, start), bisect.bisect_left(starts, end)
        at, lits = starts[j0:j1], found[j0:j1]
        length, prefixes = self.length, self.prefixes
        k = len(at) - 1
        while k >= 0 and at[k] > end - self.longest:
            room = end - at[k]
            if length[lits[k]] > room:
                lits[k] = max((i for i, n in prefixes[lits[k]] if n <= room), key=length.__getitem__, default=-1)
            k -= 1
        return at, lits

    def views(self, occurrences: tuple[list, list], start: int, end: int) -> dict:
        """{regex index: ``Narrowed``} for the regexes that may match in ``text[start:end]``."""
        at, lits = self._inside(occurrences, start, end)
        distinct = set(lits)
        distinct.discard(-1)
        sure, checked_of = self.sure_bits, self.checked_bits
        possible, checked = self.always_bits, 0  # the branches whose literals occur (bits)
        for i in distinct & self.triggering:
            possible |= sure[i]
            checked |= checked_of[i]
        checked &= ~possible
        if not possible and not checked:
            return {}
        return SentenceViews(self, _Sentence(possible, checked, distinct, at, lits, start))

    def view(self, r: int, sentence: _Sentence) -> Narrowed:
        """Regex ``r`` (one of those possible in ``sentence``) as a ``Narrowed`` pattern to run there."""
        bs = sentence.possible & self.regex_bits[r]
        if bs & self.unanchorable_bits:
            return Narrowed(None, None, None, (self, r, bs, sentence))
        # the whole regex, tried only where an anchor of a possible branch occurs: at a position
        # where no possible branch can match, the others cannot either
        return Narrowed(self.regexes[r], None, (self, r, sentence))

    def _possible_bits(self, sentence: _Sentence, lo: int, hi: int) -> int:
        """The possible branches (bits) of the regexes ``lo <= r < hi`` in ``sentence``, the rest of
        the formula of those still to be tested tested first."""
        mask = (1 << self.regex_start[hi]) - (1 << self.regex_start[lo])
        if sentence.checked & mask:
            sentence.resolve(self, mask)
        return sentence.possible & mask

    def possible_regexes(self, sentence: _Sentence, lo: int, hi: int) -> list:
        """The indexes (in order) of the regexes ``lo <= r < hi`` one of whose branches is possible
        in ``sentence``."""
        if lo >= hi:
            return []
        left = self._possible_bits(sentence, lo, hi)
        of_branch, below, out = self.of_branch, self.below_regex, []
        while left:  # branch ids run in regex order: from the highest, one ``&`` a regex
            r = of_branch[left.bit_length() - 1]
            out.append(r)
            left &= below[r]
        out.reverse()
        return out

    def runs(self, sentence: _Sentence, lo: int, hi: int, made: dict) -> list:
        """``SentenceViews.between``: (index, ``Narrowed``) of the regexes ``lo <= r < hi`` that
        may match in ``sentence`` (``made``: the views already made for it, by regex index); a
        regex tried only at anchors none of which occurs there is left out (it has no match)."""
        out = []
        for r in self.possible_regexes(sentence, lo, hi):
            view = made.get(r)
            if view is None:
                if sentence.possible & self.regex_bits[r] & self.unanchorable_bits:
                    view = self.view(r, sentence)
                else:
                    starts = self.anchor_starts(r, sentence)
                    if not starts:
                        continue
                    view = Narrowed(self.regexes[r], starts)
                made[r] = view
            out.append((r, view))
        return out

    def matches(self, sentence: _Sentence, s: str, lo: int, hi: int, made: dict, skip=frozenset()) -> list:
        """(index, matches) of the regexes ``lo <= r < hi`` (not in ``skip``) that match in
        ``sentence`` (its text ``s``), each one's matches as ``finditer`` gives them; the regexes
        with no match are left out. The matches of a regex whose possible branches all have anchors
        are tried at those anchors directly (no ``Narrowed`` in between: most sentences match none
        of the regexes they may match). ``made``: as for ``runs``."""
        if lo >= hi:
            return []
        left = self._possible_bits(sentence, lo, hi)
        of_branch, below, unanchorable = self.of_branch, self.below_regex, self.unanchorable_bits
        out = []
        while left:  # branch ids run in regex order: from the last regex, one ``&`` a regex
            r = of_branch[left.bit_length() - 1]
            bs, left = left, left & below[r]  # (``bs``: the possible branches of ``r``, and ``left``'s)
            if r in skip:
                continue
            view = made.get(r)
            if view is None and bs & unanchorable:
                view = made[r] = self.view(r, sentence)
            if view is not None:
                found = list(view.finditer(s))
            else:
                starts = self._anchor_starts(r, bs & self.regex_bits[r], sentence)
                if not starts:
                    continue
                found = matches_at(self._matcher(r), starts, s, 0, len(s))
            if found:
                out.append((r, found))
        out.reverse()
        return out

    def _matcher(self, r: int):
        """The ``match`` method of regex ``r`` (a ``LazyPattern`` is compiled now)."""
        match = self._match[r]
        if match is None:
            regex = self.regexes[r]
            match = self._match[r] = (regex.compiled if isinstance(regex, LazyPattern) else regex).match
        return match

    def anchor_starts(self, r: int, sentence: _Sentence) -> list:
        """The positions in ``sentence`` where an anchor of a possible branch of regex ``r`` occurs."""
        return self._anchor_starts(r, sentence.possible & self.regex_bits[r], sentence)

    def _anchor_starts(self, r: int, bs: int, sentence: _Sentence) -> list:
        """``anchor_starts``, ``bs`` the possible branches of ``r`` (bits)."""
        if bs == self.regex_bits[r]:
            wanted = self.regex_anchor_lits[r]
        else:
            wanted = frozenset().union(*[self.anchor_lits[b] for b in self.of_regex[r] if bs >> b & 1])
        here = sentence.distinct & wanted  # the literal ids (of this sentence) that anchor one of them
        if not here:
            return []
        positions = sentence.positions(self.anchoring)
        if len(here) == 1:
            return positions[next(iter(here))]
        return sorted([p for i in here for p in positions[i]])

    def narrowed(self, r: int, branch_ids: tuple, sentence: _Sentence | None = None):
        """Regex ``r`` reduced to the branches ``branch_ids``: the regex itself (all of them), one
        branch's own regex, or the ``Merged`` matches of theirs (each branch compiled once, when
        first run); with ``sentence``, a branch that has anchors is searched only at theirs there."""
        if branch_ids == self.of_regex[r]:
            return self.regexes[r]
        flags = self.regexes[r].flags
        rxs = []
        for b in branch_ids:
            rx = self._narrow.get(b)
            if rx is None:
                rx = self._narrow[b] = LazyPattern(self.branches[b][1], flags)  # compiled when run
            rxs.append(AtAnchors(rx, self, b, sentence) if sentence is not None and self.anchorable[b] else rx)
        return rxs[0] if len(rxs) == 1 else Merged(rxs)

    def branch_starts(self, b: int, sentence: _Sentence) -> list:
        """The positions in ``sentence`` where an anchor of branch ``b`` occurs."""
        here = sentence.distinct & self.anchor_lits[b]
        if not here:
            return []
        positions = sentence.positions(self.anchoring)
        if len(here) == 1:
            return positions[next(iter(here))]
        return sorted([p for i in here for p in positions[i]])
