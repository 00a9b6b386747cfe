"""Speaker resolution: the seed against gold, dev golden files, label parsing and resolution rules."""
import copy
import json
import re
from pathlib import Path

import pytest

from loader.evaluate import same_name, score_speakers, score_turns
from loader.lexicon import load_lexicon
from loader.model import Source
from loader.read import read_source
from loader.speakers import (INVISIBLE, AnyOf, AtChars, _unmarked, _words_end, clean_name, fold, parse_label,
                             resolve_speakers)
from loader.turns import parse_document

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures"
GOLD = FIXTURES / "gold"
GOLDEN = HERE / "golden"
SEED_FILE = HERE.parent / "seeds" / "000_59fee67576fde5b5.txt"


def gold(name):
    return json.loads((GOLD / name).read_text(encoding="utf-8"))


def parse_text(text, lexicon=None):
    doc = parse_document(Source(text=text, source_path="snippet.txt", sha256="x", document_id="snippet"), lexicon)
    return resolve_speakers(doc, lexicon)


@pytest.fixture(scope="module")
def seed_doc():
    return resolve_speakers(parse_document(read_source(SEED_FILE)))


def speaker_of(doc, seq):
    key = doc.turns[seq - 1].speaker_key
    return next(s for s in doc.speakers if s.key == key)


# ---------------------------------------------------------------- seed against gold


def test_seed_bcubed(seed_doc):
    score = score_speakers(seed_doc, gold("seed_turns.json"), gold("seed_speakers.json"))
    assert score["f1"] >= 0.98, score


def test_seed_canonical_names_and_aliases(seed_doc):
    by_name = {s.name: s for s in seed_doc.speakers}
    for g in gold("seed_speakers.json"):
        if g["name"] == "Male Speaker":
            continue
        assert g["name"] in by_name, g["name"]
        sp = by_name[g["name"]]
        labels = {t.label for t in seed_doc.turns if t.speaker_key == sp.key}
        assert labels <= set(sp.aliases)
        assert [seed_doc.turns.index(t) + 1 for t in seed_doc.turns if t.speaker_key == sp.key] == g["turn_numbers"]
    assert set(by_name["Edward C. Luck"].aliases) == {"Dr. Edward C. Luck", "Luck"}
    assert by_name["Zeid Ra'ad Zeid Al-Hussein"].aliases == ["Prince Zeid Ra'ad Zeid Al-Hussein", "Prince Zeid"]


def test_seed_roles_from_introductions(seed_doc):
    by_name = {s.name: s for s in seed_doc.speakers}
    assert by_name["Augustine Mahiga"].role == "Permanent Representative of the United Republic of Tanzania"


def test_seed_unnamed_speakers(seed_doc):
    ms_a1, ms_a2, ms_b, ms_c = (speaker_of(seed_doc, n) for n in (25, 27, 34, 45))
    assert ms_a1.key == ms_a2.key == "male-speaker-1"
    assert len({ms_a1.key, ms_b.key, ms_c.key}) == 3
    assert ms_c.name == "Wilbert Ubugi"
    assert "consul for the Turkish Permanent Mission" in ms_b.role
    assert all("Male Speaker" in s.aliases for s in (ms_a1, ms_b, ms_c))
    assert speaker_of(seed_doc, 40).name == "Michael Smith"


def test_keys_unique_and_every_turn_has_a_speaker(seed_doc):
    keys = [s.key for s in seed_doc.speakers]
    assert len(keys) == len(set(keys))
    assert all(t.speaker_key in keys for t in seed_doc.turns)


# ---------------------------------------------------------------- dev golden files

DEV_FILES = sorted(p.name for p in GOLDEN.glob("*.json"))


@pytest.mark.parametrize("name", DEV_FILES)
def test_dev_bcubed_against_golden(name):
    golden = json.loads((GOLDEN / name).read_text(encoding="utf-8"))
    doc = resolve_speakers(parse_document(read_source(FIXTURES / golden["source"])))
    assert score_speakers(doc, golden["turns"])["f1"] >= 0.95
    assert score_turns(doc, golden["turns"])["speaker_accuracy"] >= 0.95
    assert sorted([s.name, s.role or ""] for s in doc.speakers) == golden["speakers"]


def test_canada_one_person_under_several_labels():
    doc = resolve_speakers(parse_document(read_source(FIXTURES / "canada_commons_covid19_committee_meeting.txt")))
    by_name = {s.name: s for s in doc.speakers}
    assert {"Hon. Bill Morneau (Minister of Finance)", "Hon. Bill Morneau"} <= set(by_name["Bill Morneau"].aliases)
    assert by_name["Bill Morneau"].role == "Minister of Finance"
    chair = by_name["Anthony Rota"]
    assert "The Chair" in chair.aliases and chair.role.startswith("Chair")
    assert "Bruce Stanton" in by_name and by_name["Bruce Stanton"].key != chair.key


def test_un_presidents_named_from_roster_and_chair_line():
    sc = resolve_speakers(parse_document(read_source(FIXTURES / "un_sc_S-PV.10100.txt")))
    assert [(s.name, s.role) for s in sc.speakers] == [("Osman", "President (Somalia)")]
    ga = resolve_speakers(parse_document(read_source(FIXTURES / "un_ga_A-79-PV.29.txt")))
    acting = next(s for s in ga.speakers if "The Acting President" in s.aliases)
    assert acting.name == "Agyeman" and "Ghana" in acting.role
    kenya = next(s for s in ga.speakers if s.name == "Kiboino")
    assert kenya.role == "Kenya"


# ---------------------------------------------------------------- labels


@pytest.mark.parametrize("label,kind,name,affiliations", [
    ("Dr. Edward C. Luck", "person", "Edward C. Luck", []),
    ("Luck", "single", "Luck", []),
    ("Le Roy", "person", "Le Roy", []),
    ("Prince Zeid Ra'ad Zeid Al-Hussein", "person", "Zeid Ra'ad Zeid Al-Hussein", []),
    ("Mr. Mahiga (United Republic of Tanzania) (spoke in French)", "person", "Mahiga", ["United Republic of Tanzania"]),
    ("Sir John Holmes (OCHA)", "person", "John Holmes", ["OCHA"]),
    ("Lynne Neagle AM", "person", "Lynne Neagle", []),
    ("Mr. Chris d'Entremont (West Nova, CPC)", "person", "Chris d'Entremont", ["West Nova, CPC"]),
    ("The President", "role", None, []),
    ("The Acting Chair (Mr. Bruce Stanton (Simcoe North, CPC))", "role", None, ["Simcoe North, CPC"]),
    ("Male Speaker", "unnamed", None, []),
    ("Participant", "unnamed", None, []),
    ("Speaker 2", "numbered", None, []),
    ("MR. SMITH", "person", "Smith", []),
])
def test_parse_label(label, kind, name, affiliations):
    info = parse_label(label)
    assert info is not None
    assert (info.kind, info.name, info.affiliations) == (kind, name, affiliations)


@pytest.mark.parametrize("label", [
    "Two", "The field", "Peacekeeping planning and Secretariat policies", "In favour", "Against",
    "Abstaining", "Key Recommendations", "United Nations", "Note", "Monday, November 9, 2009, 12",
    "Mr. X (Kenya) said", "However, the Court", "When", "Where",
])
def test_not_a_label(label):
    assert parse_label(label) is None


def test_nested_chair_label():
    info = parse_label("The Chair (Mr. Mayr-Harting (Austria))")
    assert info.role == "Chair" and info.inner.name == "Mayr-Harting" and info.affiliations == ["Austria"]


# ---------------------------------------------------------------- resolution rules


def test_surname_and_honorific_forms_resolve_to_one_person():
    doc = parse_text(
        "Chair: I'll ask Augustine Mahiga, the Permanent Representative of the United Republic of Tanzania "
        "to speak first.\n\nMr. Mahiga (United Republic of Tanzania): Thank you.\n\nChair: Thanks.\n\n"
        "Ambassador Mahiga: One more thing.\n\nMahiga: And another.\n\nAugustine Mahiga: Finally.\n")
    (mahiga,) = [s for s in doc.speakers if "Mahiga" in s.name]
    assert mahiga.name == "Augustine Mahiga"
    assert mahiga.role == "Permanent Representative of the United Republic of Tanzania"
    assert set(mahiga.aliases) == {"Mr. Mahiga (United Republic of Tanzania)", "Ambassador Mahiga", "Mahiga",
                                   "Augustine Mahiga"}
    assert len(doc.speakers) == 2


def test_affiliation_label_gives_role():
    doc = parse_text("Sir John Holmes (OCHA): We need a concept.\n\nHolmes: Indeed.\n")
    (holmes,) = doc.speakers
    assert (holmes.name, holmes.role, holmes.key) == ("John Holmes", "OCHA", "john-holmes")


def test_same_surname_different_country_are_different_people():
    doc = parse_text("Mr. Ahmad (Pakistan): First.\nMr. Ahmad (Afghanistan): Second.\nMr. Ahmad (Pakistan): Third.\n")
    keys = [t.speaker_key for t in doc.turns]
    assert keys[0] == keys[2] != keys[1]
    assert len(set(s.key for s in doc.speakers)) == 2


def test_role_label_is_one_person_per_document():
    doc = parse_text("The President: I open the meeting.\nMs. Lee (Chile): Thanks.\nThe President : I close it.\n")
    assert doc.turns[0].speaker_key == doc.turns[2].speaker_key == "president"


def test_unnamed_speakers_each_new_unless_answering_again():
    doc = parse_text(
        "Moderator: Questions?\n\nMale Speaker: Is it funded?\n\nModerator: Who are you, please?\n\n"
        "Male Speaker: A farmer.\n\nModerator: Next question, please, at the back of the room where the "
        "microphone is now going, and then we will take two more from the floor before we close today.\n\n"
        "Male Speaker: My name is Tom Baker, from Leeds. A question.\n\nFemale Speaker: And mine.\n\n"
        "Participant: I'm the mayor of a small town, and I worry.\n")
    keys = [t.speaker_key for t in doc.turns]
    assert keys[1] == keys[3] == "male-speaker-1"
    assert keys[5] not in (keys[1],) and keys[6] != keys[5]
    names = {s.key: s for s in doc.speakers}
    assert names[keys[5]].name == "Tom Baker"
    assert names[keys[6]].key == "female-speaker-1"
    assert names[keys[7]].role == "mayor of a small town"
    assert keys[0] == keys[2] == keys[4]  # the moderator is one person


@pytest.mark.parametrize("chair,same", [
    ("Please identify yourself too.", True),
    ("Could you speak into the microphone?", True),
    ("Thank you. Next, yes, you in the back?", False),
    ("Thank you. The lady at the front, do you have a question?", False),
    ("Thank you. Let me say a few words about this before we continue, because I think the point you "
     "raise is important for all of us and deserves an answer from the panel, and from you too.", False),
])
def test_unnamed_continuation_rule(chair, same):
    doc = parse_text(f"Chair: Questions?\n\nFemale Speaker: A question.\n\nChair: {chair}\n\n"
                     "Female Speaker: Another point.\n")
    keys = [t.speaker_key for t in doc.turns]
    assert (keys[1] == keys[3]) is same


def test_numbered_speakers_are_stable():
    doc = parse_text("Speaker 1: Hello.\n\nSpeaker 2: Hi.\n\nSpeaker 1: Bye.\n")
    keys = [t.speaker_key for t in doc.turns]
    assert keys == ["speaker-1", "speaker-2", "speaker-1"]


def test_custom_lexicon_adds_unnamed_label():
    text = ("Host: Go ahead.\n\nCaller: Hello.\n\nHost: Next caller, go ahead.\n\n"
            "Caller: Good evening.\n\nHost: Last caller.\n\nCaller: Hi there.\n")
    lexicon = copy.deepcopy(load_lexicon())
    lexicon["speakers"]["unnamed_labels"].append("Caller")
    keys = [t.speaker_key for t in parse_text(text, lexicon).turns]
    assert keys[1::2] == ["caller-1", "caller-2", "caller-3"]
    default = [t.speaker_key for t in parse_text(text).turns]
    assert default[1::2] == ["caller"] * 3  # a repeated one-word label is one person by default


@pytest.mark.parametrize("a,b,same", [
    ("Edward C. Luck", "Dr. Edward C. Luck", True),
    ("Luck", "Edward C. Luck", True),
    ("Glyn Taylor", "Victoria Taylor", False),
    ("Male Speaker", "Male Speaker", True),
])
def test_same_name(a, b, same):
    assert same_name(a, b) is same


PANEL_WITH_ROSTER = """IPI POLICY FORUM

THE FUTURE OF PEACEKEEPING

When:

Tuesday, March 2, 2010, 1:15-2:45pm

Where:

International Peace Institute

Speakers:

H.E. Mr. Jan Grauls, Permanent Representative of Belgium

Moderator:

Warren Hoge, IPI Vice President for External Relations

Warren Hoge: Good afternoon. I'd like to welcome H.E. Mr. Jan Grauls.

Grauls: Thank you, Warren.

Female Speaker: My name is Ana Lopez, from Chile. A question for the ambassador.

Hoge: Thank you. Yes, the lady in the back?

Female Speaker: Thank you. Maria Diaz, from the Mission of Peru. I have one question.

Moderator: We close here.
"""


def test_roster_in_title_block_names_people_and_roles():
    doc = parse_text(PANEL_WITH_ROSTER)
    assert (doc.event_date, doc.venue) == ("2010-03-02", "International Peace Institute")
    assert [t.label for t in doc.turns] == ["Warren Hoge", "Grauls", "Female Speaker", "Hoge", "Female Speaker",
                                            "Moderator"]
    by_key = {s.key: s for s in doc.speakers}
    names = [by_key[t.speaker_key].name for t in doc.turns]
    assert names == ["Warren Hoge", "Jan Grauls", "Ana Lopez", "Warren Hoge", "Maria Diaz", "Warren Hoge"]
    assert by_key["jan-grauls"].role == "Permanent Representative of Belgium"
    assert "IPI Vice President for External Relations" in by_key["warren-hoge"].role


def test_misspelt_surname_label_is_the_same_person():
    doc = parse_text("Augustine Mahiga: The study.\n\nEd Luck: Thanks.\n\nMahinga: As Ambassador Mahinga said.\n\n"
                     "Naylor: I am Mark Naylor, from Leeds.\n\nGlyn Taylor: And me.\n")
    assert [t.label for t in doc.turns] == ["Augustine Mahiga", "Ed Luck", "Mahinga", "Naylor", "Glyn Taylor"]
    keys = [t.speaker_key for t in doc.turns]
    assert keys[0] == keys[2] == "augustine-mahiga"
    assert keys[3] == "mark-naylor" and keys[4] == "glyn-taylor"


def test_acting_president_follows_who_took_the_chair():
    doc = parse_text(
        "President: Mr. Yang ........................ (Cameroon)\n"
        "In the absence of the President, Mr. Agyeman (Ghana), Vice-President, took the Chair.\n"
        "The meeting was called to order at 3 p.m.\n"
        "The Acting President: I give the floor to the representative of Kenya.\n"
        "Mr. Kiboino (Kenya): Thank you.\n"
        "Ms. Lind (Sweden), Vice-President, took the Chair.\n"
        "The Acting President: I now give the floor to Chile.\n"
        "Mr. Soto (Chile) (spoke in Spanish): Gracias.\n"
        "The President returned to the Chair.\n"
        "The President: The meeting is adjourned.\n")
    names = {s.key: s.name for s in doc.speakers}
    assert [names[t.speaker_key] for t in doc.turns] == ["Agyeman", "Kiboino", "Lind", "Soto", "Yang"]
    assert [n.text for n in doc.notes][-1] == "The President returned to the Chair."


@pytest.mark.parametrize("name,strip", [
    ("canada_commons_covid19_committee_meeting.txt", r"^(?:Mr\.|Ms\.|Mrs\.|Hon\.) | \(.*$"),
    ("welsh_assembly_education_committee_meeting.txt", r" AM$"),
    ("un_ga_A-79-PV.29.txt", r"^(?:Mr\.|Ms\.|Mrs\.) | \(.*$"),
])
def test_dev_every_named_label_resolves_to_its_name(name, strip):
    """Independent of the golden files: each printed name label gives the speaker of that name."""
    import re

    doc = resolve_speakers(parse_document(read_source(FIXTURES / name)))
    names = {s.key: s.name for s in doc.speakers}
    checked = 0
    for t in doc.turns:
        if t.label and not t.label.startswith("The "):
            assert names[t.speaker_key] == re.sub(strip, "", " ".join(t.label.split())), t.label
            checked += 1
    assert checked > len(doc.turns) / 2


def test_short_given_names_and_initials_join_the_full_name():
    doc = parse_text("Dr. Edward C. Luck: Welcome.\n\nJohn Holmes: Thanks.\n\nEd Luck: Next.\n\n"
                     "E. Luck: Last.\n\nJane Holmes: Me too.\n")
    keys = [t.speaker_key for t in doc.turns]
    assert keys[0] == keys[2] == keys[3] == "edward-c-luck"
    assert keys[1] != keys[4]


@pytest.mark.parametrize("text, at", [
    ("Edward C. Luck, the Special Adviser", 0),
    ("Edward\u00a0C.\n\tLuck MP, the Adviser", 0),
    ("Edward C.Luck, x", 0),
    ("EdwardC. Luck", 0),
    ("said Edward C. Luck", 5),
    ("Edward C. Lucky, the Adviser", 0),
    ("Edward C. ", 0),
    ("", 0),
])
def test_words_end_is_where_the_name_pattern_ends(text, at):
    """``_words_end`` finds what the pattern of the name's words, whitespace between them, matches."""
    words = ["Edward", "C.", "Luck"]
    m = re.compile(r"\s+".join(re.escape(w) for w in words)).match(text, at)
    assert _words_end(text, at, words) == (m.end() if m else None)


@pytest.mark.parametrize("s", ["", "Dr. Edward C. Luck", "O'NEILL", "Ali\u200bce", "Jose\u0301", "José Ramos-Horta",
                               "Ms. Nguyễn", "l’Anse", "\ufeffChair", "Ａｌｉ", "ﬁne", "A" * 300])
def test_ascii_fast_paths_are_the_general_forms(s):
    """``clean_name``, ``fold`` and ``_unmarked`` return what the normalising formulas give, for ASCII
    (the fast path) and for text that is not."""
    import unicodedata
    assert clean_name(s) == unicodedata.normalize("NFC", s.translate(INVISIBLE))
    nfkd = unicodedata.normalize("NFKD", s.translate(INVISIBLE))
    folded = unicodedata.normalize("NFC", "".join(c for c in nfkd if not unicodedata.combining(c)))
    assert fold(s) == folded.lower().replace("’", "'")
    assert _unmarked(s) == "".join(c for c in s if not unicodedata.category(c).startswith("M"))


LINES = ["", "12", "Page 3", "p. 4 of 9", "President: Mr. Osman ........ (Somalia)", ". . . . . . . . .", ". . . .",
         "Thank you. We agree. Fine. Next. One. Two. Three. Four. Five.", "Confidential draft 12", "A line\n12",
         "..........", "\u0130.\u0131........", "[Translation]", "(spoke in French)", "The meeting rose at 1 p.m.",
         "Question put and agreed to.", "24-19856", "29/10/2024 A/79/PV.29", "aaab", "abab", "-- 3 --"]


@pytest.mark.parametrize("patterns, flags", [
    ([r"^\d{1,4}$", r"^(Page|p\.)\s*\d+(\s*(of|/)\s*\d+)?$", r"(\.[ \t]?){8,}", r"^\(\d{4}\)$"], 0),
    ([r"^\d+|Page", r"(?m)^\d+$", r"\d+ --"], 0),  # a branch, MULTILINE, no heads: searched everywhere
    ([r"confidential", r"^THE MEETING"], re.I),
    ([r"(a)b\1", r"^(?P<x>ab)(?P=x)", r"^\d"], 0),  # backreferences: each on its own
    ([r"^(?P<n>\d)", r"^(?P<n>P)"], 0),  # one group name twice: no alternation
    ([r"[-(]\s*\d", r"\.\s+[A-Z]", r"[.;]\s+T"], 0),  # heads of one or two marks: from str.find
    ([], 0),
])
@pytest.mark.parametrize("at_start", [False, True])
def test_any_of_is_any_pattern_finding_the_line(patterns, flags, at_start):
    """``AnyOf`` answers ``any(p.search(line))`` (``at_start``: ``p.match``) on every line, whichever
    way each pattern is tried."""
    regexes = [re.compile(p, flags) for p in patterns]
    any_of = AnyOf(regexes, at_start)
    assert list(any_of) == regexes and len(any_of) == len(regexes)
    for line in LINES:
        want = any((r.match(line) if at_start else r.search(line)) for r in regexes)
        assert any_of(line) == bool(want), line


@pytest.mark.parametrize("pattern, chars", [(r"(\.[ \t]?){8,}", "."), (r"[-(]\s*\d", "(-"), (r"[.;]\s+T", ".;")])
def test_at_chars_search_is_the_regex_search(pattern, chars):
    """Matching from the characters ``str.find`` finds gives ``search``'s first match, with ``pos``
    and ``endpos`` too."""
    regex = re.compile(pattern)
    at = AtChars(regex, chars)
    for line in LINES + ["x (3 and - 4; Then. To", ". . . . . . . . . . ;  T"]:
        for pos, endpos in ((0, None), (2, None), (0, 5), (3, 12)):
            want = regex.search(line, pos, len(line) if endpos is None else endpos)
            got = at.search(line, pos, endpos)
            assert (want and want.span()) == (got and got.span()), (line, pos, endpos)
