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
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from quotetrace.align.embed import EmbedOptions, embed_quotes, embed_texts
from quotetrace.align.executors import Executor, RayEncoder, RayOptions, executor_for
from quotetrace.align.gloss import GlossOptions, gloss
from quotetrace.align.link import LinkOptions, link_quotes
from quotetrace.align.sentence_align import Alignment
from quotetrace.align.speakers import recount_speakers, uncarried_speaker_ids
from quotetrace.align.stories import stories as story_vectors
from quotetrace.align.translations import (
    ARTICLE_COLUMNS,
    Pair,
    TranslationOptions,
    candidate_alignments,
    known_alignments,
    link_articles,
    translated_quote_pairs,
)
from quotetrace.corpus.snapshot import SnapshotWriter, open_snapshot, utc_now
from quotetrace.encoder import Encoder, load_encoder
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
    engine: str = "local"  # "local" or "ray": where encoding and neighbour search run (align.executors)
    ray: RayOptions = field(default_factory=RayOptions)


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
            if name not in ALIGN_TABLES:  # quotes too: the stage reads it and writes it anew
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
        encoder = encoder or RayEncoder(options.model, options.ray)
    quotes = writer.read("quotes")
    speakers = writer.read("speakers")
    quotes = _set(quotes, "speaker_id", uncarried_speaker_ids(quotes, speakers))  # carried again below
    articles = writer.read("articles", columns=[*ARTICLE_COLUMNS, "outlet"])
    sentences = writer.read("sentences")
    encoder = encoder or load_encoder(options.model)
    outlet_of = dict(zip(*articles.select(["article_id", "outlet"]).to_pydict().values(), strict=True))
    texts = quotes.column("text").to_pylist()
    embedded = embed_quotes(
        quotes.column("quote_id").to_pylist(), texts, encoder, _stored(stored_in, "quote_embeddings"), options.embed
    )
    if not options.translations.enabled:
        sentences = sentences.slice(0, 0)
    # The corpus stage's tagger pass already embedded this build's sentences with the default model.
    made = [writer.read("sentence_embeddings")] if writer.has("sentence_embeddings") else []
    stored = [t for t in (_stored(stored_in, "sentence_embeddings"),) if t is not None]
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
    known = _reusable_alignments(stored_in, encoder.name, options.translations)
    article_links = link_articles(articles, sentences, sentence_vectors.vectors, options.translations, known, executor,
                                  (stories, model.translation_story))  # fmt: skip
    meta = quotes.select(["quote_id", "article_id", "language", "speaker_id", "speaker", "text", "kind"]).append_column(
        "outlet", pa.array([outlet_of.get(a) for a in quotes.column("article_id").to_pylist()], pa.string())
    )
    translated = translated_quote_pairs(quotes, sentences, article_links.alignments)
    linked = link_quotes(meta, embedded.vectors, options.link, translated, executor,
                         _originals(article_links.links), _sure_translations(article_links.links), stories)  # fmt: skip
    glossed = gloss(texts, quotes.column("language").to_pylist(), options.gloss)
    quotes = _set(quotes, "text_en", glossed.texts)
    quotes = _set(_set(quotes, "speaker_id", linked.speakers.speaker_ids), "speaker_carried_from",
                  linked.speakers.carried_from)  # fmt: skip
    writer.replace("quotes", quotes)
    writer.replace("speakers", recount_speakers(speakers, quotes))
    writer.write("quote_embeddings", embedded.table)
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
        notice=glossed.notice,
        seconds=time.perf_counter() - started,
    )
    manifest = {
        "aligned_at": utc_now(),
        "align": {
            "model": encoder.name,
            "parameters": asdict(options) | {"model": encoder.name},
            "executor": {"engine": options.engine, "shards": executor.shards},
            "encoded": embedded.encoded,
            "reused": embedded.reused,
            "sentences_encoded": sentence_vectors.encoded,
            "sentences_reused": sentence_vectors.reused,
            "article_candidates": article_links.candidates,
            "article_candidates_reused": article_links.reused,
            "quote_pairs_from_translations": len(translated[0]),
            "speakers_carried": linked.speakers.count,
            "gloss_notice": glossed.notice,
            "link_model": model.about()
            | {"centred_on": "reference news" if model.centre_model == encoder.name else "this corpus"},
        },
    }
    return AlignOutcome(result, manifest)


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


def _reusable_alignments(path: Path, model: str, options: TranslationOptions) -> dict[Pair, Alignment]:
    """Sentence alignments of the snapshot at ``path``, when they were made with the same sentence
    alignment options (an alignment only depends on those and on the two articles' vectors)."""
    try:
        made_with = open_snapshot(path).manifest["align"]["parameters"]["translations"]["sentences"]
    except (SnapshotError, KeyError, TypeError):
        return {}
    if made_with != asdict(options.sentences):
        return {}
    return known_alignments(_stored(path, "candidate_alignments"), model)


def _stored(path: Path, table: str) -> pa.Table | None:
    """Table ``table`` of the snapshot now at ``path`` (the one being replaced), if readable."""
    try:
        snapshot = open_snapshot(path)
        return snapshot.table(table) if table in snapshot.table_names else None
    except SnapshotError:
        return None
