"""Read transcript files into :class:`~loader.model.Source` objects, one reader per format."""
from __future__ import annotations

import dataclasses
import hashlib
import importlib
import os
import re
from pathlib import Path

from .errors import ReadError
from .model import Source
from .readers.captions import read_captions, sniff
from .readers.jsonturns import read_json
from .readers.text import decode_text, encoding_warning
from .requests import printable

# suffix -> format; the order is the order the help and error messages list them in
FORMATS = {
    ".txt": "txt",
    ".pdf": "pdf",
    ".docx": "docx",
    ".vtt": "vtt",
    ".srt": "srt",
    ".json": "json",
}
SUFFIXES = tuple(FORMATS)
# formats read from their bytes, by modules that import pypdf / python-docx (about 170 ms of
# imports, so they are imported when a file of theirs is read, not by every `rectrack load`)
BINARY_READERS = {"pdf": "loader.readers.pdf", "docx": "loader.readers.docx"}


class UnsupportedFormat(ReadError):
    """No reader takes files with this extension."""


def supported_list() -> str:
    return ", ".join(SUFFIXES)


def document_id_for(path) -> str:
    """A stable slug of the file name: ``Seeds/My Hearing.txt`` -> ``my-hearing``."""
    stem = Path(path).stem.lower()
    slug = re.sub(r"[^a-z0-9_]+", "-", stem).strip("-")
    return slug or "document"


def decode(data: bytes, source_path: str, encoding: str | None = None) -> str:
    """The text of ``data`` (BOMs, UTF-8, detection; see :mod:`loader.readers.text`).

    Raises :class:`ReadError` naming the file when it is not text.
    """
    return decode_text(data, source_path, encoding)[0]


def format_for(path) -> str:
    """The format a file's extension names. Raises :class:`UnsupportedFormat` for any other."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        shown = suffix or "no extension"
        raise UnsupportedFormat(f"{path}: unsupported format ({shown}); rectrack reads {supported_list()}")
    return FORMATS[suffix]


def binary_reader(fmt: str):
    """``read_pdf`` or ``read_docx``: ``(data, name) -> Source``."""
    return getattr(importlib.import_module(BINARY_READERS[fmt]), f"read_{fmt}")


def read_bytes(data: bytes, name: str, fmt: str, encoding: str | None = None) -> Source:
    """Run the reader for ``fmt`` on ``data``. Text formats are decoded first (``encoding``
    overrides detection); a ``.txt`` that holds WebVTT or SRT captions is read as captions."""
    if fmt in BINARY_READERS:
        return binary_reader(fmt)(data, name)
    text, used = decode_text(data, name, encoding)
    warning = None if encoding else encoding_warning(name, used)
    if fmt in ("txt", "vtt", "srt"):
        fmt = sniff(text) or fmt  # captions named .txt, WebVTT named .srt
    if fmt in ("vtt", "srt"):
        source = read_captions(text, name, fmt)
    elif fmt == "json":
        source = read_json(data, name, text)
    else:
        if text.startswith("\ufeff"):
            text = text[1:]
        source = Source(text=text, source_path=name, sha256="", document_id="", format="txt")
    if warning:
        source.warnings.append(warning)
    return source


def read_source(path, encoding: str | None = None) -> Source:
    """Read one transcript in any supported format.

    Raises :class:`UnsupportedFormat` for an extension no reader takes and :class:`ReadError`
    for missing, empty, undecodable or malformed files.
    """
    path = Path(path)
    fmt = format_for(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ReadError(f"{path}: cannot read ({e.strerror or e})") from None
    if not data.strip():
        raise ReadError(f"{path}: file is empty")
    source = read_bytes(data, str(path), fmt, encoding)
    if not source.text.strip():
        raise ReadError(f"{path}: file is empty")
    return dataclasses.replace(source, source_path=printable(str(path)), sha256=hashlib.sha256(data).hexdigest(),
                               document_id=document_id_for(path))


def scan_paths(paths) -> tuple[list[Path], list[str], list[str]]:
    """Expand files and folders into (transcript files, skipped, missing).

    ``skipped`` names every file whose extension no reader takes (hidden files in folders are
    left out); ``missing`` every path that does not exist. Both are one-line messages.
    """
    found, skipped, missing = [], [], []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            for root, _dirs, files in os.walk(p):
                for name in files:
                    if name.startswith("."):
                        continue
                    _take(Path(root) / name, found, skipped)
        elif p.is_file():
            _take(p, found, skipped)
        else:
            missing.append(f"{p}: no such file or folder")
    return sorted(set(found)), sorted(set(skipped)), missing


def _take(path: Path, found: list, skipped: list) -> None:
    try:
        format_for(path)
    except UnsupportedFormat as e:
        skipped.append(str(e))
    else:
        found.append(path)
