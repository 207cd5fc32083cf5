"""Peak memory of a build, measured: does it stay flat as the corpus grows?

Why: users have millions of articles; ingest and quote extraction must stream (inputs read lazily,
tables written in Parquet row groups), so peak memory may not grow with the number of articles.
Synthesizes corpora of 10k and 100k articles by recombining real paragraphs (GGT and PolNeAR
articles: real quotes, real attributions, real sentence lengths), then runs
``quotetrace build --no-align`` on each in a subprocess and samples the resident memory of the whole
process tree (the main process and its workers) every 0.1 s from /proc (Linux only).

Goal: flat, ≤ 1.5 GB at every size.

    python benchmarks/memory.py [--sizes 10000 100000] [--no-write]   # writes benchmarks/results/memory.json
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from common import DATA, report

SOURCES = [DATA / "quotes" / name / "articles" for name in ("ggt", "polnear_train", "polnear_dev")]
PER_FILE = 5_000  # articles per .jsonl.gz shard


def paragraphs() -> tuple[list[str], list[str]]:
    """Titles (first lines) and body paragraphs of the real articles."""
    titles, bodies = [], []
    for folder in SOURCES:
        for path in sorted(folder.glob("*.txt")):
            lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
            if len(lines) >= 2:
                titles.append(lines[0])
                bodies.extend(line for line in lines[1:] if len(line) > 40)
    return titles, bodies


def synthesize(folder: Path, count: int, seed: int = 0) -> int:
    """``count`` articles of 6–14 real paragraphs each, in gzipped JSONL shards; returns bytes written."""
    titles, bodies = paragraphs()
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for shard in range(0, count, PER_FILE):
        with gzip.open(folder / f"articles-{shard // PER_FILE:04d}.jsonl.gz", "wt", encoding="utf-8") as out:
            for i in range(shard, min(count, shard + PER_FILE)):
                text = "\n\n".join([rng.choice(titles), *rng.sample(bodies, rng.randint(6, 14))])
                out.write(json.dumps({"id": f"synthetic-{i}", "outlet": f"outlet-{i % 97}", "text": text}) + "\n")
    return sum(path.stat().st_size for path in folder.iterdir())


def tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and all its descendants, read from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                parent = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry))
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, []))
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) * 1024
    return total


def measure(inputs: Path, out: Path, workers: int) -> dict[str, Any]:
    """Run the build in a subprocess and sample its process tree's memory until it ends."""
    command = [sys.executable, "-m", "quotetrace.cli", "build", str(inputs), "--out", str(out), "--no-align", "--quiet",
               "--workers", str(workers)]  # fmt: skip
    started = time.perf_counter()
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    peak, samples = 0, 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, samples
        while not done.is_set():
            peak = max(peak, tree_rss(process.pid))
            samples += 1
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"build failed: {stderr}")
    manifest = json.loads((out / "manifest.json").read_text())
    return {
        "articles": manifest["tables"]["articles"]["rows"],
        "quotes": manifest["tables"]["quotes"]["rows"],
        "seconds": round(time.perf_counter() - started, 1),
        "peak_rss_mb": round(peak / 1e6, 1),
        "samples": samples,
        "workers": workers,
        "summary": stderr.strip().splitlines()[-1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    results: dict[str, Any] = {"goal_peak_rss_mb": 1500, "sizes": {}}
    with tempfile.TemporaryDirectory() as work:
        for size in args.sizes:
            inputs = Path(work) / f"inputs-{size}"
            written = synthesize(inputs, size)
            figures = measure(inputs, Path(work) / f"snapshot-{size}", args.workers)
            figures["input_mb_gzipped"] = round(written / 1e6, 1)
            results["sizes"][str(size)] = figures
            print(size, json.dumps(figures), flush=True)
    peaks = [figures["peak_rss_mb"] for figures in results["sizes"].values()]
    results["peak_ratio_largest_to_smallest"] = round(peaks[-1] / peaks[0], 3) if peaks else None
    results["meets_goal"] = bool(peaks) and max(peaks) <= results["goal_peak_rss_mb"]
    report(results, "memory", write=not args.no_write)


if __name__ == "__main__":
    main()
