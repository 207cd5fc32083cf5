"""Scale, measured: the align stage's quotes/second on the local engine and on Ray, and kNN + margins
over up to 1M vectors next to SemHash deduplicating the same vectors.

- Align stage: ``embed_quotes`` (encoding) then ``margin_pairs`` (neighbours and margins) on N
  real quote texts (GGT and PolNeAR gold quotes; beyond the distinct ones available, texts repeat
  with a number appended so nothing is reused), once with the local encoder and exact search, once
  with ``RayEncoder`` and shards searched as Ray tasks on a local Ray cluster.
- kNN + margins: ``margin_pairs`` on random unit vectors (as ``align_speed.py``), local engine.
- SemHash (``semhash`` from PyPI): ``SemHash.from_embeddings`` on the same vectors (its usearch
  backend) then ``self_deduplicate(threshold=0.9)``; reported as our time over theirs. The two do
  different work — we find each vector's candidates per language and score margins both ways,
  SemHash finds near duplicates above a cosine — so the ratio says what our extra work costs.

    pip install -e '.[bench]'   # semhash and Ray
    python benchmarks/scale.py [--sizes 1000 10000 100000] [--knn 100000 1000000] [--engines local ray] [--no-write]
                               [--ours-from-align-speed]

A run updates the figures it measured in ``results/scale.json`` and keeps the others, so the sizes
can be measured in separate runs (100k quotes on Ray alone takes over an hour on 2 cores); each
figure carries the command that produced it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any

import numpy as np
from align_speed import DIM, knn_margin, real_quotes
from common import RESULTS, report

from quotetrace.align.embed import embed_quotes
from quotetrace.align.executors import Executor, LocalExecutor, RayEncoder, RayExecutor, RayOptions
from quotetrace.align.neighbours import NeighbourOptions, margin_pairs
from quotetrace.encoder import Encoder, load_encoder
from quotetrace.version import __version__

LANGUAGES = 4


def quote_texts(count: int) -> list[str]:
    """``count`` quote texts, each distinct: the real ones first, then numbered repeats."""
    texts, _ = real_quotes(min(count, 5_000))
    return [texts[i % len(texts)] + ("" if i < len(texts) else f" ({i // len(texts)})") for i in range(count)]


def align_stage(texts: list[str], encoder: Encoder, executor: Executor) -> dict[str, Any]:
    """Time encoding and neighbours + margins of ``texts`` (each its own article, 4 languages)."""
    ids = [f"q{i}" for i in range(len(texts))]
    codes = np.array(["en", "ru", "de", "zh"])[np.arange(len(texts)) % LANGUAGES]
    started = time.perf_counter()
    vectors = embed_quotes(ids, texts, encoder).vectors
    encoded = time.perf_counter()
    pairs = margin_pairs(vectors, np.arange(len(texts)), codes, NeighbourOptions(), executor=executor)
    done = time.perf_counter()
    return {
        "quotes": len(texts), "seconds": round(done - started, 1), "encode_seconds": round(encoded - started, 1),
        "knn_seconds": round(done - encoded, 2), "quotes_per_s": round(len(texts) / (done - started), 1),
        "pairs": len(pairs),
    }  # fmt: skip


def semhash_dedup(n: int) -> dict[str, Any]:
    """SemHash over the same random vectors ``knn_margin`` uses (seed 0)."""
    from semhash import SemHash

    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((n, DIM), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)

    class Precomputed:  # SemHash wants an encoder; from_embeddings never calls it on these records
        def encode(self, sentences: Any, **kwargs: Any) -> np.ndarray:
            raise RuntimeError("not used")

    started = time.perf_counter()
    index = SemHash.from_embeddings(vectors, [f"v{i}" for i in range(n)], model=Precomputed())
    built = time.perf_counter()
    result = index.self_deduplicate(threshold=0.9)
    done = time.perf_counter()
    return {
        "vectors": n, "seconds": round(done - started, 2), "index_seconds": round(built - started, 2),
        "dedup_seconds": round(done - built, 2), "duplicates": len(result.filtered),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1_000, 10_000, 100_000], help="quotes")
    parser.add_argument("--knn", type=int, nargs="*", default=[100_000, 1_000_000], help="random vectors")
    parser.add_argument(
        "--engines", nargs="+", choices=("local", "ray"), default=["local", "ray"], help="engines of the align stage"
    )
    parser.add_argument("--no-ray", action="store_true", help="local engine only (same as --engines local)")
    parser.add_argument(
        "--ours-from-align-speed",
        action="store_true",
        help="take our kNN + margin figure from results/align_speed.json (the same function on the same vectors) "
        "and run only SemHash",
    )
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    previous = RESULTS / "scale.json"
    results: dict[str, Any] = json.loads(previous.read_text()) if previous.exists() else {}
    results.update({"quotetrace_version": __version__, "cores": os.cpu_count()})
    results.setdefault("align_stage", {})
    command = "python benchmarks/scale.py " + " ".join(sys.argv[1:])
    local = load_encoder()
    wanted = {"local"} if args.no_ray else set(args.engines) if args.sizes else set()
    engines: list[tuple[str, Encoder, Executor]] = []
    if "local" in wanted:
        engines.append(("local", local, LocalExecutor()))
    if "ray" in wanted:  # started only when it will be measured: an idle cluster still takes CPU
        ray_options = RayOptions(cpus_per_actor=1)
        engines.append(("ray", RayEncoder(None, ray_options), RayExecutor(ray_options)))
    results["model"] = local.name
    for size in args.sizes:
        texts = quote_texts(size)
        for name, encoder, executor in engines:
            figures = {**align_stage(texts, encoder, executor), "run": command}
            results["align_stage"].setdefault(str(size), {})[name] = figures
            print(size, name, figures, flush=True)
    results.setdefault("knn_margin_vs_semhash", {})
    for n in args.knn:
        measured = None
        if args.ours_from_align_speed:
            measured = json.loads((RESULTS / "align_speed.json").read_text())["knn_margin"].get(str(n))
        if measured and measured["languages"] == LANGUAGES:
            ours = {**measured, "from": "results/align_speed.json"}
        else:
            ours = knn_margin(n, LANGUAGES, NeighbourOptions())
        theirs = semhash_dedup(n)
        results["knn_margin_vs_semhash"][str(n)] = {
            "ours": ours, "semhash": theirs, "ours_over_semhash": round(ours["seconds"] / theirs["seconds"], 2),
            "run": command,
        }  # fmt: skip
        print(n, results["knn_margin_vs_semhash"][str(n)], flush=True)
    report(results, "scale", write=not args.no_write)


if __name__ == "__main__":
    main()
