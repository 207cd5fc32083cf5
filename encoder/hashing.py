"""A test encoder: deterministic vectors with no weights and no network."""

from __future__ import annotations

import unicodedata
import zlib
from collections.abc import Sequence

import numpy as np


class HashEncoder:
    """A deterministic stand-in :class:`Encoder` for tests of downstream stages: no weights, no network.

    Words and character trigrams are hashed (CRC-32, stable across processes, unlike ``hash``) into signed
    buckets, so identical texts get identical vectors and texts sharing words or spellings lie closer
    than unrelated ones. It knows nothing of meaning or languages.
    """

    def __init__(self, dim: int = 64) -> None:
        if dim < 1:
            raise ValueError(f"dim must be positive, not {dim}")
        self.dim = dim
        self.name = f"hash-{dim}"

    def _features(self, text: str) -> list[str]:
        words = unicodedata.normalize("NFKC", text).casefold().split()
        if not words:
            return ["\x00empty"]
        features = [f"w:{word}" for word in words]
        for word in words:
            padded = f" {word} "
            features += [padded[i : i + 3] for i in range(len(padded) - 2)]
        return features

    def encode(self, texts: Sequence[str], *, batch_size: int = 64, progress: bool = False) -> np.ndarray:
        """Embed ``texts`` as an (n, dim) float32 array of unit rows (``batch_size``, ``progress`` unused)."""
        if isinstance(texts, str):
            raise TypeError("encode() takes a sequence of texts, not one string")
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for feature in self._features(text):
                code = zlib.crc32(feature.encode("utf-8"))
                out[row, code % self.dim] += 1.0 if code & 0x80000000 else -1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        # A text whose features cancel out exactly still needs a unit row: fall back to the first axis.
        out[norms[:, 0] == 0, 0] = 1.0
        norms[norms == 0] = 1.0
        return out / norms
