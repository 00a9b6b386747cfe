"""Glue: file -> Source -> Document -> extracted rows -> database."""
from __future__ import annotations

from .context import apply_context
from .documents import derive_title
from .extract import extract
from .locations import apply_source
from .model import Document, Source
from .read import read_source
from .speakers import resolve_speakers
from .store import store_document
from .turns import parse_document


def process_source(source: Source, lexicon=None, context: dict | None = None):
    """Pure: parse, resolve speakers, read the meeting's context and extract.

    ``context`` is what the user says of the meeting (``forum``, ``addressee``); it wins over what
    the transcript shows. Returns (document, recommendations, commitments).
    """
    doc: Document = apply_source(parse_document(source, lexicon), source)
    doc.title = derive_title(doc, lexicon)
    resolve_speakers(doc, lexicon)
    apply_context(doc, lexicon, context)
    recs, coms = extract(doc, lexicon)
    return doc, recs, coms


def load_file(conn, path, lexicon=None) -> dict:
    """Read, process and store one file in one transaction. Returns counts."""
    source = read_source(path)
    doc, recs, coms = process_source(source, lexicon)
    return store_document(conn, doc, recs, coms)
