"""Sentence alignment of two articles: which sentences of a translation (or copy) render which
sentences of its original.

The Vecalign / Bertalign recipe, on the sentence vectors the align stage already has:

1. **Anchors.** Each sentence's nearest sentence on the other side (exact inner product); the
   mutual nearest pairs, thinned to the longest chain that moves forward on both sides, are
   points the alignment surely passes through.
2. **Band.** The path between anchors is interpolated, and dynamic programming only visits the
   cells within ``band`` sentences of it: its time grows with the articles' length, not with its
   square. (The cosines of all sentence pairs are one matrix product, computed once and shared by
   the anchors, the margins and the dynamic programming; at article sizes that is milliseconds.)
3. **Dynamic programming** over groups 1–1, 1–2, 2–1 and the skips 1–0, 0–1, maximizing the
   summed gain of the groups. A group's gain is its ratio margin (cosine of the (merged) vectors
   over the mean cosine of each side's ``k`` nearest sentences in the other article) above
   ``min_margin``, per sentence it covers; a skip gains nothing. Why the margin: multilingual-e5
   puts any two sentences of one story at cosine ≈ 0.85 and a translation at ≈ 0.9, in short
   articles the whole article is "near", and what marks a translation is that it stands out from
   the other sentences. Merged vectors are the normalized sum of their sentence vectors, computed
   from the pairwise cosines without encoding anything again.
4. **Skips absorbed.** A skipped sentence beside a clearly aligned group joins it (up to three
   sentences against one) when it is closer to that group's sentence across than to the next
   aligned group's on its other side, the merged group's cosine barely drops and its margin, taken
   against the merged vector's own nearest sentences, stays clear: the short half of a split
   sentence (`…, he said.`) has no margin of its own.
   Articles of at most ``k`` sentences are left as they are: their margins say little.
   ``absorb_skips`` is this step alone: the align stage judges whether two articles are a
   translation on what the search found, and absorbs skips only into the pairs it links.
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass

import numpy as np

# (sentences taken from a, from b) of each group the dynamic programming may form
MOVES = ((1, 1), (1, 0), (0, 1), (2, 1), (1, 2))


@dataclass(frozen=True)
class SentenceAlignOptions:
    # Chosen with benchmarks/translations.py (figures in benchmarks/results/translations.json).
    min_margin: float = 1.0  # a group whose margin is above this gains by being aligned; below, skipping wins
    # off a merged group's gain per sentence merged: a left-out sentence is not merged into a neighbour
    merge_penalty: float = 0.08
    k: int = 4  # nearest sentences of the other article in each sentence's margin denominator
    band: int = 12  # sentences either side of the anchor path the dynamic programming visits
    # a skipped sentence joins an aligned neighbour whose cosine it lowers by at most this; None: never
    absorb_tolerance: float | None = 0.01


@dataclass(frozen=True)
class Group:
    """Aligned sentences: indices in a and in b (one side empty for a skip), and their cosine."""

    a: tuple[int, ...]
    b: tuple[int, ...]
    cosine: float | None  # None for a skip
    margin: float | None = None  # the cosine over both sides' typical nearest cosine; None for a skip

    @property
    def kind(self) -> str:
        return f"{len(self.a)}-{len(self.b)}"


@dataclass(frozen=True)
class Alignment:
    groups: list[Group]
    sentences_a: int
    sentences_b: int

    @property
    def aligned(self) -> list[Group]:
        return [g for g in self.groups if g.a and g.b]

    @property
    def coverage(self) -> float:
        """Share of both articles' sentences that are in aligned groups."""
        return self.coverage_above(0.0)

    def coverage_above(self, margin: float) -> float:
        """Share of both articles' sentences in aligned groups whose margin is at least ``margin``:
        a translation's groups stand out from the rest of the article, a same-story article's do not."""
        total = self.sentences_a + self.sentences_b
        covered = sum(len(g.a) + len(g.b) for g in self.aligned if g.margin is not None and g.margin >= margin)
        return covered / total if total else 0.0

    @property
    def similarity(self) -> float:
        """Mean cosine of the aligned groups (0 when none)."""
        cosines = [g.cosine for g in self.aligned if g.cosine is not None]
        return float(np.mean(cosines)) if cosines else 0.0


def align_sentences(a: np.ndarray, b: np.ndarray, options: SentenceAlignOptions = SentenceAlignOptions()) -> Alignment:
    """Align the sentences of two articles given their L2-normalized vectors (rows, in order)."""
    n, m = len(a), len(b)
    if n == 0 or m == 0:
        groups = [Group((i,), (), None) for i in range(n)] + [Group((), (j,), None) for j in range(m)]
        return Alignment(groups, n, m)
    a = np.ascontiguousarray(a, dtype=np.float32)
    b = np.ascontiguousarray(b, dtype=np.float32)
    similarity = a @ b.T  # cos(a[i], b[j])
    windows = _band(similarity, options.band)
    within_a, within_b = a @ a.T, b @ b.T  # for the norms of merged sentences
    # typical nearest cosine of every sentence in the other article: the margins' denominators
    near_a = _merged_nearest(similarity, within_a, 1, options.k)
    near_b = _merged_nearest(similarity.T, within_b, 1, options.k)

    # cost[i] holds the best cost of aligning a[:i] with b[lo[i]:hi[i]]; move[i] how it was reached
    lo, hi = windows[:, 0], windows[:, 1]
    cost = [np.full(hi[i] - lo[i] + 1, np.inf) for i in range(n + 1)]
    move = [np.full(hi[i] - lo[i] + 1, -1, dtype=np.int8) for i in range(n + 1)]
    cosine = [np.full(hi[i] - lo[i] + 1, np.nan, dtype=np.float32) for i in range(n + 1)]
    margins = [np.full(hi[i] - lo[i] + 1, np.nan, dtype=np.float32) for i in range(n + 1)]
    columns = np.arange(m + 1)
    row0 = columns[lo[0] : hi[0] + 1]
    cost[0][:] = np.where(row0 == 0, 0.0, np.inf)
    for i in range(n + 1):
        j = columns[lo[i] : hi[i] + 1]
        best, chosen, chosen_cos, chosen_margin = cost[i], move[i], cosine[i], margins[i]
        if i > 0:
            near = similarity[i - 1, np.clip(j - 1, 0, m - 1)]  # cos(a[i-1], b[j-1])
            for code, (da, db) in enumerate(MOVES):
                if da == 0 or i < da:
                    continue
                previous = _lookup(cost[i - da], lo[i - da], j - db)
                if db == 0:
                    step, group_cos, margin = np.zeros(len(j)), np.full(len(j), np.nan), np.full(len(j), np.nan)
                else:
                    group_cos = _group_cosine(i, j, da, db, similarity, near, within_a, within_b)
                    typical = near_a[i - da : i].mean() + np.mean(
                        [near_b[np.clip(j - k, 0, m - 1)] for k in range(1, db + 1)], axis=0
                    )
                    margin = group_cos / np.maximum(typical / 2, 1e-6)
                    step = (options.min_margin - margin) * (da + db) / 2  # a cost: negative gain
                    step = step + options.merge_penalty * (da + db - 2)
                    step = np.where(j - db >= 0, step, np.inf)
                candidate = previous + step
                better = candidate < best
                best[better], chosen[better] = candidate[better], code
                chosen_cos[better], chosen_margin[better] = group_cos[better], margin[better]
        # skips of b sentences within the row (they cost nothing): best[j] = min over k ≤ j of best[k]
        if len(j) > 1:
            running = np.minimum.accumulate(best)
            skipped = running < best - 1e-12
            best[skipped], chosen[skipped] = running[skipped], MOVES.index((0, 1))
            chosen_cos[skipped], chosen_margin[skipped] = np.nan, np.nan
    alignment = Alignment(_trace(cost, move, cosine, margins, lo, n, m), n, m)
    return _absorb(alignment, similarity, within_a, within_b, options)


def absorb_skips(
    alignment: Alignment, a: np.ndarray, b: np.ndarray, options: SentenceAlignOptions = SentenceAlignOptions()
) -> Alignment:
    """``alignment`` of the sentence vectors ``a`` and ``b`` with its skipped sentences joined to
    the clearly aligned neighbours they complete (step 4). Kept apart from the search so that a
    caller can judge two articles on what the search found alone: an absorbed sentence is one that
    showed no margin of its own, and must not make two articles look more alike than they are."""
    a = np.ascontiguousarray(a, dtype=np.float32)
    b = np.ascontiguousarray(b, dtype=np.float32)
    return _absorb(alignment, a @ b.T, a @ a.T, b @ b.T, options)


def _absorb(
    alignment: Alignment,
    similarity: np.ndarray,
    within_a: np.ndarray,
    within_b: np.ndarray,
    options: SentenceAlignOptions,
) -> Alignment:
    """Step 4 on the cosine matrices the search computed (across, and within each article)."""
    n, m = alignment.sentences_a, alignment.sentences_b
    if options.absorb_tolerance is None or min(n, m) <= options.k:  # margins of a few sentences say little
        return alignment
    sizes = (1, 2, 3)  # single sentences, and runs a skip absorbed into a 1–2 or 2–1 may form
    near_a = {size: _merged_nearest(similarity, within_a, size, options.k) for size in sizes}
    near_b = {size: _merged_nearest(similarity.T, within_b, size, options.k) for size in sizes}
    groups = _absorb_skips(
        alignment.groups,
        similarity,
        (within_a, within_b),
        (near_a, near_b),
        options.absorb_tolerance,
        options.min_margin + 0.02,
    )
    return Alignment(groups, n, m)


def _absorb_skips(
    groups: list[Group],
    similarity: np.ndarray,
    within: tuple[np.ndarray, np.ndarray],
    near: tuple[dict[int, np.ndarray], dict[int, np.ndarray]],
    tolerance: float,
    clear_margin: float,
) -> list[Group]:
    """A skipped sentence beside a clearly aligned group (margin ≥ ``clear_margin``) joins it when
    the merged group renders the other side about as well (its cosine drops by at most
    ``tolerance``): a splitter cut one translated sentence in two, and the short half (`…, he
    said.`) has no margin of its own. The merged group must stay clear itself (its margin taken
    against its own nearest sentences): two unrelated articles must not grow their coverage this
    way."""
    result = list(groups)
    changed = True
    while changed:
        changed = False
        for index, group in enumerate(result):
            if group.a and group.b:
                continue
            for neighbour in (index - 1, index + 1):
                if not 0 <= neighbour < len(result):
                    continue
                other = result[neighbour]
                if not (other.a and other.b) or other.cosine is None or (other.margin or 0.0) < clear_margin:
                    continue
                a = tuple(sorted(other.a + group.a))
                b = tuple(sorted(other.b + group.b))
                if min(len(a), len(b)) > 1 or max(len(a), len(b)) > 3:
                    continue
                # the skipped sentence is closer to this group's sentence across than to the one
                # of the aligned group on its other side: it is this group's other half, not that one's
                rival = _aligned_beyond(result, index, index - neighbour)
                if rival is not None and _closeness(group, rival, similarity) > _closeness(group, other, similarity):
                    continue
                merged = _merged_cosine(a, b, similarity, *within)
                margin = merged / ((near[0][len(a)][a[0]] + near[1][len(b)][b[0]]) / 2)
                if merged >= other.cosine - tolerance and margin >= clear_margin:
                    result[neighbour] = Group(a, b, round(float(merged), 4), round(float(margin), 4))
                    del result[index]
                    changed = True
                    break
            if changed:
                break
    return result


def _aligned_beyond(groups: list[Group], index: int, step: int) -> Group | None:
    """The first aligned group from ``index`` onwards in the direction ``step`` (±1), if any."""
    at = index + step
    while 0 <= at < len(groups):
        if groups[at].a and groups[at].b:
            return groups[at]
        at += step
    return None


def _closeness(skipped: Group, aligned: Group, similarity: np.ndarray) -> float:
    """The best cosine of a skipped sentence to the sentences ``aligned`` holds across from it."""
    if skipped.a:
        return float(similarity[skipped.a[0], list(aligned.b)].max())
    return float(similarity[list(aligned.a), skipped.b[0]].max())


def _merged_cosine(
    a: tuple[int, ...], b: tuple[int, ...], similarity: np.ndarray, within_a: np.ndarray, within_b: np.ndarray
) -> float:
    """Cosine of the normalized sums of sentences ``a`` and of sentences ``b``."""
    dot = float(similarity[np.ix_(a, b)].sum())
    norm_a = float(within_a[np.ix_(a, a)].sum())
    norm_b = float(within_b[np.ix_(b, b)].sum())
    return dot / max(np.sqrt(norm_a * norm_b), 1e-6)


def _group_cosine(
    i: int,
    j: np.ndarray,
    da: int,
    db: int,
    similarity: np.ndarray,
    near: np.ndarray,
    within_a: np.ndarray,
    within_b: np.ndarray,
) -> np.ndarray:
    """Cosine of the group ending at (a[i-1], b[j-1]) with ``da`` and ``db`` sentences (one side
    a single sentence). Merged sentences are their normalized sum: x·(y₁ + … + yₖ) / |y₁ + … + yₖ|,
    with |y₁ + … + yₖ|² = k + 2 Σ yₚ·y_q from the sentences' cosines with each other."""
    if (da, db) == (1, 1):
        return np.clip(near, -1.0, 1.0)
    m = similarity.shape[1]
    if db == 1:
        column = np.clip(j - 1, 0, m - 1)
        merged = range(i - da, i)
        dot = sum(similarity[x, column] for x in merged)
        squared = da + 2 * sum(within_a[x, y] for x, y in itertools.combinations(merged, 2))
    else:
        columns = [np.clip(j - t, 0, m - 1) for t in range(db, 0, -1)]
        dot = sum(similarity[i - 1, c] for c in columns)
        squared = db + 2 * sum(within_b[x, y] for x, y in itertools.combinations(columns, 2))
    return np.clip(dot / np.sqrt(np.maximum(squared, 1e-6)), -1.0, 1.0)


def _lookup(row: np.ndarray, row_lo: int, j: np.ndarray) -> np.ndarray:
    """``row[j - row_lo]`` where that lies inside the row's window, else infinity."""
    index = j - row_lo
    inside = (index >= 0) & (index < len(row))
    return np.where(inside, row[np.clip(index, 0, len(row) - 1)], np.inf)


def _trace(
    cost: list[np.ndarray],
    move: list[np.ndarray],
    cosine: list[np.ndarray],
    margins: list[np.ndarray],
    lo: np.ndarray,
    n: int,
    m: int,
) -> list[Group]:
    i, j = n, m
    if not np.isfinite(cost[n][m - lo[n]]):  # cannot happen with a connected band; kept as a guard
        raise ValueError("sentence alignment found no path through its band")
    groups: list[Group] = []
    while i > 0 or j > 0:
        code = int(move[i][j - lo[i]])
        da, db = MOVES[code]
        value, margin = float(cosine[i][j - lo[i]]), float(margins[i][j - lo[i]])
        skip = np.isnan(value)
        groups.append(
            Group(
                tuple(range(i - da, i)),
                tuple(range(j - db, j)),
                None if skip else round(value, 4),
                None if skip else round(margin, 4),
            )
        )
        i, j = i - da, j - db
    groups.reverse()
    return groups


def _merged_nearest(similarity: np.ndarray, within: np.ndarray, size: int, k: int) -> np.ndarray:
    """For each run of ``size`` consecutive rows (by its first row), the mean cosine of the merged
    rows (their normalized sum) to its ``k`` nearest columns: the margin's denominator. Why not
    the mean of each row's own: a sum of sentences is closer to everything than any one of them,
    and judged against single sentences every merge of unrelated text would look like a match."""
    rows, columns = similarity.shape
    runs = rows - size + 1
    if runs <= 0:
        return np.ones(1, dtype=np.float32)  # no such run; never looked up for a real group
    dots = sum(similarity[t : t + runs] for t in range(size))
    squared = size + 2 * sum(
        (np.diagonal(within, offset=q - p)[p : p + runs] for p, q in itertools.combinations(range(size), 2)),
        start=np.zeros(runs, dtype=np.float32),
    )
    merged = dots / np.sqrt(np.maximum(squared, 1e-6))[:, None]
    k = min(k, columns)
    return -np.partition(-merged, k - 1, axis=1)[:, :k].mean(axis=1)


def _band(similarity: np.ndarray, width: int) -> np.ndarray:
    """(lo, hi) column window of each DP row 0..n: ``width`` around the path through the anchors,
    widened so consecutive windows always touch (the path is never cut)."""
    n, m = similarity.shape
    anchors = _anchors(similarity)
    points = [(0.0, 0.0), *[(i + 0.5, j + 0.5) for i, j in anchors], (float(n), float(m))]
    xs, ys = np.array([p[0] for p in points]), np.array([p[1] for p in points])
    centre = np.interp(np.arange(n + 1), xs, ys)
    lo = np.floor(centre).astype(int) - width
    hi = np.ceil(centre).astype(int) + width
    for i in range(1, n + 1):  # a steep stretch (many b sentences per a sentence) stays connected
        lo[i] = min(lo[i], hi[i - 1])
        hi[i - 1] = max(hi[i - 1], lo[i])
    lo = np.clip(lo, 0, m)
    hi = np.clip(hi, 0, m)
    lo[0], hi[n] = 0, m
    for i in range(n - 1, -1, -1):  # a row must reach the next row's window start
        lo[i] = min(lo[i], lo[i + 1])
    for i in range(1, n + 1):
        hi[i] = max(hi[i], hi[i - 1])
    return np.stack([lo, np.maximum(hi, lo)], axis=1)


def _anchors(similarity: np.ndarray) -> list[tuple[int, int]]:
    """Mutual nearest sentence pairs, thinned to the longest chain increasing on both sides."""
    best_b = np.argmax(similarity, axis=1)
    best_a = np.argmax(similarity, axis=0)
    mutual = [(i, int(j)) for i, j in enumerate(best_b) if best_a[j] == i]
    return _longest_increasing(mutual)


def _longest_increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest subsequence of ``pairs`` (sorted by first item) whose second items increase."""
    tails: list[int] = []  # tails[k]: smallest second item ending a chain of length k + 1
    tail_index: list[int] = []
    previous = [-1] * len(pairs)
    for index, (_, j) in enumerate(pairs):
        k = bisect.bisect_left(tails, j)
        if k == len(tails):
            tails.append(j)
            tail_index.append(index)
        else:
            tails[k], tail_index[k] = j, index
        previous[index] = tail_index[k - 1] if k else -1
    chain, at = [], tail_index[-1] if tail_index else -1
    while at >= 0:
        chain.append(pairs[at])
        at = previous[at]
    return chain[::-1]
