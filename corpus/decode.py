"""Bytes → text: UTF-8 first (BOMs honoured), then charset detection over the encodings that
news in our languages really comes in (cp1251, koi8-r, gb18030, big5, ...), and binary refusal."""

from __future__ import annotations

import codecs
import re
from collections import Counter
from dataclasses import dataclass

import ftfy.badness
from charset_normalizer import from_bytes

_WORD_JOINERS = "'’-‐.·"
# Encodings tried by detection, most common first: order breaks ties that detection cannot.
CANDIDATE_ENCODINGS = (
    "cp1252",
    "cp1251",
    "gb18030",
    "big5",
    "koi8_r",
    "koi8_u",
    "shift_jis",
    "euc_jp",
    "euc_kr",
    "cp1250",
    "iso8859_2",
)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# Control characters other than tab, newline, carriage return, form feed: text has almost none.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


class DecodeError(ValueError):
    """Bytes that are not text: ``reason`` is ``binary`` or ``undecodable``."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str


def decode(data: bytes, *, html: bool = False) -> Decoded:
    """Decode ``data`` to text, or raise :class:`DecodeError` saying why it is not text."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data.decode(encoding), encoding)
            except UnicodeDecodeError as error:
                raise DecodeError("undecodable", f"{encoding} BOM but invalid {encoding}: {error}") from None
    utf16 = _bomless_utf16(data)
    if utf16:
        try:
            return _checked(data.decode(utf16), utf16)
        except UnicodeDecodeError:
            pass
    if b"\x00" in data:
        raise DecodeError("binary", f"NUL bytes at offset {data.index(0)}")
    try:
        return _checked(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as utf8_error:
        first_error = utf8_error
    if html:
        declared = _declared_charset(data)
        if declared:
            try:
                return _checked(data.decode(declared), declared)
            except (UnicodeDecodeError, LookupError):
                pass
    return _detected(data, first_error)


def _checked(text: str, encoding: str) -> Decoded:
    controls = len(_CONTROL.findall(text[:100_000]))
    if controls > 2 and controls > len(text[:100_000]) // 100:  # text has a stray control or two, not 1 in 100
        raise DecodeError("binary", f"{controls} control characters after decoding as {encoding}")
    return Decoded(text, encoding)


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: the high byte of each code unit takes very few values (0x00 for
    Latin, 0x04 for Cyrillic) while the low byte varies; the text must then decode cleanly."""
    sample = data[:4096]
    if len(sample) < 16:
        return None
    sample = sample[: len(sample) // 2 * 2]
    for encoding, high in (("utf-16-le", sample[1::2]), ("utf-16-be", sample[0::2])):
        low = sample[0::2] if encoding == "utf-16-le" else sample[1::2]
        top_highs = sum(n for _, n in Counter(high).most_common(3))
        if top_highs >= 0.9 * len(high) and len(set(low)) > 2 * len(set(high)):
            try:
                text = sample.decode(encoding)
            except UnicodeDecodeError:
                continue
            if sum(c.isprintable() or c.isspace() for c in text) >= 0.95 * len(text):
                return encoding
    return None


def _declared_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:4096])
    if not match:
        return None
    name = match.group(1).decode("ascii", "replace").lower()
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _detected(data: bytes, utf8_error: UnicodeDecodeError) -> Decoded:
    results = list(from_bytes(data[:200_000], cp_isolation=list(CANDIDATE_ENCODINGS)))
    if not results:
        results = list(from_bytes(data[:200_000]))
    if not results:  # charset-normalizer gives up on short mixed-script texts: any strict decoding that reads
        fits = [e for e in CANDIDATE_ENCODINGS if _decodes_strictly(data, e)]  # like a language will do
        if not fits:
            raise DecodeError(
                "undecodable", f"not UTF-8 ({utf8_error.reason} at byte {utf8_error.start}) and no known encoding fits"
            )
        encoding = _most_plausible(data, fits)
        return _checked(data.decode(encoding), encoding)
    best_chaos = min(r.chaos for r in results)
    tied = [r for r in results if r.chaos <= best_chaos + 0.01]
    # cp1252 reads Polish cp1250 bytes as text too ("otrzyma³ pi³kê"): mojibake tells them apart
    badness = {r.encoding: _mojibake(data[:5000].decode(r.encoding, errors="replace")) for r in tied}
    tied = [r for r in tied if badness[r.encoding] == min(badness.values())]
    best_coherence = max(r.coherence for r in tied)
    tied = [r for r in tied if r.coherence >= best_coherence - 0.01]
    encoding = tied[0].encoding if len(tied) == 1 else _most_plausible(data, [r.encoding for r in tied])
    try:
        return _checked(data.decode(encoding), encoding)
    except UnicodeDecodeError as error:
        raise DecodeError("undecodable", f"detected {encoding} but it does not decode: {error}") from None


def _mojibake(text: str) -> tuple[int, int]:
    """ftfy's count of mojibake patterns, then the count of non-letters inside words (``Wed³ug``:
    a letter of another code page read as a symbol)."""
    inside_words = sum(
        1
        for before, ch, after in zip(text, text[1:], text[2:], strict=False)
        if before.isalpha() and after.isalpha() and not ch.isalpha() and ch not in _WORD_JOINERS
    )
    return ftfy.badness.badness(text), inside_words


def _decodes_strictly(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _most_plausible(data: bytes, encodings: list[str]) -> str:
    """Break a detection tie (cp1252 vs cp1250 read the same bytes as letters) by asking the
    language detector which decoding reads most like a real language."""
    from quotetrace.corpus.language import language_of

    def score(encoding: str) -> tuple[float, int]:
        text = data[:5000].decode(encoding, errors="replace")
        rank = CANDIDATE_ENCODINGS.index(encoding) if encoding in CANDIDATE_ENCODINGS else 99
        return (language_of(text)[1], -rank)

    return max(encodings, key=score)
