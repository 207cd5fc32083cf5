"""Executors: where the align stage's heavy steps run (here, or on a Ray cluster), apart from the
algorithms, which are the same functions either way.

The stage picks an executor once (``executor_for``) and hands it down; no algorithm asks which
engine it runs on. Two steps scale out, everything else is unchanged:

* **Encoding.** :class:`RayEncoder` is an :class:`~quotetrace.encoder.Encoder`: ``embed_texts``
  hands it the texts that need vectors (the reused ones never leave the driver); it makes them a
  Ray Dataset and runs ``map_batches`` over a pool of actors, each holding the model once
  (``num_gpus=1`` per actor when the cluster has GPUs), and collects the vectors in order.
* **Neighbour search.** ``align.neighbours.sharded_search`` cuts the indexed vectors into
  shards and gives them to its executor: :class:`LocalExecutor` searches them in turn,
  :class:`RayExecutor` as remote tasks with the queries shared through the object store; the
  results are merged on the driver.

What does not scale out: reading the snapshot, speaker resolution, sentence alignment of the
candidate article pairs and clustering run on the driver (they are light next to encoding).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import numpy as np
import pyarrow as pa

from quotetrace.encoder import load_encoder
from quotetrace.errors import EngineError

ENGINES = ("local", "ray")

T = TypeVar("T")


@dataclass(frozen=True)
class RayOptions:
    address: str | None = None  # a cluster ("ray://head:10001", "auto"); None: a local one on this machine
    actors: int | None = None  # encoder actors; None: one per GPU, else one per `cpus_per_actor` cores
    cpus_per_actor: int = 2  # torch threads of each encoder actor
    batch_size: int = 256  # texts per map_batches call
    shards: int | None = None  # neighbour-search shards; None: one per core of the cluster


class Executor(Protocol):
    """Runs one function over independent parts of a job and returns the results in order."""

    shards: int  # parts worth cutting a job into (the workers it can keep busy)

    def map(
        self, function: Callable[..., T], parts: Sequence[tuple[Any, ...]], shared: tuple[Any, ...] = ()
    ) -> list[T]:
        """``[function(*part, *shared) for part in parts]``, wherever this executor runs them."""
        ...


@dataclass(frozen=True)
class LocalExecutor:
    """Every part in turn, in this process (the job's own code uses all cores, as faiss does)."""

    shards: int = 1

    def map(
        self, function: Callable[..., T], parts: Sequence[tuple[Any, ...]], shared: tuple[Any, ...] = ()
    ) -> list[T]:
        return [function(*part, *shared) for part in parts]


class RayExecutor:
    """Every part as a Ray task (one core each); ``shared`` arguments go through the object store once."""

    def __init__(self, options: RayOptions = RayOptions()) -> None:
        self.ray = start_ray(options)
        self.shards = options.shards or int(self.ray.cluster_resources().get("CPU", os.cpu_count() or 1))

    def map(
        self, function: Callable[..., T], parts: Sequence[tuple[Any, ...]], shared: tuple[Any, ...] = ()
    ) -> list[T]:
        if len(parts) <= 1:
            return LocalExecutor().map(function, parts, shared)
        remote = self.ray.remote(num_cpus=1)(function)
        stored = [self.ray.put(value) for value in shared]
        return list(self.ray.get([remote.remote(*part, *stored) for part in parts]))


def executor_for(engine: str, options: RayOptions = RayOptions()) -> Executor:
    """The executor of ``engine`` ("local" or "ray"), Ray started (or joined) once here."""
    if engine == "local":
        return LocalExecutor()
    if engine == "ray":
        return RayExecutor(options)
    raise EngineError(f"unknown engine {engine!r}: use {' or '.join(ENGINES)}")


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

    def __init__(self, model: str | None, threads: int, batch_size: int, precision: str = "fp32") -> None:
        import torch

        self.encoder = load_encoder(model, precision=precision)
        torch.set_num_threads(threads)
        self.batch_size = batch_size

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        vectors = self.encoder.encode([str(t) for t in batch["text"]], batch_size=self.batch_size)
        return {"row": batch["row"], "vector": vectors}


class RayEncoder:
    """An :class:`~quotetrace.encoder.Encoder` whose ``encode`` runs on a Ray actor pool."""

    def __init__(self, model: str | None = None, options: RayOptions = RayOptions(), precision: str = "fp32") -> None:
        self.ray = start_ray(options)
        self.options = options
        self.model = model
        self.precision = precision
        # the name and width, and the model cached before actors need it
        local = load_encoder(model, precision=precision)
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
                "precision": self.precision,
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
