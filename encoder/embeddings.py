"""Embedding tables: one row per text with its model, the hash of the text and the vector, so a
later run reuses a vector while the text and model stay the same (the align stage's quote and
sentence vectors, and the sentence vectors the corpus stage's tagger pass already made)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
import pyarrow as pa

from quotetrace import schemas


def text_sha1(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def vector_matrix(table: pa.Table) -> np.ndarray:
    """The ``vector`` column of an embeddings table (or of a query over one, where DuckDB hands it
    back as a variable-size list) as an (n, width) float32 array."""
    column = table.column("vector").combine_chunks()
    values = column.flatten().to_numpy(zero_copy_only=False).astype(np.float32, copy=False)
    width = getattr(column.type, "list_size", None) or (len(values) // len(column) if len(column) else 0)
    return values.reshape(len(column), width)


def embeddings_table(name: str, keys: pa.Table, texts: Sequence[str], model: str, vectors: np.ndarray) -> pa.Table:
    """The embeddings table ``name`` (``quote_embeddings``, ``sentence_embeddings``): ``keys``, then
    the model, each text's hash and its vector."""
    flat = pa.array(np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1), pa.float32())
    table = keys.append_column("model", pa.array([model] * len(texts), pa.string()))
    table = table.append_column("text_sha1", pa.array([text_sha1(t) for t in texts], pa.string()))
    table = table.append_column("vector", pa.FixedSizeListArray.from_arrays(flat, vectors.shape[1]))
    return schemas.validate(table, name)
