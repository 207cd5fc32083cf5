"""``quotetrace build``: the corpus stages, then the align stage, committed as one snapshot.

This chains the two layers, so it sits above both: ``corpus`` never imports ``align``, and
``align`` never imports the corpus build.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from quotetrace.align.executors import executor_for
from quotetrace.align.stage import AlignOptions, AlignResult, align_into
from quotetrace.corpus.build import BuildOptions, BuildResult, build_snapshot
from quotetrace.corpus.snapshot import SnapshotWriter
from quotetrace.encoder import Encoder
from quotetrace.encoder.sentence_transformer import torch_device


def build(
    inputs: Sequence[str | os.PathLike[str]],
    out: str | os.PathLike[str],
    options: BuildOptions | None = None,
    align: AlignOptions | None = AlignOptions(),
    *,
    encoder: Encoder | None = None,
    overwrite: bool = False,
    progress: Callable[[int], None] | None = None,
    base: str | os.PathLike[str] | None = None,
) -> tuple[BuildResult, AlignResult | None]:
    """Build a snapshot of ``inputs`` at ``out``: the corpus stages, then (unless ``align`` is None)
    the align stage, committed together. With ``base``, the base snapshot's articles are taken
    over (see ``build_snapshot``) and its embeddings reused; links and clusters are derived anew
    over all quotes, since a new quote can change an old pair's margin."""
    # No Ray, or no cluster: say so before the corpus stages, not after them.
    executor = executor_for(align.engine, align.ray) if align is not None else None
    for device in {(options or BuildOptions()).tagger.device, align.device if align else "auto"} - {"auto"}:
        torch_device(device)  # a device that is not here: say so before the corpus stages too
    results: list[AlignResult] = []

    def align_stage(writer: SnapshotWriter) -> dict[str, Any]:
        assert align is not None  # the stage is only given when align options are
        stored_in = Path(base) if base else writer.out
        outcome = align_into(writer, align, encoder, time.perf_counter(), stored_in, executor)
        results.append(outcome.result)
        return outcome.manifest

    built = build_snapshot(
        inputs,
        out,
        options or BuildOptions(),
        overwrite=overwrite,
        progress=progress,
        later_stages=[align_stage] if align else [],
        base=base,
        encoder=encoder,
    )
    return built, (results[0] if results else None)
