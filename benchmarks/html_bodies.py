"""How well the product's HTML path recovers article bodies, scored against human-made bodies.

Why: quotes can only be traced in text that made it into the snapshot; boilerplate that creeps
into a body (or a body cut short) shows up downstream as false or missed quotes. This measures
the real ingestion path (``corpus.read.read_file`` → ``corpus.build.process_batch``: trafilatura,
then normalization, which sets aside the title, datelines and boilerplate), not raw trafilatura.

Data: 181 news pages with their article body as written by people, from
scrapinghub/article-extraction-benchmark @ 4a3bc97 (MIT licence), in the shared data folder
(``$QUOTETRACE_SHARED/data/html/scrapinghub``; by default ``shared/`` beside the repository).

Metric: token-level precision, recall and F1 per page (``\\w+`` tokens, lowercased, compared as
bags), as in trafilatura's evaluation; the upstream benchmark uses 4-token shingles instead, so
the figures are close to, not equal to, theirs. Pages the product rejects score as empty bodies.

Usage::

    python benchmarks/html_bodies.py            # all pages; rewrites benchmarks/results/html_bodies.json
    python benchmarks/html_bodies.py --limit 20 # quick partial run, writes nothing
    python benchmarks/html_bodies.py --check    # quality gate: exit 1 if mean F1 dropped > 0.01
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, replace
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pyarrow as pa

from quotetrace.corpus.build import BuildOptions, process_batch
from quotetrace.corpus.html import HtmlOptions
from quotetrace.corpus.read import RAW_SCHEMA, read_file
from quotetrace.version import __version__

DATASET = "scrapinghub/article-extraction-benchmark"
ORIGIN = "https://github.com/scrapinghub/article-extraction-benchmark @ 4a3bc97 (MIT)"
RESULTS = Path(__file__).resolve().parent / "results" / "html_bodies.json"
MAX_F1_DROP = 0.01  # what --check tolerates before failing
LOW_F1 = 0.5  # pages scoring below this are listed in the results, to be looked at

# The HtmlOptions compared; the first is the product's default and the one --check gates.
OPTION_SETS: dict[str, HtmlOptions] = {
    "default": HtmlOptions(),
    "trafilatura_defaults": replace(HtmlOptions(), favor_precision=False, include_tables=False),
    "without_favor_precision": replace(HtmlOptions(), favor_precision=False),
    "without_tables": replace(HtmlOptions(), include_tables=False),
    "with_comments": replace(HtmlOptions(), include_comments=True),
}

_TOKEN = re.compile(r"\w+")
_PAGE_SUFFIX = ".html.gz"


def shared_dir() -> Path:
    """The shared folder: ``$QUOTETRACE_SHARED``, else ``shared/`` beside the repository."""
    override = os.environ.get("QUOTETRACE_SHARED")
    return Path(override) if override else Path(__file__).resolve().parents[1].parent / "shared"


def dataset_dir() -> Path:
    return shared_dir() / "data" / "html" / "scrapinghub"


def tokens(text: str) -> Counter[str]:
    """The bag of lowercased word tokens of ``text`` (Unicode-aware, so any script works)."""
    return Counter(token.lower() for token in _TOKEN.findall(text))


def token_counts(prediction: str, gold: str) -> tuple[int, int, int]:
    """(shared tokens, predicted tokens, gold tokens): the raw counts, summable over pages."""
    predicted, expected = tokens(prediction), tokens(gold)
    return sum((predicted & expected).values()), predicted.total(), expected.total()


def prf(overlap: int, predicted: int, gold: int) -> tuple[float, float, float]:
    """Precision, recall and F1 from counts. Like the upstream benchmark: two empty texts agree
    perfectly; an empty prediction of a non-empty body (or the reverse) scores 0."""
    if predicted == gold == 0:
        return 1.0, 1.0, 1.0
    precision = overlap / predicted if predicted else 0.0
    recall = overlap / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def token_prf(prediction: str, gold: str) -> tuple[float, float, float]:
    """Token-level precision, recall and F1 of an extracted body against the gold body."""
    return prf(*token_counts(prediction, gold))


@dataclass(frozen=True)
class PageScore:
    page_id: str
    precision: float
    recall: float
    f1: float
    overlap: int
    predicted: int
    gold: int
    rejected: str | None  # the reject reason, when the product made no article of the page


def load_gold(dataset: Path) -> dict[str, dict[str, str]]:
    """Page id → {"articleBody", "url"}, from the benchmark's ``ground-truth.json``."""
    with open(dataset / "ground-truth.json", encoding="utf-8") as handle:
        return json.load(handle)


def sample_ids(gold: dict[str, Any], limit: int | None = None) -> list[str]:
    """Sorted page ids (the first ``limit`` of them), so that partial runs are reproducible."""
    return sorted(gold)[:limit]


def read_pages(dataset: Path, page_ids: list[str]) -> pa.Table:
    """The raw batch the product would read from these pages' files."""
    rows = [row for page_id in page_ids for row in read_file(dataset / "html" / f"{page_id}{_PAGE_SUFFIX}")]
    return pa.Table.from_pylist(rows, schema=RAW_SCHEMA)


def _page_id(source: str) -> str:
    return Path(source).name.removesuffix(_PAGE_SUFFIX)


def extract_bodies(raw: pa.Table, html: HtmlOptions) -> tuple[dict[str, str], dict[str, str], float]:
    """(page id → article text, page id → reject reason, seconds) through the product's stages."""
    started = time.perf_counter()
    articles, rejects, *_ = process_batch(raw, BuildOptions(html=html, workers=1))
    seconds = time.perf_counter() - started
    bodies = dict(zip(map(_page_id, articles.column("source").to_pylist()), articles.column("text").to_pylist(),
                      strict=True))  # fmt: skip
    reasons = {
        _page_id(row["source"]): f"{row['reason']}: {row['detail']}" if row["detail"] else row["reason"]
        for row in rejects.select(["source", "reason", "detail"]).to_pylist()
    }
    return bodies, reasons, seconds


def score_pages(
    page_ids: list[str], bodies: dict[str, str], reasons: dict[str, str], gold: dict[str, dict[str, str]]
) -> list[PageScore]:
    scores = []
    for page_id in page_ids:
        counts = token_counts(bodies.get(page_id, ""), gold[page_id]["articleBody"])
        scores.append(PageScore(page_id, *prf(*counts), *counts, rejected=reasons.get(page_id)))
    return scores


def summarize(scores: list[PageScore], seconds: float) -> dict[str, Any]:
    """Mean per-page and micro (all tokens pooled) P/R/F1, rejects and speed, rounded."""
    micro = prf(sum(s.overlap for s in scores), sum(s.predicted for s in scores), sum(s.gold for s in scores))
    return {
        "mean": {
            "precision": round(statistics.fmean(s.precision for s in scores), 4),
            "recall": round(statistics.fmean(s.recall for s in scores), 4),
            "f1": round(statistics.fmean(s.f1 for s in scores), 4),
        },
        "micro": dict(zip(("precision", "recall", "f1"), (round(x, 4) for x in micro), strict=True)),
        "pages": len(scores),
        "pages_rejected": sum(s.rejected is not None for s in scores),
        "seconds_per_page": round(seconds / len(scores), 4),
    }


def evaluate(
    dataset: Path, page_ids: list[str], html: HtmlOptions, gold: dict[str, dict[str, str]] | None = None
) -> tuple[dict[str, Any], list[PageScore]]:
    """Summary figures and per-page scores of one option set on the given pages."""
    gold = gold if gold is not None else load_gold(dataset)
    bodies, reasons, seconds = extract_bodies(read_pages(dataset, page_ids), html)
    scores = score_pages(page_ids, bodies, reasons, gold)
    return summarize(scores, seconds), scores


def _row(name: str, figures: dict[str, Any]) -> str:
    mean, micro = figures["mean"], figures["micro"]
    return (
        f"{name:<31} {mean['precision']:>6.3f} {mean['recall']:>6.3f} {mean['f1']:>6.3f}   "
        f"{micro['precision']:>6.3f} {micro['recall']:>6.3f} {micro['f1']:>6.3f}   "
        f"{figures['pages_rejected']:>3}/{figures['pages']:<3} {figures['seconds_per_page']:>6.3f}"
    )


def _low_pages(scores: list[PageScore], gold: dict[str, dict[str, str]]) -> list[dict[str, Any]]:
    return [
        {"id": s.page_id, "url": gold[s.page_id].get("url"), "precision": round(s.precision, 4),
         "recall": round(s.recall, 4), "f1": round(s.f1, 4), "rejected": s.rejected}
        for s in sorted(scores, key=lambda s: s.f1) if s.f1 < LOW_F1
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, help="score only the first N pages (sorted ids); writes nothing")
    parser.add_argument("--check", action="store_true", help=f"fail if the default's mean F1 dropped > {MAX_F1_DROP}")
    args = parser.parse_args(argv)
    if args.check and args.limit is not None:
        parser.error("--check compares with the full-run results; it cannot be combined with --limit")
    dataset = dataset_dir()
    if not (dataset / "ground-truth.json").is_file():
        print(f"benchmark data not found at {dataset} (set QUOTETRACE_SHARED to the shared folder)", file=sys.stderr)
        return 2
    gold = load_gold(dataset)
    page_ids = sample_ids(gold, args.limit)
    option_sets = dict(list(OPTION_SETS.items())[:1]) if args.check else OPTION_SETS
    extract_bodies(read_pages(dataset, page_ids[:1]), HtmlOptions())  # warm-up: lazy loads stay out of the timings

    print(f"{DATASET}: {len(page_ids)} pages, quotetrace {__version__}, trafilatura {version('trafilatura')}")
    print(f"{'options':<31} {'mean P':>6} {'R':>6} {'F1':>6}   {'micro P':>6} {'R':>6} {'F1':>6}   rej    s/page")
    results: dict[str, dict[str, Any]] = {}
    low: list[dict[str, Any]] = []
    for name, html in option_sets.items():
        figures, scores = evaluate(dataset, page_ids, html, gold)
        results[name] = {"html_options": asdict(html), **figures}
        print(_row(name, figures), flush=True)
        if name == "default":
            low = _low_pages(scores, gold)
    if low:
        print(f"\ndefault: {len(low)} pages with F1 < {LOW_F1}")
        for page in low:
            print(f"  {page['f1']:.3f} (P {page['precision']:.3f} R {page['recall']:.3f}) {page['url']}"
                  + (f"  [rejected: {page['rejected']}]" if page["rejected"] else ""))  # fmt: skip

    if args.check:
        return _check(results["default"])
    if args.limit is not None:
        print(f"\npartial run (--limit {args.limit}): {RESULTS.name} left as it is")
        return 0
    document = {
        "dataset": DATASET,
        "origin": ORIGIN,
        "pages": len(page_ids),
        "quotetrace_version": __version__,
        "trafilatura_version": version("trafilatura"),
        "metric": "token-level P/R/F1 over bags of lowercased \\w+ tokens; mean of per-page figures and micro "
        "(all tokens pooled); rejected pages score as empty bodies; seconds_per_page times process_batch only",
        "html_options": asdict(OPTION_SETS["default"]),
        **{key: value for key, value in results["default"].items() if key != "html_options"},
        "low_f1_pages": low,
        "alternatives": {name: figures for name, figures in results.items() if name != "default"},
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwrote {RESULTS}")
    return 0


def _check(fresh: dict[str, Any]) -> int:
    """The quality gate: the fresh mean F1 of the default options against the committed one."""
    if not RESULTS.is_file():
        print(f"--check: no committed results at {RESULTS}; run without --check first", file=sys.stderr)
        return 2
    committed = json.loads(RESULTS.read_text(encoding="utf-8"))
    before, now = committed["mean"]["f1"], fresh["mean"]["f1"]
    if committed.get("pages") != fresh["pages"]:
        print(f"--check: warning: committed results cover {committed.get('pages')} pages, this run {fresh['pages']}")
    if now < before - MAX_F1_DROP:
        print(
            f"\n{'!' * 72}\nQUALITY GATE FAILED: mean F1 of HTML bodies dropped from {before:.4f} to {now:.4f} "
            f"(-{before - now:.4f}, more than {MAX_F1_DROP} allowed)\n{'!' * 72}",
            file=sys.stderr,
        )
        return 1
    note = "; better: rerun without --check to record it" if now > before + MAX_F1_DROP else ""
    print(f"\nquality gate passed: mean F1 {now:.4f} (committed {before:.4f}){note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
