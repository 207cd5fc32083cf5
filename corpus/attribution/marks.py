"""Quotation marks: where each quotation of a paragraph starts and ends, in every style news uses
(``corpus/data/quote_marks.json``), and a quotation's text without its marks."""

from __future__ import annotations

from functools import cache

from quotetrace.corpus import resources


@cache
def _quote_pairs() -> tuple[dict[str, tuple[str, ...]], frozenset[str]]:
    data = resources.load("quote_marks")
    return {opener: tuple(closers) for opener, closers in data["pairs"].items()}, frozenset(data["word_bound"])


def quoted_spans(paragraph: str) -> list[tuple[int, int]]:
    """(start, end) of each quotation in ``paragraph``, marks included. An opening mark without
    its closer runs to the end of the paragraph (news opens each paragraph of a long quote and
    closes only the last)."""
    pairs, word_bound = _quote_pairs()
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(paragraph):
        char = paragraph[i]
        if char in pairs and _opens(paragraph, i, char, word_bound):
            close = _find_closer(paragraph, i, char, pairs[char], word_bound)
            if close is None:
                if char in {"»", "”"} or (char == '"' and paragraph.count('"') % 2 == 0):
                    i += 1
                    continue
                spans.append((i, len(paragraph)))
                break
            spans.append((i, close + 1))
            i = close + 1
            continue
        i += 1
    return spans


def _opens(text: str, i: int, mark: str, word_bound: frozenset[str]) -> bool:
    before = text[i - 1] if i else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if after.isspace() and mark not in {"«", "„"}:
        return False
    if mark in word_bound or mark in {'"', "”", "»"}:
        return not before.isalnum()
    return True


def _find_closer(text: str, i: int, opener: str, closers: tuple[str, ...], word_bound: frozenset[str]) -> int | None:
    depth = 0
    for j in range(i + 1, len(text)):
        char = text[j]
        if char == opener and opener not in closers and opener not in {'"', "”"}:
            depth += 1
            continue
        if char in closers:
            if opener in word_bound and j + 1 < len(text) and text[j + 1].isalnum():
                continue  # ’ inside a word is an apostrophe
            if depth:
                depth -= 1
                continue
            return j
    return None


def strip_marks(text: str) -> str:
    return text.strip().strip("\"'“”‘’«»„‚「」『』‹›").strip()
