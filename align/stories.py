"""Stories: whether two articles tell the same story, from their document vectors.

Why centred: multilingual-e5 puts any two news articles at cosine ≈ 0.9 (mean-of-sentence vectors
share a large "news" component, and one per language), so raw document cosines barely separate
stories, and an article and its own translation score lower than two articles in one language;
less its language's centre, two articles on one story stay close (cross_outlet_dev: the other
article of the pair is the closest of all 131 for most of the 132) and two on different stories
fall near 0. A language's centre is the mean document vector of the NTREX documents in it (the
same 123 stories in each of ten languages, so only the language differs between centres; made by
``scripts/fit_links.py`` for the default model and shipped in ``align/link_model.json``); a
language without one takes their mean. So a story score does not depend on what else a user's
corpus holds; with another model the corpus's own mean stands in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Stories:
    """Unit, centred document vectors of a corpus's articles, by article id."""

    position: dict[str, int]
    vectors: np.ndarray

    def score(self, a: Sequence[str], b: Sequence[str]) -> np.ndarray:
        """Story score (centred document cosine, -1..1) of each pair of articles a[i], b[i]; 0
        where an article has no vector."""
        known = np.array([x in self.position and y in self.position for x, y in zip(a, b, strict=True)], dtype=bool)
        out = np.zeros(len(known), dtype=np.float32)
        if known.any():
            rows_a = [self.position[x] for x, k in zip(a, known, strict=True) if k]
            rows_b = [self.position[y] for y, k in zip(b, known, strict=True) if k]
            out[known] = np.einsum("ij,ij->i", self.vectors[rows_a], self.vectors[rows_b])
        return out


def mean_vectors(owners: Sequence[str], vectors: np.ndarray) -> tuple[list[str], np.ndarray]:
    """The mean of the vectors of each owner (an article), owners in first-seen order."""
    order: dict[str, int] = {}
    index = np.array([order.setdefault(o, len(order)) for o in owners], dtype=np.int64)
    sums = np.zeros((len(order), vectors.shape[1] if vectors.ndim == 2 else 0), dtype=np.float64)
    if len(index):
        np.add.at(sums, index, vectors)
    counts = np.bincount(index, minlength=len(order)).reshape(-1, 1) if len(index) else np.ones((0, 1))
    return list(order), (sums / np.maximum(counts, 1)).astype(np.float32)


def stories(
    sentence_owners: Sequence[str],
    sentence_vectors: np.ndarray,
    quote_owners: Sequence[str],
    quote_vectors: np.ndarray,
    centres: Mapping[str, np.ndarray] | None,
    language_of: Mapping[str, str | None],
) -> Stories:
    """Document vectors from each article's sentence vectors (its quote vectors where the
    sentences were not embedded), less the centre of the article's language (``centres``; key ""
    for any other language; None: the corpus's own mean), unit length."""
    ids, documents = mean_vectors(sentence_owners, sentence_vectors)
    have = set(ids)
    rest = [i for i, owner in enumerate(quote_owners) if owner not in have]
    if rest:
        more_ids, more = mean_vectors([quote_owners[i] for i in rest], quote_vectors[rest])
        ids, documents = ids + more_ids, np.concatenate([documents, more]) if len(ids) else more
    if not ids:
        return Stories({}, np.zeros((0, 1), dtype=np.float32))
    if centres is None:
        documents = documents - documents.mean(axis=0)
    else:
        documents = documents - np.stack([centres.get(language_of.get(a) or "", centres[""]) for a in ids])
    documents /= np.maximum(np.linalg.norm(documents, axis=1, keepdims=True), 1e-9)
    return Stories({a: i for i, a in enumerate(ids)}, documents.astype(np.float32))
