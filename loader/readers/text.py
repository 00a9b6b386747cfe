"""Plain text in any encoding: BOMs first, then UTF-8, then detection (charset-normalizer)."""
from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from ..errors import ReadError

# Longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# control characters (Unicode category Cc) other than tab and line breaks, and U+FFFD
CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd]")
MAX_CONTROL_SHARE = 0.1
PREFERRED = ("cp1252",)


def control_share(text: str) -> float:
    """The share of characters that are control characters other than line breaks and tabs
    (NULs, escape codes, the replacement character)."""
    if not text:
        return 0.0
    return len(CONTROL_RE.findall(text)) / len(text)


def _utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le`` / ``utf-16-be`` when most odd (even) bytes are NUL, as in ASCII text in UTF-16."""
    if len(data) < 4 or len(data) % 2:
        return None
    even, odd = data[0::2], data[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def _decode_as(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except LookupError:
        raise ReadError(f"{name}: unknown encoding {encoding!r}") from None
    except UnicodeDecodeError as e:
        raise ReadError(f"{name}: not valid {encoding} at byte {e.start} ({e.reason})") from None


def decode_text(data: bytes, name: str, encoding: str | None = None) -> tuple[str, str]:
    """(text, encoding used). ``encoding`` overrides detection.

    Raises :class:`ReadError` naming the file when the bytes are not text in any encoding
    (mostly control characters or NULs) or do not decode with the given ``encoding``.
    """
    if encoding:
        text = _decode_as(data, encoding, name)
        if text.startswith("\ufeff"):
            text = text[1:]
        return _checked(text, name), encoding
    for bom, enc in BOMS:
        if data.startswith(bom):
            return _checked(_decode_as(data[len(bom):], enc, name), name), enc
    guess = _utf16_without_bom(data)
    if guess:
        try:
            return _checked(data.decode(guess), name), guess
        except (UnicodeDecodeError, ReadError):
            pass
    try:
        return _checked(data.decode("utf-8"), name), "utf-8"
    except UnicodeDecodeError:
        pass
    matches = list(from_bytes(data))
    if not matches:
        raise ReadError(f"{name}: not text (no character encoding fits; give --encoding if you know it)")
    text, used = _preferred(matches)
    return _checked(text, name), used


def _preferred(matches) -> tuple[str, str]:
    """(text, encoding) of the detector's best guess. Among guesses it rates exactly as well, the
    common Western encoding wins: short Latin-1 text fits cp1250 and cp1257 just as well as cp1252,
    and the detector reports only one of the encodings that read the bytes alike."""
    best = matches[0]
    for m in matches:
        if (m.chaos, m.coherence) != (best.chaos, best.coherence):
            continue
        for encoding in PREFERRED:
            if m.encoding == encoding or _decodes_to(m.raw, encoding, str(m)):
                return str(m), encoding
    return str(best), best.encoding


def _decodes_to(data: bytes, encoding: str, text: str) -> bool:
    try:
        return data.decode(encoding) == text
    except UnicodeDecodeError:
        return False


def _checked(text: str, name: str) -> str:
    if control_share(text) > MAX_CONTROL_SHARE:
        raise ReadError(f"{name}: not text (mostly control characters or NUL bytes)")
    return text


def encoding_warning(name: str, encoding: str) -> str | None:
    """The one-line note for a file that was not UTF-8, else None."""
    if encoding.replace("_", "-").lower() in ("utf-8", "ascii"):
        return None
    return f"{name}: read as {encoding} (not UTF-8); give --encoding NAME if that is wrong"
