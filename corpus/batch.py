"""The article batch that flows between stages: the ``articles`` columns (all nullable while a
batch is being built), plus an ``error`` column for rows that will become ``rejects`` and the
per-paragraph languages that become the ``paragraphs`` table."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyarrow as pa

import schemas

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
