"""Normalize stage: raw text → clean body paragraphs, with title, date, dateline and boilerplate
set aside (kept in the ``boilerplate`` column with its kind, never dropped).

Text is repaired (mojibake via ftfy, Unicode NFC, odd spaces and zero-widths), split into
paragraphs (hard-wrapped lines rejoined), then the leading lines are read as a header: a date
line, a ``Place • Outlet`` dateline, a headline; a wire dateline (``MOSCOW, Feb 9 (Reuters) -``)
is cut from the first paragraph; section markers, related links, disclaimers and provenance
lines anywhere are set aside.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Any

import ftfy
import pyarrow as pa

from quotetrace.corpus import provenance, resources
from quotetrace.corpus.batch import each_row, to_batch
from quotetrace.corpus.dates import DATE_TOKEN, parse_date, unread_date

_FTFY = ftfy.TextFixerConfig(uncurl_quotes=False, fix_character_width=False, normalization="NFC")
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u2060\ufeff\u00ad"))
_SPACES = re.compile(r"[^\S\n]+")  # any whitespace but newline (NBSP, thin, ideographic, tabs)
_TERMINAL = tuple('.!?。！？…"”»’)')
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")

_DATE_HEADER = re.compile(
    rf"^(?P<label>(?:date|published|updated|posted|дата|опубликовано|опубліковано|datum|veröffentlicht|"
    rf"publié le|fecha|发布时间|日期)\s*[:：]?\s*)?(?P<date>{DATE_TOKEN})(?:,?\s+\d{{1,2}}:\d{{2}}(?::\d{{2}})?)?"
    rf"(?P<separator>\s*[|•·,-]\s*|\s+|$)(?P<rest>.*)$",
    re.IGNORECASE,
)
# `Kyiv • UNN`: a place and an outlet on a line of their own.
_DATELINE_LINE = re.compile(r"^(?P<place>[^\W\d_][\w .'’-]{1,40}?)\s*[•·|]\s*(?P<outlet>[^\W_][\w .'’&-]{0,40})$")
# `MOSCOW, Feb 9 (Reuters) -`, `KYIV, Ukraine (AP) —`, `WASHINGTON —`, `LONDON, March 3 (Reuters) -`
_UPPER = r"[A-ZÀ-ÖØ-ÞА-ЯЁІЇЄҐ]"
_WIRE_DATELINE = re.compile(
    rf"^(?P<place>{_UPPER}{{2,}}(?:[ .'-]{_UPPER}{{2,}})*)"
    r"(?:,\s*(?P<region>[A-Z][\w.]*(?:\s[A-Z][\w.]*){0,2}))?"
    r"(?:,\s*(?P<when>[A-Z][a-z]{2,8}\.?\s+\d{1,2}))?"
    r"(?:\s*\((?P<outlet>[^()\n]{1,40})\))?"
    r"\s*[-—–]{1,2}\s+(?=\S)"
)
# `МОСКВА, 9 февраля. /ТАСС/.`
_TASS_DATELINE = re.compile(
    r"^(?P<place>[А-ЯЁІЇЄҐ]{2,}(?:[ -][А-ЯЁІЇЄҐ]{2,})*),\s*(?P<when>\d{1,2}\s+\w+)\.?\s*"
    r"/(?P<outlet>[^/\n]{1,40})/\.?\s*"
)


@dataclass(frozen=True)
class NormalizeOptions:
    # A headline is at most this many words (CJK: 2× this many characters).
    max_headline_words: int = 30
    # How many leading paragraphs may hold header lines (date, dateline, headline).
    max_header_paragraphs: int = 4
    # Paragraphs longer than this are body text whatever they start with.
    max_boilerplate_chars: int = 300


def normalize(raw: pa.Table, options: NormalizeOptions = NormalizeOptions()) -> pa.Table:
    """One article-shaped row per raw row (rows with ``error`` set pass through with it)."""
    return to_batch(each_row(raw, "normalize", lambda row: normalize_row(row, options)))


def normalize_row(row: dict[str, Any], options: NormalizeOptions = NormalizeOptions()) -> dict[str, Any]:
    article: dict[str, Any] = {
        "source": row["source"],
        "input_format": row["input_format"],
        "external_id": row.get("external_id"),
        "url": _clean_line(row.get("url")),
        "outlet": _clean_line(row.get("outlet")),
        "title": _clean_line(row.get("title")),
        "published": parse_date(row.get("published")),
        "published_raw": unread_date(row.get("published")),
        "extra": row.get("extra"),
        "dateline_place": None,
        "language": row.get("language"),
        "translated_from": row.get("translated_from"),  # given in the input; provenance checks it
        "original_url": _clean_line(row.get("original_url")),
    }
    paragraphs = split_paragraphs(clean_text(row["content"]))
    body, boilerplate = _read_header(paragraphs, article, options)
    kept = []
    for position, paragraph in body:
        kind = classify_boilerplate(paragraph, options.max_boilerplate_chars)
        if kind:
            boilerplate.append({"kind": kind, "text": paragraph, "position": position})
        else:
            kept.append(paragraph)
    if not kept:
        article["error"] = "empty: no body text after setting aside boilerplate"
        return article
    text = "\n\n".join(kept)
    article.update(
        article_id=article_id(text),
        text=text,
        paragraphs=kept,
        boilerplate=sorted(boilerplate, key=lambda b: b["position"]),
        char_count=len(text),
    )
    return article


def article_id(text: str) -> str:
    """Stable identity of an article: the first 16 hex digits of the SHA-256 of its text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def clean_text(text: str) -> str:
    """Repair mojibake, normalize to NFC, unify spaces, drop zero-width characters, strip lines."""
    text = ftfy.fix_text(text, _FTFY).translate(_ZERO_WIDTH)
    text = unicodedata.normalize("NFC", text)
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))


def split_paragraphs(text: str) -> list[str]:
    """Non-empty paragraphs. Lines are paragraphs of their own, unless the text is hard-wrapped:
    a line that does not end a sentence is joined to a next line that starts in lower case,
    and blocks separated by blank lines whose lines mostly do not end a sentence are joined."""
    blocks = [block.split("\n") for block in re.split(r"\n\s*\n", text)]
    uses_blank_lines = len(blocks) > 2
    paragraphs: list[str] = []
    for lines in blocks:
        lines = [line for line in lines if line]
        if not lines:
            continue
        open_lines = sum(not line.endswith(_TERMINAL) for line in lines[:-1])
        if uses_blank_lines and len(lines) > 1 and open_lines >= 0.5 * (len(lines) - 1):
            paragraphs.append(_join_wrapped(lines))
            continue
        current = lines[0]
        for line in lines[1:]:
            if not current.endswith(_TERMINAL) and len(current) >= 30 and line[:1].islower():
                current = _join_wrapped([current, line])
            else:
                paragraphs.append(current)
                current = line
        paragraphs.append(current)
    return paragraphs


def _join_wrapped(lines: list[str]) -> str:
    joined = lines[0]
    for line in lines[1:]:
        joined += line if _CJK.match(line[:1]) and _CJK.search(joined[-1:]) else " " + line
    return joined


def _read_header(
    paragraphs: list[str], article: dict[str, Any], options: NormalizeOptions
) -> tuple[list[tuple[int, str]], list[dict[str, Any]]]:
    """Consume header lines from the top; return the remaining (position, paragraph) pairs and
    the boilerplate entries of what was consumed."""
    body = list(enumerate(paragraphs))
    boilerplate: list[dict[str, Any]] = []
    given_title = article["title"]
    title_found = False
    examined = 0
    while body and examined < options.max_header_paragraphs:
        position, paragraph = body[0]
        following = len(body) > 1
        date_match = _DATE_HEADER.match(paragraph) if article["published"] is None else None
        if date_match and not date_match["label"] and date_match["rest"] and not date_match["separator"].strip():
            date_match = None  # "30 May 2005 a farmer …": a sentence that opens with a date, not a header
        if date_match and (published := parse_date(date_match["date"])):
            article["published"] = published
            rest = date_match["rest"].strip()
            boilerplate.append(
                {"kind": "header", "text": paragraph[: len(paragraph) - len(rest)].strip(), "position": position}
            )
            body[0] = (position, rest)
            if not rest:
                body.pop(0)
            continue
        dateline = _DATELINE_LINE.match(paragraph)
        if dateline and following and len(paragraph.split()) <= 8:
            article["dateline_place"] = _place(dateline["place"])
            article["outlet"] = article["outlet"] or dateline["outlet"].strip()
            boilerplate.append({"kind": "dateline", "text": paragraph, "position": position})
            body.pop(0)
            examined += 1
            continue
        if not title_found and given_title and _same_line(paragraph, given_title):
            body.pop(0)  # the page repeats its title as the first line; it lives in `title`
            title_found = True
            examined += 1
            continue
        if not title_found and not given_title and following and looks_like_headline(paragraph, options):
            article["title"] = paragraph
            title_found = True
            body.pop(0)
            examined += 1
            continue
        break
    if body:
        position, first = body[0]
        cut = _cut_wire_dateline(first, article)
        if cut:
            boilerplate.append({"kind": "dateline", "text": cut, "position": position})
            body[0] = (position, first[len(cut) :].lstrip())
    return [(p, text) for p, text in body if text], boilerplate


def _cut_wire_dateline(paragraph: str, article: dict[str, Any]) -> str | None:
    match = _WIRE_DATELINE.match(paragraph) or _TASS_DATELINE.match(paragraph)
    if not match:
        return None
    place = match["place"]
    if len(place) < 3 or place in {"UPDATE", "EXCLUSIVE", "BREAKING", "WATCH", "OPINION", "ANALYSIS"}:
        return None
    article["dateline_place"] = article["dateline_place"] or _place(place)
    if match["outlet"]:
        article["outlet"] = article["outlet"] or match["outlet"].strip()
    return match.group(0).rstrip()


def looks_like_headline(paragraph: str, options: NormalizeOptions = NormalizeOptions()) -> bool:
    """A short line that does not read as a sentence: no closing full stop (or Title Case)."""
    if not paragraph or paragraph[0].islower() or paragraph.endswith((":", ",", ";")):
        return False
    if _WIRE_DATELINE.match(paragraph) or _TASS_DATELINE.match(paragraph):
        return False  # `OTTAWA — Conservative Leader Andrew Scheer says ...` opens a body
    ending = paragraph.rstrip("\"'”’»)]")
    if _CJK.search(paragraph[:10]):
        return len(paragraph) <= 2 * options.max_headline_words and not ending.endswith(("。", "！", "？"))
    words = paragraph.split()
    if not 2 <= len(words) <= options.max_headline_words or len(paragraph) > 250:
        return False
    if ending.endswith((".", "!", "?", "…")):
        long_words = [w.strip("\"'“”‘’«»:()") for w in words if len(w.strip("\"'“”‘’«»:()")) >= 4]
        capitalized = sum(w[:1].isupper() for w in long_words)
        return bool(long_words) and capitalized >= 0.6 * len(long_words)
    return True


def classify_boilerplate(paragraph: str, max_chars: int = 300) -> str | None:
    """The boilerplate kind of a paragraph, or None for body text."""
    if len(paragraph) > max_chars:
        return None
    key = paragraph.rstrip(":.：。 ").casefold()
    markers = _markers()
    if key in markers["section"]:
        return "section_marker"
    if key in markers["related"] or any(
        key.startswith(marker) and paragraph[len(marker) : len(marker) + 2].lstrip()[:1] in (":", "：", "-", "—", "|")
        for marker in markers["related"]
    ):
        return "related_link"
    if key in markers["advertisement"]:
        return "advertisement"
    if any(pattern.fullmatch(paragraph) for pattern in _disclaimers()):
        return "disclaimer"
    if provenance.match_line(paragraph):
        return "provenance"
    return None


@cache
def _markers() -> dict[str, frozenset[str]]:
    data = resources.load("section_markers")
    return {kind: frozenset(m.casefold() for ms in by_lang.values() for m in ms) for kind, by_lang in data.items()}


@cache
def _disclaimers() -> tuple[re.Pattern[str], ...]:
    data = resources.load("disclaimers")
    return tuple(re.compile(p, re.IGNORECASE) for patterns in data.values() for p in patterns)


def _place(place: str) -> str:
    place = place.strip(" ,.")
    return place.title() if place.isupper() else place


def _same_line(a: str, b: str) -> bool:
    def squash(s: str) -> str:
        return re.sub(r"\W+", "", s).casefold()

    return squash(a) == squash(b)


def _clean_line(value: str | None) -> str | None:
    if value is None:
        return None
    value = clean_text(value).replace("\n", " ").strip()
    return value or None
