import pytest

from loader.sentences import sentences, split_sentences

from conftest import FIXTURES, SEED_FILE


@pytest.mark.parametrize(
    "text,expected",
    [
        # abbreviations, initials and titles do not end a sentence
        ("Dr. Edward C. Luck opened. Mr. Le Roy replied.", ["Dr. Edward C. Luck opened.", "Mr. Le Roy replied."]),
        ("Mrs. Smith and Prof. Jones spoke. Then we left.", ["Mrs. Smith and Prof. Jones spoke.", "Then we left."]),
        ("The U.N. Security Council met. It adopted a text.", ["The U.N. Security Council met.", "It adopted a text."]),
        ("They went to the U.N. The Council then acted.", ["They went to the U.N.", "The Council then acted."]),
        ("Some bodies, e.g. the Council, i.e. its members, act. Others wait.",
         ["Some bodies, e.g. the Council, i.e. its members, act.", "Others wait."]),
        ("See art. 12 and para. 3 of the Statute. It is clear.",
         ["See art. 12 and para. 3 of the Statute.", "It is clear."]),
        # quotes and brackets stay with their sentence
        ('He said "We must act." Then he left.', ['He said "We must act."', "Then he left."]),
        ("It was adopted (see A/79/PV.26). Ghana agrees.", ["It was adopted (see A/79/PV.26).", "Ghana agrees."]),
        # dashes and ellipses
        ("I mean... the thing is hard. Really... We must go – now!", ["I mean... the thing is hard.", "Really...", "We must go – now!"]),
        ("We need – and I stress this – more troops. Yes.", ["We need – and I stress this – more troops.", "Yes."]),
        # questions
        ("Why? Because we can. Is it true? yes it is.", ["Why?", "Because we can.", "Is it true? yes it is."]),
        # a page break inside a sentence, a hard line wrap, a heading paragraph
        ("and it\n\nwill require a major effort. Next.", ["and it\n\nwill require a major effort.", "Next."]),
        ("the Court must invest more in\nensuring that its face is universal. Next.",
         ["the Court must invest more in\nensuring that its face is universal.", "Next."]),
        ("Two:\n\nThe field is hard", ["Two:", "The field is hard"]),
        # a running page header between the two halves of a sentence (UN verbatim records)
        ("we remain concerned about the \n\n29/10/2024 A/79/PV.29 \n \n3/38 24-19856 \n \nobjective application. Next.",
         ["we remain concerned about the \n\n29/10/2024 A/79/PV.29 \n \n3/38 24-19856 \n \nobjective application.", "Next."]),
        ("It ended.\n\n3/38 24-19856\n\nThe Council met.", ["It ended.", "3/38 24-19856", "The Council met."]),
    ],
)
def test_split(text, expected):
    assert sentences(text) == expected


def test_spans_are_exact_offsets_into_the_text():
    text = SEED_FILE.read_text(encoding="utf-8")
    spans = split_sentences(text, 1000, 20000)
    assert spans and all(1000 <= s < e <= 20000 for s, e in spans)
    for (s, e), (s2, _) in zip(spans, spans[1:]):
        assert e <= s2 and text[s:e] == text[s:e].strip()
        assert not text[e:s2].strip(), "nothing is dropped between two sentences"


@pytest.mark.parametrize("name", ["un_ga_A-79-PV.29.txt", "canada_commons_covid19_committee_meeting.txt"])
def test_dev_transcripts_split_sensibly(name):
    text = (FIXTURES / name).read_text(encoding="utf-8")
    spans = split_sentences(text)
    lengths = sorted(e - s for s, e in spans)
    assert len(spans) > 300
    assert lengths[len(lengths) // 2] < 250, "median sentence is sentence-sized"
    # no sentence ends on a title ("... said Mr." / "Le Roy.")
    assert not [text[s:e] for s, e in spans if text[s:e].rsplit(None, 1)[-1] in ("Mr.", "Ms.", "Mrs.", "Dr.")]
