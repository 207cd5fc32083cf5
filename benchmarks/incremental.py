"""Incremental builds, measured: adding 1% new articles to a snapshot vs building it all again.

Corpus: NTREX news documents (each document in 10 languages, each language an outlet of its own,
so new articles are translations of old ones and link to them). A seeded 1% of the articles is
held out as "today's articles"; the rest is the base. Three builds, in process, sharing one loaded
encoder (so neither side pays for loading the model):

1. full: base + new inputs from scratch (what a user without ``--base`` would run);
2. base: the base inputs alone (untimed: it exists before the day starts);
3. incremental: the new inputs with ``--base`` = (2).

The incremental snapshot must equal the full one table by table (rows as sets, floats within
1e-4: a text encoded in another batch differs in the last bits). Goal: incremental ≤ 5% of full.

    python benchmarks/incremental.py [--documents 61] [--share 0.01] [--no-write]
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from common import DATA, report

import quotetrace
from quotetrace import corpus
from quotetrace.corpus.compare import snapshot_differences
from quotetrace.encoder import load_encoder

NTREX = DATA / "parallel" / "ntrex_docs.jsonl"


def split_inputs(folder: Path, documents: int, share: float, seed: int = 0) -> tuple[Path, Path, int, int]:
    """Base and new JSONL inputs under ``folder``: every document in every language, ``share`` of
    the articles (at least one) held out as new."""
    records = []
    for line in NTREX.read_text(encoding="utf-8").splitlines()[:documents]:
        document = json.loads(line)
        for language, sentences in document["sentences"].items():
            records.append({"id": f"{document['doc_id']}.{language}", "outlet": f"{document['outlet']}-{language}",
                            "text": "\n".join(sentences)})  # fmt: skip
    held_out = set(random.Random(seed).sample(range(len(records)), max(1, round(share * len(records)))))
    base, new = folder / "base", folder / "new"
    for path, chosen in ((base, False), (new, True)):
        path.mkdir(parents=True)
        lines = [json.dumps(r, ensure_ascii=False) for i, r in enumerate(records) if (i in held_out) == chosen]
        (path / "articles.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return base, new, len(records) - len(held_out), len(held_out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=61, help="NTREX documents (×10 languages)")
    parser.add_argument("--share", type=float, default=0.01, help="share of articles that are new")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    encoder = load_encoder()
    encoder.encode(["warm-up"], batch_size=1)
    with tempfile.TemporaryDirectory() as work:
        root = Path(work)
        base_inputs, new_inputs, base_count, new_count = split_inputs(root / "inputs", args.documents, args.share)
        started = time.perf_counter()
        full, full_aligned = quotetrace.build([base_inputs, new_inputs], root / "full", encoder=encoder)
        full_seconds = time.perf_counter() - started
        started = time.perf_counter()
        quotetrace.build([base_inputs], root / "base", encoder=encoder)
        base_seconds = time.perf_counter() - started
        started = time.perf_counter()
        added, aligned = quotetrace.build([new_inputs], root / "incremental", encoder=encoder, base=root / "base")
        incremental_seconds = time.perf_counter() - started
        assert full_aligned is not None and aligned is not None
        incremental = corpus.open_snapshot(root / "incremental")
        differences = snapshot_differences(corpus.open_snapshot(root / "full"), incremental)
        results: dict[str, Any] = {
            "corpus": f"NTREX, {args.documents} documents × 10 languages",
            "articles": full.articles,
            "base_articles": base_count,
            "new_articles": new_count,
            "quotes": full.quotes,
            "sentences": full.sentences,
            "seconds_full": round(full_seconds, 1),
            "seconds_base": round(base_seconds, 1),
            "seconds_incremental": round(incremental_seconds, 2),
            "ratio": round(incremental_seconds / full_seconds, 4),
            "goal_ratio": 0.05,
            "reused": {
                "articles": added.reused_articles,
                "quote_vectors": aligned.reused,
                "quote_vectors_encoded": aligned.encoded,
                "sentence_vectors_encoded": aligned.sentences_encoded,
                "sentence_alignments": incremental.manifest["align"]["article_candidates_reused"],
                "sentence_alignments_computed": incremental.manifest["align"]["article_candidates"]
                - incremental.manifest["align"]["article_candidates_reused"],
            },
            "links": {"full": full_aligned.links, "incremental": aligned.links},
            "clusters": {"full": full_aligned.clusters, "incremental": aligned.clusters},
            "equal_to_full": not differences,
            "differences": differences,
        }
    results["meets_goal"] = results["equal_to_full"] and results["ratio"] <= results["goal_ratio"]
    report(results, "incremental", write=not args.no_write)


if __name__ == "__main__":
    main()
