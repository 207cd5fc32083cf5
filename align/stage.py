"""The align stage: embed quotes and sentences → article links (translations, copies) and their
sentence alignment → quote links (margins, plus quotes in aligned sentences) and clusters → gloss.

It runs inside ``quotetrace build`` (``quotetrace.pipeline`` hands ``align_into`` to the build
as a later stage, committed with it) or alone on an existing snapshot (``quotetrace align DIR``,
:func:`align_snapshot`), which is rewritten atomically with every other table taken over
unchanged. Embeddings of the snapshot being replaced are reused.
"""

from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from quotetrace import schemas
from quotetrace.align.embed import Embedded, EmbedOptions, embed_quotes, embed_texts
from quotetrace.align.executors import Executor, RayEncoder, RayOptions, executor_for
from quotetrace.align.gloss import GlossOptions, gloss
from quotetrace.align.link import QUOTE_COLUMNS, Linked, LinkOptions, cluster_quotes, link_quotes
from quotetrace.align.projection import Projected, ProjectionOptions, linked_to_source, project_quotes
from quotetrace.align.sentence_align import Alignment
from quotetrace.align.speakers import Carried, recount_speakers, uncarried_speaker_ids
from quotetrace.align.stories import Stories
from quotetrace.align.stories import stories as story_vectors
from quotetrace.align.translations import (
    ARTICLE_COLUMNS,
    ArticleLinks,
    Pair,
    TranslationOptions,
    candidate_alignments,
    known_alignments,
    link_articles,
    translated_quote_pairs,
)
from quotetrace.corpus.snapshot import SnapshotWriter, open_snapshot, utc_now
from quotetrace.encoder import Encoder, load_encoder
from quotetrace.encoder.embeddings import embeddings_table
from quotetrace.errors import SnapshotError

ALIGN_TABLES = (
    "quote_embeddings", "quote_links", "quote_clusters", "sentence_embeddings", "article_links", "sentence_links",
    "candidate_alignments",
)  # fmt: skip


@dataclass(frozen=True)
class AlignOptions:
    model: str | None = None  # any sentence-transformers name or path; None: multilingual-e5-small, offline
    embed: EmbedOptions = field(default_factory=EmbedOptions)
    link: LinkOptions = field(default_factory=LinkOptions)
    translations: TranslationOptions = field(default_factory=TranslationOptions)
    gloss: GlossOptions = field(default_factory=GlossOptions)
    projection: ProjectionOptions = field(default_factory=ProjectionOptions)
    engine: str = "local"  # "local" or "ray": where encoding and neighbour search run (align.executors)
    ray: RayOptions = field(default_factory=RayOptions)
    device: str = "auto"  # where the local encoder runs: auto (CUDA when present), cpu, cuda, cuda:N
    precision: str = "fp32"  # or "int8": the default model in int8 on the CPU (encoder.int8)


@dataclass(frozen=True)
class AlignResult:
    path: Path
    model: str
    quotes: int
    encoded: int  # quotes encoded in this run
    reused: int  # quotes whose stored vector was reused
    links: int
    same_statement: int
    clusters: int
    sentences: int
    sentences_encoded: int
    article_links: int
    translations: int
    glossed: int
    speakers_carried: int  # quotes whose speaker came from a translation or original (align.speakers)
    projected: int  # quotes projected from another article of the same story (align.projection)
    notice: str | None  # e.g. no translation pair installed
    seconds: float

    @property
    def reuse_share(self) -> float:
        return self.reused / self.quotes if self.quotes else 0.0


def align_snapshot(
    path: str | os.PathLike[str], options: AlignOptions = AlignOptions(), encoder: Encoder | None = None
) -> AlignResult:
    """Run the align stage on the snapshot at ``path`` and replace it atomically."""
    snapshot = open_snapshot(path)
    started = time.perf_counter()
    with SnapshotWriter(snapshot.path, overwrite=True) as writer:
        for name in snapshot.table_names:
            if name in ALIGN_TABLES:  # quotes too: the stage reads it and writes it anew
                continue
            if name in schemas.TABLES and snapshot.columns(name) != schemas.schema(name).names:
                writer.write(name, schemas.upgraded(snapshot.table(name), name))  # an older version's table
            else:
                writer.adopt(name, snapshot.table_path(name), snapshot.manifest["tables"][name]["rows"])
        outcome = align_into(writer, options, encoder, started, snapshot.path)
        manifest = {k: v for k, v in snapshot.manifest.items() if k not in ("tables", "schema_version")}
        writer.commit(manifest | outcome.manifest)
    return outcome.result


@dataclass(frozen=True)
class AlignOutcome:
    result: AlignResult
    manifest: dict[str, Any]  # what the stage adds to the snapshot's manifest


def align_into(
    writer: SnapshotWriter,
    options: AlignOptions,
    encoder: Encoder | None,
    started: float,
    stored_in: Path,
    executor: Executor | None = None,
) -> AlignOutcome:
    """The align stage over ``writer``'s finished tables; vectors stored in the snapshot at
    ``stored_in`` (the one being replaced, or the base of an incremental build) are reused.
    ``executor`` runs the neighbour searches (default: the one ``options.engine`` names)."""
    executor = executor or executor_for(options.engine, options.ray)
    if options.engine == "ray":
        encoder = encoder or RayEncoder(options.model, options.ray, options.precision)
    quotes = _current(writer.read("quotes"))
    # quotes projected by an earlier run are projected anew below
    quotes = quotes.filter(pc.fill_null(pc.not_equal(quotes.column("evidence"), schemas.PROJECTED), True))
    speakers = writer.read("speakers")
    quotes = _set(quotes, "speaker_id", uncarried_speaker_ids(quotes, speakers))  # carried again below
    articles = writer.read("articles", columns=[*ARTICLE_COLUMNS, "outlet"])
    sentences = writer.read("sentences")
    encoder = encoder or load_encoder(options.model, device=options.device, precision=options.precision)
    precision = getattr(encoder, "precision", "fp32")
    outlet_of = dict(zip(*articles.select(["article_id", "outlet"]).to_pydict().values(), strict=True))
    texts = quotes.column("text").to_pylist()
    embedded = embed_quotes(
        quotes.column("quote_id").to_pylist(),
        texts,
        encoder,
        _stored(stored_in, "quote_embeddings", precision),
        options.embed,
    )
    if not options.translations.enabled:
        sentences = sentences.slice(0, 0)
    # The corpus stage's tagger pass already embedded this build's sentences with the default model.
    made = [writer.read("sentence_embeddings")] if writer.has("sentence_embeddings") else []
    stored = [t for t in (_stored(stored_in, "sentence_embeddings", precision),) if t is not None]
    sentence_vectors = embed_texts(
        "sentence_embeddings", sentences.select(["article_id", "index"]), sentences.column("text").to_pylist(),
        encoder, pa.concat_tables(made + stored) if made + stored else None, options.embed,
    )  # fmt: skip
    model = options.link.link_model()
    stories = story_vectors(
        sentences.column("article_id").to_pylist(), sentence_vectors.vectors, quotes.column("article_id").to_pylist(),
        embedded.vectors, model.centres if model.centre_model == encoder.name else None,
        dict(zip(*articles.select(["article_id", "language"]).to_pydict().values(), strict=True)),
    )  # fmt: skip
    known = _reusable_alignments(stored_in, encoder.name, options.translations, precision)
    article_links = link_articles(articles, sentences, sentence_vectors.vectors, options.translations, known, executor,
                                  (stories, model.translation_story))  # fmt: skip
    article_texts = dict(zip(*writer.read("articles", columns=["article_id", "text"]).to_pydict().values(),
                             strict=True))  # fmt: skip
    projected = project_quotes(quotes, embedded.vectors, sentences, sentence_vectors.vectors, stories, article_texts,
                               model.story, options.projection)  # fmt: skip
    quotes, embeddings, linked = _link(
        quotes,
        embedded,
        projected,
        sentences,
        article_links,
        outlet_of,
        article_texts,
        stories,
        encoder.name,
        options,
        executor,
    )
    projected_count = pc.sum(pc.equal(quotes.column("evidence"), schemas.PROJECTED)).as_py() or 0
    texts = quotes.column("text").to_pylist()
    glossed = gloss(texts, quotes.column("language").to_pylist(), options.gloss)
    quotes = _set(quotes, "text_en", glossed.texts)
    quotes = _set(_set(quotes, "speaker_id", linked.speakers.speaker_ids), "speaker_carried_from",
                  linked.speakers.carried_from)  # fmt: skip
    writer.replace("quotes", quotes)
    writer.replace("speakers", recount_speakers(speakers, quotes))
    writer.write("quote_embeddings", embeddings)
    writer.write("quote_links", linked.links)
    writer.write("quote_clusters", linked.clusters)
    writer.replace("sentence_embeddings", sentence_vectors.table)
    writer.write("article_links", article_links.links)
    writer.write("sentence_links", article_links.sentence_links)
    writer.write("candidate_alignments", candidate_alignments(article_links.verified, encoder.name))
    result = AlignResult(
        path=writer.out,
        model=encoder.name,
        quotes=quotes.num_rows,
        encoded=embedded.encoded,
        reused=embedded.reused,
        links=linked.links.num_rows,
        same_statement=linked.same_statement,
        clusters=linked.cluster_count,
        sentences=sentences.num_rows,
        sentences_encoded=sentence_vectors.encoded,
        article_links=article_links.links.num_rows,
        translations=article_links.translations,
        glossed=glossed.glossed,
        speakers_carried=linked.speakers.count,
        projected=projected_count,
        notice=glossed.notice,
        seconds=time.perf_counter() - started,
    )
    manifest = {
        "aligned_at": utc_now(),
        "align": {
            "model": encoder.name,
            "parameters": asdict(options) | {"model": encoder.name},
            "executor": {"engine": options.engine, "shards": executor.shards},
            "device": getattr(encoder, "device", None),
            "precision": precision,
            "encoded": embedded.encoded,
            "reused": embedded.reused,
            "sentences_encoded": sentence_vectors.encoded,
            "sentences_reused": sentence_vectors.reused,
            "article_candidates": article_links.candidates,
            "article_candidates_reused": article_links.reused,
            "quote_pairs_from_translations": linked.translated_pairs,
            "projected": projected_count,
            "projection": asdict(options.projection),
            "speakers_carried": linked.speakers.count,
            "gloss_notice": glossed.notice,
            "link_model": model.about()
            | {"centred_on": "reference news" if model.centre_model == encoder.name else "this corpus"},
        },
    }
    return AlignOutcome(result, manifest)


def _link(
    quotes: pa.Table,
    embedded: Embedded,
    projected: Projected,
    sentences: pa.Table,
    article_links: ArticleLinks,
    outlet_of: dict[str, str | None],
    article_texts: dict[str, str],
    stories: Stories,
    model_name: str,
    options: AlignOptions,
    executor: Executor,
) -> tuple[pa.Table, pa.Table, Linked]:
    """Quote links over the extracted quotes and the projected candidates; returns the quotes and
    their embeddings with the projected quotes that stay (those linked as the same statement as the
    quote they came from), and the links among them."""
    first = quotes.num_rows  # projected quotes are the rows from here on
    quotes = pa.concat_tables([quotes, projected.quotes])
    embeddings = pa.concat_tables([embedded.table, embeddings_table(
        "quote_embeddings", projected.quotes.select(["quote_id"]), projected.quotes.column("text").to_pylist(),
        model_name, projected.vectors)])  # fmt: skip
    # the decision reads a projected quote's speaker as unknown: its own sentence does not say who spoke
    unnamed = _set(_set(projected.quotes, "speaker_id", [None] * len(projected.sources)), "speaker",
                   [None] * len(projected.sources))  # fmt: skip
    meta = pa.concat_tables([_meta(quotes.slice(0, first), outlet_of), _meta(unnamed, outlet_of)])
    row_of = {q: i for i, q in enumerate(quotes.column("quote_id").to_pylist())}
    linked = link_quotes(meta, np.vstack([embedded.vectors, projected.vectors]), options.link,
                         translated_quote_pairs(quotes, sentences, article_links.alignments), executor,
                         _originals(article_links.links), _sure_translations(article_links.links), stories,
                         article_texts, projected.pairs(first, row_of))  # fmt: skip
    linked = replace(linked, speakers=Carried(  # a projected quote's speaker is its source's
        linked.speakers.speaker_ids[:first] + projected.quotes.column("speaker_id").to_pylist(),
        linked.speakers.carried_from[:first] + [None] * len(projected.sources)))  # fmt: skip
    kept = linked_to_source(projected, linked.links)
    keep = [i < first or q in kept for i, q in enumerate(quotes.column("quote_id").to_pylist())]
    if all(keep):
        return quotes, embeddings, linked
    ids = quotes.column("quote_id").to_pylist()
    return quotes.filter(pa.array(keep)), embeddings.filter(pa.array(keep)), _drop(linked, ids, keep)


def _current(quotes: pa.Table) -> pa.Table:
    """``quotes`` with the columns of this schema version (null where an older snapshot lacks one)."""
    for wanted in schemas.QUOTES:
        if wanted.name not in quotes.column_names:
            quotes = quotes.append_column(wanted, pa.nulls(quotes.num_rows, wanted.type))
    return quotes.select(schemas.QUOTES.names)


def _meta(quotes: pa.Table, outlet_of: dict[str, str | None]) -> pa.Table:
    """The columns ``link_quotes`` reads (QUOTE_COLUMNS): quotes with their article's outlet."""
    outlets = pa.array([outlet_of.get(a) for a in quotes.column("article_id").to_pylist()], pa.string())
    return quotes.select([c for c in QUOTE_COLUMNS if c != "outlet"]).append_column("outlet", outlets)


def _drop(linked: Linked, ids: list[str], keep: list[bool]) -> Linked:
    """``linked`` (over quotes ``ids``) without the quotes ``keep`` leaves out: their links, cluster
    rows and speakers."""
    gone = {q for q, k in zip(ids, keep, strict=True) if not k}
    links = linked.links.filter(
        pa.array(
            [
                a not in gone and b not in gone
                for a, b in zip(
                    linked.links.column("quote_id_a").to_pylist(),
                    linked.links.column("quote_id_b").to_pylist(),
                    strict=True,
                )
            ]
        )
    )
    speakers = linked.speakers.keep(keep)
    kept_ids = [q for q, k in zip(ids, keep, strict=True) if k]
    clusters = cluster_quotes(links, dict(zip(kept_ids, speakers.speaker_ids, strict=True)))
    return Linked(links, clusters, speakers, linked.translated_pairs)


def _set(table: pa.Table, column: str, values: list[Any]) -> pa.Table:
    field = table.schema.field(column)
    array = pa.array(values, field.type)
    if column in table.column_names:
        return table.set_column(table.schema.get_field_index(column), field, array)
    return table.append_column(field, array)


def _originals(article_links: pa.Table) -> set[str]:
    """Articles that links name as the original of a translation."""
    columns = (article_links.column(c).to_pylist() for c in ("article_id_a", "article_id_b", "direction"))
    return {a if direction == "a_to_b" else b for a, b, direction in zip(*columns, strict=True) if direction}


_SURE_TRANSLATION = 0.8  # share of aligned sentences above which a translation link carries speakers


def _sure_translations(article_links: pa.Table) -> dict[str, int]:
    """Articles grouped by the translation or copy links that are sure: most sentences aligned
    (NTREX and WMT22 translations align above 0.9; the false links between unrelated real news
    stories of cross_outlet_dev at 0.50–0.56), or a provenance line says which is the original.
    Speakers are only carried within one group."""
    parent: dict[str, str] = {}

    def root(article: str) -> str:
        parent.setdefault(article, article)
        while parent[article] != article:
            article = parent[article]
        return article

    columns = ("article_id_a", "article_id_b", "relation", "direction", "score")
    for a, b, relation, direction, score in zip(*(article_links.column(c).to_pylist() for c in columns), strict=True):
        if relation in ("translation", "copy") and (direction or score >= _SURE_TRANSLATION):
            parent[root(a)] = root(b)
    roots = sorted({root(a) for a in parent})
    return {a: roots.index(root(a)) for a in parent}


def _reusable_alignments(path: Path, model: str, options: TranslationOptions, precision: str) -> dict[Pair, Alignment]:
    """Sentence alignments of the snapshot at ``path``, when they were made with the same sentence
    alignment options (an alignment only depends on those and on the two articles' vectors)."""
    try:
        made_with = open_snapshot(path).manifest["align"]["parameters"]["translations"]["sentences"]
    except (SnapshotError, KeyError, TypeError):
        return {}
    if made_with != asdict(options.sentences):
        return {}
    return known_alignments(_stored(path, "candidate_alignments", precision), model)


def _stored(path: Path, table: str, precision: str) -> pa.Table | None:
    """Table ``table`` of the snapshot now at ``path`` (the one being replaced), if readable and
    its vectors were made in ``precision``: vectors of two precisions never mix in one snapshot."""
    try:
        snapshot = open_snapshot(path)
        made_in = (snapshot.manifest.get("align") or {}).get("precision", "fp32")
        return snapshot.table(table) if table in snapshot.table_names and made_in == precision else None
    except SnapshotError:
        return None
