"""Quote embeddings, reused across runs: a quote whose text and model did not change is never
encoded again (encoding is the align stage's slowest step by far)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

import schemas
from align.encoder import Encoder


@dataclass(frozen=True)
class EmbedOptions:
    batch_size: int = 64
    progress: bool = False


@dataclass(frozen=True)
class Embedded:
    """The ``quote_embeddings`` rows of a set of quotes, in the quotes' order."""

    table: pa.Table
    reused: int
    encoded: int

    @property
    def vectors(self) -> np.ndarray:
        return vector_matrix(self.table)


def vector_matrix(table: pa.Table) -> np.ndarray:
    """The ``vector`` column of a ``quote_embeddings`` table as an (n, width) float32 array."""
    column = table.column("vector").combine_chunks()
    return column.values.to_numpy(zero_copy_only=False).reshape(-1, column.type.list_size)


def text_sha1(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def embed_quotes(
    quote_ids: Sequence[str],
    texts: Sequence[str],
    encoder: Encoder,
    cached: pa.Table | None = None,
    options: EmbedOptions = EmbedOptions(),
) -> Embedded:
    """Vectors for ``texts`` (one per quote id): rows of ``cached`` (a ``quote_embeddings`` table)
    with the same quote id, model and text hash are reused, the rest encoded in batches."""
    hashes = [text_sha1(t) for t in texts]
    vectors = np.zeros((len(texts), encoder.dim), dtype=np.float32)
    missing = list(range(len(texts)))
    if cached is not None and cached.num_rows:
        usable = cached.filter(pc.equal(cached.column("model"), encoder.name))
        width = usable.schema.field("vector").type.list_size
        if usable.num_rows and width == encoder.dim:
            row_of = {
                (q, h): i
                for i, (q, h) in enumerate(
                    zip(*usable.select(["quote_id", "text_sha1"]).to_pydict().values(), strict=True)
                )
            }
            old = vector_matrix(usable)
            missing = []
            for i, key in enumerate(zip(quote_ids, hashes, strict=True)):
                found = row_of.get(key)
                if found is None:
                    missing.append(i)
                else:
                    vectors[i] = old[found]
    if missing:
        vectors[missing] = encoder.encode(
            [texts[i] for i in missing], batch_size=options.batch_size, progress=options.progress
        )
    flat = pa.array(vectors.reshape(-1), pa.float32())
    table = pa.table(
        {
            "quote_id": pa.array(quote_ids, pa.string()),
            "model": pa.array([encoder.name] * len(texts), pa.string()),
            "text_sha1": pa.array(hashes, pa.string()),
            "vector": pa.FixedSizeListArray.from_arrays(flat, encoder.dim),
        }
    )
    return Embedded(schemas.validate(table, "quote_embeddings"), reused=len(texts) - len(missing), encoded=len(missing))
