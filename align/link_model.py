"""The calibrated decision on a candidate quote pair: a logistic regression over a few features a
reader can check, shipped as data (``align/link_model.json``, fitted by ``scripts/fit_links.py``
on cross_outlet_dev with leave-pair-out cross-validation; the script records the figures).

Why a model and not one threshold: across outlets the same statement comes in other words, as a
direct quote on one side and reported speech on the other, with more or less detail; a cosine
alone reaches F1 0.80 at best even with gold quotes. Speaker, numbers, shared words and length
tell paraphrase from another claim. The story is a gate, not a feature (``align.link``): within one story every
pair scores high on it, so a weight learned from cross_outlet_dev's pairs of articles would link
every pair of quotes of one NTREX document.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from anyascii import anyascii

from quotetrace.corpus.lexicon import HAN

MODEL_FILE = "link_model.json"

FEATURES = (
    "cosine",  # of the two quote vectors
    "margin",  # ratio margin (align.neighbours)
    "same_speaker",  # both speakers known and the same person
    "speaker_unknown",  # either speaker unknown
    "numbers_shared",  # both quotes hold numbers and share one
    "numbers_differ",  # both hold numbers, none shared
    "kinds_differ",  # a direct quote against reported speech
    "length_ratio",  # shorter over longer (Han characters count three)
    "cross_language",
    "words_shared",  # share of the shorter quote's words (4+ letters, in Latin letters) the other has too
)


@dataclass(frozen=True)
class LinkModel:
    version: str
    features: tuple[str, ...]
    mean: np.ndarray  # standardisation of each feature
    scale: np.ndarray
    weights: np.ndarray
    bias: float
    same_statement: float  # probability at and above which a pair is the same statement
    related: float  # probability at and above which it is kept as related
    story: float  # story score at and above which two articles tell one story
    # the story score a translation or copy article link needs: one text in two renderings scores far
    # above two articles on one topic (a German soap's end and a US series' postponed premiere: 0.37)
    translation_story: float
    verbatim: float  # cosine at and above which quotes link whatever their story (wire copy)
    min_margin: float  # a pair that does not stand out from both sides' neighbours is no rendering
    # cosine at and above which quotes of one story are the same statement whatever the model says: a
    # wording many outlets carry (WMT22's versions) crowds its own neighbourhood and drowns its margin
    close: float
    centres: dict[str, np.ndarray] | None  # news centre of document vectors by language ("": any other)
    centre_model: str | None  # the model they were made with

    def probability(self, features: np.ndarray) -> np.ndarray:
        if not len(features):
            return np.zeros(0, dtype=np.float32)
        z = ((features - self.mean) / self.scale) @ self.weights + self.bias
        return (1.0 / (1.0 + np.exp(-z))).astype(np.float32)

    def about(self) -> dict[str, Any]:
        """What the manifest records: version, thresholds, weights by feature."""
        return {
            "version": self.version, "same_statement": self.same_statement, "related": self.related,
            "story": self.story, "translation_story": self.translation_story, "verbatim": self.verbatim,
            "min_margin": self.min_margin,
            "close": self.close,
            "weights": {f: round(float(w), 4) for f, w in zip(self.features, self.weights, strict=True)},
        }  # fmt: skip


def load_link_model(path: Path | None = None) -> LinkModel:
    source = path or Path(str(resources.files("quotetrace.align") / MODEL_FILE))
    data = json.loads(source.read_text(encoding="utf-8"))
    if tuple(data["features"]) != FEATURES:
        raise ValueError(f"{source} was fitted on features {data['features']}, this version computes {FEATURES}")
    centres = data.get("centres")
    return LinkModel(
        version=data["version"], features=FEATURES, mean=np.array(data["mean"]), scale=np.array(data["scale"]),
        weights=np.array(data["weights"]), bias=float(data["bias"]), same_statement=float(data["same_statement"]),
        related=float(data["related"]), story=float(data["story"]), verbatim=float(data["verbatim"]),
        close=float(data["close"]), translation_story=float(data["translation_story"]),
        min_margin=float(data["min_margin"]),
        centres={k: np.array(v, dtype=np.float32) for k, v in centres.items()} if centres else None,
        centre_model=data.get("centre_model"),
    )  # fmt: skip


@cache
def shipped_link_model() -> LinkModel:
    return load_link_model()


_NUMBER = re.compile(r"\d(?:[\d.,]*\d)?")


@lru_cache(maxsize=1 << 16)  # pure, and asked of one quote once per candidate pair it is in
def numbers_in(text: str) -> frozenset[str]:
    """Numbers as digits without separators (`3,000` = `3000`), any script's digits."""
    return frozenset(re.sub(r"[.,]", "", n) for n in _NUMBER.findall(text))


_WORD = re.compile(r"\w{4,}")


@lru_cache(maxsize=1 << 16)  # anyascii per pair was the align stage's largest Python cost
def _words(text: str) -> frozenset[str]:
    """Words of four letters or more, in Latin letters (a name shared across scripts counts)."""
    return frozenset(_WORD.findall(anyascii(text).casefold()))


@lru_cache(maxsize=1 << 16)
def _length(text: str) -> int:
    return len(text) + 2 * len(HAN.findall(text))


def pair_features(
    cosine: np.ndarray,
    margin: np.ndarray,
    same_speaker: np.ndarray,
    speaker_unknown: np.ndarray,
    texts: tuple[Sequence[str], Sequence[str]],
    kinds: tuple[Sequence[str | None], Sequence[str | None]],
    cross_language: np.ndarray,
) -> np.ndarray:
    """One row of FEATURES per pair; ``texts`` and ``kinds`` are the two sides, pair by pair."""
    shared, differ, ratio, words = [], [], [], []
    for x, y in zip(*texts, strict=True):
        wx, wy = _words(x), _words(y)
        words.append(len(wx & wy) / max(1, min(len(wx), len(wy))))
        nx, ny = numbers_in(x), numbers_in(y)
        shared.append(bool(nx & ny))
        differ.append(bool(nx and ny and not nx & ny))
        lx, ly = _length(x), _length(y)
        ratio.append(min(lx, ly) / max(lx, ly, 1))
    kinds_differ = [bool(p and q and p != q) for p, q in zip(*kinds, strict=True)]
    columns = (
        cosine,
        margin,
        same_speaker,
        speaker_unknown,
        shared,
        differ,
        kinds_differ,
        ratio,
        cross_language,
        words,
    )
    if not len(cosine):
        return np.zeros((0, len(FEATURES)))
    return np.column_stack([np.asarray(c, dtype=np.float64) for c in columns])
