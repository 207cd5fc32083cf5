"""Build throughput at news-monitoring scale: articles/s of a full build (corpus + align) of a fixed
mixed corpus, this tree against a baseline commit, side by side in one run.

Why: a team monitoring 50,000 articles a day needs the day's build in well under an hour on a small
server, and the encoder is most of a build's time. The corpus (≈1,700 articles, mostly not
translations of one another): GGT's articles, PolNeAR train, cross_outlet_dev, the Scrapinghub HTML
pages and the 61 NTREX documents in 7 languages (English, Russian, Ukrainian, Chinese, French,
German, Spanish; each language its own outlet).

Both sides are installed (without dependencies) into folders of their own, the baseline from a git
worktree and this tree as it stands when the run starts, so editing the tree during a run changes
nothing; the builds alternate, baseline first; this tree is built twice, as by default (fp32) and with
``--precision int8``. Every build runs with ``hooks/`` on its path: a
``sitecustomize`` that times each forward pass of the encoder (PyTorch's XLM-RoBERTa model, or an
onnxruntime session) and counts the tokens it is given, in every process of the build, so both
sides are measured the same way from outside. Also measured: the machine's matmul peak (fp32 and
int8, 2048² matrices, all cores) and the encoder's throughput as a share of the peak in the
precision it runs in (≈ 42.5 MFLOP a token for multilingual-e5-small's linear layers).
``--profile`` adds one build of this tree under cProfile and commits the top of the profile.

    python benchmarks/throughput.py [--baseline b17ff1c] [--rounds 1] [--profile] [--no-write]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import DATA, cpu, report

REPO = Path(__file__).resolve().parents[1]
HOOKS = Path(__file__).resolve().parent / "hooks"
NTREX_LANGUAGES = ("eng", "rus", "ukr", "zho", "fra", "deu", "spa")
FLOPS_PER_TOKEN = 2 * 12 * (4 * 384 * 384 + 2 * 384 * 1536)  # the linear layers of multilingual-e5-small


def corpus(folder: Path) -> list[Path]:
    """The inputs of the mixed build: folders and files as a user would pass them."""
    ntrex = folder / "ntrex7.jsonl"
    with open(ntrex, "w", encoding="utf-8") as out:
        for line in (DATA / "parallel" / "ntrex_docs.jsonl").read_text(encoding="utf-8").splitlines():
            document = json.loads(line)
            for language in NTREX_LANGUAGES:
                record = {"id": f"{document['doc_id']}.{language}", "outlet": f"{document['outlet']}-{language}",
                          "text": "\n".join(document["sentences"][language])}  # fmt: skip
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
    quotes = DATA / "quotes"
    return [quotes / "ggt" / "articles", quotes / "polnear_train" / "articles",
            quotes / "cross_outlet_dev" / "articles.jsonl", DATA / "html" / "scrapinghub" / "html", ntrex]  # fmt: skip


def install(source: Path, target: Path) -> Path:
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target",
                    str(target), str(source)], check=True, capture_output=True)  # fmt: skip
    return target


def install_baseline(revision: str, folder: Path) -> Path:
    tree = folder / "baseline-tree"
    subprocess.run(["git", "worktree", "add", "--detach", str(tree), revision], cwd=REPO, check=True,
                   capture_output=True)  # fmt: skip
    try:
        return install(tree, folder / "baseline-site")
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=REPO, capture_output=True)


def cli_module(site: Path) -> list[str]:
    """How to start the CLI of an installed tree (before issue 20 the package had no namespace)."""
    if (site / "quotetrace" / "cli.py").exists():
        return ["-m", "quotetrace.cli"]
    return ["-c", "import sys; from align.cli import main; sys.argv[0] = 'quotetrace'; main()"]


def timed_build(
    inputs: list[Path], out: Path, site: Path, options: tuple[str, ...] = (), profile: Path | None = None
) -> dict[str, Any]:
    shutil.rmtree(out, ignore_errors=True)  # from scratch: a snapshot at --out would lend its vectors
    log = out.with_suffix(".encoder.log")
    log.unlink(missing_ok=True)
    env = dict(os.environ, PYTHONPATH=f"{site}{os.pathsep}{HOOKS}", QUOTETRACE_ENCODER_LOG=str(log))
    command = [sys.executable, *cli_module(site), "build", *map(str, inputs), "--out", str(out), "-q", *options]
    if profile is not None:
        command = [sys.executable, "-m", "cProfile", "-o", str(profile), *command[1:]]
        if command[5] == "-c":
            raise SystemExit("--profile needs a tree with the quotetrace namespace")
    started = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True, cwd=out.parent)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(result.stderr[-3000:])
    manifest = json.loads((out / "manifest.json").read_text())
    tables = manifest["tables"]
    passes = [line.split() for line in log.read_text().splitlines()] if log.exists() else []
    tokens = sum(int(p[1]) for p in passes)
    padded = sum(int(p[2]) for p in passes)
    encoder_seconds = sum(float(p[3]) for p in passes)
    precisions = sorted({p[4] for p in passes})
    return {
        "articles": tables["articles"]["rows"], "quotes": tables["quotes"]["rows"],
        "quote_links": tables.get("quote_links", {}).get("rows"), "seconds": round(seconds, 1),
        "articles_per_second": round(tables["articles"]["rows"] / seconds, 3),
        "encoder": {"passes": len(passes), "tokens": tokens, "padded_tokens": padded,
                    "seconds": round(encoder_seconds, 1), "share_of_wall_time": round(encoder_seconds / seconds, 3),
                    "tokens_per_second": round(tokens / encoder_seconds) if encoder_seconds else None,
                    "precision": precisions},
    }  # fmt: skip


def matmul_peak(size: int = 2048, repeats: int = 20) -> dict[str, float]:
    """GFLOP/s (GOP/s for int8) of a square matmul on all cores: the machine's own ceiling."""
    import numpy as np
    import onnxruntime as ort
    import torch
    from onnx import TensorProto, helper

    torch.set_num_threads(len(os.sched_getaffinity(0)))
    a, b = torch.randn(size, size), torch.randn(size, size)
    torch.mm(a, b)
    started = time.perf_counter()
    for _ in range(repeats):
        torch.mm(a, b)
    fp32 = 2 * size**3 * repeats / (time.perf_counter() - started) / 1e9
    # int8: onnxruntime's MatMulInteger (u8 × s8, the VNNI kernel the int8 encoder runs on)
    graph = helper.make_graph(
        [helper.make_node("MatMulInteger", ["a", "b"], ["c"])], "peak",
        [helper.make_tensor_value_info("a", TensorProto.UINT8, [size, size]),
         helper.make_tensor_value_info("b", TensorProto.INT8, [size, size])],
        [helper.make_tensor_value_info("c", TensorProto.INT32, [size, size])],
    )  # fmt: skip
    options = ort.SessionOptions()
    options.intra_op_num_threads = len(os.sched_getaffinity(0))
    session = ort.InferenceSession(helper.make_model(graph).SerializeToString(), options,
                                   providers=["CPUExecutionProvider"])  # fmt: skip
    feeds = {"a": np.random.randint(0, 255, (size, size), dtype=np.uint8),
             "b": np.random.randint(-127, 127, (size, size), dtype=np.int8)}  # fmt: skip
    session.run(None, feeds)
    started = time.perf_counter()
    for _ in range(repeats):
        session.run(None, feeds)
    int8 = 2 * size**3 * repeats / (time.perf_counter() - started) / 1e9
    return {"fp32_gflops": round(fp32, 1), "int8_gops": round(int8, 1)}


def share_of_peak(build: dict[str, Any], peak: dict[str, float]) -> float | None:
    encoder = build["encoder"]
    if not encoder["seconds"]:
        return None
    ceiling = peak["int8_gops"] if encoder["precision"] == ["int8"] else peak["fp32_gflops"]
    return round(encoder["padded_tokens"] * FLOPS_PER_TOKEN / encoder["seconds"] / 1e9 / ceiling, 3)


def top_of_profile(path: Path, lines: int = 30) -> list[str]:
    """The functions with the most time of their own (the main process: the tagger's pass, the
    align stage; the corpus workers' rules run beside it)."""
    out = io.StringIO()
    pstats.Stats(str(path), stream=out).sort_stats("tottime").print_stats(lines)
    return [line.rstrip() for line in out.getvalue().splitlines() if line.strip()][-lines - 1 :]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="b17ff1c", help="the commit to compare with")
    parser.add_argument("--rounds", type=int, default=1, help="builds of each side, alternating")
    parser.add_argument("--profile", action="store_true", help="one more build of this tree under cProfile")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    revision = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=REPO, capture_output=True, text=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        inputs = corpus(folder)
        baseline, tree = install_baseline(args.baseline, folder), install(REPO, folder / "site")
        sides = {
            "baseline": (baseline, ()),
            "this tree": (tree, ()),
            "this tree, int8": (tree, ("--precision", "int8")),
        }
        runs: dict[str, list[dict[str, Any]]] = {side: [] for side in sides}
        for _ in range(args.rounds):
            for side, (site, options) in sides.items():
                runs[side].append(timed_build(inputs, folder / side.replace(" ", "-").replace(",", ""), site, options))
                print(side, json.dumps(runs[side][-1]), flush=True)
        peak = matmul_peak()
        profile = None
        if args.profile:
            path = folder / "build.prof"
            timed_build(inputs, folder / "profiled", tree, (), path)
            profile = top_of_profile(path)
    best = {side: max(builds, key=lambda b: b["articles_per_second"]) for side, builds in runs.items()}
    results: dict[str, Any] = {
        "inputs": "GGT articles, PolNeAR train, cross_outlet_dev, Scrapinghub HTML, NTREX (61 documents × "
        + ", ".join(NTREX_LANGUAGES) + ")",
        "baseline": args.baseline, "this_tree": revision.stdout.strip(), "cores": len(os.sched_getaffinity(0)),
        "cpu": cpu(),
        "matmul_peak": peak, "runs": runs,
        "articles_per_second": {side: b["articles_per_second"] for side, b in best.items()},
        "speedup": {side: round(b["articles_per_second"] / best["baseline"]["articles_per_second"], 2)
                    for side, b in best.items() if side != "baseline"},
        "encoder_share_of_peak": {side: share_of_peak(b, peak) for side, b in best.items()},
        "goal": {"speedup": 5.0, "encoder_share_of_peak": 0.7},
    }  # fmt: skip
    if profile:
        results["profile_top"] = profile
    report(results, "throughput", write=not args.no_write)


if __name__ == "__main__":
    main()
