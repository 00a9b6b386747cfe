"""Extract recommendations and commitments from turns (pure).

Each turn's spoken text is split into sentences (``loader.sentences``). A sentence is a
*recommendation* when a recommendation cue from the lexicon fires (modal ``X should/must/needs
to``, impersonal ``it is essential that``, ``we urge X to``, ``there is a need to``, ``let us``,
...) and no cancelling form sits on that cue (retrospective ``should have``, ``I must say``,
``don't have to``). It is a *commitment* when a commitment cue fires with the speaker's own side as
subject (``we will``, ``we are working on``, ``we in DPKO are committed``) and no recommendation
names another actor. Questions, courtesies and a chair's procedure are neither. A third party's
request restated by the speaker ("The petitioners ask the Government to ...", "the resolution calls
upon States to ...") is a recommendation to the one asked; a modal under a denial frame ("nowhere do
I find that X must", "no-one's going to say that ... should"), a cut-off modal ("... that we should")
and a moderator's "let's talk / move on" are not. A Minister's or official's delivery reports ("N
Canadians have received ...", "support has been paid out"), contacts ("I spoke to X this morning")
and actions in hand ("I'm cutting drug prices") are progress reports; talk about the talk ("I will
tell you", "we are going to talk about X", "share what we are doing") promises nothing.

The actor is read off the grammatical form the cue fired on: the subject noun phrase before a
modal (only when an actor heads it or is its genitive: "the design of the mission" is a thing),
the object of ``urge / call on X to``, the first actor after ``it is important that``, or a
passive / nominal agent (``examined by the Security Council``, ``guidance from headquarters``).
Pronouns take the nearest earlier actor that is a clause subject in the speaker's own turn (he /
she only people); ``the Court`` / ``the Council`` / ``the Office`` take the body of that kind last
named in full; a generic ``we`` or a generic subject (everyone, all stakeholders) stays
``Unspecified``. Who only receives is not who acts: the subject of a recipient passive ("the Council
needs to be kept informed") and "to X" after a noun of giving ("guidance to missions") are not the
actor. When the words name no acting party, the lexicon's ``implied_agents`` (general institutional
conventions: who informs whom, whose task training troops is, the forum something is to take
place in, who a delegate's "all of you" are, whom a legislator's agentless demand asks) fill the
gap (see ``_implied``). A minister's "we have to ..." is the government's own course: a commitment. The actor is stored as
named, with the lexicon's canonical name as its group (``loader.actors``: "MINUSCA" in Peacekeeping
Missions; "the mission" is the group itself); an unknown proper name heading the subject ("Israel
must ...") is kept as written and is its own group, except that a State named by a delegate in a UN
body ("We call for Lithuania to ...", lexicon ``state_names``) belongs to the Member States (and is
scored as them). Several actors asked together ("the Council and troop contributors must") are all
kept, the first one first; a phrase that is no name ("member of the") is no actor. A body to be supported, funded, respected or upheld ("the Court must
be fully supported") is a recipient too: the supporter acts (a delegate's: the Member States); a
legislator's "I call on us to ..." asks the house itself (``members_us``). Consecutive recommendation sentences
are merged when the second restates or continues the first (see ``_merge``).

All vocabularies and cue patterns come from the lexicon (``loader/lexicon.yml`` merged with any
``--lexicon`` file); they are compiled once per lexicon object. ``extract(doc)`` without a lexicon
uses the default file, read once by ``loader.lexicon`` on first use and cached.
"""
from __future__ import annotations

import bisect
import collections
import functools
import itertools
import re
from dataclasses import dataclass, field

from . import learned_filter
from .actors import clean_name, coordinated, display_names, entity, is_name, norm_name
from .errors import LexiconError
from .model import Commitment, Document, Recommendation, Speaker, Turn
from .prefilter import AnalysisCache, AtHeads, LazyPattern, LiteralIndex, SentenceViews, fold
from .sentences import split_sentences

UNSPECIFIED = "Unspecified"
LEAD_IN_CUES = ("predicate", "impersonal", "need_noun", "require")  # general statements a next sentence may complete
FLAGS = re.I

# Grammar words (closed classes: not vocabularies of a domain, so they live here).
_PRONOUN_SELF = re.compile(
    r"\b(?:we|I|us|my\s+(?:delegation|country|government|team|office|department|organi[sz]ation|colleagues)|"
    r"our\s+(?:delegation|country|government|team|office|department|organi[sz]ation))\b", re.I)
_PRONOUN = re.compile(r"\b(?:(?P<self>we|I|us)|(?P<third>they|he|she|them)|(?P<you>you|all\s+of\s+you|one)|"
                      r"(?P<none>it|this|that|there|these|those|which|what|who|everyone|everybody|somebody|someone|anyone))$", re.I)
# (the words grouped by their first letters, and a look-ahead for those letters: a word start that
# begins none of them fails at once instead of trying every word; at most one alternative can match
# at a position, so the grouping finds the same matches as the plain list "that|which|who|whom|...")
_CLAUSE_BREAK = re.compile(
    r"[;:\u2013\u2014(]|\s-\s|,|\b(?=[tbswiauo])(?:th(?:at|en|erefore|ough)|wh(?:ich|om?|e(?:n|re(?:as)?|ther)|ile)|"
    r"b(?:ecause|ut)|s(?:o|ince)|if|although|un(?:less|til)|once|"
    r"and\s+(?=(?:we|they|you|he|she|I|there)\b)|or\s+(?=(?:we|they|you|he|she|I)\b))\b",
    re.I)
_FILLER = re.compile(r"^(?:\W|\b(?:and|or|so|but|also|of|course|i|think|believe|clearly|obviously|perhaps|maybe|really|"
                     r"indeed|however|therefore|thus|then|now|again|first|second|third|fourth|fifth|finally|lastly|"
                     r"secondly|thirdly|firstly|in|particular|fact|short|other|words|too|as|well|certainly|still|"
                     r"just|all|only|very|mean|yes|no|ok|okay|moreover|furthermore|the|same|way)\b)*$", re.I)
_LEAD_WORDS = re.compile(r"(?:\W|\b(?:and|or|so|but|also|of course|i think|i believe|in (?:my|our) (?:view|opinion)|to (?:my|our) mind|clearly|obviously|perhaps|maybe|"
                         r"really|indeed|however|therefore|thus|then|now|again|first(?:ly)?|second(?:ly)?|third(?:ly)?|"
                         r"finally|lastly|moreover|furthermore|yes|well)\b)*", re.I)
_PASSIVE = re.compile(r"^\s*(?:(?:\w+ly|also|not|really|all)\s+)*(?:be|get|being|been)\s+(?:(?:\w+ly|also|more|much|further)\s+)*"
                      r"(?:\w+ed|\w+en|made|done|kept|put|set|sent|built|held|brought|taught|told|found|led|met|shown|run)\b", re.I)
_TO_VERB = re.compile(r"\bto\s+(?!the\b|a\b|an\b|all\b|our\b|their\b|its\b|this\b|that\b)\w+", re.I)
_OBJECT_END = re.compile(r"[,;:.!?\u2013\u2014()]|\b(?:that|which|who|because|so|but|if|when|where|while|and\s+to|in\s+order)\b", re.I)
_CAPWORD = re.compile(r"\b[A-Z][A-Za-z'\-]+(?:\s+(?:of\s+(?:the\s+)?|for\s+(?:the\s+)?|and\s+)?[A-Z][A-Za-z'\-]+)*")
_DETERMINER = re.compile(r"^(?:the|a|an|all|our|their|its|this|these|those|some|any|each|every)\s+", re.I)
_WS = re.compile(r"[^\S ]")  # whitespace other than a space (what `.sub(" ", text)` has to replace)
_COORD = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|and\s+|or\s+)(?:the\s+|all\s+)?", re.I)
_TRAILING_ADVERBS = re.compile(r"(?:[\s,]+(?:\w+ly|of\s+course|also|now|still|all|both|just|then|therefore|indeed|"
                               r"always|never|certainly|already|too|again|together|ourselves|myself))+[\s,]*$", re.I)
_DASH = re.compile(r"\s[\u2013\u2014-]\s|\s?\u2014\s?")
_HEAD_OK = re.compile(r"\W*(?:(?:and|or|but|so|the|a|an|all|both|each|every|any|some|many|most|other|our|their|its|these|those|this|that|"
                      r"individual|national|relevant|concerned|respective|new|current|future|key|major|certain|"
                      r"[\w'-]+'s|(?-i:[A-Z])[\w'-]*)\W+)*", re.I)
_GENITIVE = re.compile(r"\W*(?:(?:and|so|but|the|a|an)\s+)*(?:[\w'-]+\s+){1,3}?(?:of|to)\s+(?:(?:the|all)\s+)?"
                       r"(?:(?:[\w'-]+\s+){1,2}?(?:of|to)\s+(?:(?:the|all)\s+)?)?", re.I)
_SUBJECT_BEFORE = re.compile(r"(?:^|[.;:!?,\u2013\u2014]\s*|\n\s*|\b(?:that|as|so|because|when|while|if|and|but|then|where|"
                             r"although|though|since|once|until|unless)\s+)(?:(?:so\s+long\s+as|now|also|then)\s+)?"
                             r"(?:(?:the|all|both|these|those|its|their|our|many|some|most)\s+)*$", re.I)
_DEMONSTRATIVE_START = re.compile(r"\W*(?:and\s+|so\s+)?(?:that|this)\b(?!\s+(?:is|was)\s+(?:why|because))", re.I)
_LOWER_WORD = re.compile(r"(?<![\w-])[a-z][a-z'-]+")
_TOKEN_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz'-")  # what _LOWER_WORD's words are made of
_TOKEN_SHAPE = re.compile(r"[a-z][a-z'-]+")


class LowerWords:
    """The words ``text`` writes in lower case (the matches of ``_LOWER_WORD``), for ``word in
    words`` tests: each word asked is looked for in the text (``str.find``), instead of every word
    of the text being collected first; exactly what the set of all of them would answer (an
    occurrence right after an apostrophe, where that depends on the words before, falls back to
    the whole set)."""

    __slots__ = ("text", "_known", "_all")

    def __init__(self, text: str):
        self.text, self._known, self._all = text, {}, None

    def __contains__(self, word) -> bool:
        hit = self._known.get(word)
        if hit is None:
            hit = self._known[word] = self._find(word)
        return hit

    def _every(self) -> frozenset:
        if self._all is None:
            self._all = frozenset(_LOWER_WORD.findall(self.text))
        return self._all

    def _find(self, word) -> bool:
        if self._all is not None or not isinstance(word, str) or not _TOKEN_SHAPE.fullmatch(word):
            return word in self._every()
        text, n, quoted = self.text, len(word), False
        i = text.find(word)
        while i != -1:
            after = text[i + n:i + n + 1]
            if not (after and after in _TOKEN_CHARS):  # the word ends there
                before = text[i - 1] if i else ""
                if before == "'":
                    quoted = True
                elif not before or not (before.isalnum() or before in "_-"):
                    return True  # a word of its own (what _LOWER_WORD's look-behind lets start)
            i = text.find(word, i + 1)
        return word in self._every() if quoted else False


_PREP_SEGMENT = re.compile(r"^\s*(?:like|unlike|as|in|with|for|including|especially|particularly|together\s+with|along\s+with|of\s+course|at\s+least)\b[^,]*,\s*$", re.I)
# A generic subject (everyone, all stakeholders, all of us, one, people): nobody in particular.
_GENERIC = re.compile(r"(?:all\s+(?:the\s+)?(?:relevant\s+|concerned\s+|other\s+)?(?:stakeholders|actors|players|of\s+us|of\s+you|those\s+concerned|concerned)|"
                      r"(?:relevant\s+)?stakeholders|every(?:one|body)(?:\s+(?:else|concerned))?|each\s+(?:and\s+every\s+)?one\s+of\s+us|"
                      r"all\s+of\s+us|one|people|anyone|anybody|no\s+one|no-one|nobody)(?![\w-])", re.I)
# A passive whose subject only receives information: "X needs to be kept fully informed / briefed".
_RECIPIENT_PASSIVE = re.compile(r"^\s*(?:(?:\w+ly|also|not|really|all|always)\s+)*(?:be|get|being|been|remain|stay)\s+"
                                r"(?:(?:kept|made|\w+ly|more|much|better|further|also|and|well|properly|fully)\s+)*"
                                r"(?:informed|briefed|consulted|told|updated|notified|advised|apprised|"
                                r"(?<=kept\s)(?:\w+ly\s+)?(?:abreast|in\s+the\s+loop)|(?<=made\s)aware)\b", re.I)
# A passive whose subject is given support or respect: the supporter acts ("the Court must be fully
# supported", "the mission should be properly resourced").
_SUPPORT_PASSIVE = re.compile(r"^\s*(?:(?:\w+ly|also|not|really|all|always|now|therefore)\s+)*(?:be|get|being|been)\s+(?:(?:\w+ly|more|much|better|further|also)\s+)*"
                              r"(?:supported|funded|financed|resourced|assisted|empowered|respected|given|helped|backed|brought\s+on\s+board)\b", re.I)
# a subject noun phrase, then a non-restrictive relative clause between commas, then the cue
_RELATIVE_SUBJECT = re.compile(r"(?:^|(?<=[.;:!?]\s))\W*(?P<np>[^,;.]{2,80}?),\s+(?:which|who)\s[^,;]{3,160},\s*$", re.I)
# A noun of giving before "to X" / "for X": X is who receives, not who acts ("guidance to missions").
_TRANSFER_TO = re.compile(r"\b(?:guidance|support|assistance|information|input|training|resources|funding|finance|access|"
                          r"briefings?|reports?|reporting|advice|equipment|help|aid|contributions?|instructions|directives?|"
                          r"messages?|feedback|updates?|attention|answers?|explanations?|clarity)\s+(?:[\w'-]+\s+){0,2}?"
                          r"(?:to|for)\s+(?:the\s+|all\s+|its\s+|their\s+)?$", re.I)
_INFO_NOUN = re.compile(r"^(?:information|briefings?|reports?|reporting|updates?|answers?|explanations?|feedback)\b", re.I)
_AUDIENCE = re.compile(r"^(?:all\s+of\s+you|you\s+all|(?:all\s+)?others|other\s+delegations|(?:all\s+)?(?:my\s+|our\s+|dear\s+|distinguished\s+)?(?:colleagues|fellow\s+(?:delegates|delegations|members|representatives)))\b", re.I)


# ---------------------------------------------------------------- compiled lexicon


@dataclass
class Cue:
    name: str
    regex: re.Pattern | LazyPattern
    strength: str = "should"
    confidence: float = 0.6
    actor: str = "subject"  # subject / object / after / none (recommendations)
    subject: str = "self"  # self / any (commitments)
    signal: str = "committed"
    unless: tuple = ()  # exclusions: cue names that keep the sentence anyway
    scope: str = "at"  # cancels: "at" the cue, anywhere "before" it in the sentence, or a "frame" before it
    # whose clause runs on to the cue (no "but" / ";" / dash in between), or "end": ending where the cue starts
    commitments: bool = False  # cancels: also drop a commitment cue match they sit on
    window: int = 6  # "after" cues: how many words after the cue may name the actor
    needs_actor: bool = False  # commitments: the match must name an actor of the lexicon ("we as DPKO")
    own_side: bool = False  # commitments: only from a speaker of an ``own_side`` role (a Minister, an official)
    meeting_we: bool = False  # only where the speakers' "we could" proposes to the meeting (a team: ``proposals``)
    unless_after: re.Pattern | None = None  # recommendations: the match is dropped when this follows it
    not_we_addressee: bool = False  # commitments: not where the speakers' "we" is the addressee (a country, a team)


@dataclass
class Rules:
    actor_re: re.Pattern | AtHeads | None
    alias_to_actor: dict
    kinds: dict
    rec_cues: list = field(default_factory=list)
    cancel: list = field(default_factory=list)
    exclude: list = field(default_factory=list)
    com_cues: list = field(default_factory=list)
    themes: list = field(default_factory=list)
    strength: list = field(default_factory=list)
    restatement: re.Pattern | None = None
    new_point: re.Pattern | None = None
    heads: dict = field(default_factory=dict)  # "court" -> canonical names whose full names contain it
    person_kinds: frozenset = frozenset()
    asked_people: re.Pattern | None = None  # common nouns of people who may be urged or asked to act (``asked_people``)
    own_side_kinds: frozenset = frozenset()  # a speaker from a body of these kinds: "we must" is its own course
    informs: dict = field(default_factory=dict)  # recipient (canonical) -> who by convention informs it
    tasks: list = field(default_factory=list)  # (agent, regex, speaker): a task that by convention falls to agent
    audience: dict = field(default_factory=dict)  # agent -> speaker roles whose "all of you" it is
    forum_kinds: frozenset = frozenset()  # kinds of actor that are forums ("discussed in the Assembly")
    own_roles: re.Pattern | None = None  # speaker roles that speak for a government / department (``own_side``)
    own_subjects: re.Pattern | None = None  # their own side as a subject ("officials", "the Government")
    chair_roles: re.Pattern | None = None  # a chair / president: their own "we will ..." is procedure
    delegation_label: str | None = None  # who a delegate's audience is when the role is a bare country name
    members: dict = field(default_factory=dict)  # agent -> role/label words of a legislator who holds it to account
    members_unless: tuple = ()  # role words of a legislator who is part of the executive or chairs
    we_of: dict = field(default_factory=dict)  # kind of the speaker's body -> the system its "we" drafts for
    we_drafts: re.Pattern | None = None  # "we need to draw up / develop ..." (an institution's output)
    members_us: str | None = None  # a legislator's "I call on us to ...": the house itself
    state_names: frozenset = frozenset()  # names of States (lower case) a named-State actor maps from
    display: dict = field(default_factory=dict)  # alias -> the specific name it is stored under (None: its group's)
    prefilter: LiteralIndex | None = None  # the literals each cue / cancel / exclusion needs (see cue_index)
    theme_prefilter: LiteralIndex | None = None
    cue_table: tuple | None = None  # (all_cues(), the index where each kind after the first starts)
    flag_ids: dict = field(default_factory=dict)  # cue attribute -> the cues (indexes) it is true of (``flagged``)

    def cue_index(self) -> LiteralIndex:
        """One index over every cue, cancel and exclusion regex, in that order (built once)."""
        if self.prefilter is None:
            self.prefilter = LiteralIndex([c.regex for c in self.all_cues()], AnalysisCache.default())
        return self.prefilter

    def theme_index(self) -> LiteralIndex:
        if self.theme_prefilter is None:
            self.theme_prefilter = LiteralIndex([regex for _, regex in self.themes], AnalysisCache.default())
        return self.theme_prefilter

    def all_cues(self) -> list:
        return [*self.rec_cues, *self.com_cues, *self.cancel, *self.exclude]

    def by_kind(self, possible: dict) -> tuple[list, list, list, list]:
        """The (cue, pattern) pairs of ``possible`` ({index in ``all_cues()``: pattern}) as
        (recommendation cues, commitment cues, cancels, exclusions), each in lexicon order."""
        return tuple(self.of_kind(possible, k) for k in range(4))

    def of_kind(self, possible, kind: int) -> list:
        """The (cue, pattern) pairs of ``possible`` of one kind (0: recommendation cues, 1:
        commitment cues, 2: cancels, 3: exclusions), in lexicon order; from a sentence's
        ``SentenceViews`` only that kind's patterns are made."""
        cues, bounds = self.table()
        lo, hi = bounds[kind], bounds[kind + 1]
        if isinstance(possible, SentenceViews):
            return [(cues[i], rx) for i, rx in possible.between(lo, hi)]
        return [(cues[i], possible[i]) for i in sorted(possible) if lo <= i < hi]

    def matches_of_kind(self, possible, kind: int, s: str, skip=frozenset()) -> list:
        """(cue, its matches in ``s``) of the cues of one kind in ``possible`` (as ``of_kind``),
        except those whose index is in ``skip`` (see ``flagged``); from a sentence's
        ``SentenceViews`` only the cues with a match, found at once (no pattern object is made
        for the others: most sentences match none of the cues they may match)."""
        cues, bounds = self.table()
        lo, hi = bounds[kind], bounds[kind + 1]
        if isinstance(possible, SentenceViews):
            return [(cues[i], found) for i, found in possible.matches(s, lo, hi, skip)]
        return [(cues[i], possible[i].finditer(s)) for i in sorted(possible) if lo <= i < hi and i not in skip]

    def table(self) -> tuple:
        """``cue_table``: (``all_cues()``, the index where each kind starts, and the end)."""
        if self.cue_table is None:
            n_rec, n_com, n_cancel = len(self.rec_cues), len(self.com_cues), len(self.cancel)
            self.cue_table = (self.all_cues(), (0, n_rec, n_rec + n_com, n_rec + n_com + n_cancel, n_rec + n_com + n_cancel + len(self.exclude)))
        return self.cue_table

    def flagged(self, flag: str) -> frozenset:
        """The indexes in ``all_cues()`` of the cues whose attribute ``flag`` is true (made once)."""
        ids = self.flag_ids.get(flag)
        if ids is None:
            ids = self.flag_ids[flag] = frozenset(i for i, c in enumerate(self.table()[0]) if getattr(c, flag))
        return ids


def _alias_pattern(alias: str) -> str:
    """A word or phrase as a regex: any run of spaces/hyphens between words; short acronyms case-sensitive."""
    parts = [re.escape(p) for p in re.split(r"[\s\-]+", alias.strip()) if p]
    body = r"[\s\-]+".join(parts)
    if alias.isupper() and len(alias) <= 6:  # acronyms: case-sensitive ("AU", "DOS")
        body = f"(?-i:{body})"
    return body


def _trie_regex(words: list[str]) -> str:
    """One regex matching any of ``words`` (lower-case, single spaces), longest first, fast to scan."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node) -> str:
        end = "" in node
        alts = []
        for ch in sorted(k for k in node if k):
            piece = r"[\s\-]+" if ch == " " else re.escape(ch)
            alts.append(piece + build(node[ch]))
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if end else body

    return build(trie)


def _compile_after(kind: str, c: dict) -> re.Pattern | None:
    """A cue's ``unless_after`` pattern (what, following the match in its sentence, drops it)."""
    if not c.get("unless_after"):
        return None
    try:
        return re.compile(c["unless_after"], FLAGS)
    except re.error as e:
        raise LexiconError(f"lexicon cues.{kind}.{c.get('name')}.unless_after: bad pattern ({e})") from None


def _words_regex(words) -> re.Pattern | None:
    """One case-insensitive whole-word alternation of ``words`` (None when there are none)."""
    words = sorted({str(w) for w in words}, key=len, reverse=True)
    return re.compile(r"(?:%s)" % "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words), re.I) if words else None


def compile_rules(lexicon: dict) -> Rules:
    """Compile a lexicon mapping into regexes. Raises LexiconError for a malformed cue."""
    actors = lexicon.get("actors") or {}
    alias_to_actor, kinds, patterns = {}, {}, []
    for name, spec in actors.items():
        spec = spec or {}
        kinds[name] = spec.get("kind")
        for alias in [name, *(spec.get("aliases") or [])]:
            alias = str(alias)
            # Later wins: a user lexicon (merged after the default) may claim an alias the
            # default gives to another actor ("the Ministry" -> the user's ministry).
            alias_to_actor[norm_name(alias)] = name
            patterns.append(alias)
    acronyms = sorted({a for a in patterns if a.isupper() and len(a) <= 6}, key=lambda a: (-len(a), a))
    words = sorted({norm_name(a) for a in patterns if a not in acronyms})
    the_words = [w[4:] for w in words if w.startswith("the ")]
    plain = [w for w in words if not w.startswith("the ")]
    alts = []
    if plain:
        alts.append(r"(?:the\s+)?" + _trie_regex(plain))  # so "the force commander" is not read as "the force"
    if the_words:
        alts.append(r"the\s+" + _trie_regex(the_words))
    if acronyms:
        alts.append(r"(?:the\s+)?(?-i:" + "|".join(re.escape(a) for a in acronyms) + ")")
    actor_re = (re.compile(r"(?<![\w\-])(?:" + "|".join(alts) + r")(?![\w\-])", re.I) if alts else None)
    heads: dict = {}
    for name, spec in actors.items():
        for full in [name]:
            words = norm_name(str(full)).split()
            if len(words) >= 2:
                for w in words:
                    if len(w) > 3 and w not in ("united", "nations", "international", "states", "national"):
                        heads.setdefault(w, set()).add(name)
    cues = lexicon.get("cues") or {}
    cache = AnalysisCache.default()  # the patterns an earlier run compiled and analysed

    def cue_list(kind, **defaults):
        out = []
        for c in cues.get(kind) or []:
            try:
                regex = LazyPattern(c["pattern"], FLAGS)  # compiled when a text calls for it
                if not cache.known(regex.pattern, FLAGS):
                    regex.compile()  # a pattern no earlier run has compiled: a bad one fails here
            except (KeyError, TypeError) as e:
                raise LexiconError(f"lexicon cues.{kind}: each cue needs a name and a pattern ({e})") from None
            except re.error as e:
                raise LexiconError(f"lexicon cues.{kind}.{c.get('name')}: bad pattern ({e})") from None
            out.append(Cue(name=c["name"], regex=regex, unless=tuple(c.get("unless") or ()),
                           scope=c.get("scope", "at"), window=int(c.get("window", 6)),
                           needs_actor=bool(c.get("needs_actor", False)), own_side=bool(c.get("own_side", False)),
                           meeting_we=bool(c.get("meeting_we", False)),
                           unless_after=_compile_after(kind, c), not_we_addressee=bool(c.get("not_we_addressee", False)),
                           commitments=bool(c.get("commitments", False)),
                           **{k: c.get(k, v) for k, v in defaults.items()}))
        return out

    rules = Rules(
        actor_re=actor_re, alias_to_actor=alias_to_actor, kinds=kinds, display=display_names(actors),
        rec_cues=cue_list("recommendation", strength="should", confidence=0.6, actor="subject"),
        cancel=cue_list("cancel"),
        exclude=cue_list("exclude"),
        com_cues=cue_list("commitment", confidence=0.6, subject="self", signal="committed"),
        heads={w: names for w, names in heads.items() if len(names) > 1},
        person_kinds=frozenset(lexicon.get("person_kinds") or ()),
        asked_people=_words_regex(lexicon.get("asked_people") or ()),
        own_side_kinds=frozenset(lexicon.get("own_side_kinds") or ()),
    )
    implied = lexicon.get("implied_agents") or {}
    for agent, recipients in (implied.get("informs") or {}).items():
        for r in recipients or ():
            name = alias_to_actor.get(norm_name(str(r)), str(r))
            rules.informs.setdefault(name, alias_to_actor.get(norm_name(str(agent)), str(agent)))
    for agent, roles in (implied.get("audience") or {}).items():
        rules.audience[alias_to_actor.get(norm_name(str(agent)), str(agent))] = list(roles or ())
    rules.forum_kinds = frozenset(implied.get("forum_kinds") or ())
    for agent, words in (implied.get("members") or {}).items():
        rules.members[alias_to_actor.get(norm_name(str(agent)), str(agent))] = [str(w) for w in words or ()]
    rules.members_unless = tuple(str(w) for w in implied.get("members_unless") or ())
    if implied.get("members_us"):
        rules.members_us = alias_to_actor.get(norm_name(str(implied["members_us"])), str(implied["members_us"]))
    for kind, agent in (implied.get("we_of") or {}).items():
        rules.we_of[str(kind)] = alias_to_actor.get(norm_name(str(agent)), str(agent))
    if implied.get("we_drafts"):
        rules.we_drafts = re.compile(implied["we_drafts"], FLAGS)
    if implied.get("delegation_label"):
        rules.delegation_label = alias_to_actor.get(norm_name(str(implied["delegation_label"])), str(implied["delegation_label"]))
    rules.state_names = frozenset(norm_name(str(n)) for n in implied.get("state_names") or ())
    for t in implied.get("tasks") or ():
        agent = alias_to_actor.get(norm_name(str(t["agent"])), str(t["agent"]))
        rules.tasks.append((agent, re.compile(t["pattern"], FLAGS), t.get("speaker")))
    for theme, words in (lexicon.get("themes") or {}).items():
        if words:
            # words of five letters or more also match their inflections ("discuss" -> "discussed")
            alts = [_alias_pattern(str(w)) + (r"\w*" if len(str(w)) >= 5 and " " not in str(w) else "") for w in words]
            rules.themes.append((theme, re.compile(r"\b(?:" + "|".join(alts) + r")\b", re.I)))
    for level in ("must", "should", "could"):
        words = (lexicon.get("strength") or {}).get(level) or []
        if words:
            rules.strength.append((level, re.compile(r"\b(?:" + "|".join(words) + r")\b", re.I)))
    if cues.get("restatement"):
        rules.restatement = re.compile(cues["restatement"], FLAGS)
    if cues.get("new_point"):
        rules.new_point = re.compile(cues["new_point"], FLAGS)
    own = lexicon.get("own_side") or {}
    for attr, key, tail in (("own_roles", "roles", ""), ("own_subjects", "subjects", "$"), ("chair_roles", "chair_roles", "")):
        if own.get(key):
            setattr(rules, attr, re.compile("|".join(f"(?:{r}){tail}" for r in own[key]), FLAGS))
    # alternations of many words, searched only where one of their heads starts
    rules.actor_re = AtHeads.of(rules.actor_re)
    rules.tasks = [(agent, AtHeads.of(regex), speaker) for agent, regex, speaker in rules.tasks]
    rules.strength = [(level, AtHeads.of(regex)) for level, regex in rules.strength]
    for attr in ("own_roles", "own_subjects", "chair_roles", "we_drafts"):
        setattr(rules, attr, AtHeads.of(getattr(rules, attr)))
    rules.cue_index()
    rules.theme_index()
    return rules


_CACHE: dict[int, tuple[dict, Rules]] = {}


def rules_for(lexicon: dict | None) -> Rules:
    """The compiled rules for ``lexicon`` (the default lexicon when None), compiled once."""
    if lexicon is None:
        from .lexicon import load_lexicon  # the default file; read once and cached below
        key = 0
        if key not in _CACHE:
            _CACHE[key] = (None, compile_rules(load_lexicon()))
        return _CACHE[key][1]
    key = id(lexicon)
    hit = _CACHE.get(key)
    if hit is None or hit[0] is not lexicon:
        hit = (lexicon, compile_rules(lexicon))
        if len(_CACHE) > 8:  # keep the default and the most recent few user lexicons
            for old in [k for k in _CACHE if k != 0][:-4]:
                del _CACHE[old]
        _CACHE[key] = hit
    return hit[1]


def canonical_actor(name: str | None, lexicon: dict | None = None) -> str:
    """Normalise an actor name or alias to the lexicon's canonical name (else the name itself)."""
    if not name:
        return UNSPECIFIED
    rules = rules_for(lexicon)
    key = norm_name(name)
    hit = rules.alias_to_actor.get(key) or rules.alias_to_actor.get("the " + key)  # "United Nations": "the United Nations"
    if hit:
        return hit
    m = rules.actor_re.search(name) if rules.actor_re else None
    return _actor_of(rules, m) if m else clean_name(name)  # "the President" is "President"


# ---------------------------------------------------------------- actor finding


@dataclass
class ActorHit:
    name: str
    text: str | None
    how: str  # alias / agent / anaphor / self / proper / none
    explicit: bool = False  # named in this sentence as someone other than the speaker's side


def resolve_definite(rules: Rules, text: str, end: int, actor: ActorHit) -> ActorHit:
    """``the Court`` / ``the Council`` -> the body of that kind last named in full before ``end``."""
    if not actor.text or actor.how not in ("alias", "anaphor", "agent"):
        return actor
    words = norm_name(actor.text).split()
    if len(words) != 2 or words[0] != "the" or words[1] not in rules.heads:
        return actor
    candidates = rules.heads[words[1]]
    for m in reversed(_alias_hits(rules, text, max(0, end - 5000), end)):
        name, seen = _actor_of(rules, m), norm_name(m.group(0)).split()
        if name in candidates and not (len(seen) == 2 and seen[0] == "the" and seen[1] in rules.heads):
            return ActorHit(name, actor.text, actor.how, actor.explicit)
    return actor


def _speaker_side(s: str, hit: re.Match) -> bool:
    """``we as DPKO`` / ``we in the Secretariat``: the alias names the speaker's own side."""
    return re.search(r"\b(?:we|I)\s*,?\s*(?:as|in|at|from)\s+(?:the\s+)?$", s[max(0, hit.start() - 20):hit.start()], re.I) is not None


_HITS_CACHE: list = [None, None, None, None]  # rules, text, hits, starts (the last long text scanned)


def _alias_hits(rules: Rules, text: str, start: int = 0, end: int | None = None):
    """Actor alias matches in ``text[start:end]``; a whole document is scanned once and reused."""
    if rules.actor_re is None:
        return []
    end = len(text) if end is None else end
    if len(text) < 5000:
        return list(rules.actor_re.finditer(text, start, end))
    if _HITS_CACHE[0] is not rules or _HITS_CACHE[1] is not text:
        hits = list(rules.actor_re.finditer(text))
        _HITS_CACHE[:] = [rules, text, hits, [h.start() for h in hits]]
    hits, starts = _HITS_CACHE[2], _HITS_CACHE[3]
    i = bisect.bisect_left(starts, start)
    out = []
    while i < len(hits) and hits[i].end() <= end:
        out.append(hits[i])
        i += 1
    return out


def _actor_of(rules: Rules, m: re.Match) -> str:
    key = norm_name(m.group(0))
    return rules.alias_to_actor.get(key) or rules.alias_to_actor.get(re.sub(r"^the ", "", key), m.group(0))


@functools.lru_cache(maxsize=1024)  # cleared for each document, with _subject_chunk
def _clause_breaks(s: str, pos: int) -> tuple:
    """The clause breaks in ``s`` before ``pos`` (``_clause_start`` and ``_in_conditional`` ask
    for the same ones)."""
    return tuple(_CLAUSE_BREAK.finditer(s, 0, pos))


def _clause_start(s: str, pos: int) -> int:
    """Start of the clause that ends at ``pos`` (skipping segments that are only fillers)."""
    breaks = [m.end() for m in _clause_breaks(s, pos)]
    start = 0
    for b in reversed(breaks):
        seg = s[b:pos]
        if _PREP_SEGMENT.match(seg) and b > 0 and pos - b < 60:
            pos = b  # a parenthetical ", like the Council," is not the subject
            continue
        if not _FILLER.match(seg):
            start = b
            break
    return start


def _in_dashes(s: str, pos: int) -> bool:
    """Whether ``pos`` lies in an aside between two dashes ("– it's true, we must all understand –")."""
    return bool(_DASH.search(s, 0, pos)) and bool(_DASH.search(s, pos)) and (
        len(_DASH.findall(s, 0, pos)) % 2 == 1)


def _in_conditional(s: str, pos: int) -> bool:
    """Whether ``pos`` lies in an if / unless / whether clause (not the main clause after it)."""
    breaks = _clause_breaks(s, pos)
    last = breaks[-1] if breaks else None
    return bool(last and re.fullmatch(r"if|unless|whether", last.group(0), re.I)
                and "," not in s[last.end():pos])


@functools.lru_cache(maxsize=1024)  # pure; asked again for the same cue by the rec and com loops and find_actor
# (cleared for each document: a memo within one extraction, not across them)
def _subject_chunk(s: str, pos: int) -> tuple[int, int]:
    start = _clause_start(s, pos)
    m = _LEAD_WORDS.match(s, start, pos)
    if m:
        start = m.end()
    end = pos
    while end > start and s[end - 1].isspace():
        end -= 1
    return start, end


def _agent(rules: Rules, s: str, start: int, end: int, preps: str = "by|from"):
    """An actor introduced by ``by`` / ``from`` (passive or nominal agent) in ``s[start:end]``."""
    for m in _alias_hits(rules, s, start, end):
        before = s[max(start, m.start() - 14):m.start()].lower()
        if re.search(r"\b(?:" + preps + r")\s+(?:the\s+|all\s+|its\s+)?$", before):
            return m
    return None


_PREP_BEFORE = re.compile(r"\b(?:of|with|to|from|by|in|on|at|for|about|between|than|into|among|like|under|against)\s+"
                          r"(?:(?:the|a|an|all|its|their|our|his|her|these|those|some|few|many|other|one)\s+)*$", re.I)


def _antecedent(rules: Rules, turn_text: str, upto: int, reach: int = 800, person: bool = False, floor: int = 0):
    """The last actor named before ``upto`` in the turn (from ``floor``) as a subject or object, not
    inside a prepositional phrase (for they / he / she / it); ``person``: only actors of a person kind."""
    hits = _alias_hits(rules, turn_text, max(0, floor, upto - reach), upto)
    if person:
        hits = [h for h in hits if rules.kinds.get(_actor_of(rules, h)) in rules.person_kinds]
    fallback = object_ = None
    for i in range(len(hits) - 1, -1, -1):
        if _PREP_BEFORE.search(turn_text, max(0, hits[i].start() - 40), hits[i].start()):
            fallback = fallback if fallback is not None else i
            continue
        while i > 0 and _COORD.fullmatch(turn_text, hits[i - 1].end(), hits[i].start()):
            i -= 1  # "the Security Council and the General Assembly, they" -> the first named
        if _SUBJECT_BEFORE.search(turn_text, max(0, hits[i].start() - 60), hits[i].start()):
            return hits[i]  # the subject of its clause
        object_ = object_ if object_ is not None else i
    for i in (object_, fallback):
        if i is not None:
            return hits[i]
    return None


_NOT_NAMES = re.compile(r"^(?:January|February|March|April|May|June|July|August|September|October|November|December|"
                        r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|I|We|It|This|That|These|Those|There|"
                        r"They|He|She|You|And|But|So|If|In|On|At|For|The|A|An|As|Mr|Mrs|Ms|Dr)\b")


def _proper_np(chunk: str, common=frozenset()) -> str | None:
    """A proper name heading ``chunk`` (after a determiner): "Israel", "the Office of Legal Affairs".

    ``common``: words the document also writes in lower case; a single such word is a common noun
    capitalised only because it starts the sentence ("Action must be taken").
    """
    body = _DETERMINER.sub("", chunk.strip())
    m = _CAPWORD.match(body)
    if not m or _NOT_NAMES.match(m.group(0)):
        return None
    if " " not in m.group(0) and m.group(0).lower() in common:
        return None
    rest = body[m.end():].strip()
    if rest and not re.match(r"^(?:and\s+(?:its|their|the)\b|,|\(|itself|themselves|also|alone|too)", rest):
        return None  # the name only modifies the head noun ("Court's activities")
    return m.group(0).strip() or None


_ASKED_LEAD = re.compile(r"\W*(?:(?:all|the|our|your|their|those|these|both|every|each|any|many|more|other|fellow|some|of|my)\s+)*", re.I)
_ASKED_END = re.compile(r"\s+(?:\w+ing|\w+ed|in|of|from|at|on|across|around|throughout|who|that|which|with|to|for|like|such|whose|where)\b|\s*[,;:(]", re.I)


def _asked_people(rules: Rules, obj: str) -> str | None:
    """The people an object noun phrase names (the lexicon's ``asked_people``), without determiners
    and postmodifiers: "all students living in the north" -> "students"; None for anything else."""
    if rules.asked_people is None or not obj:
        return None
    np = obj[_ASKED_LEAD.match(obj).end():]
    cut = _ASKED_END.search(np)
    np = (np[:cut.start()] if cut else np).strip()
    words = np.split()
    if not 1 <= len(words) <= 3 or not rules.asked_people.fullmatch(words[-1]) or any(w[0].isupper() for w in words[:-1]):
        return None
    return np


def _definite_head(rules: Rules, text: str, upto: int, np: str) -> ActorHit | None:
    """``the Office`` / ``the Department``: the body last named in full (an alias of two words or
    more with that capitalised word, "the Office of Legal Affairs") in the 3,000 characters before."""
    m = re.fullmatch(r"\W*the\s+((?-i:[A-Z][a-z]+))\W*", np or "")
    if not m:
        return None
    word = re.compile(r"\b" + m.group(1) + r"\b")
    for h in reversed(_alias_hits(rules, text, max(0, upto - 3000), upto)):
        if len(h.group(0).split()) >= 3 and word.search(h.group(0)):
            return ActorHit(_actor_of(rules, h), np.strip(), "anaphor", True)
    return None


# the members of the body meeting, as a house's record writes them ("I ask Members to", "I urge all
# honourable Members to"; not "members of the public")
_HOUSE_MEMBERS = re.compile(r"^(?:[Aa]ll\s+)?(?:(?:[Hh]onourable|[Hh]on\.)\s+)?Members\b(?!\s+of\b)")
# an office holder addressed by title ("Mr. President", "Madam Speaker", "Senator Dole")
_VOCATIVE = re.compile(r"\s*(?:Mr\.?|Madam|Madame|Mister)\s+((?:Vice\s+)?(?:President|Prime\s+Minister|Minister|Speaker|"
                       r"Secretary|Governor|Senator)(?:\s+(?-i:[A-Z])[a-z]+)?)\b")
# an example named in a noun phrase of a kind ("other forums, such as the Alliance of Civilizations")
_EXAMPLE = re.compile(r"(?:,\s*|\s)(?:such\s+as|like|including|notably|namely)\s+(.+)$", re.I)
# a cue that ends in an infinitive marker ("it is important to", "the key thing is to choose"), not
# a verb whose object then acts ("would like to see schools doing", "to have / get / let them act")
_INFINITIVE_CUE = re.compile(r"\bto(?:\s+(?!(?:see|hear|watch|have|get|let|make|help|allow|enable)\b)[a-z]+)?$", re.I)


def find_actor(rules: Rules, s: str, cue: Cue, m: re.Match, turn_text: str, sent_start: int,
               common=frozenset(), floor: int = 0) -> ActorHit:
    """Who must act for the cue match ``m`` in sentence ``s`` (see module docstring)."""
    mode = cue.actor
    if mode == "object" and re.match(r"\s+that\b", s[m.end():]):
        mode = "after"  # "asks that the Government recognize ...": the subject of the that-clause
    if mode == "object":
        seg_end = m.end()
        stop = _OBJECT_END.search(s, m.end())
        to = _TO_VERB.search(s, m.end())
        limit = min(x.start() for x in (stop, to) if x) if (stop or to) else len(s)
        if to and to.start() - m.end() < 150 and not re.search(r"[;:.!?]", s[m.end():to.start()]):
            limit = to.start()  # "urge members, member states and the Secretariat, to ..." : the whole list
        hits = _alias_hits(rules, s, m.end(), limit)
        if hits:
            return ActorHit(_actor_of(rules, hits[0]), hits[0].group(0), "alias", True)
        obj = s[seg_end:limit].strip()
        if re.match(r"^(?:you|all\s+of\s+you|everyone|everybody)\b", obj, re.I):
            return ActorHit(UNSPECIFIED, obj, "none")
        if re.match(r"^(?:us|ourselves)\b", obj, re.I):
            return ActorHit(UNSPECIFIED, obj, "self")
        named = _definite_head(rules, turn_text, sent_start + m.end(), obj)
        if named:
            return named
        proper = _proper_np(obj, common)
        example = _EXAMPLE.search(obj)
        if not proper and example:  # "representatives of other forums, such as the Alliance of X": the one named
            proper = _proper_np(example.group(1).strip(" ,"), common)
        if proper:
            return ActorHit(proper, proper, "proper", True)
        people = _asked_people(rules, obj)
        if people:  # "I encourage all students living in the north to ...": the students
            return ActorHit(people, obj, "people", True)
        return ActorHit(UNSPECIFIED, obj or None, "none")
    if mode == "after":
        infinitive = _INFINITIVE_CUE.search(m.group(0))  # "the key thing is to choose one": "one" is its object
        generic = None if infinitive else re.match(r"\W*(?:that\s+)?(" + _GENERIC.pattern + r")", s[m.end():], re.I)
        if generic and not _alias_hits(rules, s, m.end(), m.end() + generic.end()):
            return ActorHit(UNSPECIFIED, generic.group(1), "generic")  # "it's important that all stakeholders ..."
        we = re.match(r"\W*(?:that\s+)?(we|us)\b(?!\s+(?:all|as)\b)", s[m.end():], re.I)
        if we:  # "it's important that we have community schools": the speaker's side, not the schools
            return ActorHit(UNSPECIFIED, we.group(1), "self")
        agent = _agent(rules, s, m.end(), len(s))
        near = re.match(r"(?:\W*\w+){0,%d}" % cue.window, s[m.end():])
        hits = _alias_hits(rules, s, m.end(), m.end() + (near.end() if near else 0))
        # "to X" / "for X" (not "for X to act") names who receives, not who acts
        hits = [h for h in hits if not (re.search(r"\b(?:to|for)\s+(?:the\s+|all\s+)?$", s[m.end():h.start()], re.I)
                                        and not re.match(r"\s+to\s+(?!the\b|a\b|an\b)\w", s[h.end():]))]
        if hits and infinitive:
            # "it's important to reach out to Arab nations": an infinitive with no subject of its
            # own; what follows is its object, unless a that-clause names its own subject or
            # "for X to" names who acts
            hits = [h for h in hits if re.search(r"\bthat\s+(?:\w+\s+){0,3}$", s[m.end():h.start()], re.I)
                    or re.match(r"\s*(?:\w+ly\s+)?for\s+(?:the\s+|all\s+)?$", s[m.end():h.start()], re.I)]
            if not hits:
                return ActorHit(UNSPECIFIED, None, "none")
        if hits:
            own = _speaker_side(s, hits[0])
            return ActorHit(_actor_of(rules, hits[0]), hits[0].group(0), "self" if own else "alias", not own)
        if agent:
            return ActorHit(_actor_of(rules, agent), agent.group(0), "agent", True)
        vocative = _VOCATIVE.match(s, m.end())
        if vocative:  # "Stop scaring the seniors, Mr. President.": the office holder addressed
            return ActorHit(vocative.group(1), vocative.group(0), "proper", True)
        return ActorHit(UNSPECIFIED, None, "none")
    if mode == "none":
        return ActorHit(UNSPECIFIED, None, "none")
    # subject: the noun phrase before the cue (or the pronoun the cue itself starts with: "they need more")
    lead = re.match(r"(?:we|they|you|he|she|it)\b", s[m.start():m.end()], re.I)
    cs, ce = _subject_chunk(s, m.start() + (lead.end() if lead else 0))
    chunk = s[cs:ce]
    after = s[m.end():]
    passive = _PASSIVE.match(after)
    tail0 = _TRAILING_ADVERBS.sub("", chunk).strip(" ,")
    if _GENERIC.fullmatch(tail0) or _GENERIC.fullmatch(_DETERMINER.sub("", tail0)):
        return ActorHit(UNSPECIFIED, tail0, "generic")
    if _RECIPIENT_PASSIVE.match(after):
        # "The Council needs to be kept informed": the subject only receives; who informs it acts
        stop = _OBJECT_END.search(s, m.end())
        agent = _agent(rules, s, m.end(), stop.start() if stop else len(s), "by")
        if agent:
            return ActorHit(_actor_of(rules, agent), agent.group(0), "agent", True)
        got = _alias_hits(rules, s, cs, ce)
        if got and _HEAD_OK.fullmatch(s[cs:got[0].start()]):
            name = resolve_definite(rules, turn_text, sent_start + got[0].start(),
                                    ActorHit(_actor_of(rules, got[0]), got[0].group(0), "alias")).name
            if name in rules.informs:
                return ActorHit(rules.informs[name], None, "implied", True)
        return ActorHit(UNSPECIFIED, None, "recipient")
    if _SUPPORT_PASSIVE.match(after):
        # "the Court must be fully supported and empowered": the subject receives; the supporter acts
        stop = _OBJECT_END.search(s, m.end())
        agent = _agent(rules, s, m.end(), stop.start() if stop else len(s), "by")
        if agent:
            return ActorHit(_actor_of(rules, agent), agent.group(0), "agent", True)
        return ActorHit(UNSPECIFIED, None, "recipient")
    if passive or cue.name in ("predicate", "require"):
        stop = _OBJECT_END.search(s, m.end())
        limit = stop.start() if stop else len(s)
        if passive:
            limit = min(limit, m.end() + passive.end() + 40)
        preps = "by|from|within" if passive else "by|from"
        agent = _agent(rules, s, m.end(), limit, preps) or _agent(rules, s, cs, ce)
        if agent:
            return ActorHit(_actor_of(rules, agent), agent.group(0), "agent", True)
    tail = re.sub(r"(?:\s+(?:\w+ly|also|do|does|did|still|all|both|now|just|really|certainly|too|themselves|ourselves))+$",
                  "", chunk, flags=re.I)
    poss = re.match(r"^\W*(?:its|their)\b", chunk, re.I) or re.fullmatch(r"\W*it", tail, re.I)
    owned = _alias_hits(rules, s, cs, ce)
    if poss and owned and owned[0].start() <= cs + poss.end() + 1:
        poss = None  # "its States Parties": the actor is named
    if poss and not re.match(r"\s*(?:is|was|'s)\b", after) and cue.name not in ("predicate", "require"):
        ante = _antecedent(rules, turn_text, sent_start + cs, reach=400, floor=floor)
        singular = poss.group(0).strip().lower() in ("it", "its")
        if ante and singular and re.search(r"(?i:s)$", ante.group(0)) and not ante.group(0).isupper():
            ante = None  # "it" is not "the member states"
        if ante:
            name = resolve_definite(rules, turn_text, ante.start(), ActorHit(_actor_of(rules, ante), ante.group(0), "alias")).name
            return ActorHit(name, chunk.strip(), "anaphor", True)
    pm = _PRONOUN.search(tail)
    if pm:
        word = pm.group(0)
        if pm.group("self"):
            own = _alias_hits(rules, s, max(0, pm.start() + cs - 1), m.start())
            if own:  # "we as DPKO", "we in the Secretariat"
                return ActorHit(_actor_of(rules, own[0]), own[0].group(0), "self")
            return ActorHit(UNSPECIFIED, word, "self")
        if pm.group("third"):
            ante = _antecedent(rules, turn_text, sent_start + cs, reach=350, floor=floor,
                               person=word.lower() in ("he", "she") and bool(rules.person_kinds))
            if ante:
                name = resolve_definite(rules, turn_text, ante.start(), ActorHit(_actor_of(rules, ante), ante.group(0), "alias")).name
                return ActorHit(name, word, "anaphor", True)
            return ActorHit(UNSPECIFIED, word, "none")
        if pm.group("you"):
            return ActorHit(UNSPECIFIED, word, "none")
        if word.lower() == "there" and re.match(r"\s*(?:\w+ly\s+|also\s+)*be\b", after, re.I):
            # "there must be cooperation between the Court and the United Nations": the parties named
            stop = re.compile(r"[;:.!?]|\b(?:which|who|because|so\s+that|if|when|while)\b", re.I).search(s, m.end())
            agent = _agent(rules, s, m.end(), stop.start() if stop else len(s), r"between|among|by|from|on\s+the\s+part\s+of")
            if agent:
                return ActorHit(_actor_of(rules, agent), agent.group(0), "agent", True)
        return ActorHit(UNSPECIFIED, None, "none")
    hits = _alias_hits(rules, s, cs, ce)
    if hits:
        hit = hits[0]
        head = s[cs:hit.start()]
        # the actor heads the subject ("the leadership in the mission"), or is the genitive of an
        # active nominal subject ("the commitment of the force commanders"); an actor inside a
        # modifier of a thing is not who acts ("the design and the mission", "support for the Court")
        to = _TRANSFER_TO.search(head)
        if to:  # "the development of guidance to missions": the missions receive
            name = _actor_of(rules, hit)
            if _INFO_NOUN.match(to.group(0)) and name in rules.informs:
                return ActorHit(rules.informs[name], None, "implied", True)  # "reporting to the Council"
            return ActorHit(UNSPECIFIED, None, "recipient")
        at_head = _HEAD_OK.fullmatch(head) is not None
        genitive = not passive and _GENITIVE.fullmatch(head)
        if at_head or genitive:
            own = _speaker_side(s, hit)
            return ActorHit(_actor_of(rules, hit), hit.group(0), "self" if own else "alias", not own)
        return ActorHit(UNSPECIFIED, None, "thing")  # a subject of its own, but not an actor
    rel = _RELATIVE_SUBJECT.search(s, 0, m.start())
    if rel and cs > rel.end("np"):
        # "The General Assembly, which has already been at the forefront ..., has a duty to act"
        hits = _alias_hits(rules, s, rel.start("np"), rel.end("np"))
        if hits and _HEAD_OK.fullmatch(s[rel.start("np"):hits[0].start()]):
            return ActorHit(_actor_of(rules, hits[0]), hits[0].group(0), "alias", not _speaker_side(s, hits[0]))
    named = _definite_head(rules, turn_text, sent_start + cs, chunk)
    if named:
        return named
    proper = _proper_np(chunk, common)
    if proper and len(proper.split()) <= 6:
        return ActorHit(proper, proper, "proper", True)
    return ActorHit(UNSPECIFIED, None, "none")


# ---------------------------------------------------------------- sentence classification


@dataclass
class Finding:
    kind: str  # rec / com
    start: int  # offsets into doc.text
    end: int
    turn: Turn
    cue: str
    confidence: float
    actor: ActorHit
    strength: str = "should"
    signal: str = "committed"
    implied: ActorHit | None = None  # the acting party by convention, when ``actor`` names none (see _implied)
    open_actor: bool = False  # names no actor of its own: the meeting's addressee may fill it (loader.context)


def _affiliation(speaker: Speaker | None, turn: Turn) -> str | None:
    """Words naming the speaker's side: the stated role, else a parenthesis in the label."""
    if speaker and speaker.role:
        return speaker.role
    if turn.label:
        m = re.search(r"\(([^)]+)\)", turn.label)
        if m:
            return m.group(1)
    return None


def _speaks_for_government(rules: Rules, speaker: Speaker | None, turn: Turn) -> bool:
    """Whether the speaker's stated role (or label) is one of the lexicon's ``own_side`` roles."""
    if rules.own_roles is None:
        return False
    return any(rules.own_roles.search(x) for x in ((speaker.role if speaker else None), turn.label) if x)


_WE_AS_GENERIC = re.compile(r"\bwe\s+all\b|\ball\s+of\s+us\b|\bevery\s+(?:single\s+)?one\s+of\s+us\b|\bwe\s*,?\s*as\s+(?:(?-i:[A-Z])[a-z]+ns|citizens|parliamentarians|legislators|elected\s+officials|"
                            r"a\s+(?:society|nation|country|community)|human\s+beings|individuals|parents)\b", re.I)
_OTHER_PRONOUNS = frozenset({"they", "he", "she", "them", "you", "all of you", "one", "everyone", "everybody"})


def _own_undertaking(s: str, cue: Cue, m: re.Match, actor: ActorHit) -> bool:
    """A recommendation that names nobody but the speaker's side: "we have to", an agentless passive,
    or "it / there" as subject ("it will have to be taken in the context of ..."); a thing as the
    subject of "is crucial" ("access to hardware is crucial") stays a recommendation (a finding)."""
    if actor.name != UNSPECIFIED:
        return False
    if _WE_AS_GENERIC.search(s, max(0, m.start() - 40), m.end()) or cue.name in ("let_us", "need_noun"):
        return False  # "we, as Canadians, must ...", "let's work together": everyone; "the need to": a finding
    if actor.how == "self":
        return True
    if actor.how != "none" or (actor.text or "").strip().lower() in _OTHER_PRONOUNS or cue.actor == "object":
        return False  # "I would encourage landlords to ...": someone else is asked
    if cue.actor == "after":  # "it is very important for us that ...", "it is necessary to consider ..."
        return bool(re.match(r"(?:\W*\w+){0,6}?\W*(?:we|us|our|I|me)\b", s[m.end():], re.I)
                    or (cue.name == "impersonal" and re.search(r"\bto$", m.group(0), re.I) is not None))
    if cue.name != "predicate" or _PASSIVE.match(s[m.end():]):
        return True
    cs, ce = _subject_chunk(s, m.start())
    return re.fullmatch(r"\W*(?:it|there|this|that|which)?\W*", s[cs:ce], re.I) is not None


def _people_subject(rules: Rules, s: str, m: re.Match) -> bool:
    """Whether a group of people (lexicon ``asked_people``) is named up to the cue and no "we" / "I" is:
    the subject is that group ("seniors need support from us", "those children never have to
    worry"), not the speaker's side ("we, as Canadians, must ..." is)."""
    if rules.asked_people is None:
        return False
    return (re.search(r"\b(?:" + rules.asked_people.pattern + r")\b", s[:m.end()], re.I) is not None
            and not _FIRST_PERSON.search(s, 0, m.end()))


_FIRST_PERSON = re.compile(r"\b(?:we|I|us|our)\b", re.I)


def _self_subject(chunk: str, affiliation: str | None) -> bool:
    """Whether the words right before a verb (``chunk``) are the speaker's own side."""
    if re.search(_PRONOUN_SELF.pattern + r"$", chunk, re.I):
        return True
    if affiliation:
        for word in re.findall(r"[A-Z][\w'-]{2,}(?:\s+[A-Z][\w'-]+)*", affiliation):
            if re.search(r"\b" + re.escape(word) + r"$", chunk):
                return True
            if len(word) >= 4 and re.search(r"\b" + re.escape(word[:-1]) + r"\w*\s+(?:Government|authorities|delegation)$", chunk):
                return True  # "the Guinean Government", "the Cuban delegation" for Guinea, Cuba
    return False


def _nearest_subject(chunk: str) -> str:
    """The last few words before a verb: where its subject sits (``we are``, ``we, of course, are``)."""
    chunk = re.sub(r"\s*,[^,]{0,25},\s*$", " ", chunk)
    chunk = _TRAILING_ADVERBS.sub("", chunk)
    words = re.findall(r"[\w'/.-]+", chunk)
    return " ".join(words[-4:])


def _org_of(rules: Rules, affiliation: str | None) -> tuple[str, str | None]:
    if not affiliation:
        return UNSPECIFIED, None
    hits = _alias_hits(rules, affiliation)
    if hits:
        name = _actor_of(rules, hits[0])
        return name, rules.kinds.get(name)
    return affiliation.split(";")[0].split(",")[0].strip(), None


_FIRST_PLURAL = re.compile(r"\b(?:we|us|our|ourselves)\b|\bwe'", re.I)
_WE_ALL = re.compile(r"\bwe\s+all\b|\ball\s+of\s+us\b|\b(?:one|each)\s+of\s+us\b|\bwe\s*,?\s+as\s+(?!(?:a|the|this|our)\s+government)"
                     r"(?:\w+\s+)?(?:Canadians|citizens|a\s+society|a\s+country|a\s+nation|individuals|parents|people|"
                     r"humanity|members|parliamentarians|legislators|elected\s+officials)\b", re.I)
# "as parents, we ...", "many of us will have done": an inclusive "we" (everyone of that kind)
_AS_GROUP_WE = re.compile(r"\bas\s+(?:(?-i:[A-Z])[a-z]+ns|citizens|parents|people|individuals|human\s+beings|members|"
                          r"parliamentarians|legislators|a\s+(?:society|nation|country|community))\s*,\s*we\b"
                          r"|\b(?:many|some|most|few)\s+of\s+us\b", re.I)
# a free relative that is only what the speaker will talk about: "I'm delighted to share with Canadians
# what we are doing", "let me explain what the government will do" (the commitment, if any, follows)
_TALK_ABOUT = re.compile(r"\b(?:share|explain\w*|discuss\w*|tell|talk|speak|describe|outline|set\s+out|listen\s+to|hear|point\s+out|ask|asking|asks|wonder|wondering|know|"
                         r"update\s+(?:you|the\s+\w+)\s+on)\b(?:[^.;!?]|\.(?=\s+[a-z])){0,80}?\b(?:what|how)\s+(?:exactly\s+)?(?:we|I|our\s+\w+|the\s+\w+)\s*,?\s*$", re.I)
# a second predicate of the clause's subject ("We support the talks and stand ready to help")
_COORDINATED = re.compile(r"\band\s+(?:\w+ly\s+|also\s+|are\s+)?$", re.I)
_SELF_START = re.compile(r"\W*(?:(?:and|so|but|therefore|also|indeed|thus|finally|in\s+\w+),?\s+)*"
                         + _PRONOUN_SELF.pattern + r"(?!\s*(?:,|and\b))", re.I)
OWN_SIDE_CUE = Cue(name="own_side", regex=re.compile(r"(?!)"), confidence=0.55, subject="self", signal="committed")


def _sentence_cancels(rules, possible, meeting_we: bool) -> list:
    """The cancels that may match a sentence (``possible``), as ``(cue, regex)``; a meeting's "we"
    cancels only where the meeting speaks as "we"."""
    return [(c, rx) for c, rx in rules.of_kind(possible, 2) if meeting_we or not c.meeting_we]


def classify_sentence(rules: Rules, s: str, turn: Turn, turn_text: str, sent_start: int, affiliation: str | None,
                      common=frozenset(), own_kind: str | None = None, own_side: bool = False, possible=None,
                      meeting_we: bool = False, we_addressee: bool = False, witness: bool = False):
    """('rec' | 'com' | None, cue, actor, strength/signal, confidence) for one sentence ``s``.

    ``meeting_we``: the speakers' "we" is the meeting itself (a team planning its work); only then
    do the cues marked ``meeting_we`` ("we could put ...": a proposal to the team) run.
    ``we_addressee``: the speakers' "we" is the meeting's addressee (a team, candidates' country);
    then the commitment cues marked ``not_we_addressee`` ("we have to keep our army strong": a
    prescription for that "we") do not run.

    ``witness``: the speaker answers a committee for their government (``Document.ministers``); their
    "we're asking parents to ..." describes their own side's measure.

    ``possible``: {index in ``rules.all_cues()``: the compiled pattern to run} for the cues, cancels
    and exclusions that may match ``s`` (``LiteralIndex.views``; every cue's own regex when None);
    the others cannot match and are not run.
    """
    if possible is None:
        possible = dict(enumerate(c.regex for c in rules.all_cues()))
    cancels = None  # made when a cue first matches (most sentences match none)
    recs = []
    for cue, found in rules.matches_of_kind(possible, 0, s, frozenset() if meeting_we else rules.flagged("meeting_we")):
        for m in found:
            if cue.unless_after is not None and cue.unless_after.search(s, m.end()):
                continue  # "you could go for wood but it would be impractical": an option weighed
            if cancels is None:
                cancels = _sentence_cancels(rules, possible, meeting_we)
            cs, _ = _subject_chunk(s, m.start())
            if any(_cancelled(c, rx, s, cs, m) for c, rx in cancels) or _in_conditional(s, m.start()) or _in_dashes(s, m.start()):
                continue
            if (own_side or witness) and cue.name == "third_party_request" and re.search(
                    r"\b(?:we|I)\s*(?:'re|'m|are|am)\s+(?:\w+\s+)?asking\b", s[max(0, m.start() - 12):m.end()], re.I):
                continue  # a Minister's "we're asking parents to ...": the government's own measure, described
            recs.append((cue, m))
    coms = []
    skip = (frozenset() if own_side else rules.flagged("own_side")) | (rules.flagged("not_we_addressee") if we_addressee else frozenset())
    for cue, found in rules.matches_of_kind(possible, 1, s, skip):  # own_side: only a Minister's / official's
        for m in found:
            if cue.needs_actor and not _alias_hits(rules, s, m.start(), m.end()):
                continue
            if cue.subject == "self":
                cs, ce = _subject_chunk(s, m.start())
                spelled = re.match(r"(?:we|I)\b", s[m.start():m.end()], re.I)  # cues that spell their subject
                near = _nearest_subject(s[cs:m.start()])
                if not spelled and not _self_subject(near, affiliation) and not (
                        own_side and rules.own_subjects is not None and rules.own_subjects.search(near)) and not (
                        _COORDINATED.search(s, cs, m.start()) and _SELF_START.match(s, cs)):
                    continue  # (a second predicate of "we" counts: "We support X and stand ready to ...")
            if _WE_ALL.search(s, max(0, m.start() - 60), m.end() + 60) or _AS_GROUP_WE.search(s, max(0, m.start() - 60), m.end()):
                continue  # "as parents, we will know ...", "we do need to make sure, all of us, ...": everyone, not the speaker's side
            if cancels is None:
                cancels = _sentence_cancels(rules, possible, meeting_we)
            if any(c.commitments and _cancelled(c, rx, s, _subject_chunk(s, m.start())[0], m) for c, rx in cancels):
                continue  # "the research that we commissioned": a relative clause tells what a thing is
            if not _in_conditional(s, m.start()) and not _TALK_ABOUT.search(s, max(0, m.start() - 140), m.start()):
                coms.append((cue, m))
    if not recs and not coms:
        return None  # no cue: the exclusions need not be run
    excluded = [ex for ex, rx in rules.of_kind(possible, 3) if rx.search(s)]
    if any(not ex.unless for ex in excluded):
        return None
    rec_hits = []
    for cue, m in sorted(recs, key=lambda x: (x[1].start(), -x[0].confidence)):
        actor = find_actor(rules, s, cue, m, turn_text, sent_start, common, floor=turn.speech_start)
        rec_hits.append((cue, m, actor))
    if excluded:
        rec_hits = [h for h in rec_hits if all(h[0].name in ex.unless for ex in excluded)]
        if not rec_hits:
            return None
        coms = []
    other_actor = [h for h in rec_hits if h[2].explicit and h[2].how != "self"]
    if coms and not other_actor:
        cue, m = max(coms, key=lambda x: x[0].confidence)
        return ("com", cue, m, None)
    if rec_hits:
        # the first cue (main clause) unless only a later one names its actor outright
        best = rec_hits[0]
        if best[2].name == UNSPECIFIED:
            named = [h for h in rec_hits if h[2].how in ("alias", "agent")]
            if named:
                best = named[0]
        if (best[2].name == UNSPECIFIED and best[0].actor != "none" and own_kind in rules.own_side_kinds and own_side
                and best[2].how != "generic" and _FIRST_PLURAL.search(s) and not _WE_ALL.search(s, 0, best[1].start())):
            # a minister's "we have to look at ...": the government's own course, a commitment
            if _people_subject(rules, s, best[1]):
                return None  # "seniors need support from us": a group's need or duty told, no one asked
            return ("com", OWN_SIDE_CUE, best[1], None)
        return ("rec", best[0], best[1], best[2])
    return None


_BARE_NAME = re.compile(r"(?:(?-i:[A-Z])[\w'\u2019.-]*|of|the|and|d'|de|du|la|\s)+", re.I)
_INSTITUTION_WORD = re.compile(r"\b(?:President|Chair\w*|Vice|Secretary|Secretariat|Department|Office|Committee|Council|"
                               r"Commission|Division|Minister|Ministry|Court|Assembly|Union|Organi[sz]ation|Bank|Fund|"
                               r"Programme|Agency|Rapporteur|Speaker|Moderator|Clerk|Director|Professor|Judge)\b")


def _audience_of(rules: Rules, affiliation: str) -> str | None:
    """Who "all of you" / "others" / "colleagues" are for a speaker with this stated affiliation: the
    lexicon's ``audience`` agent whose role words it contains, or, for a bare country name (the UN
    verbatim label "Mr. X (Kenya)"), the agent listed under ``delegation_label``."""
    for agent, roles in rules.audience.items():
        if roles and _any_word(tuple(map(str, roles)), re.I, r"\b", r"\b").search(affiliation):
            return agent
    if (rules.delegation_label and _BARE_NAME.fullmatch(affiliation) and len(affiliation.split()) <= 10
            and not _INSTITUTION_WORD.search(affiliation)
            and all(rules.kinds.get(_actor_of(rules, h)) == "member state" for h in _alias_hits(rules, affiliation))):
        return rules.delegation_label
    return None


def _implied(rules: Rules, s: str, cue: Cue, actor: ActorHit, affiliation: str | None, items: list,
             text: str, s0: int) -> ActorHit:
    """The acting party a recommendation leaves implicit, by general convention (lexicon
    ``implied_agents``); ``actor`` itself when it names one. In order:

    - ``all of you`` / ``others`` / ``colleagues`` asked or urged by a delegate (``audience`` roles,
      or a bare country name as role: ``delegation_label``): the other delegations;
    - "we need to draw up / develop an X" (``we_drafts``) by a speaker from a body of a ``we_of``
      kind: that body's system;
    - the body of a ``forum_kinds`` kind something is to "take place / be discussed in";
    - a ``tasks`` pattern (training troops: contributing countries; guidance to missions: the
      headquarters department; peace agreements: the parties; bills: parliament; a delegate's
      call for resources: Member States), when the sentence names no actor (a thing, a passive or
      a recipient as subject, or ``we``);
    - a nominal subject that holds an actor only as a partner ("the engagement with X is vital")
      right after a recommendation naming its actor: that actor, still the topic;
    - an agentless prescription (no we / you / let us) by a legislator (``members`` words in the
      role, none of ``members_unless``): the body the house holds to account, the Government.
    """
    if actor.name != UNSPECIFIED:
        return actor
    if cue.actor == "object" and actor.text and _AUDIENCE.match(actor.text) and affiliation:
        agent = _audience_of(rules, affiliation)
        if agent:
            return ActorHit(agent, actor.text, "implied", True)
    if (actor.how == "self" and (actor.text or "").lower() == "we" and affiliation and rules.we_of
            and rules.we_drafts and rules.we_drafts.search(s)):
        org = _alias_hits(rules, affiliation)
        kind = rules.kinds.get(_actor_of(rules, org[0])) if org else None
        if kind in rules.we_of:  # "We need to draw up an operational concept" (an Under-Secretary-General)
            return ActorHit(rules.we_of[kind], actor.text, "implied", True)
    if actor.how in ("none", "thing", "recipient"):
        forum = _forum(rules, s)
        if forum:
            return forum
    if actor.how in ("none", "thing", "self", "recipient"):
        for agent, regex, speaker in rules.tasks:
            if speaker == "delegate" and not (affiliation and _audience_of(rules, affiliation)):
                continue
            if regex.search(s):
                return ActorHit(agent, None, "implied", True)
    if actor.how == "thing" and cue.name == "predicate" and items:
        prev = items[-1]
        if prev.kind == "rec" and prev.actor.how in ("alias", "anaphor") and not text[prev.end:s0].strip():
            return ActorHit(prev.actor.name, None, "topic", True)
    if (actor.how in ("none", "thing", "recipient") and not actor.text and affiliation and rules.members
            and cue.actor != "none" and not re.search(r"\b(?:we|us|our|ourselves|you|your|let's|let\s+us)\b", s, re.I)):
        agent = _member_agent(rules, affiliation)
        if agent:
            return ActorHit(agent, None, "implied", True)
    if (cue.actor == "object" and actor.how == "self" and (actor.text or "").lower().startswith("us") and rules.members_us
            and affiliation and _member_agent(rules, affiliation)):
        return ActorHit(rules.members_us, actor.text, "implied", True)  # a legislator's "I call on us to have an inquiry"
    return actor


def _member_agent(rules: Rules, affiliation: str) -> str | None:
    """The body a legislator (``members`` words in the role, none of ``members_unless``) holds to account."""
    if rules.members_unless and _any_word(tuple(rules.members_unless), re.I, r"(?<!\w)", r"(?!\w)").search(affiliation):
        return None
    for agent, words in rules.members.items():
        if words and _any_word(tuple(words), 0, r"(?<![\w.])", r"(?![\w])").search(affiliation):
            return agent
    return None


@functools.lru_cache(maxsize=64)  # a lexicon's word lists (not texts): compiled once
def _any_word(words: tuple, flags: int, before: str, after: str) -> re.Pattern:
    """One regex for any of ``words`` (literal) between ``before`` and ``after`` (boundaries):
    it finds a match in a text exactly when one word's own ``before + word + after`` does (the
    alternation tries every word at each position), with one search instead of one a word."""
    return re.compile(before + "(?:" + "|".join(re.escape(w) for w in words) + ")" + after, flags)


_FORUM_VERB = re.compile(r"\b(?:take\s+place|be\s+(?:\w+ly\s+)?(?:discussed|debated|examined|considered|addressed|"
                         r"taken\s+up|raised|dealt\s+with|negotiated|reviewed))\b", re.I)


def _forum(rules: Rules, s: str) -> ActorHit | None:
    """"This should be discussed in the General Assembly", "take place not in the Council but in the
    C34": the body (of a ``forum_kinds`` kind) in which the thing is to happen acts; not one negated."""
    for v in _FORUM_VERB.finditer(s):
        for h in _alias_hits(rules, s, v.end(), min(len(s), v.end() + 120)):
            before = s[max(0, h.start() - 12):h.start()]
            if (re.search(r"\b(?:in|at|within|before)\s+(?:the\s+)?$", before, re.I)
                    and not re.search(r"\bnot\s+(?:in|at|within|before)\s+(?:the\s+)?$", before, re.I)
                    and rules.kinds.get(_actor_of(rules, h)) in rules.forum_kinds):
                return ActorHit(_actor_of(rules, h), h.group(0), "forum", True)
    return None


def _cancel_at(regex: re.Pattern, s: str, cs: int, m: re.Match) -> bool:
    """The cancelling form overlaps the cue match itself."""
    for c in regex.finditer(s, max(0, cs - 20), min(len(s), m.end() + 40)):
        if c.start() <= m.end() and c.end() >= m.start():
            return True
    return False


_SPELLED_SUBJECT = re.compile(r"(?:we|I|you|they|he|she)\b\s*", re.I)


def _cancel_end(cue: Cue, regex: re.Pattern, s: str, m: re.Match) -> bool:
    """The cancelling form ends where the cue's verb starts (a subject the cue spells, "we will",
    counts as before it: "the research that we | commissioned"), and what follows the cue is not in
    its ``unless_after`` ("the one thing that we need to do | is ...")."""
    if cue.unless_after is not None and cue.unless_after.search(s, m.end()):
        return False
    lead = _SPELLED_SUBJECT.match(s, m.start(), m.end())
    end = lead.end() if lead else m.start()
    return regex.search(s, 0, end) is not None


def _cancelled(cue: Cue, regex: re.Pattern, s: str, cs: int, m: re.Match) -> bool:
    """Whether the cancel ``cue`` (its pattern ``regex``) drops the cue match ``m`` of sentence ``s``."""
    if cue.scope == "before":
        return regex.search(s, 0, m.start()) is not None
    if cue.scope == "frame":
        return _cancel_frame(regex, s, m)
    if cue.scope == "end":
        return _cancel_end(cue, regex, s, m)
    return _cancel_at(regex, s, cs, m)


_FRAME_BREAK = re.compile(r"\bbut\b|\byet\b|[;:]|\s[\u2013\u2014-]\s|\u2014", re.I)


def _cancel_frame(regex: re.Pattern, s: str, m: re.Match) -> bool:
    """A frame before the cue that governs it: "nowhere do I find that X must ...", "no-one's going
    to say that ... should ..." (not when "but" or a semicolon starts a new clause in between)."""
    for c in regex.finditer(s, 0, m.start()):
        if not _FRAME_BREAK.search(s, c.end(), m.start()):
            return True
    return False


def _strength(rules: Rules, text: str, default: str) -> str:
    for level, regex in rules.strength:
        if regex.search(text):
            return level
    return default


def _theme(rules: Rules, text: str) -> str:
    """The theme whose words the text uses most (actor names do not count: "police contributors")."""
    if rules.actor_re is not None:
        text = rules.actor_re.sub(" ", text)
    index = rules.theme_index()
    views = index.views(index.scan(fold(text)), 0, len(text))  # only themes whose words occur
    best, best_n = "other", 0
    for i, (theme, _) in enumerate(rules.themes):
        n = sum(1 for _ in views[i].finditer(text)) if i in views else 0
        if n > best_n:
            best, best_n = theme, n
    return best


# ---------------------------------------------------------------- the public function


def extract(doc: Document, lexicon=None, turns: list | None = None,
            link: bool = True) -> tuple[list[Recommendation], list[Commitment]]:
    """Recommendations and commitments of ``doc`` (pure; offsets index ``doc.text``).

    ``turns`` (a run of ``doc.turns``) limits the work to those turns; each turn is extracted on
    its own, so the runs of a long document can be extracted apart (in worker processes) and put
    together in order, then linked once with ``link_commitments`` (``link=False`` here).
    Raises ``re.error`` when a lexicon cue pattern is not a valid regular expression.
    """
    turns = doc.turns if turns is None else turns
    rules = rules_for(lexicon)
    _subject_chunk.cache_clear()
    _clause_breaks.cache_clear()
    text = doc.text
    speakers = {sp.key: sp for sp in doc.speakers}
    findings: list[list[Finding]] = []  # per turn
    common = LowerWords(text)  # the words the document writes in lower case
    index = rules.cue_index()
    plain = _WS.sub(" ", text).replace("\u2019", "'")  # one character for one: offsets unchanged
    occurrences = index.scan(fold(plain))  # every cue literal of the document, in one scan
    for turn in turns:
        speaker = speakers.get(turn.speaker_key)
        affiliation = _affiliation(speaker, turn)
        own_side = _speaks_for_government(rules, speaker, turn)
        minister = turn.speaker_key in doc.ministers
        witness = turn.speaker_key in doc.witnesses
        chair = bool(rules.chair_roles and affiliation and rules.chair_roles.search(affiliation))
        own_kind = _org_of(rules, affiliation)[1]
        turn_text = text  # offsets are document offsets; look-backs stop at the sentence
        items: list[Finding] = []
        for s0, e0 in split_sentences(text, turn.speech_start, turn.char_end):
            s = plain[s0:e0]
            got = classify_sentence(rules, s, turn, turn_text, s0, affiliation, common, own_kind, own_side,
                                    index.views(occurrences, s0, e0),
                                    doc.proposals, doc.addressee_we, minister)
            if not got or (got[0] == "com" and chair):
                continue  # a chair's "we're working on it as we go through" is the meeting's procedure
            kind, cue, m, actor = got
            dashes = list(_DASH.finditer(s, 0, m.start()))
            if len(dashes) % 2 == 1 and dashes[-1].start() >= 60 and not _DASH.search(s, m.end()):
                s0 += dashes[-1].end()  # "... it's very also tricky – it's important that all stakeholders ..."
            if kind == "rec":
                actor = resolve_definite(rules, text, e0, actor)
                if actor.how == "proper" and not is_name(actor.name):
                    actor = ActorHit(UNSPECIFIED, actor.text, "none")  # "member of the", "your moderator": no name
                implied = _implied(rules, s, cue, actor, affiliation, items, text, s0)
                if minister and _we_subject(actor):
                    continue  # a Minister's "we need to ...": their own government's course (borderline at most)
                if (minister or witness) and _you_subject(actor):
                    continue  # one answering the committee: "in supporting children you have to ...", a generic "you"
                if own_side and implied.name == UNSPECIFIED and _people_subject(rules, s, m):
                    continue  # a Minister's "people who got it fraudulently will have to repay": a rule told
                if own_side and _own_undertaking(s, cue, m, implied):
                    # a Minister's / official's "we have to ...", "it will have to be taken ...": their own side's
                    items.append(Finding("com", s0, e0, turn, "own_side", 0.5, ActorHit(UNSPECIFIED, None, "self"),
                                         signal="committed"))
                    continue
                conf = cue.confidence + (0.1 if actor.how in ("alias", "agent") else 0.0) - (0.1 if actor.name == UNSPECIFIED else 0.0)
                items.append(Finding("rec", s0, e0, turn, cue.name, round(min(0.95, max(0.05, conf)), 2), actor,
                                     strength=cue.strength, implied=implied if implied is not actor else None,
                                     open_actor=not own_side and (_open_actor(cue, actor, doc.addressee_we or doc.system_we) or (
                                         witness and actor.how == "self" and (actor.text or "").lower() in _WE_WORDS))))
                # (a witness's "we need to ...": the system they advise on, the meeting's addressee)
            else:
                items.append(Finding("com", s0, e0, turn, cue.name, cue.confidence, ActorHit(UNSPECIFIED, None, "self"),
                                     signal=cue.signal))
        findings.append(_merge(rules, text, items))

    recs: list[Recommendation] = []
    coms: list[Commitment] = []
    addressee = canonical_actor(doc.addressee, lexicon) if doc.addressee else None
    members = canonical_actor(doc.members, lexicon) if doc.members else None
    for turn, items in zip(turns, findings):
        speaker = speakers.get(turn.speaker_key)
        org, org_kind = _org_of(rules, _affiliation(speaker, turn))
        aff = _affiliation(speaker, turn)
        delegate = bool(aff and rules.delegation_label and _audience_of(rules, aff))  # a delegation in a UN body
        for f in items:
            span = text[f.start:f.end]
            if f.kind == "rec":
                if f.implied and f.actor.name == UNSPECIFIED and f.actor.how != "generic":
                    f.actor = f.implied  # merging is decided on the words; the convention fills the gap after
                if members and f.actor.how in ("none", "proper") and _HOUSE_MEMBERS.match(f.actor.text or ""):
                    f.actor = ActorHit(members, doc.members, "alias", True)  # "I ask Members to reject ...": the body's members
                    f.cue += "+members"
                if addressee and f.open_actor and f.actor.name == UNSPECIFIED:
                    f.actor = ActorHit(addressee, f.actor.text, "addressee", True)  # the meeting's default
                    f.cue += "+addressee"
                # "We call for Lithuania to abandon ...": a State named by a delegate is one of the membership
                state_group = rules.delegation_label if f.actor.how == "proper" and delegate else None
                actors = _actors(rules, f.actor, span, state_group, doc.addressee)
                recs.append(Recommendation(
                    turn_seq=turn.seq, speaker_key=turn.speaker_key, text=span, char_start=f.start, char_end=f.end,
                    actor=actors[0].name, actor_kind=actors[0].kind, actor_text=f.actor.text,
                    theme=_theme(rules, span), strength=_strength(rules, span, f.strength), cue=f.cue,
                    confidence=f.confidence, actor_group=actors[0].group, actors=actors))
            else:
                own = _alias_hits(rules, _WS.sub(" ", span))
                name, kind = org, org_kind
                m = re.search(r"\b(?:we|I)\s*,?\s*(?:as|in|at|from)\s+|\bfor\s+(?:our|my)\s+part\s+in\s+", span, re.I)
                if own and (m or f.cue == "progress_report"):
                    name = _actor_of(rules, own[0])
                    kind = rules.kinds.get(name)
                coms.append(Commitment(
                    turn_seq=turn.seq, speaker_key=turn.speaker_key, text=span, char_start=f.start, char_end=f.end,
                    actor=name, actor_kind=kind, signal=f.signal, cue=f.cue, confidence=f.confidence))
    model = learned_filter.filter_for(lexicon)
    if model is not None:  # the learned filter over these candidates (lexicon ``filter``)
        recs, coms = model.apply(lexicon, doc, recs, coms)
    if link:
        _link(rules, recs, coms)
    return recs, coms


def actor_name(rules: Rules, name: str) -> str:
    """An actor name as stored: whitespace of the transcript's line wraps made single ("High
    Commissioner"), and a phrase that is no name ("member of the", "your moderator": a cut-off or
    a possessive) Unspecified. Names of the lexicon are kept as they are."""
    if name in rules.kinds:
        return name
    name = " ".join(name.split())
    return name if is_name(name) else UNSPECIFIED


_COORDINATED_HOWS = frozenset({"alias", "agent", "forum", "proper"})


def _actors(rules: Rules, hit: ActorHit, span: str, state_group: str | None, addressee: str | None = None) -> list:
    """Every actor a finding asks, the main one first: the specific name and its group
    (``loader.actors.entity``), then the actors named with it ("X and Y must"). ``addressee``:
    the meeting's, as given (the name an ``addressee`` actor is stored under)."""
    if hit.how == "addressee":
        return [entity(rules, hit.name, addressee, None, "addressee")]
    name = hit.name
    if name == UNSPECIFIED:
        return [entity(rules, name, None)]
    plain = _WS.sub(" ", span).replace("\u2019", "'")
    if hit.how == "proper" and not state_group and rules.state_names and " and " in name:
        parts = [p for p in re.split(r"\s+and\s+", name) if p]
        if len(parts) > 1 and all(norm_name(p) in rules.state_names for p in parts):
            return [entity(rules, p, p, plain, "proper") for p in parts]  # "Israel and Lebanon must"
    if hit.how == "proper" and state_group and norm_name(clean_name(name)) not in rules.state_names:
        state_group = None
    first = entity(rules, name if name in rules.kinds or is_name(name) else UNSPECIFIED, hit.text, plain,
                   hit.how, state_group)
    return coordinated(rules, first, hit.text, plain) if hit.how in _COORDINATED_HOWS else [first]


def link_commitments(recs: list[Recommendation], coms: list[Commitment], lexicon=None) -> None:
    """Point each commitment at the earlier recommendation it answers (``recommendation_index``),
    over the whole document: for runs of turns extracted apart with ``extract(..., link=False)``."""
    _link(rules_for(lexicon), recs, coms)


_WE_WORDS = frozenset({"we", "us", "let's", "let us", "let’s"})


def _you_subject(actor: ActorHit) -> bool:
    """Whether a bare "you" is the subject the recommendation found (no one named)."""
    return actor.how == "none" and (actor.text or "").lower() == "you"


def _we_subject(actor: ActorHit) -> bool:
    """Whether the speaker's own "we" or "I" is the subject the recommendation found (no one else named)."""
    return actor.how == "self" and (actor.text or "").lower() in ("we", "we've", "we're", "i", "i've", "i'm")


def _open_actor(cue: Cue, actor: ActorHit, we_is_meeting: bool) -> bool:
    """Whether a recommendation names no acting party of its own (a thing or a passive as subject,
    "there is a need to"), or, where the meeting's "we" is the meeting itself, only "we"."""
    if actor.name != UNSPECIFIED:
        return False
    if cue.actor == "none":  # "let's ...": the meeting's "we" where that is the addressee
        return we_is_meeting and cue.name == "let_us"

    if actor.how in ("none", "thing", "recipient"):
        return True
    return we_is_meeting and actor.how == "self" and (actor.text or "").lower() in _WE_WORDS


def _merge(rules: Rules, text: str, items: list[Finding]) -> list[Finding]:
    """Merge consecutive sentences of the same kind that give the same item."""
    out: list[Finding] = []
    for f in items:
        prev = out[-1] if out else None
        gap = text[prev.end:f.start] if prev else ""
        if (prev and prev.kind == f.kind == "rec" and gap.strip() and len(gap) < 250 and f.actor.how == "none"
                and _DEMONSTRATIVE_START.match(text, f.start)):
            # "They have to go ... (two asides) ... And that, I think, has to be done.": one recommendation
            out[-1] = Finding(prev.kind, prev.start, f.end, prev.turn, prev.cue, max(prev.confidence, f.confidence),
                              prev.actor, strength=prev.strength, signal=prev.signal, implied=prev.implied or f.implied,
                              open_actor=prev.open_actor or f.open_actor)
            continue
        if (prev and prev.kind == f.kind == "rec" and len(gap) < 250 and len(re.findall(r"[.!?]\s", gap)) <= 2
                and _CATAPHOR.search(text, prev.start, prev.end)):
            # "it's important that all stakeholders understand this. Troops ... Yes, the commander has got
            # to ...": what "this" points forward to is spelled out in the next sentences; one item,
            # whose actor is the first sentence's (a generic subject stays generic)
            actor = prev.actor if prev.actor.name != UNSPECIFIED or prev.actor.how == "generic" else f.actor
            out[-1] = Finding(prev.kind, prev.start, f.end, prev.turn, prev.cue, max(prev.confidence, f.confidence),
                              actor, strength=prev.strength, signal=prev.signal, implied=prev.implied or f.implied,
                              open_actor=prev.open_actor or f.open_actor)
            continue
        if prev and prev.kind == f.kind and not gap.strip():
            sentence = _WS.sub(" ", text[f.start:f.end])
            restates = bool(rules.restatement and rules.restatement.match(sentence))
            new_point = bool(rules.new_point and rules.new_point.match(sentence)) or f.cue == "call_noun" or (
                f.kind == "rec" and _parallel(text[prev.start:prev.end], sentence))  # a further call; "We need to X. We need to Y."
            pronoun = (f.actor.text or "").lower() in ("they", "he", "she")
            continues = f.kind == "rec" and not new_point and (
                (f.actor.name == UNSPECIFIED and f.actor.how in ("none", "self", "generic") and not pronoun)
                or (prev.actor.how == "none" and prev.actor.name == UNSPECIFIED and prev.end - prev.start < 160
                    and prev.cue in LEAD_IN_CUES)
                or (prev.actor.how in ("none", "thing") and prev.actor.name == UNSPECIFIED and prev.end - prev.start < 160
                    and prev.cue == "modal" and f.cue in ("urge", "request") and f.actor.how in ("alias", "agent")
                    and not re.search(r"\b(?:also|further|furthermore|moreover|in\s+addition)\b", sentence[:80], re.I))
                # "X is essential." / "X must be preserved." then who must do it ("My delegation urges all States ...")
                or (pronoun and (prev.actor.text or "").lower() == f.actor.text.lower()))  # a run about one "they"
            same_promise = f.kind == "com" and not new_point and f.signal == prev.signal and f.cue != "own_modal" and prev.cue != "own_modal"
            if f.kind == "rec" and not new_point and prev.actor.name == UNSPECIFIED and prev.actor.how in ("none", "thing") \
                    and prev.cue not in _CALL_CUES \
                    and f.actor.explicit and f.cue in _CALL_CUES and prev.end - prev.start < 250 \
                    and not _ALSO_CALL.search(sentence):
                # "X must be preserved. My delegation urges all States to ...": the call names who is to do it
                out[-1] = Finding(prev.kind, prev.start, f.end, prev.turn, f.cue, max(prev.confidence, f.confidence),
                                  f.actor, strength=prev.strength, signal=prev.signal)
                continue
            if f.kind == "rec" and not new_point and f.actor.name == UNSPECIFIED \
                    and not (f.actor.how == "self" and prev.actor.how != "self") \
                    and len(_shared_words(rules, text[prev.start:prev.end], sentence)) >= 2:
                restates = True  # the same recommendation in other words ("my expectation is that schools should
                # continue to refer ... So, there is a professional expectation on all those ... to report and refer")
            if f.kind == "com" and f.signal != prev.signal:
                restates = False  # "We are working with the communities. For example, we have provided $9 million": two reports
            if restates or continues or same_promise:
                # the first sentence's actor; a generic subject ("all stakeholders") stays generic
                actor = prev.actor if prev.actor.name != UNSPECIFIED or prev.actor.how == "generic" else f.actor
                out[-1] = Finding(prev.kind, prev.start, f.end, prev.turn, prev.cue, max(prev.confidence, f.confidence),
                                  actor, strength=prev.strength, signal=prev.signal, implied=prev.implied or f.implied,
                              open_actor=prev.open_actor or f.open_actor)
                continue
        out.append(f)
    return out


_PARALLEL_HEAD = re.compile(r"\W*(?:(?:and|so|but|also|then|now),?\s+)*((?:we|you|they|I|the\s+\w+|it)\s+(?:\w+ly\s+|also\s+|really\s+)?"
                            r"(?:must|should|need\s+to|have\s+to|has\s+to|needs\s+to|ought\s+to|have\s+got\s+to|'ve\s+got\s+to|can't|cannot))\b", re.I)


def _parallel(prev: str, sentence: str) -> bool:
    """Whether ``sentence`` opens with the same subject and modal as the last sentence of ``prev``
    (anaphora: "We need to call on Syria ... We need to insist that ...": a list of distinct requests)."""
    m = _PARALLEL_HEAD.match(sentence)
    if not m:
        return False
    last = re.split(r"(?<=[.!?])\s+", _WS.sub(" ", prev).strip())[-1]
    p = _PARALLEL_HEAD.match(last)
    return bool(p) and _WS.sub(" ", p.group(1)).lower() == _WS.sub(" ", m.group(1)).lower()


_CALL_CUES = frozenset({"urge", "request", "call_for", "third_party_request", "passive_request"})
_ALSO_CALL = re.compile(r"\balso\s+(?:\w+ly\s+)?(?:urges?|calls?|requests?|encourages?|invites?|asks?|appeals?|demands?|"
                        r"(?:would|wish|want)\s+to\s+(?:urge|call|request|encourage|invite|ask))\b", re.I)  # a further point
_CUE_WORDS = frozenset("""should must shall needs needed ought essential crucial critical important vital necessary
    continue continued ensure further""".split())


def _shared_words(rules: Rules, a: str, b: str) -> set:
    """Distinctive words (five letters or more; not actor names, cue or stop words) two sentences share."""
    def words(t):
        t = rules.actor_re.sub(" ", t) if rules.actor_re else t
        return {w for w in _CONTENT.findall(t.lower().replace("\u2019", "'"))} - _STOP - _CUE_WORDS
    return words(a) & words(b)


# a sentence ending on a forward-pointing "this" after a verb of knowing ("... understand this.")
_CATAPHOR = re.compile(r"\b(?:understand|know|realise|realize|recogni[sz]e|remember|appreciate|bear\s+in\s+mind|"
                       r"keep\s+in\s+mind|be\s+aware\s+of|be\s+clear\s+(?:about|on))\s+(?:this|the\s+following)\s*[.:]\s*$", re.I)
_CONTENT = re.compile(r"[a-z]{5,}")
_CONTENT_WORD = re.compile(r"[a-z][a-z-]+|\|")
_STOP = frozenset("""about above after again against their there these those which while would could should
    being other where first second third really think course important need needs going things thing people
    continue discussion discussions recommendations report study""".split())


def _link(rules: Rules, recs: list[Recommendation], coms: list[Commitment]) -> None:
    """Point a commitment at the earlier recommendation it answers specifically: the one sharing a
    distinctive two-word phrase ("operational concept", "training standards"; words used in more
    than a fifth of the items do not count). Generic commitments stay unlinked."""
    def words_of(text):  # actor names are not what a commitment and a recommendation share
        return _CONTENT_WORD.findall((rules.actor_re.sub(" | ", text) if rules.actor_re else text).lower())

    items = [words_of(x.text) for x in [*recs, *coms]]
    df = collections.Counter(itertools.chain.from_iterable(map(set, items)))  # in how many items a word is
    most = max(2, len(items) // 5)
    unused = _STOP.union(w for w, n in df.items() if n > most)  # stop words and the common ones

    def phrases(ws):
        ok = [len(w) >= 5 and w not in unused for w in ws]  # a word a phrase may have
        return {(ws[i], ws[i + 1]) for i in range(len(ws) - 1) if ok[i] and ok[i + 1]}

    by_phrase: dict = {}  # phrase -> indexes of the recommendations that use it, in order
    for i, ws in enumerate(items[:len(recs)]):
        for ph in phrases(ws):
            by_phrase.setdefault(ph, []).append(i)
    starts = [r.char_start for r in recs]
    in_order = all(a <= b for a, b in zip(starts, starts[1:]))
    for c, ws in zip(coms, items[len(recs):]):
        # the recommendations before the commitment: those before the first that starts at or after it
        limit = (bisect.bisect_left(starts, c.char_start) if in_order
                 else next((i for i, st in enumerate(starts) if st >= c.char_start), len(recs)))
        shared: dict = {}
        for ph in phrases(ws):
            for i in by_phrase.get(ph, ()):
                if i >= limit:
                    break
                shared[i] = shared.get(i, 0) + 1
        # the most shared phrases; ties: the latest recommendation before the commitment
        c.recommendation_index = max(shared, key=lambda i: (shared[i], i)) if shared else None


# The grammar regexes that alternate many words and are searched over a sentence or a window of
# the document: tried only where one of their heads starts (the same matches; see AtHeads).
_PREP_BEFORE, _CATAPHOR, _TALK_ABOUT, _TRANSFER_TO, _PRONOUN, _GENERIC = map(
    AtHeads.of, (_PREP_BEFORE, _CATAPHOR, _TALK_ABOUT, _TRANSFER_TO, _PRONOUN, _GENERIC))
