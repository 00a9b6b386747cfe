"""Turn segmentation: the seed against gold, the dev transcripts against golden files, edge cases."""
import json
from pathlib import Path

import pytest

from loader.evaluate import golden_record, score_speakers, score_turns
from loader.model import Source
from loader.read import read_source
from loader.speakers import resolve_speakers
from loader.turns import parse_date, parse_document

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures"
GOLD = FIXTURES / "gold"
GOLDEN = HERE / "golden"
SEED_FILE = HERE.parent / "seeds" / "000_59fee67576fde5b5.txt"
DEV_FILES = [
    "un_sc_S-PV.10100.txt",
    "un_ga_A-79-PV.29.txt",
    "canada_commons_covid19_committee_meeting.txt",
    "welsh_assembly_education_committee_meeting.txt",
]


def gold(name):
    return json.loads((GOLD / name).read_text(encoding="utf-8"))


def process(path):
    doc = parse_document(read_source(path))
    return resolve_speakers(doc)


def parse_text(text):
    doc = parse_document(Source(text=text, source_path="snippet.txt", sha256="x", document_id="snippet"))
    return resolve_speakers(doc)


@pytest.fixture(scope="module")
def seed_doc():
    return process(SEED_FILE)


# ---------------------------------------------------------------- seed against gold


def test_seed_turns_match_gold(seed_doc):
    score = score_turns(seed_doc, gold("seed_turns.json"))
    assert score["f1"] >= 0.99, score
    assert score["speaker_accuracy"] == 1.0, score


def test_seed_notes_match_gold(seed_doc):
    starts = [t.char_start for t in seed_doc.turns]
    got = [{"after_turn": sum(1 for s in starts if s < n.char_start), "text": n.text} for n in seed_doc.notes]
    assert got == gold("seed_notes.json")


def test_seed_metadata(seed_doc):
    assert seed_doc.title.startswith("IPI POLICY FORUM")
    assert "PROTECTION OF CIVILIANS" in seed_doc.title
    assert seed_doc.event_date == "2009-11-09"
    assert seed_doc.venue.startswith("Trygve Lie Center for Peace, Security & Development")
    assert "777 United Nations Plaza" in seed_doc.venue
    assert not any("When:" in t.text or "Where:" in t.text for t in seed_doc.turns)


def test_seed_headings_and_page_breaks_stay_in_turn(seed_doc):
    (turn2,) = [t for t in seed_doc.turns if t.label == "Augustine Mahiga"]
    for heading in ("Two:", "Peacekeeping planning and Secretariat policies:", "The field:"):
        assert heading in turn2.text
    assert "and it\n\nwill require" in turn2.text
    assert {t.label for t in seed_doc.turns} >= {"Herman Schaper", "Prince Zeid", "Le Roy", "Taylor"}


def test_seed_offsets_cover_turns(seed_doc):
    text = seed_doc.text
    for t in seed_doc.turns:
        span = text[t.char_start:t.char_end]
        assert t.char_start <= t.speech_start < t.char_end
        if t.label:
            assert span.startswith(t.label)
        assert text[t.speech_start:t.char_end] == t.text  # the seed has no page junk inside turns
        assert t.text == t.text.strip() and t.text


# ---------------------------------------------------------------- dev transcripts against golden files

# Hand-checked against the transcripts: turn count, distinct people, metadata and the first turns.
DEV_EXPECTED = {
    "un_sc_S-PV.10100.txt": dict(
        turns=2, people=1, date="2026-01-30", venue="New York",
        first=[("The President", "Osman"), ("The President", "Osman")]),
    "un_ga_A-79-PV.29.txt": dict(
        turns=43, people=31, date="2024-10-29", venue="New York",
        first=[("Mr. Kiboino (Kenya)", "Kiboino"), ("Mr. Korbieh (Ghana)", "Korbieh"),
               ("Ms. Schwalger (New Zealand)", "Schwalger"),
               ("Mr. Mukongo (Democratic Republic of the Congo) (spoke in French)", "Mukongo"),
               ("Ms. Flores Soto (El Salvador) (spoke in Spanish)", "Flores Soto"),
               ("Mr. Babo Soares (Timor-Leste)", "Babo Soares"),
               ("Mr. Zoumanigui (Guinea) (spoke in French)", "Zoumanigui"),
               ("Ms. Monica (Bangladesh)", "Monica"),
               ("Mr. Quintana Aranguren (Colombia) (spoke in Spanish)", "Quintana Aranguren"),
               ("Ms. Zabolotskaya (Russian Federation) (spoke in Russian)", "Zabolotskaya"),
               ("The Acting President", "Agyeman"),
               ("Ms. Emelina-Sarte (Department for General Assembly and Conference \nManagement)", "Emelina-Sarte"),
               ("The Acting President", "Agyeman")]),
    "canada_commons_covid19_committee_meeting.txt": dict(
        turns=316, people=57, date=None, venue=None,
        first=[("The Chair (Hon. Anthony Rota (NipissingTimiskaming, Lib.))", "Anthony Rota"),
               ("Hon. Dominic LeBlanc", "Dominic LeBlanc"), ("The Chair", "Anthony Rota"),
               ("Mr. Garnett Genuis (Sherwood ParkFort Saskatchewan, CPC)", "Garnett Genuis"),
               ("The Chair", "Anthony Rota"),
               ("Mr. Arnold Viersen (Peace RiverWestlock, CPC)", "Arnold Viersen"),
               ("The Chair", "Anthony Rota"), ("Mrs. Salma Zahid (Scarborough Centre, Lib.)", "Salma Zahid")]),
    "welsh_assembly_education_committee_meeting.txt": dict(
        turns=91, people=8, date=None, venue=None,
        first=[("Lynne Neagle AM", "Lynne Neagle"), ("Kirsty Williams AM", "Kirsty Williams"),
               ("Lynne Neagle AM", "Lynne Neagle"), ("Hefin David AM", "Hefin David"),
               ("Kirsty Williams AM", "Kirsty Williams"), ("Hefin David AM", "Hefin David")]),
}


@pytest.mark.parametrize("name", DEV_FILES)
def test_dev_transcript_hand_checked(name):
    doc = process(FIXTURES / name)
    exp = DEV_EXPECTED[name]
    names = {s.key: s.name for s in doc.speakers}
    got = [(t.label, names[t.speaker_key]) for t in doc.turns[: len(exp["first"])]]
    assert got == exp["first"]
    assert len(doc.turns) == exp["turns"]
    assert len(doc.speakers) == exp["people"]
    assert (doc.event_date, doc.venue) == (exp["date"], exp["venue"])


@pytest.mark.parametrize("name", DEV_FILES)
def test_dev_transcript_against_golden(name):
    """Golden files: regenerate with ``python -m tests.golden.regen`` when a change is intended."""
    golden = json.loads((GOLDEN / (Path(name).stem + ".json")).read_text(encoding="utf-8"))
    doc = process(FIXTURES / name)
    turns = score_turns(doc, golden["turns"])
    assert turns["f1"] >= 0.95, turns
    assert turns["speaker_accuracy"] >= 0.95, turns
    assert score_speakers(doc, golden["turns"])["f1"] >= 0.95
    record = golden_record(doc, name)
    for key in ("title", "event_date", "venue", "turn_count", "note_count"):
        assert record[key] == golden[key], key


@pytest.mark.parametrize("name", DEV_FILES)
def test_dev_turns_drop_page_junk(name):
    doc = process(FIXTURES / name)
    for t in doc.turns:
        assert "S/PV." not in t.text.split("\n")[0][:12]
        for line in t.text.splitlines():
            s = line.strip()
            assert not (s.startswith(("24-19856", "26-01225")) and len(s) < 20), (t.seq, s)
            assert "A/79/PV.29 29/10/2024" not in s and "29/10/2024 A/79/PV.29" not in s
        assert t.text.strip()


def test_un_page_header_inside_speech_is_dropped():
    doc = process(FIXTURES / "un_sc_S-PV.10100.txt")
    last = doc.turns[-1]
    assert "We could not have done it\nalone and without" in last.text.replace(" \n", "\n")
    assert "3/3" not in last.text and "S/PV.10100" not in last.text
    assert [n.text for n in doc.notes][-1] == "The meeting rose at 3.10 p.m."
    assert doc.notes[0].text.startswith("A vote was taken by show of hands.")


# ---------------------------------------------------------------- edge cases


CASES = [
    # (id, text, [(label, speaker name), ...])
    ("inline colon", "Jane Doe: Hello there.\n\nJohn Roe: Hi Jane.\n",
     [("Jane Doe", "Jane Doe"), ("John Roe", "John Roe")]),
    ("space before colon", "The President : I call the meeting to order.\n\nMs. Park (Korea) : Thank you.\n",
     [("The President", "President"), ("Ms. Park (Korea)", "Park")]),
    ("spoke in French", "Mr. Dupont (France) (spoke in French): Merci, Madame la Présidente.\n"
                        "Mr. Dupont (France): I add a word in English.\n",
     [("Mr. Dupont (France) (spoke in French)", "Dupont"), ("Mr. Dupont (France)", "Dupont")]),
    ("nested chair", "The Chair (Mr. Mayr-Harting (Austria)): I give the floor to Mr. Lee.\n\n"
                     "Mr. Lee (Singapore): Thank you, Sir.\n\nThe Chair: I thank Mr. Lee.\n",
     [("The Chair (Mr. Mayr-Harting (Austria))", "Mayr-Harting"), ("Mr. Lee (Singapore)", "Lee"),
      ("The Chair", "Mayr-Harting")]),
    ("label on own line", "Anna Berg:\n\nThank you all for coming.\n\nBerg:\n\nOne more point.\n",
     [("Anna Berg", "Anna Berg"), ("Berg", "Anna Berg")]),
    ("no colon known speaker", "Anna Berg: First point.\n\nCarl Ode: A reply.\n\nAnna Berg Thank you, Carl.\n",
     [("Anna Berg", "Anna Berg"), ("Carl Ode", "Carl Ode"), ("Anna Berg", "Anna Berg")]),
    ("stage note splits turn", "Anna Berg: Welcome.\n\n[applause]\n\nAnna Berg: Let us begin.\n",
     [("Anna Berg", "Anna Berg"), ("Anna Berg", "Anna Berg")]),
    ("unlabelled text after note keeps speaker", "Anna Berg: Welcome.\n\n[laughter]\n\nAs I was saying.\n",
     [("Anna Berg", "Anna Berg"), (None, "Anna Berg")]),
    ("page header inside speech", "Anna Berg: We must act\n\nS/PV.9999 The situation 01/02/2025\n\n"
                                  "26-01234 3/12\n\nbefore it is too late.\n",
     [("Anna Berg", "Anna Berg")]),
    ("lower-case continuation", "Anna Berg: The study shows that it\n\nwill require effort.\n\nCarl Ode: Yes.\n",
     [("Anna Berg", "Anna Berg"), ("Carl Ode", "Carl Ode")]),
    ("colon headings are not labels", "Anna Berg: Three findings.\n\nTwo: the mandates are vague.\n\n"
                                      "The field: troops lack guidance.\n\nKey Recommendations: train.\n\n"
                                      "In favour: Chile, Peru.\n",
     [("Anna Berg", "Anna Berg")]),
    ("timestamps", "[00:00:05]\n\nAnna Berg: Good morning.\n\n00:01:10\n\nCarl Ode (00:01:12): Morning.\n",
     [("Anna Berg", "Anna Berg"), ("Carl Ode", "Carl Ode")]),
    ("crlf line ends", "Anna Berg:\r\n\r\nHello.\r\n\r\nCarl Ode: Hi.\r\n",
     [("Anna Berg", "Anna Berg"), ("Carl Ode", "Carl Ode")]),
    ("wrapped UN label", "Ms. Roe (Department for General Assembly and Conference\nManagement): I announce.\n",
     [("Ms. Roe (Department for General Assembly and Conference\nManagement)", "Roe")]),
    ("wrapped UN label, crlf", "Ms. Roe (Department for General Assembly and Conference\r\nManagement): I announce.\r\n",
     [("Ms. Roe (Department for General Assembly and Conference\r\nManagement)", "Roe")]),
    ("all caps label", "MR. SMITH: Good evening.\n\nMS. JONES: Thank you.\n",
     [("MR. SMITH", "Smith"), ("MS. JONES", "Jones")]),
    ("parliament AM label", "Lynne Neagle AM: Good afternoon.\n\nKirsty Williams AM: Thank you, Lynne.\n",
     [("Lynne Neagle AM", "Lynne Neagle"), ("Kirsty Williams AM", "Kirsty Williams")]),
    ("hearing record period labels", "The CHAIRMAN. The committee will come to order.\n\n"
                                     "Mr. SMITH. Thank you, Mr. Chairman.\n\nSenator JONES. Why?\n\n"
                                     "Mr. SMITH. Because.\n",
     [("The CHAIRMAN", "Chairman"), ("Mr. SMITH", "Smith"), ("Senator JONES", "Jones"), ("Mr. SMITH", "Smith")]),
    ("markdown bold labels", "**Jane Doe:** Hello.\n\n**John Roe**: Hi there.\n",
     [("Jane Doe", "Jane Doe"), ("John Roe", "John Roe")]),
    ("name with affiliation after comma", "Jane Roe, Director, ACME: We must act.\n\nRoe: Indeed.\n",
     [("Jane Roe, Director, ACME", "Jane Roe"), ("Roe", "Jane Roe")]),
    ("role phrase with nested name", "The Secretary of State for Health (Matt Hancock): Yes.\n\n"
                                     "Mr Speaker: Order.\n\nThe Secretary of State for Health: Again.\n",
     [("The Secretary of State for Health (Matt Hancock)", "Matt Hancock"), ("Mr Speaker", "Mr Speaker"),
      ("The Secretary of State for Health", "Matt Hancock")]),
    ("transcription-service timestamps", "Jane Doe  0:05\nHello everyone.\n\nSpeaker 2  0:12\nHi.\n\n"
                                         "Jane Doe: (00:20) Welcome back.\n",
     [("Jane Doe", "Jane Doe"), ("Speaker 2", "Speaker 2"), ("Jane Doe", "Jane Doe")]),
    ("capitalised words with a period are not labels", "Jane Doe: We joined\nIn NATO. We stayed.\n",
     [("Jane Doe", "Jane Doe")]),
    ("known label alone without colon", "Jane Doe: Hello.\n\nJohn Roe: Hi.\n\nJane Doe\n\nAgain me.\n",
     [("Jane Doe", "Jane Doe"), ("John Roe", "John Roe"), ("Jane Doe", "Jane Doe")]),
]


@pytest.mark.parametrize("text,expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_edge_cases(text, expected):
    doc = parse_text(text)
    names = {s.key: s.name for s in doc.speakers}
    assert [(t.label, names.get(t.speaker_key)) for t in doc.turns] == expected
    for t in doc.turns:
        assert t.text and t.text == t.text.strip()
        if t.label:
            assert doc.text[t.char_start:].startswith(t.label)
        assert t.text.split()[0] in doc.text[t.char_start:t.char_end]


def test_page_junk_and_timestamps_are_not_in_text():
    doc = parse_text("Anna Berg: We must act\n\nS/PV.9999 The situation 01/02/2025\n\n26-01234 3/12\n\n"
                     "before it is too late.\n\n00:01:10\n\nand soon.\n")
    (turn,) = doc.turns
    assert turn.text == "We must act\nbefore it is too late.\nand soon."
    assert doc.text[turn.char_start:turn.char_end].endswith("and soon.")


def test_notes_and_procedural_lines():
    doc = parse_text("Anna Berg: Welcome.\n\n[applause]\n\n(Laughter)\n\nCarl Ode: Thanks.\n\n"
                     "The meeting rose at 1.05 p.m.\n")
    assert [n.text for n in doc.notes] == ["[applause]", "(Laughter)", "The meeting rose at 1.05 p.m."]
    assert [t.text for t in doc.turns] == ["Welcome.", "Thanks."]


def test_unknown_name_without_colon_needs_an_opener():
    doc = parse_text("Anna Berg: Any questions?\n\nHerman Smit Thank you. My question is short.\n\n"
                     "Nobody Special went home early.\n")
    assert [t.label for t in doc.turns] == ["Anna Berg", "Herman Smit"]
    assert "Nobody Special went home" in doc.turns[-1].text


@pytest.mark.parametrize("value,iso", [
    ("Monday, November 9, 2009, 12:30-2:30pm", "2009-11-09"),
    ("Friday, 30 January 2026, 10 a.m.", "2026-01-30"),
    ("Tuesday, 29 October 2024, 3 p.m.", "2024-10-29"),
    ("Held on 3rd of March 2021", "2021-03-03"),
    ("2020-06-01", "2020-06-01"),
    ("Sept. 14, 2001", "2001-09-14"),
    ("no date here", None),
    ("February 30, 2020", None),
])
def test_parse_date(value, iso):
    assert parse_date(value) == iso


def test_title_block_un_style():
    doc = parse_text("United Nations  S/PV.9999\n\nSecurity Council\nEightieth year\n9999th meeting\n"
                     "Friday, 30 January 2026, 10 a.m.\nNew York\n\nProvisional\n\n"
                     "President: Mr. Osman ...................... (Somalia)\n\n"
                     "The President: The meeting is called to order.\n")
    assert doc.event_date == "2026-01-30"
    assert doc.venue == "New York"
    assert "Security Council" in doc.title and "9999th meeting" in doc.title
    assert [t.label for t in doc.turns] == ["The President"]
    assert doc.speakers[0].name == "Osman"


def test_title_block_keys():
    doc = parse_text("ANNUAL FORUM ON WATER\n\nDate: 4 May 2022\n\nVenue: City Hall, Room 2\n\n"
                     "Moderator: Welcome to the forum.\n\nAnna Berg: Thank you.\n")
    assert (doc.title, doc.event_date, doc.venue) == ("ANNUAL FORUM ON WATER", "2022-05-04", "City Hall, Room 2")
    assert [t.label for t in doc.turns] == ["Moderator", "Anna Berg"]


def test_no_labels_gives_one_unlabelled_turn():
    doc = parse_text("Just a statement with no speaker labels.\n\nAnd a second paragraph.\n")
    assert len(doc.turns) == 1 and doc.turns[0].label is None
    assert doc.turns[0].text.endswith("second paragraph.")


# ---------------------------------------------------------------- the seed in other layouts


def _relayout(kind):
    """The seed text in another layout, and the gold turns with their source lines moved to match."""
    import re
    import textwrap

    raw = SEED_FILE.read_text(encoding="utf-8")
    turns = gold("seed_turns.json")
    lines = raw.split("\n")
    if kind == "crlf":
        return raw.replace("\n", "\r\n"), turns
    if kind == "bold labels":
        labels = sorted({g["label"] for g in turns}, key=len, reverse=True)
        rx = re.compile(r"(?m)^(" + "|".join(re.escape(lab) for lab in labels) + r"):")
        return rx.sub(r"**\1:**", raw), turns
    out, new_line = [], {}
    for i, line in enumerate(lines):
        new_line[i + 1] = len(out) + 1
        if kind == "page footers":
            out.append(line)
            if i % 40 == 39:
                out += ["", f"IPI Transcript  Page {i // 40 + 1}", ""]
        elif kind == "hard-wrapped":
            out += textwrap.wrap(line, 80) if line.strip() else [line]
    return "\n".join(out), [dict(g, source_line=new_line[g["source_line"]]) for g in turns]


@pytest.mark.parametrize("kind", ["crlf", "bold labels", "page footers", "hard-wrapped"])
def test_seed_in_other_layouts(kind):
    text, turns = _relayout(kind)
    doc = parse_text(text)
    score = score_turns(doc, turns)
    assert score["f1"] >= 0.99 and score["speaker_accuracy"] == 1.0, score
    assert score_speakers(doc, turns, gold("seed_speakers.json"))["f1"] >= 0.98
    assert doc.event_date == "2009-11-09" and len(doc.notes) == 3
    assert not any("IPI Transcript" in t.text for t in doc.turns)


def test_custom_lexicon_page_junk_and_title_keys():
    import copy

    from loader.lexicon import load_lexicon

    lexicon = copy.deepcopy(load_lexicon())
    lexicon["speakers"]["page_junk"].append(r"^ACME CONFIDENTIAL$")
    lexicon["speakers"]["title_keys"]["venue"].append("Lieu")
    text = "WORKSHOP\n\nDate: 1 June 2021\n\nLieu: Geneva\n\nAnna Berg: We start\n\nACME CONFIDENTIAL\n\nnow.\n"
    doc = parse_document(Source(text=text, source_path="x.txt", sha256="x", document_id="x"), lexicon)
    assert doc.turns[0].text == "We start\nnow."
    assert (doc.title, doc.event_date, doc.venue) == ("WORKSHOP", "2021-06-01", "Geneva")
    default = parse_document(Source(text=text, source_path="x.txt", sha256="x", document_id="x"))
    assert "ACME CONFIDENTIAL" in default.turns[0].text and default.venue is None


@pytest.mark.parametrize("text", ["", "\n", "a", "a\n", "a\n\n", "\n\na\nb", "a\r\nb\rc\n", "a\r", "\r\n\r\n",
                                  "  x \t\n\tY  \n", "a\x0bb\x0cc\u2028d\ne", "last line"])
def test_split_lines_are_the_lines_line_re_finds(text):
    """The lines ``_split_lines`` cuts (with or without a carriage return) are those ``LINE_RE`` finds."""
    from loader.turns import LINE_RE, _split_lines
    want = []
    for m in LINE_RE.finditer(text):
        if m.start() == m.end():
            break
        raw = m.group().rstrip("\r\n")
        want.append((m.start(), m.start() + len(raw), raw, raw.strip()))
    assert [(ln.start, ln.end, ln.raw, ln.text) for ln in _split_lines(text)] == want
    assert all(text[ln.start:ln.end] == ln.raw for ln in _split_lines(text))


@pytest.mark.parametrize("raw", ["", "x", "  x", "\tx", " \t x\ty", "\t\t", "\x0b\tx", "   ", "\u3000 x"])
def test_indent_is_the_width_the_expanded_line_loses(raw):
    from loader.turns import _indent, _Line
    line = _Line(0, len(raw), raw, raw.strip())
    assert _indent(line) == len(raw.expandtabs(4)) - len(raw.expandtabs(4).lstrip())
