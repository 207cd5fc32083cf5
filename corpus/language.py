"""Language stage: langdetect (seeded, so runs are deterministic) per article and per paragraph.

A language given with the input wins and is recorded as such (``language_source = "input"``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import pyarrow as pa
from langdetect import DetectorFactory, detector_factory
from langdetect.lang_detect_exception import LangDetectException

from corpus.batch import each_row, to_batch

# langdetect names a few languages by region; the rest of quotetrace speaks ISO 639-1.
_CODE_FIXES = {"zh-cn": "zh", "zh-tw": "zh"}
_HAN = re.compile(r"[\u3400-\u9fff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")


@dataclass(frozen=True)
class LanguageOptions:
    # Characters of an article read by the detector: enough for a stable answer, bounded cost.
    max_chars: int = 4000
    # Paragraphs are many and short: fewer characters and fewer random trials (langdetect
    # averages 7 by default) cost little accuracy (Tatoeba sentences: 0.871 → 0.861) at half the time.
    paragraph_max_chars: int = 1000
    paragraph_trials: int = 3
    # Paragraphs shorter than this inherit the article's language (too little evidence alone).
    min_paragraph_chars: int = 25


@cache
def _factory() -> detector_factory.DetectorFactory:
    DetectorFactory.seed = 0
    detector_factory.init_factory()
    return detector_factory._factory  # type: ignore[attr-defined]


def language_of(text: str, max_chars: int = 4000, trials: int = 7) -> tuple[str | None, float]:
    """The most probable language of ``text`` and its probability; (None, 0.0) if it has no
    letters to go by."""
    detector = _factory().create()
    detector.n_trial = trials
    detector.append(text[:max_chars])
    try:
        best = detector.get_probabilities()
    except LangDetectException:
        return None, 0.0
    if not best:
        return None, 0.0
    return _script_checked(text[:max_chars], _CODE_FIXES.get(best[0].lang, best[0].lang)), round(float(best[0].prob), 4)


def _script_checked(text: str, language: str) -> str:
    """langdetect reads Traditional Chinese as Korean or Japanese at times (Tatoeba's
    Traditional sentences come out `ko`): Korean needs Hangul and Japanese needs kana."""
    if language == "ko" and not _HANGUL.search(text) and _HAN.search(text):
        return "ja" if _KANA.search(text) else "zh"
    if language == "ja" and not _KANA.search(text) and _HAN.search(text):
        return "zh"
    return language


def normalize_code(code: str | None) -> str | None:
    """An input's language tag as ISO 639-1 where we can (``en-US`` → ``en``, ``zh-Hans`` → ``zh``)."""
    if not code:
        return None
    code = code.strip().lower().replace("_", "-")
    return _CODE_FIXES.get(code, code.split("-")[0]) or None


def detect_language(articles: pa.Table, options: LanguageOptions = LanguageOptions()) -> pa.Table:
    """Fill ``language``, ``language_confidence``, ``language_source`` and the per-paragraph
    ``paragraph_languages`` / ``paragraph_language_confidences`` columns."""
    return to_batch(each_row(articles, "language", lambda row: _language_row(row, options)))


def _language_row(row: dict, options: LanguageOptions) -> dict:
    given = normalize_code(row.get("language"))
    if given:
        row["language"], row["language_confidence"], row["language_source"] = given, 1.0, "input"
    else:
        language, confidence = language_of(row["text"], options.max_chars)
        row["language"], row["language_confidence"], row["language_source"] = language, confidence, "detected"
    languages, confidences = [], []
    for paragraph in row["paragraphs"]:
        if len(paragraph) < options.min_paragraph_chars:
            language, confidence = row["language"], None
        else:
            language, confidence = language_of(paragraph, options.paragraph_max_chars, options.paragraph_trials)
        languages.append(language)
        confidences.append(confidence)
    row["paragraph_languages"] = languages
    row["paragraph_language_confidences"] = confidences
    return row
