"""Held-out real transcripts (and variants built from real text) against hand-labelled turns.

Each ``tests/fixtures/heldout/<name>.gold.json`` lists the expected turns in order as
``[label as printed, canonical speaker]`` (optionally a third item, a person id, when two people
share a name). Gold turns are located by label order (the next line starting with the label after
the previous turn), then scored with the project rules (:func:`loader.evaluate.score_turns`,
:func:`loader.evaluate.score_speakers`). When ``prefix_end`` is given, only the part of the text
before that string is scored (the first turns of a long file).

Scores of every file:  ``.venv/bin/python -m tests.test_heldout``
"""
import json
import sys
import time
from pathlib import Path

import pytest

from loader.evaluate import score_speakers, score_turns
from loader.model import Source
from loader.speakers import resolve_speakers
from loader.turns import parse_document

HELDOUT = Path(__file__).parent / "fixtures" / "heldout"
GOLD_FILES = sorted(HELDOUT.glob("*.gold.json"))
TURN_F1 = 0.95
BCUBED_F1 = 0.95


def load(gold_path: Path):
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    raw = (HELDOUT / gold["source"]).read_bytes().decode("utf-8")
    turns = []
    for n, item in enumerate(gold["turns"], 1):
        g = {"n": n, "label": item[0], "speaker": item[1]}
        if len(item) > 2:
            g["person"] = item[2]
        turns.append(g)
    return gold, raw, turns


def process(raw: str, name: str):
    doc = parse_document(Source(text=raw, source_path=name, sha256="heldout", document_id=name))
    return resolve_speakers(doc)


def scored_doc(gold, raw):
    """The processed document, with turns cut to the labelled prefix when the gold labels only a prefix."""
    doc = process(raw, gold["source"])
    end = gold.get("prefix_end")
    if end:
        cut = raw.index(end)
        doc.turns = [t for t in doc.turns if t.char_start < cut]
    return doc


def scores(gold_path: Path) -> tuple[dict, dict]:
    gold, raw, turns = load(gold_path)
    doc = scored_doc(gold, raw)
    return score_turns(doc, turns), score_speakers(doc, turns)


@pytest.mark.parametrize("gold_path", GOLD_FILES, ids=[p.name.split(".gold")[0] for p in GOLD_FILES])
def test_heldout_turns_and_speakers(gold_path):
    t, b = scores(gold_path)
    assert t["f1"] >= TURN_F1, t
    assert b["f1"] >= BCUBED_F1, b


def test_heldout_gold_labels_are_in_the_text():
    """Every gold label is printed at a line start, in order (a typo in a gold file would score as a miss)."""
    import re

    for gold_path in GOLD_FILES:
        gold, raw, turns = load(gold_path)
        pos = 0
        for g in turns:
            m = re.compile(r"(?m)^[ \t*_]*(" + re.escape(g["label"]) + ")").search(raw, pos)
            assert m is not None, (gold_path.name, g)
            pos = m.end()


def test_heldout_set_is_not_empty():
    assert len(GOLD_FILES) >= 4


def main() -> int:
    for gold_path in GOLD_FILES:
        gold, raw, turns = load(gold_path)
        start = time.perf_counter()
        doc = scored_doc(gold, raw)
        ms = (time.perf_counter() - start) * 1000
        t, b = score_turns(doc, turns), score_speakers(doc, turns)
        print(f"{gold['source']:48} turns P/R/F1 {t['precision']:.3f}/{t['recall']:.3f}/{t['f1']:.3f}"
              f"  speaker acc {t['speaker_accuracy']:.3f}  B-cubed F1 {b['f1']:.3f}"
              f"  ({t['matched']}/{t['gold']} gold, {t['system']} system, {ms:.0f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())


# ---------------------------------------------------------------- conventions seen in held-out records

def parse_text(text):
    return process(text, "snippet.txt")


CONVENTIONS = [
    # (id, text, [(label, speaker name), ...])
    ("label wrapped before (Country)", "Ms. Schwalger\n(New Zealand): We thank the President.\n\n"
                                       "Mr. Kiboino (Kenya): We align ourselves.\n",
     [("Ms. Schwalger\n(New Zealand)", "Schwalger"), ("Mr. Kiboino (Kenya)", "Kiboino")]),
    ("(spoke in X) on the next line", "Mr. Quintana Aranguren (Colombia)\r\n(spoke in Spanish): First of all.\r\n"
                                      "Mr. Kiboino (Kenya): We align ourselves.\r\n",
     [("Mr. Quintana Aranguren (Colombia)\r\n(spoke in Spanish)", "Quintana Aranguren"),
      ("Mr. Kiboino (Kenya)", "Kiboino")]),
    ("label over three lines", "Mr. Mukongo\n(Democratic Republic of the Congo)\n(spoke in French): My delegation.\n"
                               "Mr. Kiboino (Kenya): We align ourselves.\n",
     [("Mr. Mukongo\n(Democratic Republic of the Congo)\n(spoke in French)", "Mukongo"),
      ("Mr. Kiboino (Kenya)", "Kiboino")]),
    ("(spoke in X) alone after the label", "Mr. Mukongo (Democratic Republic of the Congo):\n(spoke in French)\n"
                                           "My delegation takes note.\nMr. Kiboino (Kenya): We align ourselves.\n",
     [("Mr. Mukongo (Democratic Republic of the Congo)", "Mukongo"), ("Mr. Kiboino (Kenya)", "Kiboino")]),
    ("GPO title-case period labels", "    The Chairman. The committee will come to order.\nWe welcome the witness.\n"
                                     "    Mr. Liman. Do you recall the date?\n    Mr. Poindexter. 1986; that is correct.\n"
                                     "    Mr. Liman. Thank you.\n",
     [("The Chairman", "Chairman"), ("Mr. Liman", "Liman"), ("Mr. Poindexter", "Poindexter"),
      ("Mr. Liman", "Liman")]),
    ("one title-case sentence is not a hearing", "Anna Berg: We met twice.\n\nMr. Smith. He came late.\n",
     [("Anna Berg", "Anna Berg")]),
    ("language mark inside a speech", "Hon. Chrystia Freeland: Mr. Chair, I thank the member.\n\n[Translation]\n\n"
                                      "We understand the provinces.\n\n(1210)\n\nThe Chair: Ms. Normandin.\n",
     [("Hon. Chrystia Freeland", "Chrystia Freeland"), ("The Chair", "Chair")]),
    ("question numbers", "Members present: Lynne Neagle (Chair); Siân Gwenllian.\n\nChair: Welcome.\n\n"
                         "Q1 Sian Gwenllian: A question.\n\nBarry Hughes: An answer.\n\nQ2 Sian Gwenllian: Another.\n",
     [("Chair", "Lynne Neagle"), ("Q1 Sian Gwenllian", "Sian Gwenllian"), ("Barry Hughes", "Barry Hughes"),
      ("Q2 Sian Gwenllian", "Sian Gwenllian")]),
    ("nicknames", "Thomas G. Weiss: Welcome.\n\nWilliam Durch: Thanks.\n\nTom Weiss: Bill, go on.\n\n"
                  "Bill Durch: Yes.\n\nTom: Thank you.\n",
     [("Thomas G. Weiss", "Thomas G. Weiss"), ("William Durch", "William Durch"), ("Tom Weiss", "Thomas G. Weiss"),
      ("Bill Durch", "William Durch"), ("Tom", "Thomas G. Weiss")]),
    ("audience questions labelled Q", "PATRICK: Good morning, and welcome.\n\nRYAN: Let's open it up to questions."
                                      "\n\nQ: Hi, I'm John Smith from the Atlantic Council. My question is short.\n\n"
                                      "PATRICK: Thank you, John. Well, the report card is annual.\n\n"
                                      "Q: Thank you. Mary Jones, Georgetown University. What about climate?\n\n"
                                      "RYAN: Good question.\n",
     [("PATRICK", "Patrick"), ("RYAN", "Ryan"), ("Q", "John Smith"), ("PATRICK", "Patrick"), ("Q", "Mary Jones"),
      ("RYAN", "Ryan")]),
    ("different given names stay apart", "Thomas Weiss: Welcome.\n\nPeter Weiss: Thanks.\n",
     [("Thomas Weiss", "Thomas Weiss"), ("Peter Weiss", "Peter Weiss")]),
    ("no colon after a full-width line", "Anna Berg: " + "word " * 17 + "\nword word word word word word word word"
                                         " word word word word word end.\nCarl Ode: " + "reply " * 14 + "\nreply "
                                         "reply reply reply reply reply reply reply reply reply done.\n"
                                         "Anna Berg Thank you, Carl.\n" + ("filler " * 12 + "\n") * 18,
     [("Anna Berg", "Anna Berg"), ("Carl Ode", "Carl Ode"), ("Anna Berg", "Anna Berg")]),
]


@pytest.mark.parametrize("text,expected", [c[1:] for c in CONVENTIONS], ids=[c[0] for c in CONVENTIONS])
def test_conventions(text, expected):
    doc = parse_text(text)
    names = {s.key: s.name for s in doc.speakers}
    assert [(t.label, names.get(t.speaker_key)) for t in doc.turns] == expected
    for t in doc.turns:
        assert t.text and t.text == t.text.strip()
        assert "(spoke in" not in t.text and "[Translation]" not in t.text and "(1210)" not in t.text


def test_tally_without_vote_line_is_a_note():
    doc = parse_text("The President: I put the draft resolution to the vote.\n\nIn favour:\nChile, Peru, Kenya\n\n"
                     "Against:\nNone\n\nAbstaining:\nMali\n\nThe President: The draft resolution has been adopted.\n")
    assert [t.label for t in doc.turns] == ["The President", "The President"]
    assert "Chile" not in doc.turns[0].text and "Mali" not in doc.turns[0].text
    assert [n.text.split("\n")[0] for n in doc.notes] == ["In favour:"]
    assert "Abstaining:" in doc.notes[0].text and "Mali" in doc.notes[0].text


def test_parliamentary_decisions_are_notes():
    doc = parse_text("The Chair: All those in favour?\n\n(Motion agreed to: yeas 7; nays 4)\n\n"
                     "The Chair: Shall clause 2 carry?\n\nQuestion put and agreed to.\n\nMr. Smith: Thank you.\n")
    assert [t.label for t in doc.turns] == ["The Chair", "The Chair", "Mr. Smith"]
    assert [n.text for n in doc.notes] == ["(Motion agreed to: yeas 7; nays 4)", "Question put and agreed to."]


LABELS = [
    # (printed label, kind, name or role, nested name)
    ("The Parliamentary Under-Secretary of State for Health and Social Care (Andrew Gwynne)", "role",
     "Parliamentary Under-Secretary of State for Health and Social Care", "Andrew Gwynne"),
    ("The Chancellor of the Exchequer (Rachel Reeves)", "role", "Chancellor of the Exchequer", "Rachel Reeves"),
    ("The Minister of State, Department for Education (Catherine McKinnell)", "role",
     "Minister of State, Department for Education", "Catherine McKinnell"),
    ("Rt Hon Theresa May (Maidenhead) (Con)", "person", "Theresa May", None),
    ("Mrs. McMORRIS RODGERS", "person", "McMorris Rodgers", None),
    ("Vice President Joe Biden", "person", "Joe Biden", None),
    ("Q12 Dame Meg Hillier", "person", "Meg Hillier", None),
    ("The PRESIDENT (interpretation from French)", "role", "President", None),
    ("Jane Roe, Director, ACME", "person", "Jane Roe", None),
]


@pytest.mark.parametrize("label,kind,name,inner", LABELS, ids=[x[0][:40] for x in LABELS])
def test_parliamentary_labels(label, kind, name, inner):
    from loader.speakers import parse_label

    info = parse_label(label)
    assert info is not None and info.kind == kind
    assert (info.name or info.role) == name
    assert (info.inner.name if info.inner else None) == inner


@pytest.mark.parametrize("heading", ["The field", "Two", "The Chair's summary", "In favour", "Key Recommendations"])
def test_headings_are_not_labels(heading):
    from loader.speakers import parse_label

    assert parse_label(heading) is None
