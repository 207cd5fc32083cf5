"""The article batch that flows between stages: the ``articles`` columns (all nullable while a
batch is being built), plus an ``error`` column for rows that will become ``rejects`` and the
per-paragraph languages that become the ``paragraphs`` table."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pyarrow as pa

from quotetrace import schemas

WORK_SCHEMA = pa.schema(
    [field.with_nullable(True) for field in schemas.ARTICLES]
    + [
        pa.field("error", pa.string()),
        pa.field("paragraph_languages", pa.list_(pa.string())),
        pa.field("paragraph_language_confidences", pa.list_(pa.float32())),
    ]
)


def to_batch(rows: Iterable[dict[str, Any]]) -> pa.Table:
    """Rows (dicts; missing keys are null) as a batch of ``WORK_SCHEMA``."""
    return pa.Table.from_pylist(list(rows), schema=WORK_SCHEMA)


def each_row(
    batch: pa.Table, stage: str, function: Callable[[dict[str, Any]], dict[str, Any]]
) -> Iterator[dict[str, Any]]:
    """``function`` over the rows of ``batch`` that carry no error. A row that makes the stage
    fail gets ``error = "<stage>_failed: ..."`` and becomes a reject: one article that trips a
    bug costs that article, never the batch beside it."""
    for row in batch.to_pylist():
        if row.get("error"):
            yield row
            continue
        try:
            yield function(row)
        except Exception as error:
            yield {**row, "error": f"{stage}_failed: {type(error).__name__}: {error}"}
