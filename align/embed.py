"""Quote and sentence embeddings, reused across runs: a text whose key, content and model did not
change is never encoded again (encoding is the align stage's slowest step by far)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from quotetrace.encoder import Encoder
from quotetrace.encoder.embeddings import embeddings_table, text_sha1, vector_matrix


@dataclass(frozen=True)
class EmbedOptions:
    batch_size: int = 64
    progress: bool = False


@dataclass(frozen=True)
class Embedded:
    """The embedding rows of a set of quotes or sentences, in their order."""

    table: pa.Table
    reused: int
    encoded: int

    @property
    def vectors(self) -> np.ndarray:
        return vector_matrix(self.table)


def embed_quotes(
    quote_ids: Sequence[str],
    texts: Sequence[str],
    encoder: Encoder,
    cached: pa.Table | None = None,
    options: EmbedOptions = EmbedOptions(),
) -> Embedded:
    """Vectors for ``texts`` (one per quote id): rows of ``cached`` (a ``quote_embeddings`` table)
    with the same quote id, model and text hash are reused, the rest encoded in batches."""
    keys = pa.table({"quote_id": pa.array(quote_ids, pa.string())})
    return embed_texts("quote_embeddings", keys, texts, encoder, cached, options)


def embed_texts(
    name: str,
    keys: pa.Table,
    texts: Sequence[str],
    encoder: Encoder,
    cached: pa.Table | None = None,
    options: EmbedOptions = EmbedOptions(),
) -> Embedded:
    """The embeddings table ``name`` (``quote_embeddings``, ``sentence_embeddings``) whose key
    columns are ``keys``, one row per text. Rows of ``cached`` with the same key, model and text hash
    are reused; the rest are encoded in batches."""
    hashes = [text_sha1(t) for t in texts]
    vectors = np.zeros((len(texts), encoder.dim), dtype=np.float32)
    missing = list(range(len(texts)))
    if cached is not None and cached.num_rows:
        usable = cached.filter(pc.equal(cached.column("model"), encoder.name))
        width = usable.schema.field("vector").type.list_size
        if usable.num_rows and width == encoder.dim:
            columns = [*keys.column_names, "text_sha1"]
            row_of = {key: i for i, key in enumerate(zip(*usable.select(columns).to_pydict().values(), strict=True))}
            old = vector_matrix(usable)
            missing = []
            for i, key in enumerate(zip(*keys.to_pydict().values(), hashes, strict=True)):
                found = row_of.get(key)
                if found is None:
                    missing.append(i)
                else:
                    vectors[i] = old[found]
    if missing:
        vectors[missing] = encoder.encode(
            [texts[i] for i in missing], batch_size=options.batch_size, progress=options.progress
        )
    table = embeddings_table(name, keys, texts, encoder.name, vectors)
    return Embedded(table, reused=len(texts) - len(missing), encoded=len(missing))
