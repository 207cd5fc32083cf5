"""The attribution tagger: a small head over the encoder's token states marks, in each sentence,
the content of an attribution (what was said), its cue (said, заявил, 表示) and its source (who).

Why learned: rules follow one language's cue verbs and one outlet's style; the shipped multilingual
encoder already separates reported content from narration in every language it reads, so a head
trained on English annotations (PolNeAR) transfers. The head is a one-layer BiLSTM over one
layer's token states, small enough to ship in the package (``tagger.safetensors``, made by
``scripts/train_attribution.py``, which records its training data and figures).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from quotetrace.encoder.protocol import TokenStates

LABELS = ("O", "CONTENT", "CUE", "SOURCE")
WEIGHTS = "tagger.safetensors"


@dataclass(frozen=True)
class HeadShape:
    """What a head was built with; stored in its file's metadata so a file loads itself."""

    layer: int  # encoder layer whose token states it reads (1 = first transformer layer)
    hidden: int = 384  # width of those states
    lstm: int = 96  # units per direction
    labels: int = len(LABELS)


@dataclass(frozen=True)
class Span:
    """A run of one label over a text: ``label`` in LABELS, character offsets, mean probability."""

    label: str
    start: int
    end: int
    probability: float


def build_head(shape: HeadShape) -> Any:
    """A fresh head (a ``torch.nn.Module``): token states in, one logit per label and token out."""
    import torch

    class Head(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.lstm = torch.nn.LSTM(shape.hidden, shape.lstm, batch_first=True, bidirectional=True)
            self.out = torch.nn.Linear(2 * shape.lstm, shape.labels)

        def forward(self, states: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
            packed = torch.nn.utils.rnn.pack_padded_sequence(states, lengths, batch_first=True, enforce_sorted=False)
            hidden, _ = self.lstm(packed)
            hidden, _ = torch.nn.utils.rnn.pad_packed_sequence(hidden, batch_first=True, total_length=states.shape[1])
            return self.out(hidden)

    return Head()


def save_head(head: Any, shape: HeadShape, path: Path, about: dict[str, Any]) -> None:
    """Write the head's weights as float16 safetensors, its shape and provenance as metadata."""
    from safetensors.torch import save_file

    tensors = {name: tensor.detach().to("cpu").half().contiguous() for name, tensor in head.state_dict().items()}
    metadata = {"shape": json.dumps(shape.__dict__), "about": json.dumps(about, ensure_ascii=False)}
    save_file(tensors, str(path), metadata=metadata)


def load_head(path: Path | None = None) -> tuple[Any, HeadShape]:
    """The head in ``path`` (default: the one shipped with the package), ready for inference."""
    from safetensors import safe_open

    source = path or Path(str(resources.files("quotetrace.corpus.attribution") / WEIGHTS))
    with safe_open(str(source), framework="pt") as weights:
        shape = HeadShape(**json.loads(weights.metadata()["shape"]))
        state = {name: weights.get_tensor(name).float() for name in weights.keys()}  # noqa: SIM118
    head = build_head(shape)
    head.load_state_dict(state)
    head.eval()  # inference runs under torch.inference_mode (label_probabilities): no global switch here
    return head, shape


@cache
def shipped_head() -> tuple[Any, HeadShape]:
    return load_head()


def label_probabilities(head: Any, states: Sequence[np.ndarray], batch_size: int = 64) -> list[np.ndarray]:
    """Per text, a (tokens, labels) array of label probabilities."""
    import torch

    out: list[np.ndarray] = []
    for start in range(0, len(states), batch_size):
        chunk = states[start : start + batch_size]
        lengths = torch.tensor([max(len(s), 1) for s in chunk])
        padded = torch.zeros(len(chunk), int(lengths.max()), head.lstm.input_size)
        for i, s in enumerate(chunk):
            padded[i, : len(s)] = torch.from_numpy(np.asarray(s, dtype=np.float32))
        with torch.inference_mode():
            probabilities = torch.softmax(head(padded, lengths), dim=-1).numpy()
        out.extend(probabilities[i, : len(s)] for i, s in enumerate(chunk))
    return out


def spans(probabilities: np.ndarray, offsets: np.ndarray, text: str) -> list[Span]:
    """Runs of one label (argmax per token) as character spans of ``text``; a token whose argmax
    is O between two tokens of one label does not break the run when its own probability of that
    label is at least a third (a comma inside a quote)."""
    labels = probabilities.argmax(axis=1)
    found: list[Span] = []
    i = 0
    while i < len(labels):
        label = int(labels[i])
        if label == 0:
            i += 1
            continue
        j = i + 1
        while j < len(labels) and (
            labels[j] == label or (j + 1 < len(labels) and labels[j + 1] == label and probabilities[j, label] >= 1 / 3)
        ):
            j += 1
        start, end = int(offsets[i, 0]), int(offsets[j - 1, 1])
        while start < end and text[start].isspace():
            start += 1
        found.append(Span(LABELS[label], start, end, float(probabilities[i:j, label].mean())))
        i = j
    return found


def tag(texts: Sequence[str], token_states: Sequence[TokenStates], head: Any = None) -> list[list[Span]]:
    """The spans of each text, from the token states of its one pass through the encoder."""
    head = head if head is not None else shipped_head()[0]
    probabilities = label_probabilities(head, [t.states for t in token_states])
    return [spans(p, t.offsets, text) for p, t, text in zip(probabilities, token_states, texts, strict=True)]
