"""Read transcript files into :class:`~loader.model.Source` objects."""
from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from .errors import ReadError
from .model import Source
from .requests import printable

SUFFIXES = (".txt",)


def document_id_for(path) -> str:
    """A stable slug of the file name: ``Seeds/My Hearing.txt`` -> ``my-hearing``."""
    stem = Path(path).stem.lower()
    slug = re.sub(r"[^a-z0-9_]+", "-", stem).strip("-")
    return slug or "document"


def decode(data: bytes, source_path: str) -> str:
    """UTF-8 with a BOM removed, otherwise unmodified.

    Raises :class:`ReadError` naming the file and byte offset when it is not UTF-8.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ReadError(
            f"{source_path}: not valid UTF-8 at byte {e.start} ({e.reason})"
        ) from None


def read_source(path) -> Source:
    """Read one transcript. Raises :class:`ReadError` for missing, empty or undecodable files."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ReadError(f"{path}: cannot read ({e.strerror or e})") from None
    text = decode(data, str(path))
    if not text.strip():
        raise ReadError(f"{path}: file is empty")
    return Source(
        text=text,
        source_path=printable(str(path)),
        sha256=hashlib.sha256(data).hexdigest(),
        document_id=document_id_for(path),
    )


def find_transcripts(paths) -> list[Path]:
    """Expand files and folders into a sorted list of transcript files.

    Raises :class:`ReadError` for a path that does not exist or a file with another suffix.
    """
    found = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            for root, _dirs, files in os.walk(p):
                for name in files:
                    if name.lower().endswith(SUFFIXES) and not name.startswith("."):
                        found.append(Path(root) / name)
        elif p.is_file():
            if not p.name.lower().endswith(SUFFIXES):
                raise ReadError(f"{p}: not a transcript (expected {', '.join(SUFFIXES)})")
            found.append(p)
        else:
            raise ReadError(f"{p}: no such file or folder")
    return sorted(set(found))
