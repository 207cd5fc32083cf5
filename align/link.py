"""Quote links and clusters: the same statement (or a related one) in other articles.

A candidate pair comes from the neighbour search; its ``score`` is the ratio margin moved by what
the speakers say: the same ``speaker_id`` on both sides raises it, two different ones lower it,
an unknown speaker on either side leaves it. Two thresholds split ``same_statement`` from
``related``; ``benchmarks/align_quotes.py --calibrate`` fits them on hand-labelled cross-outlet
pairs (it finds 1.056 there), and the defaults trade that against recall on NTREX translations.
Clusters join ``same_statement`` links, strongest first, and never put two different known
speakers in one cluster.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from quotetrace import schemas
from quotetrace.align.executors import Executor, LocalExecutor
from quotetrace.align.neighbours import NeighbourOptions, Pairs, margin_pairs
from quotetrace.align.speakers import Carried, carry_speakers

# Columns link_quotes needs for each quote (the quotes table joined with its article's outlet).
QUOTE_COLUMNS = ("quote_id", "article_id", "language", "speaker_id", "outlet")


@dataclass(frozen=True)
class LinkOptions:
    neighbours: NeighbourOptions = field(default_factory=NeighbourOptions)
    # Chosen with benchmarks/align_quotes.py (figures in benchmarks/results/align_quotes.json).
    same_statement: float = 1.03  # score at and above which two quotes are the same statement
    # A near-verbatim wording is the same statement whatever its margin: a quote carried by many
    # outlets in one language crowds its own neighbourhood, which drowns the margin.
    same_statement_cosine: float = 0.90
    related: float = 1.0  # score at and above which they are related (same topic, another statement)
    speaker_agreement: float = 0.01  # added to the margin when both speaker_ids are equal
    speaker_conflict: float = 0.06  # taken off when both are known and differ


@dataclass(frozen=True)
class Linked:
    links: pa.Table  # quote_links
    clusters: pa.Table  # quote_clusters
    speakers: Carried  # speaker_ids after those carried across translations

    @property
    def same_statement(self) -> int:
        return sum(r == "same_statement" for r in self.links.column("relation").to_pylist())

    @property
    def cluster_count(self) -> int:
        return len(set(self.clusters.column("cluster_id").to_pylist()))


def link_quotes(
    quotes: pa.Table,
    vectors: np.ndarray,
    options: LinkOptions = LinkOptions(),
    translated: tuple[np.ndarray, np.ndarray] | None = None,
    executor: Executor = LocalExecutor(),
    originals: set[str] = frozenset(),  # type: ignore[assignment]
    sure: dict[str, int] | None = None,
) -> Linked:
    """``quote_links`` and ``quote_clusters`` for ``quotes`` (QUOTE_COLUMNS, one row per vector).

    ``translated`` pairs (row indices) sit in aligned sentences of a translation or copy: the same
    statement by construction, whatever their margin, unless their speakers conflict and a
    closer rendering of either sits in the same aligned sentences. ``executor`` runs the
    neighbour search's shards. Speakers are then carried across the translated pairs
    (``align.speakers``; ``originals``: articles known to be a translation's original; ``sure``:
    the groups of articles whose translation links are sure enough to carry them, all when None), and
    ``same_speaker`` and the clusters read the speakers so carried."""
    columns = {name: quotes.column(name).to_pylist() for name in QUOTE_COLUMNS}
    article_ids = columns["article_id"]
    groups = np.unique(np.array(article_ids, dtype=object), return_inverse=True)[1] if article_ids else np.array([])
    speakers, languages, outlets = columns["speaker_id"], columns["language"], columns["outlet"]
    pairs = margin_pairs(
        vectors, groups, np.array([x or "?" for x in languages], dtype=object), options.neighbours, translated, executor
    )
    via_translation = np.zeros(len(pairs), dtype=bool)
    best_match = np.zeros(len(pairs), dtype=bool)
    one_way = np.zeros(len(pairs), dtype=bool)
    if translated is not None and len(translated[0]):
        known_pairs = dict(zip(zip(*translated, strict=True), _best_matches(*translated, vectors, groups), strict=True))
        found = [known_pairs.get((int(x), int(y))) for x, y in zip(pairs.a, pairs.b, strict=True)]
        via_translation = np.array([f is not None for f in found], dtype=bool)
        best_match = np.array([f is not None and f[0] and f[1] for f in found], dtype=bool)
        one_way = np.array([f is not None and (f[0] or f[1]) for f in found], dtype=bool)
    a, b = pairs.a, pairs.b
    decided = _decide(pairs, speakers, via_translation & one_way, via_translation & best_match, options)
    # a translation that lost or garbled the name takes its original's speaker, then the pairs
    # are decided again with the speakers so carried (a garbled name no longer blocks its link)
    rendered = np.nonzero(decided.same & decided.by_translation)[0]
    ids = columns["quote_id"]
    group_of = {} if sure is None else sure
    renderings = [
        (x, y)
        for x, y in zip(a[rendered].tolist(), b[rendered].tolist(), strict=True)
        if sure is None or group_of.get(article_ids[x], -1) == group_of.get(article_ids[y], -2)
    ]
    carried = carry_speakers(ids, article_ids, speakers, renderings, originals)
    speakers = carried.speaker_ids
    decided = _decide(pairs, speakers, via_translation & one_way, via_translation & best_match, options)
    score, same, by_translation, by_margin = decided.score, decided.same, decided.by_translation, decided.by_margin
    keep = np.nonzero(same | (score >= options.related))[0]
    rows = []
    for i in keep:
        x, y = int(a[i]), int(b[i])
        if ids[x] > ids[y]:
            x, y = y, x
        rows.append({
            "quote_id_a": ids[x], "quote_id_b": ids[y], "cosine": float(pairs.cosine[i]),
            "margin": float(pairs.margin[i]), "score": float(score[i]),
            "same_speaker": speakers[x] == speakers[y] if speakers[x] and speakers[y] else None,
            "cross_language": languages[x] != languages[y],
            "cross_outlet": outlets[x] is None or outlets[x] != outlets[y],
            "relation": "same_statement" if same[i] else "related",
            "evidence": "translation" if by_translation[i] else "margin" if by_margin[i] or not same[i] else "cosine",
        })  # fmt: skip
    rows.sort(key=lambda r: (r["quote_id_a"], r["quote_id_b"]))
    links = schemas.validate(pa.Table.from_pylist(rows, schema=schemas.QUOTE_LINKS), "quote_links")
    return Linked(links, cluster_quotes(links, dict(zip(ids, speakers, strict=True))), carried)


@dataclass(frozen=True)
class _Decision:
    score: np.ndarray
    same: np.ndarray
    by_translation: np.ndarray
    by_margin: np.ndarray


def _decide(
    pairs: Pairs, speakers: list[str | None], one_way: np.ndarray, best_match: np.ndarray, options: LinkOptions
) -> _Decision:
    """Which candidate pairs are the same statement, given who the speakers are."""
    known = np.array([s is not None for s in speakers], dtype=bool)
    speaker_codes = np.unique(np.array([s or "" for s in speakers], dtype=object), return_inverse=True)[1]
    a, b = pairs.a, pairs.b
    both_known = known[a] & known[b] if len(a) else np.zeros(0, dtype=bool)
    agree = both_known & (speaker_codes[a] == speaker_codes[b])
    conflict = both_known & ~agree
    score = pairs.margin + options.speaker_agreement * agree - options.speaker_conflict * conflict
    by_margin = score >= options.same_statement
    by_cosine = (pairs.cosine >= options.same_statement_cosine) & ~conflict
    # speakers that differ across a translation are mostly a misread attribution on one side:
    # the quotes still render each other when each is the other's closest in the aligned sentences;
    # with no conflict, when one of them is: a quote kept whole on one side and cut in two on the
    # other pairs with both halves, but two statements in one merged group do not cross-pair
    by_translation = (~conflict & one_way) | best_match
    return _Decision(score, by_margin | by_cosine | by_translation, by_translation, by_margin)


def _best_matches(x: np.ndarray, y: np.ndarray, vectors: np.ndarray, groups: np.ndarray) -> list[tuple[bool, bool]]:
    """For pairs (x, y) of quotes in aligned sentences: is y the closest of x's partners in y's
    article, and is x the closest of y's partners in x's? Two statements in one sentence pair off
    with their own renderings, not each other's."""
    cosines = np.einsum("ij,ij->i", vectors[x], vectors[y])
    best_of_x: dict[tuple[int, int], float] = {}
    best_of_y: dict[tuple[int, int], float] = {}
    for i, j, cosine in zip(x.tolist(), y.tolist(), cosines.tolist(), strict=True):
        best_of_x[(i, groups[j])] = max(best_of_x.get((i, groups[j]), -1.0), cosine)
        best_of_y[(j, groups[i])] = max(best_of_y.get((j, groups[i]), -1.0), cosine)
    return [
        (cosine >= best_of_x[(i, groups[j])], cosine >= best_of_y[(j, groups[i])])
        for i, j, cosine in zip(x.tolist(), y.tolist(), cosines.tolist(), strict=True)
    ]


def cluster_quotes(links: pa.Table, speaker_of: dict[str, str | None]) -> pa.Table:
    """Connected groups of ``same_statement`` links, joined strongest first; a link that would put
    two different known speakers in one cluster is skipped."""
    parent: dict[str, str] = {}
    speaker: dict[str, str | None] = {}

    def root(q: str) -> str:
        parent.setdefault(q, q)
        while parent[q] != q:
            parent[q] = parent[parent[q]]
            q = parent[q]
        return q

    same = [r for r in links.to_pylist() if r["relation"] == "same_statement"]
    for link in sorted(same, key=lambda r: (-r["score"], r["quote_id_a"], r["quote_id_b"])):
        a, b = link["quote_id_a"], link["quote_id_b"]
        for q in (a, b):
            if q not in parent:
                parent[q], speaker[q] = q, speaker_of.get(q)
        root_a, root_b = root(a), root(b)
        if root_a == root_b:
            continue
        speaker_a, speaker_b = speaker[root_a], speaker[root_b]
        if speaker_a is not None and speaker_b is not None and speaker_a != speaker_b:
            continue
        parent[root_b] = root_a
        speaker[root_a] = speaker_a or speaker_b
    members: dict[str, list[str]] = {}
    for q in parent:
        members.setdefault(root(q), []).append(q)
    rows = []
    for group in members.values():
        if len(group) < 2:
            continue  # its only links were refused: two different speakers
        cluster_id = hashlib.sha256(min(group).encode()).hexdigest()[:16]
        rows.extend({"cluster_id": cluster_id, "quote_id": q} for q in sorted(group))
    rows.sort(key=lambda r: (r["cluster_id"], r["quote_id"]))
    return schemas.validate(pa.Table.from_pylist(rows, schema=schemas.QUOTE_CLUSTERS), "quote_clusters")
