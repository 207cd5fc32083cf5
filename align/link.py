"""Quote links and clusters: the same statement (or a related one) in other articles.

A candidate pair comes from the neighbour search. The link model (``align.link_model``, fitted
on hand-labelled cross-outlet pairs by ``scripts/fit_links.py``) gives it a probability from its
cosine, margin, speakers, numbers, kinds and lengths. Story first: two quotes are the
same statement only when their articles tell one story (``align.stories``), or word for word
(wire copy); speaker-aware: two different known speakers never are. Each quote takes at most one
rendering per other article. Clusters join ``same_statement`` links, likeliest first, and never
put two different known speakers in one cluster.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
from anyascii import anyascii

from quotetrace import schemas
from quotetrace.align.executors import Executor, LocalExecutor
from quotetrace.align.link_model import LinkModel, load_link_model, pair_features, shipped_link_model
from quotetrace.align.neighbours import NeighbourOptions, Pairs, margin_pairs
from quotetrace.align.speakers import Carried, carry_speakers
from quotetrace.align.stories import Stories
from quotetrace.corpus.attribution.names import first_name_gender
from quotetrace.corpus.lexicon import HAN, language_resources

# Columns link_quotes needs for each quote (the quotes table joined with its article's outlet).
QUOTE_COLUMNS = ("quote_id", "article_id", "language", "speaker_id", "outlet", "speaker", "text", "kind")


@dataclass(frozen=True)
class LinkOptions:
    neighbours: NeighbourOptions = field(default_factory=NeighbourOptions)
    # The decision is the link model's (align/link_model.json, fitted by scripts/fit_links.py);
    # these override its thresholds: probability for same_statement, and for keeping a pair as
    # related (-1 keeps every candidate: what the fitting script reads).
    same_statement: float | None = None
    related: float | None = None
    model: str | None = None  # path of another fitted link model
    # what ``score`` adds to the margin when both speakers are the same, and takes off when they differ
    speaker_agreement: float = 0.01
    speaker_conflict: float = 0.06

    def link_model(self) -> LinkModel:
        return load_link_model(Path(self.model)) if self.model else shipped_link_model()


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
    stories: Stories | None = None,
) -> Linked:
    """``quote_links`` and ``quote_clusters`` for ``quotes`` (QUOTE_COLUMNS, one row per vector).

    Each candidate pair of the neighbour search gets a probability from the link model over its
    features (``align.link_model``); it is the same statement at the model's threshold when its
    articles tell one story (``stories``; outside one story only a near-verbatim wording links)
    and its speakers do not conflict, and each quote takes at most one rendering per other
    article, the likeliest. ``translated`` pairs (row indices) sit in aligned sentences of a
    translation or copy: the same statement by construction, unless their speakers conflict and a
    closer rendering of either sits in the same aligned sentences. ``executor`` runs the
    neighbour search's shards. Speakers are then carried across the translated pairs
    (``align.speakers``; ``originals``: articles known to be a translation's original; ``sure``:
    the groups of articles whose translation links are sure enough to carry them, all when None), and
    the pairs are decided again with the speakers so carried."""
    model = options.link_model()
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
    story = (
        stories.score([article_ids[i] for i in a], [article_ids[i] for i in b])
        if stories is not None
        else np.zeros(len(a), dtype=np.float32)
    )
    sides = _Sides(columns, a, b)

    def decide(speaker_ids: list[str | None]) -> _Decision:
        return _decide(pairs, story, sides, speaker_ids, via_translation & one_way, via_translation & best_match,
                       model, options)  # fmt: skip

    decided = decide(speakers)
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
    decided = decide(speakers)
    related = model.related if options.related is None else options.related
    keep = np.nonzero(decided.same | (decided.probability >= related))[0]
    rows = []
    for i in keep:
        x, y = int(a[i]), int(b[i])
        if ids[x] > ids[y]:
            x, y = y, x
        rows.append({
            "quote_id_a": ids[x], "quote_id_b": ids[y], "cosine": float(pairs.cosine[i]),
            "margin": float(pairs.margin[i]), "score": float(decided.score[i]),
            "same_speaker": bool(decided.agree[i]) if decided.both_known[i] else None,
            "cross_language": languages[x] != languages[y],
            "cross_outlet": outlets[x] is None or outlets[x] != outlets[y],
            "relation": "same_statement" if decided.same[i] else "related",
            "evidence": "translation" if decided.by_translation[i] else "model",
            "probability": float(decided.probability[i]), "story": float(story[i]),
        })  # fmt: skip
    rows.sort(key=lambda r: (r["quote_id_a"], r["quote_id_b"]))
    links = schemas.validate(pa.Table.from_pylist(rows, schema=schemas.QUOTE_LINKS), "quote_links")
    return Linked(links, cluster_quotes(links, dict(zip(ids, speakers, strict=True))), carried)


class _Sides:
    """The two quotes of each candidate pair, side by side."""

    def __init__(self, columns: dict[str, list], a: np.ndarray, b: np.ndarray) -> None:
        self.texts = ([columns["text"][i] for i in a], [columns["text"][i] for i in b])
        self.kinds = ([columns["kind"][i] for i in a], [columns["kind"][i] for i in b])
        self.names = ([columns["speaker"][i] for i in a], [columns["speaker"][i] for i in b])
        self.articles = ([columns["article_id"][i] for i in a], [columns["article_id"][i] for i in b])
        languages = columns["language"]
        self.cross_language = np.array([languages[x] != languages[y] for x, y in zip(a, b, strict=True)], dtype=bool)


@dataclass(frozen=True)
class _Decision:
    score: np.ndarray
    probability: np.ndarray
    same: np.ndarray
    by_translation: np.ndarray
    agree: np.ndarray
    both_known: np.ndarray


def _decide(
    pairs: Pairs,
    story: np.ndarray,
    sides: _Sides,
    speakers: list[str | None],
    one_way: np.ndarray,
    best_match: np.ndarray,
    model: LinkModel,
    options: LinkOptions,
) -> _Decision:
    """Which candidate pairs are the same statement, given who the speakers are."""
    known = np.array([s is not None for s in speakers], dtype=bool)
    speaker_codes = np.unique(np.array([s or "" for s in speakers], dtype=object), return_inverse=True)[1]
    a, b = pairs.a, pairs.b
    both_known = known[a] & known[b] if len(a) else np.zeros(0, dtype=bool)
    one_story = story >= model.story
    # within one story a surname is the full name it ends (`Sivan` = `K. Sivan`), an acronym its
    # words (`BCE` = `Banco Central Europeo`)
    named_alike = np.array([_same_name(x, y) for x, y in zip(*sides.names, strict=True)], dtype=bool)
    agree = both_known & ((speaker_codes[a] == speaker_codes[b]) | (one_story & named_alike))
    # a person and an organisation may be one voice (`Margaret Stewart` speaking for the `Los
    # Angeles Fire Department`): only two people, or two organisations, are different speakers
    kinds_alike = np.array([_is_person(x) == _is_person(y) for x, y in zip(*sides.names, strict=True)], dtype=bool)
    both_known &= agree | kinds_alike  # else it cannot tell
    conflict = both_known & ~agree
    score = pairs.margin + options.speaker_agreement * agree - options.speaker_conflict * conflict
    features = pair_features(pairs.cosine, pairs.margin, agree, ~both_known, sides.texts, sides.kinds,
                             sides.cross_language)  # fmt: skip
    probability = model.probability(features)
    threshold = model.same_statement if options.same_statement is None else options.same_statement
    likely = ~conflict & (
        (
            (probability >= threshold)
            & (pairs.margin >= model.min_margin)
            & (one_story | (pairs.cosine >= model.verbatim))
        )
        | (one_story & (pairs.cosine >= model.close))
    )
    # speakers that differ across a translation are mostly a misread attribution on one side:
    # the quotes still render each other when each is the other's closest in the aligned sentences;
    # with no conflict, when one of them is: a quote kept whole on one side and cut in two on the
    # other pairs with both halves, but two statements in one merged group do not cross-pair
    by_translation = (~conflict & one_way) | best_match
    same = by_translation | one_rendering_per_article(likely & ~by_translation, probability, sides.articles, a, b)
    return _Decision(score, probability, same, by_translation, agree, both_known)


def one_rendering_per_article(
    candidates: np.ndarray, probability: np.ndarray, articles: tuple[list[str], list[str]], a: np.ndarray, b: np.ndarray
) -> np.ndarray:
    """Of the candidate pairs, each quote's likeliest per other article, taken greedily: a
    statement has one rendering in each article (as the gold of cross_outlet_dev is labelled)."""
    chosen = np.zeros(len(candidates), dtype=bool)
    taken: set[tuple[int, str]] = set()
    for i in sorted(np.nonzero(candidates)[0].tolist(), key=lambda i: -probability[i]):
        x, y = int(a[i]), int(b[i])
        if (x, articles[1][i]) in taken or (y, articles[0][i]) in taken:
            continue
        taken |= {(x, articles[1][i]), (y, articles[0][i])}
        chosen[i] = True
    return chosen


def _same_name(x: str | None, y: str | None) -> bool:
    """Two names with a word of three letters or more in common, in Latin letters, or one the
    initials of the other's capitalized words."""
    if not x or not y:
        return False
    words = [{w for w in re.findall(r"[a-z]{3,}", anyascii(n).casefold())} for n in (x, y)]
    return bool(words[0] & words[1]) or _initials(x) == y or _initials(y) == x


def _initials(name: str) -> str:
    return "".join(w[0] for w in name.split() if w[:1].isupper()) if " " in name else ""


def _is_person(name: str | None) -> bool:
    """A name opening with a known first name (after a title) and not ending in an organisation
    noun (`Los Angeles Fire Department`); a Han name, which cannot tell, counts as one."""
    if not name:
        return False
    words = [w.strip(".,()") for w in name.split()]
    if HAN.search(name):
        return True
    if len(words) < 2 or words[-1].casefold() in language_resources("en").organisation_nouns:
        return False
    return any(first_name_gender(w) for w in words[:2])


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
    """Connected groups of ``same_statement`` links, joined likeliest first; a link that would put
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
    for link in sorted(same, key=lambda r: (-r["probability"], r["quote_id_a"], r["quote_id_b"])):
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
