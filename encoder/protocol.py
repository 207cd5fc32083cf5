"""What the stages need from a sentence encoder, and nothing else: every backend satisfies this."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
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


@dataclass(frozen=True)
class TokenStates:
    """One text through the model once: its sentence vector and one layer's token states.

    ``offsets`` are each token's (start, end) character offsets into the text as given (the model's
    prefix and special tokens are not in ``states``), so a tagger over the states can mark spans
    of the text itself.
    """

    vector: np.ndarray  # (dim,) float32, unit length: what ``encode`` gives for the text
    states: np.ndarray  # (tokens, hidden) float32
    offsets: np.ndarray  # (tokens, 2) int32


@runtime_checkable
class TokenEncoder(Encoder, Protocol):
    """An encoder that also hands out the token states of the pass that makes each vector."""

    layers: int  # transformer layers; ``layer`` counts from 1 (the embeddings are layer 0)

    def encode_tokens(self, texts: Sequence[str], *, layer: int, batch_size: int = 64) -> list[TokenStates]:
        """Per text: its vector and the token states after ``layer``, from one pass of the model."""
        ...
