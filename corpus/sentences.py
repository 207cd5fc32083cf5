"""Sentence splitting by rules, for every language quotetrace reads: full stops that end a
sentence (not abbreviations or initials), `!`, `?`, `…`, and the Chinese and Japanese end
marks `。！？`, with closing quotes and brackets kept with their sentence. Paragraph breaks
always end a sentence."""

from __future__ import annotations

import re
from functools import cache

import pyarrow as pa

from quotetrace import schemas
from quotetrace.corpus import resources

_CLOSERS = re.escape("\"'”’»」』›)]")
_CJK_END = re.compile(rf"[。！？!?]+[{_CLOSERS}]*")
_END = re.compile(rf"(?:[.!?…]+|\.\.\.)[{_CLOSERS}]*(?=\s+|$)")
_NEXT_STARTS = re.compile(r"\s+(?:[\"'“‘„(\[]|«[ \u00a0\u202f]?)?[\d\w]")  # French `« C'est`
_WORD_BEFORE = re.compile(r"([\w.]+)$")


@cache
def _abbreviations(language: str | None) -> frozenset[str]:
    table = resources.load("abbreviations")
    return frozenset(table.get(language or "en", table["en"])) | frozenset(table["en"])


def split_sentences(text: str, language: str | None = None) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of ``text``, whitespace trimmed."""
    spans: list[tuple[int, int]] = []
    for block in re.finditer(r"[^\n]+", text):
        start = block.start()
        for end in _ends(block.group(0), language):
            _append(spans, text, start, block.start() + end)
            start = block.start() + end
        _append(spans, text, start, block.end())
    return spans


def _ends(line: str, language: str | None) -> list[int]:
    ends = {m.end() for m in _CJK_END.finditer(line)}
    abbreviations = _abbreviations(language)
    for match in _END.finditer(line):
        if match.end() < len(line):  # positions, not slices: linear time on a megabyte-long line
            following = _NEXT_STARTS.match(line, match.end())
            if following is None:
                continue
            if line[following.end() - 1].islower() and line[match.start()] == ".":
                continue  # `e.g. the`, `U.S. officials`: a lower-case continuation is the same sentence
        if line[match.start()] == ".":
            word = _WORD_BEFORE.search(line[max(0, match.start() - 40) : match.start()])  # bounded: linear time
            token = word.group(1).lower().rstrip(".") if word else ""
            if token in abbreviations or (len(token) == 1 and token.isalpha()):
                continue
        ends.add(match.end())
    return sorted(ends)


def _append(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


def sentence_table(articles: pa.Table) -> pa.Table:
    """The ``sentences`` table of a batch of articles: each paragraph split in its own language,
    offsets into the article's ``text`` (paragraphs are joined by a blank line)."""
    rows = []
    columns = ["article_id", "paragraphs", "paragraph_languages", "language"]
    for article_id, paragraphs, languages, article_language in zip(
        *(articles.column(c).to_pylist() for c in columns), strict=True
    ):
        offset, index = 0, 0
        for paragraph, language in zip(paragraphs, languages or [None] * len(paragraphs), strict=True):
            language = language or article_language
            for start, end in split_sentences(paragraph, language):
                rows.append({
                    "article_id": article_id, "index": index, "start": offset + start, "end": offset + end,
                    "text": paragraph[start:end], "language": language,
                })  # fmt: skip
                index += 1
            offset += len(paragraph) + 2
    return pa.Table.from_pylist(rows, schema=schemas.SENTENCES)
