"""Body extraction quality of the product's HTML path on a fixed sample of real news pages.

A quick guard between full runs of ``benchmarks/html_bodies.py`` (whose scoring and product path
this reuses, so the two cannot drift apart): a change to the HTML or normalize stages that
starts losing article text or letting boilerplate in shows up here as a lower F1.
Data: scrapinghub/article-extraction-benchmark @ 4a3bc97 (MIT), in the shared data folder.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARK = Path(__file__).resolve().parents[1] / "benchmarks" / "html_bodies.py"
# Mean per-page token F1 of the default HtmlOptions on the sample below: measured 0.9696
# (trafilatura 2.3.1, quotetrace 0.1.0). The floor leaves room for small library changes.
MEAN_F1_FLOOR = 0.94  # measured - 0.03
SAMPLE_STEP = 7  # every 7th page of the sorted ids: 26 of the 181 pages, a few seconds


def _load_benchmark() -> ModuleType:
    """The benchmark script as a module, loaded from its file (``benchmarks/`` is no package)."""
    spec = importlib.util.spec_from_file_location("quotetrace_bench_html_bodies", BENCHMARK)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


bench = _load_benchmark()


@pytest.fixture(scope="module")
def dataset(data: Path) -> Path:
    return data / "html" / "scrapinghub"


@pytest.fixture(scope="module")
def sample_scores(dataset: Path) -> list:
    gold = bench.load_gold(dataset)
    page_ids = sorted(gold)[::SAMPLE_STEP]
    assert all(gold[page_id]["articleBody"].strip() for page_id in page_ids), "a sample page has an empty gold body"
    _, scores = bench.evaluate(dataset, page_ids, bench.HtmlOptions(), gold)
    return scores


def test_sample_mean_f1_stays_above_floor(sample_scores: list) -> None:
    mean_f1 = sum(s.f1 for s in sample_scores) / len(sample_scores)
    worst = sorted(sample_scores, key=lambda s: s.f1)[:3]
    assert mean_f1 >= MEAN_F1_FLOOR, f"mean F1 {mean_f1:.4f} < {MEAN_F1_FLOOR}; worst pages: {worst}"


def test_no_sample_page_is_rejected(sample_scores: list) -> None:
    rejected = {s.page_id: s.rejected for s in sample_scores if s.rejected}
    assert not rejected, f"pages with a real article body were rejected: {rejected}"


def test_token_prf_counts_tokens_as_a_bag() -> None:
    precision, recall, f1 = bench.token_prf("the Cat, the cat; a dog", "The cat sat on the mat")
    # predicted: the×2 cat×2 a dog (6); gold: the×2 cat sat on mat (6); shared: the×2 cat (3)
    assert (precision, recall, f1) == pytest.approx((0.5, 0.5, 0.5))


def test_token_prf_edge_cases() -> None:
    assert bench.token_prf("", "") == (1.0, 1.0, 1.0)
    assert bench.token_prf("", "some body") == (0.0, 0.0, 0.0)  # a rejected page
    assert bench.token_prf("menu", "") == (0.0, 0.0, 0.0)
    assert bench.token_prf("Привет, МИР 你好", "привет мир 你好") == (1.0, 1.0, 1.0)
