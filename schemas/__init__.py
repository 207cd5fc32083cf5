"""Arrow schemas of every snapshot table: the contract between stages, snapshots and users.

This package imports nothing of quotetrace's. A snapshot records ``SCHEMA_VERSION`` in its
manifest and in each Parquet file's metadata; readers refuse versions they do not know.
Columns are only ever added (never renamed or dropped) within a major version.
"""

from __future__ import annotations

import pyarrow as pa

SCHEMA_VERSION = 8
# 2: quotes.text_en; quote_embeddings, quote_links, quote_clusters
# 3: sentences, sentence_embeddings, article_links, sentence_links; quote_links.evidence
# 4: candidate_alignments
# 5: quotes.speaker_carried_from
# 6: quote_links.probability, quote_links.story (the link model)
# 7: quotes.evidence (projected quotes)
# 8: articles.published_raw, articles.extra; duplicates.title, published, published_raw, extra
# Versions a reader opens: the tables and columns added since are simply absent in older ones.
READABLE_VERSIONS = (3, 4, 5, 6, 7, 8)

BOILERPLATE_KINDS = (
    "header", "dateline", "section_marker", "related_link", "advertisement", "disclaimer", "provenance",
)  # fmt: skip

# quotes.evidence of a quote the align stage projected from another article (align.projection)
PROJECTED = "projected"

BOILERPLATE = pa.struct(
    [
        pa.field("kind", pa.string(), nullable=False),
        pa.field("text", pa.string(), nullable=False),
        # index of the line among the article's paragraphs before boilerplate was set aside
        pa.field("position", pa.int32(), nullable=False),
    ]
)


SPAN = pa.struct([pa.field("start", pa.int32(), nullable=False), pa.field("end", pa.int32(), nullable=False)])


def _schema(name: str, fields: list[pa.Field], doc: str) -> pa.Schema:
    return pa.schema(
        fields,
        metadata={
            b"quotetrace.table": name.encode(),
            b"quotetrace.schema_version": str(SCHEMA_VERSION).encode(),
            b"quotetrace.doc": doc.encode(),
        },
    )


def _f(name: str, type_: pa.DataType, doc: str, nullable: bool = True) -> pa.Field:
    return pa.field(name, type_, nullable=nullable, metadata={b"doc": doc.encode()})


# What an input gave that has no column of its own: never dropped (articles and duplicates).
PUBLISHED_RAW = _f(
    "published_raw", pa.string(), "the input's `published` as written, when no date could be read from it"
)
EXTRA = _f("extra", pa.string(), "the JSONL record's other fields (author, section, ...), as a JSON object")

ARTICLES = _schema(
    "articles",
    [
        _f("article_id", pa.string(), "stable hash of the normalized text (16 hex digits)", False),
        _f("source", pa.string(), "input path, with ':LINE' for JSONL", False),
        _f("input_format", pa.string(), "txt | html | jsonl", False),
        _f("external_id", pa.string(), "the `id` given in JSONL input"),
        _f("url", pa.string(), "article URL (JSONL `url`, HTML canonical URL)"),
        _f("outlet", pa.string(), "publishing outlet (input, HTML site name, or dateline agency)"),
        _f("title", pa.string(), "headline (input, HTML title, or a headline first line)"),
        _f("published", pa.date32(), "publication date"),
        _f("dateline_place", pa.string(), "place of the dateline (`Kyiv • UNN` → Kyiv)"),
        _f("language", pa.string(), "ISO 639-1 code of the article's language"),
        _f("language_confidence", pa.float32(), "detector probability; 1.0 when given in input"),
        _f("language_source", pa.string(), "input | detected"),
        _f("text", pa.string(), "clean body text: paragraphs joined by a blank line", False),
        _f("paragraphs", pa.list_(pa.string()), "body paragraphs, in order", False),
        _f("boilerplate", pa.list_(BOILERPLATE), "lines set aside from the body, with their kind", False),
        _f("is_translation", pa.bool_(), "a provenance marker says this is a translation", False),
        _f("translated_from", pa.string(), "language of the original, when known"),
        _f("original_url", pa.string(), "the original's address, as the marker gives it"),
        _f("original_outlet", pa.string(), "the original's outlet (domain or name)"),
        _f("provenance_evidence", pa.string(), "the line (or fact) provenance was read from"),
        _f("outlet_language", pa.string(), "language the outlet is known to publish in"),
        _f(
            "language_mismatch",
            pa.bool_(),
            "detected language differs from the outlet's known language (a likely translation)",
            False,
        ),
        _f("char_count", pa.int32(), "length of `text` in characters", False),
        _f(
            "title_unsupported_names",
            pa.list_(pa.string()),
            "names the title gives a speaker that no body sentence supports (seed 000: Raevsky)",
            False,
        ),
        PUBLISHED_RAW,
        EXTRA,
    ],
    "one row per distinct article",
)

PARAGRAPHS = _schema(
    "paragraphs",
    [
        _f("article_id", pa.string(), "the article", False),
        _f("index", pa.int32(), "position in the article's `paragraphs`", False),
        _f("text", pa.string(), "paragraph text", False),
        _f("start", pa.int32(), "offset of the paragraph in the article's `text`", False),
        _f("end", pa.int32(), "end offset (exclusive) in the article's `text`", False),
        _f("language", pa.string(), "detected language of the paragraph"),
        _f("language_confidence", pa.float32(), "detector probability"),
    ],
    "one row per body paragraph",
)

REJECTS = _schema(
    "rejects",
    [
        _f("source", pa.string(), "input path, with ':LINE' for JSONL", False),
        _f("reason", pa.string(), "short machine-readable reason (empty, binary, too_large, ...)", False),
        _f("detail", pa.string(), "what exactly was wrong"),
    ],
    "inputs that did not become articles, and why",
)

DUPLICATES = _schema(
    "duplicates",
    [
        _f("article_id", pa.string(), "the article this input duplicates (same normalized text)", False),
        _f("source", pa.string(), "the duplicate input", False),
        _f("external_id", pa.string(), "its JSONL `id`"),
        _f("url", pa.string(), "its URL"),
        _f("outlet", pa.string(), "its outlet"),
        _f("title", pa.string(), "its own headline"),
        _f("published", pa.date32(), "its publication date"),
        PUBLISHED_RAW,
        EXTRA,
    ],
    "inputs whose text exactly repeats an article already kept",
)

QUOTES = _schema(
    "quotes",
    [
        _f("quote_id", pa.string(), "stable id: hash of article_id, start and end", False),
        _f("article_id", pa.string(), "the article", False),
        _f("text", pa.string(), "the quoted content, without quotation marks or frame", False),
        _f("start", pa.int32(), "offset of the quote (marks included) in the article's `text`", False),
        _f("end", pa.int32(), "end offset (exclusive) in the article's `text`", False),
        _f("kind", pa.string(), "direct | indirect | mixed", False),
        _f("cue", pa.string(), "the reporting cue as written (said, заявил, 表示, according to)"),
        _f("speaker_mention", pa.string(), "the speaker as written (he, the Russian president, Lavrov)"),
        _f("speaker", pa.string(), "the speaker's full name resolved within the article; null when unresolved"),
        _f("speaker_role", pa.string(), "role words written with the speaker's name (foreign minister russia)"),
        _f("speaker_confidence", pa.float32(), "how sure the resolution is: 0.95 full name … 0.5 as written"),
        _f(
            "speaker_id",
            pa.string(),
            "corpus-wide speaker (see `speakers`); null when `speaker` is, unless carried from a translation",
        ),
        _f("language", pa.string(), "language of the paragraph holding the quote"),
        _f("paragraph", pa.int32(), "index of the paragraph where the quote starts", False),
        _f(
            "parts",
            pa.list_(SPAN),
            'the quoted parts (offsets in `text` of the article): two for `"We will not," he said, "accept it."`',
            False,
        ),
        _f("text_en", pa.string(), "English gloss of a non-English quote (argostranslate); null without a pair"),
        _f(
            "speaker_carried_from",
            pa.string(),
            "the quote (in a translation or original of this article) whose speaker_id this quote took, "
            "when its own article did not name the speaker or most renderings named another; null otherwise",
        ),
        _f(
            "evidence",
            pa.string(),
            "how the quote was found: rules (a cue and its frame) | tagger (the learned tagger, its source "
            "resolved by the rules) | projected (a sentence rendering another article's quote of the same story, "
            "linked to it; see align.projection); null in quotes taken over from a snapshot before version 7",
        ),
    ],
    "one row per quote",
)

SPEAKERS = _schema(
    "speakers",
    [
        _f("speaker_id", pa.string(), "stable id of the person across the corpus", False),
        _f("name", pa.string(), "canonical full name", False),
        _f("aliases", pa.list_(pa.string()), "every spelling met (Sergey Lavrov, Лавров, 拉夫罗夫)", False),
        _f("languages", pa.list_(pa.string()), "languages the speaker is quoted in", False),
        _f("n_quotes", pa.int32(), "quotes attributed to the speaker", False),
    ],
    "one row per speaker, names joined across spellings and scripts",
)

EMBEDDING_DIM = 384  # multilingual-e5-small; other models store their own width (see `validate`)

QUOTE_EMBEDDINGS = _schema(
    "quote_embeddings",
    [
        _f("quote_id", pa.string(), "the quote", False),
        _f("model", pa.string(), "the encoder that made the vector (a sentence-transformers name or path)", False),
        _f("text_sha1", pa.string(), "hash of the encoded text: a changed quote is encoded again", False),
        _f("vector", pa.list_(pa.float32(), EMBEDDING_DIM), "L2-normalized embedding of the quote's text", False),
    ],
    "one row per quote and model; reused by later runs while the text and model stay the same",
)

QUOTE_LINKS = _schema(
    "quote_links",
    [
        _f("quote_id_a", pa.string(), "one quote (the smaller id)", False),
        _f("quote_id_b", pa.string(), "the other quote, always in another article", False),
        _f("cosine", pa.float32(), "cosine of the two embeddings", False),
        _f("margin", pa.float32(), "ratio margin: cosine over the mean cosine of both sides' neighbours", False),
        _f(
            "score",
            pa.float32(),
            "margin moved by the speakers: up when they agree, down when they conflict",
            False,
        ),
        _f(
            "same_speaker",
            pa.bool_(),
            "one speaker: both speaker_ids equal, or on one story a name and its surname; null when either "
            "speaker is unknown, or one is a person and the other an organisation (a spokesperson's voice)",
        ),
        _f("cross_language", pa.bool_(), "the quotes are in different languages", False),
        _f(
            "cross_outlet",
            pa.bool_(),
            "different outlets (an unknown outlet counts as different)",
            False,
        ),
        _f("relation", pa.string(), "same_statement | related (same topic, a different statement)", False),
        _f(
            "evidence",
            pa.string(),
            "why: model (the link model's probability) | translation (the quotes sit in aligned sentences of "
            "a translation or copy)",
            False,
        ),
        _f("probability", pa.float32(), "the link model's probability that they are the same statement", False),
        _f("story", pa.float32(), "story score of their articles: centred document cosine (align.stories)", False),
    ],
    "one row per pair of quotes in different articles whose probability passes the link model's thresholds",
)

QUOTE_CLUSTERS = _schema(
    "quote_clusters",
    [
        _f("cluster_id", pa.string(), "stable id: hash of the cluster's smallest quote_id", False),
        _f("quote_id", pa.string(), "a member quote", False),
    ],
    "quotes grouped by same_statement links (clusters of two or more); never two different speakers in one",
)

SENTENCES = _schema(
    "sentences",
    [
        _f("article_id", pa.string(), "the article", False),
        _f("index", pa.int32(), "position of the sentence in the article", False),
        _f("start", pa.int32(), "offset of the sentence in the article's `text`", False),
        _f("end", pa.int32(), "end offset (exclusive) in the article's `text`", False),
        _f("text", pa.string(), "the sentence", False),
        _f("language", pa.string(), "language of the paragraph holding the sentence"),
    ],
    "one row per body sentence (rules for every language, Chinese and Japanese end marks included)",
)

SENTENCE_EMBEDDINGS = _schema(
    "sentence_embeddings",
    [
        _f("article_id", pa.string(), "the article", False),
        _f("index", pa.int32(), "the sentence's position in the article", False),
        _f("model", pa.string(), "the encoder that made the vector", False),
        _f("text_sha1", pa.string(), "hash of the encoded text: a changed sentence is encoded again", False),
        _f("vector", pa.list_(pa.float32(), EMBEDDING_DIM), "L2-normalized embedding of the sentence", False),
    ],
    "one row per sentence and model; reused by later runs while the text and model stay the same",
)

ARTICLE_RELATIONS = ("translation", "copy", "same_story")

ARTICLE_LINKS = _schema(
    "article_links",
    [
        _f("article_id_a", pa.string(), "one article (the smaller id)", False),
        _f("article_id_b", pa.string(), "the other article", False),
        _f(
            "relation",
            pa.string(),
            "translation (other language, sentence by sentence) | copy (same language, near-verbatim) | "
            "same_story (aligned in part, or two translations of one original)",
            False,
        ),
        _f("direction", pa.string(), "a_to_b (a is the original) | b_to_a | null when no evidence says"),
        _f("score", pa.float32(), "share of both articles' sentences in aligned pairs (0–1)", False),
        _f("evidence", pa.string(), "what the relation and direction were read from", False),
        _f("cosine", pa.float32(), "cosine of the two document vectors (means of sentence vectors)", False),
        _f("similarity", pa.float32(), "mean cosine of the aligned sentence pairs", False),
        _f("cross_language", pa.bool_(), "the articles are in different languages", False),
    ],
    "one row per pair of articles that are translations, copies or the same story",
)

SENTENCE_LINKS = _schema(
    "sentence_links",
    [
        _f("article_id_a", pa.string(), "the article link's `article_id_a`", False),
        _f("article_id_b", pa.string(), "the article link's `article_id_b`", False),
        _f("sentences_a", pa.list_(pa.int32()), "sentence indices in a (empty: b's sentences have no match)", False),
        _f("sentences_b", pa.list_(pa.int32()), "sentence indices in b (empty: a's sentences have no match)", False),
        _f("score", pa.float32(), "cosine of the aligned sentences (merged when two); null for a 0–1 or 1–0 pair"),
        _f("kind", pa.string(), "1-1 | 1-2 | 2-1 | 0-1 | 1-0; 1-3 | 3-1 where a skip joined a 1-2 | 2-1", False),
    ],
    "one row per aligned group of sentences, in reading order, for every translation and copy link",
)

ALIGNMENT_GROUP = pa.struct(
    [
        pa.field("a", pa.list_(pa.int32()), nullable=False),
        pa.field("b", pa.list_(pa.int32()), nullable=False),
        pa.field("cosine", pa.float64()),
        pa.field("margin", pa.float64()),
    ]
)

CANDIDATE_ALIGNMENTS = _schema(
    "candidate_alignments",
    [
        _f("article_id_a", pa.string(), "one article (the smaller id)", False),
        _f("article_id_b", pa.string(), "the other article", False),
        _f("model", pa.string(), "the model whose sentence vectors were aligned", False),
        _f("sentences_a", pa.int32(), "sentences in a", False),
        _f("sentences_b", pa.int32(), "sentences in b", False),
        _f(
            "groups",
            pa.list_(ALIGNMENT_GROUP),
            "the alignment in reading order: positions in a and b (one side empty for a skip), cosine and margin",
            False,
        ),
    ],
    "one row per candidate pair of articles whose sentences were aligned, linked or not; later builds reuse "
    "them while both articles and the model stay the same",
)

TABLES: dict[str, pa.Schema] = {
    "articles": ARTICLES,
    "paragraphs": PARAGRAPHS,
    "rejects": REJECTS,
    "duplicates": DUPLICATES,
    "quotes": QUOTES,
    "speakers": SPEAKERS,
    "quote_embeddings": QUOTE_EMBEDDINGS,
    "quote_links": QUOTE_LINKS,
    "quote_clusters": QUOTE_CLUSTERS,
    "sentences": SENTENCES,
    "sentence_embeddings": SENTENCE_EMBEDDINGS,
    "article_links": ARTICLE_LINKS,
    "sentence_links": SENTENCE_LINKS,
    "candidate_alignments": CANDIDATE_ALIGNMENTS,
}


class SchemaError(ValueError):
    """A table does not match the schema of its name."""


def schema(name: str) -> pa.Schema:
    """The schema of table ``name``; a clear error for unknown names."""
    try:
        return TABLES[name]
    except KeyError:
        raise SchemaError(f"unknown table {name!r}; known tables: {', '.join(TABLES)}") from None


def validate(table: pa.Table, name: str) -> pa.Table:
    """Check ``table`` against the schema of ``name`` and return it cast to that exact schema.

    Columns must match by name and order; types must be equal or safely castable; a
    non-nullable column must hold no nulls.
    """
    expected = schema(name)
    if table.schema.names != expected.names:
        missing = [n for n in expected.names if n not in table.schema.names]
        extra = [n for n in table.schema.names if n not in expected.names]
        raise SchemaError(
            f"table {name!r} columns do not match schema v{SCHEMA_VERSION}: "
            f"missing {missing}, unexpected {extra}" + ("" if missing or extra else f", order {table.schema.names}")
        )
    expected = _with_vector_width(expected, table.schema)
    for field in expected:
        column = table.column(field.name)
        if not field.nullable and column.null_count:
            raise SchemaError(f"table {name!r} column {field.name!r} must not hold nulls")
        if not column.type.equals(field.type):
            try:
                column.cast(field.type, safe=True)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
                raise SchemaError(
                    f"table {name!r} column {field.name!r} is {column.type}, expected {field.type}: {error}"
                ) from None
    return table.cast(expected)


def _with_vector_width(expected: pa.Schema, actual: pa.Schema) -> pa.Schema:
    """Embedding vectors are fixed-size lists whose width is the model's: keep the table's width."""
    for i, field in enumerate(expected):
        found = actual.field(field.name).type
        if pa.types.is_fixed_size_list(field.type) and pa.types.is_fixed_size_list(found):
            expected = expected.set(i, field.with_type(pa.list_(field.type.value_type, found.list_size)))
    return expected


def empty(name: str) -> pa.Table:
    """An empty table of ``name``'s schema."""
    return schema(name).empty_table()


def upgraded(table: pa.Table, name: str) -> pa.Table:
    """``table`` of table ``name`` as an older snapshot wrote it, with the nullable columns added
    since then as nulls (what those versions did not record), in this version's order."""
    expected = schema(name)
    missing = [f for f in expected if f.name not in table.column_names]
    if not missing:
        return table
    if any(not f.nullable for f in missing):
        raise SchemaError(f"table {name!r} lacks {[f.name for f in missing]}, which cannot be left empty")
    for field in missing:
        table = table.append_column(field, pa.nulls(table.num_rows, field.type))
    return table.select(expected.names)
