"""How a quote's wording changed: a word-level diff of two variants in one language.

Why words and not characters: a reader compares wordings ("sad conclusions" → "sad findings"),
and character diffs of inflected languages are noise. Chinese and Japanese have no spaces, so
there every character is a word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

_WORDS = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]|\w+(?:[-'’]\w+)*|[^\w\s]", re.UNICODE)


@dataclass(frozen=True)
class Segment:
    """A run of the compared text: ``op`` is equal, insert (only in the variant) or delete (only in
    the reference)."""

    op: str
    text: str


@dataclass(frozen=True)
class WordDiff:
    segments: list[Segment]
    reference_words: int
    variant_words: int
    same_words: int

    @property
    def changed(self) -> float:
        """Share of words not kept from one wording to the other (0 = the same words, 1 = none shared)."""
        total = self.reference_words + self.variant_words
        return 1.0 - 2.0 * self.same_words / total if total else 0.0


def words(text: str) -> list[str]:
    return _WORDS.findall(text)


def word_diff(reference: str, variant: str) -> WordDiff:
    """The variant's words against the reference's, case-insensitively matched, as shown runs
    (each run's text starts with the space that separates it from the run before)."""
    a, b = words(reference), words(variant)
    matcher = SequenceMatcher(None, [w.casefold() for w in a], [w.casefold() for w in b], autojunk=False)
    segments: list[Segment] = []
    last = ""
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        runs = [("delete", a[i1:i2])] if op in {"delete", "replace"} else []
        runs += [("insert" if op != "equal" else "equal", b[j1:j2])] if op != "delete" else []
        for kind, tokens in runs:
            text = _join(tokens, last)
            segments.append(Segment(kind, text))
            last = text[-1:] or last
    same = sum(block.size for block in matcher.get_matching_blocks())
    return WordDiff(segments, len(a), len(b), same)


def _join(tokens: list[str], before: str) -> str:
    """Tokens back into text: a space before each word, none before punctuation or between two
    CJK characters."""
    out = ""
    for token in tokens:
        previous = out[-1:] or before
        if previous and token[0].isalnum() and not (_cjk(token) and _cjk(previous)):
            out += " "
        out += token
    return out


def _cjk(text: str) -> bool:
    return bool(re.match(r"[\u3040-\u30ff\u3400-\u9fff]", text))
