"""The attribution stage's learned pass over a batch of articles.

Every sentence goes once through the shipped encoder: the pass gives its sentence vector (written
to ``sentence_embeddings``, which the align stage then reuses instead of encoding the sentence
again) and the token states the tagger reads. Where the tagger finds a quote the rules missed,
the article's quotes are found again with it added, so speakers are resolved over all of them in
reading order (a pronoun after the new quote continues its speaker).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from quotetrace.corpus.attribution.in_article import describes_a_function
from quotetrace.corpus.attribution.learned import TaggerOptions, tagged_quotes
from quotetrace.corpus.attribution.quotes import quote_table
from quotetrace.corpus.attribution.records import Quote
from quotetrace.corpus.attribution.rules import QuoteOptions
from quotetrace.corpus.attribution.tagger import tag
from quotetrace.encoder.embeddings import embeddings_table
from quotetrace.encoder.protocol import TokenEncoder


@dataclass(frozen=True)
class Attributed:
    quotes: pa.Table  # the batch's quotes, the tagger's among them
    sentence_embeddings: pa.Table  # one vector per sentence, from the tagger's pass
    tagged: int  # quotes the tagger added


def attribute(
    articles: pa.Table,
    sentences: pa.Table,
    quotes: pa.Table,
    encoder: TokenEncoder,
    head: tuple[Any, Any],
    options: TaggerOptions = TaggerOptions(),
    quote_options: QuoteOptions = QuoteOptions(),
) -> Attributed:
    """The learned pass over one batch: ``quotes`` (the rules', speakers resolved) with the
    tagger's quotes added, and the sentence vectors of the pass."""
    model, shape = head
    texts = sentences.column("text").to_pylist()
    passes = encoder.encode_tokens(texts, layer=shape.layer)
    vectors = np.stack([p.vector for p in passes]) if passes else np.zeros((0, encoder.dim), dtype=np.float32)
    embedded = embeddings_table("sentence_embeddings", sentences.select(["article_id", "index"]), texts,
                                encoder.name, vectors)  # fmt: skip
    spans = tag(texts, passes, model)
    by_article: dict[str, list[tuple[tuple[int, int], list]]] = defaultdict(list)
    for article_id, start, end, found in zip(
        sentences.column("article_id").to_pylist(), sentences.column("start").to_pylist(),
        sentences.column("end").to_pylist(), spans, strict=True,
    ):  # fmt: skip
        by_article[article_id].append(((start, end), found))
    taken: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for article_id, start, end in zip(*(quotes.column(c).to_pylist() for c in ("article_id", "start", "end")),
                                      strict=True):  # fmt: skip
        taken[article_id].append((start, end))
    extra: dict[str, list[Quote]] = {}
    for article in articles.select(["article_id", "text", "language"]).to_pylist():
        rows = by_article.get(article["article_id"], [])
        found = tagged_quotes(
            article["text"], [r[0] for r in rows], [r[1] for r in rows], taken[article["article_id"]],
            article["language"], options,
        )  # fmt: skip
        if found:
            extra[article["article_id"]] = found
    added = 0
    if extra:  # the rules again over the batch (cheap next to encoding), the tagger's quotes among them
        quotes = quote_table(articles, quote_options, extra)
        tagged = {(a, q.start, q.end) for a, found in extra.items() for q in found}
        columns = (quotes.column(c).to_pylist() for c in ("article_id", "start", "end"))
        learned = [(a, s, e) in tagged for a, s, e in zip(*columns, strict=True)]
        languages = dict(zip(*(articles.column(c).to_pylist() for c in ("article_id", "language")), strict=True))
        resolved = zip(*(quotes.column(c).to_pylist() for c in ("article_id", "speaker", "speaker_confidence")),
                       strict=True)  # fmt: skip
        sure = [_someone(speaker, confidence, languages[a], options) for a, speaker, confidence in resolved]
        keep = [not new or ok for new, ok in zip(learned, sure, strict=True)]
        added = sum(new and ok for new, ok in zip(learned, sure, strict=True))
        evidence = pa.array(["tagger" if new else "rules" for new in learned], pa.string())
        quotes = quotes.set_column(quotes.schema.get_field_index("evidence"), "evidence", evidence)
        quotes = quotes.filter(pa.array(keep, pa.bool_()))
    return Attributed(quotes, embedded, added)


def _someone(speaker: str | None, confidence: float | None, language: str | None, options: TaggerOptions) -> bool:
    """Whether the rules resolved a tagged quote's source to someone: surely enough (a name, a
    pronoun, a role), as written but named (`Delhi Fire Services`, `拉夫罗夫`), or described by
    what they do (`senior police officer`, `der Anwalt`); not `most critics`, `the data`."""
    if not speaker:
        return False
    sure = (confidence or 0.0) >= options.min_speaker_confidence or not speaker[0].islower()
    return sure or describes_a_function(speaker, language)
