"""Texts to model inputs, batched by token count: shared by the float and the int8 encoders.

Why by tokens: sorting texts by characters mixes scripts (a Chinese sentence has several times the
tokens of an English one of the same length), so a batch of "equal" texts pads to the longest and
the encoder spends most of its time on padding.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


def token_batches(lengths: Sequence[int], most_texts: int, most_tokens: int) -> list[np.ndarray]:
    """Row indices of texts of these token ``lengths`` in batches: shortest first, each at most
    ``most_texts`` texts and (but for a single longer text) ``most_tokens`` tokens once padded."""
    order = np.argsort(np.asarray(lengths, dtype=np.int64), kind="stable")
    batches: list[np.ndarray] = []
    start = 0
    for end in range(1, len(order) + 1):
        longest = lengths[order[end - 1]]
        if end - start > most_texts or (end - start > 1 and (end - start) * longest > most_tokens):
            batches.append(order[start : end - 1])
            start = end - 1
    if start < len(order):
        batches.append(order[start:])
    return batches


@dataclass(frozen=True)
class Tokens:
    """One batch of tokenized texts, padded on the right."""

    arrays: dict[str, np.ndarray]  # the model's inputs: input_ids, attention_mask (token_type_ids, …)
    keep: np.ndarray | None  # (texts, tokens): the text's own tokens (not padding, specials or prefix)
    offsets: np.ndarray | None  # (texts, tokens, 2): character offsets into the text without prefix

    @classmethod
    def of(cls, encoded: Any, rows: np.ndarray, pad: int, prefix: int | None) -> Tokens:
        width = max(len(encoded["input_ids"][i]) for i in rows)
        arrays: dict[str, np.ndarray] = {}
        for key in ("input_ids", "attention_mask", "token_type_ids"):
            if key in encoded:
                array = np.full((len(rows), width), pad if key == "input_ids" else 0, dtype=np.int64)
                for j, i in enumerate(rows):
                    array[j, : len(encoded[key][i])] = encoded[key][i]
                arrays[key] = array
        if prefix is None:
            return cls(arrays, None, None)
        offsets = np.zeros((len(rows), width, 2), dtype=np.int32)
        special = np.ones((len(rows), width), dtype=bool)
        for j, i in enumerate(rows):
            length = len(encoded["input_ids"][i])
            offsets[j, :length] = np.asarray(encoded["offset_mapping"][i], dtype=np.int32).reshape(-1, 2) - prefix
            special[j, :length] = np.asarray(encoded["special_tokens_mask"][i], dtype=bool)
        keep = arrays["attention_mask"].astype(bool) & ~special & (offsets[:, :, 1] > 0)  # prefix ends at ≤ 0
        return cls(arrays, keep, np.clip(offsets, 0, None))
