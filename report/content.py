"""What the report shows, gathered from a snapshot: overview counts, each speaker's statements
with every wording and how it changed, provenance chains, and the articles themselves.

Why a separate step from the HTML: a script can take these dataclasses (or their JSON) and make
its own view; the template only lays them out.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from itertools import combinations
from typing import Any

import numpy as np

from quotetrace.align.duplicates import DuplicateGroup, Variant, statement_clusters
from quotetrace.corpus.info import SnapshotSummary, summarize
from quotetrace.corpus.snapshot import open_snapshot
from quotetrace.encoder.embeddings import vector_matrix
from quotetrace.report.diff import WordDiff, word_diff


@dataclass(frozen=True)
class ReportOptions:
    """How much the report holds: a corpus of millions still gives a file a browser opens."""

    max_speakers: int = 100  # speakers with sections, the most quoted first
    max_clusters: int = 2000  # statements shown in all
    max_other_quotes: int = 20  # quotes outside any cluster listed per speaker
    max_articles: int = 1000  # articles whose text the report carries (those quoted in clusters first)
    max_outlets: int = 30  # rows of the outlet × language table


@dataclass(frozen=True)
class ShownVariant:
    """One wording of a statement, with its diff against the reference wording of its language."""

    variant: Variant
    reference: bool  # the wording the others of its language are compared with (when there are others)
    original: bool  # its article is the cluster's original-language source
    diff: WordDiff | None  # against the reference of the same language; None for a reference


@dataclass(frozen=True)
class Statement:
    """A cluster of one statement: every wording, the reference first."""

    cluster_id: str
    speaker: str | None
    variants: list[ShownVariant]
    drift: float | None  # 1 − mean pairwise cosine of the wordings' vectors: how far the meaning moved

    @property
    def outlets(self) -> list[str]:
        return DuplicateGroup(self.cluster_id, self.speaker, [v.variant for v in self.variants]).outlets

    @property
    def languages(self) -> list[str]:
        return sorted({v.variant.language or "?" for v in self.variants})

    @property
    def words_changed(self) -> float | None:
        """Mean share of words changed between wordings of one language; None when all differ in language."""
        diffs = [v.diff.changed for v in self.variants if v.diff is not None]
        return sum(diffs) / len(diffs) if diffs else None


@dataclass(frozen=True)
class Quote:
    """A quote that no other article repeats."""

    quote_id: str
    text: str
    text_en: str | None
    kind: str
    language: str | None
    article_id: str
    outlet: str | None
    published: date | None


@dataclass(frozen=True)
class SpeakerSection:
    name: str  # "unknown speaker" for statements nobody is named for
    quotes: int  # all quotes attributed to the speaker in the snapshot
    statements: list[Statement]
    other_quotes: list[Quote]


@dataclass(frozen=True)
class ChainLink:
    """A derived article in a provenance chain: a translation or copy of the article above it."""

    article_id: str
    relation: str
    evidence: str
    children: list[ChainLink] = field(default_factory=list)


@dataclass(frozen=True)
class Chain:
    """An original and every article derived from it (translations, then their copies)."""

    article_id: str
    children: list[ChainLink]

    @property
    def size(self) -> int:
        def count(links: list[ChainLink]) -> int:
            return sum(1 + count(link.children) for link in links)

        return 1 + count(self.children)


@dataclass(frozen=True)
class Pending:
    """An article that names an original the corpus does not hold."""

    article_id: str
    original: str  # the original's address, outlet or language, as the article gives it
    evidence: str | None


@dataclass(frozen=True)
class Article:
    article_id: str
    title: str | None
    outlet: str | None
    language: str | None
    published: date | None
    url: str | None
    paragraphs: list[str] | None  # None when the report leaves the text out (over max_articles)
    provenance: str | None
    translated_from: str | None


@dataclass(frozen=True)
class ReportContent:
    summary: SnapshotSummary
    outlet_languages: dict[str, dict[str, int]]  # outlet → language → articles
    speakers: list[SpeakerSection]
    chains: list[Chain]
    pending: list[Pending]
    unordered: list[tuple[str, str, str]]  # translation/copy pairs whose direction no evidence gives
    articles: dict[str, Article]  # the articles referred to, then others up to max_articles
    aligned: bool  # the snapshot has been through the align stage

    @property
    def statements(self) -> int:
        return sum(len(s.statements) for s in self.speakers)

    @property
    def outlet_names(self) -> list[str]:
        return sorted({a.outlet or "unknown" for a in self.articles.values()}, key=str.casefold)

    @property
    def language_names(self) -> list[str]:
        return sorted({a.language or "?" for a in self.articles.values()})

    @property
    def matrix_languages(self) -> list[str]:
        """The outlet × language table's columns, the most common language first."""
        totals: dict[str, int] = defaultdict(int)
        for counts in self.outlet_languages.values():
            for language, n in counts.items():
                totals[language] += n
        return sorted(totals, key=lambda language: (-totals[language], language))


UNKNOWN_SPEAKER = "unknown speaker"


def collect(path: str | os.PathLike[str], options: ReportOptions = ReportOptions()) -> ReportContent:
    """Everything the report shows, read from the snapshot at ``path``; what it loads is bounded by
    ``options`` (statements, speakers, articles), not by the corpus."""
    snapshot = open_snapshot(path)
    links = snapshot.query(_LINKS_SQL).to_pylist()
    derived = {link["derived"] for link in links if link["derived"] is not None}
    translations = set(snapshot.query("select article_id from articles where is_translation").column(0).to_pylist())
    groups = statement_clusters(path)[: options.max_clusters]
    vectors = _cluster_vectors(snapshot) if groups else {}
    statements = [_statement(group, derived | translations, vectors) for group in groups]
    speakers = _speaker_sections(snapshot, statements, options)
    chains, pending, unordered = _provenance(links, snapshot.query(_PENDING_SQL).to_pylist())
    referenced = [v.variant.article_id for s in speakers for st in s.statements for v in st.variants]
    referenced += [q.article_id for s in speakers for q in s.other_quotes]
    referenced += [a for chain in chains for a in _chain_ids(chain)] + [p.article_id for p in pending]
    referenced += [a for pair in unordered for a in pair[:2]]
    return ReportContent(
        summary=summarize(path),
        outlet_languages=_outlet_languages(snapshot, options.max_outlets),
        speakers=speakers,
        chains=chains,
        pending=pending,
        unordered=unordered,
        articles=_articles(snapshot, list(dict.fromkeys(referenced)), options.max_articles),
        aligned="align" in snapshot.manifest,  # built with --no-align: empty link tables, nothing grouped yet
    )


def _articles(snapshot: Any, referenced: list[str], max_articles: int) -> dict[str, Article]:
    """Every article the report refers to, then others up to ``max_articles``; the first
    ``max_articles`` of them carry their text."""
    rows = snapshot.query(_ARTICLES_SQL.format(where="where article_id in (select unnest(?))"), [referenced])
    by_id = {row["article_id"]: row for row in rows.to_pylist()}
    others = snapshot.query(_ARTICLES_SQL.format(where="") + f" limit {int(max_articles)}").to_pylist()
    for row in others:
        by_id.setdefault(row["article_id"], row)
    wanted = set(referenced)
    order = [*(a for a in referenced if a in by_id), *(a for a in by_id if a not in wanted)]
    return {key: _article(by_id[key], i < max_articles) for i, key in enumerate(order)}


_ARTICLES_SQL = """
select article_id, title, outlet, language, published, url, paragraphs, provenance_evidence, translated_from
from articles {where} order by published nulls last, outlet nulls last, article_id
"""

# Articles naming an original (a marker, `translated_from` or `original_url`): pending unless linked.
_PENDING_SQL = """
select article_id, coalesce(original_url, original_outlet, translated_from, '?') as original, provenance_evidence
from articles where is_translation or original_url is not null order by article_id
"""

# One row per translation/copy link; `derived` is the non-original side when the direction is known.
_LINKS_SQL = """
select article_id_a, article_id_b, relation, evidence,
       case direction when 'a_to_b' then article_id_a when 'b_to_a' then article_id_b end as original,
       case direction when 'a_to_b' then article_id_b when 'b_to_a' then article_id_a end as derived
from article_links where relation in ('translation', 'copy') order by article_id_a, article_id_b
"""


def _statement(group: DuplicateGroup, not_original: set[str], vectors: dict[str, np.ndarray]) -> Statement:
    """The cluster's wordings with the reference of each language first: the original-language
    wording (its article is no translation or copy), else the earliest."""

    def is_original(variant: Variant) -> bool:
        return variant.article_id not in not_original

    order = sorted(group.variants, key=lambda v: (not is_original(v), v.published or date.max))
    references: dict[str | None, Variant] = {}
    per_language: dict[str | None, int] = defaultdict(int)
    for variant in order:
        references.setdefault(variant.language, variant)
        per_language[variant.language] += 1
    shown = []
    for variant in order:
        reference = references[variant.language]
        diff = None if variant is reference else word_diff(reference.text, variant.text)
        compared = variant is reference and per_language[variant.language] > 1
        shown.append(ShownVariant(variant, compared, is_original(variant), diff))
    shown.sort(key=lambda s: (s.variant.language != order[0].language, s.variant.language or "", s.diff is not None))
    members = [vectors[v.quote_id] for v in group.variants if v.quote_id in vectors]
    drift = None
    if len(members) >= 2:
        cosines = [float(a @ b) for a, b in combinations(members, 2)]
        drift = max(0.0, 1.0 - sum(cosines) / len(cosines))
    return Statement(group.cluster_id, group.speaker, shown, drift)


def _cluster_vectors(snapshot: Any) -> dict[str, np.ndarray]:
    """The stored vectors of the clustered quotes, for the model the snapshot was aligned with."""
    table = snapshot.query(
        "select e.quote_id, e.vector from quote_embeddings e join quote_clusters c using (quote_id) where e.model = ?",
        [snapshot.manifest.get("align", {}).get("model") or ""],
    )
    return dict(zip(table.column("quote_id").to_pylist(), vector_matrix(table), strict=True)) if table.num_rows else {}


def _speaker_sections(snapshot: Any, statements: list[Statement], options: ReportOptions) -> list[SpeakerSection]:
    """Speakers by quotes, the most quoted first, each with its statements (the most repeated
    first) and its quotes no other article carries; statements of nobody named come last."""
    by_speaker: dict[str, list[Statement]] = defaultdict(list)
    for statement in statements:
        by_speaker[statement.speaker or UNKNOWN_SPEAKER].append(statement)
    counts = {row["name"]: row["n_quotes"] for row in snapshot.query(_SPEAKERS_SQL).to_pylist()}
    others: dict[str, list[Quote]] = defaultdict(list)
    for row in snapshot.query(_OTHER_QUOTES_SQL.format(limit=int(options.max_other_quotes))).to_pylist():
        others[row.pop("name")].append(Quote(**row))
    names = sorted(
        set(counts) | set(by_speaker) - {UNKNOWN_SPEAKER},
        key=lambda n: (n not in by_speaker, -counts.get(n, 0), n),  # speakers with repeated statements first
    )
    sections = [
        SpeakerSection(name, counts.get(name, 0), by_speaker.get(name, []), others.get(name, []))
        for name in names[: options.max_speakers]
    ]
    if by_speaker.get(UNKNOWN_SPEAKER):
        unknown = by_speaker[UNKNOWN_SPEAKER]
        sections.append(SpeakerSection(UNKNOWN_SPEAKER, sum(len(s.variants) for s in unknown), unknown, []))
    for section in sections:
        section.statements.sort(key=lambda s: (-len(s.variants), -(s.drift or 0.0), s.cluster_id))
    return sections


_SPEAKERS_SQL = "select name, n_quotes from speakers order by n_quotes desc, name"

# Each speaker's first quotes (by date) that no cluster holds, at most {limit} a speaker.
_OTHER_QUOTES_SQL = """
select s.name, q.quote_id, q.text, q.text_en, q.kind, q.language, q.article_id, a.outlet, a.published
from quotes q join articles a using (article_id) join speakers s using (speaker_id)
left join quote_clusters c using (quote_id)
where c.cluster_id is null
qualify row_number() over (
    partition by s.name order by a.published nulls last, a.outlet nulls last, q.article_id, q.start) <= {limit}
order by s.name, a.published nulls last, a.outlet nulls last, q.article_id, q.start
"""


def _provenance(
    links: list[dict[str, Any]], naming_an_original: list[dict[str, Any]]
) -> tuple[list[Chain], list[Pending], list[tuple[str, str, str]]]:
    """Chains from each original down through its translations and copies; articles naming an
    original the corpus lacks; linked pairs whose direction no evidence gives."""
    children: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for link in links:
        if link["original"] is not None:
            children[link["original"]].append(link)
    derived = {link["derived"] for link in links if link["derived"] is not None}

    def below(article_id: str, seen: frozenset[str]) -> list[ChainLink]:
        return [
            ChainLink(link["derived"], link["relation"], link["evidence"], below(link["derived"], seen | {article_id}))
            for link in children.get(article_id, [])
            if link["derived"] not in seen
        ]

    roots = [a for a in children if a not in derived] or list(children)[:1]
    chains = [Chain(root, below(root, frozenset())) for root in roots]
    chains.sort(key=lambda c: (-c.size, c.article_id))
    unordered = [
        (link["article_id_a"], link["article_id_b"], link["relation"]) for link in links if not link["original"]
    ]
    pending = [
        Pending(row["article_id"], row["original"], row["provenance_evidence"])
        for row in naming_an_original
        if row["article_id"] not in derived
    ]
    return chains, pending, unordered


def _chain_ids(chain: Chain) -> list[str]:
    def walk(links: list[ChainLink]) -> list[str]:
        return [i for link in links for i in (link.article_id, *walk(link.children))]

    return [chain.article_id, *walk(chain.children)]


def _outlet_languages(snapshot: Any, limit: int) -> dict[str, dict[str, int]]:
    rows = snapshot.query(
        "with top as (select coalesce(outlet, 'unknown') as outlet, count(*) as n from articles group by 1 "
        f"order by n desc, outlet limit {int(limit)}) "
        "select t.outlet, coalesce(a.language, 'unknown') as language, count(*) as n from articles a "
        "join top t on t.outlet = coalesce(a.outlet, 'unknown') group by 1, 2, t.n order by t.n desc, 1, 2"
    ).to_pylist()
    table: dict[str, dict[str, int]] = {}
    for row in rows:
        table.setdefault(row["outlet"], {})[row["language"]] = row["n"]
    return table


def _article(row: dict[str, Any], with_text: bool) -> Article:
    return Article(
        article_id=row["article_id"],
        title=row["title"],
        outlet=row["outlet"],
        language=row["language"],
        published=row["published"],
        url=row["url"],
        paragraphs=row["paragraphs"] if with_text else None,
        provenance=row["provenance_evidence"],
        translated_from=row["translated_from"],
    )
