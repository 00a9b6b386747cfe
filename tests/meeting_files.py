"""One short meeting in every format rectrack reads, for tests: the text, hand-written captions
and JSON, and a Word file and a PDF built here (python-docx, fpdf2)."""
from __future__ import annotations

from pathlib import Path

TITLE = "Committee on Water Safety"
DATE_LINE = "Tuesday, 4 March 2025"
VENUE = "Council Chamber"
TURNS = [
    ("Chair", "Good morning. We will hear first from the regulator and then from the council."),
    ("Dr. Amina Okafor", "Thank you, Chair. The ministry should publish the test results for every district "
     "within three months. Families have waited too long for this information. We also recommend that the "
     "water board replace the lead pipes in older schools."),
    ("Mr. Tomas Berg", "I agree with Dr. Okafor. The council must fund an independent inspection of the "
     "treatment plants before the summer."),
    ("Chair", "Thank you both. The committee will consider these proposals at its next meeting."),
]

TXT = f"{TITLE}\n{DATE_LINE}\n{VENUE}\n\n" + "\n\n".join(f"{who}: {said}" for who, said in TURNS) + "\n"

VTT = """WEBVTT

1
00:00:01.000 --> 00:00:04.500
<v Chair>Good morning. We will hear first from the regulator</v>

2
00:00:04.500 --> 00:00:07.000
<v Chair>and then from the council.</v>

3
00:00:08.000 --> 00:00:12.250
<v Dr. Amina Okafor>Thank you, Chair. The ministry should publish the test results
for every district within three months.</v>

4
00:00:12.250 --> 00:00:15.000
<v Dr. Amina Okafor>Families have waited too long for this information.</v>

5
00:00:15.000 --> 00:00:20.000
<v Dr. Amina Okafor>We also recommend that the water board replace the lead pipes in <i>older</i> schools.</v>

6
00:00:21.000 --> 00:00:27.500
<v Mr. Tomas Berg>I agree with Dr. Okafor. The council must fund an independent inspection of the treatment plants before the summer.</v>

7
00:00:28.000 --> 00:00:33.000
<v Chair>Thank you both. The committee will consider these proposals at its next meeting.</v>
"""

SRT = """1
00:00:01,000 --> 00:00:04,500
Chair: Good morning. We will hear first from the regulator

2
00:00:04,500 --> 00:00:07,000
and then from the council.

3
00:00:08,000 --> 00:00:12,250
Dr. Amina Okafor: Thank you, Chair. The ministry should publish the test results
for every district within three months.

4
00:00:12,250 --> 00:00:15,000
Dr. Amina Okafor: Families have waited too long for this information.

5
00:00:15,000 --> 00:00:20,000
We also recommend that the water board replace the lead pipes in older schools.

6
00:00:21,000 --> 00:00:27,500
Mr. Tomas Berg: I agree with Dr. Okafor. The council must fund an independent inspection of the treatment plants before the summer.

7
00:00:28,000 --> 00:00:33,000
Chair: Thank you both. The committee will consider these proposals at its next meeting.
"""

JSON = """{
  "title": "Committee on Water Safety",
  "date": "2025-03-04",
  "venue": "Council Chamber",
  "turns": [
    {"speaker": "Chair", "text": "Good morning. We will hear first from the regulator and then from the council.",
     "start_time": 1.0, "end_time": 7.0},
    {"speaker": "Dr. Amina Okafor", "text": "Thank you, Chair. The ministry should publish the test results for every district within three months. Families have waited too long for this information. We also recommend that the water board replace the lead pipes in older schools.",
     "start_time": 8.0, "end_time": 20.0},
    {"speaker": "Mr. Tomas Berg", "text": "I agree with Dr. Okafor. The council must fund an independent inspection of the treatment plants before the summer.",
     "start_time": 21.0, "end_time": 27.5},
    {"speaker": "Chair", "text": "Thank you both. The committee will consider these proposals at its next meeting.",
     "start_time": 28.0, "end_time": 33.0}
  ]
}
"""

# The same meeting as printed in a PDF: hard-wrapped lines (one hyphenated at the line end), three
# pages with a running header, and Dr. Okafor's paragraph broken across the first page break.
PDF_PAGES = [
    [TITLE, DATE_LINE, VENUE, "",
     "Chair: Good morning. We will hear first from the regulator and then from",
     "the council.", "",
     "Dr. Amina Okafor: Thank you, Chair. The ministry should publish the test",
     "results for every district within three months. Families have waited too"],
    ["long for this information. We also recommend that the water board re-",
     "place the lead pipes in older schools.", "",
     "Mr. Tomas Berg: I agree with Dr. Okafor. The council must fund an",
     "independent inspection of the treatment plants before the summer."],
    ["Chair: Thank you both. The committee will consider these proposals at its",
     "next meeting."],
]


def write_txt(path: Path) -> Path:
    path.write_text(TXT, encoding="utf-8")
    return path


def write_docx(path: Path) -> Path:
    """Title paragraphs, then each turn as a paragraph opening with the speaker's name in bold."""
    import docx

    document = docx.Document()
    for line in (TITLE, DATE_LINE, VENUE):
        document.add_paragraph(line)
    for who, said in TURNS:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{who}:").bold = True
        paragraph.add_run(f" {said}")
    document.save(str(path))
    return path


def write_pdf(path: Path, pages=PDF_PAGES) -> Path:
    """A PDF (fpdf2) with a running header on every page; one text line per printed line."""
    from fpdf import FPDF

    class Record(FPDF):
        def header(self):
            self.set_font("Helvetica", size=8)
            self.cell(text=f"Water Safety Committee  4/3/2025  Page {self.page_no()}", new_x="LMARGIN", new_y="NEXT")
            self.ln(4)

    pdf = Record()
    pdf.set_auto_page_break(False)
    for lines in pages:
        pdf.add_page()
        pdf.set_font("Helvetica", size=11)
        for line in lines:
            if line:
                pdf.cell(text=line, new_x="LMARGIN", new_y="NEXT", h=6)
            else:
                pdf.ln(6)
    pdf.output(str(path))
    return path


def write_all(folder: Path) -> dict[str, Path]:
    """Every format of the meeting in ``folder`` (``meeting-pdf.pdf`` ...): {format: path}."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {"txt": write_txt(folder / "meeting-txt.txt"), "docx": write_docx(folder / "meeting-docx.docx"),
             "pdf": write_pdf(folder / "meeting-pdf.pdf")}
    for fmt, body in (("vtt", VTT), ("srt", SRT), ("json", JSON)):
        files[fmt] = folder / f"meeting-{fmt}.{fmt}"
        files[fmt].write_text(body, encoding="utf-8")
    return files
