"""Each reader on its own: text encodings, captions, JSON shapes, Word labels, PDF edge cases."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from loader.errors import ReadError
from loader.read import UnsupportedFormat, read_source
from loader.readers.captions import cue_pieces, read_captions
from loader.readers.pdf import join_hyphenated
from meeting_files import SRT, TXT, VTT, write_pdf

# ------------------------------------------------------------------ plain text in any encoding

SAMPLE = "Chair: Le café est fermé. We should reopen the café.\n\nMs. Núñez: I agree.\n"


@pytest.mark.parametrize("encoding,data,warned", [
    ("utf-8", SAMPLE.encode("utf-8"), None),
    ("utf-8 BOM", b"\xef\xbb\xbf" + SAMPLE.encode("utf-8"), None),
    ("utf-16 BOM", SAMPLE.encode("utf-16"), "utf-16"),
    ("utf-16-be BOM", b"\xfe\xff" + SAMPLE.encode("utf-16-be"), "utf-16-be"),
    ("utf-32 BOM", SAMPLE.encode("utf-32"), "utf-32"),
    ("utf-16-le no BOM", SAMPLE.encode("utf-16-le"), "utf-16-le"),
    ("cp1252", SAMPLE.encode("cp1252"), "cp1252"),
])
def test_text_in_any_encoding(tmp_path, encoding, data, warned):
    path = tmp_path / "t.txt"
    path.write_bytes(data)
    source = read_source(path)
    assert source.text == SAMPLE
    assert source.format == "txt"
    if warned is None:
        assert source.warnings == []
    else:
        assert len(source.warnings) == 1 and warned in source.warnings[0] and "t.txt" in source.warnings[0]


def test_encoding_option_overrides_detection(tmp_path):
    path = tmp_path / "t.txt"
    path.write_bytes("Chair: Ça va, Señor Müller?\n".encode("latin-1"))
    assert read_source(path, encoding="latin-1").text == "Chair: Ça va, Señor Müller?\n"
    with pytest.raises(ReadError, match=r"t\.txt: unknown encoding 'nope'"):
        read_source(path, encoding="nope")
    with pytest.raises(ReadError, match=r"t\.txt: not valid utf-8 at byte 7"):
        read_source(path, encoding="utf-8")


@pytest.mark.parametrize("data", [b"\x00" * 200, b"\x00\x01\x02\x03\x1b" * 50, bytes(range(0, 32)) * 10])
def test_control_characters_are_not_text(tmp_path, data):
    path = tmp_path / "nul.txt"
    path.write_bytes(data)
    with pytest.raises(ReadError, match=r"nul\.txt: not text"):
        read_source(path)


def test_empty_file_is_an_error(tmp_path):
    (tmp_path / "e.txt").write_bytes(b" \n\n")
    with pytest.raises(ReadError, match=r"e\.txt: file is empty"):
        read_source(tmp_path / "e.txt")


@pytest.mark.parametrize("body,fmt", [(VTT, "vtt"), (SRT, "srt")])
def test_captions_renamed_txt_are_read_as_captions(tmp_path, body, fmt):
    path = tmp_path / "zoom.txt"
    path.write_text(body, encoding="utf-8")
    source = read_source(path)
    assert source.format == fmt
    assert "-->" not in source.text and "<v" not in source.text
    assert source.text.startswith("Chair: Good morning.")


def test_unsupported_extension_names_the_supported_formats(tmp_path):
    (tmp_path / "notes.xlsx").write_bytes(b"PK")
    with pytest.raises(UnsupportedFormat, match=r"notes\.xlsx: unsupported format \(\.xlsx\); rectrack reads "
                                               r"\.txt, \.pdf, \.docx, \.vtt, \.srt, \.json"):
        read_source(tmp_path / "notes.xlsx")


# ------------------------------------------------------------------ captions


@pytest.mark.parametrize("raw,expected", [
    ("<v Jane Doe>Hello there.</v>", [("Jane Doe", "Hello there.")]),
    ("<v.loud Jane Doe>Hello</v>", [("Jane Doe", "Hello")]),
    ("<v Ann>Yes.</v> <v Bob>No.</v>", [("Ann", "Yes."), ("Bob", "No.")]),
    ("Jane Doe: We should act.", [("Jane Doe", "We should act.")]),
    (">> JANE DOE: We should act.", [("JANE DOE", "We should act.")]),
    ("SPEAKER_01: Hi.", [("SPEAKER_01", "Hi.")]),
    ("SPEAKER 2: Hi.", [("SPEAKER 2", "Hi.")]),
    ("Maria de la Cruz: Hola.", [("Maria de la Cruz", "Hola.")]),
    ("The 3 options: a, b, c", [(None, "The 3 options: a, b, c")]),
    ("<i>Dr. Okafor:</i> Thanks", [("Dr. Okafor", "Thanks")]),
    ("So the answer is: yes.", [(None, "So the answer is: yes.")]),
    ("We met at 10:30 today", [(None, "We met at 10:30 today")]),
    ("plain <00:00:01.500>karaoke <c.yellow>text</c>", [(None, "plain karaoke text")]),
])
def test_cue_speaker_and_text(raw, expected):
    assert cue_pieces(raw) == expected


def test_consecutive_cues_of_one_speaker_merge_and_keep_times():
    source = read_captions(VTT, "m.vtt", "vtt")
    assert [t.label for t in source.turns] == ["Chair", "Dr. Amina Okafor", "Mr. Tomas Berg", "Chair"]
    assert [(t.start_time, t.end_time) for t in source.turns] == [(1.0, 7.0), (8.0, 20.0), (21.0, 27.5), (28.0, 33.0)]
    # one location per cue, each pointing at that cue's words
    third = source.locations[2]
    assert source.text[third.start:third.end].startswith("Thank you, Chair.") and third.start_time == 8.0


def test_malformed_captions_are_one_clear_error(tmp_path):
    (tmp_path / "bad.vtt").write_text("WEBVTT\n\nnot a cue at all\n-->\n", encoding="utf-8")
    with pytest.raises(ReadError, match=r"bad\.vtt: (not valid VTT captions|no caption text)"):
        read_source(tmp_path / "bad.vtt")
    (tmp_path / "bad.srt").write_text("hello\n", encoding="utf-8")
    with pytest.raises(ReadError, match=r"bad\.srt: not valid SRT captions"):
        read_source(tmp_path / "bad.srt")


# ------------------------------------------------------------------ JSON turns


@pytest.mark.parametrize("doc,message", [
    ({"turns": [{"speaker": "A", "text": "x"}, {"speaker": "B", "text": "y"}, {"speaker": "C", "text": "z"},
                {"text": "w"}]}, r"turns\[3\]\.speaker: missing"),
    ([{"speaker": "A", "text": "x"}, {"speaker": "B"}], r"\[1\]\.text: missing"),
    ([{"speaker": 3, "text": "x"}], r"\[0\]\.speaker: expected a string, got int"),
    ([{"speaker": "A", "text": "  "}], r"\[0\]\.text: empty"),
    (["hello"], r"\[0\]: expected an object, got str"),
    ({"title": "T"}, r"turns: missing"),
    ({"turns": {"speaker": "A"}}, r"turns: expected a list of turns, got dict"),
    ({"turns": []}, r"turns: no turns"),
    ({"title": 5, "turns": [{"speaker": "A", "text": "x"}]}, r"title: expected a string, got int"),
    ({"date": "someday", "turns": [{"speaker": "A", "text": "x"}]}, r"date: not a date"),
    ([{"speaker": "A", "text": "x", "start_time": "soon"}], r"\[0\]\.start_time: expected a number"),
    ([{"speaker": "A", "text": "x", "start_time": 5, "end_time": 2}], r"\[0\]\.end_time: before start_time"),
    ("just a string", r"\(top level\): expected a list of turns, got str"),
])
def test_json_wrong_shape_names_the_path(tmp_path, doc, message):
    path = tmp_path / "t.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ReadError, match=r"t\.json: " + message):
        read_source(path)


def test_invalid_json_names_line_and_column(tmp_path):
    path = tmp_path / "t.json"
    path.write_text('[{"speaker": "A",\n "text": }]', encoding="utf-8")
    with pytest.raises(ReadError, match=r"t\.json: not valid JSON at line 2 column 10"):
        read_source(path)


def test_json_list_form(tmp_path):
    path = tmp_path / "t.json"
    path.write_text(json.dumps([{"speaker": "Jane Doe", "text": "We should act."},
                                {"speaker": "Jane Doe", "text": "Now."}]), encoding="utf-8")
    source = read_source(path)
    assert source.format == "json" and source.text == "Jane Doe: We should act.\n\nJane Doe: Now.\n"
    assert [t.label for t in source.turns] == ["Jane Doe", "Jane Doe"] and source.meta == {}


# ------------------------------------------------------------------ Word


def _docx(path, paragraphs):
    import docx

    document = docx.Document()
    for runs in paragraphs:
        p = document.add_paragraph()
        for text, bold in runs:
            p.add_run(text).bold = bold
    document.save(str(path))
    return path


def test_docx_bold_run_at_paragraph_start_is_a_label(tmp_path):
    path = _docx(tmp_path / "m.docx", [
        [("Hearing on Roads", True)],  # a bold heading alone: not a label
        [("Jane Doe", True), (" We should repair the bridge.", False)],  # no colon printed
        [("Mr. Lee:", True), (" I agree with ", False), ("Jane", True), (".", False)],
        [("Later she said more.", False)],
    ])
    source = read_source(path)
    assert source.format == "docx"
    assert source.text == ("Hearing on Roads\n\nJane Doe: We should repair the bridge.\n\n"
                           "Mr. Lee: I agree with Jane.\n\nLater she said more.\n")


def test_not_a_docx_is_a_clear_error(tmp_path):
    (tmp_path / "x.docx").write_bytes(b"this is not a zip file")
    with pytest.raises(ReadError, match=r"x\.docx: not a readable Word \.docx file"):
        read_source(tmp_path / "x.docx")


# ------------------------------------------------------------------ PDF


def test_scanned_pdf_without_text_layer_says_so(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 50, style="F")  # an image-like page: no text
    pdf.output(str(tmp_path / "scan.pdf"))
    with pytest.raises(ReadError, match=r"scan\.pdf: no text layer in the PDF \(1 page\(s\); a scan\? run OCR first\)"):
        read_source(tmp_path / "scan.pdf")


def test_broken_pdf_is_a_clear_error(tmp_path):
    (tmp_path / "x.pdf").write_bytes(b"%PDF-1.4\nthis is not really a pdf")
    with pytest.raises(ReadError, match=r"x\.pdf: (not a readable PDF|the PDF has no pages|no text layer)"):
        read_source(tmp_path / "x.pdf")


def test_pdf_page_of_every_offset(tmp_path):
    source = read_source(write_pdf(tmp_path / "m.pdf"))
    assert [loc.page for loc in source.locations] == [1, 2, 3]
    for loc in source.locations:
        assert f"Page {loc.page}" in source.text[loc.start:loc.end]
    assert source.locations[0].start == 0 and source.locations[-1].end == len(source.text)


@pytest.mark.parametrize("text,words,expected", [
    ("the opera-\ntion of the Court", set(), "the operation\nof the Court"),
    ("its long-\nstanding tradition", {"long"}, "its long-standing\ntradition"),
    ("its long-\nstanding tradition", {"long-standing"}, "its long-standing\ntradition"),
    ("co-\noperation.", {"co", "cooperation"}, "cooperation."),
    ("the Non-\nAligned Movement", set(), "the Non-\nAligned Movement"),  # capital: a name, kept as printed
    ("pages 10-\n12", set(), "pages 10-\n12"),
])
def test_hyphenated_line_ends(text, words, expected):
    assert join_hyphenated(text, words) == expected


def test_the_text_meeting_fixture_is_what_the_readers_render():
    # captions and JSON render "Speaker: text" paragraphs like the text file's
    assert "Dr. Amina Okafor: Thank you, Chair." in TXT


def test_docx_table_transcript(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("Budget hearing")
    table = document.add_table(rows=3, cols=3)
    for r, cells in enumerate([("Time", "Speaker", "Text"), ("00:01:02", "Ms. Ana Ruiz", "The ministry should publish it."),
                               ("00:01:09", "Mr. Lee", "Yes.")]):
        for c, value in enumerate(cells):
            table.cell(r, c).text = value
    document.add_paragraph("End of hearing.")
    document.save(str(tmp_path / "t.docx"))
    assert read_source(tmp_path / "t.docx").text == (
        "Budget hearing\n\nMs. Ana Ruiz: The ministry should publish it.\n\nMr. Lee: Yes.\n\nEnd of hearing.\n")


def test_docx_label_alone_in_its_paragraph(tmp_path):
    from loader.pipeline import process_source

    path = _docx(tmp_path / "m.docx", [[("Jane Doe:", True)], [("We should repair the bridge.", False)],
                                       [("Mr. Lee", True), (" I agree.", False)]])
    doc, recs, _ = process_source(read_source(path))
    assert [(t.label, t.text) for t in doc.turns] == [("Jane Doe", "We should repair the bridge."), ("Mr. Lee", "I agree.")]
    assert [r.text for r in recs] == ["We should repair the bridge."]


def test_docx_hyperlink_text_is_kept(tmp_path):
    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml.ns import qn
    from docx.oxml import OxmlElement

    document = docx.Document()
    p = document.add_paragraph()
    p.add_run("Jane Doe:").bold = True
    p.add_run(" See ")
    rel = document.part.relate_to("https://example.org", RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "the report"
    run.append(text)
    link.append(run)
    p._p.append(link)
    p.add_run(" first.")
    document.save(str(tmp_path / "h.docx"))
    assert read_source(tmp_path / "h.docx").text == "Jane Doe: See the report first.\n"


def test_webvtt_named_srt_is_read_as_webvtt(tmp_path):
    (tmp_path / "x.srt").write_text(VTT, encoding="utf-8")
    source = read_source(tmp_path / "x.srt")
    assert source.format == "vtt" and source.text.startswith("Chair: Good morning.")


def test_rolling_captions_do_not_repeat_lines():
    vtt = ("WEBVTT\nKind: captions\nLanguage: en\n\n"
           "00:00:01.000 --> 00:00:03.000 align:start position:0%\n"
           "the<00:00:01.500><c> council</c><00:00:02.000><c> should</c>\n\n"
           "00:00:03.000 --> 00:00:03.010 align:start position:0%\nthe council should\n \n\n"
           "00:00:03.010 --> 00:00:05.000 align:start position:0%\n"
           "the council should\nfund<00:00:03.500><c> the</c><00:00:04.000><c> repairs.</c>\n\n"
           "00:00:05.000 --> 00:00:06.000 align:start position:0%\nfund the repairs.\nThank you.\n")
    source = read_captions(vtt, "auto.vtt", "vtt")
    assert source.text == "the council should fund the repairs. Thank you.\n"
    assert [(t.start_time, t.end_time) for t in source.turns] == [(1.0, 6.0)]


def test_pypdf_and_python_docx_are_imported_only_when_a_file_of_theirs_is_read(tmp_path):
    """`rectrack load` of a text file does not pay for the PDF and Word libraries' imports."""
    txt = tmp_path / "m.txt"
    txt.write_text("Chair: The Council must act now.\n", encoding="utf-8")
    code = ("import sys; from loader.read import read_source; read_source(sys.argv[1]); "
            "print(sorted(m for m in ('pypdf', 'docx') if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", code, str(txt)], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"
    pdf = Path(__file__).parent / "fixtures" / "un_sc_S-PV.10100.pdf"
    run = subprocess.run([sys.executable, "-c", code, str(pdf)], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "['pypdf']"
