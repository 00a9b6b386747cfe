"""The literal prefilter never hides a match: on every sentence of the fixture transcripts, each
lexicon regex run through ``LiteralIndex.views`` finds exactly the matches of the regex itself."""
import re
import sys

import pytest

from golden.extraction_regen import transcripts
from loader.extract import _WS, rules_for
from loader.prefilter import LiteralIndex, anchors, branches_of, fold, holds, requirement, split_alternatives
from loader.read import read_source
from loader.sentences import split_sentences
from loader.speakers import resolve_speakers
from loader.turns import parse_document


def sentences():
    out = []
    for path in transcripts():
        doc = parse_document(read_source(path))
        resolve_speakers(doc)
        plain = _WS.sub(" ", doc.text).replace("\u2019", "'")
        spans = [sp for t in doc.turns for sp in split_sentences(doc.text, t.speech_start, t.char_end)]
        out.append((plain, spans))
    return out


@pytest.fixture(scope="module")
def corpus():
    return sentences()


def spans_of(matches):
    return [m.span() for m in matches]


@pytest.mark.parametrize("group", ["rec_cues", "com_cues", "cancel", "exclude", "themes"])
def test_views_find_the_same_matches(corpus, group):
    rules = rules_for(None)
    regexes = [rx for _, rx in rules.themes] if group == "themes" else [c.regex for c in getattr(rules, group)]
    index = LiteralIndex(regexes)
    checked = 0
    for plain, spans in corpus:
        occurrences = index.scan(fold(plain))
        for s0, e0 in spans:
            s = plain[s0:e0]
            views = index.views(occurrences, s0, e0)
            for i, rx in enumerate(regexes):
                want = spans_of(rx.finditer(s))
                got = spans_of(views[i].finditer(s)) if i in views else []
                assert got == want, (rx.pattern[:60], s)
                if i in views and want:
                    cut = want[0][1]  # a window, as the cancels use
                    assert spans_of(views[i].finditer(s, 0, cut)) == spans_of(rx.finditer(s, 0, cut))
                    assert (views[i].search(s, 1) is None) == (rx.search(s, 1) is None)
                checked += len(want)
            if views:  # ``matches``: the regexes (in order) with a match, and those matches
                want = [(i, spans_of(rx.finditer(s))) for i, rx in enumerate(regexes)]
                got = [(i, spans_of(found)) for i, found in views.matches(s, 0, len(regexes))]
                assert got == [(i, spans) for i, spans in want if spans], s
                skip = frozenset(range(0, len(regexes), 2))
                assert [i for i, _ in views.matches(s, 0, len(regexes), skip)] == [i for i, _ in got if i not in skip]
    assert checked > 100


def test_fold_matches_what_a_case_insensitive_regex_matches():
    every = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000)
    for letter in "abcdefghijklmnopqrstuvwxyz":
        for ch in re.findall(letter, every, re.I):
            assert fold(ch) == letter, (letter, hex(ord(ch)))


@pytest.mark.parametrize("pattern, text", [
    (r"\bneeds?\s+to\b", "It NEEDS to be done"),
    (r"(?<=we\s)call\s+for", "we call for peace"),
    (r"organi[sz]ation", "the Organisation"),
    (r"\bit(?:\s+is|'s)\s+(?:very\s+)*important", "It's very very important"),
    (r"(?-i:[A-Z])\w+\s+must", "Israel must"),
    (r"\?|^\W*why\b", "Is it?"),
])
def test_requirement_holds_on_a_match(pattern, text):
    assert re.search(pattern, text, re.I)
    formula = requirement(pattern, re.I)
    assert formula is not None
    folded = fold(text)
    present = {lit for lit in _literals(formula) if lit in folded}
    assert holds(formula, present)


def _literals(formula):
    from loader.prefilter import literals_of
    return literals_of(formula)


def test_requirement_rules_out_a_sentence_without_the_words():
    formula = requirement(r"\b(?:should|must)\s+(?:be|have)\b", re.I)
    assert not holds(formula, {lit for lit in _literals(formula) if lit in "we will see"})


def test_anchors_start_every_match():
    assert anchors(r"\b(?:should|must)\b", re.I) == {"should", "must"}
    assert anchors(r"\w+ly\s+must", re.I) is None  # no literal at the start
    assert anchors(r"\b(?:voted|devoted)\b", re.I) == {"voted", "devoted"}  # "devoted" starts elsewhere


@pytest.mark.parametrize("pattern, parts", [
    (r"a|b|c", ["a", "b", "c"]),
    (r"a|(?:b|c)d", ["a", "(?:b|c)d"]),
    (r"[|]x|\|y", ["[|]x", r"\|y"]),
    (r"[]|]a|b", ["[]|]a", "b"]),
    (r"(a)|b", [r"(a)|b"]),  # a capture group: not split
    (r"a|", [r"a|"]),  # an empty alternative: not split
])
def test_split_alternatives(pattern, parts):
    assert split_alternatives(pattern) == parts


@pytest.mark.parametrize("pattern, parts", [
    (r"\b(?:we|[a-z]+s)\s+must", [r"\bwe\s+must", r"\b[a-z]+s\s+must"]),
    (r"a|(?:b|\w)d", ["a", "bd", r"\wd"]),
    (r"\b(?:(?:a|\w)c|d)e", [r"\bace", r"\b\wce", r"\bde"]),
    (r"(?<!not\s)\b(?:x|\d)z", [r"(?<!not\s)\bxz", r"(?<!not\s)\b\dz"]),
    (r"\b(?:we|they)\s+must", [r"\b(?:we|they)\s+must"]),  # anchored by "we" and "they" already: kept whole
    (r"\b(?:x|\d)?z", [r"\b(?:x|\d)?z"]),  # the group is optional: kept whole
    (r"\s+(?:x|\d)z", [r"\s+(?:x|\d)z"]),  # "\s+" matches in several ways: kept whole
    (r"\b(?:x|(\d))z", [r"\b(?:x|(\d))z"]),  # a capture group: kept whole
    (r"[(](?:x|\d)", ["[(]x", r"[(]\d"]),
])
def test_branches_of(pattern, parts):
    assert branches_of(pattern) == parts


SENTENCES = ["We must act now, and they must too.", "They will not, but we will: we must.",
             "the xz and the yz", "not xz but yz", "Wee must? They mustn't!", "ace bce de acde bde"]


@pytest.mark.parametrize("pattern", [
    r"\b(?:we|\w+s)\s+must", r"\b(?:(?:a|\w)c|d)e", r"(?<!not\s)\b(?:x|\w)z", r"\b(?:we|\w+y)(?:\s+\w+)?\s+must",
    r"\b(?:we|we\s+must|\w+y)\b", r"(?:must|\w+\s+too)\b|\bwe", r"\b(?:we|\w)(?:\s+must|\w)",
])
def test_branches_in_order_find_the_matches_of_the_pattern(pattern):
    """The branches, joined again in order, match exactly where and what the pattern matches."""
    whole = re.compile(pattern, re.I)
    branches = branches_of(pattern, re.I)
    assert len(branches) > 1
    joined = re.compile("|".join(branches), re.I)
    for s in SENTENCES:
        for pos in range(len(s)):
            assert spans_of(joined.finditer(s, pos)) == spans_of(whole.finditer(s, pos)), (pattern, s, pos)


def test_a_distributed_regex_runs_only_at_the_anchors_of_its_possible_branches():
    """``\\b(?:we\\s+must|they\\s+must|[a-z]+s\\s+ought)`` as a whole has no literal to start from;
    split, "we" and "they" anchor two of its branches, and a sentence without "ought" is tried
    there only."""
    rx = re.compile(r"\b(?:we\s+must|they\s+must|[a-z]+s\s+ought)", re.I)
    index = LiteralIndex([rx])
    s = "So we must, and they must, said the chair."
    views = index.views(index.scan(fold(s)), 0, len(s))
    assert views[0].starts == [s.index("we"), s.index("they")]
    assert spans_of(views[0].finditer(s)) == spans_of(rx.finditer(s))
    calls = []

    class Counting:
        pattern, flags = rx.pattern, rx.flags

        def match(self, *a):
            calls.append(a[1])
            return rx.match(*a)
    views[0].regex = Counting()
    list(views[0].finditer(s))
    assert calls == views[0].starts


@pytest.mark.parametrize("branches", [
    [r"\bwe\s+must", r"\b\w+s\s+must", r"\bmust\b"],
    [r"a\w+", r"ab", r"\w+b"],
    [r"must\s+too", r"must", r"\w+\s+too"],
])
def test_merged_branches_find_the_matches_of_their_alternation(branches):
    """The alternation's matches from its branches' own regexes: leftmost first, ties to the
    earlier branch, each window as the alternation itself would give."""
    from loader.prefilter import Merged
    merged = Merged([re.compile(b, re.I) for b in branches])
    joined = re.compile("|".join(branches), re.I)
    for s in SENTENCES + ["abab aab bab", "must too, they must"]:
        for pos in range(len(s)):
            for end in (len(s), max(pos, len(s) - 3)):
                assert spans_of(merged.finditer(s, pos, end)) == spans_of(joined.finditer(s, pos, end)), (s, pos, end)
                assert (merged.search(s, pos, end) is None) == (joined.search(s, pos, end) is None)


def test_a_branch_with_anchors_is_searched_at_them_among_branches_without():
    """``\\b(?:we\\s+must|[a-z]+s\\s+must|they\\s+ought)`` on a sentence without "ought": the two
    possible branches are searched apart (``Merged``); the one anchored by "we" only where "we" is."""
    from loader.prefilter import AtAnchors, Merged
    rx = re.compile(r"\b(?:we\s+must|[a-z]+s\s+must|they\s+ought)", re.I)
    index = LiteralIndex([rx])
    s = "So we must, the others must, and we will."
    views = index.views(index.scan(fold(s)), 0, len(s))
    merged = views[0].regex
    assert isinstance(merged, Merged) and isinstance(merged.regexes[0], AtAnchors)
    calls = []

    class Counting:
        def __init__(self, regex):
            self.regex = regex

        @property
        def compiled(self):
            return self

        def match(self, *a):
            calls.append(a[1])
            return self.regex.compiled.match(*a)
    merged.regexes[0].regex = Counting(merged.regexes[0].regex)
    assert spans_of(views[0].finditer(s)) == spans_of(rx.finditer(s))
    assert calls == [s.index("we"), s.rindex("we")]  # only where "we" is, not at every word


def test_the_actor_regex_searched_at_its_heads_finds_what_the_regex_finds(corpus):
    """``AtHeads``: the alias regex tried only where one of its heads starts finds, in every
    sentence, in windows of it and in a whole document, the matches of the regex itself; its
    ``sub`` gives the regex's result."""
    from loader.prefilter import AtHeads
    wrapped = rules_for(None).actor_re
    assert isinstance(wrapped, AtHeads) and "the" in wrapped.heads
    rx = wrapped.regex
    checked = 0
    for plain, spans in corpus:
        assert spans_of(wrapped.finditer(plain)) == spans_of(rx.finditer(plain))
        for s0, e0 in spans:
            s = plain[s0:e0]
            want = spans_of(rx.finditer(s))
            assert spans_of(wrapped.finditer(s)) == want, s
            for a, b in ((1, len(s)), (0, len(s) // 2), (len(s) // 3, len(s) - 2)):
                assert spans_of(wrapped.finditer(s, a, b)) == spans_of(rx.finditer(s, a, b)), (s, a, b)
            assert wrapped.sub(" | ", s) == rx.sub(" | ", s)
            for a, b in ((0, len(s)), (2, len(s)), (len(s) // 2, len(s) - 1)):
                got, expected = wrapped.search(s, a, b), rx.search(s, a, b)
                assert (got and got.span()) == (expected and expected.span()), (s, a, b)
            checked += len(want)
    assert checked > 100


def test_a_pattern_searched_at_its_heads_survives_pickling_and_copying():
    """Rules and their wrapped patterns can be pickled (a spawned worker) and copied: the copy is
    the wrapper again, with the same matches."""
    import copy
    import pickle

    from loader.prefilter import AtHeads
    rules = rules_for(None)
    text = "We urge the Security Council and the Member States to act."
    for clone in (pickle.loads(pickle.dumps(rules.actor_re)), copy.deepcopy(rules.actor_re),
                  pickle.loads(pickle.dumps(rules)).actor_re):
        assert isinstance(clone, AtHeads) and clone.heads == rules.actor_re.heads
        assert spans_of(clone.finditer(text)) == spans_of(rules.actor_re.regex.finditer(text)) != []


@pytest.mark.parametrize("pattern, heads", [
    (r"(?<![\w-])(?:the\s+)?(?:court|council)\b", {"the", "cou"}),
    (r"\b(?:we|they)\s+must", {"we", "the"}),
    (r"(?:Mr|Ms)\.?\s+\w+", {"mr", "ms"}),
    (r"\w+\s+must", None),  # a match may start anywhere
    (r"(?:the\s+)?\w+", None),
])
def test_match_heads(pattern, heads):
    from loader.prefilter import match_heads
    got = match_heads(pattern, re.I)
    assert (set(got) if got is not None else None) == heads


def test_the_rest_of_a_formula_is_tested_for_all_branches_at_once():
    """A branch needing two literals ("recommend" triggers it, "strongly" is its rest set) is
    possible only in a sentence with both; ``resolve`` tests every such branch of a mask in one
    step (``rest_branch_bits``: a prefix of a literal that occurs counts, "recommended")."""
    regexes = [re.compile(r"\bstrongly\s+recommend", re.I), re.compile(r"\bwe\s+recommend\w*\s+strongly", re.I),
               re.compile(r"\burge\b", re.I)]
    index = LiteralIndex(regexes)
    assert all(x is not None and len(x) == 1 for x in index.rest_bits[:2]) and index.several_rest_bits == 0
    for s, possible in [("We recommend it.", []), ("I strongly recommend it.", [0, 1]),
                        ("We urge it, strongly.", [2]), ("Strongly put: we recommended strongly.", [0, 1])]:
        views = index.views(index.scan(fold(s)), 0, len(s))
        assert [r for r in range(len(regexes)) if r in views] == possible, s
        assert [(r, spans_of(found)) for r, found in views.matches(s, 0, len(regexes))] == [
            (r, spans_of(rx.finditer(s))) for r, rx in enumerate(regexes) if rx.search(s)], s
