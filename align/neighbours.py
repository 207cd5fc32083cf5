"""Nearest neighbours and ratio-margin scores over unit vectors.

Why margins: multilingual-e5 puts unrelated sentences at cosine ≈ 0.8 and a translation at 0.9,
and how crowded a vector's neighbourhood is varies by language and topic, so a fixed cosine
cut-off is wrong somewhere. The ratio margin (Artetxe & Schwenk 2019) divides a pair's cosine by
the mean cosine of both sides' k nearest neighbours: a pair stands out from what each side is
usually close to.

Search is exact (faiss ``IndexFlatIP``) below ``exact_below`` vectors and approximate above
(``IndexIVFFlat``, trained on a sample); both use every core through faiss's OpenMP. With an
executor of ``shards`` > 1 the indexed vectors are cut into that many shards, each with its own index, every
query is sent to every shard and the per-shard results are merged (exact search gives the same
neighbours as one index). How many shards and where they run is the executor's choice
(``align.executors``): here, one after the other; on Ray, as remote tasks.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass

import faiss
import numpy as np

from quotetrace.align.executors import Executor, LocalExecutor


@dataclass(frozen=True)
class NeighbourOptions:
    k: int = 4  # neighbours averaged into each side's margin denominator (the paper's k)
    candidates: int = 8  # neighbours kept per vector as link candidates
    exact_below: int = 200_000  # exact search below this many vectors, IVF above
    ivf_probe: int = 16  # IVF lists visited per query
    query_batch: int = 16_384  # queries per search call, which bounds the result memory


@dataclass(frozen=True)
class Pairs:
    """Candidate pairs ``a < b`` (row indices) with their cosine and ratio margin."""

    a: np.ndarray  # int64
    b: np.ndarray  # int64
    cosine: np.ndarray  # float32
    margin: np.ndarray  # float32

    def __len__(self) -> int:
        return len(self.a)


def build_index(vectors: np.ndarray, options: NeighbourOptions = NeighbourOptions()) -> faiss.Index:
    """An inner-product index over L2-normalized ``vectors`` (cosine = inner product)."""
    faiss.omp_set_num_threads(os.cpu_count() or 1)
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    n, dim = vectors.shape
    if n < options.exact_below:
        index = faiss.IndexFlatIP(dim)
    else:
        lists = int(4 * np.sqrt(n))
        index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, lists, faiss.METRIC_INNER_PRODUCT)
        sample = vectors[np.random.default_rng(0).choice(n, size=min(n, 64 * lists), replace=False)]
        index.train(sample)
        index.nprobe = options.ivf_probe
    index.add(vectors)
    return index


def search(
    index: faiss.Index, queries: np.ndarray, k: int, options: NeighbourOptions = NeighbourOptions()
) -> tuple[np.ndarray, np.ndarray]:
    """(cosines, indices) of each query's ``k`` nearest vectors, in batches; missing ones are -1."""
    k = max(1, min(k, index.ntotal))
    cosines = np.empty((len(queries), k), dtype=np.float32)
    indices = np.empty((len(queries), k), dtype=np.int64)
    for start in range(0, len(queries), options.query_batch):
        chunk = np.ascontiguousarray(queries[start : start + options.query_batch], dtype=np.float32)
        cosines[start : start + len(chunk)], indices[start : start + len(chunk)] = index.search(chunk, k)
    return cosines, indices


def shard_search(
    indexed: np.ndarray, offset: int, queries: np.ndarray, k: int, options: NeighbourOptions
) -> tuple[np.ndarray, np.ndarray]:
    """One shard's part of :func:`sharded_search`: its own index, every query, row numbers made
    global by ``offset``."""
    cosines, indices = search(build_index(indexed, options), queries, k, options)
    return cosines, np.where(indices >= 0, indices + offset, -1)


def sharded_search(
    indexed: np.ndarray,
    queries: np.ndarray,
    k: int,
    options: NeighbourOptions = NeighbourOptions(),
    executor: Executor = LocalExecutor(),
) -> tuple[np.ndarray, np.ndarray]:
    """(cosines, indices into ``indexed``) of each query's ``k`` nearest rows of ``indexed``,
    searched in ``executor.shards`` shards and merged, best first; missing ones are -1."""
    bounds = np.linspace(0, len(indexed), min(executor.shards, max(len(indexed), 1)) + 1).astype(int)
    parts = [(indexed[lo:hi], int(lo)) for lo, hi in itertools.pairwise(bounds)]
    results = executor.map(shard_search, parts, shared=(queries, k, options))
    if len(results) == 1:
        return results[0]
    cosines = np.concatenate([c for c, _ in results], axis=1)
    indices = np.concatenate([i for _, i in results], axis=1)
    cosines = np.where(indices >= 0, cosines, -np.inf)
    order = np.argsort(-cosines, axis=1, kind="stable")[:, : min(k, len(indexed))]
    best_cosines = np.take_along_axis(cosines, order, axis=1)
    best = np.take_along_axis(indices, order, axis=1)
    return np.where(best >= 0, best_cosines, -1.0).astype(np.float32), best


def margin_pairs(
    vectors: np.ndarray,
    groups: np.ndarray,
    languages: np.ndarray | None = None,
    options: NeighbourOptions = NeighbourOptions(),
    extra: tuple[np.ndarray, np.ndarray] | None = None,
    executor: Executor = LocalExecutor(),
) -> Pairs:
    """Candidate pairs among ``vectors`` with ratio-margin scores.

    ``groups`` (one int per vector, e.g. its article) marks vectors that must not pair with each
    other nor count as each other's neighbours: a quote is not "elsewhere" in its own article.
    ``languages`` (one code per vector) makes the margin bilingual, as in the paper: a pair (x in
    language A, y in B) is scored against x's nearest vectors in B and y's nearest in A. Why: a
    statement often exists in several languages at once (NTREX: ten), and pooled neighbours would
    be its own translations, which drown the margin; within one language there are far fewer.
    Candidates are each vector's nearest ones in each language, both directions, plus the
    ``extra`` pairs (row indices) known from elsewhere, scored the same way. ``executor`` runs
    the shards of each neighbour search.
    """
    n = len(vectors)
    groups = np.asarray(groups)
    codes = (
        np.zeros(n, dtype=np.int64) if languages is None else np.unique(np.asarray(languages), return_inverse=True)[1]
    )
    wanted = max(options.k, options.candidates)
    near = np.ones((n, int(codes.max()) + 1 if n else 1), dtype=np.float32)
    found_a, found_b, found_cos = [], [], []
    for code in np.unique(codes):
        members = np.nonzero(codes == code)[0]
        if len(members) == 0 or n < 2:
            continue
        member_groups = groups[members]
        largest_group = int(np.unique(member_groups, return_counts=True)[1].max())
        cosines, local = sharded_search(vectors[members], vectors, wanted + min(largest_group, 64), options, executor)
        indices = np.where(local >= 0, members[np.clip(local, 0, None)], -1)
        foreign = (local >= 0) & (groups[np.clip(indices, 0, None)] != groups[:, None])
        rank = np.cumsum(foreign, axis=1)  # search results are sorted by cosine
        top_k = foreign & (rank <= options.k)
        counts = top_k.sum(axis=1)
        near[:, code] = np.where(counts > 0, np.where(top_k, cosines, 0).sum(axis=1) / np.maximum(counts, 1), 1.0)
        rows, cols = np.nonzero(foreign & (rank <= wanted))
        found_a.append(rows.astype(np.int64))
        found_b.append(indices[rows, cols])
        found_cos.append(cosines[rows, cols])
    if extra is not None and len(extra[0]):
        x, y = np.asarray(extra[0], dtype=np.int64), np.asarray(extra[1], dtype=np.int64)
        found_a.append(x)
        found_b.append(y)
        found_cos.append(np.einsum("ij,ij->i", vectors[x], vectors[y]).astype(np.float32))
    if not found_a:
        empty = np.empty(0, dtype=np.int64)
        return Pairs(empty, empty, np.empty(0, np.float32), np.empty(0, np.float32))
    a, b, cosine = np.concatenate(found_a), np.concatenate(found_b), np.concatenate(found_cos)
    low, high = np.minimum(a, b), np.maximum(a, b)
    order = np.lexsort((high, low))
    low, high, cosine = low[order], high[order], cosine[order]
    first = np.ones(len(low), dtype=bool)
    first[1:] = (low[1:] != low[:-1]) | (high[1:] != high[:-1])  # found from both sides: one pair
    low, high, cosine = low[first], high[first], cosine[first]
    margin = ratio_margin(cosine, near[low, codes[high]], near[high, codes[low]])
    return Pairs(low, high, cosine.astype(np.float32), margin.astype(np.float32))


def ratio_margin(cosine: np.ndarray, near_a: np.ndarray, near_b: np.ndarray) -> np.ndarray:
    """Artetxe & Schwenk's ratio margin: a pair's cosine over the mean of each side's mean cosine
    to its k nearest neighbours."""
    return cosine / ((near_a + near_b) / 2)


def mean_near(
    index: faiss.Index, queries: np.ndarray, k: int, options: NeighbourOptions = NeighbourOptions()
) -> np.ndarray:
    """Each query's mean cosine to its ``k`` nearest vectors in ``index`` (the margin's denominator)."""
    cosines, _ = search(index, queries, k, options)
    return cosines.mean(axis=1)
