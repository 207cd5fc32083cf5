"""The quote stage over a batch of articles: each article's quotes by rule (``rules``), with any
the tagger adds, their speakers resolved within the article (``in_article``), as ``quotes`` rows."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import pyarrow as pa

from quotetrace import schemas
from quotetrace.corpus.attribution.in_article import resolve_in_article
from quotetrace.corpus.attribution.records import Quote
from quotetrace.corpus.attribution.rules import QuoteOptions, extract_quotes


def quote_rows(article: dict[str, Any], options: QuoteOptions = QuoteOptions()) -> list[Quote]:
    """Quotes of one article row (its ``text`` and ``language``), block intros dropped."""
    return [q for q in extract_quotes(article["text"], article.get("language"), options) if q.kind != "block_intro"]


def quote_id(article_id: str, start: int, end: int) -> str:
    return hashlib.sha256(f"{article_id}:{start}:{end}".encode()).hexdigest()[:16]


def quote_table(
    articles: pa.Table, options: QuoteOptions = QuoteOptions(), extra: Mapping[str, list[Quote]] | None = None
) -> pa.Table:
    """The quote stage over a batch of articles: one ``quotes`` row per quote, speakers resolved
    within each article (``speaker_id`` stays null until the corpus-wide pass). ``extra`` quotes
    (per article id: the attribution tagger's) join the rules' before speakers are resolved."""
    rows: list[dict[str, Any]] = []
    columns = ["article_id", "text", "language", "paragraph_languages"]
    for article in articles.select(columns).to_pylist():
        quotes = quote_rows(article, options) + list((extra or {}).get(article["article_id"], ()))
        resolve_in_article(article["text"], quotes, article["language"], options.continuation_paragraphs)
        paragraph_languages = article["paragraph_languages"] or []
        for quote in quotes:
            language = paragraph_languages[quote.paragraph] if quote.paragraph < len(paragraph_languages) else None
            rows.append({
                "quote_id": quote_id(article["article_id"], quote.start, quote.end),
                "article_id": article["article_id"], "text": quote.text, "start": quote.start, "end": quote.end,
                "kind": quote.kind, "cue": quote.cue, "speaker_mention": quote.speaker_mention,
                "speaker": quote.speaker, "speaker_role": quote.speaker_role,
                "speaker_confidence": quote.speaker_confidence, "speaker_id": None,
                "language": language or article["language"], "paragraph": quote.paragraph,
                "parts": [{"start": a, "end": b} for a, b in quote.spans or [(quote.start, quote.end)]],
                "text_en": None,  # the align stage's gloss
                "evidence": "rules",  # the tagger's are marked by its stage
            })  # fmt: skip
    return pa.Table.from_pylist(rows, schema=schemas.QUOTES)
