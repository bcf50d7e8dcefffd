"""A CSV upload's bytes to text: a BOM names the codec; UTF-16 without one is known by its NUL bytes; else UTF-8
when the bytes are valid UTF-8, else Windows-1252 (Latin-1 for the bytes it leaves undefined). Binary content
(control characters in the head) is refused.

UTF-8 is checked where it lies (core.csvfast.valid_utf8) and only its head is decoded, for sniffing the
delimiter and finding the header: the body is then parsed from the bytes themselves, so a large file is never
held a second time as text.
"""

from __future__ import annotations

import codecs
import re

from core import csvfast
from core.model import Reason
from core.workbook import NOT_VALID, refuse

SAMPLE_CHARS = 256 * 1024  # the head that is sniffed for the delimiter and the header
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode(file: str, content: bytes) -> tuple[str, str]:
    """The text and the codec that read it; refuses binary content. UTF-8 without NUL bytes is checked in place and
    only its head decoded (SAMPLE_CHARS + 1 characters): the body is then read from the bytes as they are."""
    encoding = next((enc for bom, enc in _BOMS if content.startswith(bom)), None)
    if encoding is None:
        head = content[:4096]
        odd_nul, even_nul = head[1::2].count(0), head[0::2].count(0)
        if odd_nul > len(head) * 0.15 and even_nul < len(head) * 0.02:
            encoding = "utf-16-le"
        elif even_nul > len(head) * 0.15 and odd_nul < len(head) * 0.02:
            encoding = "utf-16-be"
    bom = len(codecs.BOM_UTF8) if encoding == "utf-8-sig" else 0
    try:
        if encoding in (None, "utf-8-sig") and csvfast.valid_utf8(content, bom):
            encoding = encoding or "utf-8"
            text = content.decode(encoding) if b"\x00" in content else _utf8_head(content, bom)
        elif encoding is not None:
            text = content.decode(encoding)
        else:
            encoding, text = _decode_8bit(content)
    except UnicodeDecodeError as exc:
        raise refuse(file, Reason.NOT_READABLE, f"{NOT_VALID} (cannot be decoded as {encoding})") from exc
    sample = text[:SAMPLE_CHARS]
    if len(_CONTROL.findall(sample)) > max(2, len(sample) // 200):
        raise refuse(file, Reason.NOT_READABLE, f"{NOT_VALID} (binary content, not text)")
    return text, encoding


def _utf8_head(content: bytes, start: int) -> str:
    """The first SAMPLE_CHARS + 1 characters of valid UTF-8 (all of it when shorter): a character is 4 bytes at most."""
    chunk = content[start : start + 4 * (SAMPLE_CHARS + 1)]
    return codecs.getincrementaldecoder("utf-8")().decode(chunk)[: SAMPLE_CHARS + 1]


def _decode_8bit(content: bytes) -> tuple[str, str]:
    """Content that is not UTF-8: Windows-1252, else Latin-1 (which reads any byte)."""
    try:
        return "cp1252", content.decode("cp1252")
    except UnicodeDecodeError:
        return "latin-1", content.decode("latin-1")
