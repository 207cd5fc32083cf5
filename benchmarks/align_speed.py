"""Align stage speed: does the pipeline encode as fast as bare sentence-transformers, and how long do
kNN + margins take at 100k and 1M quotes?

Why: encoding is the align stage's slowest step, so the pipeline's own work around it (prefixes, text
hashes, the embeddings table) must cost little: the goal is pipeline ≥ 0.9 × bare. And the margin stage
searches every quote against every language's index, which has to stay feasible at corpus scale.

- Encoding: ``--quotes`` real quote texts (GGT first, then PolNeAR train and dev contents of ≥ 20
  characters, duplicates dropped) encoded by bare ``SentenceTransformer.encode`` (the encoder's own model
  object, its prefix, same batch size, ``normalize_embeddings=True``) and by the pipeline's path,
  ``align.embed.embed_quotes`` with no cache. The model is warmed up once first; the two are timed in
  the order bare, pipeline, pipeline, bare (``--repeats`` rounds of that) and the best time of each
  counts. The vectors of both must agree (min cosine ≥ 0.999). The ratio carries the machine's timing
  noise; ``pipeline_overhead_ms`` (``embed_quotes`` around an encoder that hands back ready vectors)
  is the pipeline's own work without it.
- kNN + margin: ``align.neighbours.margin_pairs`` on random unit vectors of dimension 384 (numpy
  ``default_rng(0)``), each its own article, spread at random over ``--languages`` languages. It builds
  one index per language and searches every vector in each, so the index kind (exact below
  ``NeighbourOptions.exact_below`` vectors, IVF above) depends on the per-language size: at 1M and 4
  languages each index is IVF. Random vectors are the worst case for IVF: with no cluster structure
  the probed lists hold no more of a query's true neighbours than any others, so recall is low and the
  k-means training gains nothing; the time, not the quality, is what is measured here.

    python benchmarks/align_speed.py [--quotes N] [--sizes 100000 1000000] [--no-write]
    # writes benchmarks/results/align_speed.json; quick check: --quotes 200 --sizes 20000 --no-write
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from typing import Any

import faiss
import numpy as np
import torch
from common import DATA, report

from quotetrace.align.embed import EmbedOptions, embed_quotes
from quotetrace.align.neighbours import NeighbourOptions, margin_pairs
from quotetrace.encoder import load_encoder
from quotetrace.version import __version__

QUOTE_SETS = ("ggt", "polnear_train", "polnear_dev")
GOAL = 0.9
DIM = 384
LANGUAGE_CODES = ("eng", "rus", "ukr", "zho", "fra", "deu", "spa", "pol", "tur", "ita")
MIN_CHARS = 20  # PolNeAR's attribution contents include bare pronouns ("it"): not quotes worth timing


def real_quotes(count: int) -> tuple[list[str], dict[str, int]]:
    """The first ``count`` distinct gold quote texts of GGT, then PolNeAR, and how many came from each."""
    texts: list[str] = []
    seen: set[str] = set()
    taken: dict[str, int] = {}
    for name in QUOTE_SETS:
        for line in (DATA / "quotes" / name / "gold.jsonl").read_text(encoding="utf-8").splitlines():
            for quote in json.loads(line)["quotes"]:
                text = quote["text"].strip()
                if len(text) < MIN_CHARS or text in seen:
                    continue
                seen.add(text)
                texts.append(text)
                taken[name] = taken.get(name, 0) + 1
                if len(texts) == count:
                    return texts, taken
    raise SystemExit(f"only {len(texts)} quotes of ≥ {MIN_CHARS} characters in {QUOTE_SETS}, asked for {count}")


def encoding(encoder: Any, texts: list[str], batch_size: int, repeats: int) -> dict[str, Any]:
    """Best-of timings of bare ``SentenceTransformer.encode`` and of ``embed_quotes`` on ``texts``."""
    model, prefix = encoder.model, encoder.prefix
    ids = [f"q{i}" for i in range(len(texts))]
    options = EmbedOptions(batch_size=batch_size)

    def bare() -> np.ndarray:
        return model.encode([prefix + t for t in texts], batch_size=batch_size, normalize_embeddings=True)

    def pipeline() -> np.ndarray:
        return embed_quotes(ids, texts, encoder, None, options).vectors

    model.encode([prefix + t for t in texts[:16]], batch_size=batch_size, normalize_embeddings=True)  # warm-up
    times: dict[str, list[float]] = {"bare": [], "pipeline": []}
    vectors: dict[str, np.ndarray] = {}
    for _ in range(repeats):
        for name, run in (("bare", bare), ("pipeline", pipeline), ("pipeline", pipeline), ("bare", bare)):
            started = time.perf_counter()
            vectors[name] = run()
            times[name].append(time.perf_counter() - started)
            print(f"  {name}: {times[name][-1]:.2f}s", flush=True)
    bare_s, pipeline_s = min(times["bare"]), min(times["pipeline"])
    a, b = vectors["bare"].astype(np.float32), vectors["pipeline"]
    overhead_s = pipeline_overhead(ids, texts, encoder, a, options)
    min_cosine = float((a * b).sum(axis=1).min())
    ratio = bare_s / pipeline_s  # pipeline sentences/s over bare sentences/s
    return {
        "quotes": len(texts), "batch_size": batch_size, "prefix": prefix, "timed_runs_each": 2 * repeats,
        "bare_seconds": round(bare_s, 3), "pipeline_seconds": round(pipeline_s, 3),
        "bare_per_s": round(len(texts) / bare_s, 1), "pipeline_per_s": round(len(texts) / pipeline_s, 1),
        "ratio": round(ratio, 3), "goal": GOAL, "goal_met": ratio >= GOAL,
        "pipeline_overhead_ms": round(overhead_s * 1000, 2),
        "all_seconds": {name: [round(t, 3) for t in ts] for name, ts in times.items()},
        "max_abs_diff": float(np.abs(a - b).max()), "min_cosine": round(min_cosine, 6),
        "vectors_agree": min_cosine >= 0.999,
    }  # fmt: skip


def pipeline_overhead(
    ids: list[str], texts: list[str], encoder: Any, vectors: np.ndarray, options: EmbedOptions
) -> float:
    """Best of 5 ``embed_quotes`` runs around an encoder handing back ready ``vectors``: the pipeline's
    own work (hashes, the table), free of the timing noise a busy machine puts on the ratio."""

    class Ready:
        name, dim = encoder.name, encoder.dim

        def encode(self, batch: Any, *, batch_size: int = 64, progress: bool = False) -> np.ndarray:
            return vectors[: len(batch)].copy()

    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        _ = embed_quotes(ids, texts, Ready(), None, options).vectors
        best = min(best, time.perf_counter() - started)
    return best


def knn_margin(n: int, languages: int, options: NeighbourOptions) -> dict[str, Any]:
    """Time ``margin_pairs`` on ``n`` random unit vectors, each its own group, over ``languages`` codes."""
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((n, DIM), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    codes = np.array(LANGUAGE_CODES[:languages])[rng.integers(0, languages, size=n)]
    groups = np.arange(n)
    sizes = [int(s) for s in np.unique(codes, return_counts=True)[1]]
    started = time.perf_counter()
    pairs = margin_pairs(vectors, groups, codes, options)
    seconds = time.perf_counter() - started
    return {
        "vectors": n, "languages": languages, "per_language": sizes,
        "index": ["exact" if s < options.exact_below else "ivf" for s in sizes],
        "seconds": round(seconds, 2), "vectors_per_s": round(n / seconds, 1), "pairs": len(pairs),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="sentence-transformers name or path (default: e5-small)")
    parser.add_argument("--quotes", type=int, default=2000, help="quote texts to encode")
    parser.add_argument("--batch-size", type=int, default=EmbedOptions().batch_size)
    parser.add_argument("--repeats", type=int, default=1, help="rounds of bare, pipeline, pipeline, bare")
    parser.add_argument("--sizes", type=int, nargs="*", default=[100_000, 1_000_000], help="random vectors")
    parser.add_argument("--languages", type=int, default=4, help=f"at most {len(LANGUAGE_CODES)}")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    if not 1 <= args.languages <= len(LANGUAGE_CODES):
        parser.error(f"--languages must be 1 to {len(LANGUAGE_CODES)}")
    encoder = load_encoder(args.model)
    texts, sources = real_quotes(args.quotes)
    options = NeighbourOptions()
    results: dict[str, Any] = {
        "quotetrace_version": __version__, "model": encoder.name, "cores": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
    }  # fmt: skip
    print(f"encoding {len(texts)} quotes ({sources}) with {encoder.name}, {results['torch_threads']} threads")
    results["encode"] = {**encoding(encoder, texts, args.batch_size, args.repeats), "sources": sources}
    e = results["encode"]
    verdict = "met" if e["goal_met"] else "NOT met"
    print(
        f"bare {e['bare_per_s']}/s  pipeline {e['pipeline_per_s']}/s  ratio {e['ratio']} (goal ≥ {GOAL}: {verdict})"
        f"  min cosine {e['min_cosine']}  pipeline's own work {e['pipeline_overhead_ms']} ms",
        flush=True,
    )
    results["knn_margin"] = {
        "dim": DIM, "k": options.k, "candidates": options.candidates, "exact_below": options.exact_below,
        "ivf_probe": options.ivf_probe, "vectors": "random unit, numpy default_rng(0)",
    }  # fmt: skip
    for n in args.sizes:
        print(f"kNN + margin, {n} vectors, {args.languages} languages ...", flush=True)
        results["knn_margin"][str(n)] = knn_margin(n, args.languages, options)
        print(f"{n}: {json.dumps(results['knn_margin'][str(n)])}", flush=True)
    results["faiss_threads"] = faiss.omp_get_max_threads()  # build_index sets it
    report(results, "align_speed", write=not args.no_write)


if __name__ == "__main__":
    main()
