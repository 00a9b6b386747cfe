"""Word .docx (python-docx): paragraphs and tables in order; a bold or styled run at the start of
a paragraph (or the first cell of a table row) is a speaker label, rendered ``Label: speech`` for
the turn parser."""
from __future__ import annotations

import io
import re
import zipfile

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from docx.text.run import Run

from ..errors import ReadError
from ..model import Source

LABEL_MAX_WORDS = 8
HEADER_CELLS = {"speaker", "name", "who", "time", "timestamp"}
TIME_CELL_RE = re.compile(r"^\[?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?\]?$")


def _marked(run) -> bool:
    """A run set apart as a label: bold (directly or by its character style), or a character style
    of its own (``Speaker``, ``Strong``)."""
    style = run.style
    styled = style is not None and style.name not in ("Default Paragraph Font", None)
    return bool(run.bold or (style is not None and style.font.bold) or styled)


def paragraph_text(paragraph) -> str:
    """The paragraph as one line; marked runs at its start become ``Label: ``."""
    items = [item for item in paragraph.iter_inner_content() if item.text]  # runs and hyperlinks, in order
    k = 0
    while k < len(items) and isinstance(items[k], Run) and _marked(items[k]):
        k += 1
    label = " ".join("".join(item.text for item in items[:k]).split())
    rest = " ".join("".join(item.text for item in items[k:]).split())
    whole = " ".join(paragraph.text.split())
    if not label or not rest:
        # all plain, or all marked: a marked paragraph ending in a colon is a label alone on its line
        return whole
    label = label.rstrip(":").rstrip()
    if not label or len(label.split()) > LABEL_MAX_WORDS:
        return whole
    rest = rest.lstrip(":").lstrip()
    return f"{label}: {rest}" if rest else f"{label}:"


def table_lines(table) -> list[str]:
    """A transcript laid out as a table: each row ``Speaker | what was said`` (a time column left
    out, a heading row ``Speaker | Text`` skipped) becomes ``Speaker: what was said``."""
    lines = []
    for k, row in enumerate(table.rows):
        cells = []
        for cell in row.cells:
            text = " ".join(cell.text.split())
            if text and (not cells or cells[-1] != text) and not TIME_CELL_RE.match(text):
                cells.append(text)  # merged cells repeat: keep one
        if not cells or (k == 0 and cells[0].lower() in HEADER_CELLS):
            continue
        if len(cells) >= 2 and len(cells[0].split()) <= LABEL_MAX_WORDS:
            lines.append(f"{cells[0].rstrip(':')}: {' '.join(cells[1:])}")
        else:
            lines.append(" ".join(cells))
    return lines


def read_docx(data: bytes, name: str) -> Source:
    """Raises :class:`ReadError` when the file is not a Word document or has no text."""
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as e:
        raise ReadError(f"{name}: not a readable Word .docx file ({e})") from None
    paragraphs = []
    for block in document.iter_inner_content():  # paragraphs and tables, in document order
        if isinstance(block, Table):
            paragraphs.extend(table_lines(block))
        else:
            paragraphs.append(paragraph_text(block))
    paragraphs = [p for p in paragraphs if p]
    if not paragraphs:
        raise ReadError(f"{name}: no text in the document")
    text = "\n\n".join(paragraphs) + "\n"
    return Source(text=text, source_path=name, sha256="", document_id="", format="docx")
