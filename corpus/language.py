"""Language stage: per article and per paragraph, with a confidence.

The detector is langdetect's method on langdetect's bundled profiles (character 1–3-grams of 55
languages, naive Bayes over randomly drawn n-grams, several trials averaged), re-implemented over
NumPy: the pure-Python original spent 85% of a build's time here. Draws come from a generator
seeded per call, so a text always gets the same answer wherever and in whatever order it is read.
A language given with the input wins and is recorded as such (``language_source = "input"``).
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import pyarrow as pa
from langdetect.utils.ngram import NGram

from quotetrace.corpus.batch import each_row, to_batch

# langdetect names a few languages by region; the rest of quotetrace speaks ISO 639-1.
_CODE_FIXES = {"zh-cn": "zh", "zh-tw": "zh"}
_HAN = re.compile(r"[\u3400-\u9fff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")

# langdetect's constants: smoothing (alpha ± its spread, over the profiles' base frequency), the
# posterior at which a trial stops, how often it checks, its iteration cap, the reporting floor.
_ALPHA, _ALPHA_WIDTH, _BASE_FREQ = 0.5, 0.05, 10_000
_CONVERGED, _CHECK_EVERY, _MAX_DRAWS, _REPORT_FLOOR = 0.99999, 5, 10_001, 0.1
_DRAWS_PER_STEP = 100  # n-grams drawn at once; most trials converge within the first step
_URL = re.compile(r"https?://[-_.?&~;+=/#0-9A-Za-z]{1,2076}")
_MAIL = re.compile(r"[-_.0-9A-Za-z]{1,64}@[-_0-9A-Za-z]{1,255}[-_.0-9A-Za-z]{1,255}")
_SPACES = re.compile(" +")
_ASCII_LETTERISH = re.compile("[A-z]")  # langdetect's own test ('A' <= ch <= 'z')
_NOT_LATIN = re.compile("[\u0300-\u1dff\u1f00-\U0010ffff]")  # ≥ U+0300, outside Latin Extended Additional


@dataclass(frozen=True)
class LanguageOptions:
    # Characters of an article read by the detector: enough for a stable answer, bounded cost.
    max_chars: int = 4000
    # Paragraphs are many and short: fewer characters and fewer trials (langdetect averages 7)
    # cost little accuracy (Tatoeba sentences: 0.871 → 0.861) at half the time.
    paragraph_max_chars: int = 1000
    paragraph_trials: int = 3
    # Paragraphs shorter than this inherit the article's language (too little evidence alone).
    min_paragraph_chars: int = 25


@dataclass(frozen=True)
class _Profiles:
    languages: tuple[str, ...]
    rows: dict[str, int]  # n-gram → row of ``probabilities``
    probabilities: np.ndarray  # (n-grams, languages) float32: P(n-gram | language)
    normalize: dict[int, str]  # str.translate table: langdetect's per-character normalization


@cache
def _profiles() -> _Profiles:
    """langdetect's profiles as one matrix (19 MB, instead of 230 MB of Python float lists)."""
    folder = resources.files("langdetect") / "profiles"
    profiles = [json.loads(entry.read_text(encoding="utf-8")) for entry in sorted(folder.iterdir(), key=str)
                if not entry.name.startswith(".")]  # fmt: skip
    rows: dict[str, int] = {}
    for profile in profiles:
        for gram in profile["freq"]:
            if 1 <= len(gram) <= 3:
                rows.setdefault(gram, len(rows))
    probabilities = np.zeros((len(rows), len(profiles)), dtype=np.float32)
    for column, profile in enumerate(profiles):
        totals = profile["n_words"]
        for gram, count in profile["freq"].items():
            if 1 <= len(gram) <= 3:
                probabilities[rows[gram], column] = count / totals[len(gram) - 1]
    normalize = {code: NGram.normalize(chr(code)) for code in range(0x10000)}
    table = {code: mapped for code, mapped in normalize.items() if mapped != chr(code)}
    return _Profiles(tuple(profile["name"] for profile in profiles), rows, probabilities, table)


def _prepared(text: str, max_chars: int) -> str:
    """langdetect's text cleaning: no URLs or mail addresses, Vietnamese marks composed, one space
    per run, and Latin letters dropped from a text that is mostly in another script."""
    text = NGram.normalize_vi(_MAIL.sub(" ", _URL.sub(" ", text[:max_chars])))
    text = _SPACES.sub(" ", text)
    if len(_ASCII_LETTERISH.findall(text)) * 2 < len(_NOT_LATIN.findall(text)):
        text = "".join(ch for ch in text if ch < "A" or ch > "z")
    return text


def _ngrams(text: str, normalize: dict[int, str]) -> list[str]:
    """Every 1-gram of each word and every 2- and 3-gram of the word padded with spaces, as
    langdetect's n-gram buffer yields them (n-grams of an ALL-CAPS run are skipped, as there)."""
    normalized = text.translate(normalize)
    words = normalized.split(" ")
    grams: list[str] = []
    for position, word in enumerate(words):
        if not word:
            continue
        padded = f" {word} " if position < len(words) - 1 else f" {word}"
        if word[1:].lower() != word[1:] and _has_capital_run(word):
            grams.extend(_ngrams_skipping_capitals(word, padded))
            continue
        grams.extend(word)
        grams.extend(padded[i : i + 2] for i in range(len(padded) - 1))
        grams.extend(padded[i : i + 3] for i in range(len(padded) - 2))
    return grams


def _has_capital_run(word: str) -> bool:
    return any(a.isupper() and b.isupper() for a, b in itertools.pairwise(word))


def _ngrams_skipping_capitals(word: str, padded: str) -> list[str]:
    """The slow path of ``_ngrams``: langdetect stops emitting n-grams at the second consecutive
    capital and starts again at the next non-capital (or the closing space)."""
    grams: list[str] = []
    in_capitals = False
    for j, ch in enumerate(word):
        in_capitals = ch.isupper() and (in_capitals or (j > 0 and word[j - 1].isupper()))
        if in_capitals:
            continue
        grams.append(ch)
        grams.append(padded[j : j + 2])
        if j >= 1:
            grams.append(padded[j - 1 : j + 2])
    if len(padded) > len(word) + 1:  # the closing space: always emitted
        grams.extend((padded[-2:], padded[-3:]))
    return grams


def _trial(probabilities: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One langdetect trial: multiply in randomly drawn n-grams' smoothed probabilities (summed in
    log space) until the posterior's top language passes 0.99999 at a check, or the draws run out."""
    weight = (_ALPHA + rng.standard_normal() * _ALPHA_WIDTH) / _BASE_FREQ
    n_languages = probabilities.shape[1]
    log_posterior = np.full(n_languages, -np.log(n_languages))
    drawn = 0
    while True:
        take = min(_DRAWS_PER_STEP, _MAX_DRAWS - drawn)
        picked = probabilities[rng.integers(0, len(probabilities), size=take)]
        cumulative = log_posterior + np.cumsum(np.log(weight + picked.astype(np.float64)), axis=0)
        # Checks fall after draws 1, 6, 11, … (langdetect checks at iteration i % 5 == 0).
        checks = np.arange((-drawn) % _CHECK_EVERY, take, _CHECK_EVERY)
        at_checks = cumulative[checks]
        at_checks = at_checks - at_checks.max(axis=1, keepdims=True)
        top = 1.0 / np.exp(at_checks).sum(axis=1)
        stopped = np.flatnonzero(top > _CONVERGED)
        if len(stopped) or drawn + take >= _MAX_DRAWS:
            final = at_checks[stopped[0]] if len(stopped) else cumulative[-1] - cumulative[-1].max()
            posterior = np.exp(final)
            return posterior / posterior.sum()
        log_posterior = cumulative[-1] - cumulative[-1].max()
        drawn += take


def language_of(text: str, max_chars: int = 4000, trials: int = 7) -> tuple[str | None, float]:
    """The most probable language of ``text`` and its probability; (None, 0.0) if it has no
    letters to go by."""
    profiles = _profiles()
    rows = [profiles.rows[gram] for gram in _ngrams(_prepared(text, max_chars), profiles.normalize)
            if gram in profiles.rows]  # fmt: skip
    if not rows:
        return None, 0.0
    seen = profiles.probabilities[rows]
    rng = np.random.default_rng(0)
    posterior = sum(_trial(seen, rng) for _ in range(trials)) / trials
    best = int(np.argmax(posterior))
    if posterior[best] <= _REPORT_FLOOR:
        return None, 0.0
    language = _CODE_FIXES.get(profiles.languages[best], profiles.languages[best])
    return _script_checked(text[:max_chars], language), round(float(posterior[best]), 4)


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
