"""HTML stage: the article body, title, date, site name and canonical URL via trafilatura.

Rows of other formats pass through untouched; a page with no extractable body becomes a
rejected row (``no_body``) instead of an empty article.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pyarrow as pa
import trafilatura

from quotetrace.corpus.read import RAW_SCHEMA

# trafilatura logs every page it finds too short or malformed; the reject rows say that already.
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)


@dataclass(frozen=True)
class HtmlOptions:
    # Chosen by benchmarks/html_bodies.py on 181 pages: tables + precision score mean F1 0.967
    # against 0.958 for trafilatura's defaults (results in benchmarks/results/html_bodies.json).
    include_tables: bool = True
    include_comments: bool = False
    favor_precision: bool = True
    # pages whose extracted body is shorter than this are rejected as having no article body
    min_body_chars: int = 50


def extract_html(raw: pa.Table, options: HtmlOptions = HtmlOptions()) -> pa.Table:
    """Replace each HTML row's markup with its extracted body text (paragraphs one per line)
    and fill its title, published date, outlet and URL where the input did not give them."""
    rows = raw.to_pylist()
    for row in rows:
        if row["input_format"] != "html" or row["error"]:
            continue
        try:
            document = trafilatura.bare_extraction(
                row["content"],
                with_metadata=True,
                include_comments=options.include_comments,
                include_tables=options.include_tables,
                favor_precision=options.favor_precision,
                deduplicate=False,
            )
        except Exception as error:
            row["error"] = f"broken_html: {type(error).__name__}: {error}"
            continue
        text = getattr(document, "text", None) if document is not None else None
        if not text or len(text.strip()) < options.min_body_chars:
            row["error"] = "no_body: no article body found in the HTML"
            continue
        row["content"] = text
        row["title"] = row["title"] or document.title
        row["published"] = row["published"] or document.date
        row["outlet"] = row["outlet"] or document.sitename or document.hostname
        row["url"] = row["url"] or document.url
    return pa.Table.from_pylist(rows, schema=RAW_SCHEMA)
