"""The Ray engine runs the same stage functions as the local one and must give the same tables
(Ray started locally on this machine, as a one-node cluster)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from conftest import run_cli, write_ntrex_jsonl

import quotetrace
from quotetrace import corpus
from quotetrace.align.executors import Executor, LocalExecutor, RayEncoder, RayExecutor, RayOptions
from quotetrace.align.neighbours import NeighbourOptions, build_index, search, sharded_search
from quotetrace.align.stage import AlignOptions
from quotetrace.corpus.compare import snapshot_differences

pytest.importorskip("ray", reason="the Ray engine is optional: pip install 'quotetrace[ray]'")

RAY = RayOptions(cpus_per_actor=1, batch_size=64)


@pytest.fixture(scope="module")
def ray_session():
    import ray

    yield
    ray.shutdown()


def unit_vectors(n: int, dim: int = 48, seed: int = 0) -> np.ndarray:
    vectors = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def sharding(engine: str, shards: int) -> Executor:
    """The executor of ``engine`` cutting a search into ``shards`` parts."""
    return LocalExecutor(shards=shards) if engine == "local" else RayExecutor(replace(RAY, shards=shards))


@pytest.mark.parametrize("engine", ["local", "ray"])
def test_sharded_search_finds_what_one_index_finds(engine, ray_session):
    vectors = unit_vectors(2_000)
    cosines, indices = search(build_index(vectors), vectors[:300], 6)
    options = NeighbourOptions()
    sharded_cosines, sharded_indices = sharded_search(vectors, vectors[:300], 6, options, sharding(engine, 4))
    assert (sharded_indices == indices).all()
    assert np.allclose(sharded_cosines, cosines, atol=1e-6)
    few_cosines, few = sharded_search(vectors[:5], vectors[:3], 8, options, sharding(engine, 3))
    assert few.shape == (3, 5) and sorted(few[0]) == [0, 1, 2, 3, 4]  # k beyond the shards' size
    assert (np.diff(few_cosines, axis=1) <= 1e-7).all()


@pytest.mark.slow
def test_ray_engine_builds_the_same_snapshot(tmp_path, encoder, ray_session):
    inputs = write_ntrex_jsonl(tmp_path / "ntrex.jsonl", 2, ("eng", "rus", "deu", "ukr"))
    quotetrace.build([inputs], tmp_path / "local", encoder=encoder)
    _, aligned = quotetrace.build([inputs], tmp_path / "ray", align=AlignOptions(engine="ray", ray=RAY))
    assert aligned is not None and aligned.encoded == aligned.quotes - aligned.projected > 0
    local, on_ray = corpus.open_snapshot(tmp_path / "local"), corpus.open_snapshot(tmp_path / "ray")
    assert snapshot_differences(local, on_ray) == []
    assert on_ray.manifest["align"]["parameters"]["engine"] == "ray"
    executor = on_ray.manifest["align"]["executor"]
    assert executor["engine"] == "ray" and executor["shards"] >= 1
    assert local.manifest["align"]["executor"] == {"engine": "local", "shards": 1}
    translations = on_ray.query("select count(*) as n from article_links where relation = 'translation'")
    assert translations.column("n")[0].as_py() == 2 * 6  # two documents, four languages: six pairs each


def test_ray_encoder_gives_the_local_vectors(encoder, ray_session):
    texts = [f"The minister said on day {i} that talks would go on." for i in range(150)]
    remote = RayEncoder(None, RAY)
    assert (remote.name, remote.dim) == (encoder.name, encoder.dim)
    assert np.allclose(remote.encode(texts), encoder.encode(texts), atol=1e-5)
    assert remote.encode([]).shape == (0, encoder.dim)


def test_unknown_engine_is_a_clean_cli_error(tmp_path):
    inputs = write_ntrex_jsonl(tmp_path / "ntrex.jsonl", 1, ("eng",))
    result = run_cli("build", inputs, "--out", tmp_path / "out", "--engine", "spark")
    assert result.returncode != 0
    assert "unknown engine 'spark'" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()
