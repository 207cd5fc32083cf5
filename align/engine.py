"""The Ray engine: the align stage's heavy steps on a Ray cluster, with the same stage functions.

Two steps scale out, everything else is unchanged:

* **Encoding.** :class:`RayEncoder` is an :class:`~align.encoder.Encoder`: ``embed_texts`` hands
  it the texts that need vectors (the reused ones never leave the driver); it makes them a Ray
  Dataset and runs ``map_batches`` over a pool of actors, each holding the model once
  (``num_gpus=1`` per actor when the cluster has GPUs), and collects the vectors in order.
* **Neighbour search.** ``align.neighbours.sharded_search`` cuts the indexed vectors into
  shards; with ``engine="ray"`` each shard's index is built and searched by a remote task with
  the queries from the object store, and the results are merged on the driver.

What does not scale out: reading the snapshot, speaker resolution, sentence alignment of the
candidate article pairs and clustering run on the driver (they are light next to encoding).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pyarrow as pa

from align.encoder import load_encoder
from corpus.errors import QuotetraceError


class EngineError(QuotetraceError):
    """Ray is not installed or its cluster cannot be reached."""


@dataclass(frozen=True)
class RayOptions:
    address: str | None = None  # a cluster ("ray://head:10001", "auto"); None: a local one on this machine
    actors: int | None = None  # encoder actors; None: one per GPU, else one per `cpus_per_actor` cores
    cpus_per_actor: int = 2  # torch threads of each encoder actor
    batch_size: int = 256  # texts per map_batches call
    shards: int | None = None  # neighbour-search shards; None: one per core of the cluster


def with_ray(options: Any, ray_options: RayOptions) -> Any:
    """``options`` (LinkOptions or TranslationOptions) with their neighbour search sharded on Ray."""
    ray = start_ray(ray_options)
    shards = ray_options.shards or int(ray.cluster_resources().get("CPU", os.cpu_count() or 1))
    return replace(options, neighbours=replace(options.neighbours, engine="ray", shards=shards))


def start_ray(options: RayOptions = RayOptions()) -> Any:
    """Connect to (or start) Ray once per process; returns the ``ray`` module."""
    try:
        import ray
    except ImportError:
        raise EngineError("--engine ray needs Ray: pip install 'quotetrace[ray]'") from None
    if not ray.is_initialized():
        try:
            ray.init(address=options.address, include_dashboard=False, log_to_driver=False,
                     configure_logging=False, ignore_reinit_error=True)  # fmt: skip
        except (ConnectionError, RuntimeError, ValueError) as error:
            raise EngineError(f"cannot reach the Ray cluster at {options.address}: {error}") from None
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False
        context.print_on_execution_start = False
        logging.getLogger("ray.data").setLevel(logging.WARNING)
    return ray


class _EncodeBatch:
    """A Ray Data actor: loads the model once, then encodes the batches it is given."""

    def __init__(self, model: str | None, threads: int, batch_size: int) -> None:
        import torch

        self.encoder = load_encoder(model)
        torch.set_num_threads(threads)
        self.batch_size = batch_size

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        vectors = self.encoder.encode([str(t) for t in batch["text"]], batch_size=self.batch_size)
        return {"row": batch["row"], "vector": vectors}


class RayEncoder:
    """An :class:`~align.encoder.Encoder` whose ``encode`` runs on a Ray actor pool."""

    def __init__(self, model: str | None = None, options: RayOptions = RayOptions()) -> None:
        self.ray = start_ray(options)
        self.options = options
        self.model = model
        local = load_encoder(model)  # the name and width, and the model cached before actors need it
        self.name, self.dim = local.name, local.dim
        resources = self.ray.cluster_resources()
        self.gpus = int(resources.get("GPU", 0))
        cpus = int(resources.get("CPU", os.cpu_count() or 1))
        self.actors = options.actors or (self.gpus or max(1, cpus // options.cpus_per_actor))

    def encode(self, texts: Sequence[str], *, batch_size: int = 64, progress: bool = False) -> np.ndarray:
        """Vectors of ``texts`` in order, encoded by the actor pool."""
        if len(texts) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        # Blocks of similar lengths, as sentence-transformers sorts one encode call's texts: a block of
        # mixed lengths pads every short text to the longest one's length.
        order = np.argsort([len(text) for text in texts], kind="stable")
        table = pa.table({"row": order, "text": [texts[i] for i in order]})
        step = self.options.batch_size
        dataset = self.ray.data.from_arrow([table.slice(start, step) for start in range(0, len(texts), step)])
        encoded = dataset.map_batches(
            _EncodeBatch,
            fn_constructor_kwargs={
                "model": self.model,
                "threads": self.options.cpus_per_actor,
                "batch_size": batch_size,
            },
            batch_size=self.options.batch_size,
            batch_format="numpy",
            compute=self.ray.data.ActorPoolStrategy(size=min(self.actors, -(-len(texts) // step))),
            num_gpus=1 if self.gpus else 0,
            num_cpus=self.options.cpus_per_actor if not self.gpus else 1,
        )
        vectors = np.zeros((len(texts), self.dim), dtype=np.float32)
        for batch in encoded.iter_batches(batch_format="numpy", batch_size=None):
            vectors[batch["row"]] = batch["vector"]
        return vectors

    def __repr__(self) -> str:
        return f"RayEncoder(name={self.name!r}, dim={self.dim}, actors={self.actors}, gpus={self.gpus})"


def ray_shard_search(
    parts: list[tuple[np.ndarray, int]], queries: np.ndarray, k: int, options: Any
) -> list[tuple[np.ndarray, np.ndarray]]:
    """``align.neighbours.shard_search`` of every shard as a Ray task, the queries shared through
    the object store."""
    from align.neighbours import shard_search

    ray = start_ray()
    remote = ray.remote(num_cpus=1)(shard_search)
    shared = ray.put(queries)
    return ray.get([remote.remote(part, shared, k, offset, options) for part, offset in parts])
