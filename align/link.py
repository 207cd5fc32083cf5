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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pyarrow as pa
from anyascii import anyascii

from quotetrace import schemas
from quotetrace.align.executors import Executor, LocalExecutor
from quotetrace.align.link_model import FEATURES, LinkModel, load_link_model, pair_features, shipped_link_model
from quotetrace.align.neighbours import NeighbourOptions, Pairs, margin_pairs
from quotetrace.align.speakers import Carried, carry_speakers
from quotetrace.align.stories import Stories
from quotetrace.corpus.attribution.names import name_in_text, names_a_person, text_words
from quotetrace.schemas import PROJECTED

# Columns link_quotes needs for each quote (the quotes table joined with its article's outlet).
QUOTE_COLUMNS = (
    "quote_id", "article_id", "language", "speaker_id", "outlet", "speaker", "text", "kind", "evidence", "start", "end",
)  # fmt: skip


@dataclass(frozen=True)
class LinkOptions:
    neighbours: NeighbourOptions = field(default_factory=NeighbourOptions)
    # The decision is the link model's (align/link_model.json, fitted by scripts/fit_links.py);
    # these override its thresholds: probability for same_statement, and for keeping a pair as
    # related (0 or -1 keeps every candidate: what the fitting script reads).
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
    translated_pairs: int = 0  # candidate pairs from aligned sentences of translations

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
    article_texts: Mapping[str, str] | None = None,
    candidates: tuple[np.ndarray, np.ndarray] | None = None,
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
    the pairs are decided again with the speakers so carried. With ``article_texts`` (article id →
    text), a quote whose speaker is unknown only renders a known speaker's statement when its
    article names that speaker (any spelling of the speaker in the corpus). ``candidates``: more
    pairs (row indices) to decide whatever the neighbour search finds (a projected quote and its
    source, ``align.projection``)."""
    model = options.link_model()
    columns = {name: quotes.column(name).to_pylist() for name in QUOTE_COLUMNS}
    article_ids = columns["article_id"]
    groups = np.unique(np.array(article_ids, dtype=object), return_inverse=True)[1] if article_ids else np.array([])
    speakers, languages, outlets = columns["speaker_id"], columns["language"], columns["outlet"]
    pairs = margin_pairs(
        vectors, groups, np.array([x or "?" for x in languages], dtype=object), options.neighbours,
        _joined(translated, candidates), executor,
    )  # fmt: skip
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
    sides = _Sides(columns, pairs)
    spellings = spellings_of(speakers, columns["speaker"])

    def decide(speaker_ids: list[str | None]) -> _Decision:
        named = named_across(speaker_ids, a, b, article_ids, spellings, article_texts)
        return _decide(pairs, story, sides, speaker_ids, via_translation & one_way, via_translation & best_match,
                       named, model, options)  # fmt: skip

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
    candidate = decided.probability >= related
    if related > 0:  # "related" is one speaker's other claim: never two known, different speakers, and
        # an unknown speaker only within one story (0 or -1: keep every candidate, as the fitting script does)
        candidate &= np.where(decided.both_known, decided.agree, story >= model.story)
    keep = np.nonzero(decided.same | candidate)[0]
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
    clusters = cluster_quotes(links, dict(zip(ids, speakers, strict=True)))
    return Linked(links, clusters, carried, len(translated[0]) if translated is not None else 0)


class _Sides:
    """The two quotes of each candidate pair, side by side, and what the decision reads of them
    that does not depend on who the speakers are (found once, though the pairs are decided twice)."""

    def __init__(self, columns: dict[str, list], pairs: Pairs) -> None:
        a, b = pairs.a, pairs.b
        self.texts = ([columns["text"][i] for i in a], [columns["text"][i] for i in b])
        self.kinds = ([columns["kind"][i] for i in a], [columns["kind"][i] for i in b])
        self.names = ([columns["speaker"][i] for i in a], [columns["speaker"][i] for i in b])
        self.articles = ([columns["article_id"][i] for i in a], [columns["article_id"][i] for i in b])
        projected = np.array([e == PROJECTED for e in columns["evidence"]], dtype=bool)
        self.projected = projected[a] | projected[b] if len(a) else np.zeros(0, dtype=bool)
        self.positions = (columns["article_id"], columns["start"], columns["end"])
        languages = columns["language"]
        self.languages = ([languages[i] for i in a], [languages[i] for i in b])
        self.cross_language = np.array([languages[x] != languages[y] for x, y in zip(a, b, strict=True)], dtype=bool)
        self.named_alike = np.array([_same_name(x, y) for x, y in zip(*self.names, strict=True)], dtype=bool)
        # a person and an organisation may be one voice (`Margaret Stewart` speaking for the `Los
        # Angeles Fire Department`): only two people, or two organisations, are different speakers
        self.kinds_alike = np.array(
            [
                names_a_person(x, lx) == names_a_person(y, ly)
                for x, y, lx, ly in zip(*self.names, *self.languages, strict=True)
            ],
            dtype=bool,
        )
        unset = np.zeros(len(a), dtype=bool)  # the speaker features, set by each decision
        self.features = pair_features(pairs.cosine, pairs.margin, unset, unset, self.texts, self.kinds,
                                      self.cross_language)  # fmt: skip

    def features_with(self, agree: np.ndarray, unknown: np.ndarray) -> np.ndarray:
        """The pair features with the speaker features of one decision."""
        features = self.features.copy()
        features[:, FEATURES.index("same_speaker")] = agree
        features[:, FEATURES.index("speaker_unknown")] = unknown
        return features

    def parts(self, speaker_ids: list[str | None]) -> Callable[[int, int], bool]:
        return statement_parts(*self.positions, speaker_ids)


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
    named: np.ndarray,
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
    agree = both_known & ((speaker_codes[a] == speaker_codes[b]) | (one_story & sides.named_alike))
    both_known &= agree | sides.kinds_alike  # else it cannot tell (see _Sides.kinds_alike)
    conflict = both_known & ~agree
    score = pairs.margin + options.speaker_agreement * agree - options.speaker_conflict * conflict
    probability = model.probability(sides.features_with(agree, ~both_known))
    threshold = model.same_statement if options.same_statement is None else options.same_statement
    likely = likely_same(probability, pairs.margin, pairs.cosine, one_story, conflict, named | agree, model, threshold)
    # speakers that differ across a translation are mostly a misread attribution on one side:
    # the quotes still render each other when each is the other's closest in the aligned sentences;
    # with no conflict, when one of them is: a quote kept whole on one side and cut in two on the
    # other pairs with both halves, but two statements in one merged group do not cross-pair
    by_translation = (~conflict & one_way) | best_match
    same = by_translation | one_rendering_per_article(
        likely & ~by_translation, probability, sides.articles, a, b, sides.projected, sides.parts(speakers)
    )
    return _Decision(score, probability, same, by_translation, agree, both_known)


def likely_same(
    probability: np.ndarray,
    margin: np.ndarray,
    cosine: np.ndarray,
    one_story: np.ndarray,
    conflict: np.ndarray,
    named: np.ndarray,
    model: LinkModel,
    threshold: float,
) -> np.ndarray:
    """Candidate pairs that may be the same statement (before one rendering per article): likely
    enough, standing out from their neighbours, within one story or word for word, and with no
    speaker conflict. ``named``: the speakers agree, or an article names the other side's speaker;
    else an unknown speaker, or an organisation against a person, is no one voice (the German
    Foreign Office's `porte-parole` is not Haaretz, whom that article never mentions; UNISFA is not
    Abyei's administrator)."""
    by_model = (probability >= threshold) & (margin >= model.min_margin) & (one_story | (cosine >= model.verbatim))
    likely = ~conflict & named & (by_model | (one_story & (cosine >= model.close)))
    # one wording word for word within one story is one statement: when its speakers differ, one
    # of them is misread (`de Dios` for Pope Francis), as across a translation
    return likely | (one_story & (cosine >= model.verbatim) & (margin >= model.min_margin) & named)


def one_rendering_per_article(
    candidates: np.ndarray,
    probability: np.ndarray,
    articles: tuple[list[str], list[str]],
    a: np.ndarray,
    b: np.ndarray,
    projected: np.ndarray | None = None,
    parts: Callable[[int, int], bool] | None = None,
) -> np.ndarray:
    """Of the candidate pairs, each quote's likeliest per other article, taken greedily: a
    statement has one rendering in each article (as the gold of cross_outlet_dev is labelled), or
    two when the other article splits it in two ``parts`` (quote rows, see ``statement_parts``).
    Pairs with a ``projected`` quote come after every other: a rendering the article quotes itself
    is the one to link."""
    chosen = np.zeros(len(candidates), dtype=bool)
    taken: dict[tuple[int, str], list[int]] = {}  # (quote, other article) -> its renderings there
    late = projected if projected is not None else np.zeros(len(candidates), dtype=bool)
    for i in sorted(np.nonzero(candidates)[0].tolist(), key=lambda i: (bool(late[i]), -probability[i])):
        x, y = int(a[i]), int(b[i])
        there, here = taken.get((x, articles[1][i]), []), taken.get((y, articles[0][i]), [])
        if (here and (there or not _second_part(here, x, parts))) or (there and not _second_part(there, y, parts)):
            continue
        taken[(x, articles[1][i])] = [*there, y]
        taken[(y, articles[0][i])] = [*here, x]
        chosen[i] = True
    return chosen


def _second_part(renderings: list[int], quote: int, parts: Callable[[int, int], bool] | None) -> bool:
    """Whether ``quote`` may join the one rendering taken so far as the other part of its statement."""
    return parts is not None and len(renderings) == 1 and parts(renderings[0], quote)


def statement_parts(
    article_ids: Sequence[str], starts: Sequence[int], ends: Sequence[int], speaker_ids: Sequence[str | None]
) -> Callable[[int, int], bool]:
    """Whether two quote rows may be two parts of one statement: one article, one known speaker,
    at most ``_PART_GAP`` characters apart (`… the most fitting place`, then a sentence later
    `I have always believed these commemorations should …`)."""

    def parts(x: int, y: int) -> bool:
        gap = max(starts[x], starts[y]) - min(ends[x], ends[y])
        return (
            x != y and article_ids[x] == article_ids[y] and speaker_ids[x] is not None
            and speaker_ids[x] == speaker_ids[y] and gap <= _PART_GAP
        )  # fmt: skip

    return parts


_PART_GAP = 300
_LINKAGE = 0.25  # share of two groups' quote pairs that must be linked for them to join


def _joined(
    x: tuple[np.ndarray, np.ndarray] | None, y: tuple[np.ndarray, np.ndarray] | None
) -> tuple[np.ndarray, np.ndarray] | None:
    if x is None or y is None:
        return x if y is None else y
    return np.concatenate([x[0], y[0]]), np.concatenate([x[1], y[1]])


def spellings_of(speaker_ids: list[str | None], names: list[str | None]) -> dict[str, set[str]]:
    """Every spelling of each speaker the quotes carry (Lavrov, Лавров)."""
    found: dict[str, set[str]] = {}
    for speaker, name in zip(speaker_ids, names, strict=True):
        if speaker is not None and name:
            found.setdefault(speaker, set()).add(name)
    return found


def named_across(
    speaker_ids: list[str | None],
    a: np.ndarray,
    b: np.ndarray,
    article_ids: list[str],
    spellings: dict[str, set[str]],
    texts: Mapping[str, str] | None,
) -> np.ndarray:
    """For each pair of quotes with different speakers: whether the article of either names the
    other's speaker (an unknown speaker has no name to look for). Who it may be: an unknown speaker
    the known one named in its article, an organisation its spokesperson (`LAFD spokeswoman
    Margaret Stewart`). True for pairs with one speaker, none, or without texts."""
    named = np.ones(len(a), dtype=bool)
    if texts is None:
        return named
    seen: dict[tuple[str, str], bool] = {}
    words: dict[str, frozenset[str]] = {}  # an article's words, found once for all its pairs

    def names(speaker: str | None, article: str) -> bool:
        if speaker is None:
            return False
        if (speaker, article) not in seen:
            text = texts.get(article, "")
            if article not in words:
                words[article] = text_words(text)
            seen[(speaker, article)] = any(name_in_text(name, text, words[article])
                                           for name in spellings.get(speaker, ()))  # fmt: skip
        return seen[(speaker, article)]

    for i, (x, y) in enumerate(zip(a.tolist(), b.tolist(), strict=True)):
        if speaker_ids[x] != speaker_ids[y]:
            named[i] = names(speaker_ids[y], article_ids[x]) or names(speaker_ids[x], article_ids[y])
    return named


def _same_name(x: str | None, y: str | None) -> bool:
    """Two names with a word of three letters or more in common, in Latin letters, or one the
    initials of the other's capitalized words."""
    if not x or not y:
        return False
    return bool(_name_words(x) & _name_words(y)) or _initials(x) == y or _initials(y) == x


@lru_cache(maxsize=1 << 14)
def _name_words(name: str) -> frozenset[str]:
    return frozenset(re.findall(r"[a-z]{3,}", anyascii(name).casefold()))


def _initials(name: str) -> str:
    return "".join(w[0] for w in name.split() if w[:1].isupper()) if " " in name else ""


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
    """Groups of ``same_statement`` links, joined likeliest first. Two groups join only when at least
    a quarter of their pairs of quotes are linked (average linkage): one quote that holds two
    statements (a translation that merged two sentences links to the renderings of both) does not
    chain them into one cluster. A link that would put two different known speakers in one cluster
    is skipped."""
    parent: dict[str, str] = {}
    speaker: dict[str, str | None] = {}
    group: dict[str, set[str]] = {}  # root -> its quotes
    linked: dict[str, set[str]] = {}  # quote -> the quotes it is the same statement as

    def root(q: str) -> str:
        parent.setdefault(q, q)
        while parent[q] != q:
            parent[q] = parent[parent[q]]
            q = parent[q]
        return q

    same = [r for r in links.to_pylist() if r["relation"] == "same_statement"]
    for link in same:
        linked.setdefault(link["quote_id_a"], set()).add(link["quote_id_b"])
        linked.setdefault(link["quote_id_b"], set()).add(link["quote_id_a"])
    for link in sorted(same, key=lambda r: (-r["probability"], r["quote_id_a"], r["quote_id_b"])):
        a, b = link["quote_id_a"], link["quote_id_b"]
        for q in (a, b):
            if q not in parent:
                parent[q], speaker[q], group[q] = q, speaker_of.get(q), {q}
        root_a, root_b = root(a), root(b)
        if root_a == root_b:
            continue
        speaker_a, speaker_b = speaker[root_a], speaker[root_b]
        if speaker_a is not None and speaker_b is not None and speaker_a != speaker_b:
            continue
        small, large = sorted((group[root_a], group[root_b]), key=len)
        if sum(len(linked[q] & large) for q in small) < _LINKAGE * len(small) * len(large):
            continue
        parent[root_b] = root_a
        speaker[root_a] = speaker_a or speaker_b
        group[root_a] |= group.pop(root_b)
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
