"""What the stages need from a sentence encoder, and nothing else: every backend satisfies this."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Encoder(Protocol):
    """What the corpus and align stages need from a sentence encoder.

    ``name`` identifies the model in output tables and embedding caches; ``encode`` returns one float32,
    L2-normalized row per text, so a dot product is a cosine.
    """

    name: str
    dim: int

    def encode(self, texts: Sequence[str], *, batch_size: int = 64, progress: bool = False) -> np.ndarray:
        """Embed ``texts`` as an (n, dim) float32 array of unit rows."""
        ...
