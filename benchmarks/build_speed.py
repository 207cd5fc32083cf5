"""What the attribution tagger costs a build: a full build (corpus + align) of NTREX (61 documents
in 10 languages) and cross_outlet_dev, with this tree and with a baseline commit, side by side in
one run (alternating, the baseline installed from a git worktree into a folder of its own).

Why: the tagger reads every sentence, but from the encoder pass that also makes the sentence
vectors the align stage needs, so the build should cost about what it did (issue 21's bar: at
least 0.8 of the baseline's articles/s).

    python benchmarks/build_speed.py [--baseline da4021b] [--rounds 2] [--no-write]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import DATA, report

REPO = Path(__file__).resolve().parents[1]


def inputs(folder: Path) -> Path:
    """One JSONL of NTREX's documents (each language its own outlet) and cross_outlet_dev."""
    path = folder / "articles.jsonl"
    with open(path, "w", encoding="utf-8") as out:
        for line in (DATA / "parallel" / "ntrex_docs.jsonl").read_text(encoding="utf-8").splitlines():
            document = json.loads(line)
            for language, sentences in document["sentences"].items():
                record = {"id": f"{document['doc_id']}.{language}", "outlet": f"{document['outlet']}-{language}",
                          "text": "\n".join(sentences)}  # fmt: skip
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
        for line in (DATA / "quotes" / "cross_outlet_dev" / "articles.jsonl").read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            out.write(json.dumps({k: record[k] for k in ("id", "outlet", "language", "text")}, ensure_ascii=False))
            out.write("\n")
    return path


def install_baseline(revision: str, folder: Path) -> Path:
    """The baseline commit's package, installed (without dependencies) into ``folder``."""
    tree = folder / "tree"
    subprocess.run(["git", "worktree", "add", "--detach", str(tree), revision], cwd=REPO, check=True,
                   capture_output=True)  # fmt: skip
    target = folder / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(tree)],
                   check=True, capture_output=True)  # fmt: skip
    subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=REPO, check=True, capture_output=True)
    return target


def timed_build(source: Path, out: Path, pythonpath: Path | None) -> dict[str, Any]:
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    shutil.rmtree(out, ignore_errors=True)  # from scratch: a snapshot at --out would lend its vectors
    command = [sys.executable, "-m", "quotetrace.cli", "build", str(source), "--out", str(out), "-q"]
    if pythonpath is None:
        command.append("--tagger")  # this tree with its attribution tagger (its default); the baseline has none
    started = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True, cwd=out.parent)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(result.stderr)
    manifest = json.loads((out / "manifest.json").read_text())
    articles = manifest["tables"]["articles"]["rows"]
    return {"articles": articles, "quotes": manifest["tables"]["quotes"]["rows"], "seconds": round(seconds, 1),
            "articles_per_second": round(articles / seconds, 3)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="da4021b", help="the commit to compare with")
    parser.add_argument("--rounds", type=int, default=2, help="builds of each side, alternating")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = inputs(folder)
        baseline = install_baseline(args.baseline, folder)
        runs: dict[str, list[dict[str, Any]]] = {"baseline": [], "this tree": []}
        for _ in range(args.rounds):
            runs["baseline"].append(timed_build(source, folder / "baseline", baseline))
            runs["this tree"].append(timed_build(source, folder / "current", None))
            print(json.dumps({k: v[-1] for k, v in runs.items()}), flush=True)
    best = {side: max(r["articles_per_second"] for r in results) for side, results in runs.items()}
    revision = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
    results = {
        "inputs": "NTREX (61 documents × 10 languages) + cross_outlet_dev (132 articles), one JSONL",
        "baseline": args.baseline, "this_tree": revision.stdout.strip(), "cores": os.cpu_count(), "tagger": True,
        "runs": runs, "best_articles_per_second": best,
        "ratio": round(best["this tree"] / best["baseline"], 3),
    }  # fmt: skip
    report(results, "build_speed", write=not args.no_write)


if __name__ == "__main__":
    main()
