"""Speaker labels in any script, with combining marks, invisible characters, quotes or angle
brackets; and speech before the first label. Offsets still index the text exactly (the text is
never normalized; only names and keys are)."""
import unicodedata

import pytest

from loader.model import Source
from loader.speakers import fold, parse_label, resolve_speakers, slug
from loader.turns import parse_document

HEADER = "Public hearing on river pollution\n\nMonday, 2 March 2026\n\n"


def parse(text):
    doc = parse_document(Source(text, "hearing.txt", "x", "hearing"))
    resolve_speakers(doc)
    for t in doc.turns:
        assert text[t.speech_start:t.char_end].startswith(t.text.split("\n")[0])
        if t.label:
            assert text[t.char_start:t.char_start + len(t.label)] == t.label
    return doc


def speakers_of(doc):
    names = {s.key: s.name for s in doc.speakers}
    return [(names.get(t.speaker_key), t.text) for t in doc.turns]


def test_chinese_names_are_labels_and_mr_li_ming_is_his_own_turn():
    text = HEADER + (
        "Ms. Alice Smith: Thank you. We should look at the data first.\n\n"
        "Mr. 李 明: The river authority should publish its water samples every week.\n\n"
        "王芳: I agree with Mr. Li. The province must fund new treatment plants.\n\n"
        "Ms. Alice Smith: Thank you both.\n\n"
        "王芳: One more point on the budget.\n"
    )
    got = speakers_of(parse(text))
    assert [name for name, _ in got] == ["Alice Smith", "李 明", "王芳", "Alice Smith", "王芳"]
    assert got[1][1].startswith("The river authority should publish")


def test_full_width_colon_after_a_chinese_name():
    text = HEADER + "张伟：我们应该更快地公布数据。\n\n李娜：我同意。\n\n张伟：谢谢。\n\n李娜：好的。\n"
    got = speakers_of(parse(text))
    assert [name for name, _ in got] == ["张伟", "李娜", "张伟", "李娜"]
    assert got[0][1] == "我们应该更快地公布数据。"


def test_arabic_names():
    text = HEADER + (
        "السيد أحمد حسن: The ministry should publish the report.\n\n"
        "Ms. Alice Smith: Thank you, Mr. Hassan.\n\n"
        "السيد أحمد حسن: Thank you, Chair.\n"
    )
    doc = parse(text)
    got = speakers_of(doc)
    assert [name for name, _ in got] == ["السيد أحمد حسن", "Alice Smith", "السيد أحمد حسن"]
    assert doc.turns[0].speaker_key == doc.turns[2].speaker_key


def test_decomposed_accents_are_the_same_person_as_composed_ones():
    nfd = unicodedata.normalize("NFD", "José García")
    assert nfd != "José García"
    text = HEADER + (
        f"Mr. {nfd}: The council should repair the weir before winter.\n\n"
        "Ms. Alice Smith: Thank you.\n\n"
        "Mr. José García: One more thing.\n"
    )
    doc = parse(text)
    assert doc.turns[0].label == f"Mr. {nfd}"  # as printed, offsets into the unnormalized text
    assert doc.turns[0].speaker_key == doc.turns[2].speaker_key
    assert {s.name for s in doc.speakers} == {"José García", "Alice Smith"}


@pytest.mark.parametrize("invisible", ["\u200b", "\u200e", "\u200f", "\u2066", "\ufeff", "\u200d"])
def test_zero_width_and_bidi_characters_are_ignored_in_names(invisible):
    text = HEADER + (
        f"{invisible}Ms. Alice{invisible} Smith: The agency should test the wells.\n\n"
        "Mr. Bob Jones: I agree.\n\n"
        "Ms. Alice Smith: Thank you.\n"
    )
    doc = parse(text)
    assert [name for name, _ in speakers_of(doc)] == ["Alice Smith", "Bob Jones", "Alice Smith"]
    assert doc.turns[0].speaker_key == doc.turns[2].speaker_key == "alice-smith"
    alias_chars = "".join(a for s in doc.speakers for a in s.aliases)
    assert invisible not in alias_chars


def test_labels_with_quotes_and_angle_brackets():
    text = HEADER + (
        'Robert "Bob" Smith: The board should meet monthly.\n\n'
        "<Carol White>: I think that is right.\n\n"
        "Ms. Dana “DJ” Jones: The minutes should be public.\n\n"
        'Robert "Bob" Smith: Thank you.\n'
    )
    doc = parse(text)
    assert [name for name, _ in speakers_of(doc)] == ["Robert Smith", "Carol White", "Dana Jones", "Robert Smith"]
    assert doc.turns[1].label == "<Carol White>"


def test_markup_is_still_not_a_label():
    assert parse_label("<script>alert(1)</script>") is None
    assert parse_label('He said "no"') is None


def test_speech_before_the_first_label_is_a_turn():
    text = HEADER + (
        "Good morning everyone, and thank you for coming to this hearing on the state of our rivers. "
        "The water board should publish its sampling data before the summer.\n\n"
        "Ms. Alice Smith: Thank you. I have two questions.\n"
    )
    doc = parse(text)
    assert doc.title == "Public hearing on river pollution" and doc.event_date == "2026-03-02"
    assert len(doc.turns) == 2
    assert doc.turns[0].label is None and doc.turns[0].text.startswith("Good morning everyone")
    assert doc.turns[1].label == "Ms. Alice Smith"


def test_names_keys_and_slugs():
    assert fold("Jose\u0301") == fold("José") == "jose"
    assert fold("Ali\u200bce") == "alice"
    assert slug("李 明") == "李-明"
    assert slug("Søren Ørsted") == "s-ren-rsted"  # Latin letters keep the ASCII keys they always had
    info = parse_label("Mr. 李 明")
    assert info is not None and info.kind == "person" and info.name == "李 明"


def test_mail_style_label():
    info = parse_label("Carol White <carol@example.org>")
    assert info is not None and info.name == "Carol White"


def test_angle_bracket_label_is_escaped_on_the_document_page(tmp_path):
    import asyncio

    from loader.cli import load_paths
    from loader.web import make_datasette

    path = tmp_path / "chat.txt"
    path.write_text(HEADER + "<Carol White>: The board should meet monthly.\n\n"
                    "Mr. Bob Jones: Agreed.\n\n<Carol White>: Thank you.\n", encoding="utf-8")
    db = tmp_path / "rectrack.db"
    _totals, errors = load_paths(db, [path], progress=False)
    assert not errors

    async def fetch():
        ds = make_datasette(db)
        return (await ds.client.get("/-/rectrack/documents/chat"),
                await ds.client.get("/rectrack/turns?document_id=chat"))

    document, turns = asyncio.run(fetch())
    assert document.status_code == 200 and turns.status_code == 200
    assert '<p class="who">Carol White<' in document.text
    assert "&lt;Carol White&gt;" in turns.text
    assert "<Carol White>" not in document.text + turns.text
