"""PDF (pypdf): the text layer page by page, pages joined by a blank line, words hyphenated at a
line end joined, and a map from offsets to page numbers. Running headers and footers stay in the
text as lines of their own; the turn parser drops them as page junk."""
from __future__ import annotations

import contextlib
import io
import logging
import re

from pypdf import PdfReader
from pypdf.errors import PdfReadError, PyPdfError

from ..errors import ReadError
from ..model import Location, Source

PAGE_SEPARATOR = "\n\n"
# "opera-\ntion of" / "long-\nstanding": a word broken at a line end, the next line going on in lower case
HYPHEN_BREAK_RE = re.compile(r"(?P<left>\b[^\W\d_]+)-[ \t]*\n[ \t]*(?P<right>[a-z][^\W\d_]*)(?P<tail>\S*)(?P<gap>[ \t]+(?=\S))?")
WORD_RE = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


@contextlib.contextmanager
def _quiet_pypdf():
    """pypdf logs the damage it works around ("EOF marker not found") as warnings on stderr; a
    file it cannot read is one clear error instead."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.ERROR + 10)
    try:
        yield
    finally:
        logger.setLevel(level)


def page_texts(data: bytes, name: str) -> list[str]:
    """The text layer of every page. Raises :class:`ReadError` for an unreadable or encrypted file."""
    with _quiet_pypdf():
        return _page_texts(data, name)


def _page_texts(data: bytes, name: str) -> list[str]:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ReadError(f"{name}: the PDF is encrypted with a password")
        return [(page.extract_text() or "") for page in reader.pages]
    except ReadError:
        raise
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError) as e:
        raise ReadError(f"{name}: not a readable PDF ({type(e).__name__}: {e})") from None


def join_hyphenated(text: str, words: set[str]) -> str:
    """Join words broken with a hyphen at a line end. The hyphen goes when the joined word is used
    elsewhere in the document (``opera-``/``tion``) or the left part is no word of its own; it
    stays for a compound (``long-``/``standing``: ``long-standing`` or ``long`` used elsewhere)."""

    def join(m: re.Match) -> str:
        left, right = m.group("left"), m.group("right")
        solid, compound = (left + right).lower(), f"{left}-{right}".lower()
        keep = solid not in words and (compound in words or left.lower() in words)
        # the rest of the next line stays a line of its own
        return left + ("-" if keep else "") + right + m.group("tail") + ("\n" if m.group("gap") else "")

    return HYPHEN_BREAK_RE.sub(join, text)


def vocabulary(pages: list[str]) -> set[str]:
    """Lower-cased words (and hyphenated compounds) not broken at a line end."""
    return {w.lower() for page in pages for w in WORD_RE.findall(HYPHEN_BREAK_RE.sub(" ", page))}


def read_pdf(data: bytes, name: str) -> Source:
    """Raises :class:`ReadError` for an unreadable PDF or one without a text layer (a scan)."""
    pages = [p.replace("\r\n", "\n").replace("\r", "\n") for p in page_texts(data, name)]
    if not pages:
        raise ReadError(f"{name}: the PDF has no pages")
    if not any(p.strip() for p in pages):
        raise ReadError(f"{name}: no text layer in the PDF ({len(pages)} page(s); a scan? run OCR first)")
    words = vocabulary(pages)
    parts, locations, pos = [], [], 0
    for number, page in enumerate(pages, 1):
        if parts:
            parts.append(PAGE_SEPARATOR)
            pos += len(PAGE_SEPARATOR)
        page = join_hyphenated(page, words)
        parts.append(page)
        locations.append(Location(pos, pos + len(page), page=number))
        pos += len(page)
    return Source(text="".join(parts), source_path=name, sha256="", document_id="", format="pdf",
                  locations=locations)
