"""pypdf against pdfplumber on the UN verbatim record PDFs: turn F1 against the turns of the text
files, and extraction time. rectrack ships pypdf; pdfplumber is only needed to rerun this.

    .venv/bin/pip install pdfplumber==0.11.10
    .venv/bin/python bench/pdf_readers.py
"""
import hashlib
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from loader.evaluate import reference_turns, score_turns  # noqa: E402
from loader.model import Location, Source  # noqa: E402
from loader.pipeline import process_source  # noqa: E402
from loader.read import read_source  # noqa: E402
from loader.store import normalize_span  # noqa: E402
from loader.readers.pdf import PAGE_SEPARATOR, join_hyphenated, vocabulary  # noqa: E402

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
RECORDS = ("un_ga_A-79-PV.29", "un_sc_S-PV.10100")


def plumber_source(path: Path) -> Source:
    """The same page joining and hyphen handling as loader.readers.pdf, with pdfplumber's text."""
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        pages = [(p.extract_text() or "") for p in pdf.pages]
    words = vocabulary(pages)
    text, locations = "", []
    for n, page in enumerate(pages, 1):
        if text:
            text += PAGE_SEPARATOR
        page = join_hyphenated(page, words)
        locations.append(Location(len(text), len(text) + len(page), page=n))
        text += page
    return Source(text=text, source_path=str(path), sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
                  document_id=path.stem, format="pdf", locations=locations)


def main():
    print(f"{'record':<20} {'reader':<11} {'turn F1':>7} {'P':>6} {'R':>6} {'matched':>9} {'speaker':>7} "
          f"{'recs same':>9} {'seconds':>8}")
    for name in RECORDS:
        ref_doc, ref_recs, _ = process_source(read_source(FIXTURES / f"{name}.txt"))
        ref = reference_turns(ref_doc)
        ref_texts = {normalize_span(r.text) for r in ref_recs}
        for reader, fn in (("pypdf", read_source), ("pdfplumber", plumber_source)):
            started = time.perf_counter()
            source = fn(FIXTURES / f"{name}.pdf")
            seconds = time.perf_counter() - started
            doc, recs, _ = process_source(source)
            s = score_turns(doc, ref)
            same = len(ref_texts & {normalize_span(r.text) for r in recs})
            print(f"{name:<20} {reader:<11} {s['f1']:7.3f} {s['precision']:6.3f} {s['recall']:6.3f} "
                  f"{s['matched']:>4}/{s['gold']:<4} {s['speaker_accuracy']:7.3f} {same:>4}/{len(ref_texts):<4} "
                  f"{seconds:8.2f}")


if __name__ == "__main__":
    main()
