"""English glosses through argostranslate, offline.

No real Argos pair can be downloaded here, so the session builds a tiny ru→en package itself: a
sentencepiece model trained on a few lines and a one-layer CTranslate2 Transformer written with
ctranslate2's spec API, zipped as an .argosmodel with its metadata.json and installed with
``argostranslate.package.install_from_path`` into a temporary package directory. Its weights are
zero except the output bias, which always picks ``▁hello``: the model is loaded and run for real,
and its output is predictable.
"""

from __future__ import annotations

import builtins
import io
import json
import socket
import zipfile
from pathlib import Path

import numpy as np
import pytest

from quotetrace.align.gloss import GlossOptions, GlossResult, gloss

LINES = [
    "hello world",
    "hello there, my friend",
    "the world is large and the sea is deep",
    "he said that the talks would continue tomorrow",
    "she told reporters the plan was ready",
    "Привет мир",
    "Он сказал, что переговоры продолжатся завтра",
    "Она сказала журналистам, что план готов",
    "Мир большой, а море глубокое",
    "Привет, мой друг",
] * 4


def _sentencepiece(path: Path) -> list[str]:
    import sentencepiece as spm

    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(LINES),
        model_writer=model,
        vocab_size=80,
        hard_vocab_limit=False,
        character_coverage=1.0,
        user_defined_symbols=["▁hello"],
        minloglevel=2,
    )
    path.write_bytes(model.getvalue())
    processor = spm.SentencePieceProcessor(model_file=str(path))
    return [processor.id_to_piece(i) for i in range(processor.get_piece_size())]


def _ctranslate2_model(path: Path, vocabulary: list[str], depth: int = 16, ffn: int = 32) -> None:
    """A one-layer Transformer whose logits are its output bias: ``▁hello`` wins every step."""
    from ctranslate2.specs import model_spec, transformer_spec

    spec = transformer_spec.TransformerSpec.from_config(1, 2)
    size = len(vocabulary)
    shapes = {
        "encoder/embeddings_0": (size, depth),
        "decoder/embeddings": (size, depth),
        "self_attention/linear_0": (3 * depth, depth),
        "attention/linear_1": (2 * depth, depth),
        "ffn/linear_0": (ffn, depth),
        "ffn/linear_1": (depth, ffn),
        "projection": (size, depth),
    }

    def fill(layer: object, name: str, value: object) -> None:
        if value is not None:
            return
        scope, attribute = name.rsplit("/", 1)
        if attribute == "gamma":
            array = np.ones(depth, np.float32)
        elif attribute == "beta":
            array = np.zeros(depth, np.float32)
        else:
            shape = next((s for key, s in shapes.items() if scope.endswith(key)), (depth, depth))
            array = np.zeros(shape, np.float32)
        setattr(layer, attribute, array)

    model_spec.visit_spec(spec, fill)
    bias = np.zeros(size, np.float32)
    bias[vocabulary.index("▁hello")] = 10.0
    spec.decoder.projection.bias = bias
    spec.register_source_vocabulary(vocabulary)
    spec.register_target_vocabulary(vocabulary)
    spec.validate()
    spec.optimize()
    path.mkdir()
    spec.save(str(path))


@pytest.fixture(scope="session")
def argosmodel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny ru→en .argosmodel file (a zip of one folder: metadata.json, model/, sentencepiece.model)."""
    for module in ("argostranslate", "ctranslate2", "sentencepiece"):
        pytest.importorskip(module)
    root = tmp_path_factory.mktemp("argos-build")
    folder = root / "translate-ru_en-0_1"
    folder.mkdir()
    vocabulary = _sentencepiece(folder / "sentencepiece.model")
    _ctranslate2_model(folder / "model", vocabulary)
    metadata = {
        "package_version": "0.1",
        "argos_version": "1.9",
        "from_code": "ru",
        "from_name": "Russian",
        "to_code": "en",
        "to_name": "English",
        "type": "translate",
    }
    (folder / "metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    archive = root / "translate-ru_en-0_1.argosmodel"
    with zipfile.ZipFile(archive, "w") as out:
        for file in sorted(folder.rglob("*")):
            out.write(file, file.relative_to(root).as_posix())
    return archive


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every attempt to resolve a host or open a connection fails and is recorded."""
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise OSError("network disabled in tests")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


@pytest.fixture
def packages_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty Argos package directory of the test's own, wherever argostranslate was imported.

    argostranslate.settings reads ARGOS_PACKAGES_DIR and the XDG directories once, at import (and
    creates them): the environment is set first for the case where this imports it, and the
    module's ``package_data_dir`` / ``package_dirs`` are patched for the case where it was already
    imported.
    """
    pytest.importorskip("argostranslate")
    directory = tmp_path / "argos-packages"
    directory.mkdir()
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(directory))
    for variable in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(variable, str(tmp_path / variable.lower()))
    from argostranslate import settings

    monkeypatch.setattr(settings, "package_data_dir", directory)
    monkeypatch.setattr(settings, "package_dirs", [directory])
    return directory


@pytest.fixture
def installed(argosmodel: Path, packages_dir: Path) -> Path:
    from argostranslate import package

    package.install_from_path(argosmodel)
    return packages_dir


def test_installed_pair_glosses_non_english_quotes(installed: Path, offline: list[object]) -> None:
    result = gloss(["Привет мир", "Hello world", "Он сказал. Она сказала!"], ["ru", "en", "ru"])
    assert result.notice is None
    assert result.pairs_used == ("ru→en",)
    assert result.texts[1] is None  # already English: no gloss
    for text in (result.texts[0], result.texts[2]):
        assert isinstance(text, str)
        assert text.startswith("hello")
    assert result.glossed == 2
    assert offline == []


def test_missing_pair_gives_one_notice(installed: Path, offline: list[object]) -> None:
    result = gloss(["Guten Tag", "Добрый день", "Доброго дня", "Good day"], ["de", "ru", "uk", "en"])
    assert result.texts[0] is None and result.texts[2] is None and result.texts[3] is None
    assert isinstance(result.texts[1], str)
    assert result.notice is not None
    assert "de→en, uk→en" in result.notice
    assert "2 quotes" in result.notice
    assert "argospm install translate-de_en" in result.notice
    assert offline == []


def test_no_package_installed(packages_dir: Path, offline: list[object]) -> None:
    result = gloss(["Привет мир"], ["ru"])
    assert result.texts == [None]
    assert result.notice is not None and "ru→en" in result.notice
    assert result.pairs_used == ()
    assert offline == []


def test_argostranslate_not_importable(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def fake_import(name: str, *args: object, **kwargs: object) -> object:
        if name.startswith("argostranslate"):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    result = gloss(["Привет мир", "Hello"], ["ru", "en"])
    assert result.texts == [None, None]
    assert result.notice is not None and "argostranslate" in result.notice and "1 quote " in result.notice


def test_one_failing_text_costs_only_its_gloss(installed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from argostranslate.tokenizer import SentencePieceTokenizer

    encode = SentencePieceTokenizer.encode

    def flaky(self: SentencePieceTokenizer, sentence: str) -> list[str]:
        if "сломано" in sentence:
            raise RuntimeError("tokenizer broke")
        return encode(self, sentence)

    monkeypatch.setattr(SentencePieceTokenizer, "encode", flaky)
    result = gloss(["Привет мир", "это сломано"], ["ru", "ru"])
    assert isinstance(result.texts[0], str)
    assert result.texts[1] is None
    assert result.notice is not None and "tokenizer broke" in result.notice


def test_disabled_and_nothing_to_gloss() -> None:
    assert gloss(["Привет"], ["ru"], GlossOptions(enabled=False)) == GlossResult([None], None, ())
    result = gloss(["Hello", "?"], ["en", None])
    assert result.texts == [None, None] and result.notice is None
    with pytest.raises(ValueError):
        gloss(["a"], [])
