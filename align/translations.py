"""Article links: which articles are translations or copies of each other (or tell the same
story), which one is the original, and their sentence alignment.

Candidates come from document vectors (the mean of an article's sentence vectors) with the same
margin-scored neighbour search as quotes, plus every pair a provenance line names directly (an
article's ``original_url`` is another article's ``url``). Each candidate is verified by aligning
its sentences (``align.sentence_align``): a translation or copy renders most sentences of the
other one by one, which two articles on one story do not.

Relation: ``translation`` across languages, ``copy`` within one language near word for word,
``same_story`` for a partial alignment, a same-language rewording, or two translations of a third
original (siblings). Direction, from the strongest evidence there is: the original's address, a
``translated_from`` language (a marker or the input's metadata), an article in another language
than its outlet publishes in, then the earlier publication date.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pyarrow as pa

from quotetrace import schemas
from quotetrace.align.executors import Executor, LocalExecutor
from quotetrace.align.neighbours import NeighbourOptions, Pairs, margin_pairs
from quotetrace.align.sentence_align import Alignment, Group, SentenceAlignOptions, absorb_skips, align_sentences
from quotetrace.align.stories import Stories

# Columns link_articles needs for each article.
ARTICLE_COLUMNS = (
    "article_id", "language", "url", "original_url", "translated_from", "is_translation", "published",
    "outlet_language", "language_mismatch",
)  # fmt: skip


@dataclass(frozen=True)
class TranslationOptions:
    enabled: bool = True
    neighbours: NeighbourOptions = field(default_factory=lambda: NeighbourOptions(candidates=4))
    sentences: SentenceAlignOptions = field(default_factory=SentenceAlignOptions)
    # Chosen with benchmarks/translations.py (figures in benchmarks/results/translations.json).
    min_margin: float = 1.0  # document-vector margin below which a candidate is not verified
    min_coverage: float = 0.5  # share of sentences in clearly aligned groups for a translation or copy
    clear_margin: float = 1.02  # a group's margin at and above which it is clearly aligned
    min_similarity: float = 0.84  # mean cosine of the aligned sentences for a translation or copy
    copy_similarity: float = 0.97  # same language at or above this: a copy, below it: a rewording
    # clearly aligned this far but with a low mean cosine (a loose rewording): same story
    partial_coverage: float = 0.7


Pair = tuple[str, str]  # (article_id_a, article_id_b), the smaller id first


@dataclass(frozen=True)
class ArticleLinks:
    links: pa.Table  # article_links
    sentence_links: pa.Table  # sentence_links
    alignments: dict[Pair, Alignment]  # translations and copies
    verified: dict[Pair, Alignment]  # every candidate pair, linked or not (the candidate_alignments table)
    reused: int  # candidates whose alignment was given, not computed

    @property
    def candidates(self) -> int:
        return len(self.verified)

    @property
    def translations(self) -> int:
        return sum(r == "translation" for r in self.links.column("relation").to_pylist())


def link_articles(
    articles: pa.Table,
    sentences: pa.Table,
    vectors: np.ndarray,
    options: TranslationOptions = TranslationOptions(),
    known: Mapping[Pair, Alignment] | None = None,
    executor: Executor = LocalExecutor(),
    stories: tuple[Stories, float] | None = None,
) -> ArticleLinks:
    """``article_links`` and ``sentence_links`` for ``articles`` (ARTICLE_COLUMNS) given the
    ``sentences`` table (article_id, index) and one vector per sentence row. ``known`` holds
    alignments computed before from the same vectors and options (``candidate_alignments`` of an
    earlier snapshot); a candidate found there is not aligned again. ``executor`` runs the
    document neighbour search's shards. ``stories`` (story scores and the one-story threshold):
    a translation or copy tells the same story as its original, so below it only a provenance
    line naming the original makes one."""
    known = known or {}
    meta = {row["article_id"]: row for row in articles.select(list(ARTICLE_COLUMNS)).to_pylist()}
    rows_of = _rows_by_article(sentences)
    ids = [a for a in meta if a in rows_of]
    documents = np.stack([_unit(vectors[rows_of[a]].mean(axis=0)) for a in ids]) if ids else np.zeros((0, 1))
    pairs = margin_pairs(
        documents, np.arange(len(ids)), np.array([meta[a]["language"] or "?" for a in ids], dtype=object),
        options.neighbours, executor=executor,
    )  # fmt: skip
    # (cosine of the documents, whether they stand out: a clear margin, or a translation's closest
    # article in its source language)
    candidates: dict[tuple[str, str], tuple[float, bool]] = {}
    closest_source = _closest_in_source_language(pairs, [meta[a] for a in ids])
    for i, (x, y, cosine, margin) in enumerate(zip(pairs.a, pairs.b, pairs.cosine, pairs.margin, strict=True)):
        if margin >= options.min_margin or i in closest_source:
            stands_out = bool(margin >= options.clear_margin or i in closest_source)
            candidates[_ordered(ids[x], ids[y])] = (float(cosine), stands_out)
    position = {a: i for i, a in enumerate(ids)}
    for a, b in _named_originals(meta):
        if a in position and b in position:
            candidates.setdefault(_ordered(a, b), (float(documents[position[a]] @ documents[position[b]]), True))
    links, sentence_rows, alignments, verified = [], [], {}, {}
    search = replace(options.sentences, absorb_tolerance=None)
    for (a, b), (cosine, stands_out) in sorted(candidates.items()):
        alignment = known.get((a, b)) or align_sentences(vectors[rows_of[a]], vectors[rows_of[b]], search)
        verified[(a, b)] = alignment
        link = classify(meta[a], meta[b], alignment, cosine, options, stands_out)
        if link is None or (stories is not None and _other_stories(link, meta, stories)):
            continue
        links.append(link)
        if link["relation"] in ("translation", "copy"):  # judged on the search, linked with skips absorbed
            alignment = absorb_skips(alignment, vectors[rows_of[a]], vectors[rows_of[b]], options.sentences)
            alignments[(a, b)] = alignment
            index_a, index_b = sentences_index(sentences, rows_of[a]), sentences_index(sentences, rows_of[b])
            sentence_rows.extend(
                {
                    "article_id_a": a,
                    "article_id_b": b,
                    "sentences_a": [index_a[i] for i in group.a],
                    "sentences_b": [index_b[j] for j in group.b],
                    "score": group.cosine,
                    "kind": group.kind,
                }
                for group in alignment.groups
            )
    return ArticleLinks(
        links=schemas.validate(pa.Table.from_pylist(links, schema=schemas.ARTICLE_LINKS), "article_links"),
        sentence_links=schemas.validate(
            pa.Table.from_pylist(sentence_rows, schema=schemas.SENTENCE_LINKS), "sentence_links"
        ),
        alignments=alignments,
        verified=verified,
        reused=sum(pair in known for pair in verified),
    )


def _other_stories(link: dict[str, Any], meta: dict[str, dict[str, Any]], stories: tuple[Stories, float]) -> bool:
    """A translation or copy link between articles on different stories that no provenance line
    joins (`The Walking Dead` and `Lindenstraße`, half their sentences "aligned")."""
    a, b = link["article_id_a"], link["article_id_b"]
    if (
        link["relation"] not in ("translation", "copy")
        or _names_original(meta[a], meta[b])
        or _names_original(meta[b], meta[a])
    ):
        return False
    scores, threshold = stories
    return bool(scores.score([a], [b])[0] < threshold)


def candidate_alignments(verified: Mapping[Pair, Alignment], model: str) -> pa.Table:
    """The ``candidate_alignments`` table of ``ArticleLinks.verified``."""
    rows = [
        {
            "article_id_a": a,
            "article_id_b": b,
            "model": model,
            "sentences_a": alignment.sentences_a,
            "sentences_b": alignment.sentences_b,
            "groups": [
                {"a": list(g.a), "b": list(g.b), "cosine": g.cosine, "margin": g.margin} for g in alignment.groups
            ],
        }
        for (a, b), alignment in sorted(verified.items())
    ]
    return schemas.validate(pa.Table.from_pylist(rows, schema=schemas.CANDIDATE_ALIGNMENTS), "candidate_alignments")


def known_alignments(table: pa.Table | None, model: str) -> dict[Pair, Alignment]:
    """Alignments of a ``candidate_alignments`` table made with ``model``, by article pair."""
    if table is None:
        return {}
    return {
        (row["article_id_a"], row["article_id_b"]): Alignment(
            [Group(tuple(g["a"]), tuple(g["b"]), g["cosine"], g["margin"]) for g in row["groups"]],
            row["sentences_a"],
            row["sentences_b"],
        )
        for row in table.to_pylist()
        if row["model"] == model
    }


def classify(
    a: dict[str, Any],
    b: dict[str, Any],
    alignment: Alignment,
    cosine: float,
    options: TranslationOptions,
    stands_out: bool = False,
) -> dict[str, Any] | None:
    """The ``article_links`` row of two articles (a's id the smaller), or None when unrelated.

    ``stands_out`` says the two documents stand out among all articles (a clear margin, or a
    translation's closest article in its source language). It stands in for the sentence margins
    when an article has one sentence: within the pair, a lone sentence is its own only neighbour,
    so its margin says nothing."""
    cross_language = a["language"] != b["language"]
    named = _names_original(a, b) or _names_original(b, a)
    clear = alignment.coverage_above(options.clear_margin)
    if min(alignment.sentences_a, alignment.sentences_b) == 1 and stands_out:
        clear = max(clear, alignment.coverage)
    sibling = _siblings(a, b)
    # a translation from Russian is no translation of a Ukrainian article: only the other way
    # round (a translation of a translation) could link them, and that needs clearer evidence
    doubtful = not sibling and any(
        x["translated_from"] and x["translated_from"] != y["language"] for x, y in ((a, b), (b, a))
    )
    needed = options.partial_coverage if doubtful else options.min_coverage
    full = clear >= needed and alignment.similarity >= options.min_similarity
    if not (full or named or clear >= options.partial_coverage):
        return None
    direction, why = direction_of(a, b)
    if full or named:
        if sibling and not named:
            relation = "same_story"
            why = f"both translated from {a['translated_from']}"
        elif cross_language:
            relation = "translation"
        else:
            relation = "copy" if alignment.similarity >= options.copy_similarity else "same_story"
    else:
        relation = "same_story"
    evidence = (
        f"{alignment.coverage:.0%} of sentences aligned ({clear:.0%} clearly), mean cosine {alignment.similarity:.3f}"
    )
    return {
        "article_id_a": a["article_id"], "article_id_b": b["article_id"], "relation": relation,
        "direction": direction if relation != "same_story" else None, "score": round(alignment.coverage, 4),
        "evidence": evidence + (f"; {why}" if why else ""), "cosine": cosine,
        "similarity": round(alignment.similarity, 4), "cross_language": cross_language,
    }  # fmt: skip


def _closest_in_source_language(pairs: Pairs, meta: list[dict[str, Any]]) -> set[int]:
    """Indices of the candidate pairs that join a translation (``translated_from`` known) to its
    closest article in that language. Twenty translations of one original crowd its neighbourhood
    and drown the margin of each; the closest article in the source language is still worth
    verifying."""
    best: dict[int, tuple[float, int]] = {}
    for i, (x, y, cosine) in enumerate(zip(pairs.a.tolist(), pairs.b.tolist(), pairs.cosine.tolist(), strict=True)):
        for one, other in ((x, y), (y, x)):
            source = meta[one]["translated_from"]
            if source and meta[other]["language"] == source and cosine > best.get(one, (-2.0, -1))[0]:
                best[one] = (cosine, i)
    return {i for _, i in best.values()}


def direction_of(a: dict[str, Any], b: dict[str, Any]) -> tuple[str | None, str | None]:
    """("a_to_b" when a is the original, "b_to_a", or None) and the evidence, strongest first."""
    for original, copy, code in ((a, b, "a_to_b"), (b, a, "b_to_a")):
        if _names_original(copy, original):
            return code, f"original_url of the translation is {original['url']}"
    for original, copy, code in ((a, b, "a_to_b"), (b, a, "b_to_a")):
        if (
            copy["translated_from"]
            and copy["translated_from"] == original["language"]
            and not original["is_translation"]
        ):
            return code, f"translated from {copy['translated_from']}"
    for original, copy, code in ((a, b, "a_to_b"), (b, a, "b_to_a")):
        if (
            copy["language_mismatch"]
            and not original["language_mismatch"]
            and copy["outlet_language"] == original["language"]
        ):
            return code, f"its outlet publishes in {original['language']}, not {copy['language']}"
    if a["published"] and b["published"] and a["published"] != b["published"]:
        return ("a_to_b", "published earlier") if a["published"] < b["published"] else ("b_to_a", "published earlier")
    return None, None


def sentences_index(sentences: pa.Table, rows: np.ndarray) -> list[int]:
    """The ``index`` values of the given sentence rows."""
    return sentences.column("index").take(pa.array(rows)).to_pylist()


def _rows_by_article(sentences: pa.Table) -> dict[str, np.ndarray]:
    """Sentence rows of each article, in sentence order."""
    ids = np.array(sentences.column("article_id").to_pylist(), dtype=object)
    order = np.lexsort((sentences.column("index").to_numpy(), ids))
    if not len(order):
        return {}
    sorted_ids = ids[order]
    starts = np.flatnonzero(np.r_[True, sorted_ids[1:] != sorted_ids[:-1]])
    ends = np.r_[starts[1:], len(order)]
    return {sorted_ids[s]: order[s:e] for s, e in zip(starts, ends, strict=True)}


def _named_originals(meta: dict[str, dict[str, Any]]) -> list[tuple[str, str]]:
    """(translation, original) pairs where a provenance line names the original's address."""
    by_url = {_url_key(row["url"]): a for a, row in meta.items() if row["url"]}
    return [
        (a, by_url[_url_key(row["original_url"])])
        for a, row in meta.items()
        if row["original_url"]
        and _url_key(row["original_url"]) in by_url
        and by_url[_url_key(row["original_url"])] != a
    ]


def _names_original(copy: dict[str, Any], original: dict[str, Any]) -> bool:
    return bool(
        copy["original_url"] and original["url"] and _url_key(copy["original_url"]) == _url_key(original["url"])
    )


def _siblings(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Both are translations of one original language that neither is written in."""
    source = a["translated_from"]
    return bool(source and source == b["translated_from"] and source not in (a["language"], b["language"]))


def _url_key(url: str) -> str:
    """An address without scheme, ``www.``, query or trailing slash: the same page written two ways."""
    url = url.strip().lower().split("://", 1)[-1].split("?", 1)[0].split("#", 1)[0]
    return url.removeprefix("www.").rstrip("/")


def _ordered(x: str, y: str) -> tuple[str, str]:
    return (x, y) if x < y else (y, x)


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(vector)
    return vector / norm if norm else vector


def translated_quote_pairs(
    quotes: pa.Table, sentences: pa.Table, alignments: dict[tuple[str, str], Alignment]
) -> tuple[np.ndarray, np.ndarray]:
    """Row pairs of ``quotes`` (article_id, start, end) that render one sentence: quotes in aligned
    sentence groups of a translation or copy, and quotes in two translations aligned to the same
    sentence of their original (twenty outlets' renderings of one wire story pair with each other
    through it, though no two of them were compared)."""
    spans: dict[str, list[tuple[int, int, int]]] = {}
    for article_id, index, start, end in zip(
        *(sentences.column(c).to_pylist() for c in ("article_id", "index", "start", "end")), strict=True
    ):
        spans.setdefault(article_id, []).append((index, start, end))
    quotes_of: dict[str, list[tuple[int, set[int]]]] = {}
    for row, (article_id, start, end) in enumerate(
        zip(*(quotes.column(c).to_pylist() for c in ("article_id", "start", "end")), strict=True)
    ):
        if article_id in spans:
            covered = {i for i, s, e in spans[article_id] if s < end and e > start}
            quotes_of.setdefault(article_id, []).append((row, covered))
    article_of = quotes.column("article_id").to_pylist()
    renderings: dict[tuple[str, int], set[int]] = {}  # (article, sentence) → quote rows rendering it
    for (a, b), alignment in alignments.items():
        for group in alignment.aligned:
            in_a = [row for row, covered in quotes_of.get(a, []) if covered.intersection(group.a)]
            in_b = [row for row, covered in quotes_of.get(b, []) if covered.intersection(group.b)]
            if not (in_a or in_b):
                continue
            for sentence in (*((a, i) for i in group.a), *((b, j) for j in group.b)):
                renderings.setdefault(sentence, set()).update(in_a, in_b)
    pairs = sorted({
        (min(x, y), max(x, y))
        for rows in renderings.values()
        for x, y in itertools.combinations(rows, 2)
        if article_of[x] != article_of[y]
    })  # fmt: skip
    return np.array([p[0] for p in pairs], dtype=np.int64), np.array([p[1] for p in pairs], dtype=np.int64)
